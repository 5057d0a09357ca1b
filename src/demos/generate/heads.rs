//! What each head does on a sequence that repeats: previous-token, induction and sink scores.
//!
//! The example is `period` random tokens followed by the same tokens again, so the token at
//! position `i ≥ period` also stood at `i − period`, and the token that followed it then is at
//! `i − period + 1`. An induction head looks there ("last time this came, that came next").
//! Definitions, exactly as `models/generate/export.py` computes them for `metrics.json`:
//! - previous-token: mean over queries `i ≥ 1` of `w[i, i−1]`;
//! - induction: mean over queries `i ≥ period + 1` of `w[i, i − period + 1]`;
//! - sink: mean over queries `i ≥ 1` of `w[i, 0]` (mass parked on the first position).

use serde::{Deserialize, Serialize};

/// One head's scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeadScore {
    pub layer: usize,
    pub head: usize,
    pub previous_token: f64,
    pub induction: f64,
    pub sink: f64,
}

/// A head counts as an induction head from this score up (a uniform head over ~60 keys scores
/// under 0.03).
pub const INDUCTION_THRESHOLD: f64 = 0.3;

/// Scores of one head from its `(n, n)` causal weights (row-major). `None` when the map is not
/// square of side `n`, or too short to hold the repeat.
pub fn head_score(
    weights: &[f32],
    n: usize,
    period: usize,
    layer: usize,
    head: usize,
) -> Option<HeadScore> {
    if weights.len() != n * n || period == 0 || n < period + 2 {
        return None;
    }
    let w = |i: usize, j: usize| f64::from(weights[i * n + j]);
    let mean = |it: &mut dyn Iterator<Item = f64>| {
        let (s, c) = it.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
        s / c as f64
    };
    Some(HeadScore {
        layer,
        head,
        previous_token: mean(&mut (1..n).map(|i| w(i, i - 1))),
        induction: mean(&mut (period + 1..n).map(|i| w(i, i - period + 1))),
        sink: mean(&mut (1..n).map(|i| w(i, 0))),
    })
}

/// Which column a table of scores is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortBy {
    Head,
    PreviousToken,
    Induction,
    Sink,
}

impl SortBy {
    pub const ALL: [SortBy; 4] = [
        SortBy::Head,
        SortBy::PreviousToken,
        SortBy::Induction,
        SortBy::Sink,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            SortBy::Head => "head",
            SortBy::PreviousToken => "prev",
            SortBy::Induction => "induction",
            SortBy::Sink => "sink",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// Sorts in place: by layer then head ascending, or by a score descending (ties by layer, head).
pub fn sort_scores(scores: &mut [HeadScore], by: SortBy) {
    let key = |s: &HeadScore| match by {
        SortBy::Head => 0.0,
        SortBy::PreviousToken => s.previous_token,
        SortBy::Induction => s.induction,
        SortBy::Sink => s.sink,
    };
    scores.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(a.layer.cmp(&b.layer))
            .then(a.head.cmp(&b.head))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A map where every query puts all its weight on `target(i)`.
    fn one_hot(n: usize, target: impl Fn(usize) -> usize) -> Vec<f32> {
        let mut w = vec![0.0; n * n];
        for i in 0..n {
            w[i * n + target(i)] = 1.0;
        }
        w
    }

    #[test]
    fn a_perfect_induction_head_scores_one() {
        let (n, p) = (10, 4);
        let w = one_hot(n, |i| if i > p { i - p + 1 } else { 0 });
        let s = head_score(&w, n, p, 1, 2).expect("valid in this test");
        assert_eq!(s.induction, 1.0);
        assert_eq!((s.layer, s.head), (1, 2));
        // queries 1..=p look at position 0: p of the n − 1 queries
        assert!((s.sink - p as f64 / (n - 1) as f64).abs() < 1e-12);
    }

    #[test]
    fn a_previous_token_head_and_a_sink() {
        let n = 8;
        let prev = head_score(&one_hot(n, |i| i.saturating_sub(1)), n, 3, 0, 0)
            .expect("valid in this test");
        assert_eq!(prev.previous_token, 1.0);
        let sink = head_score(&one_hot(n, |_| 0), n, 3, 0, 1).expect("valid in this test");
        assert_eq!(sink.sink, 1.0);
        assert_eq!(sink.induction, 0.0);
    }

    #[test]
    fn bad_maps_give_none() {
        assert!(head_score(&[0.0; 8], 3, 1, 0, 0).is_none());
        assert!(head_score(&[0.0; 9], 3, 2, 0, 0).is_none());
        assert!(head_score(&[0.0; 9], 3, 0, 0, 0).is_none());
    }

    #[test]
    fn sorting_by_a_score_puts_the_largest_first() {
        let mk = |layer, head, induction| HeadScore {
            layer,
            head,
            previous_token: 0.0,
            induction,
            sink: 0.0,
        };
        let mut v = vec![mk(0, 0, 0.1), mk(1, 3, 0.9), mk(1, 0, 0.5)];
        sort_scores(&mut v, SortBy::Induction);
        assert_eq!((v[0].layer, v[0].head), (1, 3));
        sort_scores(&mut v, SortBy::Head);
        assert_eq!((v[2].layer, v[2].head), (1, 3));
        assert_eq!(SortBy::from_slug("sink"), Some(SortBy::Sink));
        assert_eq!(SortBy::from_slug("nope"), None);
    }
}
