//! The translation demo: an English sentence translated into French one token at a time by a
//! small encoder–decoder transformer running in the worker. At every step: the cross-attention
//! (alignment) over the source tokens, the decoder's causal self-attention, the five most
//! likely next tokens and the chosen one. Step forward/back, play/pause, translate all.
//!
//! The decoding loop itself (what goes in, what comes out, when it stops) is
//! [`crate::demos::translate`]; this file only drives it one worker request at a time and draws it.
mod attention_grid;
mod top_candidates;

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::attention_grid::{AttentionGrid, GridHover};
use self::top_candidates::TopCandidates;
use crate::demos::translate::analysis::{layer_shifts, step_shifts};
use crate::demos::translate::link::TranslateLink;
use crate::demos::translate::{
    average, decoder_inputs, decoder_outputs, decoder_specs, detokenize, display_token,
    encoder_inputs, encoder_specs, starts_word, truncation_note, vocab_from_tokenizer_json,
    Decoding, Step, Stop, TranslateManifest, View, DECODER_KEY, ENCODER_KEY, MEMORY, MODEL_DIR,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::protocol::{Encoded, ModelError, Tensor};
use crate::route::{link_problem, Demo, Route};
use crate::ui::components::heatmap::{color, ColorScale};
use crate::ui::components::{ModelStatusBar, WhatIfPanel, WhatIfSource};
use crate::ui::fetch::{fetch_bytes_cached, fetch_text};
use crate::ui::model::ModelStatus;
use crate::ui::permalink::use_permalink;
use crate::ui::worker_client::{encode, infer, load_graph, GraphSource, Runner};
use crate::worker::AttentionWorker;

mod shift_view;
use shift_view::StepShiftView;

/// Pause between steps while playing.
const PLAY_MS: u32 = 450;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Who is driving the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Waiting for the user.
    Idle,
    /// One step was asked for.
    Single,
    /// A step every `PLAY_MS`.
    Play,
    /// Every remaining step, as fast as the model goes.
    All,
    /// Opening a link: every step up to this many, then wait.
    Restore(usize),
}

/// The tokenized source and the encoder's output for it.
#[derive(Debug, Clone, PartialEq)]
struct Source {
    text: String,
    encoded: Encoded,
    memory: Rc<Tensor>,
}

/// What the pointer is over: a target token (a decoding step) or a source token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hover {
    Target(usize),
    Source(usize),
}

#[derive(Debug, Clone, PartialEq)]
struct TrState {
    status: ModelStatus,
    manifest: Option<Rc<TranslateManifest>>,
    vocab: Option<Rc<Vec<String>>>,
    text: String,
    /// Bumped by every new translation; late answers for an older one are dropped.
    run: u64,
    source: Option<Rc<Source>>,
    decoding: Option<Rc<Decoding>>,
    /// How many steps are shown (≤ steps computed).
    shown: usize,
    mode: Mode,
    busy: bool,
    layer: usize,
    head: Option<usize>,
    hover: Option<Hover>,
    error: Option<String>,
    message: Option<Message>,
    encode_ms: Option<f64>,
    step_ms: Vec<f64>,
    /// The link the page was opened with, until the manifest says what it may hold.
    link: Option<TranslateLink>,
    /// The step the link asks for, until the first translation reaches it.
    pending_step: Option<usize>,
    /// Link parameters that could not be used (named on the page).
    link_bad: Vec<&'static str>,
}

/// A note about the input, kept as a value so it is worded in the current language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Message {
    EmptyInput,
}

impl TrState {
    fn from_link(link: &TranslateLink) -> Self {
        Self {
            status: ModelStatus::Loading {
                loaded: 0,
                total: 0,
            },
            manifest: None,
            vocab: None,
            text: link.text.clone().unwrap_or_default(),
            run: 0,
            source: None,
            decoding: None,
            shown: 0,
            mode: Mode::Idle,
            busy: false,
            layer: 0,
            head: None,
            hover: None,
            error: None,
            message: None,
            encode_ms: None,
            step_ms: Vec::new(),
            link: Some(link.clone()),
            pending_step: None,
            link_bad: link.bad.clone(),
        }
    }

