//! The one way a view loads its model: `manifest.json` → downloads with progress → size check →
//! worker load → ready or failed. Every demo calls [`use_model`] with its own manifest type and
//! hears each stage as a [`ModelEvent`]; what a demo then checks (outputs it needs, a probe run)
//! is its own.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use super::fetch::fetch_text;
use super::worker_client::{load_graph, GraphSource, Runner};
use crate::protocol::GraphSummary;
use crate::worker::AttentionWorker;

/// What the status bar says about a model that is ready.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSummary {
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub max_len: usize,
}

/// Where a view's model is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    Loading { loaded: u64, total: u64 },
    Ready(ModelSummary),
    Failed(String),
}

impl Default for ModelStatus {
    fn default() -> Self {
        ModelStatus::Loading {
            loaded: 0,
            total: 0,
        }
    }
}

impl ModelStatus {
    pub fn is_ready(&self) -> bool {
        matches!(self, ModelStatus::Ready(_))
    }
}

/// Where a model is, for views whose status line needs no [`ModelSummary`] and whose failure
/// is a typed problem of their own, put into words when shown (so a language switch translates
/// it): digits and forecast.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadState<E> {
    Loading { loaded: u64, total: u64 },
    Ready,
    Failed(E),
}

impl<E> Default for LoadState<E> {
    fn default() -> Self {
        LoadState::Loading {
            loaded: 0,
            total: 0,
        }
    }
}

/// A demo's `manifest.json`: parsed, and naming the graphs to load into the worker.
pub trait DemoManifest: Sized + 'static {
    /// Parses the manifest; the error is a sentence for the page.
    fn parse(json: &str) -> Result<Self, String>;
    /// The graphs to load, in order, with URLs relative to the page (`dir` is the demo's model
    /// folder, e.g. `models/langid/`).
    fn graphs(&self, dir: &str) -> Vec<GraphSource>;
}

/// One stage of [`use_model`]'s loading, in the order they come.
#[derive(Debug)]
pub enum ModelEvent<M> {
    /// The manifest is read; downloads start.
    Manifest(Rc<M>),
    /// Bytes received so far over every file, and the total the manifest announced (0 if none).
    Progress { loaded: u64, total: u64 },
    /// Every graph is in the worker (in the order of [`DemoManifest::graphs`]).
    Loaded(Rc<M>, Vec<GraphSummary>),
    /// A sentence saying what went wrong.
    Failed(String),
}

/// Loads the demo's model once, when the view mounts, and reports each stage to `on_event`.
/// A graph the worker already holds (the user came back to the view) is not downloaded again.
#[hook]
pub fn use_model<M: DemoManifest>(dir: &'static str, on_event: Callback<ModelEvent<M>>) {
    let runner = use_oneshot_runner::<AttentionWorker>();
    use_effect_with((), move |_| spawn_local(load::<M>(runner, dir, on_event)));
}

/// Generic only where it must be (parsing and naming the graphs): the downloads and the worker
/// requests are [`load_graphs`], compiled once for every demo (a generic async fn is a state
/// machine per manifest type, ~17 KB of page wasm each).
async fn load<M: DemoManifest>(runner: Runner, dir: &str, on_event: Callback<ModelEvent<M>>) {
    let manifest = match fetch_text(&format!("{dir}manifest.json"))
        .await
        .and_then(|t| M::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return on_event.emit(ModelEvent::Failed(e)),
    };
    on_event.emit(ModelEvent::Manifest(manifest.clone()));
    let progress = on_event.reform(|(loaded, total)| ModelEvent::Progress { loaded, total });
    let loaded = load_graphs(runner, manifest.graphs(dir), progress).await;
    if loaded.is_ok() {
        announce_model_loaded();
    }
    on_event.emit(match loaded {
        Ok(summaries) => ModelEvent::Loaded(manifest, summaries),
        Err(e) => ModelEvent::Failed(e),
    });
}

/// Tells index.html that a model is in the worker: the app's files and this model are all in the
/// browser's HTTP cache now, so the offline service worker registered then copies them from there
/// instead of downloading them a second time.
fn announce_model_loaded() {
    if let Ok(event) = web_sys::Event::new("ap-model-loaded") {
        let _ = gloo::utils::window().dispatch_event(&event);
    }
}

/// Loads `graphs` in order, reporting `(loaded, total)` bytes over all of them.
async fn load_graphs(
    runner: Runner,
    graphs: Vec<GraphSource>,
    progress: Callback<(u64, u64)>,
) -> Result<Vec<GraphSummary>, String> {
    let total: u64 = graphs.iter().map(GraphSource::expected_bytes).sum();
    let mut done = 0;
    let mut summaries = Vec::with_capacity(graphs.len());
    for graph in graphs {
        let summary = load_graph(&runner, &graph, |loaded| {
            progress.emit((done + loaded, total))
        })
        .await?;
        summaries.push(summary);
        done += graph.expected_bytes();
    }
    Ok(summaries)
}

/// The sentence for a file whose size is not the one its manifest gives (a cut download, or a
/// file replaced without its manifest).
pub fn damaged_file(url: &str, got: usize, expected: u64) -> String {
    t!(
        "error.damaged_file",
        url = url,
        got = got,
        expected = expected
    )
    .into_owned()
}
