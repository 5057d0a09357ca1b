//! The seven methods. Each counts its own work in a [`Meter`] as it goes: the tests hold the
//! counts to the formulas in `count.rs`, so a loop that does more (or less) than it says shows.

use super::{CostError, Counts, Detail, Inputs, Method, Output};
use crate::maths::Matrix;

/// Counters, and the allocator every working buffer goes through so its floats are counted.
/// Buffers live until the method returns, so the peak is the sum of what was allocated.
#[derive(Default)]
struct Meter {
    counts: Counts,
}

impl Meter {
    fn buffer(&mut self, len: usize, fill: f32) -> Vec<f32> {
        self.counts.peak_floats += len as u64;
        vec![fill; len]
    }

    /// `a · b`, counted: the d multiply-adds of one score.
    fn dot(&mut self, a: &[f32], b: &[f32]) -> f32 {
        self.counts.mul_adds += a.len() as u64;
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// `acc += weight · row`, counted.
    fn axpy(&mut self, acc: &mut [f32], weight: f32, row: &[f32]) {
        self.counts.mul_adds += acc.len() as u64;
        for (a, r) in acc.iter_mut().zip(row) {
            *a += weight * r;
        }
    }

    fn exp(&mut self, x: f32) -> f32 {
        self.counts.exps += 1;
        x.exp()
    }
}

/// Runs `method` on inputs whose shapes and parameters `super::run` has checked.
pub(super) fn run_checked(
    method: Method,
    inputs: &Inputs,
    detail: Detail,
) -> Result<Output, CostError> {
    let mut meter = Meter::default();
    let Inputs {
        query,
        key,
        value,
        n,
        d,
        ..
    } = *inputs;
    let (output, weights, pattern) = match method {
        Method::Full => {
            let (output, weights) = dense(&mut meter, query, key, value, d, detail);
            (Matrix::from_vec(n, d, output)?, weights, None)
        }
        Method::Tiled { block } => (tiled(&mut meter, inputs, block)?, None, None),
        Method::Window { .. } | Method::Strided { .. } | Method::LocalGlobal { .. } => {
            return sparse(meter, method, inputs, detail);
        }
        Method::Linformer { k } => {
            // `super::run` has checked that Linformer comes with projections of shape (k, n).
            let Some(projections) = inputs.projections else {
                return Err(CostError::MissingProjections);
            };
            // EK and FV: (k, d), each row a weighted sum of the n key (value) rows.
            let mut projected_key = meter.buffer(k * d, 0.0);
            let mut projected_value = meter.buffer(k * d, 0.0);
            for r in 0..k {
                for j in 0..n {
                    let rows = (r * d..(r + 1) * d, j * d..(j + 1) * d);
                    let weight = projections.e[r * n + j];
                    meter.axpy(
                        &mut projected_key[rows.0.clone()],
                        weight,
                        &key[rows.1.clone()],
                    );
                    let weight = projections.f[r * n + j];
                    meter.axpy(&mut projected_value[rows.0], weight, &value[rows.1]);
                }
            }
            let (output, weights) = dense(
                &mut meter,
                query,
                &projected_key,
                &projected_value,
                d,
                detail,
            );
            (Matrix::from_vec(n, d, output)?, weights, None)
        }
        Method::Linear => (linear(&mut meter, inputs)?, None, None),
    };
    Ok(Output {
        output,
        weights,
        pattern,
        counts: meter.counts,
    })
}

/// Softmax attention of every query over every key: the (queries, keys) scores held at once,
/// turned into weights in place. Full attention, and Linformer over its k projected keys.
/// Returns the (queries, d) output and, with [`Detail::Weights`], the weights.
fn dense(
    meter: &mut Meter,
    query: &[f32],
    key: &[f32],
    value: &[f32],
    d: usize,
    detail: Detail,
) -> (Vec<f32>, Option<Matrix>) {
    let (queries, keys) = (query.len() / d, key.len() / d);
    let scale = 1.0 / (d as f32).sqrt();
    let mut scores = meter.buffer(queries * keys, 0.0);
    let mut output = meter.buffer(queries * d, 0.0);
    for (i, (q_i, out_i)) in query.chunks(d).zip(output.chunks_mut(d)).enumerate() {
        let row = &mut scores[i * keys..(i + 1) * keys];
        for (s, k_j) in row.iter_mut().zip(key.chunks(d)) {
            *s = meter.dot(q_i, k_j) * scale;
        }
        softmax_in_place(meter, row);
        for (&w, v_j) in row.iter().zip(value.chunks(d)) {
            meter.axpy(out_i, w, v_j);
        }
    }
    let weights = match detail {
        Detail::Weights => Matrix::from_vec(queries, keys, scores).ok(),
        Detail::Output => None,
    };
    (output, weights)
}

/// Scores → weights: subtract the row max so exp never overflows, then normalise.
fn softmax_in_place(meter: &mut Meter, row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in row.iter_mut() {
        *s = meter.exp(*s - max);
        sum += *s;
    }
    for s in row.iter_mut() {
        *s /= sum;
    }
}

/// FlashAttention's loop: key blocks outside, queries inside. Each query row keeps a running
/// max `m_i`, a running sum `l_i` of exp(s − m_i) and an unnormalised output; when a block
/// raises the max, what was summed so far is rescaled by exp(m_old − m_new), so the result is
/// exactly softmax(QKᵀ/√d)·V without ever holding more than one block of scores.
fn tiled(meter: &mut Meter, inputs: &Inputs, block: usize) -> Result<Matrix, CostError> {
    let Inputs {
        query,
        key,
        value,
        n,
        d,
        ..
    } = *inputs;
    let scale = 1.0 / (d as f32).sqrt();
    let mut running_max = meter.buffer(n, f32::NEG_INFINITY);
    let mut running_sum = meter.buffer(n, 0.0);
    let mut output = meter.buffer(n * d, 0.0);
    let mut tile = meter.buffer(block.min(n), 0.0);
    for start in (0..n).step_by(block) {
        let keys = start..(start + block).min(n);
        for i in 0..n {
            let q_i = &query[i * d..(i + 1) * d];
            let out_i = &mut output[i * d..(i + 1) * d];
            let scores = &mut tile[..keys.len()];
            for (s, j) in scores.iter_mut().zip(keys.clone()) {
                *s = meter.dot(q_i, &key[j * d..(j + 1) * d]) * scale;
            }
            let block_max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let new_max = running_max[i].max(block_max);
            // The first block has nothing to rescale (and exp(−∞ − m) would be wasted work).
            if start > 0 {
                let correction = meter.exp(running_max[i] - new_max);
                running_sum[i] *= correction;
                meter.counts.mul_adds += d as u64;
                out_i.iter_mut().for_each(|o| *o *= correction);
            }
            for (&s, j) in scores.iter().zip(keys.clone()) {
                let p = meter.exp(s - new_max);
                running_sum[i] += p;
                meter.axpy(out_i, p, &value[j * d..(j + 1) * d]);
            }
            running_max[i] = new_max;
        }
    }
    for (out_i, &sum) in output.chunks_mut(d).zip(&running_sum) {
        out_i.iter_mut().for_each(|o| *o /= sum);
    }
    Ok(Matrix::from_vec(n, d, output)?)
}

/// The keys in the pattern of query `i`, in increasing order, written into `keys`. Enumerated
/// from the definition's pieces (band, strides, globals) so the cost is the pattern's size, not n.
fn pattern_row(method: Method, n: usize, i: usize, keys: &mut Vec<usize>) {
    keys.clear();
    let band = |w: usize, from: usize| i.saturating_sub(w).max(from)..(i + w + 1).min(n);
    match method {
        Method::Window { w } => keys.extend(band(w, 0)),
        Method::Strided { stride, local } => {
            // Keys j ≡ i (mod stride) left of the band, the band, then those right of it.
            keys.extend((i % stride..i.saturating_sub(local)).step_by(stride));
            keys.extend(band(local, 0));
            let first_right = i + stride * (local / stride + 1);
            keys.extend((first_right..n).step_by(stride));
        }
        Method::LocalGlobal { globals, .. } if i < globals => keys.extend(0..n),
        Method::LocalGlobal { w, globals } => {
            keys.extend(0..globals);
            keys.extend(band(w, globals));
        }
        _ => keys.extend(0..n),
    }
}

/// Sparse attention, one query row at a time: only the scores in the row's pattern, held in one
/// n-long buffer (O(n), never n × n), softmax over them, weighted sum of their value rows.
fn sparse(
    mut meter: Meter,
    method: Method,
    inputs: &Inputs,
    detail: Detail,
) -> Result<Output, CostError> {
    let Inputs {
        query,
        key,
        value,
        n,
        d,
        ..
    } = *inputs;
    let scale = 1.0 / (d as f32).sqrt();
    let mut scores = meter.buffer(n, 0.0);
    let mut output = meter.buffer(n * d, 0.0);
    let mut keys = Vec::with_capacity(n);
    // Diagnostics for the page, not the method's own memory: not counted.
    let mut record = (detail == Detail::Weights).then(|| (vec![0.0; n * n], vec![false; n * n]));
    for (i, (q_i, out_i)) in query.chunks(d).zip(output.chunks_mut(d)).enumerate() {
        pattern_row(method, n, i, &mut keys);
        let row = &mut scores[..keys.len()];
        for (s, &j) in row.iter_mut().zip(&keys) {
            *s = meter.dot(q_i, &key[j * d..(j + 1) * d]) * scale;
        }
        softmax_in_place(&mut meter, row);
        for (&w, &j) in row.iter().zip(&keys) {
            meter.axpy(out_i, w, &value[j * d..(j + 1) * d]);
        }
        if let Some((weights, pattern)) = record.as_mut() {
            for (&w, &j) in row.iter().zip(&keys) {
                weights[i * n + j] = w;
                pattern[i * n + j] = true;
            }
        }
    }
    let (weights, pattern) = match record {
        Some((weights, pattern)) => (Some(Matrix::from_vec(n, n, weights)?), Some(pattern)),
        None => (None, None),
    };
    Ok(Output {
        output: Matrix::from_vec(n, d, output)?,
        weights,
        pattern,
        counts: meter.counts,
    })
}

/// φ(x) = elu(x) + 1 written without a branch: max(x, 0) + exp(min(x, 0)) is x + 1 for x > 0
/// and exp(x) otherwise. One exp per element whatever the sign, so the count does not depend
/// on the data.
fn feature_map(meter: &mut Meter, x: &[f32], phi: &mut [f32]) {
    for (p, &x) in phi.iter_mut().zip(x) {
        *p = x.max(0.0) + meter.exp(x.min(0.0));
    }
}

/// Linear attention: the keys and values are summed once into S = Σ_j φ(k_j) v_jᵀ (d, d) and
/// z = Σ_j φ(k_j) (d), then each query reads them: n·d² work each way, nothing n × n.
fn linear(meter: &mut Meter, inputs: &Inputs) -> Result<Matrix, CostError> {
    let Inputs {
        query,
        key,
        value,
        n,
        d,
        ..
    } = *inputs;
    let mut state = meter.buffer(d * d, 0.0);
    let mut normaliser = meter.buffer(d, 0.0);
    let mut phi = meter.buffer(d, 0.0);
    let mut output = meter.buffer(n * d, 0.0);
    for (k_j, v_j) in key.chunks(d).zip(value.chunks(d)) {
        feature_map(meter, k_j, &mut phi);
        // Additions only: no multiply to count.
        normaliser.iter_mut().zip(&phi).for_each(|(z, p)| *z += p);
        for (state_row, &p) in state.chunks_mut(d).zip(&phi) {
            meter.axpy(state_row, p, v_j);
        }
    }
    for (q_i, out_i) in query.chunks(d).zip(output.chunks_mut(d)) {
        feature_map(meter, q_i, &mut phi);
        let denominator = meter.dot(&phi, &normaliser);
        for (state_row, &p) in state.chunks(d).zip(&phi) {
            meter.axpy(out_i, p, state_row);
        }
        // φ > 0 everywhere, so the denominator is positive.
        out_i.iter_mut().for_each(|o| *o /= denominator);
    }
    Ok(Matrix::from_vec(n, d, output)?)
}
