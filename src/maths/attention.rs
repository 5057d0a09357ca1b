//! Scaled dot-product attention, one explicit step at a time.
//!
//! Row-vector convention throughout: `X` is `(seq_len, d_model)`, `Q = X·W_Q + b_Q`,
//! head `h` owns columns `h·d_k .. (h+1)·d_k` of Q, K and V, and
//! `Attention(Q, K, V) = softmax(QKᵀ / √d_k + M)·V`.

use serde::{Deserialize, Serialize};

use super::matrix::{Matrix, ShapeError};

/// Which key positions a query may look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Mask {
    /// Every query sees every key.
    None,
    /// Keys whose entry is `false` are padding and get weight exactly 0.
    Padding(Vec<bool>),
    /// Query `i` sees keys `0..=i` only (decoders).
    Causal,
}

impl Mask {
    /// The additive mask `M`, `(seq_len, seq_len)`: 0 where attention is allowed and
    /// −∞ where it is not, so that `exp(score + M) = 0` exactly at masked keys.
    pub fn additive(&self, seq_len: usize) -> Matrix {
        Matrix::from_fn(seq_len, seq_len, |i, j| {
            let allowed = match self {
                Mask::None => true,
                Mask::Padding(valid) => valid.get(j).copied().unwrap_or(false),
                Mask::Causal => j <= i,
            };
            if allowed {
                0.0
            } else {
                f32::NEG_INFINITY
            }
        })
    }
}

/// Softmax of each row on its own: `w_ij = exp(s_ij) / Σ_k exp(s_ik)`.
///
/// A row whose entries are all −∞ (a query that may see nothing) becomes all zeros
/// rather than NaN.
pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut out = Vec::with_capacity(scores.rows() * scores.cols());
    for i in 0..scores.rows() {
        let row = scores.row(i);
        // Subtract the row max so exp never overflows; the result is unchanged.
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if max == f32::NEG_INFINITY || max.is_nan() {
            out.extend(std::iter::repeat_n(0.0, row.len()));
            continue;
        }
        let exps: Vec<f32> = row.iter().map(|&s| (s - max).exp()).collect();
        let sum: f32 = exps.iter().sum();
        out.extend(exps.iter().map(|e| e / sum));
    }
    Matrix::from_fn(scores.rows(), scores.cols(), |i, j| {
        out[i * scores.cols() + j]
    })
}

/// The fixed sinusoidal positional encoding of "Attention Is All You Need",
/// `(seq_len, d_model)`: `P[pos, 2i] = sin(pos / 10000^(2i/d))`, `P[pos, 2i+1] = cos(…)`.
pub fn sinusoidal_positional_encoding(seq_len: usize, d_model: usize) -> Matrix {
    Matrix::from_fn(seq_len, d_model, |pos, dim| {
        let pair = (dim / 2) * 2;
        // Same association as the exporter (PyTorch): pos * exp(-ln(10000) * 2i / d).
        let rate = (-(10000f32.ln()) * pair as f32 / d_model as f32).exp();
        let angle = pos as f32 * rate;
        if dim % 2 == 0 {
            angle.sin()
        } else {
            angle.cos()
        }
    })
}

/// The learned parameters of one multi-head attention block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionParams {
    /// `(d_model, d_model)`
    pub w_query: Matrix,
    /// `(d_model,)`
    pub b_query: Vec<f32>,
    pub w_key: Matrix,
    pub b_key: Vec<f32>,
    pub w_value: Matrix,
    pub b_value: Vec<f32>,
    /// `(d_model, d_model)`: mixes the concatenated heads back together.
    pub w_output: Matrix,
    pub b_output: Vec<f32>,
    pub n_heads: usize,
}

impl AttentionParams {
    pub fn d_model(&self) -> usize {
        self.w_query.rows()
    }

    /// Width of one head, `d_model / n_heads`.
    pub fn d_k(&self) -> usize {
        self.d_model() / self.n_heads.max(1)
    }
}

/// Everything one head computes, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadSteps {
    /// `(seq_len, d_k)`
    pub query: Matrix,
    pub key: Matrix,
    pub value: Matrix,
    /// `QKᵀ`, `(seq_len, seq_len)`
    pub scores: Matrix,
    /// `QKᵀ / √d_k`
    pub scaled: Matrix,
    /// `QKᵀ / √d_k + M` (−∞ at masked keys)
    pub masked: Matrix,
    /// `softmax(masked)`, each row a probability distribution over keys
    pub weights: Matrix,
    /// `weights · V`, `(seq_len, d_k)`
    pub context: Matrix,
}

