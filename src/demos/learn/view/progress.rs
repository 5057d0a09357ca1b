//! The student's solved exercises, kept in `localStorage` (see [`Progress`]).

use yew::prelude::*;

use crate::demos::learn::exercise::Kind;
use crate::demos::learn::progress::{Progress, STORAGE_KEY};
use crate::ui::lang::storage;

#[derive(Clone, PartialEq)]
pub struct ProgressHandle {
    progress: UseStateHandle<Progress>,
    /// An exercise was answered right
    pub on_solved: Callback<Kind>,
    pub on_reset: Callback<MouseEvent>,
}

impl ProgressHandle {
    pub fn is_solved(&self, kind: Kind) -> bool {
        self.progress.is_solved(kind)
    }

    pub fn count(&self) -> usize {
        self.progress.count()
    }
}

/// Writes `p`; a browser without storage (a private window, a blocked iframe) keeps it for the
/// visit only.
fn store(p: &Progress) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &p.to_json());
    }
}

#[hook]
pub fn use_progress() -> ProgressHandle {
    let progress = use_state(|| {
        storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .map(|json| Progress::from_json(&json))
            .unwrap_or_default()
    });
    let on_solved = {
        let progress = progress.clone();
        Callback::from(move |kind: Kind| {
            let mut p = (*progress).clone();
            if p.solve(kind) {
                store(&p);
                progress.set(p);
            }
        })
    };
    let on_reset = {
        let progress = progress.clone();
        Callback::from(move |_| {
            let p = Progress::default();
            store(&p);
            progress.set(p);
        })
    };
    ProgressHandle {
        progress,
        on_solved,
        on_reset,
    }
}