    /// Whether the view on screen is the one to keep in the address bar (not while the link
    /// the page was opened with is still being restored).
    fn settled(&self) -> bool {
        self.manifest.is_some()
            && self.link.is_none()
            && self.pending_step.is_none()
            && !matches!(self.mode, Mode::Restore(_))
    }
}

enum Action {
    Manifest(Rc<TranslateManifest>),
    Vocab(Rc<Vec<String>>),
    Progress(u64, u64),
    Ready,
    LoadFailed(String),
    SetText(String),
    /// Translation number `run` of the current text begins (numbers only grow).
    Begin(u64),
    Encoded {
        run: u64,
        result: Result<Rc<Source>, String>,
        ms: f64,
    },
    Rejected {
        run: u64,
        message: Message,
    },
    StepStarted,
    StepDone {
        run: u64,
        result: Result<Step, String>,
        ms: f64,
    },
    Forward,
    Back,
    TogglePlay,
    All,
    /// Playing: show the next already computed step.
    Tick,
    SetLayer(usize),
    SetHead(Option<usize>),
    Hover(Option<Hover>),
}

impl Reducible for TrState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let computed = s.decoding.as_ref().map_or(0, |d| d.steps().len());
        let finished = s.decoding.as_ref().is_some_and(|d| d.finished());
        match action {
            Action::Manifest(m) => {
                s.layer = m.n_dec_layers.saturating_sub(1);
                if let Some(mut link) = s.link.take() {
                    link.bad.clear();
                    link.fit(m.n_dec_layers, m.n_heads, m.max_new_tokens);
                    s.link_bad.extend(link.bad);
                    if let Some(l) = link.layer {
                        s.layer = l;
                    }
                    s.head = link.head;
                    s.pending_step = link.step;
                }
                s.manifest = Some(m);
            }
            Action::Vocab(v) => s.vocab = Some(v),
            Action::Progress(loaded, total) => {
                if matches!(s.status, ModelStatus::Loading { .. }) {
                    s.status = ModelStatus::Loading { loaded, total };
                }
            }
            Action::Ready => {
                if let Some(m) = &s.manifest {
                    s.status = ModelStatus::Ready(crate::ui::model::ModelSummary {
                        n_layers: m.n_dec_layers,
                        n_heads: m.n_heads,
                        d_model: m.d_model,
                        max_len: m.max_src,
                    });
                }
            }
            Action::LoadFailed(e) => s.status = ModelStatus::Failed(e),
            Action::SetText(t) => s.text = t,
            Action::Begin(run) => {
                s.run = run;
                s.busy = true;
                s.mode = Mode::Idle;
                s.error = None;
                s.message = None;
                s.hover = None;
                s.step_ms.clear();
                s.encode_ms = None;
            }
            Action::Encoded { run, result, ms } => {
                if run != s.run {
                    return self;
                }
                s.busy = false;
                // The link's step applies to the translation the link started, the first one.
                let target = s.pending_step.take();
                match result {
                    Ok(src) => {
                        if let Some(m) = &s.manifest {
                            s.decoding =
                                Some(Rc::new(Decoding::new(m.dims(), src.encoded.ids.len())));
                            s.source = Some(src);
                            s.shown = 0;
                            s.mode = match target {
                                Some(0) => Mode::Idle,
                                Some(n) => Mode::Restore(n),
                                None => Mode::Play,
                            };
                            s.encode_ms = Some(ms);
                        }
                    }
                    Err(e) => s.error = Some(e),
                }
            }
            Action::Rejected { run, message } => {
                if run != s.run {
                    return self;
                }
                s.pending_step = None;
                s.busy = false;
                s.message = Some(message);
            }
            Action::StepStarted => s.busy = true,
            Action::StepDone { run, result, ms } => {
                if run != s.run {
                    return self;
                }
                s.busy = false;
                let pushed = match (result, s.decoding.as_mut()) {
                    (Ok(step), Some(d)) => Rc::make_mut(d).push(step),
                    (Ok(_), None) => Err(t!("translate.no_translation").into_owned()),
                    (Err(e), _) => Err(e),
                };
                match pushed {
                    Ok(()) => {
                        s.step_ms.push(ms);
                        let computed = s.decoding.as_ref().map_or(0, |d| d.steps().len());
                        s.shown = computed;
                        let done = s.decoding.as_ref().is_some_and(|d| d.finished());
                        if let Mode::Restore(n) = s.mode {
                            if computed >= n || done {
                                s.shown = n.min(computed);
                                s.mode = Mode::Idle;
                                if computed < n {
                                    // The translation ended before the link's step.
                                    s.link_bad.push("step");
                                }
                            }
                        } else if s.mode == Mode::Single || done {
                            s.mode = Mode::Idle;
                        }
                    }
                    Err(e) => {
                        s.error = Some(e);
                        s.mode = Mode::Idle;
                    }
                }
            }
            Action::Forward => {
                if s.shown < computed {
                    s.shown += 1;
                    s.mode = Mode::Idle;
                } else if !finished && s.decoding.is_some() {
                    s.mode = Mode::Single;
                }
            }
            Action::Back => {
                s.shown = s.shown.saturating_sub(1);
                s.mode = Mode::Idle;
            }
            Action::TogglePlay => {
                s.mode = if s.mode == Mode::Play {
                    Mode::Idle
                } else if finished && s.shown >= computed {
                    // replay from the start
                    s.shown = 0;
                    Mode::Play
                } else {
                    Mode::Play
                };
            }
            Action::All => {
                s.shown = computed;
                s.mode = if finished { Mode::Idle } else { Mode::All };
            }
            Action::Tick => {
                if s.mode == Mode::Play && s.shown < computed {
                    s.shown += 1;
                    if finished && s.shown == computed {
                        s.mode = Mode::Idle;
                    }
                }
            }
            Action::SetLayer(l) => s.layer = l,
            Action::SetHead(h) => s.head = h,
            Action::Hover(h) => s.hover = h,
        }
        Rc::new(s)
    }
}

