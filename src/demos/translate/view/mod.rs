//! The translation demo: an English sentence translated into French one token at a time by a
//! small encoder–decoder transformer running in the worker. At every step: the cross-attention
//! (alignment) over the source tokens, the decoder's causal self-attention, the five most
//! likely next tokens and the chosen one. Step forward/back, play/pause, translate all.
//!
//! The decoding loop itself (what goes in, what comes out, when it stops) is
//! [`crate::demos::translate`]; this file loads the model and lays out the page, [`driver`] runs
//! the loop one worker request at a time, and each part of the page is rendered in a file of its
//! own (a plain function, or a component where it has hooks or draws an attention grid).

mod about;
mod attention_grid;
mod controls;
mod driver;
mod explain_panel;
mod header;
mod input;
mod panels;
mod picker;
mod shift_view;
mod state;
mod tokens;
mod top_candidates;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use self::about::{about, AboutProps};
use self::controls::{step_controls, StepControlsProps};
use self::explain_panel::TrExplain;
use self::header::{status_header, StatusHeaderProps};
use self::input::{source_input, SourceInputProps};
use self::panels::AttentionPanels;
use self::picker::{view_picker, ViewPickerProps};
use self::shift_view::StepShiftView;
use self::state::{token_label, Action, Hover, Mode, TrState};
use self::tokens::{token_strips, TokenStripsProps};
use crate::demos::translate::analysis::{layer_shifts, step_shifts};
use crate::demos::translate::link::TranslateLink;
use crate::demos::translate::{
    decoder_specs, encoder_specs, vocab_from_tokenizer_json, TranslateManifest, DECODER_KEY,
    ENCODER_KEY, MODEL_DIR,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::route::Demo;
use crate::ui::components::{WhatIfPanel, WhatIfSource};
use crate::ui::fetch::fetch_bytes_cached;
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::step_keys::{use_step_keys, StepKey};
use crate::ui::worker_client::GraphSource;

impl DemoManifest for TranslateManifest {
    fn parse(json: &str) -> Result<Self, String> {
        TranslateManifest::parse(json)
    }

    /// The encoder (with the tokenizer, which `Encode` uses) then the decoder. The URLs carry
    /// the file's hash, so the files are kept in Cache Storage.
    fn graphs(&self, _dir: &str) -> Vec<GraphSource> {
        let bytes = |file: &str| self.files.get(file).map(|f| f.bytes);
        vec![
            GraphSource {
                onnx_bytes: bytes(&self.encoder),
                tokenizer: Some(self.url(&self.tokenizer)),
                tokenizer_bytes: bytes(&self.tokenizer),
                cache: true,
                ..GraphSource::new(ENCODER_KEY, self.url(&self.encoder), encoder_specs())
            },
            GraphSource {
                onnx_bytes: bytes(&self.decoder),
                cache: true,
                ..GraphSource::new(
                    DECODER_KEY,
                    self.url(&self.decoder),
                    decoder_specs(self.d_model),
                )
            },
        ]
    }
}

/// Once the graphs are in the worker: the page labels tokens with the tokenizer's vocabulary,
/// which must be the one the decoder's outputs are numbered in. The tokenizer comes from Cache
/// Storage, where loading the encoder has just put it.
async fn check_vocab(manifest: Rc<TranslateManifest>, dispatch: UseReducerDispatcher<TrState>) {
    let vocab = fetch_bytes_cached(&manifest.url(&manifest.tokenizer), |_| ())
        .await
        .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()))
        .and_then(|json| vocab_from_tokenizer_json(&json));
    match vocab {
        Ok(v) if v.len() == manifest.vocab_size => {
            dispatch.dispatch(Action::Vocab(Rc::new(v)));
            dispatch.dispatch(Action::Ready);
        }
        Ok(v) => dispatch.dispatch(Action::LoadFailed(
            t!(
                "translate.tokenizer_mismatch",
                n = v.len(),
                expected = manifest.vocab_size
            )
            .into_owned(),
        )),
        Err(e) => dispatch.dispatch(Action::LoadFailed(e)),
    }
}

