//! "What if…": the attention weights recomputed from the model's own raw scores QKᵀ with the
//! recipe changed (no √d_k, a temperature, hard attention, another mask), and the statistics
//! that show what changed (row entropy, top-k mass, attention distance).
//!
//! With [`WhatIf::default`] the recipe is the model's, and [`what_if_weights`] reproduces its
//! weights; the page says so, and says loudly when the display has left the real computation.

use rust_i18n::t;

use super::attention::softmax_rows;
use super::matrix::Matrix;

/// How the weights are made from the scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selection {
    /// softmax, as the model does
    Soft,
    /// all weight on the largest score of each row (ties share it)
    Argmax,
    /// softmax over the `k` largest scores of each row, 0 elsewhere
    TopK(usize),
    /// softmax weights below `p` set to 0, the rest renormalised
    Threshold(f32),
}

/// Which keys each query may see.
#[derive(Debug, Clone, PartialEq)]
pub enum MaskChoice {
    /// the model's own mask (padding)
    Model,
    None,
    Causal,
    /// `true` = hidden, one entry per (query, key), row-major
    Custom(Vec<bool>),
}

/// The recipe; the default is the model's own.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub scale: bool,
    pub temperature: f32,
    pub selection: Selection,
    pub mask: MaskChoice,
}

impl Default for WhatIf {
    fn default() -> Self {
        WhatIf {
            scale: true,
            temperature: 1.0,
            selection: Selection::Soft,
            mask: MaskChoice::Model,
        }
    }
}

impl WhatIf {
    /// Whether this recipe is the model's (so the weights shown are the real ones).
    pub fn is_model(&self) -> bool {
        self == &WhatIf::default()
    }

    /// What differs from the model, in words, for the banner.
    pub fn changes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.scale {
            out.push(t!("whatif.change.no_scale").into_owned());
        }
        if self.temperature != 1.0 {
            out.push(t!("whatif.change.temperature", t = self.temperature).into_owned());
        }
        match self.selection {
            Selection::Soft => {}
            Selection::Argmax => out.push(t!("whatif.change.argmax").into_owned()),
            Selection::TopK(k) => out.push(t!("whatif.change.topk", k = k).into_owned()),
            Selection::Threshold(p) => out.push(t!("whatif.change.threshold", p = p).into_owned()),
        }
        match &self.mask {
            MaskChoice::Model => {}
            MaskChoice::None => out.push(t!("whatif.change.no_mask").into_owned()),
            MaskChoice::Causal => out.push(t!("whatif.change.causal").into_owned()),
            MaskChoice::Custom(_) => out.push(t!("whatif.change.custom").into_owned()),
        }
        out
    }
}

/// Scores that give exactly `weights` (one head, post-softmax) under the model's recipe, for
/// models that export only their weights: `√d_k · ln w`, and a mask that hides the keys with
/// weight 0. Softmax ignores a constant added to a row, so these differ from the model's real
/// scores `QKᵀ` only by such a constant per row, and every what-if recipe (no ÷√d_k, a
/// temperature, hard attention, a mask) gives the same weights from them as from the real
/// scores. Only unmasking is out of reach: a key the model gave weight 0 stays at 0.
pub fn scores_from_weights(weights: &Matrix, d_k: usize) -> (Matrix, Matrix) {
    let scale = (d_k.max(1) as f32).sqrt();
    let (n, m) = weights.shape();
    let value = |i, j| weights.get(i, j).unwrap_or(0.0);
    let scores = Matrix::from_fn(n, m, |i, j| {
        let w = value(i, j);
        if w > 0.0 {
            scale * w.ln()
        } else {
            f32::NEG_INFINITY
        }
    });
    let mask = Matrix::from_fn(n, m, |i, j| {
        if value(i, j) > 0.0 {
            0.0
        } else {
            f32::NEG_INFINITY
        }
    });
    (scores, mask)
}

