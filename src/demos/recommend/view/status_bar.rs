//! Renders the recommender's status line: download progress, ready (with the model's size and
//! window), or the error that stopped it. Its own sentences, not the shared status bar's: the
//! window of recent movies is what this model's size means to a reader.

use rust_i18n::t;
use yew::prelude::*;

use crate::ui::model::ModelStatus;

pub struct StatusBarProps {
    pub status: ModelStatus,
}

fn kb(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / 1024.0)
}

pub fn status_bar(props: &StatusBarProps) -> Html {
    match &props.status {
        ModelStatus::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("recommend.downloading") }</span>
                <progress data-testid="progress" max={(*total).max(1).to_string()} value={loaded.to_string()}
                    aria-label={t!("recommend.progress_label")}></progress>
                if *total > 0 { <span class="muted">{ t!("recommend.progress_kb", loaded = kb(*loaded), total = kb(*total)) }</span> }
            </div>
        },
        ModelStatus::Ready(m) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("recommend.ready", layers = m.n_layers, heads = m.n_heads, window = m.max_len) }
            </div>
        },
        ModelStatus::Failed(message) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ message.clone() }</p>
            </div>
        },
    }
}