async fn load_model(runner: Runner, dispatch: UseReducerDispatcher<TrState>) {
    let fail = |m: String| dispatch.dispatch(Action::LoadFailed(m));
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| TranslateManifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return fail(e),
    };
    dispatch.dispatch(Action::Manifest(manifest.clone()));
    let total = manifest.download_bytes();
    let tok_url = manifest.url(&manifest.tokenizer);
    let tokenizer = match fetch_bytes_cached(&tok_url, |_| ()).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    match std::str::from_utf8(&tokenizer)
        .map_err(|e| e.to_string())
        .and_then(vocab_from_tokenizer_json)
    {
        Ok(v) if v.len() == manifest.vocab_size => dispatch.dispatch(Action::Vocab(Rc::new(v))),
        Ok(v) => {
            return fail(
                t!(
                    "translate.tokenizer_mismatch",
                    n = v.len(),
                    expected = manifest.vocab_size
                )
                .into_owned(),
            )
        }
        Err(e) => return fail(e),
    }
    let mut done = tokenizer.len() as u64;
    let enc_bytes = manifest.files.get(&manifest.encoder).map_or(0, |f| f.bytes);
    let source = GraphSource {
        tokenizer: Some(tok_url.clone()),
        cache: true,
        ..GraphSource::new(
            ENCODER_KEY,
            manifest.url(&manifest.encoder),
            encoder_specs(),
        )
    };
    let enc = load_graph(&runner, &source, |loaded| {
        dispatch.dispatch(Action::Progress(done + loaded, total))
    })
    .await;
    if let Err(e) = enc {
        return fail(e);
    }
    done += enc_bytes;
    let source = GraphSource {
        cache: true,
        ..GraphSource::new(
            DECODER_KEY,
            manifest.url(&manifest.decoder),
            decoder_specs(manifest.d_model),
        )
    };
    let dec = load_graph(&runner, &source, |loaded| {
        dispatch.dispatch(Action::Progress(done + loaded, total))
    })
    .await;
    match dec {
        Ok(_) => dispatch.dispatch(Action::Ready),
        Err(e) => fail(e),
    }
}

