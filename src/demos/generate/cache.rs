//! The key/value cache a decoder keeps between steps, and what it saves.
//!
//! Every layer's keys and values of the tokens seen so far (keys after RoPE, as the model
//! returns them) are kept as `[H, rows, d_k]`. A step feeds only the new token and the cache;
//! the model returns the cache with one row more. When the cache holds `context` rows the
//! oldest row is dropped before the next step (a sliding window: RoPE scores depend on the
//! distance between positions only, so the kept rows stay valid; the dropped token simply
//! leaves the model's view).

use serde::Serialize;

/// One layer's cache: keys and values, each `[n_heads, rows, d_k]` row-major.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LayerCache {
    pub key: Vec<f32>,
    pub value: Vec<f32>,
}

/// Every layer's cache, all with the same number of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    pub n_heads: usize,
    pub d_k: usize,
    /// Rows per head.
    pub rows: usize,
    /// Absolute position of row 0 (grows when the window slides).
    pub first_position: usize,
}

impl KvCache {
    pub fn empty(n_layers: usize, n_heads: usize, d_k: usize) -> Self {
        Self {
            layers: vec![LayerCache::default(); n_layers],
            n_heads,
            d_k,
            rows: 0,
            first_position: 0,
        }
    }

    /// Absolute position the next fed token takes.
    pub fn next_position(&self) -> usize {
        self.first_position + self.rows
    }

    /// Replaces the contents with the model's returned cache of `rows` rows per head.
    /// Returns false (and changes nothing) when a layer's sizes do not match.
    pub fn replace(&mut self, layers: Vec<LayerCache>, rows: usize) -> bool {
        let want = self.n_heads * rows * self.d_k;
        if layers.len() != self.layers.len()
            || layers
                .iter()
                .any(|l| l.key.len() != want || l.value.len() != want)
        {
            return false;
        }
        self.layers = layers;
        self.rows = rows;
        true
    }

    /// Drops the `k` oldest rows of every head of every layer (sliding window).
    pub fn drop_oldest(&mut self, k: usize) {
        let k = k.min(self.rows);
        if k == 0 {
            return;
        }
        let (rows, d_k) = (self.rows, self.d_k);
        let keep = |v: &Vec<f32>| -> Vec<f32> {
            v.chunks(rows * d_k)
                .flat_map(|head| head[k * d_k..].iter().copied())
                .collect()
        };
        for l in &mut self.layers {
            l.key = keep(&l.key);
            l.value = keep(&l.value);
        }
        self.rows -= k;
        self.first_position += k;
    }

    /// Rows `(rows, d_k)` of one head's keys or values, row-major.
    pub fn head(&self, layer: usize, head: usize, values: bool) -> Option<&[f32]> {
        let l = self.layers.get(layer)?;
        let v = if values { &l.value } else { &l.key };
        let size = self.rows * self.d_k;
        v.get(head * size..(head + 1) * size)
    }

    /// Bytes the cache holds (float32).
    pub fn bytes(&self) -> u64 {
        (self.layers.len() * 2 * self.n_heads * self.rows * self.d_k * 4) as u64
    }
}

/// The sizes the cost of a step depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shapes {
    pub n_layers: usize,
    pub d_model: usize,
    pub d_ff: usize,
    pub vocab: usize,
}

/// Multiply-adds and bytes of producing the token at context length `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepCost {
    pub n: usize,
    /// One new token against the cache.
    pub cached_macs: u64,
    /// All `n` tokens again (what a decoder without a cache does every step).
    pub full_macs: u64,
    /// Keys and values held by the cache after the step (float32); the full recompute builds
    /// the same rows every step and throws them away.
    pub cache_bytes: u64,
}

impl Shapes {
    /// The cost of the step that makes the `n`-th row, counted as this graph computes it:
    /// per layer the four `d×d` projections and the two MLP matrices per token, `QKᵀ` and
    /// `weights·V` (`n·d` per query, every head together; a full recompute computes all `n×n`
    /// entries and masks the upper triangle after), and the tied output matrix `d×vocab` for
    /// every position fed (the graph returns logits for all of them).
    pub fn step_cost(&self, n: usize) -> StepCost {
        let (l, d, f, v) = (
            self.n_layers as u64,
            self.d_model as u64,
            self.d_ff as u64,
            self.vocab as u64,
        );
        let n64 = n as u64;
        let per_token = 4 * d * d + 2 * d * f;
        let cached_macs = l * (per_token + 2 * n64 * d) + d * v;
        let full_macs = l * (n64 * per_token + 2 * n64 * n64 * d) + n64 * d * v;
        StepCost {
            n,
            cached_macs,
            full_macs,
            cache_bytes: l * 2 * n64 * d * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(rows: usize) -> KvCache {
        let mut c = KvCache::empty(2, 2, 3);
        let layers = (0..2)
            .map(|l| LayerCache {
                key: (0..2 * rows * 3).map(|i| (l * 1000 + i) as f32).collect(),
                value: (0..2 * rows * 3)
                    .map(|i| -((l * 1000 + i) as f32))
                    .collect(),
            })
            .collect();
        assert!(c.replace(layers, rows));
        c
    }

    #[test]
    fn dropping_the_oldest_rows_keeps_every_head_s_newest_rows() {
        let mut c = filled(4);
        c.drop_oldest(1);
        assert_eq!(c.rows, 3);
        assert_eq!(c.first_position, 1);
        assert_eq!(c.next_position(), 4);
        // head 0 rows 1..4 = values 3..12, head 1 rows 1..4 = 15..24
        let h0 = c.head(0, 0, false).expect("valid in this test");
        assert_eq!(h0[0], 3.0);
        assert_eq!(h0.len(), 9);
        assert_eq!(c.head(0, 1, false).expect("valid in this test")[0], 15.0);
        assert_eq!(c.head(1, 1, true).expect("valid in this test")[0], -1015.0);
        assert_eq!(c.bytes(), 2 * 2 * 2 * 3 * 3 * 4);
    }

    #[test]
    fn a_cache_of_the_wrong_size_is_refused() {
        let mut c = filled(2);
        let bad = vec![LayerCache::default(); 2];
        assert!(!c.replace(bad, 2));
        assert_eq!(c.rows, 2);
    }

    #[test]
    fn the_cache_saves_work_that_grows_with_the_context() {
        let s = Shapes {
            n_layers: 4,
            d_model: 256,
            d_ff: 1024,
            vocab: 4096,
        };
        let one = s.step_cost(1);
        assert_eq!(one.cached_macs, one.full_macs);
        let c64 = s.step_cost(64);
        let c200 = s.step_cost(200);
        // with the cache only the attention term grows (linearly); without, everything is × n
        assert_eq!(c200.cached_macs - c64.cached_macs, 4 * 2 * (200 - 64) * 256);
        assert!(c200.full_macs / c200.cached_macs > 150);
        assert_eq!(c200.cache_bytes, 4 * 2 * 200 * 256 * 4);
    }
}