/// Weights from raw scores `QKᵀ` (one head, `n × n`), `model_mask` the model's additive mask
/// (0 or −∞), `d_k` the head width. Rows that may see nothing are all zeros.
pub fn what_if_weights(scores: &Matrix, model_mask: &Matrix, d_k: usize, w: &WhatIf) -> Matrix {
    let (n, m) = scores.shape();
    let divisor = if w.scale { (d_k as f32).sqrt() } else { 1.0 } * w.temperature.max(1e-3);
    let hidden = |i: usize, j: usize| -> bool {
        match &w.mask {
            MaskChoice::Model => model_mask.get(i, j).is_some_and(|v| !v.is_finite()),
            MaskChoice::None => false,
            MaskChoice::Causal => j > i,
            MaskChoice::Custom(cells) => cells.get(i * m + j).copied().unwrap_or(false),
        }
    };
    let masked = Matrix::from_fn(n, m, |i, j| {
        if hidden(i, j) {
            f32::NEG_INFINITY
        } else {
            scores.get(i, j).unwrap_or(f32::NEG_INFINITY) / divisor
        }
    });
    match w.selection {
        Selection::Soft => softmax_rows(&masked),
        Selection::Argmax => {
            let rows: Vec<f32> = (0..n)
                .flat_map(|i| {
                    let row = masked.row(i);
                    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let winners = row.iter().filter(|&&v| v == max && v.is_finite()).count();
                    row.iter()
                        .map(move |&v| {
                            if winners > 0 && v == max {
                                1.0 / winners as f32
                            } else {
                                0.0
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            Matrix::from_vec(n, m, rows).unwrap_or_else(|_| Matrix::zeros(n, m))
        }
        Selection::TopK(k) => {
            let kept = Matrix::from_fn(n, m, |i, j| {
                let row = masked.row(i);
                let v = row[j];
                // Rank = how many entries beat this one (earlier index wins ties).
                let rank = row
                    .iter()
                    .enumerate()
                    .filter(|&(jj, &o)| o > v || (o == v && jj < j))
                    .count();
                if rank < k.max(1) {
                    v
                } else {
                    f32::NEG_INFINITY
                }
            });
            softmax_rows(&kept)
        }
        Selection::Threshold(p) => {
            let soft = softmax_rows(&masked);
            let kept = soft.map(|v| if v >= p { v } else { 0.0 });
            Matrix::from_fn(n, m, |i, j| {
                let sum: f32 = kept.row(i).iter().sum();
                let v = kept.get(i, j).unwrap_or(0.0);
                if sum > 0.0 {
                    v / sum
                } else {
                    0.0
                }
            })
        }
    }
}

/// Entropy of each row in nats (0 = all weight on one key, ln n = spread evenly).
pub fn row_entropy(weights: &Matrix) -> Vec<f32> {
    (0..weights.rows())
        .map(|i| {
            -weights
                .row(i)
                .iter()
                .filter(|&&p| p > 0.0)
                .map(|&p| p * p.ln())
                .sum::<f32>()
        })
        .collect()
}

/// For each row, the weight held by its `k` largest entries.
pub fn top_k_mass(weights: &Matrix, k: usize) -> Vec<f32> {
    (0..weights.rows())
        .map(|i| {
            let mut row = weights.row(i).to_vec();
            row.sort_by(|a, b| b.total_cmp(a));
            row.iter().take(k).sum()
        })
        .collect()
}

/// For each row `i`, the expected distance `Σ_j w_ij · |i − j|` in tokens.
pub fn attention_distance(weights: &Matrix) -> Vec<f32> {
    (0..weights.rows())
        .map(|i| {
            weights
                .row(i)
                .iter()
                .enumerate()
                .map(|(j, &w)| w * i.abs_diff(j) as f32)
                .sum()
        })
        .collect()
}

/// The mean of a list (0 for an empty one).
pub fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f32>() / values.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores() -> Matrix {
        Matrix::from_vec(3, 3, vec![2.0, 1.0, 0.0, 0.5, 3.0, 1.0, 1.0, 1.0, 4.0]).expect("3×3")
    }

    fn open_mask() -> Matrix {
        Matrix::zeros(3, 3)
    }

    #[test]
    fn scores_recovered_from_weights_give_every_recipe_the_same_weights() {
        let (s, d_k) = (scores(), 4);
        let real = what_if_weights(&s, &open_mask(), d_k, &WhatIf::default());
        let (pseudo, mask) = scores_from_weights(&real, d_k);
        let recipes = [
            WhatIf::default(),
            WhatIf {
                scale: false,
                ..WhatIf::default()
            },
            WhatIf {
                temperature: 0.3,
                ..WhatIf::default()
            },
            WhatIf {
                selection: Selection::Argmax,
                ..WhatIf::default()
            },
            WhatIf {
                selection: Selection::TopK(2),
                ..WhatIf::default()
            },
            WhatIf {
                selection: Selection::Threshold(0.2),
                ..WhatIf::default()
            },
            WhatIf {
                mask: MaskChoice::Causal,
                ..WhatIf::default()
            },
        ];
        for w in &recipes {
            let from_real = what_if_weights(&s, &open_mask(), d_k, w);
            let from_weights = what_if_weights(&pseudo, &mask, d_k, w);
            assert!(from_real.max_abs_diff(&from_weights) < 1e-5, "{w:?}");
        }
    }

    #[test]
    fn keys_with_weight_zero_stay_hidden() {
        let w = Matrix::from_vec(1, 3, vec![0.0, 0.25, 0.75]).expect("1×3");
        let (pseudo, mask) = scores_from_weights(&w, 16);
        assert_eq!(mask.get(0, 0), Some(f32::NEG_INFINITY));
        let none = WhatIf {
            mask: MaskChoice::None,
            temperature: 4.0,
            ..WhatIf::default()
        };
        assert_eq!(
            what_if_weights(&pseudo, &mask, 16, &none).get(0, 0),
            Some(0.0)
        );
    }

    #[test]
    fn the_default_recipe_is_the_models_softmax() {
        let s = scores();
        let w = what_if_weights(&s, &open_mask(), 4, &WhatIf::default());
        let expected = softmax_rows(&s.map(|v| v / 2.0));
        assert!(w.max_abs_diff(&expected) < 1e-7);
        assert!(WhatIf::default().is_model());
        assert!(WhatIf::default().changes().is_empty());
    }

    #[test]
    fn temperature_and_scale_sharpen_or_flatten() {
        let s = scores();
        let base = what_if_weights(&s, &open_mask(), 4, &WhatIf::default());
        let hot = WhatIf {
            temperature: 10.0,
            ..WhatIf::default()
        };
        let unscaled = WhatIf {
            scale: false,
            ..WhatIf::default()
        };
        let e = |w: &WhatIf| mean(&row_entropy(&what_if_weights(&s, &open_mask(), 4, w)));
        assert!(e(&hot) > mean(&row_entropy(&base)));
        assert!(e(&unscaled) < mean(&row_entropy(&base)));
        assert!(e(&hot) <= 3f32.ln() + 1e-6);
    }

    #[test]
    fn hard_attention_puts_everything_on_the_largest_scores() {
        let s = scores();
        let argmax = WhatIf {
            selection: Selection::Argmax,
            ..WhatIf::default()
        };
        let w = what_if_weights(&s, &open_mask(), 4, &argmax);
        assert_eq!(w.row(0), [1.0, 0.0, 0.0]);
        assert_eq!(w.row(1), [0.0, 1.0, 0.0]);
        assert_eq!(row_entropy(&w), vec![0.0; 3]);

        let top2 = WhatIf {
            selection: Selection::TopK(2),
            ..WhatIf::default()
        };
        let w = what_if_weights(&s, &open_mask(), 4, &top2);
        for i in 0..3 {
            assert_eq!(w.row(i).iter().filter(|&&v| v > 0.0).count(), 2);
            assert!((w.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
        for mass in top_k_mass(&w, 2) {
            assert!((mass - 1.0).abs() < 1e-6);
        }

        let thresh = WhatIf {
            selection: Selection::Threshold(0.3),
            ..WhatIf::default()
        };
        let w = what_if_weights(&s, &open_mask(), 4, &thresh);
        for i in 0..3 {
            assert!((w.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-6);
            assert!(w.row(i).iter().all(|&v| v == 0.0 || v >= 0.3));
        }
    }

    #[test]
    fn masks_hide_exactly_the_chosen_keys() {
        let s = scores();
        let causal = WhatIf {
            mask: MaskChoice::Causal,
            ..WhatIf::default()
        };
        let w = what_if_weights(&s, &open_mask(), 4, &causal);
        assert_eq!(w.row(0), [1.0, 0.0, 0.0]);
        assert_eq!(w.get(1, 2), Some(0.0));
        assert_eq!(attention_distance(&w)[0], 0.0);

        let mut hide = vec![false; 9];
        hide[0] = true;
        hide[1] = true;
        hide[2] = true; // row 0 sees nothing
        hide[5] = true;
        let custom = WhatIf {
            mask: MaskChoice::Custom(hide),
            ..WhatIf::default()
        };
        let w = what_if_weights(&s, &open_mask(), 4, &custom);
        assert_eq!(w.row(0), [0.0, 0.0, 0.0]);
        assert_eq!(w.get(1, 2), Some(0.0));
        assert!((w.row(1).iter().sum::<f32>() - 1.0).abs() < 1e-6);

        // The model's mask is used as given; "none" ignores it.
        let padded = Matrix::from_fn(3, 3, |_, j| if j == 2 { f32::NEG_INFINITY } else { 0.0 });
        let w = what_if_weights(&s, &padded, 4, &WhatIf::default());
        assert!((0..3).all(|i| w.get(i, 2) == Some(0.0)));
        let none = WhatIf {
            mask: MaskChoice::None,
            ..WhatIf::default()
        };
        assert!(what_if_weights(&s, &padded, 4, &none)
            .get(0, 2)
            .is_some_and(|v| v > 0.0));
        assert_eq!(none.changes(), ["no mask"]);
    }

    #[test]
    fn statistics_of_known_rows() {
        let uniform = Matrix::from_fn(2, 4, |_, _| 0.25);
        let e = row_entropy(&uniform);
        assert!((e[0] - 4f32.ln()).abs() < 1e-6);
        assert_eq!(top_k_mass(&uniform, 2), vec![0.5, 0.5]);
        // Row 1 spreads evenly over keys 0..3: distances 1, 0, 1, 2.
        assert!((attention_distance(&uniform)[1] - 1.0).abs() < 1e-6);
        assert_eq!(mean(&[]), 0.0);
    }
}