/// Every step of one multi-head attention block, recomputed from its input and parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionSteps {
    /// Input `X`, `(seq_len, d_model)`
    pub x: Matrix,
    /// `X·W_Q + b_Q`, `(seq_len, d_model)`
    pub query: Matrix,
    pub key: Matrix,
    pub value: Matrix,
    /// The additive mask `M`, `(seq_len, seq_len)`
    pub mask: Matrix,
    pub heads: Vec<HeadSteps>,
    /// The heads' contexts side by side, `(seq_len, d_model)`
    pub concat: Matrix,
    /// `concat · W_O + b_O`, `(seq_len, d_model)`
    pub output: Matrix,
}

/// Runs multi-head scaled dot-product attention on `x`, keeping every intermediate.
pub fn attention_steps(
    x: &Matrix,
    params: &AttentionParams,
    mask: &Mask,
) -> Result<AttentionSteps, ShapeError> {
    let query = x.matmul(&params.w_query)?.add_row_vector(&params.b_query)?;
    let key = x.matmul(&params.w_key)?.add_row_vector(&params.b_key)?;
    let value = x.matmul(&params.w_value)?.add_row_vector(&params.b_value)?;
    let d_k = params.d_k();
    let additive = mask.additive(x.rows());
    let scale = (d_k as f32).sqrt();

    let mut heads = Vec::with_capacity(params.n_heads);
    for h in 0..params.n_heads {
        let (start, end) = (h * d_k, (h + 1) * d_k);
        let (q, k, v) = (
            query.columns(start, end),
            key.columns(start, end),
            value.columns(start, end),
        );
        let scores = q.matmul(&k.transpose())?;
        let scaled = scores.map(|s| s / scale);
        let masked = scaled.add(&additive)?;
        let weights = softmax_rows(&masked);
        let context = weights.matmul(&v)?;
        heads.push(HeadSteps {
            query: q,
            key: k,
            value: v,
            scores,
            scaled,
            masked,
            weights,
            context,
        });
    }
    let contexts: Vec<Matrix> = heads.iter().map(|h| h.context.clone()).collect();
    let concat = Matrix::hconcat(&contexts)?;
    let output = concat
        .matmul(&params.w_output)?
        .add_row_vector(&params.b_output)?;
    Ok(AttentionSteps {
        x: x.clone(),
        query,
        key,
        value,
        mask: additive,
        heads,
        concat,
        output,
    })
}

/// One term of a score: `q_i[t] · k_j[t]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DotTerm {
    pub query: f32,
    pub key: f32,
    pub product: f32,
}

/// The q·k breakdown of one score cell: the two vectors, their products, the sum and
/// the scaled sum.
#[derive(Debug, Clone, PartialEq)]
pub struct DotBreakdown {
    pub terms: Vec<DotTerm>,
    /// `Σ_t q_i[t]·k_j[t]`, the raw score
    pub sum: f32,
    /// `sum / √d_k`
    pub scaled: f32,
}

