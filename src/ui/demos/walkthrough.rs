//! The step-by-step walkthrough: one attention layer of the language identifier, from tokens
//! to W_O, with every matrix from the model and an independent recomputation beside it.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use crate::export::ExportContext;
use crate::manifest::Manifest;
use crate::maths::Walkthrough;
use crate::protocol::{ModelError, WorkerReply, WorkerRequest};
use crate::route::{link_problem, read_what_if, write_what_if, Demo};
use crate::steps::Step;
use crate::ui::components::{
    AgreementBadge, LayerAnalysis, ModelStatusBar, Prediction, StepNavigator, StepView, TokenStrip,
    WhatIfPanel, WhatIfSource,
};
use crate::ui::fetch::{fetch_bytes, fetch_text};
use crate::ui::permalink::use_permalink;
use crate::ui::state::{Action, ModelStatus, State};
use crate::ui::worker_client::{ask, LOAD_TIMEOUT_MS, RUN_TIMEOUT_MS};
use crate::worker::AttentionWorker;

/// Where the model lives, relative to the page so the site works under a sub-path.
const MODEL_DIR: &str = "models/langid/";
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

async fn load_model(
    runner: UseOneshotRunnerHandle<AttentionWorker>,
    dispatch: UseReducerDispatcher<State>,
) {
    let fail = |message: String| dispatch.dispatch(Action::ModelFailed(message));
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| Manifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return fail(e),
    };
    dispatch.dispatch(Action::ManifestLoaded(manifest.clone()));
    let total = manifest.onnx_bytes + manifest.tokenizer_bytes;
    let tokenizer_url = format!("{MODEL_DIR}{}", manifest.tokenizer);
    let tokenizer = match fetch_bytes(&tokenizer_url, |_| ()).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let done = tokenizer.len() as u64;
    let onnx_url = format!("{MODEL_DIR}{}", manifest.onnx);
    let onnx = match fetch_bytes(&onnx_url, |loaded| {
        dispatch.dispatch(Action::Progress {
            loaded: done + loaded,
            total,
        })
    })
    .await
    {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    if onnx.len() as u64 != manifest.onnx_bytes {
        return fail(
            t!(
                "error.damaged_file",
                url = onnx_url,
                got = onnx.len(),
                expected = manifest.onnx_bytes
            )
            .into_owned(),
        );
    }
    match ask(
        &runner,
        WorkerRequest::Load { onnx, tokenizer },
        LOAD_TIMEOUT_MS,
    )
    .await
    {
        Ok(WorkerReply::Loaded(summary)) => dispatch.dispatch(Action::ModelReady(summary)),
        Ok(_) => fail(t!("error.unexpected_answer").into_owned()),
        Err(e) => fail(e.to_string()),
    }
}

async fn run_text(
    runner: UseOneshotRunnerHandle<AttentionWorker>,
    dispatch: UseReducerDispatcher<State>,
    seq: u64,
    text: String,
) {
    let started = now_ms();
    let result = match ask(&runner, WorkerRequest::Run { text }, RUN_TIMEOUT_MS).await {
        Ok(WorkerReply::Ran(record)) => Walkthrough::new(*record)
            .map(Rc::new)
            .map_err(|e| t!("error.bad_outputs", detail = e).into_owned()),
        Ok(_) => Err(t!("error.unexpected_answer").into_owned()),
        Err(ModelError::EmptyInput) => {
            return dispatch.dispatch(Action::InputRejected {
                seq,
                message: t!("walk.empty_input").into_owned(),
            })
        }
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::RunFinished {
        seq,
        result,
        latency_ms: now_ms() - started,
    });
}

/// Keys meant for a text field, a select, or a control that handled them itself (the focused
/// score map's arrows) do not move between steps.
fn is_typing_target(event: &KeyboardEvent) -> bool {
    event.default_prevented()
        || event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"))
}

#[component]
pub fn WalkthroughDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let route = use_context::<crate::route::Route>().unwrap_or_default();
    // The link's unusable parts are kept by name, so their sentence follows the language.
    let link = use_memo((), |_| {
        let (state, mut bad) = State::from_link(&route);
        let (whatif, bad_whatif) = read_what_if(&route);
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
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_effect_with((), move |_| spawn_local(load_model(runner, dispatch)));
    }
    {
        // Run whenever the text changes once the model is ready, after a short pause in typing.
        let ready = matches!(state.status, ModelStatus::Ready(_));
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
                    spawn_local(run_text(runner, dispatch, next, text));
                })
            });
            move || drop(timer)
        });
    }
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::document(), "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if is_typing_target(e) || e.alt_key() || e.ctrl_key() || e.meta_key() {
                    return;
                }
                match e.key().as_str() {
                    "ArrowRight" => dispatch.dispatch(Action::Next),
                    "ArrowLeft" => dispatch.dispatch(Action::Prev),
                    _ => {}
                }
            });
            move || drop(listener)
        });
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
    let select_changed = |make: fn(usize) -> Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                // Options are numbered from 1, as shown, so value and label agree.
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

    let manifest = state.manifest.clone();
    let examples = manifest
        .as_ref()
        .map(|m| m.examples.clone())
        .unwrap_or_default();
    let walkthrough = state.walkthrough.clone();
    let (n_layers, n_heads) = walkthrough.as_ref().map_or((0, 0), |w| {
        (
            w.layers.len(),
            w.layers.first().map_or(0, |l| l.heads.len()),
        )
    });
    let step = state.step;
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
                <div class="controls">
                    if step.index() >= Step::Qkv.index() {
                        <label>{ t!("walk.layer") }{ " " }
                            <select data-testid="layer-select" onchange={select_changed(Action::SetLayer)}>
                                { for (0..n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
                            </select>
                        </label>
                    }
                    if step.index() >= Step::Scores.index() && step.index() <= Step::Context.index() {
                        <label>{ t!("walk.head") }{ " " }
                            <select data-testid="head-select" onchange={select_changed(Action::SetHead)}>
                                { for (0..n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={h == state.head}>{ h + 1 }</option> }) }
                            </select>
                        </label>
                    }
                    <AgreementBadge agreement={w.agreement.clone()} layer={state.layer} />
                </div>
                <StepView walkthrough={w.clone()} step={step} layer={state.layer} head={state.head}
                    selected={state.selected} onselect={on_select} onhead={on_head} export={Some(export.clone())} />
                if (Step::Scale.index()..=Step::Context.index()).contains(&step.index()) {
                    if let Some(source) = WhatIfSource::from_walkthrough(&w, state.layer, state.head) {
                    <WhatIfPanel source={Rc::new(source)}
                        whatif={(*whatif).clone()} onchange={{ let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) }}
                        export={Some(export)} />
                    }
                }
                if step == Step::Softmax || step == Step::Context {
                    <LayerAnalysis walkthrough={w.clone()} />
                }
                if let Some(m) = &manifest {
                    <Prediction labels={m.labels.clone()} probs={w.record.probs.clone()} />
                }
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
