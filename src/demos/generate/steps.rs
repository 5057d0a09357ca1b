//! The walkthrough's steps for one layer and head of the generator at one query position,
//! recomputed from the model's own tensors (the layer's input `X` and its weights, both graph
//! outputs), with rotary positions; then the language-model head's steps down to the sampled
//! token.
//!
//! Attention (row-vector convention, head `h` owns columns `h·d_k .. (h+1)·d_k`):
//! 1. `q = x_t·W_Q[:, h]`, `K = X·W_K[:, h]`, `V = X·W_V[:, h]` (no biases in this model);
//! 2. RoPE: each pair `(v_i, v_{i+d_k/2})` of `q` and of every key row turned by `pos·θ_i`,
//!    `θ_i = base^(−2i/d_k)` — positions enter here and only here (no position vectors are
//!    added to the embeddings), so `q·k` depends on the distance between the two positions;
//! 3. `s = K·q`; 4. `s / √d_k`; 5. causal mask: keys after `t` get −∞;
//! 6. `w = softmax`; 7. `c_h = w·V`; 8. concatenate the heads' `c`; 9. `·W_O`.
//!
//! Every head is computed for step 8; the chosen head's intermediates are kept. The checks
//! compare our keys and values with the model's cache and our weights with the model's.

use serde::Serialize;

use crate::maths::Matrix;

/// `θ_i` of every rotated pair, in float32 as PyTorch computes it: `1 / base^(2i/d_k)`.
pub fn rope_inv_freq(d_k: usize, base: f32) -> Vec<f32> {
    (0..d_k / 2)
        .map(|i| 1.0 / base.powf((2 * i) as f32 / d_k as f32))
        .collect()
}

/// Rotates `v` (length `d_k`, "rotate half" pairing) to position `pos`, in float32 as the
/// exported graph does: angle = `pos·θ_i`, then `(a·cos − b·sin, a·sin + b·cos)`.
pub fn rope(v: &[f32], pos: usize, inv_freq: &[f32]) -> Vec<f32> {
    let half = inv_freq.len();
    let mut out = vec![0.0; v.len()];
    for i in 0..half.min(v.len() / 2) {
        let angle = pos as f32 * inv_freq[i];
        let (sin, cos) = angle.sin_cos();
        let (a, b) = (v[i], v[i + half]);
        out[i] = a * cos - b * sin;
        out[i + half] = a * sin + b * cos;
    }
    out
}

/// One layer's attention weights, as the graph returns them (row-vector layout `x·W`).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    /// `(d, d)` each
    pub w_q: Matrix,
    pub w_k: Matrix,
    pub w_v: Matrix,
    pub w_o: Matrix,
}

/// The chosen head's intermediates at query position `t`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadAtPosition {
    pub layer: usize,
    pub head: usize,
    /// Query row in the sequence (0-based) and its absolute position (RoPE angle).
    pub t: usize,
    pub position: usize,
    /// `(d_k,)` before and after RoPE
    pub q_raw: Vec<f32>,
    pub q: Vec<f32>,
    /// `(n, d_k)` before and after RoPE
    pub k_raw: Matrix,
    pub k: Matrix,
    pub v: Matrix,
    /// `(n,)` each
    pub scores: Vec<f32>,
    pub scaled: Vec<f32>,
    pub masked: Vec<f32>,
    pub weights: Vec<f32>,
    /// `(d_k,)`
    pub context: Vec<f32>,
    /// Every head's context at `t`, concatenated, `(d,)`
    pub concat: Vec<f32>,
    /// `concat · W_O`, `(d,)`: what the block adds to the residual stream at `t`
    pub out: Vec<f32>,
}

/// Why the steps cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepsError {
    Shapes(String),
    NoSuchPosition { t: usize, n: usize },
    NoSuchHead { head: usize, n_heads: usize },
}

