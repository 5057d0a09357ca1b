//! The step-by-step walkthrough of the language identifier: its manifest, its link, and the
//! record of one sentence built from the graph's named outputs.
//!
//! The model runs on the generic graph path like every other demo (the worker's `LoadGraph`,
//! `Encode` and `Infer`); this module only knows the names the walkthrough's graph uses and turns
//! its outputs into a [`ModelRecord`]. Free of UI and runtime types, so it is tested natively.

pub mod explain;
pub mod link;
pub mod manifest;

#[cfg(target_arch = "wasm32")]
pub mod view;

use crate::maths::{AttentionParams, LayerRecord, Matrix, ModelRecord};
use crate::protocol::{Encoded, GraphSummary, InputSpec, ModelError, Tensor};

/// Where the model lives, relative to the page so the site works under a sub-path.
pub const MODEL_DIR: &str = "models/langid/";
/// The worker keeps the graph under this key.
pub const GRAPH_KEY: &str = "langid";

/// The graph's inputs, in the order the file declares them.
pub const INPUTS: [&str; 2] = ["input_ids", "attention_mask"];
/// Outputs every layer `l` has, as `layer{l}.{name}`.
pub const LAYER_OUTPUTS: [&str; 16] = [
    "x", "q", "k", "v", "scores", "weights", "context", "attn_out", "w_q", "b_q", "w_k", "b_k",
    "w_v", "b_v", "w_o", "b_o",
];
/// Outputs of the whole model.
pub const MODEL_OUTPUTS: [&str; 3] = ["token_embeddings", "positional_encoding", "probs"];

/// The name of output `what` of layer `layer`, e.g. `layer1.scores`.
pub fn layer_output(layer: usize, what: &str) -> String {
    format!("layer{layer}.{what}")
}

/// Both inputs are `(batch, seq)` token ids and mask, `i64`.
pub fn input_specs() -> Vec<InputSpec> {
    INPUTS
        .iter()
        .map(|name| InputSpec::i64(name, &["batch", "seq"]))
        .collect()
}

/// A `(batch, width)` `i64` input from equal-length rows.
pub fn batch_input(name: &str, rows: &[Vec<i64>]) -> Result<Tensor, ModelError> {
    let width = rows.first().map_or(0, Vec::len);
    if width == 0 || rows.iter().any(|r| r.len() != width) {
        return Err(ModelError::Inference(
            "rows of unequal or zero length".into(),
        ));
    }
    Ok(Tensor::i64(name, vec![rows.len(), width], rows.concat()))
}

/// The inputs for one tokenized sentence (no padding).
pub fn sentence_inputs(encoded: &Encoded) -> Vec<Tensor> {
    let ids: Vec<i64> = encoded.ids.iter().map(|&i| i64::from(i)).collect();
    let n = ids.len();
    vec![
        Tensor::i64(INPUTS[0], vec![1, n], ids),
        Tensor::i64(INPUTS[1], vec![1, n], vec![1; n]),
    ]
}

/// What a loaded graph is, once checked: every output the walkthrough reads is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    /// The tokenizer's truncation length
    pub max_len: usize,
}

impl Layout {
    /// Checks the graph's names and reads its layer count: a foreign graph, one that lacks an
    /// output, or a tokenizer without a maximum length is refused with a readable error.
    /// The head count and width come from a tiny run: see [`Layout::probe_inputs`].
    pub fn check_names(summary: &GraphSummary) -> Result<usize, ModelError> {
        if summary.inputs != INPUTS {
            return Err(ModelError::Foreign(format!(
                "expected inputs {INPUTS:?}, found {:?}",
                summary.inputs
            )));
        }
        if summary.max_len.is_none() {
            return Err(ModelError::Tokenizer(
                "it does not say the model's maximum length".into(),
            ));
        }
        let has = |name: &str| summary.outputs.iter().any(|o| o == name);
        let n_layers = (0..).take_while(|&l| has(&layer_output(l, "x"))).count();
        let mut required: Vec<String> = MODEL_OUTPUTS.iter().map(|s| s.to_string()).collect();
        for l in 0..n_layers.max(1) {
            required.extend(LAYER_OUTPUTS.iter().map(|w| layer_output(l, w)));
        }
        if let Some(missing) = required.iter().find(|n| !has(n)) {
            return Err(ModelError::Foreign(format!(
                "it has no output named `{missing}`"
            )));
        }
        Ok(n_layers)
    }

