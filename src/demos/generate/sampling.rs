//! Choosing the next token from the model's logits: greedy, or sampled with temperature,
//! top-k and top-p, from a seeded random number generator, with every intermediate kept so the
//! page can show it (the distribution before and after filtering, the cumulative sums, the draw).
//!
//! The algorithm, in float64, exactly as `models/generate/export.py` runs it for the golden
//! sampled decode:
//! 1. greedy (temperature 0): the largest logit, the lowest id on a tie; no draw is used;
//! 2. `z = logits / T`; candidates sorted by `z` descending, ties by id ascending;
//! 3. top-k (k > 0): keep the first k;
//! 4. `p = softmax(z)` over the kept candidates;
//! 5. top-p (p < 1): keep the shortest prefix whose probabilities sum to ≥ p (at least one),
//!    then divide by their sum;
//! 6. one draw `u` in [0, 1); the token is the first candidate whose cumulative sum exceeds `u`
//!    (the last one if rounding leaves the sum a hair under `u`).
//!
//! The generator is rand_chacha's `ChaCha8Rng::seed_from_u64(seed)` (rand_core's PCG32 seed
//! expansion), and `u = (next_u64 >> 11) · 2⁻⁵³`: 53 random bits, as rand's `StandardUniform`
//! makes an f64. Every sampled step takes exactly one draw, so a seed fixes the whole text.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Lowest temperature the controls allow above 0 (0 itself means greedy).
pub const MIN_TEMPERATURE: f64 = 0.05;
pub const MAX_TEMPERATURE: f64 = 2.0;
/// Lowest top-p; 1 switches the filter off.
pub const MIN_TOP_P: f64 = 0.01;
/// Largest seed: JavaScript numbers hold integers exactly up to 2⁵³, and the seed travels in
/// the link.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// How the next token is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sampler {
    /// 0 = greedy; otherwise `MIN_TEMPERATURE ..= MAX_TEMPERATURE`.
    pub temperature: f64,
    /// 0 = off.
    pub top_k: usize,
    /// 1 = off.
    pub top_p: f64,
    pub seed: u64,
}

impl Default for Sampler {
    fn default() -> Self {
        Self {
            temperature: 0.8,
            top_k: 40,
            top_p: 0.95,
            seed: 42,
        }
    }
}

/// A control that was out of range and what it became.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clamped {
    Temperature { asked: f64, used: f64 },
    TopK { asked: usize, used: usize },
    TopP { asked: f64, used: f64 },
    Seed { asked: u64, used: u64 },
}

impl Sampler {
    pub fn greedy(&self) -> bool {
        self.temperature == 0.0
    }

    /// The same settings brought into range for a vocabulary of `vocab` tokens, with a note for
    /// every control that moved. Not-a-number becomes the default.
    pub fn clamped(&self, vocab: usize) -> (Sampler, Vec<Clamped>) {
        let d = Sampler::default();
        let mut notes = Vec::new();
        let temperature = if self.temperature.is_nan() {
            d.temperature
        } else if self.temperature <= 0.0 {
            0.0
        } else {
            self.temperature.clamp(MIN_TEMPERATURE, MAX_TEMPERATURE)
        };
        if temperature != self.temperature {
            notes.push(Clamped::Temperature {
                asked: self.temperature,
                used: temperature,
            });
        }
        let top_k = self.top_k.min(vocab);
        if top_k != self.top_k {
            notes.push(Clamped::TopK {
                asked: self.top_k,
                used: top_k,
            });
        }
        let top_p = if self.top_p.is_nan() {
            d.top_p
        } else {
            self.top_p.clamp(MIN_TOP_P, 1.0)
        };
        if top_p != self.top_p {
            notes.push(Clamped::TopP {
                asked: self.top_p,
                used: top_p,
            });
        }
        let seed = self.seed.min(MAX_SEED);
        if seed != self.seed {
            notes.push(Clamped::Seed {
                asked: self.seed,
                used: seed,
            });
        }
        (
            Sampler {
                temperature,
                top_k,
                top_p,
                seed,
            },
            notes,
        )
    }
}

/// The seeded source of draws; one per sampled step.
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    rng: ChaCha8Rng,
    used: usize,
}

impl Draws {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            used: 0,
        }
    }

    /// The next raw 64-bit output (for checking the generator itself).
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform number in [0, 1) from 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        self.used += 1;
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// How many uniforms were drawn so far.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// One candidate token at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: u32,
    pub logit: f32,
    /// `softmax(logits)` over the whole vocabulary (temperature 1, nothing filtered).
    pub p_model: f64,
    /// After temperature, top-k and top-p, renormalised; 0 for a candidate filtered out.
    pub p_final: f64,
    /// Running sum of `p_final` in candidate order (what the draw is compared with).
    pub cumulative: f64,
    pub kept: bool,
}

