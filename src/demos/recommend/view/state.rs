//! The recommendation demo's state and the only way it changes: [`Action`]s through a reducer.

use std::rc::Rc;

use rust_i18n::t;
use yew::{Callback, Reducible, UseReducerDispatcher};

use super::movie_search::SearchNotice;
use crate::demos::recommend::{
    apply_edit, history_param, parse_history_param, Catalogue, Edit, EditError, HeadChoice,
    HistoryNote, ModelInput, RecManifest,
};
use crate::protocol::Tensor;
use crate::route::{Demo, Route};
use crate::ui::latest::Latest;
use crate::ui::model::{ModelStatus, ModelSummary};

/// A note about the last edit or search, kept as a value so it is worded in the current
/// language when drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// An edit was refused.
    Edit(EditError),
    /// The search box had nothing to add.
    Search(SearchNotice),
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Edit(e) => e.fmt(f),
            Notice::Search(s) => s.fmt(f),
        }
    }
}

/// One finished inference, for one history and one query position.
#[derive(Debug, Clone, PartialEq)]
pub struct RecResult {
    /// The history it was computed for (oldest first) and the history index whose next item
    /// was scored.
    pub history: Rc<Vec<u32>>,
    pub query: usize,
    pub input: ModelInput,
    /// The top 10 `(id, score)`, best first, without the items up to `query`.
    pub top: Vec<(u32, f32)>,
    /// `layer{l}.weights`, `(1, heads, window, window)`, one per layer.
    pub weights: Vec<Tensor>,
    pub latency_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecState {
    /// Ready once both the graph (checked) and the catalogue are in.
    pub status: ModelStatus,
    pub manifest: Option<Rc<RecManifest>>,
    pub catalogue: Option<Rc<Catalogue>>,
    /// The graph is in the worker with the outputs the page needs (the catalogue may still be
    /// on its way: the two download side by side).
    graph_ready: bool,
    /// The viewing history, oldest first.
    pub history: Rc<Vec<u32>>,
    /// The history index whose prediction is inspected; `None` = the latest item (what the
    /// recommendations are for).
    pub query: Option<usize>,
    pub layer: usize,
    pub head: HeadChoice,
    /// The newest run's result (and error); `runs` counts results shown, which the DOM exposes
    /// so tests and the benchmark can wait for one.
    pub run: Latest<Rc<RecResult>, String>,
    /// A note about the last edit or search (a refused edit, no match…).
    pub notice: Option<Notice>,
    /// What the link's history lost (unknown ids, repeats…).
    pub link_note: Option<HistoryNote>,
    /// The link's other parameters that could not be used (`layer`, `head`, `at`, what-if).
    pub link_bad: Vec<&'static str>,
    /// The `h` parameter of the link, read once the catalogue is there.
    pending_link: Option<String>,
    /// The example user whose history is shown, while it is unchanged.
    pub example_user: Option<u32>,
    /// "Does attention explain this?" is open (`explain=1`).
    pub explain: bool,
}

impl RecState {
    /// The state a link asks for; `bad` names the parameters that could not be used (more
    /// are found once the manifest and the catalogue are known).
    pub fn from_route(route: &Route, bad: Vec<&'static str>) -> Self {
        let mut bad = bad;
        // 1-based in the link; a value that is not a positive number is named and dropped.
        let mut one_based = |key: &'static str| -> Option<usize> {
            let v = route.get(key)?;
            let n = v
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1));
            if n.is_none() {
                bad.push(key);
            }
            n
        };
        let layer = one_based("layer").unwrap_or(1);
        let head = match route.get("head") {
            None | Some("avg") | Some("average") => HeadChoice::Average,
            Some(_) => one_based("head").map_or(HeadChoice::Average, HeadChoice::Head),
        };
        let query = one_based("at");
        Self {
            status: ModelStatus::default(),
            manifest: None,
            catalogue: None,
            graph_ready: false,
            history: Rc::new(Vec::new()),
            query,
            layer,
            head,
            run: Latest::default(),
            notice: None,
            link_note: None,
            link_bad: bad,
            pending_link: route.get("h").map(str::to_owned),
            example_user: None,
            explain: route.get("explain") == Some("1"),
        }
    }

    /// The link that restores this view.
    pub fn route(&self) -> Route {
        let mut r = Route::of(Demo::Recommend);
        if !self.history.is_empty() {
            r.set("h", Some(history_param(&self.history)));
        }
        r.set("at", self.query.map(|q| (q + 1).to_string()));
        if self.layer != 1 {
            r.set("layer", Some((self.layer + 1).to_string()));
        }
        if let HeadChoice::Head(h) = self.head {
            r.set("head", Some((h + 1).to_string()));
        }
        r.set("explain", self.explain.then(|| "1".to_owned()));
        r
    }

    /// The history index whose prediction is shown: the chosen one, or the latest item when
    /// none is chosen or the chosen one has slid out of the model's window.
    pub fn query_index(&self) -> Option<usize> {
        let last = self.history.len().checked_sub(1)?;
        let first_seen = self.history.len().saturating_sub(self.window());
        Some(
            self.query
                .filter(|&q| q >= first_seen)
                .map_or(last, |q| q.min(last)),
        )
    }

    /// How many of the most recent items the model reads.
    pub fn window(&self) -> usize {
        self.manifest.as_ref().map_or(usize::MAX, |m| m.window)
    }

    /// The result, if it belongs to the current history and query (not a stale one).
    pub fn current_result(&self) -> Option<&Rc<RecResult>> {
        self.run
            .outcome
            .as_ref()
            .filter(|r| r.history == self.history && Some(r.query) == self.query_index())
    }

    /// What is on screen: the current result, or the previous one (shown as stale) while the
    /// new one is computed, so the page does not jump.
    pub fn shown_result(&self) -> Option<&Rc<RecResult>> {
        self.current_result().or(self.run.outcome.as_ref())
    }

    /// The title of the inspected history item (empty while there is none).
    pub fn query_label(&self) -> String {
        let movie = self
            .query_index()
            .zip(self.catalogue.as_ref())
            .and_then(|(q, c)| c.get(self.history[q]));
        movie.map(|m| m.label()).unwrap_or_default()
    }

    /// `layer 2` in the reader's language.
    pub fn layer_label(&self) -> String {
        t!("recommend.layer_label", layer = self.layer + 1).into_owned()
    }

    /// `head 1` or `the average of the heads` in the reader's language.
    pub fn head_label(&self) -> String {
        match self.head {
            HeadChoice::Head(h) => t!("recommend.head_label", head = h + 1),
            HeadChoice::Average => t!("recommend.average_label"),
        }
        .into_owned()
    }

    /// Ready once the graph and the catalogue are both in, unless loading already failed.
    fn ready_if_complete(&mut self) {
        if let (true, Some(m), Some(_), ModelStatus::Loading { .. }) = (
            self.graph_ready,
            &self.manifest,
            &self.catalogue,
            &self.status,
        ) {
            self.status = ModelStatus::Ready(ModelSummary {
                n_layers: m.n_layers,
                n_heads: m.n_heads,
                d_model: m.d_model,
                // What the model reads: its window of the most recent items.
                max_len: m.window,
            });
        }
    }
}

