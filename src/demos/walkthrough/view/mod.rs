//! The step-by-step walkthrough: one attention layer of the language identifier, from tokens
//! to W_O, with every matrix from the model and an independent recomputation beside it.

pub mod state;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use super::explain::TokenVariants;
use super::manifest::Manifest;
use super::{input_specs, sentence_inputs, Layout, GRAPH_KEY, MODEL_DIR};
use crate::export::ExportContext;
use crate::maths::Walkthrough;
use crate::protocol::{GraphSummary, ModelError};
use crate::route::{link_problem, read_what_if, write_what_if, Demo};
use crate::steps::Step;
use crate::ui::components::prediction::language_name;
use crate::ui::components::{
    AgreementBadge, ExplainPanel, Explainable, LayerAnalysis, ModelStatusBar, Prediction,
    StepNavigator, StepView, TokenStrip, WhatIfPanel, WhatIfSource,
};
use crate::ui::events::{input_value, one_based_select};
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::step_keys::{use_step_keys, StepKey};
use crate::ui::worker_client::{encode, infer, GraphSource, Runner};
use crate::worker::AttentionWorker;
use state::{Action, State};

/// Wait this long after the last keystroke before running.
const DEBOUNCE_MS: u32 = 25;

/// The model's name in the reader's language (the manifest's name is English).
fn model_name(manifest: &Manifest) -> String {
    if manifest.id == "langid" {
        t!("walk.model_name").into_owned()
    } else {
        manifest.name.clone()
    }
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

impl DemoManifest for Manifest {
    fn parse(json: &str) -> Result<Self, String> {
        Manifest::parse(json)
    }

    fn graphs(&self, dir: &str) -> Vec<GraphSource> {
        vec![GraphSource {
            onnx_bytes: Some(self.onnx_bytes),
            tokenizer: Some(format!("{dir}{}", self.tokenizer)),
            tokenizer_bytes: Some(self.tokenizer_bytes),
            ..GraphSource::new(GRAPH_KEY, format!("{dir}{}", self.onnx), input_specs())
        }]
    }
}

/// Checks the loaded graph's names, then one tiny run tells its head count and width (a
/// foreign graph is refused by its names, without a run). The cost demo reads the same model.
pub async fn probe_layout(runner: &Runner, graph: &GraphSummary) -> Result<Layout, ModelError> {
    Layout::check_names(graph)?;
    let out = infer(
        runner,
        GRAPH_KEY,
        Layout::probe_inputs(),
        Some(Layout::probe_outputs()),
    )
    .await?;
    Layout::from_probe(graph, &out)
}

async fn check_graph(runner: Runner, dispatch: UseReducerDispatcher<State>, graph: GraphSummary) {
    dispatch.dispatch(match probe_layout(&runner, &graph).await {
        Ok(layout) => Action::ModelReady(layout),
        Err(e) => Action::ModelFailed(e.to_string()),
    });
}

/// Why a text gave no walkthrough.
#[derive(Debug, Clone, PartialEq)]
pub enum RecomputeProblem {
    /// The text has no tokens.
    Empty,
    /// A sentence for the page.
    Failed(String),
}

/// The model's record of `text` and our step-by-step recomputation of it.
pub async fn recompute(
    runner: &Runner,
    layout: Layout,
    text: &str,
) -> Result<Walkthrough, RecomputeProblem> {
    let encoded = match encode(runner, GRAPH_KEY, text).await {
        Err(ModelError::EmptyInput) => return Err(RecomputeProblem::Empty),
        other => other,
    };
    let record = match encoded {
        Ok(encoded) => infer(runner, GRAPH_KEY, sentence_inputs(&encoded), None)
            .await
            .and_then(|out| layout.record(encoded, &out)),
        Err(e) => Err(e),
    };
    match record {
        Ok(record) => Walkthrough::new(record).map_err(|e| {
            RecomputeProblem::Failed(t!("error.bad_outputs", detail = e).into_owned())
        }),
        Err(e) => Err(RecomputeProblem::Failed(e.to_string())),
    }
}

async fn run_text(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    (layout, explain): (Layout, bool),
    seq: u64,
    text: String,
) {
    let started = now_ms();
    let result = match recompute(&runner, layout, &text).await {
        Err(RecomputeProblem::Empty) => {
            return dispatch.dispatch(Action::InputRejected {
                seq,
                message: t!("walk.empty_input").into_owned(),
            })
        }
        Err(RecomputeProblem::Failed(message)) => Err(message),
        Ok(walkthrough) => Ok(Rc::new(walkthrough)),
    };
    // With the attribution panel open, its worker runs start now: the worker computes them while
    // the page draws this answer, and the panel picks them up (64 tokens: ~80 ms sooner).
    if let (true, Ok(w)) = (explain, &result) {
        if let Ok(e) = Explainable::new(TokenVariants::from_record(&w.record), GRAPH_KEY) {
            e.prefetch(&runner);
        }
    }
    dispatch.dispatch(Action::RunFinished {
        seq,
        result,
        latency_ms: now_ms() - started,
    });
}

/// Loads the language identifier and reruns it whenever `state`'s text changes (after a short
/// pause in typing), answering through `state`'s actions. The walkthrough and the Learn view
/// both drive their pages with it.
#[hook]
pub fn use_langid_runs(state: &UseReducerHandle<State>) {
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_model::<Manifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => dispatch.dispatch(Action::ManifestLoaded(m)),
                ModelEvent::Progress { loaded, total } => {
                    dispatch.dispatch(Action::Progress { loaded, total })
                }
                ModelEvent::Loaded(_, mut graphs) => {
                    if let Some(graph) = graphs.pop() {
                        spawn_local(check_graph(runner.clone(), dispatch.clone(), graph));
                    }
                }
                ModelEvent::Failed(e) => dispatch.dispatch(Action::ModelFailed(e)),
            }),
        );
    }
    {
        // Run whenever the text changes once the model is ready, after a short pause in typing.
        let (layout, explain) = (state.layout, state.explain);
        let (runner, dispatch, seq) = (runner.clone(), state.dispatcher(), seq.clone());
        use_effect_with((state.text.clone(), layout), move |(text, layout)| {
            let text = text.clone();
            let timer = layout.map(|layout| {
                Timeout::new(DEBOUNCE_MS, move || {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    spawn_local(run_text(runner, dispatch, (layout, explain), next, text));
                })
            });
            move || drop(timer)
        });
    }
}

