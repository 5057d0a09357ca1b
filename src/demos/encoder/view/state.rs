//! The encoder demo's state and the only way it changes: [`Action`]s through a reducer.

use std::rc::Rc;

use rust_i18n::t;
use yew::{Callback, Reducible, UseReducerDispatcher};

use crate::demos::encoder::{AttentionMaps, EncoderLayer, EncoderManifest, StatKey};
use crate::maths::WhatIf;
use crate::protocol::Encoded;
use crate::route::{read_what_if, write_what_if, Route};
use crate::steps::Step;
use crate::ui::latest::Latest;
use crate::ui::model::{ModelStatus, ModelSummary};

/// The three ways to look at the model's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Every layer and head at once, with statistics.
    Model,
    /// One head as lines between tokens.
    Head,
    /// One layer, step by step, from the model's real weights.
    Steps,
}

impl View {
    pub const ALL: [View; 3] = [View::Model, View::Head, View::Steps];

    pub fn id(self) -> &'static str {
        match self {
            View::Model => "model",
            View::Head => "head",
            View::Steps => "steps",
        }
    }

    /// The tab's name, in the reader's language.
    pub fn label(self) -> std::borrow::Cow<'static, str> {
        match self {
            View::Model => t!("encoder.view.model"),
            View::Head => t!("encoder.view.head"),
            View::Steps => t!("encoder.view.steps"),
        }
    }

    pub fn from_id(id: &str) -> Option<View> {
        Self::ALL.into_iter().find(|v| v.id() == id)
    }
}

/// One finished run: the tokens and every layer's attention.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub seq: u64,
    pub encoded: Rc<Encoded>,
    pub tokens: Rc<Vec<String>>,
    pub maps: Rc<AttentionMaps>,
}

/// A run is the same run when it is the same request's answer: comparing by `seq` (and the
/// maps' address) keeps props cheap to compare, instead of millions of floats.
impl PartialEq for RunResult {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq && Rc::ptr_eq(&self.maps, &other.maps)
    }
}

/// Why the newest run shows no new result.
#[derive(Debug, Clone, PartialEq)]
pub enum RunFailure {
    /// The text was empty (or only spaces): said as a note, not as an error.
    EmptyInput,
    /// A sentence for the page.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncoderState {
    /// What the user typed: never cleared by an error.
    pub text: String,
    pub status: ModelStatus,
    pub manifest: Option<Rc<EncoderManifest>>,
    pub view: View,
    pub layer: usize,
    pub head: usize,
    pub step: Step,
    /// Show [CLS]/[SEP] in the model and head views.
    pub hide_special: bool,
    pub all_heads: bool,
    pub sort: StatKey,
    pub descending: bool,
    /// The score cell whose q·k breakdown is open.
    pub selected: Option<(usize, usize)>,
    /// The newest run's result (late answers are dropped); `runs` counts completed runs, which
    /// the DOM exposes so tests can wait for fresh results.
    pub run: Latest<RunResult, RunFailure>,
    /// The step view's layer for the run shown (asked for separately: it is larger).
    pub layer_record: Option<(u64, Rc<EncoderLayer>)>,
    pub layer_error: Option<String>,
    /// Request to result of the newest run (worker inference + transfer), ms.
    pub infer_ms: Option<f64>,
    /// Opening the view to the first result (download, load, first run), ms.
    pub first_result_ms: Option<f64>,
    pub load_ms: Option<f64>,
    /// The what-if recipe of the step view (the model's own unless the reader changed it).
    pub whatif: WhatIf,
    /// Link parameters that could not be used (and fell back to their defaults), by name;
    /// put into words at render time, so a language switch re-translates them.
    pub link_problems: Vec<&'static str>,
}

/// Largest layer or head number a link may name before the model is known (the manifest
/// then narrows it to 6 layers and 12 heads).
const MAX_LINK_INDEX: usize = 64;

pub const DEFAULT_TEXT: &str = "The animal didn't cross the street because it was too tired.";

