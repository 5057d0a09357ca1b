//! Accuracy on real data: every method run on the same queries, keys and values (one head of a
//! real model), its output against full attention's, and which score entries it computed.

use super::sweep::{MethodKind, Params};
use super::{run, CostError, Counts, Detail, Inputs, Method, Projections};
use crate::maths::Matrix;
use crate::route::{Route, MAX_LINK_TEXT};

/// One method against full attention on the same q, k, v.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    pub kind: MethodKind,
    /// With its parameters cut to the sequence (see [`Params::method`]).
    pub method: Method,
    /// max |out − full| over every output entry.
    pub max_abs: f32,
    /// mean |out − full| over every output entry.
    pub mean_abs: f32,
    /// Mean over query rows of KL(method ∥ full) = Σ_j p_j ln(p_j / f_j), in nats, for methods
    /// whose weights are over the same n keys (full and the sparse ones). This direction stays
    /// finite where a sparse method gives a key weight 0 (full gives every key some weight).
    pub kl: Option<f64>,
    /// 1 where a score entry was computed, 0 where not: (n, n) over the keys for full, tiled and
    /// the sparse methods, (n, k) over the projected keys for Linformer; `None` for linear
    /// attention, which computes no score at all.
    pub computed: Option<Matrix>,
    pub counts: Counts,
}

/// Every method of `kinds` on `query`, `key`, `value` (each (n, d)): full attention's output
/// and each method's [`Accuracy`]. Linformer's projections are random (seeded by `seed`).
pub fn compare(
    kinds: &[MethodKind],
    params: &Params,
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    seed: u64,
) -> Result<(Matrix, Vec<Accuracy>), CostError> {
    let (n, d) = query.shape();
    for (which, m) in [("key", key), ("value", value)] {
        if m.shape() != (n, d) {
            return Err(CostError::BadLength {
                which,
                expected: n * d,
                got: m.data().len(),
            });
        }
    }
    let base = Inputs {
        query: query.data(),
        key: key.data(),
        value: value.data(),
        n,
        d,
        projections: None,
    };
    let full = run(Method::Full, &base, Detail::Weights)?;
    let full_weights = full.weights.clone();
    let mut results = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let method = params.method(kind, n);
        let projections = match method {
            Method::Linformer { k } => Some(Projections::random(k, n, seed)),
            _ => None,
        };
        let inputs = Inputs {
            projections: projections.as_ref(),
            ..base
        };
        let out = run(method, &inputs, Detail::Weights)?;
        let diffs: Vec<f32> = out
            .output
            .data()
            .iter()
            .zip(full.output.data())
            .map(|(a, b)| (a - b).abs())
            .collect();
        let max_abs = diffs.iter().copied().fold(0.0, f32::max);
        let mean_abs = diffs.iter().sum::<f32>() / diffs.len().max(1) as f32;
        let same_keys = matches!(method, Method::Full) || method.is_sparse();
        let kl = match (&out.weights, &full_weights) {
            (Some(w), Some(f)) if same_keys => Some(mean_kl(w, f)),
            _ => None,
        };
        let computed = match (method, &out.pattern) {
            (Method::Linear, _) => None,
            (Method::Linformer { k }, _) => Some(Matrix::from_fn(n, k, |_, _| 1.0)),
            (_, Some(pattern)) => Some(Matrix::from_vec(
                n,
                n,
                pattern.iter().map(|&p| f32::from(u8::from(p))).collect(),
            )?),
            _ => Some(Matrix::from_fn(n, n, |_, _| 1.0)),
        };
        results.push(Accuracy {
            kind,
            method,
            max_abs,
            mean_abs,
            kl,
            computed,
            counts: out.counts,
        });
    }
    Ok((full.output, results))
}

/// Mean over rows of Σ_j p_j ln(p_j / f_j), skipping p_j = 0 (0·ln 0 = 0).
fn mean_kl(p: &Matrix, f: &Matrix) -> f64 {
    let rows = p.rows().max(1) as f64;
    let total: f64 = (0..p.rows())
        .map(|i| {
            p.row(i)
                .iter()
                .zip(f.row(i))
                .filter(|(&p, _)| p > 0.0)
                .map(|(&p, &f)| f64::from(p) * (f64::from(p) / f64::from(f)).ln())
                .sum::<f64>()
        })
        .sum();
    // Rounding can make a row of an exact method a hair negative.
    (total / rows).max(0.0)
}

/// The accuracy panel's part of the link: the text and which layer and head give Q, K, V.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccuracyChoice {
    pub text: String,
    /// 0-based (1-based in the link, as the page shows it).
    pub layer: usize,
    /// 0-based.
    pub head: usize,
}

/// The walkthrough model has 2 layers × 4 heads; a link may name up to this many (the view
/// cuts a choice to the loaded model's counts).
const MAX_LAYERS_OR_HEADS: usize = 64;

impl Default for AccuracyChoice {
    fn default() -> Self {
        Self {
            text: "The Lord is my shepherd, I shall not want.".into(),
            layer: 0,
            head: 0,
        }
    }
}

impl AccuracyChoice {
    /// Reads `text`, `layer` and `head`; unusable ones keep their defaults and are named.
    pub fn read(route: &Route) -> (Self, Vec<&'static str>) {
        let mut choice = Self::default();
        let mut bad = Vec::new();
        if let Some(text) = route.get("text") {
            choice.text = text.chars().take(MAX_LINK_TEXT).collect();
        }
        if let Some(layer) = route.one_based("layer", MAX_LAYERS_OR_HEADS, &mut bad) {
            choice.layer = layer;
        }
        if let Some(head) = route.one_based("head", MAX_LAYERS_OR_HEADS, &mut bad) {
            choice.head = head;
        }
        (choice, bad)
    }

    /// Adds the choice to `route` (the text only when it fits in a link).
    pub fn write(&self, route: &mut Route) {
        let fits = self.text.chars().count() <= MAX_LINK_TEXT;
        route.set("text", fits.then(|| self.text.clone()));
        route.set("layer", Some((self.layer + 1).to_string()));
        route.set("head", Some((self.head + 1).to_string()));
    }

    /// The choice cut to a model of `n_layers` × `n_heads`.
    pub fn fitted(&self, n_layers: usize, n_heads: usize) -> (usize, usize) {
        (
            self.layer.min(n_layers.saturating_sub(1)),
            self.head.min(n_heads.saturating_sub(1)),
        )
    }
}