#[component]
pub fn TranslateDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(TranslateLink::read);
    let state = use_reducer(|| TrState::from_link(&link));
    let dispatch = state.dispatcher();
    let whatif = use_state(|| link.whatif.clone());

    {
        let dispatch = dispatch.clone();
        use_model::<TranslateManifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => dispatch.dispatch(Action::Manifest(m)),
                ModelEvent::Progress { loaded, total } => {
                    dispatch.dispatch(Action::Progress(loaded, total))
                }
                ModelEvent::Loaded(m, _) => spawn_local(check_vocab(m, dispatch.clone())),
                ModelEvent::Failed(e) => dispatch.dispatch(Action::LoadFailed(e)),
            }),
        );
    }
    let ready = state.status.is_ready();
    let begin = driver::use_decoder(&state);
    {
        let dispatch = dispatch.clone();
        use_step_keys(Callback::from(move |key| {
            dispatch.dispatch(match key {
                StepKey::Next => Action::Forward,
                StepKey::Prev => Action::Back,
            })
        }));
    }

    let manifest = state.manifest.clone();
    let n_layers = manifest.as_ref().map_or(0, |m| m.n_dec_layers);
    let n_heads = manifest.as_ref().map_or(0, |m| m.n_heads);
    let view = state.view();
    let decoding = state.decoding.clone();
    let source = state.source.clone();
    let (computed, finished) = (state.computed(), state.finished());
    let shown = state.shown.min(computed);

    {
        // Keep the address bar a link to exactly this view (replaceState: no history entry per
        // step), once the link the page was opened with has been restored.
        let link = TranslateLink {
            text: Some(
                source
                    .as_ref()
                    .map_or_else(|| state.text.clone(), |s| s.text.clone()),
            ),
            step: decoding.as_ref().map(|_| shown),
            layer: Some(state.layer).filter(|&l| l + 1 != n_layers),
            head: state.head,
            whatif: (*whatif).clone(),
            explain: state.explain,
            bad: Vec::new(),
        };
        let hash = state.settled().then(|| link.write().to_string());
        use_permalink(hash);
    }

    let src_tokens: Rc<Vec<String>> = Rc::new(
        source
            .as_ref()
            .map(|s| s.encoded.tokens.clone())
            .unwrap_or_default(),
    );
    let out_tokens: Rc<Vec<String>> = Rc::new(
        decoding
            .as_ref()
            .map(|d| {
                d.steps()[..shown]
                    .iter()
                    .map(|s| token_label(state.vocab.as_ref(), s.chosen))
                    .collect()
            })
            .unwrap_or_default(),
    );
    let on_hover = {
        let d = dispatch.clone();
        Callback::from(move |h: Option<Hover>| d.dispatch(Action::Hover(h)))
    };
    let cross: Option<Rc<Matrix>> = decoding
        .as_ref()
        .filter(|_| shown > 0)
        .and_then(|d| d.cross_matrix(shown, view))
        .map(Rc::new);
    // How the cross-attention moves from step to step, and the same per layer.
    let shifts = cross.as_ref().map(|m| Rc::new(step_shifts(m)));
    let layers = decoding
        .as_ref()
        .filter(|_| shown > 0)
        .map(|d| Rc::new(layer_shifts(d, shown, view.head)));

    // Stable (English) names: `data-name` and exported file names do not change with the
    // interface language.
    let view_id = match view.head {
        Some(h) => format!("layer {}, head {}", view.layer + 1, h + 1),
        None => format!("layer {}, average of {n_heads} heads", view.layer + 1),
    };
    let view_name = match view.head {
        Some(h) => t!("translate.view.head", layer = view.layer + 1, head = h + 1),
        None => t!(
            "translate.view.average",
            layer = view.layer + 1,
            n = n_heads
        ),
    }
    .into_owned();
    // Exported files say which model, sentence, step, layer and head they show.
    let export = Rc::new(ExportContext {
        model: manifest
            .as_ref()
            .map_or_else(|| "translate".into(), |m| m.name.clone()),
        demo: Demo::Translate.slug().into(),
        step: Some(format!("decoding step {shown}")),
        layer: Some(view.layer + 1),
        head: view.head.map(|h| h + 1),
        input: source.as_ref().map(|s| s.text.clone()),
    });
    let text_ref = use_node_ref();
    let on_text = {
        let d = dispatch.clone();
        Callback::from(move |text| d.dispatch(Action::SetText(text)))
    };

    html! {
        <div class="demo tr-demo" data-testid="translate-demo">
            { status_header(&StatusHeaderProps { status: state.status.clone(), manifest: manifest.clone() }) }

            { source_input(&SourceInputProps { text: state.text.clone(), ready, busy: state.busy,
                examples: manifest.as_ref().map(|m| m.examples.clone()).unwrap_or_default(),
                link_bad: state.link_bad.clone(), message: state.message, source: source.clone(),
                error: state.error.clone(), on_text, on_translate: begin, text_ref }) }

            if let (Some(src), Some(d)) = (&source, &decoding) {
                { token_strips(&TokenStripsProps { source: src.clone(), decoding: d.clone(), shown, view,
                    src_tokens: src_tokens.clone(), out_tokens: out_tokens.clone(),
                    hover: state.hover, onhover: on_hover.clone() }) }
                { step_controls(&StepControlsProps { shown, computed, finished, busy: state.busy,
                    playing: state.mode == Mode::Play, stop: d.stop(), dispatch: dispatch.clone() }) }
                { view_picker(&ViewPickerProps { n_layers, n_heads, view, dispatch: dispatch.clone() }) }
                <AttentionPanels decoding={d.clone()} {shown} {view} cross={cross.clone()}
                    src_tokens={src_tokens.clone()} out_tokens={out_tokens.clone()} vocab={state.vocab.clone()}
                    hover={state.hover} onhover={on_hover.clone()} view_id={view_id.clone()}
                    view_name={view_name.clone()} export={export.clone()} />
                if let (Some(shifts), Some(layers)) = (&shifts, &layers) {
                    <StepShiftView shifts={shifts.clone()} layers={layers.clone()} targets={out_tokens.clone()} sources={src_tokens.clone()}
                        current={shown.checked_sub(1)} hovered={state.hovered_target()}
                        layer={view.layer} view_name={view_name.clone()} view_id={view_id.clone()} export={export.clone()} onhover={{
                            let d = dispatch.clone();
                            Callback::from(move |i: Option<usize>| d.dispatch(Action::Hover(i.map(Hover::Target))))
                        }} />
                }
            }

            if let (Some(m), Some(h), Some(man)) = (&cross, view.head, &manifest) {
                <WhatIfPanel source={Rc::new(WhatIfSource::from_weights((**m).clone(), man.d_model / man.n_heads.max(1),
                        (out_tokens.clone(), src_tokens.clone()), (view.layer, h), &t!("translate.whatif_mask")))}
                    whatif={(*whatif).clone()} onchange={{ let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) }}
                    export={Some(export.clone())} />
            } else if cross.is_some() {
                <p class="hint" data-testid="whatif-pick-head">{ t!("translate.whatif_pick_head") }</p>
            }

            <TrExplain source={source.clone()} decoding={decoding.clone()} {shown} run={state.run}
                manifest={manifest.clone()} vocab={state.vocab.clone()} open={state.explain}
                decoding_runs={matches!(state.mode, Mode::Play | Mode::All | Mode::Restore(_))}
                ontoggle={{ let d = dispatch.clone(); Callback::from(move |open| d.dispatch(Action::SetExplain(open))) }}
                export={export.clone()} />

            { about(&AboutProps { run: state.run, encode_ms: state.encode_ms, step_ms: state.step_ms.clone(), step_run_ms: state.step_run_ms.clone() }) }
        </div>
    }
}
