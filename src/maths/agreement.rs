//! How far our step-by-step recomputation is from what the model runtime computed.

use super::attention::AttentionSteps;
use super::matrix::Matrix;
use super::record::ModelRecord;

/// Largest difference still shown as agreement.
pub const TOLERANCE: f32 = 1e-4;

/// One compared quantity: which layer and step, and the largest difference.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCheck {
    /// `None` for the embedding step, which comes before any layer
    pub layer: Option<usize>,
    /// Short name of the quantity, e.g. `"Q"` or `"weights head 2"`
    pub what: String,
    pub max_abs_diff: f32,
}

/// Every comparison of one walkthrough.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Agreement {
    pub checks: Vec<StepCheck>,
}

impl Agreement {
    /// Compares the record with our recomputation: `X₀ = E + P` from our own `P`, then
    /// for every layer Q, K, V, scores and weights per head, the concatenation and `W_O`.
    pub fn compare(record: &ModelRecord, ours_p: &Matrix, ours: &[AttentionSteps]) -> Self {
        let mut checks = Vec::new();
        let push = |checks: &mut Vec<StepCheck>, layer, what: String, a: &Matrix, b: &Matrix| {
            checks.push(StepCheck {
                layer,
                what,
                max_abs_diff: a.max_abs_diff(b),
            })
        };
        push(
            &mut checks,
            None,
            "P".into(),
            &record.positional_encoding,
            ours_p,
        );
        if let (Some(first), Ok(x0)) = (record.layers.first(), record.token_embeddings.add(ours_p))
        {
            push(&mut checks, None, "X = E + P".into(), &first.x, &x0);
        }
        if record.layers.len() != ours.len() {
            checks.push(StepCheck {
                layer: None,
                what: "number of layers".into(),
                max_abs_diff: f32::INFINITY,
            });
        }
        for (l, (model, steps)) in record.layers.iter().zip(ours).enumerate() {
            let layer = Some(l);
            push(&mut checks, layer, "Q".into(), &model.query, &steps.query);
            push(&mut checks, layer, "K".into(), &model.key, &steps.key);
            push(&mut checks, layer, "V".into(), &model.value, &steps.value);
            if model.scores.len() != steps.heads.len() || model.weights.len() != steps.heads.len() {
                checks.push(StepCheck {
                    layer,
                    what: "number of heads".into(),
                    max_abs_diff: f32::INFINITY,
                });
            }
            for (h, head) in steps.heads.iter().enumerate() {
                if let Some(scores) = model.scores.get(h) {
                    push(
                        &mut checks,
                        layer,
                        format!("QKᵀ head {}", h + 1),
                        scores,
                        &head.scores,
                    );
                }
                if let Some(weights) = model.weights.get(h) {
                    push(
                        &mut checks,
                        layer,
                        format!("weights head {}", h + 1),
                        weights,
                        &head.weights,
                    );
                }
            }
            push(
                &mut checks,
                layer,
                "heads concatenated".into(),
                &model.context,
                &steps.concat,
            );
            push(
                &mut checks,
                layer,
                "output ·W_O".into(),
                &model.attn_out,
                &steps.output,
            );
        }
        Self { checks }
    }

    /// Largest difference over the checks that `keep` selects (∞ if a selected check failed outright).
    pub fn max_where(&self, keep: impl Fn(&StepCheck) -> bool) -> f32 {
        self.checks
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.max_abs_diff)
            .fold(0.0, f32::max)
    }

    pub fn max(&self) -> f32 {
        self.max_where(|_| true)
    }

    pub fn ok(&self) -> bool {
        self.max() < TOLERANCE
    }
}
