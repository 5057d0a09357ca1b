//! The one request/response pair between the page and the model worker.

use serde::{Deserialize, Serialize};

use crate::maths::ModelRecord;
use crate::model::ModelError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Parse and optimise a model; the page downloads the bytes so it can show progress.
    Load { onnx: Vec<u8>, tokenizer: Vec<u8> },
    /// Tokenize and run one sentence through the loaded model.
    Run { text: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub max_len: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerReply {
    Loaded(ModelSummary),
    Ran(Box<ModelRecord>),
}

/// Errors cross the worker boundary as values, never as panics.
pub type WorkerResponse = Result<WorkerReply, ModelError>;
