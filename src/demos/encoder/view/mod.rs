//! The pretrained encoder demo: all-MiniLM-L6-v2 (6 layers × 12 heads, d = 384) running in the
//! worker. Three views of its attention: every head at once (model view, with statistics), one
//! head as lines between tokens (head view), and one layer step by step from its real weights.
//!
//! The 23 MB model is downloaded only when this view opens, with a progress bar, and kept in
//! Cache Storage under a versioned URL so the next visit does not download it again.
mod attention_canvas;
mod head_stats_table;
mod model_grid;

mod state;
mod steps;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::head_stats_table::HeadStatsTable;
use self::model_grid::ModelGrid;
use self::state::{Action, EncoderState, RunResult, View};
use self::steps::{explanation, formula, title, EncoderStepView};
use crate::demos::encoder::{
    all_head_stats, attention_outputs, step_outputs, truncation_note, AttentionMaps, EncoderLayer,
    EncoderManifest, GRAPH_KEY, MODEL_DIR,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::protocol::{InputSpec, ModelError, Tensor, WorkerReply, WorkerRequest};
use crate::route::Route;
use crate::steps::Step;
use crate::ui::components::head_view::HeadView;
use crate::ui::components::what_if::{WhatIfPanel, WhatIfSource};
use crate::ui::components::{AgreementBadge, ModelStatusBar, StepNavigator, TokenStrip};
use crate::ui::fetch::fetch_text;
use crate::ui::model::ModelStatus;
use crate::ui::permalink::use_permalink;
use crate::ui::worker_client::{ask, encode, load_graph, GraphSource, Runner};
use crate::worker::AttentionWorker;

/// Wait this long after the last keystroke before running (a 256-token run takes a while).
const DEBOUNCE_MS: u32 = 150;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

fn input_specs() -> Vec<InputSpec> {
    vec![
        InputSpec::i64("input_ids", &["batch", "seq"]),
        InputSpec::i64("attention_mask", &["batch", "seq"]),
    ]
}

fn ids_inputs(ids: &[u32]) -> Vec<Tensor> {
    let n = ids.len();
    vec![
        Tensor::i64(
            "input_ids",
            vec![1, n],
            ids.iter().map(|&i| i64::from(i)).collect(),
        ),
        Tensor::i64("attention_mask", vec![1, n], vec![1; n]),
    ]
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

async fn load_model(runner: Runner, dispatch: UseReducerDispatcher<EncoderState>) {
    let started = now_ms();
    let fail = |message: String| dispatch.dispatch(Action::ModelFailed(message));
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| EncoderManifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return fail(e),
    };
    dispatch.dispatch(Action::ManifestLoaded(manifest.clone()));
    let total = manifest.onnx_bytes + manifest.tokenizer_bytes;
    dispatch.dispatch(Action::Progress { loaded: 0, total });
    let mut last_percent = 0;
    let progress = |loaded: u64, _| {
        // One re-render per percent, not per network chunk.
        let done = manifest.tokenizer_bytes + loaded;
        let percent = done * 100 / total.max(1);
        if percent != last_percent {
            last_percent = percent;
            dispatch.dispatch(Action::Progress {
                loaded: done,
                total,
            });
        }
    };
    let source = GraphSource {
        tokenizer: Some(manifest.versioned(&manifest.tokenizer)),
        cache: true,
        ..GraphSource::new(GRAPH_KEY, manifest.versioned(&manifest.onnx), input_specs())
    };
    let mut progress = progress;
    let loaded = load_graph(&runner, &source, |n| progress(n, 0)).await;
    match loaded {
        Ok(summary) => {
            let missing = attention_outputs(manifest.n_layers)
                .into_iter()
                .chain(step_outputs(manifest.n_layers.saturating_sub(1)))
                .find(|n| !summary.outputs.contains(n));
            match missing {
                Some(name) => fail(t!("encoder.error.wrong_model", name = name).into_owned()),
                None => dispatch.dispatch(Action::ModelReady {
                    load_ms: now_ms() - started,
                }),
            }
        }
        Err(e) => fail(e),
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
    let encoded = match encode(&runner, GRAPH_KEY, &text).await {
        Ok(e) => Rc::new(e),
        Err(ModelError::EmptyInput) => return dispatch.dispatch(Action::InputRejected { seq }),
        Err(e) => {
            return dispatch.dispatch(Action::RunFinished {
                seq,
                result: Err(e.to_string()),
                infer_ms: 0.0,
                since_open_ms: 0.0,
            })
        }
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
    });
    let done = now_ms();
    dispatch.dispatch(Action::RunFinished {
        seq,
        result,
        infer_ms: done - started,
        since_open_ms: done - opened_at,
    });
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
    let route = use_context::<Route>().unwrap_or_default();
    let state = use_reducer(|| EncoderState::from_route(&route));
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);
    let opened_at = use_memo((), |_| now_ms());

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_effect_with((), move |_| spawn_local(load_model(runner, dispatch)));
    }
    let ready = matches!(state.status, ModelStatus::Ready(_));
    let n_layers = state.manifest.as_ref().map_or(0, |m| m.n_layers);
    {
        // Run whenever the text changes once the model is ready, after a pause in typing.
        let (runner, dispatch, seq, opened_at) =
            (runner.clone(), state.dispatcher(), seq.clone(), *opened_at);
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
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        let wanted = (state.view == View::Steps && state.current_layer().is_none())
            .then(|| state.result.clone())
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
    {
        // Keep the link in the address bar restoring this view. replaceState: no history entry
        // per keystroke, and no hashchange (the shell would re-render for nothing).
        let hash = state.route().to_string();
        use_permalink(Some(hash));
    }

    let dispatch = state.dispatcher();
    let oninput = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                dispatch.dispatch(Action::SetText(area.value()));
            }
        })
    };
    let select_changed = |make: fn(usize) -> Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                // Options are numbered from 1, as shown.
                if let Some(v) = sel
                    .value()
                    .parse::<usize>()
                    .ok()
                    .and_then(|v| v.checked_sub(1))
                {
                    dispatch.dispatch(make(v));
                }
            }
        })
    };
    let on_pick = {
        let dispatch = dispatch.clone();
        Callback::from(move |(layer, head)| dispatch.dispatch(Action::Pick { layer, head }))
    };
    let on_sort = {
        let dispatch = dispatch.clone();
        Callback::from(move |k| dispatch.dispatch(Action::Sort(k)))
    };
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
    let on_whatif = {
        let dispatch = dispatch.clone();
        Callback::from(move |w| dispatch.dispatch(Action::SetWhatIf(w)))
    };
    let toggle = |action: fn() -> Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: Event| dispatch.dispatch(action()))
    };

    let manifest = state.manifest.clone();
    let examples = manifest
        .as_ref()
        .map(|m| m.examples.clone())
        .unwrap_or_default();
    let result = state.result.clone();
    let version = result.as_ref().map_or(0, |r| r.seq);
    let stats = {
        let result = result.clone();
        use_memo((version, state.hide_special), move |(_, hide)| {
            result.map_or_else(Vec::new, |r| all_head_stats(&r.maps, &r.tokens, *hide))
        })
    };
    let n_heads = manifest.as_ref().map_or(0, |m| m.n_heads);
    let layer_select = html! {
        <label>{ t!("encoder.layer") }{ " " }
            <select data-testid="layer-select" onchange={select_changed(Action::SetLayer)}>
                { for (0..n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
            </select>
        </label>
    };
    let head_select = html! {
        <label>{ t!("encoder.head") }{ " " }
            <select data-testid="head-select" onchange={select_changed(Action::SetHead)} disabled={state.view == View::Head && state.all_heads}>
                { for (0..n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={h == state.head}>{ h + 1 }</option> }) }
            </select>
        </label>
    };
    let special_toggle = html! {
        <label class="enc-check">
            <input type="checkbox" data-testid="special-toggle" checked={!state.hide_special}
                onchange={toggle(|| Action::ToggleSpecial)} />
            { " " }{ t!("encoder.show_special") }
        </label>
    };
    let running = state.running();
    let n_tokens = result.as_ref().map_or(0, |r| r.tokens.len());

    let view_body = match (&result, state.view) {
        (None, _) => html! {
            <p class="muted enc-waiting" data-testid="view-placeholder">{
                if ready { t!("encoder.running_first") } else { t!("encoder.views_wait") }
            }</p>
        },
        (Some(r), View::Model) => {
            let max_entropy = (visible_count(&r.tokens, state.hide_special).max(1) as f32).ln();
            html! {
                <>
                    <div class="controls">{ special_toggle.clone() }</div>
                    <ModelGrid maps={r.maps.clone()} version={version} tokens={r.tokens.clone()}
                        hide_special={state.hide_special} stats={stats.clone()}
                        selected={(state.layer, state.head)} onpick={on_pick.clone()} />
                    <HeadStatsTable stats={stats.clone()} max_entropy={max_entropy} sort={state.sort}
                        descending={state.descending} onsort={on_sort} onpick={on_pick.clone()}
                        selected={(state.layer, state.head)} words_only={state.hide_special} />
                </>
            }
        }
        (Some(r), View::Head) => html! {
            <>
                <div class="controls">
                    { layer_select.clone() }
                    { head_select.clone() }
                    <label class="enc-check">
                        <input type="checkbox" data-testid="all-heads-toggle" checked={state.all_heads}
                            onchange={toggle(|| Action::ToggleAllHeads)} />
                        { " " }{ t!("encoder.all_heads") }
                    </label>
                    { special_toggle.clone() }
                </div>
                <HeadView maps={r.maps.clone()} version={version} tokens={r.tokens.clone()} layer={state.layer}
                    head={state.head} all_heads={state.all_heads} hide_special={state.hide_special} />
            </>
        },
        (Some(r), View::Steps) => {
            let record = state.current_layer();
            html! {
                <>
                    <StepNavigator current={state.step} onchange={on_step} />
                    <div class="controls">
                        { layer_select.clone() }
                        if state.step.index() >= Step::Scores.index() && state.step.index() <= Step::Context.index() {
                            { head_select.clone() }
                        }
                        if let Some(rec) = &record {
                            <AgreementBadge agreement={rec.agreement()} layer={state.layer} />
                        }
                    </div>
                    if let Some(rec) = record {
                        <EncoderStepView record={rec.clone()} ids={Rc::new(r.encoded.ids.clone())} step={state.step}
                            head={state.head} selected={state.selected} onselect={on_select} onhead={on_head} />
                        if (Step::Scale.index()..=Step::Context.index()).contains(&state.step.index()) {
                            { what_if_panel(&rec, state.head, &state.whatif, on_whatif.clone(), &state.text) }
                        }
                    } else if let Some(err) = &state.layer_error {
                        <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
                    } else {
                        <section class="step placeholder" data-testid="step" data-step={state.step.id()} data-loading="true">
                            <h2>{ title(state.step) }</h2>
                            <p class="formula">{ formula(state.step) }</p>
                            <p class="explanation">{ explanation(state.step) }</p>
                            <p class="muted">{ t!("encoder.fetching_layer", layer = state.layer + 1) }</p>
                        </section>
                    }
                </>
            }
        }
    };

    html! {
        <div class="demo encoder" data-testid="encoder-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("encoder.tagline") }</p>
                <ModelStatusBar status={state.status.clone()} model_name={manifest.as_ref().map(|m| format!("all-MiniLM-L6-v2 ({:.1} MB)", m.onnx_bytes as f64 / 1e6))} />
            </header>

            <section class="input" aria-label={t!("encoder.your_text")}>
                <label for="enc-text">{ t!("encoder.your_text") }</label>
                <textarea id="enc-text" data-testid="text-input" rows="2" spellcheck="false"
                    value={state.text.clone()} oninput={oninput} dir="auto" />
                if !examples.is_empty() {
                    <div class="examples" aria-label={t!("encoder.examples")}>
                        <span class="muted">{ t!("encoder.try") }{ " " }</span>
                        { for examples.iter().map(|ex| {
                            let dispatch = dispatch.clone();
                            let text = ex.clone();
                            html! { <button class="example" data-testid="example" dir="auto"
                                onclick={Callback::from(move |_| dispatch.dispatch(Action::SetText(text.clone())))}>{ ex.clone() }</button> }
                        }) }
                    </div>
                }
                <p class={classes!("enc-run", running.then_some("running"))} data-testid="run-state"
                    data-state={if running { "running" } else { "idle" }} role="status" aria-live="polite">
                    { if running {
                        t!("encoder.running").into_owned()
                    } else if let (Some(ms), true) = (state.infer_ms, n_tokens > 0) {
                        t!("encoder.ran", n = n_tokens, ms = format!("{ms:.0}")).into_owned()
                    } else {
                        String::new()
                    } }
                </p>
                if let Some(message) = state.link_problem() {
                    <p class="note" data-testid="link-problem" role="status">{ message }</p>
                }
                if state.empty_input {
                    <p class="note" data-testid="input-message" role="status">{ t!("encoder.empty_input") }</p>
                }
                if let Some(note) = result.as_ref().and_then(|r| truncation_note(r.encoded.untruncated_len, r.encoded.max_len.unwrap_or(r.tokens.len()))) {
                    <p class="note" data-testid="truncation-note" role="status">{ note }</p>
                }
                if let Some(err) = &state.run_error {
                    <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
                }
                <span data-testid="run-id" data-run={state.run_id.to_string()} hidden=true></span>
                <span data-testid="timing" hidden=true
                    data-infer-ms={state.infer_ms.map(|v| format!("{v:.1}")).unwrap_or_default()}
                    data-load-ms={state.load_ms.map(|v| format!("{v:.1}")).unwrap_or_default()}
                    data-first-result-ms={state.first_result_ms.map(|v| format!("{v:.1}")).unwrap_or_default()}
                    data-tokens={n_tokens.to_string()}></span>
            </section>

            if let Some(r) = &result {
                <TokenStrip tokens={r.encoded.tokens.clone()} ids={r.encoded.ids.clone()} />
            }

            <nav class="enc-views" aria-label={t!("encoder.views")}>
                { for View::ALL.into_iter().map(|v| {
                    let dispatch = dispatch.clone();
                    let current = v == state.view;
                    html! {
                        <button class={classes!("enc-view-tab", current.then_some("current"))} data-testid="view-tab" data-view={v.id()}
                            aria-pressed={current.to_string()} onclick={Callback::from(move |_| dispatch.dispatch(Action::SetView(v)))}>
                            { v.label() }
                        </button>
                    }
                }) }
            </nav>
            <section class="enc-view" data-testid="encoder-view" data-view={state.view.id()}>
                { view_body }
            </section>

            <footer class="about">
                <p>{ t!("encoder.about") }</p>
            </footer>
        </div>
    }
}

