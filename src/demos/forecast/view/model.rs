//! The forecast view's model work: the manifest through the shared `use_model`, each series' own
//! small graph loaded when its series is shown, and one forecast run per change of the input.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use super::state::{Action, Outcome, Problem, State};
use crate::demos::forecast::{
    denormalise, missing_outputs, normalise, window_before, with_edits, ForecastManifest,
    LayerAttention, Series, MODEL_DIR,
};
use crate::protocol::{InputSpec, Tensor};
use crate::ui::model::DemoManifest;
use crate::ui::worker_client::{infer, load_graph, GraphSource, Runner};

/// The worker keeps each series' graph under its own key, so switching back loads nothing.
fn graph_key(series: &str) -> String {
    format!("forecast-{series}")
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// The graph of one series: its file, the size the manifest gives, a window of `window` values.
fn series_graph(dir: &str, series: &Series, window: usize) -> GraphSource {
    let inputs = vec![InputSpec::f32("window", &["batch", &window.to_string()])];
    GraphSource {
        onnx_bytes: Some(series.onnx_bytes),
        ..GraphSource::new(
            &graph_key(&series.id),
            format!("{dir}{}", series.onnx),
            inputs,
        )
    }
}

impl DemoManifest for ForecastManifest {
    fn parse(json: &str) -> Result<Self, String> {
        ForecastManifest::parse(json)
    }

    /// None: `use_model` reads only the manifest here. Each series has its own graph, and which
    /// one is shown first depends on the link, which is read against the manifest; loading one
    /// at mount would download a series the link may not show. [`load_series`] loads the shown
    /// series' graph instead, at start and whenever the reader picks another, through the same
    /// `load_graph` (size checked, kept in the worker).
    fn graphs(&self, _dir: &str) -> Vec<GraphSource> {
        Vec::new()
    }
}

/// Loads `series`' graph into the worker and checks that it gives what the page draws.
pub async fn load_series(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    series: Series,
    window: usize,
) {
    let id = series.id.clone();
    let total = series.onnx_bytes;
    let source = series_graph(MODEL_DIR, &series, window);
    let progress = |loaded| dispatch.dispatch(Action::Progress(id.clone(), loaded, total));
    let action = match load_graph(&runner, &source, progress).await {
        Ok(summary) => {
            let missing = missing_outputs(&summary.outputs);
            if missing.is_empty() {
                Action::ModelReady(id)
            } else {
                let missing = missing.join(", ");
                let url = source.onnx;
                Action::ModelFailed(id, Problem::NotForecaster { url, missing })
            }
        }
        Err(e) => Action::ModelFailed(id, Problem::Text(e)),
    };
    dispatch.dispatch(action);
}

/// What one forecast run reads: the series with the reader's edits, from a point in time.
pub struct RunInput {
    pub manifest: Rc<ForecastManifest>,
    pub series: Series,
    pub origin: usize,
    pub edits: Rc<BTreeMap<usize, f64>>,
}

/// The forecast and every layer's attention from the graph's outputs.
fn read_outputs(
    out: &[Tensor],
    m: &ForecastManifest,
) -> Result<(Vec<f32>, Vec<LayerAttention>), Problem> {
    let forecast = Tensor::find(out, "forecast")
        .and_then(Tensor::as_f32)
        .filter(|f| f.len() == m.horizon)
        .ok_or(Problem::NoForecast)?;
    let layers = (0..m.n_layers)
        .map(|l| {
            let t = Tensor::find(out, &format!("layer{l}.weights")).ok_or(Problem::BadAttention)?;
            let data = t.as_f32().ok_or(Problem::BadAttention)?.to_vec();
            LayerAttention::new(&t.shape, data, m.window, m.horizon)
                .map_err(|_| Problem::BadAttention)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((forecast.to_vec(), layers))
}

/// Runs the model on the window before `input.origin` and reports the result as run `seq`.
pub async fn run_forecast(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    seq: u64,
    input: RunInput,
) {
    let RunInput {
        manifest,
        series,
        origin,
        edits,
    } = input;
    let started = now_ms();
    let values = with_edits(&series.values, &edits);
    let Ok(window) = window_before(&values, origin, manifest.window) else {
        return; // shown by the page without asking the model
    };
    let norm = normalise(window, manifest.scale_floor);
    let mut wanted = vec!["forecast".to_owned()];
    wanted.extend((0..manifest.n_layers).map(|l| format!("layer{l}.weights")));
    let input = Tensor::f32("window", vec![1, manifest.window], norm.z.clone());
    let result = match infer(&runner, &graph_key(&series.id), vec![input], Some(wanted)).await {
        Ok(out) => read_outputs(&out, &manifest).map(|(forecast, layers)| Outcome {
            series: series.id.clone(),
            origin,
            edits,
            forecast: Rc::new(denormalise(&forecast, norm.mean, norm.scale)),
            mean: norm.mean,
            scale: norm.scale,
            layers: Rc::new(layers),
            latency_ms: now_ms() - started,
        }),
        Err(e) => Err(Problem::Text(e.to_string())),
    };
    dispatch.dispatch(Action::Finished(seq, result));
}
