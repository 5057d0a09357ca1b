//! The exercises: each made from the student's own sentence, its expected answer read from the
//! model's real tensors (the [`Walkthrough`] the worker produced), never typed in by us.
//!
//! Which layer, head, query and key an exercise asks about is drawn from the text itself (a
//! hash of it seeds the generator), so two students with two sentences get two exercises, and
//! a teacher's link with a sentence gives the whole class the same one.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Lesson;
use crate::explain::{rollout, LayerAttention};
use crate::maths::{Matrix, Walkthrough};

/// Values shown in an exercise are rounded to this many decimals.
pub const SHOWN_DECIMALS: i32 = 3;
/// The sequence length and head width of the "by heart" cost question (as in the issue: a
/// 512-token context and 64-wide heads, the sizes of BERT-base).
pub const FIXED_N: usize = 512;
pub const FIXED_D: usize = 64;

/// Rounds as the exercise shows a value.
pub fn shown(x: f32) -> f64 {
    let scale = 10f64.powi(SHOWN_DECIMALS);
    (f64::from(x) * scale).round() / scale
}

/// The kinds of exercise, one or two per lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    TokenCount,
    Position,
    Dot,
    Scale,
    Softmax,
    Context,
    MostAttended,
    CausalPairs,
    CrossWeights,
    CostYours,
    CostFixed,
    CacheWith,
    CacheWithout,
    Rollout,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::TokenCount,
        Kind::Position,
        Kind::Dot,
        Kind::Scale,
        Kind::Softmax,
        Kind::Context,
        Kind::MostAttended,
        Kind::CausalPairs,
        Kind::CrossWeights,
        Kind::CostYours,
        Kind::CostFixed,
        Kind::CacheWith,
        Kind::CacheWithout,
        Kind::Rollout,
    ];

    /// `lesson.name`: in links (`sheet=`), progress and the DOM.
    pub fn id(self) -> &'static str {
        match self {
            Kind::TokenCount => "tokens.count",
            Kind::Position => "positions.value",
            Kind::Dot => "dot.score",
            Kind::Scale => "scale.scaled",
            Kind::Softmax => "softmax.weight",
            Kind::Context => "values.context",
            Kind::MostAttended => "heads.most",
            Kind::CausalPairs => "masks.causal",
            Kind::CrossWeights => "cross.weights",
            Kind::CostYours => "cost.yours",
            Kind::CostFixed => "cost.fixed",
            Kind::CacheWith => "cache.with",
            Kind::CacheWithout => "cache.without",
            Kind::Rollout => "limits.rollout",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn lesson(self) -> Lesson {
        match self {
            Kind::TokenCount => Lesson::Tokens,
            Kind::Position => Lesson::Positions,
            Kind::Dot => Lesson::Dot,
            Kind::Scale => Lesson::Scale,
            Kind::Softmax => Lesson::Softmax,
            Kind::Context => Lesson::Values,
            Kind::MostAttended => Lesson::Heads,
            Kind::CausalPairs => Lesson::Masks,
            Kind::CrossWeights => Lesson::Cross,
            Kind::CostYours | Kind::CostFixed => Lesson::Cost,
            Kind::CacheWith | Kind::CacheWithout => Lesson::Cache,
            Kind::Rollout => Lesson::Limits,
        }
    }

    /// The fewest word tokens (besides `[CLS]` and `[SEP]`) the exercise needs to be a question
    /// at all: a weight for one key among several, a token that attends to others.
    pub fn min_words(self) -> usize {
        match self {
            Kind::Dot | Kind::Scale | Kind::Softmax | Kind::Context => 2,
            Kind::MostAttended | Kind::Rollout => 2,
            _ => 1,
        }
    }
}

/// The answer the page checks against.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A number, right within `tolerance` (absolute; 0 for counts).
    Number { expected: f64, tolerance: f64 },
    /// A token of the sentence, by position.
    Token { position: usize },
}

/// Where in the model a question looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// 0-based, as the arrays; the page shows them 1-based
    pub layer: usize,
    pub head: usize,
    /// The query's (row's) position
    pub query: usize,
}

