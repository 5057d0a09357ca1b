//! Talking to the model worker from any demo: one request with a time limit, loading a graph
//! with download progress and a size check, tokenizing and running.

use yew_agent::prelude::*;

use super::fetch::{fetch_bytes, fetch_bytes_cached};
use crate::protocol::{
    Encoded, GraphSummary, InputSpec, ModelError, Tensor, WorkerReply, WorkerRequest,
    WorkerResponse,
};
use crate::worker::AttentionWorker;

/// The handle every demo gets from `use_oneshot_runner::<AttentionWorker>()`.
pub type Runner = UseOneshotRunnerHandle<AttentionWorker>;

/// A worker that has not answered by then has died (a trap in wasm kills it silently).
pub const LOAD_TIMEOUT_MS: u32 = 60_000;
pub const RUN_TIMEOUT_MS: u32 = 20_000;

/// Sends `request` to the worker, giving up after `timeout_ms`.
pub async fn ask(runner: &Runner, request: WorkerRequest, timeout_ms: u32) -> WorkerResponse {
    use futures::future::{select, Either};
    let answer = runner.run(request);
    let timeout = gloo::timers::future::TimeoutFuture::new(timeout_ms);
    futures::pin_mut!(answer);
    match select(answer, timeout).await {
        Either::Left((reply, _)) => reply,
        Either::Right(_) => Err(ModelError::WorkerStopped(timeout_ms / 1000)),
    }
}

fn unexpected(reply: &WorkerReply) -> ModelError {
    let what = match reply {
        WorkerReply::GraphLoaded(_) => "GraphLoaded",
        WorkerReply::Encoded(_) => "Encoded",
        WorkerReply::Inferred(_) => "Inferred",
        WorkerReply::InferredIn(..) => "InferredIn",
        WorkerReply::Values(_) => "Values",
        WorkerReply::Measured(_) => "Measured",
    };
    ModelError::Inference(rust_i18n::t!("error.unexpected_answer_kind", kind = what).into_owned())
}

/// One graph to load into the worker: where its files are, how big the manifest says they are,
/// and the types of its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphSource {
    /// The worker keeps the graph under this key.
    pub key: String,
    /// URL relative to the page (add `?v=<hash>` when `cache` is set).
    pub onnx: String,
    /// The size the manifest gives; a download of another size is refused as damaged.
    pub onnx_bytes: Option<u64>,
    pub tokenizer: Option<String>,
    pub tokenizer_bytes: Option<u64>,
    pub inputs: Vec<InputSpec>,
    /// Keep the files in Cache Storage for the next visit (large files with versioned URLs).
    pub cache: bool,
}

impl GraphSource {
    /// A graph without a tokenizer, not cached, whose size is not checked.
    pub fn new(key: &str, onnx: String, inputs: Vec<InputSpec>) -> Self {
        Self {
            key: key.to_owned(),
            onnx,
            onnx_bytes: None,
            tokenizer: None,
            tokenizer_bytes: None,
            inputs,
            cache: false,
        }
    }

    /// Bytes the manifest announces for this graph's files (0 for sizes it does not give).
    pub fn expected_bytes(&self) -> u64 {
        self.onnx_bytes.unwrap_or(0) + self.tokenizer_bytes.unwrap_or(0)
    }
}

async fn download(url: &str, cache: bool, progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    if cache {
        fetch_bytes_cached(url, progress).await
    } else {
        fetch_bytes(url, progress).await
    }
}

fn check_size(url: &str, bytes: &[u8], expected: Option<u64>) -> Result<(), String> {
    match expected {
        Some(n) if bytes.len() as u64 != n => Err(super::model::damaged_file(url, bytes.len(), n)),
        _ => Ok(()),
    }
}