/// Tokenizes `text` and runs the encoder.
async fn start(runner: Runner, dispatch: UseReducerDispatcher<TrState>, run: u64, text: String) {
    let t0 = now_ms();
    let enc_res = encode(&runner, ENCODER_KEY, &text).await;
    let encoded = match enc_res {
        Ok(e) => e,
        Err(ModelError::EmptyInput) => {
            return dispatch.dispatch(Action::Rejected {
                run,
                message: Message::EmptyInput,
            })
        }
        Err(e) => {
            return dispatch.dispatch(Action::Encoded {
                run,
                result: Err(e.to_string()),
                ms: 0.0,
            })
        }
    };
    let result = match infer(
        &runner,
        ENCODER_KEY,
        encoder_inputs(&encoded.ids),
        Some(vec![MEMORY.to_owned()]),
    )
    .await
    {
        Ok(out) => match Tensor::find(&out, MEMORY) {
            Some(m) => Ok(Rc::new(Source {
                text,
                encoded,
                memory: Rc::new(m.clone()),
            })),
            None => Err(t!("translate.no_memory").into_owned()),
        },
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::Encoded {
        run,
        result,
        ms: now_ms() - t0,
    });
}

/// Runs the decoder once on the current prefix.
async fn step(
    runner: Runner,
    dispatch: UseReducerDispatcher<TrState>,
    run: u64,
    decoding: Rc<Decoding>,
    memory: Rc<Tensor>,
) {
    let t0 = now_ms();
    let prefix = decoding.prefix();
    let dims = *decoding.dims();
    let result = match decoder_inputs(&prefix, &memory, dims.vocab) {
        Ok(inputs) => infer(
            &runner,
            DECODER_KEY,
            inputs,
            Some(decoder_outputs(dims.n_layers)),
        )
        .await
        .map_err(|e| e.to_string())
        .and_then(|out| Step::from_outputs(&out, &dims, prefix.len(), decoding.src_len())),
        Err(e) => Err(e),
    };
    dispatch.dispatch(Action::StepDone {
        run,
        result,
        ms: now_ms() - t0,
    });
}

fn is_typing_target(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"))
}

fn token_label(vocab: Option<&Rc<Vec<String>>>, id: u32) -> String {
    vocab
        .and_then(|v| v.get(id as usize))
        .map_or_else(|| format!("#{id}"), |t| t.clone())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// A strip of token chips; each chip is tinted by `weights` (if any) and reports hovers.
fn chips(
    tokens: &[String],
    weights: Option<&[f32]>,
    testid: &'static str,
    make: fn(usize) -> Hover,
    hovered: Option<usize>,
    current: Option<usize>,
    dispatch: &UseReducerDispatcher<TrState>,
) -> Html {
    let max = weights
        .map(|w| w.iter().copied().fold(0.0_f32, f32::max))
        .filter(|m| *m > 0.0);
    html! {
        { for tokens.iter().enumerate().map(|(i, t)| {
            let w = weights.and_then(|w| w.get(i).copied());
            let style = match (w, max) {
                (Some(w), Some(m)) => format!("background:{};color:{}", color(ColorScale::Weights, w / m, 1.0), if w / m > 0.5 { "#fff" } else { "#111" }),
                _ => String::new(),
            };
            let enter = { let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Action::Hover(Some(make(i))))) };
            let leave = { let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Action::Hover(None))) };
            let click = { let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Action::Hover(Some(make(i))))) };
            let title = match w { Some(w) => t!("translate.chip_title", token = t, weight = format!("{w:.3}")).into_owned(), None => t.clone() };
            html! {
                <li class={classes!("tr-chip", starts_word(t).then_some("tr-word"), (hovered == Some(i)).then_some("tr-hovered"), (current == Some(i)).then_some("tr-current-chip"))}
                    data-testid={testid} data-index={i.to_string()} data-weight={w.map(|w| format!("{w:.4}"))}
                    style={style} title={title} onmouseenter={enter} onmouseleave={leave} onclick={click} dir="auto">
                    { display_token(t) }
                </li>
            }
        }) }
    }
}

