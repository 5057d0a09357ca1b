//! The one request/response pair between the page and the model worker.

use serde::{Deserialize, Serialize};

use crate::maths::ModelRecord;

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

/// Why a model could not be loaded or run, in words a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ModelError {
    #[error("The model file is empty.")]
    EmptyModel,
    #[error("The model file could not be read as an ONNX model (it may be truncated or a different kind of file): {0}")]
    NotOnnx(String),
    #[error("This ONNX file is not a walkthrough model: {0}")]
    Foreign(String),
    #[error("The tokenizer file could not be read: {0}")]
    Tokenizer(String),
    #[error("The model failed while running: {0}")]
    Inference(String),
    #[error("Type some text first.")]
    EmptyInput,
    #[error("The model is not loaded yet.")]
    NotLoaded,
    #[error("The model worker stopped answering (nothing after {0} s). Reload the page to start it again.")]
    WorkerStopped(u32),
}