/// Where the steps look: layer, head, query row, and how rows map to positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Focus {
    pub layer: usize,
    pub head: usize,
    /// Query row (0-based) in `X`.
    pub t: usize,
    /// Absolute position of row 0 (RoPE angles use `first_position + row`).
    pub first_position: usize,
    pub n_heads: usize,
    pub rope_base: f32,
}

/// The steps for query row `focus.t` of `x` (`(n, d)`, the layer's input).
pub fn head_steps(
    x: &Matrix,
    w: &LayerWeights,
    focus: Focus,
) -> Result<HeadAtPosition, StepsError> {
    let Focus {
        layer,
        head,
        t,
        first_position,
        n_heads,
        rope_base,
    } = focus;
    let (n, d) = x.shape();
    if n_heads == 0 || d % n_heads != 0 {
        return Err(StepsError::Shapes(format!("d = {d}, heads = {n_heads}")));
    }
    for (name, m) in [
        ("W_Q", &w.w_q),
        ("W_K", &w.w_k),
        ("W_V", &w.w_v),
        ("W_O", &w.w_o),
    ] {
        if m.shape() != (d, d) {
            return Err(StepsError::Shapes(format!(
                "{name} is {:?}, X is {:?}",
                m.shape(),
                (n, d)
            )));
        }
    }
    if t >= n {
        return Err(StepsError::NoSuchPosition { t, n });
    }
    if head >= n_heads {
        return Err(StepsError::NoSuchHead { head, n_heads });
    }
    let d_k = d / n_heads;
    let inv_freq = rope_inv_freq(d_k, rope_base);
    let shape = |e: crate::maths::ShapeError| StepsError::Shapes(e.to_string());
    let q_all = x.matmul(&w.w_q).map_err(shape)?;
    let k_all = x.matmul(&w.w_k).map_err(shape)?;
    let v_all = x.matmul(&w.w_v).map_err(shape)?;
    let scale = (d_k as f32).sqrt();
    let mut concat = Vec::with_capacity(d);
    let mut chosen = None;
    for h in 0..n_heads {
        let cols = h * d_k..(h + 1) * d_k;
        let q_raw = q_all.row(t)[cols.clone()].to_vec();
        let q = rope(&q_raw, first_position + t, &inv_freq);
        let k_raw = k_all.columns(cols.start, cols.end);
        let k = Matrix::from_vec(
            n,
            d_k,
            (0..n)
                .flat_map(|j| rope(k_raw.row(j), first_position + j, &inv_freq))
                .collect(),
        )
        .map_err(shape)?;
        let v = v_all.columns(cols.start, cols.end);
        let scores: Vec<f32> = (0..n)
            .map(|j| k.row(j).iter().zip(&q).map(|(a, b)| a * b).sum())
            .collect();
        let scaled: Vec<f32> = scores.iter().map(|s| s / scale).collect();
        let masked: Vec<f32> = scaled
            .iter()
            .enumerate()
            .map(|(j, &s)| if j > t { f32::NEG_INFINITY } else { s })
            .collect();
        let weights = softmax(&masked);
        let context: Vec<f32> = (0..d_k)
            .map(|c| (0..n).map(|j| weights[j] * v.row(j)[c]).sum())
            .collect();
        concat.extend_from_slice(&context);
        if h == head {
            chosen = Some((
                q_raw, q, k_raw, k, v, scores, scaled, masked, weights, context,
            ));
        }
    }
    let out: Vec<f32> = (0..d)
        .map(|c| (0..d).map(|r| concat[r] * w.w_o.row(r)[c]).sum())
        .collect();
    let (q_raw, q, k_raw, k, v, scores, scaled, masked, weights, context) =
        chosen.ok_or(StepsError::NoSuchHead { head, n_heads })?;
    Ok(HeadAtPosition {
        layer,
        head,
        t,
        position: first_position + t,
        q_raw,
        q,
        k_raw,
        k,
        v,
        scores,
        scaled,
        masked,
        weights,
        context,
        concat,
        out,
    })
}

