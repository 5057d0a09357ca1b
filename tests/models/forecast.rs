//! The forecasters' numbers are true: our normalisation, tract's forecast and attention, our
//! denormalisation and our seasonal-naive baseline, each against what PyTorch / NumPy computed
//! when `models/forecast/train.py` exported the models.

use std::collections::HashMap;

use attention_playground::demos::forecast::{
    denormalise, normalise, seasonal_naive, window_before, ForecastManifest, LayerAttention,
    WindowError,
};
use attention_playground::graph::GraphRunner;
use attention_playground::protocol::{InputSpec, ModelError, Tensor};
use serde::Deserialize;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/forecast");

#[derive(Deserialize)]
struct Golden {
    tolerance: f64,
    window: usize,
    horizon: usize,
    scale_floor: f64,
    output_names: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    series: String,
    name: String,
    origin: Option<usize>,
    raw_window: Vec<f64>,
    mean: f64,
    scale: f64,
    /// The normalised window, float32: the model's input.
    window: Vec<f32>,
    forecast_units: Vec<f64>,
    seasonal_naive: Option<Vec<f64>>,
    outputs: HashMap<String, GoldenTensor>,
}

#[derive(Deserialize)]
struct GoldenTensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

fn golden() -> Golden {
    let text = std::fs::read_to_string(format!("{MODEL_DIR}/golden.json")).expect("golden.json");
    serde_json::from_str(&text).expect("golden.json parses")
}

fn manifest() -> ForecastManifest {
    let text =
        std::fs::read_to_string(format!("{MODEL_DIR}/manifest.json")).expect("manifest.json");
    ForecastManifest::parse(&text).expect("manifest.json is valid")
}

fn load(onnx: &str, window: usize) -> GraphRunner {
    let bytes = std::fs::read(format!("{MODEL_DIR}/{onnx}")).expect("onnx file");
    GraphRunner::load(
        &bytes,
        None,
        &[InputSpec::f32("window", &["batch", &window.to_string()])],
    )
    .expect("loads")
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn the_manifest_matches_the_golden_contract() {
    let (m, g) = (manifest(), golden());
    assert_eq!((m.window, m.horizon), (g.window, g.horizon));
    assert_eq!(m.scale_floor, g.scale_floor);
    assert_eq!(m.series.len(), 3);
    for s in &m.series {
        let size = std::fs::metadata(format!("{MODEL_DIR}/{}", s.onnx))
            .expect("onnx file")
            .len();
        assert_eq!(size, s.onnx_bytes, "{}", s.id);
        assert!(s.test_start > m.window && s.test_start < s.values.len());
    }
}

#[test]
fn normalisation_windows_and_baseline_match_python() {
    let (m, g) = (manifest(), golden());
    for case in &g.cases {
        let series = m.find(&case.series).expect("series in manifest");
        if let Some(origin) = case.origin {
            // the golden window is the one the page cuts from the shipped values
            let w = window_before(&series.values, origin, m.window).expect("valid origin");
            assert_eq!(
                w,
                case.raw_window.as_slice(),
                "{} {}",
                case.series,
                case.name
            );
            let naive = seasonal_naive(&series.values[..origin], m.horizon, series.period)
                .expect("long enough");
            let want = case.seasonal_naive.as_ref().expect("baseline stored");
            assert_eq!(&naive, want, "{} {}", case.series, case.name);
        }
        let n = normalise(&case.raw_window, m.scale_floor);
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1.0);
        assert!(rel(n.mean, case.mean) < 1e-12, "{} mean", case.name);
        assert!(rel(n.scale, case.scale) < 1e-12, "{} scale", case.name);
        let d = max_abs_diff(&n.z, &case.window);
        assert!(d <= 1e-6, "{} {}: z differs by {d}", case.series, case.name);
    }
}

