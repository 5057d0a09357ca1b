//! The generator view's state: the model's loading, the prompt and sampling controls, the
//! generation on screen (how many tokens are shown, who drives the next step), the latest full
//! recompute (every row's attention and the tensors the steps need) and the timings. Every
//! worker answer comes back as an [`Action`] numbered with its generation's run, so an answer
//! for an older generation is dropped.

use std::rc::Rc;

use yew::prelude::*;

use crate::demos::generate::heads::{HeadScore, SortBy};
use crate::demos::generate::link::GenerateLink;
use crate::demos::generate::sampling::{Clamped, Sampler};
use crate::demos::generate::steps::LayerWeights;
use crate::demos::generate::{GenerateManifest, Generation, PromptError};
use crate::maths::Matrix;
use crate::ui::model::{ModelStatus, ModelSummary};

pub use crate::decoding::Mode;

/// The constant tensors the steps are recomputed with.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub layers: Vec<LayerWeights>,
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

/// A full recompute of the tokens in the window (no cache): every row's attention.
#[derive(Debug, Clone, PartialEq)]
pub struct FullRun {
    /// Absolute position of row 0.
    pub first_position: usize,
    pub n: usize,
    /// Per layer `[H, n, n]` row-major.
    pub weights: Vec<Vec<f32>>,
    /// Per layer `(n, d)`: the attention block's input.
    pub x: Vec<Matrix>,
    /// `(n, d)` before and after the final LayerNorm.
    pub final_hidden: Matrix,
    pub final_norm: Matrix,
    /// Row `i`'s probability (softmax, temperature 1) of the token after it
    pub next_probs: Vec<f64>,
}

/// One step's measured times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Tokens in the window after the step.
    pub n: usize,
    /// The step as generation runs it: the prefill for the first, then one token with the cache.
    pub cached_ms: f64,
    /// The same logits by a full recompute of all `n` tokens.
    pub full_ms: f64,
    /// Largest |cached − full| over the step's logits.
    pub logits_diff: f32,
}

/// A note about the input, kept as a value so it is worded in the current language.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Prompt(PromptError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenState {
    pub status: ModelStatus,
    pub manifest: Option<Rc<GenerateManifest>>,
    pub vocab: Option<Rc<Vec<String>>>,
    pub params: Option<Rc<Params>>,
    pub heads: Option<Rc<Vec<HeadScore>>>,
    pub text: String,
    /// The sampling controls as set (the generation uses them clamped).
    pub sampler: Sampler,
    pub run: u64,
    pub generation: Option<Rc<Generation>>,
    pub full: Option<Rc<FullRun>>,
    pub timings: Vec<Timing>,
    /// Generated tokens shown (≤ generated).
    pub shown: usize,
    pub mode: Mode,
    pub busy: bool,
    pub layer: usize,
    pub head: Option<usize>,
    /// Token (index into the generation's ids) under the pointer.
    pub hover: Option<usize>,
    pub sort: SortBy,
    pub error: Option<String>,
    pub message: Option<Message>,
    pub link: Option<GenerateLink>,
    pub link_bad: Vec<&'static str>,
    /// "Does attention explain this?" is open.
    pub explain: bool,
}

pub enum Action {
    Manifest(Rc<GenerateManifest>),
    Progress(u64, u64),
    LoadFailed(String),
    /// Vocabulary, parameters and head scores: the model is ready.
    Ready {
        vocab: Rc<Vec<String>>,
        params: Rc<Params>,
        heads: Rc<Vec<HeadScore>>,
    },
    SetText(String),
    SetSampler(Sampler),
    Begin {
        run: u64,
    },
    Started {
        run: u64,
        generation: Rc<Generation>,
    },
    Rejected {
        run: u64,
        message: Message,
    },
    StepStarted,
    StepDone {
        run: u64,
        result: Result<(Rc<Generation>, Rc<FullRun>, Timing), String>,
    },
    Play,
    Pause,
    All,
    /// The next token (shown if computed, else computed).
    Forward,
    Back,
    Tick,
    Layer(usize),
    Head(Option<usize>),
    Hover(Option<usize>),
    Sort(SortBy),
    SetExplain(bool),
}

impl GenState {
    pub fn from_link(link: &GenerateLink) -> Self {
        Self {
            status: ModelStatus::default(),
            manifest: None,
            vocab: None,
            params: None,
            heads: None,
            text: link.text.clone().unwrap_or_default(),
            sampler: link.sampler,
            run: 0,
            generation: None,
            full: None,
            timings: Vec::new(),
            shown: 0,
            mode: Mode::Idle,
            busy: false,
            layer: link.layer.unwrap_or(0),
            head: link.head,
            hover: None,
            sort: link.sort,
            error: None,
            message: None,
            link: Some(link.clone()),
            link_bad: link.bad.clone(),
            explain: link.explain,
        }
    }

    pub fn computed(&self) -> usize {
        self.generation.as_ref().map_or(0, |g| g.choices.len())
    }

    pub fn finished(&self) -> bool {
        self.generation.as_ref().is_some_and(|g| g.stop.is_some())
    }