/// The text box's handler: every edit is the new text.
pub fn on_text_input(dispatch: &UseReducerDispatcher<State>) -> Callback<InputEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(text) = input_value(&e) {
            dispatch.dispatch(Action::SetText(text));
        }
    })
}

/// The layer and head choices that `step` uses, and the agreement badge (the walkthrough and
/// Learn's embedded steps).
pub fn step_controls(state: &UseReducerHandle<State>, step: Step, w: &Walkthrough) -> Html {
    let (n_layers, n_heads) = (
        w.layers.len(),
        w.layers.first().map_or(0, |l| l.heads.len()),
    );
    // Options are numbered from 1, as shown, so value and label agree.
    let select = |make: fn(usize) -> Action| {
        let dispatch = state.dispatcher();
        one_based_select(Callback::from(move |v| dispatch.dispatch(make(v))))
    };
    html! {
        <div class="controls">
            if step.index() >= Step::Qkv.index() {
                <label>{ t!("walk.layer") }{ " " }
                    <select data-testid="layer-select" onchange={select(Action::SetLayer)}>
                        { for (0..n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
                    </select>
                </label>
            }
            if step.index() >= Step::Scores.index() && step.index() <= Step::Context.index() {
                <label>{ t!("walk.head") }{ " " }
                    <select data-testid="head-select" onchange={select(Action::SetHead)}>
                        { for (0..n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={h == state.head}>{ h + 1 }</option> }) }
                    </select>
                </label>
            }
            <AgreementBadge agreement={w.agreement.clone()} layer={state.layer} />
        </div>
    }
}

#[component]
pub fn WalkthroughDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    // The link's unusable parts are kept by name, so their sentence follows the language.
    let link = use_link(|route| {
        let (state, mut bad) = State::from_link(route);
        let (whatif, bad_whatif) = read_what_if(route);
        bad.extend(bad_whatif);
        (state, whatif, bad)
    });
    let state = use_reducer(|| link.0.clone());
    let whatif = use_state(|| link.1.clone());
    {
        // Keep the address bar a link to exactly this view (replaceState: no history entry per keystroke).
        let mut route = state.to_link();
        write_what_if(&mut route, &whatif);
        let hash = route.to_string();
        use_permalink(Some(hash));
    }
    use_langid_runs(&state);
    {
        let dispatch = state.dispatcher();
        use_step_keys(Callback::from(move |key| {
            dispatch.dispatch(match key {
                StepKey::Next => Action::Next,
                StepKey::Prev => Action::Prev,
            })
        }));
    }

    let dispatch = state.dispatcher();
    let oninput = on_text_input(&dispatch);
    let on_step = {
        let dispatch = dispatch.clone();
        Callback::from(move |s: Step| dispatch.dispatch(Action::GoTo(s)))
    };
    let on_select = {
        let dispatch = dispatch.clone();
        Callback::from(move |c| dispatch.dispatch(Action::Select(c)))
    };
    let on_head = {
        let dispatch = dispatch.clone();
        Callback::from(move |h| dispatch.dispatch(Action::SetHead(h)))
    };

    let manifest = state.manifest.clone();
    let examples = manifest
        .as_ref()
        .map(|m| m.examples.clone())
        .unwrap_or_default();
    let walkthrough = state.walkthrough.clone();
    let step = state.step;
    // The panel's subject, made once per run so the panel reruns only for a new sentence.
    let explainable = use_memo(state.run_id, {
        let walkthrough = walkthrough.clone();
        move |_| match &walkthrough {
            Some(w) => Explainable::new(TokenVariants::from_record(&w.record), GRAPH_KEY),
            None => Err(t!("walk.empty_input").into_owned()),
        }
    });
    let explain_target = match (&walkthrough, &manifest) {
        (Some(w), Some(m)) => crate::demos::digits::argmax(&w.record.probs)
            .and_then(|i| m.labels.get(i))
            .map(|l| t!("explain.walk_target", language = language_name(l)).into_owned()),
        _ => None,
    }
    .unwrap_or_default();
    let export = Rc::new(ExportContext {
        model: manifest
            .as_ref()
            .map_or_else(|| "langid".into(), |m| m.name.clone()),
        demo: Demo::Walkthrough.slug().into(),
        input: Some(state.text.clone()),
        ..ExportContext::default()
    });

    html! {
        <div class="demo walkthrough">
            <header class="demo-head">
                <p class="tagline">{ t!("walk.tagline") }</p>
                <ModelStatusBar status={state.status.clone()} model_name={manifest.as_ref().map(|m| model_name(m))} />
            </header>

            <section class="input" aria-label={t!("walk.your_text")}>
                <label for="text">{ t!("walk.your_text") }</label>
                <textarea id="text" data-testid="text-input" rows="2" spellcheck="false"
                    value={state.text.clone()} oninput={oninput} dir="auto" />
                if !examples.is_empty() {
                    <div class="examples" aria-label={t!("walk.examples")}>
                        <span class="muted">{ t!("walk.try") }</span>
                        { for examples.iter().map(|ex| {
                            let dispatch = dispatch.clone();
                            let text = ex.clone();
                            html! { <button class="example" data-testid="example" dir="auto"
                                onclick={Callback::from(move |_| dispatch.dispatch(Action::SetText(text.clone())))}>{ ex.clone() }</button> }
                        }) }
                    </div>
                }
                if let Some(message) = link_problem(&link.2) {
                    <p class="note" data-testid="link-problem" role="status">{ message }</p>
                }
                if let Some(message) = &state.input_message {
                    <p class="note" data-testid="input-message" role="status">{ message.clone() }</p>
                }
                if let Some(w) = &walkthrough {
                    if w.record.truncated() {
                        <p class="note" data-testid="truncation-note" role="status">
                            { t!("walk.truncated", total = w.record.untruncated_len, max = w.record.seq_len()) }
                        </p>
                    }
                }
                if let Some(w) = &walkthrough {
                    if w.record.tokens.iter().any(|t| t == "[UNK]") {
                        <p class="note subtle" data-testid="unknown-note">
                            { t!("walk.unknown") }
                        </p>
                    }
                }
                if let Some(err) = &state.run_error {
                    <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
                }
                <span data-testid="run-id" data-run={state.run_id.to_string()} hidden=true></span>
            </section>

            if let Some(w) = &walkthrough {
                <TokenStrip tokens={w.record.tokens.clone()} ids={w.record.ids.clone()} />
            }

            <StepNavigator current={step} onchange={on_step} />

            if let Some(w) = walkthrough {
                { step_controls(&state, step, &w) }
                <StepView walkthrough={w.clone()} step={step} layer={state.layer} head={state.head}
                    selected={state.selected} onselect={on_select} onhead={on_head} export={Some(export.clone())} />
                if (Step::Scale.index()..=Step::Context.index()).contains(&step.index()) {
                    if let Some(source) = WhatIfSource::from_walkthrough(&w, state.layer, state.head) {
                    <WhatIfPanel source={Rc::new(source)}
                        whatif={(*whatif).clone()} onchange={{ let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) }}
                        export={Some(export.clone())} />
                    }
                }
                if step == Step::Softmax || step == Step::Context {
                    <LayerAnalysis walkthrough={w.clone()} />
                }
                if let Some(m) = &manifest {
                    <Prediction labels={m.labels.clone()} probs={w.record.probs.clone()} />
                }
                <ExplainPanel input={(*explainable).clone()} target={explain_target} open={state.explain}
                    ontoggle={{ let dispatch = dispatch.clone(); Callback::from(move |open| dispatch.dispatch(Action::SetExplain(open))) }}
                    export={Some(export.clone())} />
            } else {
                <section class="step placeholder" data-testid="step" data-step={step.id()}>
                    <h2>{ step.title() }</h2>
                    <p class="formula">{ step.formula() }</p>
                    <p class="explanation">{ step.explanation() }</p>
                </section>
            }

            <footer class="about">
                <p>{ t!("walk.footer") }</p>
                if let Some(latency) = state.latency_ms {
                    <p class="muted">{ t!("walk.latency", ms = format!("{latency:.1}")) }</p>
                }
            </footer>
        </div>
    }
}
