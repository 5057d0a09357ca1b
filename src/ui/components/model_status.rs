//! Loading, ready and failed states of the model, always visible.

use rust_i18n::t;
use yew::prelude::*;

use crate::ui::model::ModelStatus;

#[derive(Properties, PartialEq)]
pub struct ModelStatusProps {
    pub status: ModelStatus,
    #[prop_or_default]
    pub model_name: Option<String>,
}

fn kib(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1024.0)
}

#[component]
pub fn ModelStatusBar(props: &ModelStatusProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let name = props
        .model_name
        .clone()
        .unwrap_or_else(|| t!("common.the_model").into_owned());
    match &props.status {
        ModelStatus::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("common.downloading", name = name) }{ " " }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()}
                    aria-label={t!("common.progress")}></progress>
                <span class="muted">{ if *total > 0 { format!(" {}", t!("common.of", loaded = kib(*loaded), total = kib(*total))) } else { String::new() } }</span>
            </div>
        },
        ModelStatus::Ready(summary) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("common.ready", name = name, layers = summary.n_layers, heads = summary.n_heads,
                    d_model = summary.d_model, max_len = summary.max_len) }
            </div>
        },
        ModelStatus::Failed(message) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ message.clone() }</p>
            </div>
        },
    }
}
