//! The cost demo's accuracy panel on the walkthrough model's real Q, K, V: every method run by
//! our pure core, full attention checked against the weights and context PyTorch exported.

use std::collections::HashMap;

use attention_playground::demos::cost::accuracy::compare;
use attention_playground::demos::cost::sweep::{MethodKind, Params};
use attention_playground::maths::Matrix;
use serde::Deserialize;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/langid/golden.json");

#[derive(Deserialize)]
struct Golden {
    tolerance: f32,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    texts: Vec<String>,
    outputs: HashMap<String, Tensor>,
}

#[derive(Deserialize)]
struct Tensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

impl Tensor {
    /// Head `h`'s columns of a `(1, seq, d_model)` tensor: `(seq, d_k)`.
    fn head_columns(&self, h: usize, heads: usize) -> Matrix {
        let [_, seq, d_model] = self.shape[..] else {
            panic!("not (1, seq, d_model): {:?}", self.shape)
        };
        let d_k = d_model / heads;
        Matrix::from_fn(seq, d_k, |i, j| self.data[i * d_model + h * d_k + j])
    }

    /// Head `h` of a `(1, heads, seq, seq)` tensor.
    fn head(&self, h: usize) -> Matrix {
        let [_, _, seq, _] = self.shape[..] else {
            panic!("not per-head: {:?}", self.shape)
        };
        let block = seq * seq;
        Matrix::from_vec(seq, seq, self.data[h * block..(h + 1) * block].to_vec()).expect("shape")
    }
}

#[test]
fn on_real_q_k_v_full_matches_pytorch_tiled_is_exact_and_the_rest_approximate() {
    let golden: Golden =
        serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("golden.json"))
            .expect("parses");
    let heads = 4;
    let params = Params {
        window: 2,
        ..Params::default()
    };
    // One sentence per case, no padding: the panel's input (the padded batch needs a mask,
    // which the cost methods do not take).
    let single = golden.cases.iter().filter(|c| c.texts.len() == 1);
    assert!(single.clone().count() >= 5);
    for case in single {
        for layer in 0..2 {
            let out = |what: &str| &case.outputs[&format!("layer{layer}.{what}")];
            for h in 0..heads {
                let (q, k, v) = (
                    out("q").head_columns(h, heads),
                    out("k").head_columns(h, heads),
                    out("v").head_columns(h, heads),
                );
                let (full, results) =
                    compare(&MethodKind::ALL, &params, &q, &k, &v, 18).expect("runs");
                // Full attention, our core, against PyTorch's context of this head.
                let context = out("context").head_columns(h, heads);
                assert!(full.max_abs_diff(&context) <= golden.tolerance);
                let get = |kind| results.iter().find(|r| r.kind == kind).expect("compared");
                assert_eq!(get(MethodKind::Full).max_abs, 0.0);
                assert!(get(MethodKind::Tiled).max_abs <= 1e-5);
                let n = q.rows();
                if n > 3 {
                    // A window of 2 on a sentence of more tokens leaves keys out.
                    let window = get(MethodKind::Window);
                    assert!(window.kl.expect("same keys") > 0.0);
                    assert!(window.max_abs > 0.0);
                }
                // The weights the full method formed are PyTorch's.
                let weights = out("weights").head(h);
                let ours = attention_playground::demos::cost::run(
                    attention_playground::demos::cost::Method::Full,
                    &attention_playground::demos::cost::Inputs {
                        query: q.data(),
                        key: k.data(),
                        value: v.data(),
                        n,
                        d: q.cols(),
                        projections: None,
                    },
                    attention_playground::demos::cost::Detail::Weights,
                )
                .expect("runs");
                let ours = ours.weights.expect("full forms weights");
                assert!(ours.max_abs_diff(&weights) <= golden.tolerance);
            }
        }
    }
}