    /// A two-token input whose run tells the head count and width, and warms the plan up.
    pub fn probe_inputs() -> Vec<Tensor> {
        vec![
            Tensor::i64(INPUTS[0], vec![1, 2], vec![2, 3]),
            Tensor::i64(INPUTS[1], vec![1, 2], vec![1, 1]),
        ]
    }

    /// The outputs [`Layout::from_probe`] reads.
    pub fn probe_outputs() -> Vec<String> {
        vec![layer_output(0, "scores"), layer_output(0, "x")]
    }

    /// The layout from the checked names and the probe's outputs.
    pub fn from_probe(summary: &GraphSummary, probe: &[Tensor]) -> Result<Self, ModelError> {
        let n_layers = Self::check_names(summary)?;
        let shape = |name: &str| {
            Tensor::find(probe, name)
                .map(|t| t.shape.clone())
                .ok_or_else(|| ModelError::Foreign(format!("it has no output named `{name}`")))
        };
        let n_heads = shape(&layer_output(0, "scores"))?
            .get(1)
            .copied()
            .unwrap_or(0);
        let d_model = shape(&layer_output(0, "x"))?.last().copied().unwrap_or(0);
        if n_heads == 0 || !d_model.is_multiple_of(n_heads) {
            return Err(ModelError::Foreign(format!(
                "{n_heads} heads do not divide d_model = {d_model}"
            )));
        }
        Ok(Self {
            n_layers,
            n_heads,
            d_model,
            max_len: summary.max_len.unwrap_or(0),
        })
    }

