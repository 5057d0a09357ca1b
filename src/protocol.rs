//! The one request/response pair between the page and the model worker. Every model takes the
//! same path: load a graph under a key (the page downloads the bytes so it can show progress),
//! tokenize with it, run it with named tensors in and out.

use rust_i18n::t;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Load any ONNX graph (and optionally its tokenizer) under `key`, replacing one of that key.
    /// `inputs` fixes each input's type and shape; named dims become symbols.
    LoadGraph {
        key: String,
        onnx: Vec<u8>,
        tokenizer: Option<Vec<u8>>,
        inputs: Vec<InputSpec>,
    },
    /// Whether `key` is loaded: [`WorkerReply::GraphLoaded`] or [`ModelError::NotLoaded`].
    GraphStatus { key: String },
    /// Tokenize `text` with the tokenizer loaded under `key`.
    Encode { key: String, text: String },
    /// Run the graph under `key`; only the outputs named in `outputs` come back when given.
    Infer {
        key: String,
        inputs: Vec<Tensor>,
        outputs: Option<Vec<String>>,
    },
    /// As `Infer`, and say how long the run took by the worker's own clock
    /// ([`WorkerReply::InferredIn`]): the graph run and the copy of its outputs, without the trip
    /// to and from the page (which waits while the page renders).
    InferTimed {
        key: String,
        inputs: Vec<Tensor>,
        outputs: Option<Vec<String>>,
    },
    /// Run every chain of [`crate::explain::each::Each`] on its own (graphs without a batch
    /// axis) and answer one probability per chain: [`WorkerReply::Values`].
    InferEach(crate::explain::each::Each),
    /// Time `heads` heads of one attention `method` over (n, d_k) random inputs drawn from
    /// `seed` (the cost demo; no model): [`WorkerReply::Measured`], or
    /// [`ModelError::TooLarge`] before anything is allocated.
    Cost {
        method: crate::demos::cost::Method,
        n: usize,
        d_k: usize,
        heads: usize,
        seed: u64,
    },
}

/// Element type of a graph input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DType {
    F32,
    I64,
}

/// One dimension of a graph input: a fixed size, or a named symbol that may vary per call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dim {
    Fixed(usize),
    Symbol(String),
}

/// The declared type and shape of one graph input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSpec {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<Dim>,
}

impl InputSpec {
    /// An `i64` input whose dims are all symbols, e.g. `InputSpec::i64("input_ids", &["batch", "seq"])`.
    pub fn i64(name: &str, dims: &[&str]) -> Self {
        Self::new(name, DType::I64, dims)
    }

    /// An `f32` input; dims that parse as numbers are fixed, others are symbols.
    pub fn f32(name: &str, dims: &[&str]) -> Self {
        Self::new(name, DType::F32, dims)
    }

    fn new(name: &str, dtype: DType, dims: &[&str]) -> Self {
        let shape = dims
            .iter()
            .map(|d| match d.parse() {
                Ok(n) => Dim::Fixed(n),
                Err(_) => Dim::Symbol((*d).to_owned()),
            })
            .collect();
        Self {
            name: name.to_owned(),
            dtype,
            shape,
        }
    }
}

/// Row-major tensor data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TensorData {
    F32(Vec<f32>),
    I64(Vec<i64>),
}

/// A named tensor crossing the worker boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: TensorData,
}

impl Tensor {
    pub fn f32(name: impl Into<String>, shape: Vec<usize>, data: Vec<f32>) -> Self {
        Self {
            name: name.into(),
            shape,
            data: TensorData::F32(data),
        }
    }

    pub fn i64(name: impl Into<String>, shape: Vec<usize>, data: Vec<i64>) -> Self {
        Self {
            name: name.into(),
            shape,
            data: TensorData::I64(data),
        }
    }

    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            TensorData::I64(_) => None,
        }
    }

    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            TensorData::I64(v) => Some(v),
            TensorData::F32(_) => None,
        }
    }

    /// Number of elements the shape implies.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Finds the tensor called `name` in a list of outputs.
    pub fn find<'a>(tensors: &'a [Tensor], name: &str) -> Option<&'a Tensor> {
        tensors.iter().find(|t| t.name == name)
    }
}

/// One tokenized input, already cut to the tokenizer's maximum length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
    /// Byte offsets of each token in the text (`(0, 0)` for special tokens)
    pub offsets: Vec<(usize, usize)>,
    /// Token count before truncation (special tokens included)
    pub untruncated_len: usize,
    /// The tokenizer's truncation length, if it has one
    pub max_len: Option<usize>,
}

impl Encoded {
    pub fn truncated(&self) -> bool {
        self.untruncated_len > self.ids.len()
    }
}

/// What a loaded graph takes and gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphSummary {
    pub key: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// The truncation length of the tokenizer loaded with it, if it has one
    pub max_len: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerReply {
    GraphLoaded(GraphSummary),
    Encoded(Encoded),
    Inferred(Vec<Tensor>),
    /// The outputs and the milliseconds the worker took to compute them
    InferredIn(Vec<Tensor>, f64),
    Values(Vec<f64>),
    Measured(crate::demos::cost::Measurement),
}

/// Errors cross the worker boundary as values, never as panics.
pub type WorkerResponse = Result<WorkerReply, ModelError>;

/// Why a model could not be loaded or run, in words a user can act on. The sentence is made
/// where it is shown (the page), in the reader's language; the detail (from tract or the
/// tokenizer) stays as the library wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelError {
    EmptyModel,
    NotOnnx(String),
    Foreign(String),
    Tokenizer(String),
    Inference(String),
    EmptyInput,
    NotLoaded,
    BadInput(String),
    /// Seconds waited.
    WorkerStopped(u32),
    /// A computation would need `bytes` of memory, more than `limit`.
    TooLarge {
        bytes: u64,
        limit: u64,
    },
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ModelError::EmptyModel => t!("error.empty_model"),
            ModelError::NotOnnx(detail) => t!("error.not_onnx", detail = detail),
            ModelError::Foreign(detail) => t!("error.foreign", detail = detail),
            ModelError::Tokenizer(detail) => t!("error.tokenizer", detail = detail),
            ModelError::Inference(detail) => t!("error.inference", detail = detail),
            ModelError::EmptyInput => t!("error.empty_input"),
            ModelError::NotLoaded => t!("error.not_loaded"),
            ModelError::BadInput(detail) => t!("error.bad_input", detail = detail),
            ModelError::WorkerStopped(seconds) => t!("error.worker_stopped", seconds = seconds),
            ModelError::TooLarge { bytes, limit } => t!(
                "cost.error.too_large",
                bytes = bytes,
                words = crate::demos::cost::sweep::format_bytes(*bytes),
                limit = limit,
                limit_words = crate::demos::cost::sweep::format_bytes(*limit)
            ),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for ModelError {}