/// Everything one choice of the next token went through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub token: u32,
    /// `None` for greedy.
    pub draw: Option<f64>,
    /// Candidates in order of logit (ties by id); only the first `shown` are kept here.
    pub candidates: Vec<Candidate>,
    /// How many candidates survived the filters.
    pub kept: usize,
    /// Probability mass (at temperature T, before top-k/top-p) of the kept candidates.
    pub kept_mass: f64,
}

/// Why logits cannot be sampled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleError {
    Empty,
    NotFinite,
}

/// Softmax in float64 of `z` (subtracting the max so exp never overflows).
fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

/// Chooses the next token from `logits` (one per vocabulary entry). `shown` bounds how many
/// candidates the returned [`Choice`] keeps for display (the choice itself uses them all).
pub fn choose(
    logits: &[f32],
    sampler: &Sampler,
    draws: &mut Draws,
    shown: usize,
) -> Result<Choice, SampleError> {
    if logits.is_empty() {
        return Err(SampleError::Empty);
    }
    if logits.iter().any(|v| !v.is_finite()) {
        return Err(SampleError::NotFinite);
    }
    let mut order: Vec<usize> = (0..logits.len()).collect();
    // descending logit, ascending id on a tie (sort is stable; ids start in order)
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let z_model: Vec<f64> = order.iter().map(|&i| f64::from(logits[i])).collect();
    let p_model = softmax(&z_model);
    if sampler.greedy() {
        let token = order[0] as u32;
        let candidates = (0..shown.min(order.len()))
            .map(|r| Candidate {
                id: order[r] as u32,
                logit: logits[order[r]],
                p_model: p_model[r],
                p_final: if r == 0 { 1.0 } else { 0.0 },
                cumulative: 1.0,
                kept: r == 0,
            })
            .collect();
        return Ok(Choice {
            token,
            draw: None,
            candidates,
            kept: 1,
            kept_mass: p_model[0],
        });
    }
    let z: Vec<f64> = z_model.iter().map(|v| v / sampler.temperature).collect();
    let p_t = softmax(&z);
    let mut kept = if sampler.top_k > 0 {
        sampler.top_k.min(order.len())
    } else {
        order.len()
    };
    let mut p = softmax(&z[..kept]);
    if sampler.top_p < 1.0 {
        let mut cum = 0.0;
        let mut n = 0;
        for &pi in &p {
            cum += pi;
            n += 1;
            if cum >= sampler.top_p {
                break;
            }
        }
        kept = n;
        p.truncate(n);
        let sum: f64 = p.iter().sum();
        p.iter_mut().for_each(|v| *v /= sum);
    }
    let u = draws.uniform();
    let cumulative: Vec<f64> = p
        .iter()
        .scan(0.0, |cum, &pi| {
            *cum += pi;
            Some(*cum)
        })
        .collect();
    let pick = cumulative.iter().position(|&c| u < c).unwrap_or(kept - 1);
    let last_cum = cumulative.last().copied().unwrap_or(1.0);
    let candidates = (0..shown.min(order.len()))
        .map(|r| Candidate {
            id: order[r] as u32,
            logit: logits[order[r]],
            p_model: p_model[r],
            p_final: p.get(r).copied().unwrap_or(0.0),
            cumulative: cumulative.get(r).copied().unwrap_or(last_cum),
            kept: r < kept,
        })
        .collect();
    Ok(Choice {
        token: order[pick] as u32,
        draw: Some(u),
        candidates,
        kept,
        kept_mass: p_t[..kept].iter().sum(),
    })
}

