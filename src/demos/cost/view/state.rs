//! The sweep's state and the only way it changes: [`Action`]s through a reducer.

use std::rc::Rc;

use yew::Reducible;

use crate::demos::cost::accuracy::AccuracyChoice;
use crate::demos::cost::sweep::{MethodKind, Settings};
use crate::demos::cost::Measurement;

/// One line of the results table, in the order the sweep produced them.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Measured(Measurement),
    /// Refused before it ran; the sentence has the bytes it would need.
    Refused {
        kind: MethodKind,
        n: usize,
        message: String,
    },
    /// Not run: the method took more than [`crate::demos::cost::sweep::SLOW_MS`] at a smaller n.
    Skipped {
        kind: MethodKind,
        n: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub settings: Settings,
    pub accuracy: AccuracyChoice,
    pub rows: Vec<Row>,
    /// The sweep on screen; answers of another are dropped.
    pub generation: u64,
    pub running: bool,
    /// Entries of the current sweep, and how many have come back.
    pub planned: usize,
    pub done: usize,
    pub cancelled: bool,
    pub error: Option<String>,
}

impl State {
    pub fn measurements(&self) -> Vec<Measurement> {
        self.rows
            .iter()
            .filter_map(|r| match r {
                Row::Measured(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }
}

pub enum Action {
    Settings(Settings),
    Accuracy(AccuracyChoice),
    Start { generation: u64, planned: usize },
    Row { generation: u64, row: Row },
    Finished { generation: u64 },
    Failed { generation: u64, message: String },
    Cancel,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let current = |generation: u64| generation == self.generation && self.running;
        match action {
            Action::Settings(settings) => s.settings = settings,
            Action::Accuracy(choice) => s.accuracy = choice,
            Action::Start {
                generation,
                planned,
            } => {
                s.generation = generation;
                s.running = true;
                s.planned = planned;
                s.done = 0;
                s.rows.clear();
                s.cancelled = false;
                s.error = None;
            }
            Action::Row { generation, row } if current(generation) => {
                s.rows.push(row);
                s.done += 1;
            }
            Action::Finished { generation } if current(generation) => s.running = false,
            Action::Failed {
                generation,
                message,
            } if current(generation) => {
                s.running = false;
                s.error = Some(message);
            }
            Action::Cancel if self.running => {
                s.running = false;
                s.cancelled = true;
            }
            _ => return self,
        }
        Rc::new(s)
    }
}
