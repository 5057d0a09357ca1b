//! How the decoder's cross-attention moves from one decoding step to the next, and how that
//! differs between layers: the numbers behind the translation page's "across decoding steps"
//! section, computed from the attention rows the decoder really returned.
//!
//! For one layer and head (or the mean of the heads), step `t` has a row `a_t` over the `S`
//! source tokens (it sums to 1). Per step: its entropy `−Σ a log a` in nats (0 = all weight on
//! one source token, ln S = spread evenly), its top-1 mass `max a`, the source token holding
//! that mass, and the shift from the step before, the total-variation distance
//! `½ Σ_j |a_t[j] − a_{t−1}[j]|` (0 = it looked at exactly the same place, 1 = at entirely
//! different tokens). Pure: no yew, tested natively.

use super::{Decoding, View};
use crate::maths::{row_entropy, top_k_mass, Matrix};

/// The cross-attention of one decoding step, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepShift {
    /// Entropy of the row, in nats.
    pub entropy: f32,
    /// The largest weight of the row.
    pub top1: f32,
    /// The source position holding `top1` (the first one on ties).
    pub argmax: usize,
    /// Total-variation distance from the previous step's row; `None` for the first step.
    pub shift: Option<f32>,
}

/// `½ Σ |a − b|` over equally long rows: how much attention moved between them (0..=1 for
/// two rows that each sum to 1). Extra entries of the longer row are ignored.
pub fn total_variation(a: &[f32], b: &[f32]) -> f32 {
    0.5 * a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>()
}

/// The first position of the largest entry (NaN never wins); 0 for an empty row.
fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (j, &v) in row.iter().enumerate() {
        if v > row[best] || row[best].is_nan() {
            best = j;
        }
    }
    best
}

/// One [`StepShift`] per row of `cross` (`steps × S`, row `t` = step `t + 1`).
pub fn step_shifts(cross: &Matrix) -> Vec<StepShift> {
    let entropy = row_entropy(cross);
    let top1 = top_k_mass(cross, 1);
    (0..cross.rows())
        .map(|t| {
            let row = cross.row(t);
            StepShift {
                entropy: entropy[t],
                top1: top1[t],
                argmax: argmax(row),
                shift: t
                    .checked_sub(1)
                    .map(|prev| total_variation(row, cross.row(prev))),
            }
        })
        .collect()
}

/// Means over the decoding steps of one layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerShift {
    /// 0-based
    pub layer: usize,
    pub mean_entropy: f32,
    pub mean_top1: f32,
    /// Mean shift between consecutive steps; `None` with fewer than two steps.
    pub mean_shift: Option<f32>,
}

/// Summarises `shifts` (one layer's steps) as means.
pub fn layer_shift(layer: usize, shifts: &[StepShift]) -> LayerShift {
    let mean = |values: Vec<f32>| -> Option<f32> {
        (!values.is_empty()).then(|| values.iter().sum::<f32>() / values.len() as f32)
    };
    LayerShift {
        layer,
        mean_entropy: mean(shifts.iter().map(|s| s.entropy).collect()).unwrap_or(0.0),
        mean_top1: mean(shifts.iter().map(|s| s.top1).collect()).unwrap_or(0.0),
        mean_shift: mean(shifts.iter().filter_map(|s| s.shift).collect()),
    }
}

/// Per decoder layer, the means over the first `n` steps for `head` (`None`: the mean of the
/// heads), so the page can show how attention shifts differently across layers.
pub fn layer_shifts(decoding: &Decoding, n: usize, head: Option<usize>) -> Vec<LayerShift> {
    (0..decoding.dims().n_layers)
        .filter_map(|layer| {
            let cross = decoding.cross_matrix(n, View { layer, head })?;
            Some(layer_shift(layer, &step_shifts(&cross)))
        })
        .collect()
}

/// Column names of [`shift_matrix`], in English (the page shows translated headers).
pub const SHIFT_COLUMNS: [&str; 4] = ["entropy", "top-1 mass", "most attended", "shift"];

