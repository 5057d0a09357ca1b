//! "Does attention explain this?" for the recommender: the elements are the history items in
//! the model's window up to the inspected one, the prediction is the top recommendation's score
//! (a logit, not a probability) read at the inspected (last) position, and an item is occluded
//! by removing it from the history: the rest slides up and the window is filled again, as when
//! the user deletes it. All variants run as one batch (the graph has a batch axis).

use rust_i18n::t;

use super::{ModelInput, INPUT_ITEMS, INPUT_POSITION, OUTPUT_SCORES};
use crate::demos::walkthrough::batch_input;
use crate::explain::{class_column, output, ExplainError, LayerAttention, Subject, Variants};
use crate::protocol::{ModelError, Tensor};

/// The history up to the inspected item, with the occluded items taken out.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryVariants {
    /// Oldest first, ending with the inspected item
    pub history: Vec<u32>,
    pub window: usize,
    /// The history index (into `history`) of each element
    pub indices: Vec<usize>,
    /// The item whose score is followed
    pub target: u32,
}

impl HistoryVariants {
    /// The subject and its variants. `history` ends with the inspected item; `weights` are the
    /// run's `layer{l}.weights`, `(1, heads, window, window)`; `top` is the top recommendation
    /// and its score; `label` names an item. An empty or one-item history is refused in words.
    pub fn new(
        history: &[u32],
        window: usize,
        weights: &[Tensor],
        top: Option<(u32, f32)>,
        label: impl Fn(u32) -> String,
    ) -> Result<(Subject, Self), ExplainError> {
        if history.is_empty() {
            return Err(ExplainError::Model(
                t!("explain.empty_history").into_owned(),
            ));
        }
        let (target, score) =
            top.ok_or_else(|| ExplainError::Model("no recommendation to explain".into()))?;
        let input = ModelInput::new(history, window);
        let indices: Vec<usize> = (input.dropped..history.len()).collect();
        let positions: Vec<usize> = indices.iter().filter_map(|&i| input.slot_of(i)).collect();
        let layers = weights
            .iter()
            .map(|w| LayerAttention::from_tensor(w, 0))
            .collect::<Result<Vec<_>, _>>()?;
        let subject = Subject {
            labels: indices.iter().map(|&i| label(history[i])).collect(),
            positions,
            reading: window.saturating_sub(1),
            layers,
            base: f64::from(score),
            // Only the window's items reach the model: all of them are tested.
            total: input.kept,
            given: None,
        };
        let variants = Self {
            history: history.to_vec(),
            window,
            indices,
            target,
        };
        Ok((subject, variants))
    }
}

impl Variants for HistoryVariants {
    fn inputs(&self, sets: &[Vec<usize>]) -> Result<Vec<Tensor>, ModelError> {
        let rows: Vec<Vec<i64>> = sets
            .iter()
            .map(|set| {
                let gone: Vec<usize> = set
                    .iter()
                    .filter_map(|&e| self.indices.get(e))
                    .copied()
                    .collect();
                let kept: Vec<u32> = (0..self.history.len())
                    .filter(|i| !gone.contains(i))
                    .map(|i| self.history[i])
                    .collect();
                ModelInput::new(&kept, self.window).item_ids
            })
            .collect();
        // The last slot reads: the newest remaining item (padding when every item is gone).
        let position = vec![self.window as i64 - 1; rows.len()];
        Ok(vec![
            batch_input(INPUT_ITEMS, &rows)?,
            Tensor::i64(INPUT_POSITION, vec![rows.len()], position),
        ])
    }

    fn target(&self) -> usize {
        self.target as usize
    }

    fn outputs(&self) -> Vec<String> {
        vec![OUTPUT_SCORES.into()]
    }

    fn read(&self, outputs: &[Tensor]) -> Result<Vec<f64>, ModelError> {
        class_column(output(outputs, OUTPUT_SCORES)?, self.target())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(window: usize) -> Tensor {
        let w = 1.0 / window as f32;
        Tensor::f32(
            "layer0.weights",
            vec![1, 1, window, window],
            vec![w; window * window],
        )
    }

    #[test]
    fn removing_an_item_slides_the_rest_and_refills_the_window() {
        let (subject, v) =
            HistoryVariants::new(&[7, 8, 9, 10], 3, &[weights(3)], Some((5, 2.5)), |id| {
                id.to_string()
            })
            .expect("subject");
        // Item 7 did not fit the window: the elements are 8, 9, 10 in slots 0, 1, 2.
        assert_eq!(subject.labels, ["8", "9", "10"]);
        assert_eq!(
            (subject.positions.clone(), subject.reading, subject.total),
            (vec![0, 1, 2], 2, 3)
        );
        assert_eq!(subject.base, 2.5);
        let inputs = v.inputs(&[vec![1], vec![0, 1, 2]]).expect("rows");
        // Without 9, item 7 slides back in; without all three, only 7 is left.
        assert_eq!(inputs[0].as_i64().expect("ids"), [7, 8, 10, 0, 0, 7]);
        assert_eq!(inputs[1].as_i64().expect("position"), [2, 2]);
        assert_eq!(v.target(), 5);
        assert!(
            HistoryVariants::new(&[], 3, &[weights(3)], Some((5, 1.0)), |id| id.to_string())
                .is_err()
        );
        let (one, _) =
            HistoryVariants::new(&[4], 3, &[weights(3)], Some((5, 1.0)), |id| id.to_string())
                .expect("made");
        assert_eq!(one.check(), Err(ExplainError::TooFew(1)));
    }
}
