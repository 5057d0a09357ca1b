//! Rank agreement between two importance scores over the same elements: Kendall's τ-b and
//! Spearman's ρ, both with ties handled as scipy does (`scipy.stats.kendalltau`, variant "b";
//! `scipy.stats.spearmanr`, average ranks), and the order that ranks elements by a score.

/// Kendall's τ-b: (concordant − discordant) / √((n₀ − n₁)(n₀ − n₂)), where n₀ counts all pairs
/// and n₁, n₂ the pairs tied in `a`, in `b`. `None` when the lengths differ, there are fewer than
/// two elements, a value is not finite, or either side is constant (scipy gives NaN there).
pub fn kendall_tau_b(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 || !all_finite(a) || !all_finite(b) {
        return None;
    }
    let (mut concordant, mut discordant) = (0i64, 0i64);
    let (mut ties_a, mut ties_b) = (0i64, 0i64);
    let n = a.len();
    for i in 0..n {
        for j in i + 1..n {
            let da = (a[i] - a[j]).signum_or_zero();
            let db = (b[i] - b[j]).signum_or_zero();
            match (da, db) {
                (0, 0) => {
                    ties_a += 1;
                    ties_b += 1;
                }
                (0, _) => ties_a += 1,
                (_, 0) => ties_b += 1,
                _ if da == db => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let pairs = (n * (n - 1) / 2) as i64;
    let denominator = ((pairs - ties_a) as f64 * (pairs - ties_b) as f64).sqrt();
    (denominator > 0.0).then(|| (concordant - discordant) as f64 / denominator)
}

/// Spearman's ρ: the Pearson correlation of the average ranks (ties share the mean of the ranks
/// they span). `None` as for [`kendall_tau_b`].
pub fn spearman_rho(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 || !all_finite(a) || !all_finite(b) {
        return None;
    }
    pearson(&average_ranks(a), &average_ranks(b))
}

/// 1-based ranks in ascending order, ties given the mean of the ranks they span.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mean;
        }
        start = end;
    }
    ranks
}

/// Element indices from the most to the least important (largest score first); equal scores
/// keep their input order, and a non-finite score goes last.
pub fn order_by(scores: &[f64]) -> Vec<usize> {
    let key = |i: usize| {
        let s = scores[i];
        if s.is_finite() {
            s
        } else {
            f64::NEG_INFINITY
        }
    };
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| key(j).total_cmp(&key(i)));
    order
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let denominator = (sxx * syy).sqrt();
    (denominator > 0.0).then(|| (sxy / denominator).clamp(-1.0, 1.0))
}

fn all_finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

trait SignumOrZero {
    fn signum_or_zero(self) -> i8;
}

impl SignumOrZero for f64 {
    fn signum_or_zero(self) -> i8 {
        if self > 0.0 {
            1
        } else if self < 0.0 {
            -1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_reversed_and_degenerate_orders() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(kendall_tau_b(&a, &a), Some(1.0));
        assert_eq!(spearman_rho(&a, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(kendall_tau_b(&a, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(kendall_tau_b(&a, &[1.0; 4]), None);
        assert_eq!(spearman_rho(&a, &[1.0; 4]), None);
        assert_eq!(kendall_tau_b(&[1.0], &[1.0]), None);
        assert_eq!(kendall_tau_b(&a, &a[..3]), None);
        assert_eq!(spearman_rho(&a, &[1.0, f64::NAN, 2.0, 3.0]), None);
    }

    #[test]
    fn ties_share_the_mean_rank_and_orders_put_the_largest_first() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 5.0]),
            [2.5, 4.0, 2.5, 1.0]
        );
        assert_eq!(order_by(&[0.1, 0.5, 0.5, f64::NAN, 0.3]), [1, 2, 4, 0, 3]);
        assert!(order_by(&[]).is_empty());
    }

    /// scipy's values (kendalltau variant "b", spearmanr) on given vectors, written by
    /// models/explain/explain_golden.py.
    #[test]
    fn kendall_and_spearman_match_scipy() {
        #[derive(serde::Deserialize)]
        struct Case {
            a: Vec<f64>,
            b: Vec<f64>,
            tau: Option<f64>,
            rho: Option<f64>,
        }
        let cases: Vec<Case> =
            serde_json::from_str(include_str!("../../models/explain/rank_golden.json"))
                .expect("golden file parses");
        assert!(cases.len() >= 8);
        for (i, c) in cases.iter().enumerate() {
            let close = |ours: Option<f64>, theirs: Option<f64>| match (ours, theirs) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
                (None, None) => true,
                _ => false,
            };
            let tau = kendall_tau_b(&c.a, &c.b);
            let rho = spearman_rho(&c.a, &c.b);
            assert!(
                close(tau, c.tau),
                "case {i}: tau {tau:?} vs scipy {:?}",
                c.tau
            );
            assert!(
                close(rho, c.rho),
                "case {i}: rho {rho:?} vs scipy {:?}",
                c.rho
            );
        }
    }
}
