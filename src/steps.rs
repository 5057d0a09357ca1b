//! The steps of the walkthrough, in teaching order, with their words (in the reader's
//! language; the maths stays as it is).

use std::borrow::Cow;

use rust_i18n::t;

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
    pub fn short(self) -> Cow<'static, str> {
        match self {
            Step::Tokens => t!("step.short.tokens"),
            Step::Embeddings => t!("step.short.embeddings"),
            Step::Qkv => "Q, K, V".into(),
            Step::Scores => "QKᵀ".into(),
            Step::Scale => "÷√dₖ".into(),
            Step::Mask => t!("step.short.mask"),
            Step::Softmax => "Softmax".into(),
            Step::Context => t!("step.short.context"),
            Step::Concat => t!("step.short.concat"),
            Step::Output => "·W_O".into(),
        }
    }

    /// `step.title.<id>` in the reader's language.
    pub fn title(self) -> Cow<'static, str> {
        t!(self.key("title"))
    }

    /// The message `step.<kind>.<id>` (every step has a `title` and an `explain`; the test
    /// `every_step_has_its_messages` checks they exist, as the literal-key check cannot).
    fn key(self, kind: &str) -> String {
        format!("step.{kind}.{}", self.id())
    }

    pub fn formula(self) -> Cow<'static, str> {
        match self {
            Step::Tokens => "text → [CLS] t₁ … tₙ [SEP] → ids".into(),
            Step::Embeddings => {
                "X = E[ids] + P,   P[pos, 2i] = sin(pos/10000^(2i/d)),  P[pos, 2i+1] = cos(…)"
                    .into()
            }
            Step::Qkv => "Q = X·W_Q + b_Q,   K = X·W_K + b_K,   V = X·W_V + b_V".into(),
            Step::Scores => t!("step.formula.scores"),
            Step::Scale => "S_h / √dₖ".into(),
            Step::Mask => t!("step.formula.mask"),
            Step::Softmax => t!("step.formula.softmax"),
            Step::Context => "head_h = A_h · V_h".into(),
            Step::Concat => "Concat(head₁, …, head_H)".into(),
            Step::Output => "MultiHead(X) = Concat(head₁, …, head_H) · W_O + b_O".into(),
        }
    }

    pub fn explanation(self) -> Cow<'static, str> {
        t!(self.key("explain"))
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
    fn every_step_has_its_messages() {
        for lang in ["en", "zh-CN"] {
            for s in Step::ALL {
                for kind in ["title", "explain"] {
                    let key = s.key(kind);
                    let text = t!(&key, locale = lang);
                    assert!(!text.is_empty() && text != key, "{lang}: {key} is missing");
                }
            }
        }
    }

    #[test]
    fn ids_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::from_id(s.id()), Some(s));
        }
        assert_eq!(Step::from_id("nonsense"), None);
    }

    #[test]
    fn every_step_has_words_in_both_languages() {
        for s in Step::ALL {
            assert!(s.title().starts_with(&format!("{}.", s.index() + 1)));
            assert!(!s.explanation().is_empty() && !s.short().is_empty());
        }
        let zh = t!("step.title.softmax", locale = "zh-CN");
        assert!(zh.starts_with("7.") && zh.contains("Softmax"), "{zh}");
    }
}
