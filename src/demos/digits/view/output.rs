//! Renders what the model makes of the image on screen: the 8×8 input it reads, its answer, where
//! [CLS] looks, the whole [CLS] matrix and the what-if panel, or why there is nothing to show.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::cls_attention::{cls_attention, ClsAttentionProps};
use super::cls_matrix::ClsMatrix;
use super::patch_attention::PatchAttention;
use super::probabilities::{probabilities, ProbabilitiesProps};
use super::state::{Outcome, Problem, State};
use super::what_if::{digits_what_if, DigitsWhatIfProps};
use crate::demos::digits::{is_blank, DigitsManifest, DrawingError};
use crate::maths::WhatIf;

pub struct OutputPanelProps {
    /// The image the model reads, or why there is none.
    pub pixels: Result<Rc<Vec<f32>>, DrawingError>,
    /// The newest run's answer, already known to be about `pixels`.
    pub outcome: Option<Outcome>,
    pub run_error: Option<Problem>,
    /// Completed runs, for tests to wait on.
    pub runs: u64,
    pub manifest: Option<Rc<DigitsManifest>>,
    /// The test image on screen, if it is one.
    pub picked: Option<usize>,
    pub layer: usize,
    pub head: Option<usize>,
    pub whatif: WhatIf,
    pub on_whatif: Callback<WhatIf>,
    pub dispatch: UseReducerDispatcher<State>,
}

pub fn output_panel(props: &OutputPanelProps) -> Html {
    let message = match &props.pixels {
        Err(e) => Some(e.to_string()),
        Ok(p) if is_blank(p) => Some(DrawingError::Blank.to_string()),
        Ok(_) => None,
    };
    let model = props
        .manifest
        .as_ref()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let test_label = props.picked.and_then(|i| {
        let m = props.manifest.as_ref()?;
        m.examples.get(i).map(|e| e.label.to_string())
    });
    html! {
        <section class="dg-output" aria-label={t!("digits.output.label")}>
            if let Some(m) = message {
                <p class="note" data-testid="input-message" role="status">{ m }</p>
            }
            if let Some(e) = &props.run_error {
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            }
            if let Ok(p) = &props.pixels {
                if !is_blank(p) {
                    <div class="dg-seen">
                        <PatchAttention pixels={p.clone()} label={t!("digits.output.model_input").into_owned()} show_values=true testid="model-input" />
                        if let Some(o) = &props.outcome {
                            { probabilities(&ProbabilitiesProps { probs: o.probs.clone() }) }
                        }
                    </div>
                }
            }
            <span data-testid="run-id" data-run={props.runs.to_string()} hidden=true></span>
            if let Some(o) = &props.outcome {
                { cls_attention(&ClsAttentionProps { outcome: o.clone(), layer: props.layer, head: props.head,
                    dispatch: props.dispatch.clone() }) }
                <ClsMatrix outcome={o.clone()} {model} {test_label} />
                { digits_what_if(&DigitsWhatIfProps { outcome: o.clone(), manifest: props.manifest.clone(), layer: props.layer,
                    head: props.head, whatif: props.whatif.clone(), onchange: props.on_whatif.clone() }) }
                <p class="muted dg-explain">{ t!("digits.output.rollout_explained") }</p>
                <p class="muted">{ t!("digits.output.last_run", ms = format!("{:.1}", o.latency_ms)) }</p>
            }
        </section>
    }
}
