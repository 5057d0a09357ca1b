//! Which exercises the student has solved: kept in the browser's `localStorage` as a JSON list
//! of exercise ids (nothing leaves the browser), read back leniently.

use std::collections::BTreeSet;

use super::exercise::Kind;

/// The `localStorage` key.
pub const STORAGE_KEY: &str = "attention-playground.learn.solved";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    solved: BTreeSet<&'static str>,
}

impl Progress {
    /// From the stored JSON; anything unreadable or unknown is dropped, never an error.
    pub fn from_json(json: &str) -> Self {
        let ids: Vec<String> = serde_json::from_str(json).unwrap_or_default();
        Progress {
            solved: ids
                .iter()
                .filter_map(|id| Kind::from_id(id))
                .map(Kind::id)
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.solved).unwrap_or_else(|_| "[]".into())
    }

    pub fn is_solved(&self, kind: Kind) -> bool {
        self.solved.contains(kind.id())
    }

    /// Marks `kind` solved; `false` when it already was.
    pub fn solve(&mut self, kind: Kind) -> bool {
        self.solved.insert(kind.id())
    }

    pub fn count(&self) -> usize {
        self.solved.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_round_trip_and_bad_storage() {
        let mut p = Progress::default();
        assert!(p.solve(Kind::Dot));
        assert!(!p.solve(Kind::Dot));
        p.solve(Kind::CostFixed);
        let back = Progress::from_json(&p.to_json());
        assert_eq!(back, p);
        assert!(back.is_solved(Kind::Dot) && !back.is_solved(Kind::Softmax));
        assert_eq!(back.count(), 2);
        assert_eq!(Progress::from_json("not json").count(), 0);
        assert_eq!(
            Progress::from_json(r#"["dot.score","gone.away",3]"#).count(),
            0
        );
        assert_eq!(
            Progress::from_json(r#"["dot.score","gone.away"]"#).count(),
            1
        );
    }
}