/// The per-step numbers as a `steps × 4` matrix for the data table and the exported files:
/// entropy (nats), top-1 mass, the 1-based source position attended most, and the shift from
/// the previous step (NaN for the first step, which has none).
pub fn shift_matrix(shifts: &[StepShift]) -> Matrix {
    let data = shifts
        .iter()
        .flat_map(|s| {
            [
                s.entropy,
                s.top1,
                (s.argmax + 1) as f32,
                s.shift.unwrap_or(f32::NAN),
            ]
        })
        .collect();
    Matrix::from_vec(shifts.len(), 4, data).unwrap_or_else(|_| Matrix::zeros(0, 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demos::translate::{Dims, Step};

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn total_variation_of_known_rows() {
        assert!(close(total_variation(&[1.0, 0.0], &[0.0, 1.0]), 1.0));
        assert!(close(total_variation(&[0.5, 0.5], &[0.5, 0.5]), 0.0));
        assert!(close(
            total_variation(&[0.7, 0.2, 0.1], &[0.1, 0.2, 0.7]),
            0.6
        ));
        assert!(close(total_variation(&[], &[]), 0.0));
    }

    #[test]
    fn step_shifts_of_hand_made_rows() {
        // step 1: all on token 0; step 2: even over 4 tokens; step 3: all on token 2;
        // step 4: [0.5, 0.5, 0, 0].
        let cross = Matrix::from_vec(
            4,
            4,
            vec![
                1.0, 0.0, 0.0, 0.0, //
                0.25, 0.25, 0.25, 0.25, //
                0.0, 0.0, 1.0, 0.0, //
                0.5, 0.5, 0.0, 0.0,
            ],
        )
        .expect("4×4");
        let s = step_shifts(&cross);
        assert_eq!(s.len(), 4);
        assert!(close(s[0].entropy, 0.0) && close(s[0].top1, 1.0));
        assert_eq!((s[0].argmax, s[0].shift), (0, None));
        assert!(close(s[1].entropy, 4.0_f32.ln()), "even over 4: ln 4");
        assert!(close(s[1].top1, 0.25));
        assert_eq!(s[1].argmax, 0, "ties go to the first token");
        assert!(close(s[1].shift.expect("shift"), 0.75));
        assert_eq!(s[2].argmax, 2);
        assert!(close(s[2].shift.expect("shift"), 0.75));
        assert!(close(s[3].entropy, 2.0_f32.ln()));
        assert!(close(s[3].shift.expect("shift"), 1.0), "nothing in common");

        let summary = layer_shift(2, &s);
        assert_eq!(summary.layer, 2);
        let mean_entropy = (4.0_f32.ln() + 2.0_f32.ln()) / 4.0;
        assert!(close(summary.mean_entropy, mean_entropy));
        assert!(close(summary.mean_top1, (1.0 + 0.25 + 1.0 + 0.5) / 4.0));
        assert!(close(
            summary.mean_shift.expect("mean"),
            (0.75 + 0.75 + 1.0) / 3.0
        ));
        assert_eq!(
            layer_shift(0, &s[..1]).mean_shift,
            None,
            "one step has no shift"
        );
        assert_eq!(layer_shift(0, &[]).mean_entropy, 0.0);

        let m = shift_matrix(&s);
        assert_eq!(m.shape(), (4, 4));
        assert_eq!(m.row(2), [0.0, 1.0, 3.0, 0.75]);
        assert!(
            m.get(0, 3).expect("cell").is_nan(),
            "the first step has no shift"
        );
    }

    #[test]
    fn argmax_skips_nan() {
        assert_eq!(argmax(&[f32::NAN, 0.2, 0.8]), 2);
        assert_eq!(argmax(&[]), 0);
    }

    /// Two layers × two heads over 2 source tokens: layer 0's heads look at token `t % 2`
    /// and `(t + 1) % 2` (their mean is always even), layer 1's both at token 0.
    #[test]
    fn layer_shifts_per_head_and_for_the_mean() {
        let dims = Dims {
            n_layers: 2,
            n_heads: 2,
            vocab: 10,
            bos: 1,
            eos: 2,
            max_new_tokens: 10,
        };
        let one_hot = |j: usize| {
            if j == 0 {
                vec![1.0, 0.0]
            } else {
                vec![0.0, 1.0]
            }
        };
        let mut d = Decoding::new(dims, 2);
        for t in 0..3 {
            let n = t + 1;
            d.push(Step {
                chosen: 5,
                top: Vec::new(),
                self_rows: vec![vec![vec![1.0 / n as f32; n]; 2]; 2],
                cross_rows: vec![
                    vec![one_hot(t % 2), one_hot((t + 1) % 2)],
                    vec![one_hot(0), one_hot(0)],
                ],
            })
            .expect("fits");
        }
        let head0 = layer_shifts(&d, 3, Some(0));
        assert_eq!(head0.len(), 2);
        assert!(
            close(head0[0].mean_shift.expect("shift"), 1.0),
            "jumps every step"
        );
        assert!(close(head0[0].mean_entropy, 0.0));
        assert!(
            close(head0[1].mean_shift.expect("shift"), 0.0),
            "never moves"
        );
        let mean = layer_shifts(&d, 3, None);
        assert!(
            close(mean[0].mean_entropy, 2.0_f32.ln()),
            "the mean is even"
        );
        assert!(close(mean[0].mean_shift.expect("shift"), 0.0));
        assert!(close(mean[0].mean_top1, 0.5));
        assert!(
            layer_shifts(&d, 3, Some(7)).is_empty(),
            "no such head: nothing"
        );
        assert_eq!(layer_shifts(&d, 1, None)[1].mean_shift, None);
    }
}