#[test]
fn tract_forecasts_and_attention_match_pytorch() {
    let (m, g) = (manifest(), golden());
    let tol = g.tolerance as f32;
    let mut checked = 0;
    let mut worst = 0.0f32;
    for series in &m.series {
        let runner = load(&series.onnx, m.window);
        for case in g.cases.iter().filter(|c| c.series == series.id) {
            let out = runner
                .run(
                    vec![Tensor::f32(
                        "window",
                        vec![1, m.window],
                        case.window.clone(),
                    )],
                    None,
                )
                .expect("runs");
            for name in &g.output_names {
                let got = Tensor::find(&out, name).expect("output present");
                let want = &case.outputs[name];
                assert_eq!(got.shape, want.shape, "{} {} {name}", series.id, case.name);
                let d = max_abs_diff(got.as_f32().expect("f32"), &want.data);
                assert!(d <= tol, "{} {} {name}: max |Δ| {d}", series.id, case.name);
                worst = worst.max(d);
            }
            // every row of attention is a distribution over the past steps
            for l in 0..m.n_layers {
                let w = Tensor::find(&out, &format!("layer{l}.weights")).expect("weights");
                let a = LayerAttention::new(
                    &w.shape,
                    w.as_f32().expect("f32").to_vec(),
                    m.window,
                    m.horizon,
                )
                .expect("shape");
                for step in 0..m.horizon {
                    let sum: f32 = a.forecast_row(None, step).iter().sum();
                    assert!((sum - 1.0).abs() < 1e-5);
                }
            }
            // back in the series' units, compared in units of the window's scale
            let forecast = Tensor::find(&out, "forecast")
                .and_then(Tensor::as_f32)
                .expect("forecast");
            let n = normalise(&case.raw_window, m.scale_floor);
            let units = denormalise(forecast, n.mean, n.scale);
            for (a, b) in units.iter().zip(&case.forecast_units) {
                assert!(
                    (a - b).abs() / n.scale <= g.tolerance,
                    "{} {}: {a} vs {b}",
                    series.id,
                    case.name
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, g.cases.len());
    eprintln!("forecast: tract vs PyTorch, largest |Δ| over {checked} cases: {worst:.2e}");
}

#[test]
fn a_batch_of_windows_gives_the_same_rows() {
    let (m, g) = (manifest(), golden());
    let series = &m.series[0];
    let runner = load(&series.onnx, m.window);
    let cases: Vec<&Case> = g.cases.iter().filter(|c| c.series == series.id).collect();
    let data: Vec<f32> = cases.iter().flat_map(|c| c.window.clone()).collect();
    let wanted = vec!["forecast".to_owned()];
    let out = runner
        .run(
            vec![Tensor::f32("window", vec![cases.len(), m.window], data)],
            Some(&wanted),
        )
        .expect("runs");
    assert_eq!(out.len(), 1);
    let forecast = out[0].as_f32().expect("f32");
    for (i, c) in cases.iter().enumerate() {
        let row = &forecast[i * m.horizon..(i + 1) * m.horizon];
        let d = max_abs_diff(row, &c.outputs["forecast"].data);
        assert!(d <= g.tolerance as f32, "{}: {d}", c.name);
    }
}

#[test]
fn windows_at_the_start_and_wrong_inputs_are_refused_in_words() {
    let m = manifest();
    let series = &m.series[0];
    let err = window_before(&series.values, 10, m.window).expect_err("too short");
    assert_eq!(
        err,
        WindowError::TooShort {
            available: 10,
            needed: m.window
        }
    );
    assert!(err.to_string().contains("later point"));

    let runner = load(&series.onnx, m.window);
    // a window of the wrong length: tract refuses it and the error is a value
    let short = runner.run(vec![Tensor::f32("window", vec![1, 5], vec![0.0; 5])], None);
    assert!(short.is_err());
    let mismatch = runner.run(vec![Tensor::f32("window", vec![1, 36], vec![0.0; 5])], None);
    assert!(matches!(mismatch, Err(ModelError::BadInput(_))));
}
