//! The translation view's state: the model's loading, the sentence, the decoding on screen
//! (how many steps are shown, who drives the decoder) and the layer/head/hover the page shows.
//! Every worker answer comes back as an [`Action`] numbered with its translation's run, so an
//! answer for an older translation is dropped.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::translate::link::TranslateLink;
use crate::demos::translate::{Decoding, Step, TranslateManifest, View};
use crate::protocol::{Encoded, Tensor};
use crate::ui::model::{ModelStatus, ModelSummary};

pub use crate::decoding::Mode;

/// The tokenized source and the encoder's output for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub text: String,
    pub encoded: Encoded,
    pub memory: Rc<Tensor>,
    /// The encoder's self-attention, one entry per layer
    pub encoder: Rc<Vec<crate::explain::LayerAttention>>,
}

/// What the pointer is over: a target token (a decoding step) or a source token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hover {
    Target(usize),
    Source(usize),
}

/// Everything the translation view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TrState {
    pub status: ModelStatus,
    pub manifest: Option<Rc<TranslateManifest>>,
    pub vocab: Option<Rc<Vec<String>>>,
    pub text: String,
    /// Bumped by every new translation; late answers for an older one are dropped.
    pub run: u64,
    pub source: Option<Rc<Source>>,
    pub decoding: Option<Rc<Decoding>>,
    /// How many steps are shown (≤ steps computed).
    pub shown: usize,
    pub mode: Mode,
    pub busy: bool,
    pub layer: usize,
    pub head: Option<usize>,
    pub hover: Option<Hover>,
    pub error: Option<String>,
    pub message: Option<Message>,
    pub encode_ms: Option<f64>,
    pub step_ms: Vec<f64>,
    /// Each step's decoder run in the worker (its own clock)
    pub step_run_ms: Vec<f64>,
    /// The link the page was opened with, until the manifest says what it may hold.
    pub link: Option<TranslateLink>,
    /// The step the link asks for, until the first translation reaches it.
    pub pending_step: Option<usize>,
    /// Link parameters that could not be used (named on the page).
    pub link_bad: Vec<&'static str>,
    /// "Does attention explain this?" is open.
    pub explain: bool,
}

/// A note about the input, kept as a value so it is worded in the current language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    EmptyInput,
}

impl TrState {
    pub fn from_link(link: &TranslateLink) -> Self {
        Self {
            status: ModelStatus::default(),
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
            step_run_ms: Vec::new(),
            link: Some(link.clone()),
            pending_step: None,
            link_bad: link.bad.clone(),
            explain: link.explain,
        }
    }

    /// Whether the view on screen is the one to keep in the address bar (not while the link
    /// the page was opened with is still being restored).
    pub fn settled(&self) -> bool {
        self.manifest.is_some()
            && self.link.is_none()
            && self.pending_step.is_none()
            && !matches!(self.mode, Mode::Restore(_))
    }

    /// Steps the decoder has computed for the translation on screen.
    pub fn computed(&self) -> usize {
        self.decoding.as_ref().map_or(0, |d| d.steps().len())
    }

    /// Whether the decoder has stopped (end of sentence or the length limit).
    pub fn finished(&self) -> bool {
        self.decoding.as_ref().is_some_and(|d| d.finished())
    }

    /// The attention map the page draws.
    pub fn view(&self) -> View {
        View {
            layer: self.layer,
            head: self.head,
        }
    }

    /// The decoding step under the pointer, if the pointer is over a target token.
    pub fn hovered_target(&self) -> Option<usize> {
        match self.hover {
            Some(Hover::Target(i)) => Some(i),
            _ => None,
        }
    }
}

/// Token `id` as the vocabulary spells it (`#id` before the vocabulary is known).
pub fn token_label(vocab: Option<&Rc<Vec<String>>>, id: u32) -> String {
    vocab
        .and_then(|v| v.get(id as usize))
        .map_or_else(|| format!("#{id}"), |t| t.clone())
}

/// What changes the view: the model's loading, the user, and the worker's answers.
#[derive(Clone)]
pub enum Action {
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
        /// From the page's request to its answer (the page's clock)
        ms: f64,
        /// The decoder run and the copy of its outputs, by the worker's clock
        run_ms: f64,
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
    SetExplain(bool),
}

impl Reducible for TrState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let (computed, finished) = (s.computed(), s.finished());
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
                    s.status = ModelStatus::Ready(ModelSummary {
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
                s.step_run_ms.clear();
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
            Action::StepDone {
                run,
                result,
                ms,
                run_ms,
            } => {
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
                        s.step_run_ms.push(run_ms);
                        let (computed, done) = (s.computed(), s.finished());
                        s.shown = computed;
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
            Action::SetExplain(open) => s.explain = open,
        }
        Rc::new(s)
    }
}