/// What the exercise shows the student, with the model's numbers it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    TokenCount,
    /// `P[pos, dim]` of the sinusoidal positional encoding, `d_model` wide
    Position {
        pos: usize,
        dim: usize,
        d_model: usize,
    },
    /// `q·k` from the two vectors of one head (`d_k` values each, as shown)
    Dot {
        at: Place,
        key: usize,
        q: Vec<f64>,
        k: Vec<f64>,
    },
    /// `score / √d_k` for one raw score (as shown)
    Scale {
        at: Place,
        key: usize,
        score: f64,
        d_k: usize,
    },
    /// One weight of a row of scaled scores (as shown)
    Softmax {
        at: Place,
        key: usize,
        row: Vec<f64>,
    },
    /// One value of `weights · V`: the row's weights and V's column `dim` (as shown)
    Context {
        at: Place,
        dim: usize,
        weights: Vec<f64>,
        values: Vec<f64>,
    },
    /// The key the query attends to most
    MostAttended {
        at: Place,
    },
    /// Allowed query–key pairs under a causal mask over `n` tokens
    CausalPairs {
        n: usize,
    },
    /// Weights in one head's cross-attention while `target` tokens attend to `source` ones
    CrossWeights {
        source: usize,
        target: usize,
    },
    /// Multiply-adds of `QKᵀ` and `weights·V` for one head
    Macs {
        n: usize,
        d: usize,
    },
    /// Multiply-adds of `q·Kᵀ` for one head making token `n + 1`, with or without the cache
    Cache {
        n: usize,
        d: usize,
        cached: bool,
    },
    /// The position the reading token's rollout credits most
    Rollout {
        reading: usize,
    },
}

/// One exercise on one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub kind: Kind,
    pub task: Task,
    pub answer: Answer,
    /// The sentence's tokens, as the model saw them
    pub tokens: Vec<String>,
}

/// Why an exercise cannot be made from this sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// It has `words` word tokens; the exercise needs `needed`.
    TooShort { words: usize, needed: usize },
    /// The model's outputs lack what the exercise reads (a foreign or damaged model).
    Missing,
}

/// Picks from the sentence: the same text and exercise always pick the same.
struct Picker(ChaCha8Rng);

impl Picker {
    fn new(text: &str, kind: Kind) -> Self {
        // FNV-1a over the text and the exercise's id: stable across builds and platforms
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes().chain([0]).chain(kind.id().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Picker(ChaCha8Rng::seed_from_u64(h))
    }

    /// One of `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    /// A word position, `1..seq − 1` (not `[CLS]`, not `[SEP]`).
    fn word(&mut self, seq: usize) -> usize {
        1 + self.below(seq.saturating_sub(2))
    }

    /// A word position other than `not`, when there are two.
    fn other_word(&mut self, seq: usize, not: usize) -> usize {
        let words = seq.saturating_sub(2);
        if words < 2 {
            return not;
        }
        let k = 1 + self.below(words - 1);
        if k >= not {
            k + 1
        } else {
            k
        }
    }
}

fn row(m: &Matrix, i: usize) -> Option<Vec<f64>> {
    (i < m.rows()).then(|| m.row(i).iter().map(|&x| shown(x)).collect())
}

/// `Σ 0.5·10⁻ᵈ·(|a| + |b|)` over the terms: how far a sum of products of values rounded to `d`
/// decimals can drift from the model's exact one; plus half a unit of the answer's own rounding.
fn rounding_bound(a: &[f64], b: &[f64]) -> f64 {
    let half = 0.5 * 10f64.powi(-SHOWN_DECIMALS);
    let drift: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| half * (x.abs() + y.abs()))
        .sum();
    // Stated to the student rounded up to the shown decimals, at least 0.01
    let scale = 10f64.powi(SHOWN_DECIMALS);
    // (less a hair, so that 0.021 stays 0.021 and does not become 0.022 by rounding)
    ((drift + 0.005) * scale - 1e-9).ceil().max(10.0) / scale
}

fn argmax(values: impl Iterator<Item = f64>) -> Option<usize> {
    values
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, _)| i)
}