#[component]
pub fn TranslateDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let route = use_context::<Route>().unwrap_or_else(|| Route::of(Demo::Translate));
    let link = use_memo((), |_| TranslateLink::read(&route));
    let state = use_reducer(|| TrState::from_link(&link));
    let runner = use_oneshot_runner::<AttentionWorker>();
    let dispatch = state.dispatcher();
    let whatif = use_state(|| link.whatif.clone());

    {
        let (runner, dispatch) = (runner.clone(), dispatch.clone());
        use_effect_with((), move |_| spawn_local(load_model(runner, dispatch)));
    }
    let ready = matches!(state.status, ModelStatus::Ready(_));
    // Run numbers come from a counter, not from `state`: a callback kept by an effect holds the
    // state of the render that made it, and a stale number would make the reducer drop the result.
    let runs = use_mut_ref(|| 0u64);
    let begin = {
        let (runner, dispatch, runs) = (runner.clone(), dispatch.clone(), runs.clone());
        Callback::from(move |text: String| {
            let run = {
                let mut r = runs.borrow_mut();
                *r += 1;
                *r
            };
            dispatch.dispatch(Action::SetText(text.clone()));
            dispatch.dispatch(Action::Begin(run));
            spawn_local(start(runner.clone(), dispatch.clone(), run, text));
        })
    };
    {
        // A link with ?text= translates as soon as the model is ready.
        let (begin, text) = (begin.clone(), state.text.clone());
        use_effect_with(ready, move |ready| {
            if *ready && !text.trim().is_empty() {
                begin.emit(text);
            }
        });
    }
    {
        // Drive the decoder: one step for Single/All, a timed step for Play.
        let computed = state.decoding.as_ref().map_or(0, |d| d.steps().len());
        let finished = state.decoding.as_ref().is_some_and(|d| d.finished());
        let deps = (
            state.mode,
            state.busy,
            state.shown,
            computed,
            finished,
            state.run,
        );
        let (runner, dispatch, state) = (runner.clone(), dispatch.clone(), state.clone());
        use_effect_with(
            deps,
            move |&(mode, busy, shown, computed, finished, run)| {
                let mut timer = None;
                let go = {
                    let dispatch = dispatch.clone();
                    move || {
                        if let (Some(d), Some(src)) = (state.decoding.clone(), state.source.clone())
                        {
                            dispatch.dispatch(Action::StepStarted);
                            spawn_local(step(runner, dispatch, run, d, src.memory.clone()));
                        }
                    }
                };
                if !busy {
                    match mode {
                        Mode::Single | Mode::All | Mode::Restore(_)
                            if shown >= computed && !finished =>
                        {
                            go()
                        }
                        Mode::Play if shown < computed => {
                            let d = dispatch.clone();
                            timer = Some(Timeout::new(PLAY_MS, move || d.dispatch(Action::Tick)));
                        }
                        Mode::Play if !finished => {
                            timer = Some(Timeout::new(PLAY_MS, go));
                        }
                        _ => {}
                    }
                }
                move || drop(timer)
            },
        );
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::document(), "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if is_typing_target(e) || e.alt_key() || e.ctrl_key() || e.meta_key() {
                    return;
                }
                match e.key().as_str() {
                    "ArrowRight" => dispatch.dispatch(Action::Forward),
                    "ArrowLeft" => dispatch.dispatch(Action::Back),
                    _ => {}
                }
            });
            move || drop(listener)
        });
    }

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
    let onkeydown = {
        let (begin, text) = (begin.clone(), state.text.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() {
                e.prevent_default();
                if ready {
                    begin.emit(text.clone());
                }
            }
        })
    };
    let onsubmit = {
        let (begin, text) = (begin.clone(), state.text.clone());
        Callback::from(move |_: MouseEvent| begin.emit(text.clone()))
    };
    let act = |a: fn() -> Action| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a()))
    };

    let manifest = state.manifest.clone();
    let vocab = state.vocab.as_ref();
    let n_layers = manifest.as_ref().map_or(0, |m| m.n_dec_layers);
    let n_heads = manifest.as_ref().map_or(0, |m| m.n_heads);
    let view = View {
        layer: state.layer,
        head: state.head,
    };
    let decoding = state.decoding.clone();
    let source = state.source.clone();
    let computed = decoding.as_ref().map_or(0, |d| d.steps().len());
    let shown = state.shown.min(computed);
    let finished = decoding.as_ref().is_some_and(|d| d.finished());

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
            bad: Vec::new(),
        };
        let hash = state.settled().then(|| link.write().to_string());
        use_permalink(hash);
    }

    // tokens
    let src_tokens: Rc<Vec<String>> = Rc::new(
        source
            .as_ref()
            .map(|s| s.encoded.tokens.clone())
            .unwrap_or_default(),
    );
    let out_ids: Vec<u32> = decoding
        .as_ref()
        .map(|d| d.steps()[..shown].iter().map(|s| s.chosen).collect())
        .unwrap_or_default();
    let out_tokens: Rc<Vec<String>> =
        Rc::new(out_ids.iter().map(|&i| token_label(vocab, i)).collect());
    let translation = detokenize(out_tokens.as_slice());
    let prefix_tokens: Rc<Vec<String>> = Rc::new(
        std::iter::once("<s>".to_owned())
            .chain(out_tokens.iter().take(shown.saturating_sub(1)).cloned())
            .collect(),
    );

    // highlighting from hover
    let cross_row = |i: usize| -> Option<Vec<f32>> {
        let st = decoding.as_ref()?.steps().get(i)?;
        let heads = st.cross_rows.get(view.layer)?;
        match view.head {
            Some(h) => heads.get(h).cloned(),
            None => average(heads),
        }
    };
    let (src_weights, tgt_weights): (Option<Vec<f32>>, Option<Vec<f32>>) = match state.hover {
        Some(Hover::Target(i)) if i < shown => (cross_row(i), None),
        Some(Hover::Source(j)) => (
            None,
            Some(
                (0..shown)
                    .map(|i| cross_row(i).and_then(|r| r.get(j).copied()).unwrap_or(0.0))
                    .collect(),
            ),
        ),
        _ => (None, None),
    };
    let grid_hover = match state.hover {
        Some(Hover::Target(i)) => Some(GridHover::Row(i)),
        Some(Hover::Source(j)) => Some(GridHover::Col(j)),
        None => None,
    };
    let on_grid_hover = {
        let d = dispatch.clone();
        Callback::from(move |h: Option<GridHover>| {
            d.dispatch(Action::Hover(h.map(|h| match h {
                GridHover::Row(i) => Hover::Target(i),
                GridHover::Col(j) => Hover::Source(j),
            })))
        })
    };

    let cross: Option<Rc<Matrix>> = decoding
        .as_ref()
        .filter(|_| shown > 0)
        .and_then(|d| d.cross_matrix(shown, view))
        .map(Rc::new);
    let selfm: Option<Rc<Matrix>> = decoding
        .as_ref()
        .filter(|_| shown > 0)
        .and_then(|d| d.self_matrix(shown, view))
        .map(Rc::new);
    let current_step = decoding
        .as_ref()
        .and_then(|d| shown.checked_sub(1).and_then(|i| d.steps().get(i)));
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
    let unk_in_source = source
        .as_ref()
        .is_some_and(|s| s.encoded.tokens.iter().any(|t| t == "<unk>"));
    let stop_note = decoding
        .as_ref()
        .and_then(|d| d.stop())
        .filter(|_| shown == computed)
        .map(|stop| match stop {
            Stop::EndOfSentence => {
                t!("translate.stop.eos", n = computed.saturating_sub(1)).into_owned()
            }
            Stop::MaxLength => t!("translate.stop.max", n = computed).into_owned(),
        });
    let playing = state.mode == Mode::Play;
    let step_ms = state
        .step_ms
        .iter()
        .map(|m| format!("{m:.2}"))
        .collect::<Vec<_>>()
        .join(",");
    let message = state.message.map(|m| match m {
        Message::EmptyInput => t!("translate.empty_input"),
    });
    let counter = if finished {
        t!("translate.counter", shown = shown, computed = computed)
    } else {
        t!("translate.counter_more", shown = shown, computed = computed)
    };

    html! {
        <div class="demo tr-demo" data-testid="translate-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("translate.tagline") }</p>
                if let (ModelStatus::Ready(_), Some(m)) = (&state.status, &manifest) {
                    <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                        { t!("translate.ready", name = m.name, enc = m.n_enc_layers, dec = m.n_dec_layers,
                            heads = m.n_heads, d = m.d_model, max = m.max_src) }
                        if let Some(sc) = &m.metrics.int8 {
                            <span class="muted" data-testid="bible-note">{ " " }{ t!("translate.bible_note", verses = sc.verses,
                                bleu = format!("{:.1}", sc.bleu), chrf = format!("{:.1}", sc.chrf)) }</span>
                        }
                    </div>
                } else {
                    <ModelStatusBar status={state.status.clone()} model_name={manifest.as_ref().map(|m| m.name.clone())} />
                }
            </header>

            <section class="input" aria-label={t!("translate.input_label")}>
                <label for="tr-text">{ t!("translate.input_label") }</label>
                <div class="tr-input-row">
                    <textarea id="tr-text" data-testid="text-input" rows="2" spellcheck="false" dir="auto" lang="en"
                        value={state.text.clone()} oninput={oninput} onkeydown={onkeydown} />
                    <button class="tr-go" data-testid="translate-button" disabled={!ready || state.busy} onclick={onsubmit}>{ t!("translate.button") }</button>
                </div>
                if let Some(m) = &manifest {
                    if !m.examples.is_empty() {
                        <div class="examples" aria-label={t!("translate.examples")}>
                            <span class="muted">{ t!("translate.try") }</span>
                            { for m.examples.iter().map(|ex| {
                                let (begin, text) = (begin.clone(), ex.clone());
                                html! { <button class="example" data-testid="example" disabled={!ready} lang="en"
                                    onclick={Callback::from(move |_| begin.emit(text.clone()))}>{ ex.clone() }</button> }
                            }) }
                        </div>
                    }
                }
                if let Some(problem) = link_problem(&state.link_bad) {
                    <p class="note" data-testid="link-problem" role="status">{ problem }</p>
                }
                if let Some(m) = message {
                    <p class="note" data-testid="input-message" role="status">{ m }</p>
                }
                if let Some(note) = source.as_ref().and_then(|s| truncation_note(&s.encoded)) {
                    <p class="note" data-testid="truncation-note" role="status">{ note }</p>
                }
                if unk_in_source {
                    <p class="note subtle" data-testid="unknown-note">{ t!("translate.unknown_note") }</p>
                }
                if let Some(e) = &state.error {
                    <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
                }
            </section>

            if let (Some(src), Some(_)) = (&source, &decoding) {
                <section class="tr-tokens" aria-label={t!("translate.tokens_label")}>
                    <div class="tr-strip">
                        <span class="tr-strip-label">{ t!("translate.english") }</span>
                        <ol class="tr-chips" data-testid="source-tokens" aria-label={t!("translate.source_tokens")} lang="en">
                            { chips(&src_tokens, src_weights.as_deref(), "src-token", Hover::Source,
                                match state.hover { Some(Hover::Source(j)) => Some(j), _ => None }, None, &dispatch) }
                        </ol>
                    </div>
                    <div class="tr-strip">
                        <span class="tr-strip-label">{ t!("translate.french") }</span>
                        <ol class="tr-chips" data-testid="target-tokens" aria-label={t!("translate.target_tokens")} lang="fr">
                            { chips(&out_tokens, tgt_weights.as_deref(), "tgt-token", Hover::Target,
                                match state.hover { Some(Hover::Target(i)) => Some(i), _ => None }, shown.checked_sub(1), &dispatch) }
                            if shown == 0 { <li class="tr-chip tr-empty">{ "…" }</li> }
                        </ol>
                    </div>
                    <p class="tr-translation" data-testid="translation" dir="auto" lang="fr" data-source={src.text.clone()}>{ translation.clone() }</p>
                    <p class="hint">{ t!("translate.hover_hint") }</p>
                </section>

                <div class="tr-controls" role="group" aria-label={t!("translate.controls")}>
                    <button data-testid="back" onclick={act(|| Action::Back)} disabled={shown == 0} aria-label={t!("translate.back_label")}>{ t!("translate.back") }</button>
                    <button data-testid="forward" onclick={act(|| Action::Forward)} disabled={state.busy || (finished && shown >= computed)} aria-label={t!("translate.forward_label")}>{ t!("translate.forward") }</button>
                    <button data-testid="play" onclick={act(|| Action::TogglePlay)} aria-pressed={playing.to_string()}>{ if playing { t!("translate.pause") } else { t!("translate.play") } }</button>
                    <button data-testid="all" onclick={act(|| Action::All)} disabled={finished && shown >= computed}>{ t!("translate.all") }</button>
                    <span class="tr-progress" data-testid="step-counter" data-shown={shown.to_string()} data-computed={computed.to_string()}
                        data-finished={finished.to_string()} data-busy={state.busy.to_string()}>
                        { counter }
                        if state.busy { <span class="muted">{ t!("translate.computing") }</span> }
                    </span>
                </div>
                if let Some(note) = &stop_note {
                    <p class="note" data-testid="stop-note" role="status">{ note.clone() }</p>
                }

                <div class="tr-view" role="group" aria-label={t!("translate.which")}>
                    <span>{ t!("translate.layer") }</span>
                    { for (0..n_layers).map(|l| {
                        let d = dispatch.clone();
                        html! { <button data-testid="layer-button" data-layer={(l + 1).to_string()} class={classes!("tr-pick", (l == view.layer).then_some("on"))} aria-pressed={(l == view.layer).to_string()}
                            onclick={Callback::from(move |_| d.dispatch(Action::SetLayer(l)))}>{ l + 1 }</button> }
                    }) }
                    <span class="tr-sep">{ t!("translate.head") }</span>
                    {{
                        let d = dispatch.clone();
                        html! { <button data-testid="head-button" data-head="avg" class={classes!("tr-pick", view.head.is_none().then_some("on"))} aria-pressed={view.head.is_none().to_string()}
                            onclick={Callback::from(move |_| d.dispatch(Action::SetHead(None)))}>{ t!("translate.average") }</button> }
                    }}
                    { for (0..n_heads).map(|h| {
                        let d = dispatch.clone();
                        html! { <button data-testid="head-button" data-head={h.to_string()} class={classes!("tr-pick", (view.head == Some(h)).then_some("on"))} aria-pressed={(view.head == Some(h)).to_string()}
                            onclick={Callback::from(move |_| d.dispatch(Action::SetHead(Some(h))))}>{ h + 1 }</button> }
                    }) }
                </div>

                <div class="tr-panels">
                    <div class="tr-panel tr-panel-wide">
                        if let Some(m) = &cross {
                            <AttentionGrid name={format!("Cross-attention, {view_id}")} label={Some(AttrValue::from(t!("translate.cross_name", view = view_name).into_owned()))} kind="cross" matrix={m.clone()} rows={out_tokens.clone()} cols={src_tokens.clone()}
                                hover={grid_hover} current_row={shown.checked_sub(1)} onhover={on_grid_hover.clone()} export={Some(export.clone())}
                                caption={t!("translate.cross_caption")} />
                        } else {
                            <p class="hint" data-testid="no-steps">{ t!("translate.no_steps") }</p>
                        }
                    </div>
                    if let Some(st) = current_step {
                        <div class="tr-panel">
                            <TopCandidates candidates={st.top.clone()} step={shown} chosen={st.chosen}
                                labels={st.top.iter().map(|c| display_token(&token_label(vocab, c.id))).collect::<Vec<_>>()} />
                        </div>
                    }
                    if let Some(m) = &selfm {
                        <div class="tr-panel">
                            <AttentionGrid name={format!("Decoder self-attention, {view_id}")} label={Some(AttrValue::from(t!("translate.self_name", view = view_name).into_owned()))} kind="self" matrix={m.clone()} rows={prefix_tokens.clone()} cols={prefix_tokens.clone()}
                                causal=true current_row={shown.checked_sub(1)} export={Some(export.clone())}
                                caption={t!("translate.self_caption")} />
                        </div>
                    }
                </div>
                if let (Some(shifts), Some(layers)) = (&shifts, &layers) {
                    <StepShiftView shifts={shifts.clone()} layers={layers.clone()} targets={out_tokens.clone()} sources={src_tokens.clone()}
                        current={shown.checked_sub(1)} hovered={match state.hover { Some(Hover::Target(i)) => Some(i), _ => None }}
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

            <footer class="about">
                <p>{ t!("translate.about") }</p>
                if !state.step_ms.is_empty() {
                    <p class="muted">{ t!("translate.timing", encoder = format!("{:.1}", state.encode_ms.unwrap_or(0.0)),
                        median = format!("{:.1}", median(&state.step_ms)), n = state.step_ms.len()) }</p>
                }
                <span data-testid="timings" hidden=true data-run={state.run.to_string()} data-encode-ms={state.encode_ms.map(|m| format!("{m:.2}")).unwrap_or_default()}
                    data-step-ms={step_ms}></span>
            </footer>
        </div>
    }
}
