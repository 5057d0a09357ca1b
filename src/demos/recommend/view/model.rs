//! How the view gets and runs its model: the manifest names the graph for
//! [`use_model`], the catalogue (`items.json`) comes alongside it, the graph must have the outputs
//! the page reads, and one run turns a history into a [`RecResult`].

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::state::{Action, RecResult, RecState};
use crate::demos::recommend::{
    input_specs, top_k_excluding, weights_output, Catalogue, ModelInput, RecManifest, INPUT_ITEMS,
    INPUT_POSITION, OUTPUT_SCORES, TOP_K,
};
use crate::protocol::{GraphSummary, Tensor};
use crate::ui::fetch::fetch_bytes_cached;
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::worker_client::{infer, GraphSource, Runner};

/// Where the model lives, relative to the page so the site works under a sub-path.
const MODEL_DIR: &str = "models/recommend/";
/// The worker's name for the graph.
const KEY: &str = "recommend";

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// `file?v=<hash>`: a new file gets a new URL, so no cache serves an old copy.
fn versioned(dir: &str, file: &str, sha256: &str) -> String {
    let v: String = sha256.chars().take(12).collect();
    if v.is_empty() {
        format!("{dir}{file}")
    } else {
        format!("{dir}{file}?v={v}")
    }
}

impl DemoManifest for RecManifest {
    fn parse(json: &str) -> Result<Self, String> {
        RecManifest::parse(json)
    }

    fn graphs(&self, dir: &str) -> Vec<GraphSource> {
        vec![GraphSource {
            onnx_bytes: Some(self.onnx_bytes),
            cache: true,
            ..GraphSource::new(
                KEY,
                versioned(dir, &self.onnx, &self.onnx_sha256),
                input_specs(self.window),
            )
        }]
    }
}

/// Reads the catalogue and checks it against the manifest's item count.
async fn load_catalogue(manifest: Rc<RecManifest>, dispatch: UseReducerDispatcher<RecState>) {
    let items_url = versioned(MODEL_DIR, &manifest.items, &manifest.items_sha256);
    let catalogue = fetch_bytes_cached(&items_url, |_| ()).await.and_then(|b| {
        String::from_utf8(b)
            .map_err(|_| t!("recommend.err.not_text", url = items_url).into_owned())
            .and_then(|t| Catalogue::from_json(&t))
    });
    let catalogue = match catalogue {
        Ok(c) if c.len() + 1 == manifest.n_ids => c.with_popularity(&manifest.popularity),
        Ok(c) => {
            let message = t!(
                "recommend.err.items_mismatch",
                n = c.len(),
                expected = manifest.n_ids - 1
            );
            return dispatch.dispatch(Action::LoadFailed(message.into_owned()));
        }
        Err(e) => return dispatch.dispatch(Action::LoadFailed(e)),
    };
    dispatch.dispatch(Action::Loaded(manifest, Rc::new(catalogue)));
}

/// The loaded graph is a recommender only if it has every output the page reads.
fn check_graph(manifest: &RecManifest, graph: Option<&GraphSummary>) -> Action {
    let missing: Vec<String> = manifest
        .outputs()
        .into_iter()
        .filter(|o| !graph.is_some_and(|g| g.outputs.contains(o)))
        .collect();
    if missing.is_empty() {
        Action::GraphReady
    } else {
        let message = t!(
            "recommend.err.not_recommender",
            outputs = missing.join(", ")
        );
        Action::LoadFailed(message.into_owned())
    }
}

/// Loads the model and the catalogue side by side; the view is ready when both are in.
#[hook]
pub fn use_recommender(dispatch: UseReducerDispatcher<RecState>) {
    use_model::<RecManifest>(
        MODEL_DIR,
        Callback::from(move |event| match event {
            ModelEvent::Manifest(manifest) => {
                spawn_local(load_catalogue(manifest, dispatch.clone()));
            }
            ModelEvent::Progress { loaded, total } => {
                dispatch.dispatch(Action::Progress { loaded, total })
            }
            ModelEvent::Loaded(manifest, graphs) => {
                dispatch.dispatch(check_graph(&manifest, graphs.first()))
            }
            ModelEvent::Failed(e) => dispatch.dispatch(Action::LoadFailed(e)),
        }),
    );
}

/// Runs the model for `history`, scoring what comes after history item `query`.
pub async fn run(
    runner: Runner,
    dispatch: UseReducerDispatcher<RecState>,
    manifest: Rc<RecManifest>,
    seq: u64,
    history: Rc<Vec<u32>>,
    query: usize,
) {
    let started = now_ms();
    let input = ModelInput::new(&history, manifest.window);
    let slot = input.slot_of(query).unwrap_or(manifest.window - 1);
    let tensors = vec![
        Tensor::i64(
            INPUT_ITEMS,
            vec![1, manifest.window],
            input.item_ids.clone(),
        ),
        Tensor::i64(INPUT_POSITION, vec![1], vec![slot as i64]),
    ];
    let result = match infer(&runner, KEY, tensors, Some(manifest.outputs())).await {
        Ok(out) => {
            let scores = Tensor::find(&out, OUTPUT_SCORES).and_then(Tensor::as_f32);
            match scores {
                Some(scores) if scores.len() == manifest.n_ids => {
                    // Everything watched up to the inspected item is never recommended.
                    let seen = &history[..=query.min(history.len() - 1)];
                    let top = top_k_excluding(scores, seen, TOP_K);
                    let weights = (0..manifest.n_layers)
                        .filter_map(|l| Tensor::find(&out, &weights_output(l)).cloned())
                        .collect::<Vec<_>>();
                    if weights.len() == manifest.n_layers {
                        Ok(Rc::new(RecResult {
                            history,
                            query,
                            input,
                            top,
                            weights,
                            latency_ms: now_ms() - started,
                        }))
                    } else {
                        Err(t!("recommend.err.no_weights").into_owned())
                    }
                }
                _ => Err(t!("recommend.err.scores_shape").into_owned()),
            }
        }
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::RunFinished { seq, result });
}
