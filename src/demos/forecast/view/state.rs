//! The forecast view's state: the manifest, what the reader has chosen (series, point in time,
//! edited values, step, layer, head), where the chosen series' model is, and the newest run.

use std::collections::BTreeMap;
use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::forecast::{ForecastManifest, ForecastView, LayerAttention, Series};
use crate::maths::WhatIf;
use crate::route::{write_what_if, Demo, Route};
use crate::ui::latest::Latest;
use crate::ui::model::LoadState;

/// Why a model could not be loaded or run. Kept as a value and put into words when shown, so a
/// language switch translates it too.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Said by the worker or the download, already in words.
    Text(String),
    NotForecaster {
        url: String,
        missing: String,
    },
    NoForecast,
    BadAttention,
}

impl Problem {
    pub fn text(&self) -> String {
        match self {
            Problem::Text(e) => e.clone(),
            Problem::NotForecaster { url, missing } => t!(
                "forecast.error.not_forecaster",
                url = url,
                missing = missing
            )
            .into_owned(),
            Problem::NoForecast => t!("forecast.error.no_forecast").into_owned(),
            Problem::BadAttention => t!("forecast.error.bad_attention").into_owned(),
        }
    }
}

/// What the model gave for one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The input it was run on: series, origin and the edits at the time.
    pub series: String,
    pub origin: usize,
    pub edits: Rc<BTreeMap<usize, f64>>,
    /// (H,) in the series' units.
    pub forecast: Rc<Vec<f64>>,
    pub mean: f64,
    pub scale: f64,
    pub layers: Rc<Vec<LayerAttention>>,
    pub latency_ms: f64,
}

/// Where the chosen series' model is (see [`LoadState`] for why not `ModelStatus`).
pub type ModelState = LoadState<Problem>;

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub manifest: Option<Rc<ForecastManifest>>,
    pub manifest_error: Option<String>,
    pub series: String,
    pub origin: usize,
    pub edits: Rc<BTreeMap<usize, f64>>,
    pub layer: usize,
    /// `None`: the average of the heads.
    pub head: Option<usize>,
    pub step: usize,
    pub model: ModelState,
    /// The newest forecast run; older answers are dropped.
    pub run: Latest<Outcome, Problem>,
    /// Parts of the link that could not be used (see [`ForecastView::read`]).
    pub link_bad: Vec<&'static str>,
}

pub enum Action {
    /// The manifest, and the view its link asks for with the parts that could not be used.
    ManifestLoaded(Rc<ForecastManifest>, ForecastView, Vec<&'static str>),
    ManifestFailed(String),
    /// A series' model download: (series, loaded, total). Events of another series than the one
    /// on screen (the reader switched while it loaded) are ignored.
    Progress(String, u64, u64),
    ModelReady(String),
    ModelFailed(String, Problem),
    SetSeries(String),
    SetOrigin(usize),
    Edit(usize, f64),
    ResetEdits,
    SetLayer(usize),
    SetHead(Option<usize>),
    SetStep(usize),
    Requested(u64),
    Finished(u64, Result<Outcome, Problem>),
}

impl Default for State {
    fn default() -> Self {
        Self {
            manifest: None,
            manifest_error: None,
            series: String::new(),
            origin: 0,
            edits: Rc::default(),
            layer: 1,
            head: None,
            step: 0,
            model: ModelState::default(),
            run: Latest::default(),
            link_bad: Vec::new(),
        }
    }
}

impl State {
    /// The series on screen (none before the manifest).
    pub fn current(&self) -> Option<&Series> {
        self.manifest.as_ref()?.find(&self.series)
    }

    /// The link to exactly this view, what-if settings included; `None` until the manifest is
    /// read (the link the page was opened with stays until then).
    pub fn to_link(&self, whatif: &WhatIf) -> Option<String> {
        let m = self.manifest.as_ref()?;
        let mut route = Route::of(Demo::Forecast);
        ForecastView {
            series: self.series.clone(),
            origin: self.origin,
            step: self.step.min(m.horizon.saturating_sub(1)),
            layer: self.layer,
            head: self.head,
        }
        .write(&mut route);
        write_what_if(&mut route, whatif);
        Some(route.to_string())
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ManifestLoaded(m, view, bad) => {
                s.series = view.series;
                s.origin = view.origin;
                s.step = view.step;
                s.layer = view.layer;
                s.head = view.head;
                s.link_bad = bad;
                s.manifest = Some(m);
            }
            Action::ManifestFailed(e) => s.manifest_error = Some(e),
            Action::Progress(id, loaded, total) if id == s.series => {
                s.model = ModelState::Loading { loaded, total }
            }
            Action::ModelReady(id) if id == s.series => s.model = ModelState::Ready,
            Action::ModelFailed(id, e) if id == s.series => s.model = ModelState::Failed(e),
            Action::Progress(..) | Action::ModelReady(_) | Action::ModelFailed(..) => {}
            Action::SetSeries(id) => {
                if let Some(series) = s.manifest.as_ref().and_then(|m| m.find(&id)) {
                    s.origin = series.test_start;
                    s.series = id;
                    s.edits = Rc::default();
                    s.run.outcome = None;
                    s.run.error = None;
                    s.model = ModelState::default();
                }
            }
            Action::SetOrigin(t) => {
                let n = s.current().map_or(0, |c| c.values.len());
                s.origin = t.min(n);
            }
            Action::Edit(i, v) => {
                if v.is_finite() {
                    let original = s.current().and_then(|c| c.values.get(i).copied());
                    let mut edits = (*s.edits).clone();
                    match original {
                        Some(o) if (o - v).abs() < 1e-12 => {
                            edits.remove(&i);
                        }
                        Some(_) => {
                            edits.insert(i, v);
                        }
                        None => {}
                    }
                    s.edits = Rc::new(edits);
                }
            }
            Action::ResetEdits => s.edits = Rc::default(),
            Action::SetLayer(l) => s.layer = l,
            Action::SetHead(h) => s.head = h,
            Action::SetStep(h) => s.step = h,
            Action::Requested(seq) => s.run.request(seq),
            Action::Finished(seq, result) => {
                if !s.run.finish(seq, result) {
                    return self;
                }
            }
        }
        Rc::new(s)
    }
}
