//! The pretrained encoder demo: all-MiniLM-L6-v2 (6 layers × 12 heads, d = 384) running in the
//! worker. Three views of its attention: every head at once (model view, with statistics), one
//! head as lines between tokens (head view), and one layer step by step from its real weights.
//!
//! The 23 MB model is downloaded only when this view opens, with a progress bar, and kept in
//! Cache Storage under a versioned URL so the next visit does not download it again.
mod controls;
mod head_tab;
mod model_tab;
mod run_status;
mod state;
mod steps;
mod steps_tab;
mod text_input;
mod view_tabs;
mod what_if;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::head_tab::{head_tab, HeadTabProps};
use self::model_tab::ModelTab;
use self::run_status::{run_status, RunStatusProps};
use self::state::{Action, EncoderState, RunFailure, RunResult, View};
use self::steps_tab::StepsTab;
use self::text_input::{text_input, TextInputProps};
use self::view_tabs::{view_tabs, ViewTabsProps};
use crate::demos::encoder::{
    attention_outputs, ids_inputs, input_specs, missing_output, step_outputs, truncation_note,
    AttentionMaps, EncoderLayer, EncoderManifest, GRAPH_KEY, MODEL_DIR,
};
use crate::protocol::{ModelError, Tensor, WorkerReply, WorkerRequest};
use crate::ui::components::{ModelStatusBar, TokenStrip};
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::worker_client::{ask, encode, GraphSource, Runner};
use crate::worker::AttentionWorker;

/// Wait this long after the last keystroke before running (a 256-token run takes a while).
const DEBOUNCE_MS: u32 = 150;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

impl DemoManifest for EncoderManifest {
    fn parse(json: &str) -> Result<Self, String> {
        EncoderManifest::parse(json)
    }

    /// Both files under versioned URLs ([`EncoderManifest::versioned`], in [`MODEL_DIR`]: the
    /// folder this view loads from), kept in Cache Storage, and checked against the manifest's
    /// sizes.
    fn graphs(&self, _dir: &str) -> Vec<GraphSource> {
        vec![GraphSource {
            onnx_bytes: Some(self.onnx_bytes),
            tokenizer: Some(self.versioned(&self.tokenizer)),
            tokenizer_bytes: Some(self.tokenizer_bytes),
            cache: true,
            ..GraphSource::new(GRAPH_KEY, self.versioned(&self.onnx), input_specs())
        }]
    }
}

/// A 256-token run with every layer's attention takes seconds on a slow phone: allow two minutes
/// before calling the worker dead (the shared default is 20 s).
const INFER_TIMEOUT_MS: u32 = 120_000;

/// Runs the graph, asking only for `outputs` (the messages stay small).
async fn infer(
    runner: &Runner,
    inputs: Vec<Tensor>,
    outputs: Vec<String>,
) -> Result<Vec<Tensor>, ModelError> {
    let request = WorkerRequest::Infer {
        key: GRAPH_KEY.to_owned(),
        inputs,
        outputs: Some(outputs),
    };
    match ask(runner, request, INFER_TIMEOUT_MS).await? {
        WorkerReply::Inferred(t) => Ok(t),
        _ => Err(ModelError::Inference(
            t!("encoder.error.unexpected_reply").into_owned(),
        )),
    }
}

async fn run_text(
    runner: Runner,
    dispatch: UseReducerDispatcher<EncoderState>,
    seq: u64,
    text: String,
    n_layers: usize,
    opened_at: f64,
) {
    dispatch.dispatch(Action::Requested(seq));
    let started = now_ms();
    let finish = |result, infer_ms, since_open_ms| {
        dispatch.dispatch(Action::RunFinished {
            seq,
            result,
            infer_ms,
            since_open_ms,
        })
    };
    let encoded = match encode(&runner, GRAPH_KEY, &text).await {
        Ok(e) => Rc::new(e),
        Err(ModelError::EmptyInput) => return finish(Err(RunFailure::EmptyInput), 0.0, 0.0),
        Err(e) => return finish(Err(RunFailure::Failed(e.to_string())), 0.0, 0.0),
    };
    let result = infer(
        &runner,
        ids_inputs(&encoded.ids),
        attention_outputs(n_layers),
    )
    .await
    .map_err(|e| e.to_string())
    .and_then(|out| AttentionMaps::from_tensors(&out, n_layers))
    .and_then(|maps| {
        if maps.seq_len == encoded.tokens.len() {
            Ok(maps)
        } else {
            Err(t!("encoder.error.token_count").into_owned())
        }
    })
    .map(|maps| RunResult {
        seq,
        tokens: Rc::new(encoded.tokens.clone()),
        encoded: encoded.clone(),
        maps: Rc::new(maps),
    })
    .map_err(RunFailure::Failed);
    let done = now_ms();
    finish(result, done - started, done - opened_at);
}

async fn run_layer(
    runner: Runner,
    dispatch: UseReducerDispatcher<EncoderState>,
    seq: u64,
    ids: Vec<u32>,
    tokens: Vec<String>,
    layer: usize,
) {
    let result = infer(&runner, ids_inputs(&ids), step_outputs(layer))
        .await
        .map_err(|e| e.to_string())
        .and_then(|out| EncoderLayer::from_tensors(&out, layer, tokens))
        .map(Rc::new);
    dispatch.dispatch(Action::LayerFinished { seq, result });
}