/// Makes exercise `kind` from the model's record of `text`.
pub fn make(kind: Kind, w: &Walkthrough, text: &str) -> Result<Exercise, Unavailable> {
    let rec = &w.record;
    let seq = rec.seq_len();
    let words = seq.saturating_sub(2);
    if words < kind.min_words() {
        return Err(Unavailable::TooShort {
            words,
            needed: kind.min_words(),
        });
    }
    let mut pick = Picker::new(text, kind);
    let n_layers = rec.layers.len();
    let n_heads = rec.layers.first().map_or(0, |l| l.params.n_heads);
    if n_layers == 0 || n_heads == 0 {
        return Err(Unavailable::Missing);
    }
    let layer = pick.below(n_layers);
    let head = pick.below(n_heads);
    let at = Place {
        layer,
        head,
        query: pick.word(seq),
    };
    let layer = rec.layers.get(at.layer).ok_or(Unavailable::Missing)?;
    let d_k = layer.params.d_k();
    let (start, end) = (at.head * d_k, (at.head + 1) * d_k);
    let scores = layer.scores.get(at.head).ok_or(Unavailable::Missing)?;
    let weights = layer.weights.get(at.head).ok_or(Unavailable::Missing)?;
    let number = |expected: f64, tolerance: f64| Answer::Number {
        expected,
        tolerance,
    };
    let exact = |expected: usize| number(expected as f64, 0.0);

    let (task, answer) = match kind {
        Kind::TokenCount => (Task::TokenCount, exact(seq)),
        Kind::Position => {
            let pos = at.query;
            let dim = pick.below(4);
            let d_model = rec.positional_encoding.cols();
            let value = rec
                .positional_encoding
                .get(pos, dim)
                .ok_or(Unavailable::Missing)?;
            (
                Task::Position { pos, dim, d_model },
                number(f64::from(value), 0.001),
            )
        }
        Kind::Dot => {
            let key = pick.other_word(seq, at.query);
            let q = row(&layer.query.columns(start, end), at.query).ok_or(Unavailable::Missing)?;
            let k = row(&layer.key.columns(start, end), key).ok_or(Unavailable::Missing)?;
            let expected = f64::from(scores.get(at.query, key).ok_or(Unavailable::Missing)?);
            let tolerance = rounding_bound(&q, &k);
            (Task::Dot { at, key, q, k }, number(expected, tolerance))
        }
        Kind::Scale => {
            let key = pick.other_word(seq, at.query);
            let raw = scores.get(at.query, key).ok_or(Unavailable::Missing)?;
            let expected = f64::from(raw) / (d_k as f64).sqrt();
            let score = shown(raw);
            (
                Task::Scale {
                    at,
                    key,
                    score,
                    d_k,
                },
                number(expected, rounding_bound(&[], &[]) / 2.0),
            )
        }
        Kind::Softmax => {
            let key = pick.other_word(seq, at.query);
            let scale = (d_k as f32).sqrt();
            let row: Vec<f64> = scores
                .row(at.query)
                .iter()
                .map(|&s| shown(s / scale))
                .collect();
            let expected = f64::from(weights.get(at.query, key).ok_or(Unavailable::Missing)?);
            (Task::Softmax { at, key, row }, number(expected, 0.005))
        }
        Kind::Context => {
            let dim = pick.below(d_k);
            let weights_row = row(weights, at.query).ok_or(Unavailable::Missing)?;
            let values: Vec<f64> = (0..seq)
                .map(|j| layer.value.get(j, start + dim).map(shown))
                .collect::<Option<_>>()
                .ok_or(Unavailable::Missing)?;
            let expected = f64::from(
                layer
                    .context
                    .get(at.query, start + dim)
                    .ok_or(Unavailable::Missing)?,
            );
            let tolerance = rounding_bound(&weights_row, &values);
            (
                Task::Context {
                    at,
                    dim,
                    weights: weights_row,
                    values,
                },
                number(expected, tolerance),
            )
        }
        Kind::MostAttended => {
            let position = argmax(weights.row(at.query).iter().map(|&x| f64::from(x)))
                .ok_or(Unavailable::Missing)?;
            (Task::MostAttended { at }, Answer::Token { position })
        }
        Kind::CausalPairs => (Task::CausalPairs { n: seq }, exact(seq * (seq + 1) / 2)),
        Kind::CrossWeights => {
            // A French sentence is usually a little longer than its English source
            let target = seq + 1 + pick.below(4);
            (
                Task::CrossWeights {
                    source: seq,
                    target,
                },
                exact(seq * target),
            )
        }
        Kind::CostYours => (Task::Macs { n: seq, d: d_k }, exact(2 * seq * seq * d_k)),
        Kind::CostFixed => (
            Task::Macs {
                n: FIXED_N,
                d: FIXED_D,
            },
            exact(2 * FIXED_N * FIXED_N * FIXED_D),
        ),
        Kind::CacheWith | Kind::CacheWithout => {
            let cached = kind == Kind::CacheWith;
            let n = seq;
            let macs = if cached {
                (n + 1) * d_k
            } else {
                (n + 1) * (n + 1) * d_k
            };
            (Task::Cache { n, d: d_k, cached }, exact(macs))
        }
        Kind::Rollout => {
            let reading = 0;
            let attention = layer_attention(w).ok_or(Unavailable::Missing)?;
            let r = rollout(&attention);
            let position = argmax(r.iter().skip(reading * seq).take(seq).copied())
                .ok_or(Unavailable::Missing)?;
            (Task::Rollout { reading }, Answer::Token { position })
        }
    };
    Ok(Exercise {
        kind,
        task,
        answer,
        tokens: rec.tokens.clone(),
    })
}

