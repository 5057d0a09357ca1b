//! The footer: what the demo is, how long the encoder and the decoder's steps took, and the
//! hidden timings element tests read (run number, encoder time, each step's time).

use rust_i18n::t;
use yew::prelude::*;

pub struct AboutProps {
    /// The translation on screen (0 before the first).
    pub run: u64,
    pub encode_ms: Option<f64>,
    /// Each decoding step, request to answer.
    pub step_ms: Vec<f64>,
    pub step_run_ms: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

pub fn about(props: &AboutProps) -> Html {
    let list = |ms: &[f64]| {
        ms.iter()
            .map(|m| format!("{m:.2}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    html! {
        <footer class="about">
            <p>{ t!("translate.about") }</p>
            if !props.step_ms.is_empty() {
                <p class="muted">{ t!("translate.timing", encoder = format!("{:.1}", props.encode_ms.unwrap_or(0.0)),
                    median = format!("{:.1}", median(&props.step_ms)), run = format!("{:.1}", median(&props.step_run_ms)),
                    n = props.step_ms.len()) }</p>
            }
            <span data-testid="timings" hidden=true data-run={props.run.to_string()} data-encode-ms={props.encode_ms.map(|m| format!("{m:.2}")).unwrap_or_default()}
                data-step-ms={list(&props.step_ms)} data-step-run-ms={list(&props.step_run_ms)}></span>
        </footer>
    }
}