/// Explains score `(i, j)` of one head from its query and key slices, each
/// `(seq_len, d_k)`: `None` when the cell is outside the matrix.
pub fn dot_breakdown(query: &Matrix, key: &Matrix, i: usize, j: usize) -> Option<DotBreakdown> {
    if i >= query.rows() || j >= key.rows() || query.cols() != key.cols() {
        return None;
    }
    let terms: Vec<DotTerm> = query
        .row(i)
        .iter()
        .zip(key.row(j))
        .map(|(&q, &k)| DotTerm {
            query: q,
            key: k,
            product: q * k,
        })
        .collect();
    let sum = terms.iter().map(|t| t.product).sum();
    let d_k = query.cols().max(1) as f32;
    Some(DotBreakdown {
        terms,
        sum,
        scaled: sum / d_k.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_params(d_model: usize, n_heads: usize, seed: u32) -> AttentionParams {
        // A tiny deterministic generator is enough for shape and property checks.
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % 2000) as f32 / 1000.0 - 1.0
        };
        let mut square = || Matrix::from_fn(d_model, d_model, |_, _| next() * 0.5);
        let (w_query, w_key, w_value, w_output) = (square(), square(), square(), square());
        AttentionParams {
            w_query,
            b_query: vec![0.1; d_model],
            w_key,
            b_key: vec![-0.1; d_model],
            w_value,
            b_value: vec![0.0; d_model],
            w_output,
            b_output: vec![0.05; d_model],
            n_heads,
        }
    }

    #[test]
    fn softmax_of_a_known_row() {
        let s = Matrix::from_vec(1, 3, vec![0.0, (2.0f32).ln(), f32::NEG_INFINITY])
            .expect("valid matrix");
        let w = softmax_rows(&s);
        assert!((w.row(0)[0] - 1.0 / 3.0).abs() < 1e-6);
        assert!((w.row(0)[1] - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(w.row(0)[2], 0.0);
    }

    #[test]
    fn a_fully_masked_row_is_zero_not_nan() {
        let s = Matrix::from_vec(1, 2, vec![f32::NEG_INFINITY; 2]).expect("valid matrix");
        assert_eq!(softmax_rows(&s).row(0), &[0.0, 0.0]);
    }

    #[test]
    fn huge_scores_do_not_overflow() {
        let s = Matrix::from_vec(1, 2, vec![1.0e30, 1.0e30]).expect("valid matrix");
        assert_eq!(softmax_rows(&s).row(0), &[0.5, 0.5]);
    }

    #[test]
    fn positional_encoding_starts_with_sin0_cos0() {
        let p = sinusoidal_positional_encoding(3, 4);
        assert_eq!(p.row(0), &[0.0, 1.0, 0.0, 1.0]);
        assert!((p.row(1)[0] - 1.0f32.sin()).abs() < 1e-6);
        assert!((p.row(1)[3] - (0.01f32).cos()).abs() < 1e-6);
    }

    #[test]
    fn breakdown_sums_to_the_score() {
        let params = random_params(8, 2, 7);
        let x = Matrix::from_fn(3, 8, |i, j| ((i + 2 * j) as f32).sin());
        let steps = attention_steps(&x, &params, &Mask::None).expect("shapes fit");
        let head = &steps.heads[1];
        let b = dot_breakdown(&head.query, &head.key, 2, 0).expect("cell inside");
        assert_eq!(b.terms.len(), 4);
        assert!((b.sum - head.scores.get(2, 0).unwrap_or(f32::NAN)).abs() < 1e-5);
        assert!((b.scaled - head.scaled.get(2, 0).unwrap_or(f32::NAN)).abs() < 1e-5);
        assert!(dot_breakdown(&head.query, &head.key, 3, 0).is_none());
    }

    #[test]
    fn wrong_input_width_is_an_error() {
        let params = random_params(8, 2, 1);
        let x = Matrix::zeros(3, 7);
        assert!(attention_steps(&x, &params, &Mask::None).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
                #[test]
                fn every_weight_row_is_a_distribution(
                    seq_len in 1usize..12,
                    n_heads in prop::sample::select(vec![1usize, 2, 4]),
                    seed in any::<u32>(),
                    causal in any::<bool>(),
                ) {
                    let d_model = 8;
                    let params = random_params(d_model, n_heads, seed);
                    let x = Matrix::from_fn(seq_len, d_model, |i, j| ((seed as usize + i * 31 + j * 7) % 13) as f32 / 6.0 - 1.0);
                    let mask = if causal { Mask::Causal } else { Mask::None };
                    let steps = attention_steps(&x, &params, &mask).expect("shapes fit");
                    prop_assert_eq!(steps.heads.len(), n_heads);
                    prop_assert_eq!(steps.concat.shape(), (seq_len, d_model));
                    prop_assert_eq!(steps.output.shape(), (seq_len, d_model));
                    for head in &steps.heads {
                        prop_assert_eq!(head.weights.shape(), (seq_len, seq_len));
                        prop_assert_eq!(head.context.shape(), (seq_len, d_model / n_heads));
                        for i in 0..seq_len {
                            let sum: f32 = head.weights.row(i).iter().sum();
                            prop_assert!((sum - 1.0).abs() < 1e-5, "row {} sums to {}", i, sum);
                            prop_assert!(head.weights.row(i).iter().all(|&w| (0.0..=1.0).contains(&w)));
                            if causal {
                                for j in (i + 1)..seq_len {
                                    prop_assert_eq!(head.weights.get(i, j), Some(0.0));
                                }
                            }
                        }
                    }
                }

                #[test]
                fn padded_keys_get_exactly_zero_weight(
                    valid in prop::collection::vec(any::<bool>(), 1..16),
                    seed in any::<u32>(),
                ) {
                    // At least one visible key per row, as in a real padded batch ([CLS] is never padding).
                    let mut valid = valid;
                    valid[0] = true;
                    let n = valid.len();
                    let params = random_params(4, 2, seed);
                    let x = Matrix::from_fn(n, 4, |i, j| ((i * 3 + j) as f32).cos());
                    let steps = attention_steps(&x, &params, &Mask::Padding(valid.clone())).expect("shapes fit");
                    for head in &steps.heads {
                        for i in 0..n {
                            for (j, &ok) in valid.iter().enumerate() {
                                if !ok {
                                    prop_assert_eq!(head.weights.get(i, j), Some(0.0));
                                }
                            }
                            let sum: f32 = head.weights.row(i).iter().sum();
                            prop_assert!((sum - 1.0).abs() < 1e-5);
                        }
                    }
                }
        }
    }
}
