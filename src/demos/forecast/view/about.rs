//! The footer: how the window is normalised, where the data comes from, and the last run's
//! normalisation and time.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::Outcome;
use crate::demos::forecast::{format_value, Series};

pub struct AboutProps {
    pub series: Rc<Series>,
    pub outcome: Option<Outcome>,
}

pub fn about(props: &AboutProps) -> Html {
    let series = &props.series;
    html! {
        <footer class="about">
            <p>{ t!("forecast.about.normalise", unit = series.display_unit()) }</p>
            <p class="muted">{ t!("forecast.about.data", source = series.display_source(), licence = series.display_licence()) }</p>
            if let Some(o) = &props.outcome {
                <p class="muted">{ t!("forecast.about.last_run", mean = format_value(o.mean), scale = format_value(o.scale), ms = format!("{:.1}", o.latency_ms)) }</p>
            }
        </footer>
    }
}
