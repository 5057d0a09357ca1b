//! The erasure curve (DeYoung et al. 2020, ERASER "comprehensiveness"): remove the top-k
//! elements as one measure ranks them and watch the prediction drop. A measure that picks what
//! the model uses makes the curve rise fast; random picks are the floor to beat.

use std::collections::HashMap;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Measure;

/// How many random orders the random curve averages. Three keeps the panel within its time
/// budget at 64 tokens (each draw is up to [`MAX_POINTS`] more runs of the model);
/// `models/explain/explain_golden.py`'s offline report averages five.
pub const RANDOM_DRAWS: usize = 3;
/// The seed of the first random order; draw `d` uses `RANDOM_SEED + d`.
pub const RANDOM_SEED: u64 = 2020;
/// The most points (values of k) one curve has (the offline report: 10).
pub const MAX_POINTS: usize = 8;

/// The values of k the curve is measured at: every k from 1 to `n` when `n ≤ max_points`,
/// otherwise `max_points` steps of about `n / max_points`, ending at `n`.
pub fn erasure_ks(n: usize, max_points: usize) -> Vec<usize> {
    if max_points == 0 || n <= max_points {
        return (1..=n).collect();
    }
    let mut ks: Vec<usize> = (1..=max_points)
        .map(|j| (j * n).div_ceil(max_points))
        .collect();
    ks.dedup();
    ks
}

/// `draws` seeded random orders of `0..n` (Fisher–Yates on ChaCha8, seed `seed + draw`), so a
/// curve is the same on every machine and every reload.
pub fn random_orders(n: usize, draws: usize, seed: u64) -> Vec<Vec<usize>> {
    (0..draws as u64)
        .map(|d| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed + d);
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                // Modulo bias is below 2⁻⁵⁰ for any n a page shows.
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            order
        })
        .collect()
}

/// Which element sets to remove for every measure's curve, each distinct set once: run
/// [`ErasurePlan::sets`] as one batch, then [`ErasurePlan::curve`] reads the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ErasurePlan {
    pub ks: Vec<usize>,
    /// Distinct removal sets (sorted element indices).
    sets: Vec<Vec<usize>>,
    /// Per measure, per order (one, or one per random draw), per k: the index into `sets`.
    series: Vec<(Measure, Vec<Vec<usize>>)>,
}

impl ErasurePlan {
    /// `orders`: per measure, the orders its curve averages (most important element first).
    pub fn new(orders: Vec<(Measure, Vec<Vec<usize>>)>, ks: Vec<usize>) -> Self {
        let mut sets: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<Vec<usize>, usize> = HashMap::new();
        let series = orders
            .into_iter()
            .map(|(measure, orders)| {
                let per_order = orders
                    .iter()
                    .map(|order| {
                        ks.iter()
                            .map(|&k| {
                                let mut set = order[..k.min(order.len())].to_vec();
                                set.sort_unstable();
                                *index.entry(set.clone()).or_insert_with(|| {
                                    sets.push(set);
                                    sets.len() - 1
                                })
                            })
                            .collect()
                    })
                    .collect();
                (measure, per_order)
            })
            .collect();
        Self { ks, sets, series }
    }

    /// The removal sets to run, in the order [`ErasurePlan::curve`] expects their answers.
    pub fn sets(&self) -> &[Vec<usize>] {
        &self.sets
    }

    /// The curves from the unmodified prediction `base` and the prediction for each set.
    pub fn curve(&self, base: f64, outputs: &[f64]) -> Result<ErasureCurve, String> {
        if outputs.len() != self.sets.len() {
            return Err(format!(
                "{} erasure runs answered, {} expected",
                outputs.len(),
                self.sets.len()
            ));
        }
        let series = self
            .series
            .iter()
            .map(|(measure, orders)| {
                let drops = (0..self.ks.len())
                    .map(|j| {
                        orders.iter().map(|o| base - outputs[o[j]]).sum::<f64>()
                            / orders.len().max(1) as f64
                    })
                    .collect();
                ErasureSeries {
                    measure: *measure,
                    drops,
                }
            })
            .collect();
        Ok(ErasureCurve {
            ks: self.ks.clone(),
            series,
        })
    }
}

/// The prediction's drop after removing the top-k elements, per measure.
#[derive(Debug, Clone, PartialEq)]
pub struct ErasureCurve {
    pub ks: Vec<usize>,
    pub series: Vec<ErasureSeries>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErasureSeries {
    pub measure: Measure,
    /// `base − prediction` after removing the top `ks[j]` elements (random: the mean of the draws)
    pub drops: Vec<f64>,
}

impl ErasureSeries {
    /// The area under the curve as the mean drop over its points (ERASER's AOPC): larger means
    /// the measure found what the prediction rests on sooner.
    pub fn area(&self) -> f64 {
        if self.drops.is_empty() {
            return 0.0;
        }
        self.drops.iter().sum::<f64>() / self.drops.len() as f64
    }
}

impl ErasureCurve {
    pub fn get(&self, measure: Measure) -> Option<&ErasureSeries> {
        self.series.iter().find(|s| s.measure == measure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_cover_every_element_or_spread_to_n() {
        assert_eq!(erasure_ks(4, 10), [1, 2, 3, 4]);
        assert_eq!(erasure_ks(0, 10), Vec::<usize>::new());
        assert_eq!(erasure_ks(62, 10), [7, 13, 19, 25, 31, 38, 44, 50, 56, 62]);
        assert_eq!(erasure_ks(20, 10), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    }

    #[test]
    fn random_orders_are_seeded_permutations() {
        let a = random_orders(16, 3, 7);
        assert_eq!(a, random_orders(16, 3, 7));
        assert_ne!(a[0], a[1]);
        for order in &a {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..16).collect::<Vec<_>>());
        }
        assert_eq!(random_orders(1, 2, 0), [vec![0], vec![0]]);
    }

    #[test]
    fn shared_sets_run_once_and_curves_average_their_draws() {
        let plan = ErasurePlan::new(
            vec![
                (Measure::Attention, vec![vec![2, 0, 1]]),
                (Measure::Occlusion, vec![vec![2, 1, 0]]),
                (Measure::Random, vec![vec![0, 1, 2], vec![1, 0, 2]]),
            ],
            vec![1, 2, 3],
        );
        // {2}, {0,2}, {0,1,2}, {1,2}, {0}, {0,1}, {1}: seven distinct sets for twelve points.
        assert_eq!(plan.sets().len(), 7);
        let value =
            |set: &Vec<usize>| 1.0 - 0.25 * set.iter().map(|&e| e as f64 + 1.0).sum::<f64>();
        let outputs: Vec<f64> = plan.sets().iter().map(value).collect();
        let curve = plan.curve(1.0, &outputs).expect("answers fit");
        let drops = |m| curve.get(m).expect("series").drops.clone();
        assert_eq!(drops(Measure::Attention), [0.75, 1.0, 1.5]);
        assert_eq!(drops(Measure::Occlusion), [0.75, 1.25, 1.5]);
        // Draws {0}/{1} then {0,1} twice then all.
        assert_eq!(drops(Measure::Random), [0.375, 0.75, 1.5]);
        assert!((curve.get(Measure::Occlusion).expect("s").area() - 3.5 / 3.0).abs() < 1e-12);
        assert!(plan.curve(1.0, &outputs[1..]).is_err());
    }
}