impl EncoderState {
    /// Starts from the link's parameters: `text`, `view`, `layer`, `head` (numbered from 1),
    /// `step`, `special=hide` and the what-if recipe (`scale`, `temp`, `attn`, `mask`).
    /// Anything unusable falls back to its default and is named in `link_problems`; layer and
    /// head are checked again against the model once its manifest has arrived.
    pub fn from_route(route: &Route) -> Self {
        let mut bad: Vec<&'static str> = Vec::new();
        // 1-based in the link; anything else (0, 999 past the model, words) is unusable.
        let mut number = |key: &'static str| match route.get(key) {
            None => 0,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n @ 1..=MAX_LINK_INDEX) => n - 1,
                _ => {
                    bad.push(key);
                    0
                }
            },
        };
        let layer = number("layer");
        let head = number("head");
        let view = match route.get("view") {
            None => View::Model,
            Some(id) => View::from_id(id).unwrap_or_else(|| {
                bad.push("view");
                View::Model
            }),
        };
        let step = match route.get("step") {
            None => Step::Tokens,
            Some(id) => Step::from_id(id).unwrap_or_else(|| {
                bad.push("step");
                Step::Tokens
            }),
        };
        let hide_special = match route.get("special") {
            None => false,
            Some("hide") => true,
            Some(_) => {
                bad.push("special");
                false
            }
        };
        let (whatif, whatif_bad) = read_what_if(route);
        bad.extend(whatif_bad);
        Self {
            text: route.get("text").unwrap_or(DEFAULT_TEXT).to_owned(),
            status: ModelStatus::default(),
            manifest: None,
            view,
            layer,
            head,
            step,
            hide_special,
            all_heads: false,
            sort: StatKey::Head,
            descending: false,
            selected: None,
            run: Latest::default(),
            layer_record: None,
            layer_error: None,
            infer_ms: None,
            first_result_ms: None,
            load_ms: None,
            whatif,
            link_problems: bad,
        }
    }

    /// The link that restores this view.
    pub fn route(&self) -> Route {
        let mut r = Route::of(crate::route::Demo::Encoder);
        // Very long text is left out of the link (it still runs).
        if self.text.chars().count() <= crate::route::MAX_LINK_TEXT {
            r.set("text", Some(self.text.clone()));
        }
        r.set("view", Some(self.view.id().to_owned()));
        r.set("layer", Some((self.layer + 1).to_string()));
        r.set("head", Some((self.head + 1).to_string()));
        if self.view == View::Steps {
            r.set("step", Some(self.step.id().to_owned()));
        }
        if self.hide_special {
            r.set("special", Some("hide".into()));
        }
        write_what_if(&mut r, &self.whatif);
        r
    }

    /// The sentence naming the link's unusable parts, in the current language.
    pub fn link_problem(&self) -> Option<String> {
        let names: Vec<String> = self
            .link_problems
            .iter()
            .map(|&p| match p {
                // Not one of the shared part names (route.rs): ours to name.
                "special" => t!("encoder.link_part.special").into_owned(),
                other => other.to_owned(),
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        crate::route::link_problem(&names)
    }

    /// The run shown, if any.
    pub fn result(&self) -> Option<&RunResult> {
        self.run.outcome.as_ref()
    }

    /// The text was empty (or only spaces): say so instead of running.
    pub fn empty_input(&self) -> bool {
        self.run.error == Some(RunFailure::EmptyInput)
    }

    /// The newest run's error, as a sentence.
    pub fn run_error(&self) -> Option<&str> {
        match &self.run.error {
            Some(RunFailure::Failed(e)) => Some(e),
            _ => None,
        }
    }

    pub fn running(&self) -> bool {
        self.result().map_or(0, |r| r.seq) < self.run.seq && self.run.error.is_none()
    }

    pub fn summary(m: &EncoderManifest) -> ModelSummary {
        ModelSummary {
            n_layers: m.n_layers,
            n_heads: m.n_heads,
            d_model: m.d_model,
            max_len: m.max_len,
        }
    }

    /// The step view's record, if it belongs to the run shown and the chosen layer.
    pub fn current_layer(&self) -> Option<Rc<EncoderLayer>> {
        let (seq, rec) = self.layer_record.as_ref()?;
        (Some(*seq) == self.result().map(|r| r.seq) && rec.layer == self.layer).then(|| rec.clone())
    }

    fn clamp(&mut self) {
        if let Some(m) = &self.manifest {
            self.layer = self.layer.min(m.n_layers.saturating_sub(1));
            self.head = self.head.min(m.n_heads.saturating_sub(1));
        }
    }

    /// A link's layer or head past the model's (e.g. layer 9 of 6) is unusable: the default
    /// is shown, and the note names it.
    fn check_link_against(&mut self, m: &EncoderManifest) {
        if self.layer >= m.n_layers {
            self.layer = 0;
            self.link_problems.push("layer");
        }
        if self.head >= m.n_heads {
            self.head = 0;
            self.link_problems.push("head");
        }
    }
}

pub enum Action {
    SetText(String),
    ManifestLoaded(Rc<EncoderManifest>),
    Progress {
        loaded: u64,
        total: u64,
    },
    ModelReady {
        load_ms: f64,
    },
    ModelFailed(String),
    /// A run was sent to the worker.
    Requested(u64),
    /// A run's answer (or why there is none, e.g. the text was empty: nothing to run).
    RunFinished {
        seq: u64,
        result: Result<RunResult, RunFailure>,
        infer_ms: f64,
        since_open_ms: f64,
    },
    LayerFinished {
        seq: u64,
        result: Result<Rc<EncoderLayer>, String>,
    },
    SetView(View),
    /// Open a head (from the grid or the table) in the head view.
    Pick {
        layer: usize,
        head: usize,
    },
    SetLayer(usize),
    SetHead(usize),
    GoTo(Step),
    Select(Option<(usize, usize)>),
    ToggleSpecial,
    ToggleAllHeads,
    Sort(StatKey),
    SetWhatIf(WhatIf),
}

/// A callback that dispatches `make(value)`: how every control of this view changes the state.
pub fn send<T: 'static>(
    dispatch: &UseReducerDispatcher<EncoderState>,
    make: impl Fn(T) -> Action + 'static,
) -> Callback<T> {
    let dispatch = dispatch.clone();
    Callback::from(move |v| dispatch.dispatch(make(v)))
}

