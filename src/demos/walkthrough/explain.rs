//! "Does attention explain this?" for the language identifier: the elements are the sentence's
//! tokens ([CLS] and [SEP] left out), the prediction is the predicted language's probability
//! read at [CLS], and a token is occluded by replacing it with [UNK].

use super::{batch_input, INPUTS};
use crate::explain::{ExplainError, LayerAttention, Subject, Variants};
use crate::maths::ModelRecord;
use crate::protocol::{ModelError, Tensor};

/// The [UNK] token's id (models/langid/train.py fixes `PAD, UNK, CLS, SEP = 0, 1, 2, 3`;
/// tests/models/explain.rs checks the shipped tokenizer agrees).
pub const UNK_ID: i64 = 1;
/// The most tokens one panel occludes: every token of the model's 64 fits.
pub const BUDGET: usize = 64;

const SPECIAL: [&str; 3] = ["[CLS]", "[SEP]", "[PAD]"];

/// The sentence's tokens with [UNK] put in place of the occluded ones.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenVariants {
    pub ids: Vec<i64>,
    /// The sequence position of each element
    pub positions: Vec<usize>,
    /// The class whose probability is followed
    pub target: usize,
}

impl TokenVariants {
    /// The subject and its variants for one sentence's record: the predicted class is followed.
    pub fn from_record(record: &ModelRecord) -> Result<(Subject, Self), ExplainError> {
        let target = crate::demos::digits::argmax(&record.probs)
            .ok_or_else(|| ExplainError::Model("the model gave no probabilities".into()))?;
        let positions: Vec<usize> = (0..record.tokens.len())
            .filter(|&i| !SPECIAL.contains(&record.tokens[i].as_str()))
            .collect();
        let total = positions.len();
        let positions: Vec<usize> = positions.into_iter().take(BUDGET).collect();
        let layers = record
            .layers
            .iter()
            .map(|l| LayerAttention::from_heads(&l.weights))
            .collect::<Result<Vec<_>, _>>()?;
        let subject = Subject {
            labels: positions
                .iter()
                .map(|&p| record.tokens[p].clone())
                .collect(),
            positions: positions.clone(),
            reading: 0,
            layers,
            base: f64::from(record.probs[target]),
            total,
            given: None,
        };
        let variants = Self {
            ids: record.ids.iter().map(|&i| i64::from(i)).collect(),
            positions,
            target,
        };
        Ok((subject, variants))
    }
}

impl Variants for TokenVariants {
    fn inputs(&self, sets: &[Vec<usize>]) -> Result<Vec<Tensor>, ModelError> {
        let rows: Vec<Vec<i64>> = sets
            .iter()
            .map(|set| {
                let mut row = self.ids.clone();
                for &e in set {
                    if let Some(&p) = self.positions.get(e) {
                        row[p] = UNK_ID;
                    }
                }
                row
            })
            .collect();
        let mask = vec![vec![1; self.ids.len()]; rows.len()];
        Ok(vec![
            batch_input(INPUTS[0], &rows)?,
            batch_input(INPUTS[1], &mask)?,
        ])
    }

    fn target(&self) -> usize {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occluded_rows_put_unk_at_the_elements_positions() {
        let v = TokenVariants {
            ids: vec![2, 40, 41, 42, 3],
            positions: vec![1, 2, 3],
            target: 0,
        };
        let inputs = v.inputs(&[vec![0], vec![1, 2]]).expect("rows");
        assert_eq!(inputs[0].shape, [2, 5]);
        assert_eq!(
            inputs[0].as_i64().expect("i64"),
            [2, 1, 41, 42, 3, 2, 40, 1, 1, 3]
        );
        assert_eq!(inputs[1].as_i64().expect("i64"), [1; 10]);
        assert!(v.inputs(&[]).is_err());
        assert!(v.read(&[]).is_err());
    }
}
