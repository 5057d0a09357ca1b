//! The tiny vision transformer's numbers are true: tract's probabilities and attention, and our
//! own attention rollout, against what PyTorch / NumPy computed when `models/digits/train.py`
//! exported the model.

use std::collections::HashMap;

use attention_playground::demos::digits::{
    argmax, cls_rollout, input_specs, is_blank, rollout, DigitsManifest, LayerWeights, SEQ,
};
use attention_playground::graph::GraphRunner;
use attention_playground::protocol::Tensor;
use serde::Deserialize;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/digits");

#[derive(Deserialize)]
struct Golden {
    tolerance: f64,
    output_names: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    /// [batch × 64], 0–16
    pixels: Vec<f32>,
    predicted: Vec<usize>,
    rollout: GoldenTensor<f64>,
    outputs: HashMap<String, GoldenTensor<f32>>,
}

#[derive(Deserialize)]
struct GoldenTensor<T> {
    shape: Vec<usize>,
    data: Vec<T>,
}

fn golden() -> Golden {
    let text = std::fs::read_to_string(format!("{MODEL_DIR}/golden.json")).expect("golden.json");
    serde_json::from_str(&text).expect("golden.json parses")
}

fn manifest() -> DigitsManifest {
    let text =
        std::fs::read_to_string(format!("{MODEL_DIR}/manifest.json")).expect("manifest.json");
    DigitsManifest::parse(&text).expect("manifest.json is valid")
}

fn runner() -> GraphRunner {
    let bytes = std::fs::read(format!("{MODEL_DIR}/model.onnx")).expect("model.onnx");
    GraphRunner::load(&bytes, None, &input_specs()).expect("loads")
}

fn run(runner: &GraphRunner, pixels: &[f32]) -> Vec<Tensor> {
    runner
        .run(
            vec![Tensor::f32(
                "pixels",
                vec![pixels.len() / 64, 64],
                pixels.to_vec(),
            )],
            None,
        )
        .expect("runs")
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn tract_matches_pytorch_on_every_case() {
    let g = golden();
    let runner = runner();
    let mut worst = 0.0f32;
    for case in &g.cases {
        let out = run(&runner, &case.pixels);
        for name in &g.output_names {
            let got = Tensor::find(&out, name).expect("output present");
            let want = &case.outputs[name];
            assert_eq!(got.shape, want.shape, "{} {name}", case.name);
            let d = max_abs_diff(got.as_f32().expect("f32"), &want.data);
            assert!(d <= g.tolerance as f32, "{} {name}: max |Δ| {d}", case.name);
            worst = worst.max(d);
        }
        let probs = Tensor::find(&out, "probs")
            .and_then(Tensor::as_f32)
            .expect("probs");
        let predicted: Vec<usize> = probs
            .chunks(10)
            .map(|p| argmax(p).expect("finite"))
            .collect();
        assert_eq!(predicted, case.predicted, "{}", case.name);
    }
    eprintln!("digits: tract vs PyTorch, largest |Δ|: {worst:.2e}");
}

#[test]
fn our_rollout_matches_python_on_tracts_attention() {
    let g = golden();
    let runner = runner();
    let mut worst = 0.0f64;
    for case in &g.cases {
        let out = run(&runner, &case.pixels);
        let batch = case.pixels.len() / 64;
        for b in 0..batch {
            let layers: Vec<LayerWeights> = (0..2)
                .map(|l| {
                    let w = Tensor::find(&out, &format!("layer{l}.weights")).expect("weights");
                    let heads = w.shape[1];
                    let per = heads * SEQ * SEQ;
                    let data = w.as_f32().expect("f32")[b * per..(b + 1) * per].to_vec();
                    LayerWeights::new(&[1, heads, SEQ, SEQ], data).expect("shape")
                })
                .collect();
            let ours = rollout(&layers);
            assert_eq!(case.rollout.shape, vec![batch, SEQ, SEQ]);
            let want = &case.rollout.data[b * SEQ * SEQ..(b + 1) * SEQ * SEQ];
            let d = ours
                .iter()
                .zip(want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                d <= g.tolerance,
                "{} item {b}: rollout max |Δ| {d}",
                case.name
            );
            worst = worst.max(d);
            let cls = cls_rollout(&ours);
            assert_eq!(cls.len(), 16);
            assert!(cls.iter().all(|&v| (0.0..=1.0).contains(&v)));
            // [CLS]'s row of the rollout is a distribution over all 17 tokens
            assert!((ours[..SEQ].iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
    eprintln!("digits: our rollout (on tract's attention) vs Python's, largest |Δ|: {worst:.2e}");
}

#[test]
fn the_shipped_test_images_are_classified_as_the_manifest_says() {
    let m = manifest();
    assert!(m.metrics.test_accuracy > 0.9, "{}", m.metrics.test_accuracy);
    let runner = runner();
    let pixels: Vec<f32> = m
        .examples
        .iter()
        .flat_map(|e| e.pixels.iter().map(|&p| f32::from(p)))
        .collect();
    assert!(!m
        .examples
        .iter()
        .any(|e| is_blank(&e.pixels.iter().map(|&p| f32::from(p)).collect::<Vec<_>>())));
    let out = run(&runner, &pixels);
    let probs = Tensor::find(&out, "probs")
        .and_then(Tensor::as_f32)
        .expect("probs");
    let text =
        std::fs::read_to_string(format!("{MODEL_DIR}/manifest.json")).expect("manifest.json");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
    for (i, (e, p)) in m.examples.iter().zip(probs.chunks(10)).enumerate() {
        let predicted = raw["examples"][i]["predicted"].as_u64().expect("predicted") as usize;
        assert_eq!(
            argmax(p),
            Some(predicted),
            "example {i} (label {})",
            e.label
        );
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    let size = std::fs::metadata(format!("{MODEL_DIR}/{}", m.onnx))
        .expect("onnx")
        .len();
    assert_eq!(size, m.onnx_bytes);
}
