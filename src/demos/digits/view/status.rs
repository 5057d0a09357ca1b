//! Renders the digits model's status line: downloading (with a progress bar), ready (the model's
//! size and test accuracy from the manifest) or failed.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::ModelState;
use crate::demos::digits::DigitsManifest;

pub struct DigitsStatusProps {
    pub model: ModelState,
    pub manifest: Option<Rc<DigitsManifest>>,
}

pub fn digits_status(props: &DigitsStatusProps) -> Html {
    match (&props.model, &props.manifest) {
        (ModelState::Loading { loaded, total }, _) => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("digits.status.downloading") }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()} aria-label={t!("digits.status.progress")}></progress>
            </div>
        },
        (ModelState::Ready, Some(m)) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("digits.status.ready", layers = m.n_layers, heads = m.n_heads, d_model = m.d_model, kb = m.onnx_bytes / 1024,
                    pct = format!("{:.1}", m.metrics.test_accuracy * 100.0), n = m.metrics.test_images) }
            </div>
        },
        (ModelState::Ready, None) => html! {},
        (ModelState::Failed(e), _) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            </div>
        },
    }
}