/// The distribution at temperature `t` over the first `n` candidates of `logits` sorted as in
/// [`choose`]: what the page draws beside the model's own (t = 1) distribution.
pub fn tempered(logits: &[f32], t: f64) -> Vec<f64> {
    let mut z: Vec<f64> = logits.iter().map(|&v| f64::from(v)).collect();
    z.sort_by(|a, b| b.total_cmp(a));
    if t <= 0.0 {
        return z
            .iter()
            .enumerate()
            .map(|(i, _)| f64::from(u8::from(i == 0)))
            .collect();
    }
    softmax(&z.iter().map(|v| v / t).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampler(temperature: f64, top_k: usize, top_p: f64) -> Sampler {
        Sampler {
            temperature,
            top_k,
            top_p,
            seed: 1,
        }
    }

    #[test]
    fn greedy_takes_the_largest_logit_and_the_lowest_id_on_a_tie() {
        let mut d = Draws::new(0);
        let c = choose(&[0.5, 2.0, 2.0, -1.0], &sampler(0.0, 0, 1.0), &mut d, 4)
            .expect("valid in this test");
        assert_eq!(c.token, 1);
        assert_eq!(c.draw, None);
        assert_eq!(d.used(), 0);
        assert_eq!(c.candidates[1].id, 2);
    }

    #[test]
    fn top_k_one_is_greedy_whatever_the_draw() {
        for seed in 0..20 {
            let mut d = Draws::new(seed);
            let c = choose(&[0.1, 0.3, 0.2], &sampler(1.5, 1, 1.0), &mut d, 3)
                .expect("valid in this test");
            assert_eq!(c.token, 1);
            assert_eq!(c.kept, 1);
            assert!((c.candidates[0].p_final - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn top_p_keeps_the_shortest_prefix_reaching_p() {
        // softmax(ln [0.5, 0.3, 0.2]) = [0.5, 0.3, 0.2]
        let logits = [0.5f32.ln(), 0.3f32.ln(), 0.2f32.ln()];
        let mut d = Draws::new(3);
        let c = choose(&logits, &sampler(1.0, 0, 0.75), &mut d, 3).expect("valid in this test");
        assert_eq!(c.kept, 2);
        assert!((c.candidates[0].p_final - 0.625).abs() < 1e-6);
        assert!((c.candidates[1].p_final - 0.375).abs() < 1e-6);
        assert_eq!(c.candidates[2].p_final, 0.0);
        assert!(!c.candidates[2].kept);
        assert!((c.kept_mass - 0.8).abs() < 1e-6);
    }

    #[test]
    fn the_draw_picks_the_first_cumulative_sum_above_it() {
        let logits = [0.5f32.ln(), 0.3f32.ln(), 0.2f32.ln()];
        for seed in 0..50 {
            let mut d = Draws::new(seed);
            let u = Draws::new(seed).uniform();
            let c = choose(&logits, &sampler(1.0, 0, 1.0), &mut d, 3).expect("valid in this test");
            assert_eq!(c.draw, Some(u));
            let want = if u < 0.5 {
                0
            } else if u < 0.8 {
                1
            } else {
                2
            };
            assert_eq!(c.token, want, "u = {u}");
        }
    }

    #[test]
    fn low_temperature_sharpens_and_high_flattens() {
        let logits = [1.0f32, 0.0, -1.0];
        let cold = tempered(&logits, 0.5);
        let hot = tempered(&logits, 2.0);
        let one = tempered(&logits, 1.0);
        assert!(cold[0] > one[0] && one[0] > hot[0]);
        assert!((cold.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn draws_are_uniform_in_the_unit_interval_and_reproducible() {
        let mut a = Draws::new(99);
        let mut b = Draws::new(99);
        let xs: Vec<f64> = (0..1000).map(|_| a.uniform()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert_eq!(xs[..5], (0..5).map(|_| b.uniform()).collect::<Vec<_>>()[..]);
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
    }

    #[test]
    fn bad_logits_are_refused() {
        let mut d = Draws::new(0);
        assert_eq!(
            choose(&[], &Sampler::default(), &mut d, 3),
            Err(SampleError::Empty)
        );
        assert_eq!(
            choose(&[0.0, f32::NAN], &Sampler::default(), &mut d, 3),
            Err(SampleError::NotFinite)
        );
    }

    #[test]
    fn out_of_range_controls_are_clamped_with_a_note() {
        let s = Sampler {
            temperature: 9.0,
            top_k: 10_000,
            top_p: -1.0,
            seed: u64::MAX,
        };
        let (c, notes) = s.clamped(4096);
        assert_eq!(c.temperature, MAX_TEMPERATURE);
        assert_eq!(c.top_k, 4096);
        assert_eq!(c.top_p, MIN_TOP_P);
        assert_eq!(c.seed, MAX_SEED);
        assert_eq!(notes.len(), 4);
        let (same, none) = Sampler::default().clamped(4096);
        assert_eq!(same, Sampler::default());
        assert!(none.is_empty());
        let (g, _) = Sampler {
            temperature: -3.0,
            ..Sampler::default()
        }
        .clamped(4096);
        assert!(g.greedy());
    }
}