    /// The sampler the next generation uses, and the notes on what was clamped.
    pub fn clamped(&self) -> (Sampler, Vec<Clamped>) {
        let vocab = self.manifest.as_ref().map_or(usize::MAX, |m| m.vocab_size);
        self.sampler.clamped(vocab)
    }

    /// Whether the view on screen is the one to keep in the address bar.
    pub fn settled(&self) -> bool {
        self.manifest.is_some() && self.link.is_none() && !matches!(self.mode, Mode::Restore(_))
    }

    /// The link to exactly this view.
    pub fn to_link(&self, whatif: crate::maths::WhatIf) -> GenerateLink {
        let n_layers = self.manifest.as_ref().map_or(0, |m| m.n_layers);
        GenerateLink {
            text: Some(self.text.clone()),
            sampler: self.sampler,
            step: self.generation.as_ref().map(|_| self.shown),
            layer: Some(self.layer).filter(|&l| l + 1 != n_layers),
            head: self.head,
            sort: self.sort,
            whatif,
            explain: self.explain,
            bad: Vec::new(),
        }
    }
}

impl Reducible for GenState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Manifest(m) => {
                if let Some(link) = s.link.as_mut() {
                    link.fit(m.n_layers, m.n_heads, m.max_new_tokens);
                    s.link_bad = link.bad.clone();
                    s.layer = link.layer.unwrap_or(m.n_layers - 1);
                    s.head = link.head;
                }
                s.status = ModelStatus::Loading {
                    loaded: 0,
                    total: m.download_bytes(),
                };
                s.manifest = Some(m);
            }
            Action::Progress(loaded, total) => s.status = ModelStatus::Loading { loaded, total },
            Action::LoadFailed(e) => s.status = ModelStatus::Failed(e),
            Action::Ready {
                vocab,
                params,
                heads,
            } => {
                if let Some(m) = &s.manifest {
                    s.status = ModelStatus::Ready(ModelSummary {
                        n_layers: m.n_layers,
                        n_heads: m.n_heads,
                        d_model: m.d_model,
                        max_len: m.context,
                    });
                }
                s.vocab = Some(vocab);
                s.params = Some(params);
                s.heads = Some(heads);
                // A link without a prompt has nothing to restore: the view is settled now.
                if s.text.trim().is_empty() {
                    s.link = None;
                }
            }
            Action::SetText(t) => s.text = t,
            Action::SetSampler(x) => s.sampler = x,
            Action::Begin { run } => {
                s.run = run;
                s.busy = true;
                s.error = None;
                s.message = None;
                s.generation = None;
                s.full = None;
                s.timings.clear();
                s.shown = 0;
                s.mode = match s.link.take().and_then(|l| l.step) {
                    Some(step) => Mode::Restore(step),
                    None => Mode::All,
                };
            }
            Action::Started { run, generation } if run == s.run => {
                s.busy = false;
                s.generation = Some(generation);
            }
            Action::Rejected { run, message } if run == s.run => {
                s.busy = false;
                s.mode = Mode::Idle;
                s.message = Some(message);
            }
            Action::StepStarted => s.busy = true,
            Action::StepDone { run, result } if run == s.run => {
                s.busy = false;
                match result {
                    Ok((g, full, timing)) => {
                        s.generation = Some(g);
                        s.full = Some(full);
                        s.timings.push(timing);
                        if !matches!(s.mode, Mode::Play) {
                            s.shown = s.computed();
                        }
                        if s.finished() && !matches!(s.mode, Mode::Play) {
                            s.mode = Mode::Idle;
                        }
                        if let Mode::Restore(step) = s.mode {
                            if s.computed() >= step {
                                s.shown = step;
                                s.mode = Mode::Idle;
                            }
                        }
                        if s.mode == Mode::Single {
                            s.mode = Mode::Idle;
                        }
                    }
                    Err(e) => {
                        s.error = Some(e);
                        s.mode = Mode::Idle;
                    }
                }
            }
            Action::Started { .. } | Action::Rejected { .. } | Action::StepDone { .. } => {
                return self
            }
            Action::Play => {
                if s.shown >= s.computed() && s.finished() {
                    s.shown = 0;
                }
                s.mode = Mode::Play;
            }
            Action::Pause => s.mode = Mode::Idle,
            Action::All => s.mode = Mode::All,
            Action::Forward => {
                if s.shown < s.computed() {
                    s.shown += 1;
                } else if s.generation.is_some() && !s.finished() {
                    s.mode = Mode::Single;
                }
            }
            Action::Back => {
                s.mode = Mode::Idle;
                s.shown = s.shown.saturating_sub(1);
            }
            Action::Tick => {
                if s.shown < s.computed() {
                    s.shown += 1;
                }
                if s.shown >= s.computed() && s.finished() {
                    s.mode = Mode::Idle;
                }
            }
            Action::Layer(l) => s.layer = l,
            Action::Head(h) => s.head = h,
            Action::Hover(h) => s.hover = h,
            Action::Sort(by) => s.sort = by,
            Action::SetExplain(open) => s.explain = open,
        }
        Rc::new(s)
    }
}
