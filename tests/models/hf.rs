//! "Your own model" exports (models/export_hf.py): tiny random-initialised BERT, RoBERTa,
//! DistilBERT, GPT-2 and ViT exported by our script, loaded by the app's own `GraphRunner` as the
//! worker loads any graph, against transformers' `output_attentions` and last hidden state
//! (PyTorch, eval mode: models/hf/make_fixtures.py), ≤ 1e-4. The tokenizer written beside each
//! text model gives the same ids as the Python tokenizer did.

use attention_playground::graph::GraphRunner;
use attention_playground::protocol::{InputSpec, ModelError, Tensor};
use serde::Deserialize;
use std::collections::BTreeMap;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ARCHS: [&str; 5] = ["bert", "roberta", "distilbert", "gpt2", "vit"];

#[derive(Deserialize)]
struct Manifest {
    architecture: String,
    kind: String,
    n_layers: usize,
    n_heads: usize,
    inputs: Vec<Port>,
}

#[derive(Deserialize)]
struct Port {
    name: String,
    dtype: String,
    shape: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Golden {
    tolerance: f32,
    output_names: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    texts: Option<Vec<String>>,
    inputs: BTreeMap<String, Array>,
    outputs: BTreeMap<String, Array>,
}

#[derive(Deserialize)]
struct Array {
    shape: Vec<usize>,
    data: Vec<f64>,
}

fn read(arch: &str, file: &str) -> Vec<u8> {
    let path = format!("{ROOT}/models/hf/{arch}/{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn specs(m: &Manifest) -> Vec<InputSpec> {
    m.inputs
        .iter()
        .map(|p| {
            let dims: Vec<String> = p
                .shape
                .iter()
                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_owned))
                .collect();
            let dims: Vec<&str> = dims.iter().map(String::as_str).collect();
            match p.dtype.as_str() {
                "int64" => InputSpec::i64(&p.name, &dims),
                _ => InputSpec::f32(&p.name, &dims),
            }
        })
        .collect()
}

fn load(arch: &str) -> (Manifest, Golden, GraphRunner) {
    let m: Manifest = serde_json::from_slice(&read(arch, "manifest.json")).expect("manifest");
    let g: Golden = serde_json::from_slice(&read(arch, "golden.json")).expect("golden");
    let tokenizer = (m.kind != "vision").then(|| read(arch, "tokenizer.json"));
    let runner = GraphRunner::load(&read(arch, "model.onnx"), tokenizer.as_deref(), &specs(&m))
        .unwrap_or_else(|e| panic!("{arch}: {e}"));
    (m, g, runner)
}

fn tensor(name: &str, a: &Array, dtype: &str) -> Tensor {
    match dtype {
        "int64" => Tensor::i64(
            name,
            a.shape.clone(),
            a.data.iter().map(|&x| x as i64).collect(),
        ),
        _ => Tensor::f32(
            name,
            a.shape.clone(),
            a.data.iter().map(|&x| x as f32).collect(),
        ),
    }
}

#[test]
fn every_export_matches_transformers_attentions_and_hidden_state() {
    for arch in ARCHS {
        let (m, g, runner) = load(arch);
        assert_eq!(m.architecture, arch);
        let attn: Vec<String> = (0..m.n_layers).map(|l| format!("attn.{l}")).collect();
        for name in attn.iter().chain(["last_hidden_state".to_owned()].iter()) {
            assert!(runner.has_output(name), "{arch}: no output {name}");
        }
        for case in &g.cases {
            let inputs = m
                .inputs
                .iter()
                .map(|p| tensor(&p.name, &case.inputs[&p.name], &p.dtype))
                .collect();
            let out = runner.run(inputs, Some(&g.output_names)).expect("run");
            for (name, want) in &case.outputs {
                let got = out.iter().find(|t| &t.name == name).expect("output");
                assert_eq!(got.shape, want.shape, "{arch}/{}: {name} shape", case.name);
                if name.starts_with("attn.") {
                    assert_eq!(got.shape[1], m.n_heads, "{arch}: heads");
                }
                let worst = got
                    .as_f32()
                    .expect("f32")
                    .iter()
                    .zip(&want.data)
                    .map(|(&a, &b)| (f64::from(a) - b).abs())
                    .fold(0.0, f64::max);
                assert!(
                    worst <= f64::from(g.tolerance),
                    "{arch}/{}: {name} differs by {worst:e}",
                    case.name
                );
            }
            // A pruned plan (attention only) returns the same numbers as the full one.
            let only = runner
                .run(
                    m.inputs
                        .iter()
                        .map(|p| tensor(&p.name, &case.inputs[&p.name], &p.dtype))
                        .collect(),
                    Some(&attn[..1]),
                )
                .expect("pruned run");
            let full = out.iter().find(|t| t.name == attn[0]).expect("attn.0");
            assert_eq!(only[0].shape, full.shape);
            let worst = only[0]
                .as_f32()
                .expect("f32")
                .iter()
                .zip(full.as_f32().expect("f32"))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(worst <= 1e-6, "{arch}: pruned plan differs by {worst:e}");
        }
    }
}

#[test]
fn the_exported_tokenizers_give_the_python_ids() {
    for arch in ARCHS.into_iter().filter(|a| *a != "vit") {
        let (_, g, runner) = load(arch);
        for case in &g.cases {
            let Some([text]) = case.texts.as_deref() else {
                continue;
            };
            let want: Vec<i64> = case.inputs["input_ids"]
                .data
                .iter()
                .map(|&x| x as i64)
                .collect();
            let got = runner.encode(text).expect("encode");
            let got: Vec<i64> = got.ids.iter().map(|&i| i64::from(i)).collect();
            assert_eq!(got, want, "{arch}: ids of {text:?}");
        }
    }
}

#[test]
fn a_causal_export_never_attends_ahead() {
    let (m, g, runner) = load("gpt2");
    assert_eq!(m.kind, "decoder");
    let case = &g.cases[0];
    let ids = tensor("input_ids", &case.inputs["input_ids"], "int64");
    let n = ids.shape[1];
    let out = runner
        .run(vec![ids], Some(&["attn.0".to_owned()]))
        .expect("run");
    let w = out[0].as_f32().expect("f32");
    for (k, row) in w.chunks(n).enumerate() {
        let i = k % n;
        assert!(
            row[i + 1..].iter().all(|&x| x == 0.0),
            "query {i} sees a later key"
        );
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

#[test]
fn wrong_inputs_are_refused_with_a_message() {
    let (_, _, runner) = load("bert");
    let err = runner
        .run(
            vec![Tensor::i64("input_ids", vec![1, 3], vec![1, 2, 3])],
            None,
        )
        .expect_err("missing mask");
    assert!(matches!(err, ModelError::BadInput(_)), "{err:?}");
    let err = runner
        .run(
            vec![
                Tensor::i64("input_ids", vec![1, 2], vec![1, 1_000_000]),
                Tensor::i64("attention_mask", vec![1, 2], vec![1, 1]),
            ],
            None,
        )
        .expect_err("id past the vocabulary");
    assert!(matches!(err, ModelError::BadInput(_)), "{err:?}");
}
