//! "Does attention explain this?" for the generator: the prediction is the probability the
//! model (softmax of its logits, temperature 1, no filters) gives the token chosen at the step
//! shown, read at the position before it; the elements are the context tokens up to that
//! position, of which the last [`BUDGET`] are tested; a token is occluded by putting
//! `<|endoftext|>` (the model's only special token, id [`Dims::end_id`]) in its place.
//!
//! Attention and rollout are those of the causal self-attention (each row only sees earlier
//! tokens, so the rollout's rows stay causal). The graph has no batch axis: every variant runs
//! on its own, all in one worker request ([`Runs::Each`]); the untested tokens before the tested
//! ones run once, and each variant runs only its tail against their key/value cache.

use super::{
    inputs, key_name, past_key_name, past_value_name, value_name, Dims, GRAPH_KEY, LOGITS,
};
use crate::explain::each::{replaced, softmax_at, Each, RowValue, Stage};
use crate::explain::{ExplainError, LayerAttention, Runs, Subject, Variants};
use crate::protocol::ModelError;

/// The most context tokens one panel occludes (the last ones, nearest the prediction).
pub const BUDGET: usize = 32;

/// The context with `<|endoftext|>` put in place of the occluded tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptVariants {
    /// The context, oldest first; the last token's row predicts `target`
    pub ids: Vec<u32>,
    /// Absolute position of `ids[0]` (RoPE)
    pub start: usize,
    /// The index into `ids` of each element
    pub positions: Vec<usize>,
    pub target: u32,
    pub dims: Dims,
}

/// The prediction explained: the context (the reading token last) at absolute positions
/// `start..`, and the model's probability `base` of `target` after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction<'a> {
    pub ids: &'a [u32],
    pub start: usize,
    pub target: u32,
    pub base: f64,
}

impl PromptVariants {
    /// `weights`: per layer `[H, n, n]` row-major from a full recompute whose first
    /// `ids.len()` rows and columns are the prediction's context.
    pub fn new(
        prediction: Prediction,
        weights: &[Vec<f32>],
        n: usize,
        dims: &Dims,
        label: impl Fn(u32) -> String,
    ) -> Result<(Subject, Self), ExplainError> {
        let Prediction {
            ids,
            start,
            target,
            base,
        } = prediction;
        let m = ids.len();
        if m == 0 || m > n || weights.len() != dims.n_layers {
            return Err(ExplainError::TooFew(m));
        }
        let layers = weights
            .iter()
            .map(|w| LayerAttention::new(dims.n_heads, m, top_left(w, dims.n_heads, n, m)?))
            .collect::<Result<Vec<_>, ModelError>>()?;
        let positions: Vec<usize> = (m.saturating_sub(BUDGET)..m).collect();
        let subject = Subject {
            labels: positions.iter().map(|&p| label(ids[p])).collect(),
            positions: positions.clone(),
            reading: m - 1,
            layers,
            base,
            total: m,
            given: None,
        };
        let variants = Self {
            ids: ids.to_vec(),
            start,
            positions,
            target,
            dims: *dims,
        };
        Ok((subject, variants))
    }
}

/// Row `i`'s probability of `next[i]` in `logits` `(rows, vocab)` (softmax at temperature 1):
/// what the model gave the token that came after each position.
pub fn next_token_probs(logits: &[f32], vocab: usize, next: &[u32]) -> Vec<f64> {
    logits
        .chunks_exact(vocab.max(1))
        .zip(next)
        .map(|(row, &id)| softmax_at(row, id as usize))
        .collect()
}

/// The top-left `(m, m)` block of every head's `(n, n)` matrix: a causal model's first `m`
/// rows are what it computes for the first `m` tokens alone.
fn top_left(w: &[f32], heads: usize, n: usize, m: usize) -> Result<Vec<f32>, ModelError> {
    if w.len() != heads * n * n {
        return Err(ModelError::Inference(format!(
            "{} attention values are not {heads} heads of {n}×{n}",
            w.len()
        )));
    }
    Ok((0..heads)
        .flat_map(|h| (0..m).flat_map(move |i| (0..m).map(move |j| (h, i, j))))
        .map(|(h, i, j)| w[(h * n + i) * n + j])
        .collect())
}

