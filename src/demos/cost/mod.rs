//! The cost-of-attention demo, its pure part: seven ways to compute attention over the same
//! (n, d) queries, keys and values, each counting as it runs the multiply-adds, the exponentials
//! and the most floats it holds at once, so the page can set measured time beside exact work.
//!
//! - [`Method::Full`]: `softmax(QKᵀ/√d)·V` with the n × n score matrix materialised.
//! - [`Method::Tiled`]: the same numbers (exact), FlashAttention's online softmax over key
//!   blocks: O(n·d) memory, the same O(n²·d) work.
//! - [`Method::Window`], [`Method::Strided`], [`Method::LocalGlobal`]: sparse patterns; only the
//!   score entries in the pattern are computed, the rest count as weight 0.
//! - [`Method::Linformer`]: keys and values projected along the sequence to k rows.
//! - [`Method::Linear`]: kernelised attention, φ(x) = elu(x) + 1, O(n·d²).
//!
//! Where n²·d comes from: every one of the n queries takes a d-long dot product with every one
//! of the n keys (QKᵀ: n·n·d multiply-adds), and every output row is a weighted sum of n value
//! rows of length d (weights·V: n·n·d again). That is 2n²d, not n³: d stays fixed as n grows.
//!
//! No yew, no tract, no web-sys: it runs in the worker, where the page times it, and natively
//! under `cargo test`.

pub mod accuracy;
mod count;
mod methods;
pub mod sweep;
#[cfg(target_arch = "wasm32")]
pub mod view;
// Native only: proptest is a native dev-dependency (plain #[test]s do not run on wasm32 anyway).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod sweep_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::maths::{Matrix, ShapeError};

pub use count::expected_counts;

/// The most working memory one run may ask for: a browser tab holds a few GiB at best, and the
/// page, the worker's other graphs and the garbage collector need their share.
pub const MEMORY_LIMIT_BYTES: u64 = 1 << 30;

/// One way to compute attention. Every method takes q, k, v of shape (n, d) and gives (n, d).
///
/// "Key j is in the pattern of query i" (written j ∈ P(i)) says which score entries a sparse
/// method computes; all others get weight exactly 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Every score: P(i) = all keys; the (n, n) score matrix is held at once.
    Full,
    /// Exact, key blocks of `block` keys at a time with a running max and running sum per query
    /// row (FlashAttention, Dao et al. 2022); never holds more than one block of scores.
    Tiled { block: usize },
    /// Sliding window: P(i) = { j : |i − j| ≤ w }.
    Window { w: usize },
    /// Child et al. (2019)'s strided pattern, both directions (no causal mask):
    /// P(i) = { j : |i − j| ≤ local } ∪ { j : (i − j) mod stride = 0 }, a local band plus every
    /// stride-th key counted from the query itself (so the diagonal is always in).
    Strided { stride: usize, local: usize },
    /// Longformer / BigBird: a window plus the first `globals` tokens, which attend to every key
    /// and are attended to by every query:
    /// P(i) = { j : |i − j| ≤ w } ∪ { j : j < globals } ∪ (all keys if i < globals).
    LocalGlobal { w: usize, globals: usize },
    /// Linformer (Wang et al. 2020): `softmax(Q(EK)ᵀ/√d)(FV)` with E, F of shape (k, n), given as
    /// [`Projections`]; attention over k projected keys instead of n.
    Linformer { k: usize },
    /// Katharopoulos et al. (2020), non-causal, φ(x) = elu(x) + 1:
    /// out_i = φ(q_i)ᵀ(Σ_j φ(k_j) v_jᵀ) / φ(q_i)ᵀ(Σ_j φ(k_j)). No weights are ever formed.
    Linear,
}

impl Method {
    /// Whether the method's parameters make sense for a sequence of `n` tokens.
    pub fn validate(&self, n: usize) -> Result<(), CostError> {
        match *self {
            Method::Full | Method::Linear => Ok(()),
            Method::Tiled { block: 0 } => Err(CostError::ZeroParameter("block")),
            Method::Window { w: 0 } | Method::LocalGlobal { w: 0, .. } => {
                Err(CostError::ZeroParameter("window"))
            }
            Method::Strided { stride: 0, .. } => Err(CostError::ZeroParameter("stride")),
            Method::LocalGlobal { globals, .. } if globals > n => {
                Err(CostError::TooManyGlobals { globals, n })
            }
            Method::Linformer { k } if k == 0 || k > n => Err(CostError::BadRank { k, n }),
            _ => Ok(()),
        }
    }

