//! The generator: a prompt continued token by token by a small GPT-style decoder in the
//! worker, with the sampling made visible (candidates before and after the filters, the draw),
//! causal attention for every layer and head, the key/value cache growing with its measured
//! saving, the induction-head table and the walkthrough's steps with RoPE.
//!
//! The loop itself is [`crate::demos::generate`]; [`driver`] runs it one worker request at a
//! time; each part of the page is a plain function in a file of its own.

mod attention;
mod cache_view;
mod candidates;
mod controls;
mod driver;
mod explain_panel;
mod heads_table;
mod output;
mod state;
mod steps_view;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::attention::{attention, head_map, query_row, window_labels};
use self::cache_view::cache_view;
use self::candidates::candidates;
use self::controls::{controls, ControlsProps};
use self::explain_panel::GenExplain;
use self::heads_table::heads_table;
use self::output::output;
use self::state::{Action, GenState};
use self::steps_view::steps_view;
use crate::demos::generate::link::GenerateLink;
use crate::demos::generate::{input_specs, GenerateManifest, GRAPH_KEY, MODEL_DIR};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::route::Demo;
use crate::ui::components::{ModelStatusBar, WhatIfPanel, WhatIfSource};
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::step_keys::{use_step_keys, StepKey};
use crate::ui::worker_client::GraphSource;
use crate::worker::AttentionWorker;

impl DemoManifest for GenerateManifest {
    fn parse(json: &str) -> Result<Self, String> {
        GenerateManifest::parse(json)
    }

    /// One graph, with its tokenizer; the URLs carry the file's hash, so both are kept in
    /// Cache Storage.
    fn graphs(&self, _dir: &str) -> Vec<GraphSource> {
        let bytes = |file: &str| self.files.get(file).map(|f| f.bytes);
        vec![GraphSource {
            onnx_bytes: bytes(&self.model),
            tokenizer: Some(self.url(&self.tokenizer)),
            tokenizer_bytes: bytes(&self.tokenizer),
            cache: true,
            ..GraphSource::new(
                GRAPH_KEY,
                self.url(&self.model),
                input_specs(self.n_layers, self.n_heads, self.d_k),
            )
        }]
    }
}

fn about(m: &GenerateManifest) -> Html {
    let metric = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1}"));
    html! {
        <details class="about" data-testid="about">
            <summary>{ t!("generate.about") }</summary>
            <p>{ t!("generate.about_model", layers = m.n_layers, heads = m.n_heads, d = m.d_model, context = m.context, vocab = m.vocab_size,
                mb = format!("{:.1}", m.download_bytes() as f64 / 1e6)) }</p>
            <p>{ t!("generate.about_positions") }</p>
            <p data-testid="perplexity">{ t!("generate.about_metrics", ppl = metric(m.metrics.perplexity_int8), uni = metric(m.metrics.unigram_perplexity),
                bi = metric(m.metrics.bigram_perplexity), tokens = m.metrics.tokens.unwrap_or(0)) }</p>
            <p class="muted">{ t!("generate.about_data") }</p>
        </details>
    }
}

#[component]
pub fn GenerateDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(GenerateLink::read);
    let state = use_reducer(|| GenState::from_link(&link));
    let dispatch = state.dispatcher();
    let whatif = use_state(|| link.whatif.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    {
        let dispatch = dispatch.clone();
        use_model::<GenerateManifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => dispatch.dispatch(Action::Manifest(m)),
                ModelEvent::Progress { loaded, total } => {
                    dispatch.dispatch(Action::Progress(loaded, total))
                }
                ModelEvent::Loaded(m, _) => {
                    spawn_local(driver::prepare(runner.clone(), m, dispatch.clone()))
                }
                ModelEvent::Failed(e) => dispatch.dispatch(Action::LoadFailed(e)),
            }),
        );
    }
    let on_generate = driver::use_generator(&state);
    {
        let dispatch = dispatch.clone();
        use_step_keys(Callback::from(move |key| {
            dispatch.dispatch(match key {
                StepKey::Next => Action::Forward,
                StepKey::Prev => Action::Back,
            })
        }));
    }
    {
        let hash = state
            .settled()
            .then(|| state.to_link((*whatif).clone()).write().to_string());
        use_permalink(hash);
    }
    let causal_svg = use_node_ref();
    let export = Rc::new(ExportContext {
        model: state
            .manifest
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        demo: Demo::Generate.slug().into(),
        step: Some(state.shown.to_string()),
        layer: Some(state.layer + 1),
        head: state.head.map(|h| h + 1),
        input: Some(state.text.clone()),
    });
    let what_if = match (&state.manifest, &state.full, state.head, query_row(&state)) {
        (Some(m), Some(full), Some(h), Some(q)) => head_map(full, state.layer, Some(h), m.n_heads).map(|map| {
            let n = q + 1;
            let labels = Rc::new(window_labels(&state).into_iter().take(n).collect::<Vec<_>>());
            let sub = Matrix::from_fn(n, n, |i, j| map.get(i, j).unwrap_or(0.0));
            let source = WhatIfSource::from_weights(sub, m.d_k, (labels.clone(), labels), (state.layer, h), &t!("generate.whatif_mask"));
            html! { <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()}
                onchange={{ let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) }} export={Some(export.clone())} /> }
        }),
        (Some(_), Some(_), None, Some(_)) => Some(html! { <p class="hint" data-testid="whatif-pick-head">{ t!("generate.whatif_pick_head") }</p> }),
        _ => None,
    };
    html! {
        <div class="demo generate" data-testid="generate-demo">
            <header class="demo-header">
                <h1>{ t!("generate.title") }</h1>
                <p class="lede">{ t!("generate.lede") }</p>
                <ModelStatusBar status={state.status.clone()} model_name={state.manifest.as_ref().map(|m| m.name.clone())} />
            </header>
            { controls(&ControlsProps { state: &state, dispatch: dispatch.clone(), on_generate }) }
            { output(&state, &dispatch) }
            { candidates(&state) }
            <GenExplain state={state.clone()} export={export.clone()} />
            { attention(&state, &dispatch, export.clone(), causal_svg) }
            { steps_view(&state) }
            { cache_view(&state) }
            { what_if.unwrap_or_default() }
            { heads_table(&state, &dispatch) }
            if let Some(m) = &state.manifest { { about(m) } }
        </div>
    }
}