/// Every layer's weights as the explain core takes them.
fn layer_attention(w: &Walkthrough) -> Option<Vec<LayerAttention>> {
    let seq = w.record.seq_len();
    w.record
        .layers
        .iter()
        .map(|l| {
            let data: Vec<f32> = l.weights.iter().flat_map(|m| m.data().to_vec()).collect();
            LayerAttention::new(l.weights.len(), seq, data).ok()
        })
        .collect()
}

/// The worked solution, in maths (the page puts words around it).
pub fn solution(e: &Exercise) -> String {
    let f = |x: f64| format!("{x:.3}");
    let term = |a: f64, b: f64| format!("({})·({})", f(a), f(b));
    match &e.task {
        Task::TokenCount => format!("{} = {}", e.tokens.join(" · "), e.tokens.len()),
        Task::Position { pos, dim, d_model } => {
            let i = dim / 2;
            let angle = *pos as f64 / 10000f64.powf((2 * i) as f64 / *d_model as f64);
            let (name, value) = if dim % 2 == 0 {
                ("sin", angle.sin())
            } else {
                ("cos", angle.cos())
            };
            format!(
                "P[{pos}, {dim}] = {name}({pos} / 10000^({} / {d_model})) = {name}({}) = {}",
                2 * i,
                f(angle),
                f(value)
            )
        }
        Task::Dot { q, k, .. } => {
            let terms: Vec<String> = q.iter().zip(k).map(|(&a, &b)| term(a, b)).collect();
            let sum: f64 = q.iter().zip(k).map(|(a, b)| a * b).sum();
            format!("q·k = {} = {}", terms.join(" + "), f(sum))
        }
        Task::Scale { score, d_k, .. } => {
            let root = (*d_k as f64).sqrt();
            format!(
                "{} / √{d_k} = {} / {} = {}",
                f(*score),
                f(*score),
                f(root),
                f(score / root)
            )
        }
        Task::Softmax { key, row, .. } => {
            let (max, exps) = shifted_exps(row);
            let sum: f64 = exps.iter().sum();
            let mine = exps.get(*key).copied().unwrap_or(0.0);
            format!(
                "exp({} − {}) / Σⱼ exp(sⱼ − {}) = {} / ({}) = {}",
                f(row.get(*key).copied().unwrap_or(0.0)),
                f(max),
                f(max),
                f(mine),
                exps.iter().map(|&x| f(x)).collect::<Vec<_>>().join(" + "),
                f(mine / sum)
            )
        }
        Task::Context {
            weights, values, ..
        } => {
            let terms: Vec<String> = weights
                .iter()
                .zip(values)
                .map(|(&a, &b)| term(a, b))
                .collect();
            let sum: f64 = weights.iter().zip(values).map(|(a, b)| a * b).sum();
            format!("Σⱼ wⱼ·vⱼ = {} = {}", terms.join(" + "), f(sum))
        }
        Task::MostAttended { .. } | Task::Rollout { .. } => match e.answer {
            Answer::Token { position } => format!(
                "argmax = {} ({})",
                position,
                e.tokens.get(position).map_or("", String::as_str)
            ),
            Answer::Number { .. } => String::new(),
        },
        Task::CausalPairs { n } => {
            format!("1 + 2 + … + {n} = {n}·({n} + 1) / 2 = {}", n * (n + 1) / 2)
        }
        Task::CrossWeights { source, target } => {
            format!("{target} × {source} = {}", target * source)
        }
        Task::Macs { n, d } => format!(
            "QKᵀ: {n}·{n}·{d} + weights·V: {n}·{n}·{d} = 2·{n}²·{d} = {}",
            2 * n * n * d
        ),
        Task::Cache { n, d, cached } => {
            let m = n + 1;
            if *cached {
                format!("1 · {m} · {d} = {}", m * d)
            } else {
                format!("{m} · {m} · {d} = {}", m * m * d)
            }
        }
    }
}