/// The what-if panel for the chosen head, from the layer's real raw scores (this view
/// recomputes the layer from the model's weights, so it has them), or a note when the input is
/// too long for its cell-by-cell maps.
fn what_if_panel(
    rec: &EncoderLayer,
    head: usize,
    whatif: &crate::maths::WhatIf,
    onchange: Callback<crate::maths::WhatIf>,
    text: &str,
) -> Html {
    let layer = &rec.record;
    let n = rec.tokens.len();
    if n > WHAT_IF_MAX_TOKENS {
        return html! {
            <p class="note" data-testid="whatif-too-long">{ t!("encoder.whatif_too_long", n = n, max = WHAT_IF_MAX_TOKENS) }</p>
        };
    }
    let head = head.min(layer.scores.len().saturating_sub(1));
    let d_k = layer.params.d_k();
    let (Some(scores), Some(real)) = (layer.scores.get(head), layer.weights.get(head)) else {
        return html! {};
    };
    let tokens = Rc::new(rec.tokens.clone());
    let source = WhatIfSource {
        scores: scores.clone(),
        // One sentence, no padding: the model masks nothing.
        model_mask: Matrix::zeros(n, n),
        d_k,
        real: real.clone(),
        value: Some(layer.value.columns(head * d_k, (head + 1) * d_k)),
        rows: tokens.clone(),
        cols: tokens,
        layer: rec.layer,
        head,
        mask_label: t!("encoder.whatif_model_mask").into_owned(),
        from_weights: false,
    };
    let export = ExportContext {
        model: "all-MiniLM-L6-v2".into(),
        demo: crate::route::Demo::Encoder.slug().into(),
        input: Some(text.to_owned()),
        ..ExportContext::default()
    };
    html! {
        <WhatIfPanel source={Rc::new(source)} whatif={whatif.clone()} onchange={onchange}
            export={Some(Rc::new(export))} />
    }
}

/// The what-if maps draw every cell as SVG (like the step view's): longer inputs get a note.
const WHAT_IF_MAX_TOKENS: usize = 40;

fn visible_count(tokens: &[String], hide_special: bool) -> usize {
    crate::demos::encoder::visible_positions(tokens, hide_special).len()
}
