//! Running a walkthrough model: bytes → tokenizer + tract model → named outputs → our types.
//!
//! Free of UI types so it runs natively under `cargo test` and inside the web worker.

use std::collections::HashMap;

use tract_onnx::prelude::*;

use crate::graph::TextEncoder;

use crate::maths::{AttentionParams, LayerRecord, Matrix, ModelRecord};
pub use crate::protocol::{Encoded, ModelError};

/// A float tensor as the runtime returned it: shape and row-major data.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// A loaded tokenizer and optimised tract model, ready to run sentences.
pub struct ModelRunner {
    plan: Arc<TypedRunnableModel>,
    output_index: HashMap<String, usize>,
    encoder: TextEncoder,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub max_len: usize,
}

const INPUTS: [&str; 2] = ["input_ids", "attention_mask"];
const LAYER_OUTPUTS: [&str; 16] = [
    "x", "q", "k", "v", "scores", "weights", "context", "attn_out", "w_q", "b_q", "w_k", "b_k",
    "w_v", "b_v", "w_o", "b_o",
];
const MODEL_OUTPUTS: [&str; 3] = ["token_embeddings", "positional_encoding", "probs"];

fn layer_output(layer: usize, what: &str) -> String {
    format!("layer{layer}.{what}")
}

impl ModelRunner {
    /// Parses, checks and optimises the model; fails with a readable [`ModelError`]
    /// for an empty, truncated or foreign file.
    pub fn load(onnx: &[u8], tokenizer_json: &[u8]) -> Result<Self, ModelError> {
        if onnx.is_empty() {
            return Err(ModelError::EmptyModel);
        }
        let encoder = TextEncoder::from_bytes(tokenizer_json)?;
        let max_len = encoder.max_len().ok_or_else(|| {
            ModelError::Tokenizer("it does not say the model's maximum length".into())
        })?;

        let mut model = tract_onnx::onnx()
            .model_for_read(&mut &onnx[..])
            .map_err(|e| ModelError::NotOnnx(format!("{e:#}")))?;
        let input_names: Vec<String> = model
            .input_outlets()
            .map_err(|e| ModelError::NotOnnx(e.to_string()))?
            .iter()
            .map(|o| model.node(o.node).name.clone())
            .collect();
        if input_names != INPUTS {
            return Err(ModelError::Foreign(format!(
                "expected inputs {INPUTS:?}, found {input_names:?}"
            )));
        }
        let output_names: Vec<String> = model
            .output_outlets()
            .map_err(|e| ModelError::NotOnnx(e.to_string()))?
            .iter()
            .map(|&o| {
                model
                    .outlet_label(o)
                    .map(str::to_owned)
                    .unwrap_or_else(|| model.node(o.node).name.clone())
            })
            .collect();
        let output_index: HashMap<String, usize> = output_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let n_layers = (0..)
            .take_while(|&l| output_index.contains_key(&layer_output(l, "x")))
            .count();
        let mut required: Vec<String> = MODEL_OUTPUTS.iter().map(|s| s.to_string()).collect();
        for l in 0..n_layers.max(1) {
            required.extend(LAYER_OUTPUTS.iter().map(|w| layer_output(l, w)));
        }
        if let Some(missing) = required.iter().find(|n| !output_index.contains_key(*n)) {
            return Err(ModelError::Foreign(format!(
                "it has no output named `{missing}`"
            )));
        }

        let batch = model.symbols.sym("batch");
        let seq = model.symbols.sym("seq");
        for input in 0..INPUTS.len() {
            model
                .set_input_fact(input, i64::fact([batch.to_dim(), seq.to_dim()]).into())
                .map_err(|e| ModelError::Foreign(e.to_string()))?;
        }
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(|e| ModelError::Foreign(format!("{e:#}")))?;

        let mut runner = Self {
            plan,
            output_index,
            encoder,
            n_layers,
            n_heads: 0,
            d_model: 0,
            max_len,
        };
        // One tiny run tells the head count and width, and warms the plan up.
        let probe = runner.run_batch(&[vec![2, 3]], &[vec![1, 1]])?;
        let scores = runner.output(&probe, &layer_output(0, "scores"))?;
        let x = runner.output(&probe, &layer_output(0, "x"))?;
        runner.n_heads = scores.shape.get(1).copied().unwrap_or(0);
        runner.d_model = x.shape.last().copied().unwrap_or(0);
        if runner.n_heads == 0 || !runner.d_model.is_multiple_of(runner.n_heads) {
            return Err(ModelError::Foreign(format!(
                "{} heads do not divide d_model = {}",
                runner.n_heads, runner.d_model
            )));
        }
        Ok(runner)
    }