    /// Whether the output equals full attention's (up to rounding) for any input.
    pub fn is_exact(&self) -> bool {
        matches!(self, Method::Full | Method::Tiled { .. })
    }

    /// Whether only some score entries are computed (the page draws which).
    pub fn is_sparse(&self) -> bool {
        matches!(
            self,
            Method::Window { .. } | Method::Strided { .. } | Method::LocalGlobal { .. }
        )
    }
}

/// What a run keeps besides the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The output only: what is timed. Sparse methods then never hold anything n × n.
    Output,
    /// Also the weights and, for sparse methods, the pattern: for the accuracy panel, at small n.
    /// They are not counted in [`Counts::peak_floats`] (the method itself does not need them).
    Weights,
}

/// Queries, keys and values of one head, each (n, d) row-major, and Linformer's projections.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// (n, d)
    pub query: &'a [f32],
    /// (n, d)
    pub key: &'a [f32],
    /// (n, d)
    pub value: &'a [f32],
    pub n: usize,
    pub d: usize,
    /// Only [`Method::Linformer`] reads them; it fails without.
    pub projections: Option<&'a Projections>,
}

/// Linformer's E (for keys) and F (for values), each (k, n) row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Projections {
    pub k: usize,
    pub n: usize,
    /// (k, n)
    pub e: Vec<f32>,
    /// (k, n)
    pub f: Vec<f32>,
}

impl Projections {
    /// E = F = the n × n identity: Linformer with these is full attention.
    pub fn identity(n: usize) -> Self {
        let eye: Vec<f32> = (0..n * n)
            .map(|idx| if idx / n == idx % n { 1.0 } else { 0.0 })
            .collect();
        Self {
            k: n,
            n,
            e: eye.clone(),
            f: eye,
        }
    }

    /// Independent Gaussian E and F with entries N(0, 1/k), the random projections of
    /// Linformer's Theorem 1 (Johnson–Lindenstrauss); the same seed gives the same matrices.
    /// An untrained projection: the paper learns E and F, so expect an approximation error.
    pub fn random(k: usize, n: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sigma = 1.0 / (k.max(1) as f32).sqrt();
        let mut gaussian = || sigma * standard_normal(&mut rng);
        let e = (0..k * n).map(|_| gaussian()).collect();
        let f = (0..k * n).map(|_| gaussian()).collect();
        Self { k, n, e, f }
    }
}

/// A reproducible (rows, cols) row-major matrix with entries uniform in [−1, 1): inputs for timing.
pub fn random_matrix(rows: usize, cols: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..rows * cols)
        .map(|_| 2.0 * unit(&mut rng) - 1.0)
        .collect()
}

/// Uniform in [0, 1) from the top 24 bits: exactly the floats f32 can space evenly there.
fn unit(rng: &mut ChaCha8Rng) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// Box–Muller; `1 − unit` lies in (0, 1], so the logarithm is finite.
fn standard_normal(rng: &mut ChaCha8Rng) -> f32 {
    let radius = (-2.0 * (1.0 - unit(rng)).ln()).sqrt();
    radius * (std::f32::consts::TAU * unit(rng)).cos()
}

/// Work and memory of one run, counted by the code as it runs (see [`expected_counts`] for the
/// formulas they equal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Multiplications on elements of d-long (or k-long) vectors, each usually fused with an
    /// addition: dot products, weighted sums of value rows, projections, and the online softmax's
    /// rescaling of its accumulators. Per-score scalar steps (× 1/√d, − max, ÷ sum) are not
    /// counted: there is one of each per score, like the exponentials counted below.
    pub mul_adds: u64,
    /// Calls to `exp`.
    pub exps: u64,
    /// The most f32 the method holds at once besides its inputs (q, k, v, projections): the
    /// output included, the optional weights and pattern of [`Detail::Weights`] not.
    pub peak_floats: u64,
}

/// The result of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// (n, d)
    pub output: Matrix,
    /// With [`Detail::Weights`], for methods that form weights: (n, n) for full and sparse
    /// methods (0 off the pattern), (n, k) for Linformer (over the projected keys). `None` for
    /// tiled (it never holds them) and linear attention (it has none), or with [`Detail::Output`].
    pub weights: Option<Matrix>,
    /// With [`Detail::Weights`], for sparse methods: (n, n) row-major, true where the score
    /// (i, j) was computed.
    pub pattern: Option<Vec<bool>>,
    pub counts: Counts,
}

