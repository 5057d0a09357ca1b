//! A model record beside our own step-by-step recomputation of it, and how far the two agree.
//! (Kept apart from [`super::record`] so that record → agreement → walkthrough is one direction.)

use super::agreement::Agreement;
use super::attention::{attention_steps, sinusoidal_positional_encoding, AttentionSteps};
use super::matrix::{Matrix, ShapeError};
use super::record::ModelRecord;

/// A model record together with our independent, step-by-step recomputation of every
/// attention layer and how far the two are apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Walkthrough {
    pub record: ModelRecord,
    /// Our `P`, computed from the formula, not read from the model
    pub positional_encoding: Matrix,
    /// Our recomputation per layer, starting from the model's layer input `X`
    pub layers: Vec<AttentionSteps>,
    pub agreement: Agreement,
}

impl Walkthrough {
    pub fn new(record: ModelRecord) -> Result<Self, ShapeError> {
        let (seq_len, d_model) = record.token_embeddings.shape();
        let positional_encoding = sinusoidal_positional_encoding(seq_len, d_model);
        let mask = record.mask();
        let layers = record
            .layers
            .iter()
            .map(|layer| attention_steps(&layer.x, &layer.params, &mask))
            .collect::<Result<Vec<_>, _>>()?;
        let agreement = Agreement::compare(&record, &positional_encoding, &layers);
        Ok(Self {
            record,
            positional_encoding,
            layers,
            agreement,
        })
    }
}