    /// Everything the walkthrough shows for one sentence, from the graph's outputs for
    /// [`sentence_inputs`]`(encoded)`.
    pub fn record(&self, encoded: Encoded, outputs: &[Tensor]) -> Result<ModelRecord, ModelError> {
        let seq_len = encoded.ids.len();
        let get = |name: &str| -> Result<&[f32], ModelError> {
            Tensor::find(outputs, name)
                .ok_or_else(|| ModelError::Foreign(format!("it has no output named `{name}`")))?
                .as_f32()
                .ok_or_else(|| ModelError::Inference(format!("`{name}` is not f32")))
        };
        let shape_of = |name: &str| Tensor::find(outputs, name).map_or(&[][..], |t| &t.shape[..]);
        // Batch item 0 of a `(1, rows, cols)` output, or a `(rows, cols)` output as is.
        let matrix = |name: &str| -> Result<Matrix, ModelError> {
            let data = get(name)?;
            let cols = shape_of(name).last().copied().unwrap_or(0);
            let rows = data.len().checked_div(cols).unwrap_or(0);
            Matrix::from_vec(rows, cols, data.to_vec())
                .map_err(|e| ModelError::Inference(e.to_string()))
        };
        // `(1, heads, seq, seq)` as one matrix per head.
        let per_head = |name: &str| -> Result<Vec<Matrix>, ModelError> {
            let data = get(name)?;
            let heads = shape_of(name).get(1).copied().unwrap_or(0);
            let block = seq_len * seq_len;
            (0..heads)
                .map(|h| {
                    let part = data.get(h * block..(h + 1) * block).unwrap_or(&[]);
                    Matrix::from_vec(seq_len, seq_len, part.to_vec())
                        .map_err(|e| ModelError::Inference(e.to_string()))
                })
                .collect()
        };
        let vector = |name: &str| get(name).map(<[f32]>::to_vec);

        let layers = (0..self.n_layers)
            .map(|l| {
                let name = |what| layer_output(l, what);
                Ok(LayerRecord {
                    x: matrix(&name("x"))?,
                    query: matrix(&name("q"))?,
                    key: matrix(&name("k"))?,
                    value: matrix(&name("v"))?,
                    scores: per_head(&name("scores"))?,
                    weights: per_head(&name("weights"))?,
                    context: matrix(&name("context"))?,
                    attn_out: matrix(&name("attn_out"))?,
                    params: AttentionParams {
                        w_query: matrix(&name("w_q"))?,
                        b_query: vector(&name("b_q"))?,
                        w_key: matrix(&name("w_k"))?,
                        b_key: vector(&name("b_k"))?,
                        w_value: matrix(&name("w_v"))?,
                        b_value: vector(&name("b_v"))?,
                        w_output: matrix(&name("w_o"))?,
                        b_output: vector(&name("b_o"))?,
                        n_heads: self.n_heads,
                    },
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(ModelRecord {
            tokens: encoded.tokens,
            ids: encoded.ids,
            attention_mask: vec![1; seq_len],
            untruncated_len: encoded.untruncated_len,
            token_embeddings: matrix("token_embeddings")?,
            positional_encoding: matrix("positional_encoding")?,
            layers,
            probs: vector("probs")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(outputs: Vec<String>) -> GraphSummary {
        GraphSummary {
            key: GRAPH_KEY.into(),
            inputs: INPUTS.iter().map(|s| s.to_string()).collect(),
            outputs,
            max_len: Some(64),
        }
    }

    fn all_outputs(n_layers: usize) -> Vec<String> {
        let mut names: Vec<String> = MODEL_OUTPUTS.iter().map(|s| s.to_string()).collect();
        for l in 0..n_layers {
            names.extend(LAYER_OUTPUTS.iter().map(|w| layer_output(l, w)));
        }
        names
    }

    #[test]
    fn names_are_checked_and_layers_counted() {
        assert_eq!(Layout::check_names(&summary(all_outputs(2))), Ok(2));
        let mut missing = all_outputs(2);
        missing.retain(|n| n != "layer1.w_o");
        assert!(matches!(
            Layout::check_names(&summary(missing)),
            Err(ModelError::Foreign(m)) if m.contains("layer1.w_o")
        ));
        assert!(matches!(
            Layout::check_names(&summary(vec!["y".into()])),
            Err(ModelError::Foreign(_))
        ));
        let mut swapped = summary(all_outputs(1));
        swapped.inputs.reverse();
        assert!(matches!(
            Layout::check_names(&swapped),
            Err(ModelError::Foreign(_))
        ));
        let mut no_max = summary(all_outputs(1));
        no_max.max_len = None;
        assert!(matches!(
            Layout::check_names(&no_max),
            Err(ModelError::Tokenizer(_))
        ));
    }

    #[test]
    fn the_probe_tells_heads_and_width_and_refuses_what_does_not_divide() {
        let s = summary(all_outputs(1));
        let probe = |heads: usize, d: usize| {
            vec![
                Tensor::f32("layer0.scores", vec![1, heads, 2, 2], vec![0.0; heads * 4]),
                Tensor::f32("layer0.x", vec![1, 2, d], vec![0.0; 2 * d]),
            ]
        };
        let layout = Layout::from_probe(&s, &probe(4, 64)).expect("fits");
        assert_eq!(
            (layout.n_layers, layout.n_heads, layout.d_model),
            (1, 4, 64)
        );
        assert_eq!(layout.max_len, 64);
        assert!(matches!(
            Layout::from_probe(&s, &probe(3, 64)),
            Err(ModelError::Foreign(_))
        ));
        assert!(Layout::from_probe(&s, &[]).is_err());
    }

    #[test]
    fn batch_inputs_need_equal_rows() {
        let t = batch_input("input_ids", &[vec![1, 2], vec![3, 4]]).expect("equal");
        assert_eq!(t.shape, vec![2, 2]);
        assert!(batch_input("input_ids", &[vec![1], vec![3, 4]]).is_err());
        assert!(batch_input("input_ids", &[]).is_err());
    }
}