pub enum Action {
    Progress {
        loaded: u64,
        total: u64,
    },
    /// The catalogue is in (and agrees with the manifest): the history can be restored.
    Loaded(Rc<RecManifest>, Rc<Catalogue>),
    /// The graph is in the worker with every output the page needs.
    GraphReady,
    /// Loading failed; the first failure is the one shown.
    LoadFailed(String),
    Edit(Edit),
    /// Start from example user `user`'s history.
    Example(u32),
    /// Inspect the prediction after history item `index`; `None` = after the latest.
    Query(Option<usize>),
    SetLayer(usize),
    SetHead(HeadChoice),
    Notice(Option<Notice>),
    SetExplain(bool),
    /// Run number `seq` was sent; only its answer will be shown.
    RunStarted(u64),
    RunFinished {
        seq: u64,
        result: Result<Rc<RecResult>, String>,
    },
}

impl Reducible for RecState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Progress { loaded, total } => {
                if matches!(s.status, ModelStatus::Loading { .. }) {
                    s.status = ModelStatus::Loading { loaded, total };
                }
            }
            Action::Loaded(manifest, catalogue) => {
                if let Some(link) = s.pending_link.take() {
                    let (history, note) = parse_history_param(&link, &catalogue);
                    s.history = Rc::new(history);
                    s.link_note = note;
                } else if let Some(first) = manifest.examples.first() {
                    // Start from a real user's history so there is something to look at.
                    s.history = Rc::new(first.history.clone());
                    s.example_user = Some(first.user);
                }
                if s.layer >= manifest.n_layers {
                    s.layer = manifest.n_layers - 1;
                    s.link_bad.push("layer");
                }
                if let HeadChoice::Head(h) = s.head {
                    if h >= manifest.n_heads {
                        s.head = HeadChoice::Average;
                        s.link_bad.push("head");
                    }
                }
                // The latest item is the default position; past it there is nothing.
                if let Some(q) = s.query {
                    if q >= s.history.len() {
                        s.link_bad.push("at");
                    }
                    if q + 1 >= s.history.len() {
                        s.query = None;
                    }
                }
                s.manifest = Some(manifest);
                s.catalogue = Some(catalogue);
                s.ready_if_complete();
            }
            Action::GraphReady => {
                s.graph_ready = true;
                s.ready_if_complete();
            }
            Action::LoadFailed(message) => {
                if !matches!(s.status, ModelStatus::Failed(_)) {
                    s.status = ModelStatus::Failed(message);
                }
            }
            Action::Edit(edit) => {
                let Some(catalogue) = s.catalogue.clone() else {
                    return self;
                };
                let mut history = (*s.history).clone();
                let query = s.query;
                // Keep inspecting the same movie when items move around it.
                let followed = query.and_then(|q| history.get(q).copied());
                match apply_edit(&mut history, edit, &catalogue) {
                    Ok(()) => {
                        s.notice = None;
                        s.link_note = None;
                        s.example_user = None;
                        s.query = followed
                            .and_then(|id| history.iter().position(|&h| h == id))
                            .filter(|&q| q + 1 < history.len());
                        s.history = Rc::new(history);
                    }
                    Err(e) => s.notice = Some(Notice::Edit(e)),
                }
            }
            Action::Example(user) => {
                if let Some(ex) = s
                    .manifest
                    .as_ref()
                    .and_then(|m| m.examples.iter().find(|e| e.user == user))
                {
                    s.history = Rc::new(ex.history.clone());
                    s.example_user = Some(user);
                    s.query = None;
                    s.notice = None;
                    s.link_note = None;
                }
            }
            Action::Query(q) => {
                s.query = q.filter(|&q| q + 1 < s.history.len());
            }
            Action::SetLayer(l) => {
                if s.manifest.as_ref().is_some_and(|m| l < m.n_layers) {
                    s.layer = l;
                }
            }
            Action::SetHead(h) => s.head = h,
            Action::Notice(n) => s.notice = n,
            Action::SetExplain(open) => s.explain = open,
            Action::RunStarted(seq) => s.run.request(seq),
            Action::RunFinished { seq, result } => {
                if !s.run.finish(seq, result) {
                    return self;
                }
            }
        }
        Rc::new(s)
    }
}

/// A callback that dispatches the action `make` builds from its value.
pub fn send<T: 'static>(
    dispatch: &UseReducerDispatcher<RecState>,
    make: fn(T) -> Action,
) -> Callback<T> {
    let dispatch = dispatch.clone();
    Callback::from(move |v| dispatch.dispatch(make(v)))
}