impl Reducible for EncoderState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetText(text) => {
                s.text = text;
                if s.empty_input() {
                    s.run.error = None;
                }
            }
            Action::ManifestLoaded(m) => {
                if s.manifest.is_none() {
                    s.check_link_against(&m);
                }
                s.status = ModelStatus::Loading {
                    loaded: 0,
                    total: m.onnx_bytes + m.tokenizer_bytes,
                };
                s.manifest = Some(m);
                s.clamp();
            }
            Action::Progress { loaded, total } => {
                // One re-render per percent, not per network chunk (returning `self` renders
                // nothing).
                let percent = |n: u64| n * 100 / total.max(1);
                match s.status {
                    ModelStatus::Loading {
                        loaded: shown,
                        total: t,
                    } if t == total && percent(shown) == percent(loaded) => return self,
                    _ => s.status = ModelStatus::Loading { loaded, total },
                }
            }
            Action::ModelReady { load_ms } => {
                if let Some(m) = &s.manifest {
                    s.status = ModelStatus::Ready(Self::summary(m));
                }
                s.load_ms = Some(load_ms);
            }
            Action::ModelFailed(message) => s.status = ModelStatus::Failed(message),
            Action::Requested(seq) => s.run.request(seq),
            Action::RunFinished {
                seq,
                result,
                infer_ms,
                since_open_ms,
            } => {
                let ok = result.is_ok();
                if !s.run.finish(seq, result) {
                    return self; // a newer run is on its way
                }
                if ok {
                    s.infer_ms = Some(infer_ms);
                    s.first_result_ms.get_or_insert(since_open_ms);
                    s.selected = None;
                }
            }
            Action::LayerFinished { seq, result } => {
                if Some(seq) != s.result().map(|r| r.seq) {
                    return self;
                }
                match result {
                    Ok(rec) => {
                        s.layer_record = Some((seq, rec));
                        s.layer_error = None;
                    }
                    Err(e) => s.layer_error = Some(e),
                }
            }
            Action::SetView(v) => s.view = v,
            Action::Pick { layer, head } => {
                s.layer = layer;
                s.head = head;
                s.all_heads = false;
                s.view = View::Head;
                s.selected = None;
            }
            Action::SetLayer(l) => {
                s.layer = l;
                s.selected = None;
                s.clamp();
            }
            Action::SetHead(h) => {
                s.head = h;
                s.clamp();
            }
            Action::GoTo(step) => s.step = step,
            Action::Select(cell) => s.selected = cell,
            Action::ToggleSpecial => s.hide_special = !s.hide_special,
            Action::ToggleAllHeads => s.all_heads = !s.all_heads,
            Action::Sort(key) => {
                if s.sort == key {
                    s.descending = !s.descending;
                } else {
                    s.sort = key;
                    // Largest first is what one looks for, except for the head order.
                    s.descending = key != StatKey::Head;
                }
            }
            Action::SetWhatIf(w) => s.whatif = w,
        }
        Rc::new(s)
    }
}