/// Loads `graph` into the worker, unless the worker already has it under its key.
/// `progress(loaded)` follows the downloads (tokenizer first, then the graph). Errors are
/// sentences for the page.
pub async fn load_graph(
    runner: &Runner,
    graph: &GraphSource,
    mut progress: impl FnMut(u64),
) -> Result<GraphSummary, String> {
    let status = WorkerRequest::GraphStatus {
        key: graph.key.clone(),
    };
    if let Ok(WorkerReply::GraphLoaded(summary)) = ask(runner, status, RUN_TIMEOUT_MS).await {
        return Ok(summary);
    }
    let tokenizer = match &graph.tokenizer {
        Some(url) => {
            let bytes = download(url, graph.cache, &mut progress).await?;
            check_size(url, &bytes, graph.tokenizer_bytes)?;
            Some(bytes)
        }
        None => None,
    };
    let before = tokenizer.as_ref().map_or(0, |t| t.len() as u64);
    let onnx = download(&graph.onnx, graph.cache, |n| progress(before + n)).await?;
    check_size(&graph.onnx, &onnx, graph.onnx_bytes)?;
    let inputs = graph.inputs.clone();
    load_bytes(
        runner,
        &graph.key,
        (onnx, tokenizer),
        inputs,
        LOAD_TIMEOUT_MS,
    )
    .await
}

/// Loads a graph the page already holds (read from the user's files, or downloaded) into the
/// worker under `key`, replacing one of that key; the worker is given `timeout_ms` to build its
/// plan (a user's large model takes longer than ours).
pub async fn load_bytes(
    runner: &Runner,
    key: &str,
    (onnx, tokenizer): (Vec<u8>, Option<Vec<u8>>),
    inputs: Vec<InputSpec>,
    timeout_ms: u32,
) -> Result<GraphSummary, String> {
    let request = WorkerRequest::LoadGraph {
        key: key.to_owned(),
        onnx,
        tokenizer,
        inputs,
    };
    match ask(runner, request, timeout_ms).await {
        Ok(WorkerReply::GraphLoaded(summary)) => Ok(summary),
        Ok(other) => Err(unexpected(&other).to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Tokenizes `text` with the tokenizer loaded under `key`.
pub async fn encode(runner: &Runner, key: &str, text: &str) -> Result<Encoded, ModelError> {
    let request = WorkerRequest::Encode {
        key: key.to_owned(),
        text: text.to_owned(),
    };
    match ask(runner, request, RUN_TIMEOUT_MS).await? {
        WorkerReply::Encoded(e) => Ok(e),
        other => Err(unexpected(&other)),
    }
}

/// A cost measurement may take a while (full attention at large n): it has its own limit.
pub const MEASURE_TIMEOUT_MS: u32 = 120_000;

/// One timed measurement of the cost demo (see [`WorkerRequest::Cost`]).
pub async fn measure(
    runner: &Runner,
    method: crate::demos::cost::Method,
    n: usize,
    d_k: usize,
    heads: usize,
    seed: u64,
) -> Result<crate::demos::cost::Measurement, ModelError> {
    let request = WorkerRequest::Cost {
        method,
        n,
        d_k,
        heads,
        seed,
    };
    match ask(runner, request, MEASURE_TIMEOUT_MS).await? {
        WorkerReply::Measured(m) => Ok(m),
        other => Err(unexpected(&other)),
    }
}

/// Runs the graph under `key`; `outputs` picks which outputs come back (all when `None`).
pub async fn infer(
    runner: &Runner,
    key: &str,
    inputs: Vec<Tensor>,
    outputs: Option<Vec<String>>,
) -> Result<Vec<Tensor>, ModelError> {
    let request = WorkerRequest::Infer {
        key: key.to_owned(),
        inputs,
        outputs,
    };
    match ask(runner, request, RUN_TIMEOUT_MS).await? {
        WorkerReply::Inferred(t) => Ok(t),
        other => Err(unexpected(&other)),
    }
}

/// As [`infer`], with the milliseconds the run took in the worker (its own clock).
pub async fn infer_timed(
    runner: &Runner,
    key: &str,
    inputs: Vec<Tensor>,
    outputs: Option<Vec<String>>,
) -> Result<(Vec<Tensor>, f64), ModelError> {
    let request = WorkerRequest::InferTimed {
        key: key.to_owned(),
        inputs,
        outputs,
    };
    match ask(runner, request, RUN_TIMEOUT_MS).await? {
        WorkerReply::InferredIn(t, ms) => Ok((t, ms)),
        other => Err(unexpected(&other)),
    }
}

/// Runs every chain of `each` in one request (graphs without a batch axis): one probability
/// per chain.
pub async fn infer_each(
    runner: &Runner,
    each: crate::explain::each::Each,
) -> Result<Vec<f64>, ModelError> {
    match ask(runner, WorkerRequest::InferEach(each), RUN_TIMEOUT_MS).await? {
        WorkerReply::Values(v) => Ok(v),
        other => Err(unexpected(&other)),
    }
}