    /// Tokenizes `text` exactly as in training, cut to the model's maximum length.
    pub fn encode(&self, text: &str) -> Result<Encoded, ModelError> {
        self.encoder.encode(text)
    }

    /// Runs a (possibly padded) batch and returns every output by name.
    pub fn run_batch(
        &self,
        ids: &[Vec<i64>],
        attention_mask: &[Vec<i64>],
    ) -> Result<Vec<NamedTensor>, ModelError> {
        let to_tensor = |rows: &[Vec<i64>]| -> Result<Tensor, ModelError> {
            let width = rows.first().map_or(0, Vec::len);
            if rows.iter().any(|r| r.len() != width) || width == 0 {
                return Err(ModelError::Inference(
                    "rows of unequal or zero length".into(),
                ));
            }
            let flat: Vec<i64> = rows.concat();
            tract_ndarray::Array2::from_shape_vec((rows.len(), width), flat)
                .map(|a| a.into_tensor())
                .map_err(|e| ModelError::Inference(e.to_string()))
        };
        let outputs = self
            .plan
            .run(tvec![
                to_tensor(ids)?.into(),
                to_tensor(attention_mask)?.into()
            ])
            .map_err(|e| ModelError::Inference(format!("{e:#}")))?;
        outputs
            .iter()
            .map(|value| {
                let view = value
                    .to_plain_array_view::<f32>()
                    .map_err(|e| ModelError::Inference(e.to_string()))?;
                Ok(NamedTensor {
                    shape: view.shape().to_vec(),
                    data: view.iter().copied().collect(),
                })
            })
            .collect()
    }

    /// The output called `name` from a [`run_batch`](Self::run_batch) result.
    pub fn output<'a>(
        &self,
        outputs: &'a [NamedTensor],
        name: &str,
    ) -> Result<&'a NamedTensor, ModelError> {
        self.output_index
            .get(name)
            .and_then(|&i| outputs.get(i))
            .ok_or_else(|| ModelError::Foreign(format!("it has no output named `{name}`")))
    }

    /// Tokenizes and runs one sentence, returning everything the walkthrough shows.
    pub fn run(&self, text: &str) -> Result<ModelRecord, ModelError> {
        let encoded = self.encode(text)?;
        let ids: Vec<i64> = encoded.ids.iter().map(|&i| i64::from(i)).collect();
        let mask = vec![1i64; ids.len()];
        let outputs = self.run_batch(&[ids], &[mask])?;
        let seq_len = encoded.ids.len();
        let get = |name: &str| self.output(&outputs, name);
        // Batch item 0 of a `(1, rows, cols)` output, or a `(rows, cols)` output as is.
        let matrix = |name: &str| -> Result<Matrix, ModelError> {
            let t = get(name)?;
            let cols = t.shape.last().copied().unwrap_or(0);
            let rows = t.data.len().checked_div(cols).unwrap_or(0);
            Matrix::from_vec(rows, cols, t.data.clone())
                .map_err(|e| ModelError::Inference(e.to_string()))
        };
        let per_head = |name: &str| -> Result<Vec<Matrix>, ModelError> {
            let t = get(name)?;
            let heads = t.shape.get(1).copied().unwrap_or(0);
            let block = seq_len * seq_len;
            (0..heads)
                .map(|h| {
                    let data = t
                        .data
                        .get(h * block..(h + 1) * block)
                        .unwrap_or(&[])
                        .to_vec();
                    Matrix::from_vec(seq_len, seq_len, data)
                        .map_err(|e| ModelError::Inference(e.to_string()))
                })
                .collect()
        };
        let vector = |name: &str| -> Result<Vec<f32>, ModelError> { Ok(get(name)?.data.clone()) };

        let mut layers = Vec::with_capacity(self.n_layers);
        for l in 0..self.n_layers {
            let name = |what| layer_output(l, what);
            layers.push(LayerRecord {
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
            });
        }
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