/// Softmax of one row; −∞ entries get exactly 0 (the row max is subtracted so exp never
/// overflows).
pub fn softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return vec![0.0; row.len()];
    }
    let e: Vec<f32> = row.iter().map(|&s| (s - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

/// The final LayerNorm at one position: `(h − mean) / √(var + ε) · γ + β`.
pub fn layer_norm(h: &[f32], gamma: &[f32], beta: &[f32], eps: f32) -> Option<Vec<f32>> {
    if h.is_empty() || gamma.len() != h.len() || beta.len() != h.len() {
        return None;
    }
    let n = h.len() as f32;
    let mean = h.iter().sum::<f32>() / n;
    let var = h.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let sd = (var + eps).sqrt();
    Some(
        h.iter()
            .zip(gamma.iter().zip(beta))
            .map(|(v, (g, b))| (v - mean) / sd * g + b)
            .collect(),
    )
}

/// Largest |a − b| over two equally long slices (∞ when the lengths differ).
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| if x == y { 0.0 } else { (x - y).abs() })
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_at_position_zero_is_the_identity_and_keeps_lengths() {
        let f = rope_inv_freq(4, 10000.0);
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(rope(&v, 0, &f), v.to_vec());
        let r = rope(&v, 7, &f);
        let norm = |x: &[f32]| x.iter().map(|a| a * a).sum::<f32>();
        assert!((norm(&r) - norm(&v)).abs() < 1e-4);
    }

    #[test]
    fn rope_scores_depend_on_the_distance_only() {
        let f = rope_inv_freq(8, 10000.0);
        let q: Vec<f32> = (0..8).map(|i| (i as f32 * 0.7).sin()).collect();
        let k: Vec<f32> = (0..8).map(|i| (i as f32 * 1.3).cos()).collect();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let s1 = dot(&rope(&q, 10, &f), &rope(&k, 7, &f));
        let s2 = dot(&rope(&q, 53, &f), &rope(&k, 50, &f));
        assert!((s1 - s2).abs() < 1e-4, "{s1} {s2}");
    }

    fn eye(d: usize) -> Matrix {
        Matrix::from_fn(d, d, |i, j| f32::from(u8::from(i == j)))
    }

    #[test]
    fn the_causal_mask_hides_later_keys_and_rows_sum_to_one() {
        let d = 4;
        let x = Matrix::from_fn(3, d, |i, j| (i * d + j) as f32 * 0.1);
        let w = LayerWeights {
            w_q: eye(d),
            w_k: eye(d),
            w_v: eye(d),
            w_o: eye(d),
        };
        let at = |head, t, n_heads| Focus {
            layer: 0,
            head,
            t,
            first_position: 0,
            n_heads,
            rope_base: 10000.0,
        };
        let s = head_steps(&x, &w, at(1, 1, 2)).expect("valid in this test");
        assert_eq!(s.masked[2], f32::NEG_INFINITY);
        assert_eq!(s.weights[2], 0.0);
        assert!((s.weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // identity W_O: the output is the concatenation
        assert_eq!(s.out, s.concat);
        // query 0 sees only key 0: its context is V's row 0
        let s0 = head_steps(&x, &w, at(0, 0, 2)).expect("valid in this test");
        assert_eq!(s0.context, s0.v.row(0).to_vec());
        assert!(head_steps(&x, &w, at(2, 0, 2)).is_err());
        assert!(head_steps(&x, &w, at(0, 3, 2)).is_err());
        assert!(head_steps(&x, &w, at(0, 0, 3)).is_err());
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let y =
            layer_norm(&[1.0, 2.0, 3.0], &[1.0; 3], &[0.0; 3], 0.0).expect("valid in this test");
        assert!((y.iter().sum::<f32>()).abs() < 1e-6);
        assert!((y[2] - 1.224_744_9).abs() < 1e-5);
        assert!(layer_norm(&[1.0], &[1.0, 2.0], &[0.0], 1e-5).is_none());
    }
}
