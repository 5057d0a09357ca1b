//! The colour bar under a heatmap, from its lowest to its highest value.

use yew::prelude::*;

use super::colour::{color, ColorScale};
use super::format_value;

#[derive(Properties, PartialEq)]
pub(super) struct LegendProps {
    pub scale: ColorScale,
    pub lo: f32,
    pub hi: f32,
}

#[component]
pub(super) fn Legend(props: &LegendProps) -> Html {
    let (lo, hi, max_abs) = match props.scale {
        ColorScale::Weights => (0.0, 1.0, 1.0),
        ColorScale::Signed => {
            let m = props.lo.abs().max(props.hi.abs());
            (-m, m, m)
        }
    };
    let stops = (0..=10).map(|k| {
        let t = k as f32 / 10.0;
        let v = lo + (hi - lo) * t;
        html! { <span style={format!("background:{}", color(props.scale, v, max_abs))}></span> }
    });
    html! {
        <div class="legend" aria-hidden="true">
            <span class="legend-value">{ format_value(lo) }</span>
            <span class="legend-bar">{ for stops }</span>
            <span class="legend-value">{ format_value(hi) }</span>
        </div>
    }
}
