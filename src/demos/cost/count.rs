//! The closed-form counts every method's run must reproduce exactly (the tests check it), and
//! the memory they imply. Arithmetic is in u128 and saturates into u64, so any n and d are safe.

use super::{CostError, Counts, Method, MEMORY_LIMIT_BYTES};

/// Larger n or d are refused outright: below it every formula fits in u128 (n²·d < 2⁹⁶).
/// (A u64, not a usize: on wasm32 a usize cannot exceed it, and the check is for 64-bit too.)
const MAX_SIDE: u64 = u32::MAX as u64;

/// What a run of `method` over (n, d) inputs counts, from formulas alone (nothing is run).
/// Write P for the number of score entries computed (the pattern's size; n² when dense):
///
/// | method | mul_adds | exps | peak_floats |
/// |---|---|---|---|
/// | Full | 2n²d (QKᵀ n·n·d, weights·V n·n·d) | n² | n² + nd |
/// | Tiled b | 2n²d + nd(⌈n/b⌉ − 1) | n² + n(⌈n/b⌉ − 1) | nd + 2n + min(b, n) |
/// | Window, Strided, LocalGlobal | 2Pd | P | nd + n |
/// | Linformer k | 4nkd (EK, FV, Q(EK)ᵀ, weights·FV) | nk | nd + 2kd + nk |
/// | Linear | 2nd² + nd (S and φ(q)ᵀS, plus φ(q)·z) | 2nd (φ of q and k) | nd + d² + 2d |
///
/// Tiled pays for exactness with one rescale of its d-long accumulator (and one exp) per query
/// and key block after the first: with b = 1 that adds n²·d, which is why real tiles are large.
/// Linear is O(n·d²): linear in n, but quadratic in d, so it wins only when n > d.
///
/// Pattern sizes (w: window, s: stride, l: local, g: globals):
/// - Window: band(n, w) = n² if w ≥ n − 1, else n(2w + 1) − w(w + 1) (the band minus the two
///   corner triangles that fall outside the matrix).
/// - Strided: n + 2·Σ_{R=0}^{n−1} f(R), with f(R) = min(l, R) + ⌊R/s⌋ − ⌊min(l, R)/s⌋ keys to one
///   side of a query that has R keys on that side (band, then multiples of s beyond it); the sum
///   is taken in closed form by [`sum_floor_div`].
/// - LocalGlobal: n² − ((n − g)² − band(n − g, w)): everything except the pairs of two ordinary
///   tokens farther apart than w.
pub fn expected_counts(method: Method, n: usize, d: usize) -> Result<Counts, CostError> {
    if n == 0 {
        return Err(CostError::EmptySequence);
    }
    if d == 0 {
        return Err(CostError::ZeroDim);
    }
    method.validate(n)?;
    if n as u64 > MAX_SIDE || d as u64 > MAX_SIDE {
        return Err(CostError::TooLarge {
            bytes: u64::MAX,
            limit: MEMORY_LIMIT_BYTES,
        });
    }
    let (n, d) = (n as u128, d as u128);
    let sparse = |pattern: u128| (2 * pattern * d, pattern, n * d + n);
    let (mul_adds, exps, peak_floats) = match method {
        Method::Full => (2 * n * n * d, n * n, n * n + n * d),
        Method::Tiled { block } => {
            let block = block as u128;
            let rescales = n * (n.div_ceil(block) - 1);
            (
                2 * n * n * d + rescales * d,
                n * n + rescales,
                n * d + 2 * n + block.min(n),
            )
        }
        Method::Window { w } => sparse(band(n, w as u128)),
        Method::Strided { stride, local } => {
            sparse(strided_pattern(n, stride as u128, local as u128))
        }
        Method::LocalGlobal { w, globals } => {
            let ordinary = n - globals as u128;
            let far = ordinary * ordinary - band(ordinary, w as u128);
            sparse(n * n - far)
        }
        Method::Linformer { k } => {
            let k = k as u128;
            (4 * n * k * d, n * k, n * d + 2 * k * d + n * k)
        }
        Method::Linear => (2 * n * d * d + n * d, 2 * n * d, n * d + d * d + 2 * d),
    };
    Ok(Counts {
        mul_adds: saturate(mul_adds),
        exps: saturate(exps),
        peak_floats: saturate(peak_floats),
    })
}

pub(super) fn saturate(value: u128) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// Pairs (i, j) in [0, n)² with |i − j| ≤ w.
fn band(n: u128, w: u128) -> u128 {
    if n == 0 {
        0
    } else if w >= n - 1 {
        n * n
    } else {
        n * (2 * w + 1) - w * (w + 1)
    }
}

/// Size of the strided pattern (see [`expected_counts`]); n ≥ 1, s ≥ 1.
fn strided_pattern(n: u128, s: u128, l: u128) -> u128 {
    // c: the largest R for which the whole side is band.
    let c = l.min(n - 1);
    let band_side = c * (c + 1) / 2 + l * (n - 1 - c);
    let floor_band = sum_floor_div(c + 1, s) + (n - 1 - c) * (l / s);
    let side = band_side + sum_floor_div(n, s) - floor_band;
    n + 2 * side
}

/// Σ_{R=0}^{m−1} ⌊R/s⌋: q whole runs of s values (the t-th contributes t·s), then m mod s
/// values equal to q.
fn sum_floor_div(m: u128, s: u128) -> u128 {
    let (q, r) = (m / s, m % s);
    s * q * q.saturating_sub(1) / 2 + r * q
}
