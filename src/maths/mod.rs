//! The pure core: matrices, attention maths and the record of every step.
//! Nothing here knows about yew, web-sys or the model runtime.

pub mod agreement;
pub mod attention;
pub mod matrix;
pub mod record;
pub mod walkthrough;
pub mod whatif;

pub use agreement::{Agreement, StepCheck, TOLERANCE};
pub use attention::{
    attention_steps, dot_breakdown, sinusoidal_positional_encoding, softmax_rows, AttentionParams,
    AttentionSteps, DotBreakdown, HeadSteps, Mask,
};
pub use matrix::{Matrix, ShapeError};
pub use record::{LayerRecord, ModelRecord};
pub use walkthrough::Walkthrough;
pub use whatif::{
    attention_distance, mean, row_entropy, scores_from_weights, top_k_mass, what_if_weights,
    MaskChoice, Selection, WhatIf,
};