/// The variance of a head's `q·k` over every query–key pair, using only its first `m`
/// coordinates, for `m` = 1, 2, 4, … up to `d_k`: it grows with `m`, which is why the scores are
/// divided by `√d_k`. Rows `(m, variance of the partial dot products, variance after ÷√m)`.
pub fn variance_by_width(query: &Matrix, key: &Matrix) -> Vec<(usize, f64, f64)> {
    let d_k = query.cols().min(key.cols());
    let mut widths = Vec::new();
    let mut m = 1;
    while m < d_k {
        widths.push(m);
        m *= 2;
    }
    if d_k > 0 {
        widths.push(d_k);
    }
    widths
        .into_iter()
        .map(|m| {
            let dots: Vec<f64> = (0..query.rows())
                .flat_map(|i| (0..key.rows()).map(move |j| (i, j)))
                .map(|(i, j)| {
                    (0..m)
                        .map(|t| f64::from(query.row(i)[t]) * f64::from(key.row(j)[t]))
                        .sum()
                })
                .collect();
            let var = variance(&dots);
            (m, var, var / m as f64)
        })
        .collect()
}

/// Population variance.
pub fn variance(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64
}

/// Softmax of each row against softmax of each column, on one head's scaled scores: the sums
/// that say which is right (each query's weights over the keys sum to 1). Returns, per query
/// row, `(Σ of the row under row-softmax, Σ of the row under column-softmax)`.
pub fn axis_sums(scaled: &Matrix) -> Vec<(f64, f64)> {
    let (rows, cols) = (scaled.rows(), scaled.cols());
    let at = |i: usize, j: usize| f64::from(scaled.row(i)[j]);
    let by_columns: Vec<Vec<f64>> = (0..cols)
        .map(|j| softmax(&(0..rows).map(|i| at(i, j)).collect::<Vec<_>>()))
        .collect();
    (0..rows)
        .map(|i| {
            let by_row: f64 = softmax(&(0..cols).map(|j| at(i, j)).collect::<Vec<_>>())
                .iter()
                .sum();
            let by_col: f64 = by_columns.iter().map(|c| c[i]).sum();
            (by_row, by_col)
        })
        .collect()
}

/// `(max, exp(xᵢ − max))`: subtracting the maximum changes no softmax weight and keeps exp
/// from overflowing.
fn shifted_exps(xs: &[f64]) -> (f64, Vec<f64>) {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (max, xs.iter().map(|x| (x - max).exp()).collect())
}

/// Softmax in f64.
pub fn softmax(xs: &[f64]) -> Vec<f64> {
    let (_, exps) = shifted_exps(xs);
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests;