/// Settings or inputs that cannot be run. Never a panic: a panic in wasm kills the worker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("the sequence is empty (n = 0)")]
    EmptySequence,
    #[error("the key dimension d is 0")]
    ZeroDim,
    #[error("the number of heads is 0")]
    ZeroHeads,
    #[error("the {0} must be at least 1")]
    ZeroParameter(&'static str),
    #[error("{globals} global tokens in a sequence of {n}")]
    TooManyGlobals { globals: usize, n: usize },
    #[error("Linformer rank k = {k} must lie in 1..={n}")]
    BadRank { k: usize, n: usize },
    #[error("{which} has {got} numbers, expected {expected}")]
    BadLength {
        which: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("Linformer needs projections E and F")]
    MissingProjections,
    #[error("the projections are ({got_k}, {got_n}), expected ({k}, {n})")]
    BadProjections {
        k: usize,
        n: usize,
        got_k: usize,
        got_n: usize,
    },
    #[error("needs {bytes} bytes of memory, more than the {limit} a browser tab can give")]
    TooLarge { bytes: u64, limit: u64 },
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

/// Runs one attention computation of one head and counts its work.
pub fn run(method: Method, inputs: &Inputs, detail: Detail) -> Result<Output, CostError> {
    let Inputs { n, d, .. } = *inputs;
    check_limits(method, n, d, 1)?;
    let expected = n.checked_mul(d).ok_or(CostError::TooLarge {
        bytes: u64::MAX,
        limit: MEMORY_LIMIT_BYTES,
    })?;
    for (which, data) in [
        ("query", inputs.query),
        ("key", inputs.key),
        ("value", inputs.value),
    ] {
        if data.len() != expected {
            return Err(CostError::BadLength {
                which,
                expected,
                got: data.len(),
            });
        }
    }
    if let Method::Linformer { k } = method {
        let projections = inputs.projections.ok_or(CostError::MissingProjections)?;
        let fits = projections.k == k
            && projections.n == n
            && projections.e.len() == k * n
            && projections.f.len() == k * n;
        if !fits {
            return Err(CostError::BadProjections {
                k,
                n,
                got_k: projections.k,
                got_n: projections.n,
            });
        }
    }
    methods::run_checked(method, inputs, detail)
}

/// Bytes of memory `heads` heads of one attention layer need at once, computed side by side as a
/// layer does: per head its q, k, v (3·n·d floats), Linformer's projections (2·k·n) and the
/// method's working memory ([`Counts::peak_floats`]), 4 bytes a float. Saturates instead of
/// overflowing, so an absurd setting reads as "too large".
pub fn memory_bytes(method: Method, n: usize, d: usize, heads: usize) -> Result<u64, CostError> {
    let counts = expected_counts(method, n, d)?;
    let (n, d) = (n as u128, d as u128);
    let projections = match method {
        Method::Linformer { k } => 2 * k as u128 * n,
        _ => 0,
    };
    let floats = 3 * n * d + projections + u128::from(counts.peak_floats);
    Ok(count::saturate((floats * 4).saturating_mul(heads as u128)))
}

/// Refuses a setting before it runs: bad parameters, or more than [`MEMORY_LIMIT_BYTES`].
pub fn check_limits(method: Method, n: usize, d: usize, heads: usize) -> Result<(), CostError> {
    if heads == 0 {
        return Err(CostError::ZeroHeads);
    }
    let bytes = memory_bytes(method, n, d, heads)?;
    if bytes > MEMORY_LIMIT_BYTES {
        return Err(CostError::TooLarge {
            bytes,
            limit: MEMORY_LIMIT_BYTES,
        });
    }
    Ok(())
}

/// Least-squares slope of ln y against ln x: the exponent p of y ≈ c·xᵖ (full ≈ 2, linear ≈ 1).
/// Points with x ≤ 0 or y ≤ 0 (or not finite) are skipped; `None` when fewer than two distinct x
/// remain.
pub fn fit_slope(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && x.is_finite() && y.is_finite())
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    let count = logs.len() as f64;
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / count;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    // Also false for NaN (no points at all): mean over zero points.
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The median, sorting `values` in place; `None` when empty. NaN sorts last (`total_cmp`).
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        len if len % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]) / 2.0),
    }
}

/// One point of the chart and one row of the exported table; crosses the worker boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub method: Method,
    pub n: usize,
    pub d: usize,
    pub heads: usize,
    /// Median over the repetitions of the time of all heads, in milliseconds.
    pub median_ms: f64,
    /// How many times it ran (see [`sweep::MAX_REPEATS`]).
    pub repeats: usize,
    /// Of one head.
    pub counts: Counts,
    /// [`memory_bytes`] of all heads.
    pub bytes: u64,
}