#[component]
pub fn EncoderDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(EncoderState::from_route);
    let state = use_reducer(|| (*link).clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);
    let opened_at = *use_memo((), |_| now_ms());

    {
        let dispatch = state.dispatcher();
        use_model::<EncoderManifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => dispatch.dispatch(Action::ManifestLoaded(m)),
                ModelEvent::Progress { loaded, total } => {
                    dispatch.dispatch(Action::Progress { loaded, total })
                }
                // A graph without every output the views ask for is not this model.
                ModelEvent::Loaded(m, graphs) => {
                    let outputs = graphs.first().map_or(&[][..], |g| &g.outputs[..]);
                    dispatch.dispatch(match missing_output(m.n_layers, outputs) {
                        Some(name) => Action::ModelFailed(
                            t!("encoder.error.wrong_model", name = name).into_owned(),
                        ),
                        None => Action::ModelReady {
                            load_ms: now_ms() - opened_at,
                        },
                    })
                }
                ModelEvent::Failed(e) => dispatch.dispatch(Action::ModelFailed(e)),
            }),
        );
    }
    let ready = state.status.is_ready();
    let n_layers = state.manifest.as_ref().map_or(0, |m| m.n_layers);
    let n_heads = state.manifest.as_ref().map_or(0, |m| m.n_heads);
    {
        // Run whenever the text changes once the model is ready, after a pause in typing.
        let (runner, dispatch, seq) = (runner.clone(), state.dispatcher(), seq.clone());
        use_effect_with((state.text.clone(), ready), move |(text, ready)| {
            let text = text.clone();
            let timer = ready.then(|| {
                Timeout::new(DEBOUNCE_MS, move || {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    spawn_local(run_text(runner, dispatch, next, text, n_layers, opened_at));
                })
            });
            move || drop(timer)
        });
    }
    {
        // The step view needs one layer's tensors and weights: ask when it is shown.
        let dispatch = state.dispatcher();
        let wanted = (state.view == View::Steps && state.current_layer().is_none())
            .then(|| state.result().cloned())
            .flatten()
            .map(|r| (r.seq, state.layer, r.encoded.clone()));
        let key = wanted.as_ref().map(|(s, l, _)| (*s, *l));
        use_effect_with(key, move |_| {
            if let Some((seq, layer, encoded)) = wanted {
                spawn_local(run_layer(
                    runner,
                    dispatch,
                    seq,
                    encoded.ids.clone(),
                    encoded.tokens.clone(),
                    layer,
                ));
            }
        });
    }
    // Keep the link in the address bar restoring this view.
    use_permalink(Some(state.route().to_string()));

    let dispatch = state.dispatcher();
    let manifest = state.manifest.clone();
    let examples = Rc::new(
        manifest
            .as_ref()
            .map(|m| m.examples.clone())
            .unwrap_or_default(),
    );
    let result = state.result().cloned();
    let n_tokens = result.as_ref().map_or(0, |r| r.tokens.len());
    let truncation = result.as_ref().and_then(|r| {
        truncation_note(
            r.encoded.untruncated_len,
            r.encoded.max_len.unwrap_or(r.tokens.len()),
        )
    });

    let view_body = match (result.clone(), state.view) {
        (None, _) => html! {
            <p class="muted enc-waiting" data-testid="view-placeholder">{
                if ready { t!("encoder.running_first") } else { t!("encoder.views_wait") }
            }</p>
        },
        (Some(run), View::Model) => html! {
            <ModelTab run={run} hide_special={state.hide_special} selected={(state.layer, state.head)}
                sort={state.sort} descending={state.descending} dispatch={dispatch.clone()} />
        },
        (Some(run), View::Head) => html! {
            { head_tab(&HeadTabProps { run, n_layers, n_heads, layer: state.layer, head: state.head,
                all_heads: state.all_heads, hide_special: state.hide_special, dispatch: dispatch.clone() }) }
        },
        (Some(run), View::Steps) => html! {
            <StepsTab run={run} record={state.current_layer()} layer_error={state.layer_error.clone()}
                n_layers={n_layers} n_heads={n_heads} step={state.step} layer={state.layer} head={state.head}
                selected={state.selected} whatif={state.whatif.clone()} text={state.text.clone()}
                dispatch={dispatch.clone()} />
        },
    };

    html! {
        <div class="demo encoder" data-testid="encoder-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("encoder.tagline") }</p>
                <ModelStatusBar status={state.status.clone()} model_name={manifest.as_ref().map(|m| format!("all-MiniLM-L6-v2 ({:.1} MB)", m.onnx_bytes as f64 / 1e6))} />
            </header>

            <section class="input" aria-label={t!("encoder.your_text")}>
                { text_input(&TextInputProps { text: state.text.clone(), examples, dispatch: dispatch.clone() }) }
                { run_status(&RunStatusProps { running: state.running(), n_tokens, infer_ms: state.infer_ms,
                    load_ms: state.load_ms, first_result_ms: state.first_result_ms,
                    link_problem: state.link_problem(), empty_input: state.empty_input(),
                    truncation, error: state.run_error().map(str::to_owned),
                    run_id: state.run.runs }) }
            </section>

            if let Some(r) = &result {
                <TokenStrip tokens={r.encoded.tokens.clone()} ids={r.encoded.ids.clone()} />
            }

            { view_tabs(&ViewTabsProps { current: state.view, dispatch: dispatch.clone() }) }
            <section class="enc-view" data-testid="encoder-view" data-view={state.view.id()}>
                { view_body }
            </section>

            <footer class="about">
                <p>{ t!("encoder.about") }</p>
            </footer>
        </div>
    }
}
