//! The model's numbers are true: tract, our tokenizer and our own step-by-step maths
//! are each compared with golden values that PyTorch produced when it exported the model.

use std::collections::HashMap;

use attention_playground::maths::{
    attention_steps, sinusoidal_positional_encoding, AttentionParams, Mask, Matrix, Walkthrough,
};
use attention_playground::protocol::Tensor;
use serde::Deserialize;

use crate::langid_session::Session;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/langid");

#[derive(Deserialize)]
pub(crate) struct Golden {
    pub tolerance: f32,
    pub cases: Vec<Case>,
    /// The model's weights (`layer{l}.w_q`, …): the same for every input, so stored once.
    parameter_outputs: HashMap<String, GoldenTensor>,
}

impl Golden {
    /// Output `name` of `case`, looking among the shared parameter outputs too.
    pub fn output<'a>(&'a self, case: &'a Case, name: &str) -> &'a GoldenTensor {
        case.outputs
            .get(name)
            .or_else(|| self.parameter_outputs.get(name))
            .unwrap_or_else(|| panic!("{name} missing in {}", case.name))
    }
}

#[derive(Deserialize)]
pub(crate) struct Case {
    pub name: String,
    pub texts: Vec<String>,
    pub tokens: Vec<Vec<String>>,
    input_ids: Vec<Vec<i64>>,
    attention_mask: Vec<Vec<i64>>,
    outputs: HashMap<String, GoldenTensor>,
}

#[derive(Deserialize)]
pub(crate) struct GoldenTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl GoldenTensor {
    /// Batch item `b` of a `(batch, rows, cols)` tensor, or the whole of a `(rows, cols)` one.
    pub fn matrix(&self, b: usize) -> Matrix {
        let (rows, cols) = match self.shape.as_slice() {
            [_, r, c] | [r, c] => (*r, *c),
            other => panic!("not a matrix: {other:?}"),
        };
        let start = if self.shape.len() == 3 {
            b * rows * cols
        } else {
            0
        };
        Matrix::from_vec(rows, cols, self.data[start..start + rows * cols].to_vec()).expect("shape")
    }

    /// Head `h` of batch item `b` of a `(batch, heads, seq, seq)` tensor.
    pub fn head(&self, b: usize, h: usize) -> Matrix {
        let [_, heads, s, s2] = self.shape[..] else {
            panic!("not per-head: {:?}", self.shape)
        };
        let start = (b * heads + h) * s * s2;
        Matrix::from_vec(s, s2, self.data[start..start + s * s2].to_vec()).expect("shape")
    }

    fn vector(&self) -> Vec<f32> {
        self.data.clone()
    }
}

pub(crate) fn golden() -> Golden {
    let text = std::fs::read_to_string(format!("{MODEL_DIR}/golden.json")).expect("golden.json");
    serde_json::from_str(&text).expect("golden.json parses")
}

pub(crate) fn runner() -> Session {
    let onnx = std::fs::read(format!("{MODEL_DIR}/model.onnx")).expect("model.onnx");
    let tokenizer = std::fs::read(format!("{MODEL_DIR}/tokenizer.json")).expect("tokenizer.json");
    Session::load(&onnx, &tokenizer).expect("model loads")
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| if x == y { 0.0 } else { (x - y).abs() })
        .fold(0.0, f32::max)
}

#[test]
fn golden_file_covers_the_required_cases() {
    let g = golden();
    assert!(g.tolerance <= 1e-4);
    assert!(g.cases.len() >= 6, "only {} golden cases", g.cases.len());
    assert!(
        g.cases
            .iter()
            .any(|c| c.texts.len() > 1 && c.attention_mask.iter().flatten().any(|&m| m == 0)),
        "no padded batch among the golden cases"
    );
    assert!(
        g.cases.iter().any(|c| c.input_ids[0].len() == 64),
        "no case at the maximum length"
    );
}

#[test]
fn rust_tokenizer_matches_the_training_tokenizer() {
    let runner = runner();
    for case in golden().cases {
        for (b, text) in case.texts.iter().enumerate() {
            let encoded = runner.encode(text).expect("encodes");
            let len = case.attention_mask[b].iter().filter(|&&m| m == 1).count();
            let ids: Vec<i64> = encoded.ids.iter().map(|&i| i64::from(i)).collect();
            assert_eq!(
                ids,
                case.input_ids[b][..len],
                "ids of {:?} ({})",
                text,
                case.name
            );
            assert_eq!(
                encoded.tokens,
                case.tokens[b][..len],
                "tokens of {:?}",
                text
            );
        }
    }
}

#[test]
fn tract_matches_pytorch_on_every_output() {
    let runner = runner();
    let g = golden();
    for case in &g.cases {
        let outputs = runner
            .run_batch(&case.input_ids, &case.attention_mask)
            .expect("runs");
        for (name, want) in case.outputs.iter().chain(&g.parameter_outputs) {
            let got = Tensor::find(&outputs, name).expect("output exists");
            assert_eq!(got.shape, want.shape, "shape of {name} in {}", case.name);
            let d = max_diff(got.as_f32().expect("f32"), &want.data);
            assert!(
                d <= g.tolerance,
                "{name} in {}: max |tract − torch| = {d:e}",
                case.name
            );
        }
    }
}

