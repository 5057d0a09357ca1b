//! Learn: a guided path through attention, lesson by lesson, each with a live piece of an
//! existing view and exercises whose answers come from the model's own numbers.
//!
//! The lessons and their order ([`Lesson`]), the exercises made from the student's sentence
//! ([`exercise`]), reading typed answers ([`answer`]), the link ([`link`]) and the record of
//! solved exercises ([`progress`]) are pure and tested natively; the page is in `view/`.

pub mod answer;
pub mod exercise;
pub mod link;
pub mod progress;

#[cfg(target_arch = "wasm32")]
pub mod view;

use crate::route::Demo;
use crate::steps::Step;

/// The sentence every lesson starts from, and the one offered when the student's text is too
/// short for an exercise.
pub const DEFAULT_TEXT: &str = "The cat sat on the mat because it was tired.";

/// What a lesson shows live, on the student's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embed {
    /// The walkthrough's step view at this step (the student may move between the lesson's steps)
    Steps(&'static [Step]),
    /// The what-if panel with its mask choice (padding, causal)
    Masks,
    /// One of these views, whole, the first shown unless the student picks another
    Views(&'static [Demo]),
    /// "Does attention explain this?" on the student's sentence
    Explain,
}

/// The lessons, in the order a student meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lesson {
    Tokens,
    Positions,
    Dot,
    Scale,
    Softmax,
    Values,
    Heads,
    Masks,
    Cross,
    Beyond,
    Cost,
    Cache,
    Limits,
}

impl Lesson {
    pub const ALL: [Lesson; 13] = [
        Lesson::Tokens,
        Lesson::Positions,
        Lesson::Dot,
        Lesson::Scale,
        Lesson::Softmax,
        Lesson::Values,
        Lesson::Heads,
        Lesson::Masks,
        Lesson::Cross,
        Lesson::Beyond,
        Lesson::Cost,
        Lesson::Cache,
        Lesson::Limits,
    ];

    /// The id in links, the DOM and the messages (`learn.lesson.<id>.*`).
    pub fn id(self) -> &'static str {
        match self {
            Lesson::Tokens => "tokens",
            Lesson::Positions => "positions",
            Lesson::Dot => "dot",
            Lesson::Scale => "scale",
            Lesson::Softmax => "softmax",
            Lesson::Values => "values",
            Lesson::Heads => "heads",
            Lesson::Masks => "masks",
            Lesson::Cross => "cross",
            Lesson::Beyond => "beyond",
            Lesson::Cost => "cost",
            Lesson::Cache => "cache",
            Lesson::Limits => "limits",
        }
    }

    pub fn from_id(id: &str) -> Option<Lesson> {
        Lesson::ALL.into_iter().find(|l| l.id() == id)
    }

    /// 0-based place on the path.
    pub fn index(self) -> usize {
        Lesson::ALL.iter().position(|&l| l == self).unwrap_or(0)
    }

    pub fn next(self) -> Option<Lesson> {
        Lesson::ALL.get(self.index() + 1).copied()
    }

    pub fn prev(self) -> Option<Lesson> {
        self.index()
            .checked_sub(1)
            .and_then(|i| Lesson::ALL.get(i).copied())
    }

    /// What the lesson shows live.
    pub fn embed(self) -> Embed {
        match self {
            Lesson::Tokens => Embed::Steps(&[Step::Tokens, Step::Embeddings]),
            Lesson::Positions => Embed::Steps(&[Step::Embeddings]),
            Lesson::Dot => Embed::Steps(&[Step::Qkv, Step::Scores]),
            Lesson::Scale => Embed::Steps(&[Step::Scores, Step::Scale]),
            Lesson::Softmax => Embed::Steps(&[Step::Scale, Step::Softmax]),
            Lesson::Values => Embed::Steps(&[Step::Softmax, Step::Context]),
            Lesson::Heads => Embed::Steps(&[Step::Softmax, Step::Concat, Step::Output]),
            Lesson::Masks => Embed::Masks,
            Lesson::Cross => Embed::Views(&[Demo::Translate]),
            Lesson::Beyond => Embed::Views(&[Demo::Recommend, Demo::Forecast, Demo::Digits]),
            Lesson::Cost => Embed::Views(&[Demo::Cost]),
            Lesson::Cache => Embed::Views(&[Demo::Generate]),
            Lesson::Limits => Embed::Explain,
        }
    }

    /// The lesson's exercises, in order.
    pub fn exercises(self) -> &'static [exercise::Kind] {
        use exercise::Kind;
        match self {
            Lesson::Tokens => &[Kind::TokenCount],
            Lesson::Positions => &[Kind::Position],
            Lesson::Dot => &[Kind::Dot],
            Lesson::Scale => &[Kind::Scale],
            Lesson::Softmax => &[Kind::Softmax],
            Lesson::Values => &[Kind::Context],
            Lesson::Heads => &[Kind::MostAttended],
            Lesson::Masks => &[Kind::CausalPairs],
            Lesson::Cross => &[Kind::CrossWeights],
            Lesson::Beyond => &[],
            Lesson::Cost => &[Kind::CostYours, Kind::CostFixed],
            Lesson::Cache => &[Kind::CacheWith, Kind::CacheWithout],
            Lesson::Limits => &[Kind::Rollout],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_in_order_and_ids_round_trip() {
        for (i, l) in Lesson::ALL.into_iter().enumerate() {
            assert_eq!(l.index(), i);
            assert_eq!(Lesson::from_id(l.id()), Some(l));
        }
        assert_eq!(Lesson::Tokens.prev(), None);
        assert_eq!(Lesson::Limits.next(), None);
        assert_eq!(Lesson::Dot.next(), Some(Lesson::Scale));
        assert_eq!(Lesson::from_id("nope"), None);
    }

    #[test]
    fn every_lesson_and_exercise_has_its_words_in_both_languages() {
        use rust_i18n::t;
        for lang in ["en", "zh-CN"] {
            let mut keys: Vec<String> = Lesson::ALL
                .iter()
                .flat_map(|l| {
                    ["title", "body"].map(|part| format!("learn.lesson.{}.{part}", l.id()))
                })
                .collect();
            keys.extend(
                exercise::Kind::ALL
                    .iter()
                    .map(|k| format!("learn.q.{}", k.id())),
            );
            for key in keys {
                let text = t!(&key, locale = lang);
                assert!(!text.is_empty() && text != key, "{lang}: {key} is missing");
            }
        }
    }

    #[test]
    fn every_exercise_belongs_to_exactly_one_lesson() {
        let mut seen = Vec::new();
        for l in Lesson::ALL {
            for k in l.exercises() {
                assert_eq!(k.lesson(), l, "{}", k.id());
                assert!(!seen.contains(&k.id()), "{} twice", k.id());
                seen.push(k.id());
            }
        }
        assert_eq!(seen.len(), exercise::Kind::ALL.len());
    }
}
