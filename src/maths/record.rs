//! What the model runtime reported for one sentence (our recomputation of it is in
//! [`super::walkthrough`]).

use serde::{Deserialize, Serialize};

use super::attention::{AttentionParams, Mask};
use super::matrix::Matrix;

/// One attention layer as the model runtime computed it (batch of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerRecord {
    /// Input of the attention block, `(seq_len, d_model)`
    pub x: Matrix,
    /// `(seq_len, d_model)`
    pub query: Matrix,
    pub key: Matrix,
    pub value: Matrix,
    /// Unscaled `Q_h K_hᵀ` per head, each `(seq_len, seq_len)`
    pub scores: Vec<Matrix>,
    /// Softmax weights per head, each `(seq_len, seq_len)`
    pub weights: Vec<Matrix>,
    /// Heads concatenated, `(seq_len, d_model)`
    pub context: Matrix,
    /// `context · W_O + b_O`, `(seq_len, d_model)`
    pub attn_out: Matrix,
    /// The parameters the model ran with, read from the model itself
    pub params: AttentionParams,
}

/// Everything the model runtime reported for one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// Token strings as the tokenizer produced them, `[CLS]` and `[SEP]` included
    pub tokens: Vec<String>,
    pub ids: Vec<u32>,
    /// 1 for a real token, 0 for padding (all 1 for one sentence)
    pub attention_mask: Vec<u32>,
    /// How many tokens the input had before it was cut to the model's maximum
    pub untruncated_len: usize,
    /// `E[ids]`, `(seq_len, d_model)`
    pub token_embeddings: Matrix,
    /// `P`, `(seq_len, d_model)`
    pub positional_encoding: Matrix,
    pub layers: Vec<LayerRecord>,
    /// One probability per class label
    pub probs: Vec<f32>,
}

impl ModelRecord {
    pub fn seq_len(&self) -> usize {
        self.tokens.len()
    }

    pub fn truncated(&self) -> bool {
        self.untruncated_len > self.tokens.len()
    }

    pub fn mask(&self) -> Mask {
        Mask::Padding(self.attention_mask.iter().map(|&m| m != 0).collect())
    }
}
