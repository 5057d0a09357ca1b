//! The whole series as a small line chart, with the held-out tail shaded and the model's window
//! marked; pressing or dragging on it (mouse or touch) moves the point in time.

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::forecast::{padded_range, LinearScale};

#[derive(Properties, PartialEq)]
pub struct SeriesOverviewProps {
    pub values: std::rc::Rc<Vec<f64>>,
    /// First forecast step; the window is the `window` steps before it.
    pub origin: usize,
    pub window: usize,
    pub horizon: usize,
    /// First index of the held-out tail.
    pub test_start: usize,
    /// Called with the new origin while the user presses or drags.
    pub onpick: Callback<usize>,
    /// Labels of the first and last step, e.g. "May 1964".
    pub first_label: AttrValue,
    pub last_label: AttrValue,
}

const W: f64 = 1000.0;
const H: f64 = 90.0;
const PAD: f64 = 4.0;

/// Converts a pointer position to a step index through the element's on-screen box. (Yew
/// delegates events to the app root, so `current_target` is not the chart: it comes from a ref.)
fn index_at(el: &NodeRef, e: &PointerEvent, n: usize) -> Option<usize> {
    let el: web_sys::Element = el.cast()?;
    let rect = el.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    let x = (f64::from(e.client_x()) - rect.left()) / rect.width() * W;
    let t = ((x - PAD) / (W - 2.0 * PAD)).clamp(0.0, 1.0);
    Some((t * n as f64).round() as usize)
}

#[component]
pub fn SeriesOverview(props: &SeriesOverviewProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let dragging = use_state(|| false);
    let svg_ref = use_node_ref();
    let n = props.values.len();
    let xs = LinearScale::new(0.0, n.max(1) as f64, PAD, W - PAD);
    let (lo, hi) = padded_range(props.values.iter().copied(), 0.05).unwrap_or((0.0, 1.0));
    let ys = LinearScale::new(lo, hi, H - PAD, PAD);
    let path: String = props
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let cmd = if i == 0 { 'M' } else { 'L' };
            format!("{cmd}{:.1},{:.1}", xs.to_px(i as f64 + 0.5), ys.to_px(v))
        })
        .collect();
    let win_start = props.origin.saturating_sub(props.window);
    let win_end = (props.origin + props.horizon).min(n + props.horizon);

    let pick = {
        let (onpick, svg_ref) = (props.onpick.clone(), svg_ref.clone());
        move |e: &PointerEvent| {
            if let Some(i) = index_at(&svg_ref, e, n) {
                onpick.emit(i);
            }
        }
    };
    let onpointerdown = {
        let (dragging, pick, svg_ref) = (dragging.clone(), pick.clone(), svg_ref.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some(el) = svg_ref.cast::<web_sys::Element>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            dragging.set(true);
            pick(&e);
        })
    };
    let onpointermove = {
        let (dragging, pick) = (dragging.clone(), pick.clone());
        Callback::from(move |e: PointerEvent| {
            if *dragging {
                pick(&e);
            }
        })
    };
    let onpointerup = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| dragging.set(false))
    };

    html! {
        <figure class="fc-overview">
            <svg ref={svg_ref} data-testid="series-overview" viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none"
                role="img" aria-label={t!("forecast.overview.label")}
                onpointerdown={onpointerdown} onpointermove={onpointermove}
                onpointerup={onpointerup.clone()} onpointercancel={onpointerup}>
                <rect class="fc-test-region" x={xs.to_px(props.test_start as f64).to_string()} y="0"
                    width={(xs.to_px(n as f64) - xs.to_px(props.test_start as f64)).max(0.0).to_string()} height={H.to_string()} />
                <rect class="fc-window" data-testid="overview-window"
                    x={xs.to_px(win_start as f64).to_string()} y="1"
                    width={(xs.to_px(win_end as f64) - xs.to_px(win_start as f64)).max(1.0).to_string()} height={(H - 2.0).to_string()} />
                <path class="fc-overview-line" d={path} />
                <line class="fc-origin" x1={xs.to_px(props.origin as f64).to_string()} x2={xs.to_px(props.origin as f64).to_string()}
                    y1="0" y2={H.to_string()} />
            </svg>
            <figcaption class="fc-overview-caption">
                <span>{ props.first_label.clone() }</span>
                <span class="fc-legend-test">{ t!("forecast.overview.test_region") }</span>
                <span>{ props.last_label.clone() }</span>
            </figcaption>
        </figure>
    }
}
