//! The digits view's state and the only way it changes: [`Action`]s through a reducer.

use std::rc::Rc;

use rust_i18n::t;
use yew::Reducible;

use super::digit_canvas::Stroke;
use crate::demos::digits::{levels_to_pixels, DigitsManifest, DigitsView, LayerWeights, ViewImage};
use crate::ui::latest::Latest;
use crate::ui::model::LoadState;

/// Where the 8×8 image comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Drawing(Rc<Vec<Stroke>>),
    /// Index into the manifest's test images.
    Example(usize),
    /// A drawing from a link: its 64 levels 0–16 (the strokes are not in the link).
    Shared(Rc<Vec<u8>>),
}

/// Why the model could not be loaded or run. Kept as a value and put into words when shown, so
/// a language switch translates it too.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Said by the worker, the download or the core, already in words.
    Text(String),
    NotDigitsModel(String),
    NoProbabilities,
    NoAttention(usize),
}

impl Problem {
    pub fn text(&self) -> String {
        match self {
            Problem::Text(e) => e.clone(),
            Problem::NotDigitsModel(url) => {
                t!("digits.error.not_digits_model", url = url).into_owned()
            }
            Problem::NoProbabilities => t!("digits.error.no_probs").into_owned(),
            Problem::NoAttention(l) => t!("digits.error.no_attention", n = l + 1).into_owned(),
        }
    }
}

/// One run's answer, for the image it was asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub pixels: Rc<Vec<f32>>,
    pub probs: Rc<Vec<f32>>,
    pub layers: Rc<Vec<LayerWeights>>,
    /// [CLS]'s row of the rollout, the 16 patches.
    pub rollout: Rc<Vec<f32>>,
    pub latency_ms: f64,
}

/// Where the model is (see [`LoadState`] for why not `ModelStatus`: here the status bar says
/// the manifest's size and accuracy).
pub type ModelState = LoadState<Problem>;

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub manifest: Option<Rc<DigitsManifest>>,
    pub model: ModelState,
    pub source: Source,
    pub layer: usize,
    /// `None`: the average of the heads.
    pub head: Option<usize>,
    /// "Does attention explain this?" is open.
    pub explain: bool,
    pub run: Latest<Outcome, Problem>,
    /// Parts of the link that could not be used (see [`DigitsView::read`]).
    pub link_bad: Vec<&'static str>,
}

pub enum Action {
    /// The manifest, and the view its link asks for with the parts that could not be used.
    ManifestLoaded(Rc<DigitsManifest>, DigitsView, Vec<&'static str>),
    Progress(u64, u64),
    Ready,
    Failed(Problem),
    Stroke(Stroke),
    Clear,
    Pick(usize),
    Select(usize, Option<usize>),
    Requested(u64),
    Finished(u64, Result<Outcome, Problem>),
    SetExplain(bool),
}

impl Default for State {
    fn default() -> Self {
        Self {
            manifest: None,
            model: ModelState::Loading {
                loaded: 0,
                total: 0,
            },
            source: Source::Drawing(Rc::default()),
            layer: 1,
            head: None,
            explain: false,
            run: Latest::default(),
            link_bad: Vec::new(),
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ManifestLoaded(m, view, bad) => {
                s.source = match view.image {
                    ViewImage::Empty => Source::Drawing(Rc::default()),
                    ViewImage::Example(i) => Source::Example(i),
                    ViewImage::Pixels(levels) => Source::Shared(Rc::new(levels)),
                };
                s.layer = view.layer;
                s.head = view.head;
                s.explain = view.explain;
                s.link_bad = bad;
                s.manifest = Some(m);
            }
            Action::Progress(loaded, total) => s.model = ModelState::Loading { loaded, total },
            Action::Ready => s.model = ModelState::Ready,
            Action::Failed(e) => s.model = ModelState::Failed(e),
            Action::Stroke(stroke) => {
                let mut strokes = (*s.strokes()).clone();
                strokes.push(stroke);
                s.source = Source::Drawing(Rc::new(strokes));
            }
            Action::Clear => {
                s.source = Source::Drawing(Rc::default());
                s.run.outcome = None;
            }
            Action::Pick(i) => s.source = Source::Example(i),
            Action::Select(l, h) => {
                s.layer = l;
                s.head = h;
            }
            Action::Requested(seq) => s.run.request(seq),
            Action::SetExplain(open) => s.explain = open,
            Action::Finished(seq, result) => {
                if !s.run.finish(seq, result) {
                    return self;
                }
            }
        }
        Rc::new(s)
    }
}

impl State {
    /// The strokes on the canvas: none unless the image is a drawing made here.
    pub fn strokes(&self) -> Rc<Vec<Stroke>> {
        match &self.source {
            Source::Drawing(strokes) => strokes.clone(),
            Source::Example(_) | Source::Shared(_) => Rc::default(),
        }
    }

    /// A drawing from a link, drawn faintly behind the canvas (the link has no strokes).
    pub fn backdrop(&self) -> Option<Rc<Vec<f32>>> {
        match &self.source {
            Source::Shared(levels) => Some(Rc::new(levels_to_pixels(levels))),
            Source::Drawing(_) | Source::Example(_) => None,
        }
    }

    /// The test image on screen, as its index into the manifest's examples.
    pub fn picked(&self) -> Option<usize> {
        match self.source {
            Source::Example(i) => Some(i),
            Source::Drawing(_) | Source::Shared(_) => None,
        }
    }
}
