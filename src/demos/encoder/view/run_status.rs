//! What the newest run did, under the text: running or how long it took, notes about the link
//! and the input, the run's error, and the hidden counters the end-to-end tests wait on.

use rust_i18n::t;
use yew::prelude::*;

pub struct RunStatusProps {
    pub running: bool,
    /// Tokens of the run shown (0 before the first).
    pub n_tokens: usize,
    /// Request to result of the newest run, ms.
    pub infer_ms: Option<f64>,
    pub load_ms: Option<f64>,
    /// Opening the view to the first result, ms.
    pub first_result_ms: Option<f64>,
    /// The sentence naming the link's unusable parts.
    pub link_problem: Option<String>,
    pub empty_input: bool,
    /// The note saying the text was cut to the model's length.
    pub truncation: Option<String>,
    pub error: Option<String>,
    /// Completed runs so far.
    pub run_id: u64,
}

fn ms_attr(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

pub fn run_status(props: &RunStatusProps) -> Html {
    let running = props.running;
    html! {
        <>
            <p class={classes!("enc-run", running.then_some("running"))} data-testid="run-state"
                data-state={if running { "running" } else { "idle" }} role="status" aria-live="polite">
                { if running {
                    t!("encoder.running").into_owned()
                } else if let (Some(ms), true) = (props.infer_ms, props.n_tokens > 0) {
                    t!("encoder.ran", n = props.n_tokens, ms = format!("{ms:.0}")).into_owned()
                } else {
                    String::new()
                } }
            </p>
            if let Some(message) = &props.link_problem {
                <p class="note" data-testid="link-problem" role="status">{ message.clone() }</p>
            }
            if props.empty_input {
                <p class="note" data-testid="input-message" role="status">{ t!("encoder.empty_input") }</p>
            }
            if let Some(note) = &props.truncation {
                <p class="note" data-testid="truncation-note" role="status">{ note.clone() }</p>
            }
            if let Some(err) = &props.error {
                <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
            }
            <span data-testid="run-id" data-run={props.run_id.to_string()} hidden=true></span>
            <span data-testid="timing" hidden=true
                data-infer-ms={ms_attr(props.infer_ms)}
                data-load-ms={ms_attr(props.load_ms)}
                data-first-result-ms={ms_attr(props.first_result_ms)}
                data-tokens={props.n_tokens.to_string()}></span>
        </>
    }
}
