//! Loading, ready and failed states of the model, always visible.

use yew::prelude::*;

use crate::ui::state::ModelStatus;

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
    let name = props
        .model_name
        .clone()
        .unwrap_or_else(|| "the model".into());
    match &props.status {
        ModelStatus::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ format!("Downloading {name}… ") }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()}
                    aria-label="Model download progress"></progress>
                <span class="muted">{ if *total > 0 { format!(" {} of {}", kib(*loaded), kib(*total)) } else { String::new() } }</span>
            </div>
        },
        ModelStatus::Ready(summary) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { format!("✓ {name} is running in your browser: {} layers × {} heads, d_model = {}, up to {} tokens.",
                    summary.n_layers, summary.n_heads, summary.d_model, summary.max_len) }
            </div>
        },
        ModelStatus::Failed(message) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ message.clone() }</p>
            </div>
        },
    }
}
