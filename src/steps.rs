//! The steps of the walkthrough, in teaching order, with their words.

/// One step from tokens to the attention output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Tokens,
    Embeddings,
    Qkv,
    Scores,
    Scale,
    Mask,
    Softmax,
    Context,
    Concat,
    Output,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Tokens,
        Step::Embeddings,
        Step::Qkv,
        Step::Scores,
        Step::Scale,
        Step::Mask,
        Step::Softmax,
        Step::Context,
        Step::Concat,
        Step::Output,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }

    /// The next step, or `self` at the end.
    pub fn next(self) -> Step {
        Self::ALL.get(self.index() + 1).copied().unwrap_or(self)
    }

    /// The previous step, or `self` at the start.
    pub fn prev(self) -> Step {
        self.index()
            .checked_sub(1)
            .and_then(|i| Self::ALL.get(i).copied())
            .unwrap_or(self)
    }

    /// Stable identifier used in the DOM (`data-step`) and in links.
    pub fn id(self) -> &'static str {
        match self {
            Step::Tokens => "tokens",
            Step::Embeddings => "embeddings",
            Step::Qkv => "qkv",
            Step::Scores => "scores",
            Step::Scale => "scale",
            Step::Mask => "mask",
            Step::Softmax => "softmax",
            Step::Context => "context",
            Step::Concat => "concat",
            Step::Output => "output",
        }
    }

    pub fn from_id(id: &str) -> Option<Step> {
        Self::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// Short name for the step bar.
    pub fn short(self) -> &'static str {
        match self {
            Step::Tokens => "Tokens",
            Step::Embeddings => "Embed + PE",
            Step::Qkv => "Q, K, V",
            Step::Scores => "QKᵀ",
            Step::Scale => "÷√dₖ",
            Step::Mask => "Mask",
            Step::Softmax => "Softmax",
            Step::Context => "Weights·V",
            Step::Concat => "Concat",
            Step::Output => "·W_O",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Tokens => "1. Text becomes tokens",
            Step::Embeddings => "2. Token embeddings plus positional encoding",
            Step::Qkv => "3. Queries, keys and values",
            Step::Scores => "4. Every query meets every key: QKᵀ",
            Step::Scale => "5. Scale by √dₖ",
            Step::Mask => "6. Mask what may not be seen",
            Step::Softmax => "7. Softmax turns each row into weights",
            Step::Context => "8. Weights mix the values",
            Step::Concat => "9. Heads side by side",
            Step::Output => "10. Output projection W_O",
        }
    }

    pub fn formula(self) -> &'static str {
        match self {
            Step::Tokens => "text → [CLS] t₁ … tₙ [SEP] → ids",
            Step::Embeddings => {
                "X = E[ids] + P,   P[pos, 2i] = sin(pos/10000^(2i/d)),  P[pos, 2i+1] = cos(…)"
            }
            Step::Qkv => "Q = X·W_Q + b_Q,   K = X·W_K + b_K,   V = X·W_V + b_V",
            Step::Scores => "S_h = Q_h · K_hᵀ      (head h uses columns h·dₖ … (h+1)·dₖ)",
            Step::Scale => "S_h / √dₖ",
            Step::Mask => "S_h / √dₖ + M,   M_ij = 0 if key j is visible, −∞ if not",
            Step::Softmax => "A_ij = exp(s_ij) / Σ_k exp(s_ik)   (each row over its own keys)",
            Step::Context => "head_h = A_h · V_h",
            Step::Concat => "Concat(head₁, …, head_H)",
            Step::Output => "MultiHead(X) = Concat(head₁, …, head_H) · W_O + b_O",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Step::Tokens => "The model's own WordPiece tokenizer splits the text into pieces it has a vector for. Words it never saw are split into smaller pieces, or become [UNK]. [CLS] is an extra token whose final vector the classifier reads.",
            Step::Embeddings => "Each token id selects one learned row of the embedding table E. Attention itself ignores order, so a fixed sinusoidal positional encoding P is added: the same word at another position gets a different vector.",
            Step::Qkv => "Three learned matrices turn each token's vector into a query (what it looks for), a key (what it offers) and a value (what it passes on). The columns are split into heads; the thin lines mark them.",
            Step::Scores => "For each head, the score of query i and key j is the dot product q_i·k_j. Click any cell to see the two vectors and their products.",
            Step::Scale => "Dot products of dₖ-dimensional vectors grow with dₖ; dividing by √dₖ keeps the softmax from saturating so gradients still flow.",
            Step::Mask => "This encoder uses a padding mask: −∞ on keys that are padding, so they get weight exactly 0. One sentence has no padding, so nothing is hidden here. A decoder would also hide future tokens (a causal mask).",
            Step::Softmax => "Softmax makes every row a probability distribution over the keys: all weights are between 0 and 1 and each row sums to 1 (shown on the right). The cost of these n × n scores grows as O(n²·d).",
            Step::Context => "Each token's new vector, per head, is the weighted average of the value vectors, with the weights of its row.",
            Step::Concat => "The heads' outputs are placed side by side, giving back a vector of width d_model per token.",
            Step::Output => "A last learned matrix W_O mixes the heads. This is the attention block's output; the layer then adds it to X (residual), normalises it and applies a feed-forward network. Attention weights show what the model mixed, not by themselves why it decided.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_forward_and_back() {
        let mut s = Step::Tokens;
        let mut seen = vec![s];
        while s.next() != s {
            s = s.next();
            seen.push(s);
        }
        assert_eq!(seen, Step::ALL.to_vec());
        assert_eq!(Step::Tokens.prev(), Step::Tokens);
        assert_eq!(Step::Output.prev(), Step::Concat);
    }

    #[test]
    fn ids_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::from_id(s.id()), Some(s));
        }
        assert_eq!(Step::from_id("nonsense"), None);
    }
}