impl Variants for PromptVariants {
    /// The tokens before the first tested one are the same in every variant, and a causal
    /// model's keys and values for them do not depend on what follows: they run once (the
    /// shared prefix stage, from an empty cache), and each variant runs only its tested tail
    /// against that cache. The result is a full recompute's, which the native test checks
    /// against onnxruntime recomputing every variant whole.
    fn runs(&self, sets: &[Vec<usize>]) -> Result<Runs, ModelError> {
        let p = self.positions.first().copied().unwrap_or(0);
        let n_layers = self.dims.n_layers;
        let prefix = (p > 0).then(|| Stage {
            key: GRAPH_KEY.into(),
            inputs: inputs(&self.ids[..p], self.start, None, &self.dims),
            carry: Vec::new(),
            outputs: (0..n_layers)
                .flat_map(|l| [key_name(l), value_name(l)])
                .collect(),
        });
        let carry: Vec<(String, String)> = (0..n_layers)
            .flat_map(|l| {
                [
                    (key_name(l), past_key_name(l)),
                    (value_name(l), past_value_name(l)),
                ]
            })
            .collect();
        let runs = sets
            .iter()
            .map(|set| {
                let ids = replaced(&self.ids, &self.positions, set, self.dims.end_id);
                let mut tail = inputs(&ids[p..], self.start + p, None, &self.dims);
                if p > 0 {
                    // The cache comes from the prefix stage instead of these empty ones.
                    tail.retain(|t| t.name == "ids" || t.name == "start");
                }
                vec![Stage {
                    key: GRAPH_KEY.into(),
                    inputs: tail,
                    carry: if p > 0 { carry.clone() } else { Vec::new() },
                    outputs: vec![LOGITS.into()],
                }]
            })
            .collect();
        Ok(Each::runs(
            prefix,
            runs,
            LOGITS,
            self.target(),
            RowValue::Softmax,
        ))
    }

    fn target(&self) -> usize {
        self.target as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Tensor;

    fn dims() -> Dims {
        Dims {
            n_layers: 1,
            n_heads: 1,
            d_k: 2,
            vocab: 10,
            context: 8,
            end_id: 0,
            max_new_tokens: 4,
        }
    }

    fn at(ids: &[u32]) -> Prediction<'_> {
        Prediction {
            ids,
            start: 3,
            target: 7,
            base: 0.4,
        }
    }

    #[test]
    fn the_last_tokens_are_tested_and_replaced_by_the_end_token() {
        let n = 40;
        let ids: Vec<u32> = (0..35).map(|i| 1 + i % 9).collect();
        let w = vec![vec![0.5; n * n]];
        let (subject, v) =
            PromptVariants::new(at(&ids), &w, n, &dims(), |id| id.to_string()).expect("subject");
        assert_eq!(
            (subject.labels.len(), subject.total, subject.reading),
            (BUDGET, 35, 34)
        );
        assert_eq!(subject.positions[0], 3);
        assert_eq!(subject.layers[0].seq, 35);
        let Ok(Runs::Each(each)) = v.runs(&[vec![0], vec![BUDGET - 1]]) else {
            panic!("runs one by one");
        };
        assert_eq!(each.runs.len(), 2);
        // Tokens 0–2 are the shared prefix (from position 3); each variant runs tokens 3–34
        // from position 6 with the prefix's cache.
        let prefix = each.prefix.as_ref().expect("a prefix");
        assert_eq!(prefix.inputs[0].as_i64().expect("ids"), [1, 2, 3]);
        assert_eq!(prefix.outputs, ["layer0.key", "layer0.value"]);
        let run0 = &each.runs[0][0];
        assert_eq!(run0.inputs.len(), 2);
        let start = Tensor::find(&run0.inputs, "start").and_then(Tensor::as_i64);
        assert_eq!(start, Some(&[6i64][..]));
        let carried = ("layer0.value".to_owned(), "past.0.value".to_owned());
        assert_eq!(run0.carry[1], carried);
        let first = run0.inputs[0].as_i64().expect("ids");
        assert_eq!((first.len(), first[0], first[1], first[31]), (32, 0, 5, 8));
        let last = each.runs[1][0].inputs[0].as_i64().expect("ids");
        assert_eq!((last[0], last[31]), (4, 0));
        assert_eq!(each.pick.index, 7);
        assert!(PromptVariants::new(at(&[]), &w, n, &dims(), |id| id.to_string()).is_err());
        assert!(top_left(&[0.0; 5], 1, 2, 1).is_err());
        let p = next_token_probs(&[0.0, 0.0, 1.0, 0.0], 2, &[1, 0]);
        let e = std::f64::consts::E;
        assert!((p[0] - 0.5).abs() < 1e-12 && (p[1] - e / (e + 1.0)).abs() < 1e-12);
    }
}