#[test]
fn our_step_by_step_maths_matches_pytorch() {
    let g = golden();
    for case in &g.cases {
        let out = |name: &str| g.output(case, name);
        let n_layers = (0..)
            .take_while(|l| case.outputs.contains_key(&format!("layer{l}.x")))
            .count();
        assert!(n_layers >= 1);
        for b in 0..case.texts.len() {
            let seq = case.input_ids[b].len();
            let e = out("token_embeddings").matrix(b);
            let p = sinusoidal_positional_encoding(seq, e.cols());
            let d = p.max_abs_diff(&out("positional_encoding").matrix(0));
            assert!(d <= g.tolerance, "P in {}: {d:e}", case.name);
            let x0 = e.add(&p).expect("same shape");
            let d = x0.max_abs_diff(&out("layer0.x").matrix(b));
            assert!(d <= g.tolerance, "X = E + P in {}: {d:e}", case.name);

            let mask = Mask::Padding(case.attention_mask[b].iter().map(|&m| m == 1).collect());
            for l in 0..n_layers {
                let t = |what: &str| out(&format!("layer{l}.{what}"));
                let n_heads = t("scores").shape[1];
                let params = AttentionParams {
                    w_query: t("w_q").matrix(0),
                    b_query: t("b_q").vector(),
                    w_key: t("w_k").matrix(0),
                    b_key: t("b_k").vector(),
                    w_value: t("w_v").matrix(0),
                    b_value: t("b_v").vector(),
                    w_output: t("w_o").matrix(0),
                    b_output: t("b_o").vector(),
                    n_heads,
                };
                let steps = attention_steps(&t("x").matrix(b), &params, &mask).expect("shapes fit");
                let check = |what: &str, ours: &Matrix, theirs: Matrix| {
                    let d = ours.max_abs_diff(&theirs);
                    assert!(
                        d <= g.tolerance,
                        "layer {l} {what} of {} item {b}: {d:e}",
                        case.name
                    );
                };
                check("Q", &steps.query, t("q").matrix(b));
                check("K", &steps.key, t("k").matrix(b));
                check("V", &steps.value, t("v").matrix(b));
                for (h, head) in steps.heads.iter().enumerate() {
                    check("scores", &head.scores, t("scores").head(b, h));
                    check("weights", &head.weights, t("weights").head(b, h));
                    for i in 0..seq {
                        let sum: f32 = head.weights.row(i).iter().sum();
                        assert!(
                            (sum - 1.0).abs() < 1e-5,
                            "row {i} of head {h} sums to {sum}"
                        );
                        for (j, &m) in case.attention_mask[b].iter().enumerate() {
                            if m == 0 {
                                assert_eq!(
                                    head.weights.get(i, j),
                                    Some(0.0),
                                    "padding key {j} got weight"
                                );
                                assert_eq!(
                                    t("weights").head(b, h).get(i, j),
                                    Some(0.0),
                                    "torch gave padding weight"
                                );
                            }
                        }
                    }
                }
                check("concat", &steps.concat, t("context").matrix(b));
                check("output", &steps.output, t("attn_out").matrix(b));
            }
        }
    }
}

#[test]
fn a_walkthrough_of_each_sentence_agrees_and_matches_golden() {
    let runner = runner();
    let g = golden();
    for case in g.cases.iter().filter(|c| c.texts.len() == 1) {
        let record = runner.run(&case.texts[0]).expect("runs");
        assert_eq!(record.tokens, case.tokens[0]);
        let want_probs = &case.outputs["probs"].data;
        assert!(
            max_diff(&record.probs, want_probs) <= g.tolerance,
            "probs of {}",
            case.name
        );
        let w = Walkthrough::new(record).expect("shapes fit");
        assert!(
            w.agreement.ok(),
            "{}: max diff {:e}",
            case.name,
            w.agreement.max()
        );
        assert!(w.agreement.checks.len() > 10);
    }
}

/// The page's examples (one everyday sentence per language, then one about attention in
/// Chinese): tract reads each without `[UNK]` and picks the language `manifest.json` says.
#[test]
fn every_example_is_read_whole_and_classified_as_its_language() {
    let text = std::fs::read_to_string(format!("{MODEL_DIR}/manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest parses");
    let strings = |key: &str| -> Vec<String> {
        manifest[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing"))
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect()
    };
    let examples = strings("examples");
    let languages = strings("example_languages");
    let codes: Vec<String> = manifest["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| l["code"].as_str().expect("code").to_owned())
        .collect();
    assert_eq!(examples.len(), languages.len());
    for code in &codes {
        assert!(languages.contains(code), "no example in {code}");
    }
    assert!(
        examples.iter().any(|e| e.contains("注意力")),
        "no Chinese example about attention"
    );
    let runner = runner();
    for (example, want) in examples.iter().zip(&languages) {
        let record = runner.run(example).expect("runs");
        assert!(
            !record.tokens.iter().any(|t| t == "[UNK]"),
            "{example}: {:?}",
            record.tokens
        );
        let best = record
            .probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .expect("probabilities");
        assert_eq!(&codes[best], want, "{example}: {:?}", record.probs);
    }
}
