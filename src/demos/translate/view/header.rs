//! The demo's header: the tagline and the model's status. Once the model is ready, the status
//! names both stacks of layers and the held-out scores of the shipped model (the shared status
//! bar names one stack); while loading or after a failure it is the shared status bar.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::translate::TranslateManifest;
use crate::ui::components::ModelStatusBar;
use crate::ui::model::ModelStatus;

pub struct StatusHeaderProps {
    pub status: ModelStatus,
    pub manifest: Option<Rc<TranslateManifest>>,
}

pub fn status_header(props: &StatusHeaderProps) -> Html {
    let manifest = &props.manifest;
    html! {
        <header class="demo-head">
            <p class="tagline">{ t!("translate.tagline") }</p>
            if let (ModelStatus::Ready(_), Some(m)) = (&props.status, manifest) {
                <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                    { t!("translate.ready", name = m.name, enc = m.n_enc_layers, dec = m.n_dec_layers,
                        heads = m.n_heads, d = m.d_model, max = m.max_src) }
                    if let Some(sc) = &m.metrics.int8 {
                        <span class="muted" data-testid="bible-note">{ " " }{ t!("translate.bible_note", verses = sc.verses,
                            bleu = format!("{:.1}", sc.bleu), chrf = format!("{:.1}", sc.chrf)) }</span>
                    }
                </div>
            } else {
                <ModelStatusBar status={props.status.clone()} model_name={manifest.as_ref().map(|m| m.name.clone())} />
            }
        </header>
    }
}
