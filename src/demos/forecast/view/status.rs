//! The status line of the shown series' model: its download with a progress bar, the model's
//! size and shape once it is ready, or what went wrong.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::ModelState;
use crate::demos::forecast::{ForecastManifest, Series};

pub struct ModelStatusLineProps {
    pub model: ModelState,
    pub manifest: Rc<ForecastManifest>,
    pub series: Rc<Series>,
}

/// `data-state` says `loading`, `ready` or `failed`, for the tests to wait on.
pub fn model_status_line(props: &ModelStatusLineProps) -> Html {
    let (manifest, series) = (&props.manifest, &props.series);
    match &props.model {
        ModelState::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("forecast.status.downloading", model = series.id) }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()} aria-label={t!("forecast.status.progress")}></progress>
            </div>
        },
        ModelState::Ready => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("forecast.status.ready", model = series.id, layers = manifest.n_layers, heads = manifest.n_heads,
                    d_model = manifest.d_model, kb = series.onnx_bytes / 1024) }
            </div>
        },
        ModelState::Failed(e) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            </div>
        },
    }
}
