//! App state and the only way it changes: [`Action`]s through a reducer.

use std::rc::Rc;

use yew::Reducible;

use crate::demos::walkthrough::link::WalkthroughLink;
use crate::demos::walkthrough::manifest::Manifest;
use crate::demos::walkthrough::Layout;
use crate::maths::Walkthrough;
use crate::route::Route;
use crate::steps::Step;
use crate::ui::model::{ModelStatus, ModelSummary};

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// What the user typed: never cleared by an error.
    pub text: String,
    pub text_edited: bool,
    pub status: ModelStatus,
    pub manifest: Option<Rc<Manifest>>,
    /// The checked model, once it is ready: runs need it to read the outputs.
    pub layout: Option<Layout>,
    pub walkthrough: Option<Rc<Walkthrough>>,
    /// Counts completed runs; the DOM exposes it so tests can wait for fresh results.
    pub run_id: u64,
    /// Sequence number of the newest run shown, to drop answers that arrive late.
    pub shown_seq: u64,
    /// A note about the input itself (e.g. it is empty).
    pub input_message: Option<String>,
    pub run_error: Option<String>,
    pub step: Step,
    pub layer: usize,
    pub head: usize,
    /// The score cell whose q·k breakdown is open: (query row, key column).
    pub selected: Option<(usize, usize)>,
    /// Time from request to result of the newest run, in ms.
    pub latency_ms: Option<f64>,
    /// "Does attention explain this?" is open.
    pub explain: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            text: "In the beginning God created the heavens and the earth.".into(),
            text_edited: false,
            status: ModelStatus::Loading {
                loaded: 0,
                total: 0,
            },
            manifest: None,
            layout: None,
            walkthrough: None,
            run_id: 0,
            shown_seq: 0,
            input_message: None,
            run_error: None,
            step: Step::Tokens,
            layer: 0,
            head: 0,
            selected: None,
            latency_ms: None,
            explain: false,
        }
    }
}

impl State {
    /// The state a link opens (see [`WalkthroughLink`]), with the names of its unusable parts
    /// (see [`crate::route::link_problem`]).
    pub fn from_link(route: &Route) -> (State, Vec<&'static str>) {
        let link = WalkthroughLink::read(route);
        let mut s = State::default();
        if let Some(text) = link.text {
            s.text = text;
            s.text_edited = true;
        }
        s.step = link.step;
        s.layer = link.layer;
        s.head = link.head;
        s.explain = link.explain;
        (s, link.bad)
    }

    /// The link to this view.
    pub fn to_link(&self) -> Route {
        WalkthroughLink {
            text: Some(self.text.clone()),
            step: self.step,
            layer: self.layer,
            head: self.head,
            explain: self.explain,
            bad: Vec::new(),
        }
        .write()
    }
}

pub enum Action {
    SetText(String),
    ManifestLoaded(Rc<Manifest>),
    Progress {
        loaded: u64,
        total: u64,
    },
    ModelReady(Layout),
    ModelFailed(String),
    /// A run finished; `seq` orders runs so that a slow old one cannot replace a newer one.
    RunFinished {
        seq: u64,
        result: Result<Rc<Walkthrough>, String>,
        latency_ms: f64,
    },
    /// The input cannot be run (e.g. it is empty); the message says why.
    InputRejected {
        seq: u64,
        message: String,
    },
    GoTo(Step),
    Next,
    Prev,
    SetLayer(usize),
    SetHead(usize),
    Select(Option<(usize, usize)>),
    SetExplain(bool),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetText(text) => {
                s.text = text;
                s.text_edited = true;
            }
            Action::ManifestLoaded(manifest) => {
                if !s.text_edited {
                    if let Some(first) = manifest.examples.first() {
                        s.text = first.clone();
                    }
                }
                s.status = ModelStatus::Loading {
                    loaded: 0,
                    total: manifest.onnx_bytes + manifest.tokenizer_bytes,
                };
                s.manifest = Some(manifest);
            }
            Action::Progress { loaded, total } => {
                if matches!(s.status, ModelStatus::Loading { .. }) {
                    s.status = ModelStatus::Loading { loaded, total };
                }
            }
            Action::ModelReady(layout) => {
                s.status = ModelStatus::Ready(ModelSummary {
                    n_layers: layout.n_layers,
                    n_heads: layout.n_heads,
                    d_model: layout.d_model,
                    max_len: layout.max_len,
                });
                s.layout = Some(layout);
            }
            Action::ModelFailed(message) => s.status = ModelStatus::Failed(message),
            Action::RunFinished {
                seq,
                result,
                latency_ms,
            } => {
                if seq < s.shown_seq {
                    return self;
                }
                s.shown_seq = seq;
                s.run_id += 1;
                s.latency_ms = Some(latency_ms);
                s.input_message = None;
                match result {
                    Ok(walkthrough) => {
                        let n = walkthrough.record.seq_len();
                        let layers = walkthrough.layers.len().max(1);
                        let heads = walkthrough
                            .layers
                            .first()
                            .map_or(1, |l| l.heads.len().max(1));
                        s.layer = s.layer.min(layers - 1);
                        s.head = s.head.min(heads - 1);
                        s.selected = s.selected.filter(|&(i, j)| i < n && j < n);
                        s.walkthrough = Some(walkthrough);
                        s.run_error = None;
                    }
                    Err(message) => s.run_error = Some(message),
                }
            }
            Action::InputRejected { seq, message } => {
                if seq < s.shown_seq {
                    return self;
                }
                s.shown_seq = seq;
                s.run_id += 1;
                s.input_message = Some(message);
                s.walkthrough = None;
                s.run_error = None;
                s.selected = None;
            }
            Action::GoTo(step) => s.step = step,
            Action::Next => s.step = s.step.next(),
            Action::Prev => s.step = s.step.prev(),
            Action::SetLayer(layer) => {
                s.layer = layer;
                s.selected = None;
            }
            Action::SetHead(head) => {
                s.head = head;
                s.selected = None;
            }
            Action::Select(cell) => s.selected = cell,
            Action::SetExplain(open) => s.explain = open,
        }
        Rc::new(s)
    }
}
