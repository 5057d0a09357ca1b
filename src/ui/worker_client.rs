//! Talking to the model worker from any demo: one request with a time limit, and loading a graph
//! with download progress.

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
        WorkerReply::Loaded(_) => "Loaded",
        WorkerReply::Ran(_) => "Ran",
        WorkerReply::GraphLoaded(_) => "GraphLoaded",
        WorkerReply::Encoded(_) => "Encoded",
        WorkerReply::Inferred(_) => "Inferred",
    };
    ModelError::Inference(rust_i18n::t!("error.unexpected_answer_kind", kind = what).into_owned())
}

/// Loads the graph at `onnx_url` (and its tokenizer) into the worker under `key`, unless the
/// worker already has it. `progress(loaded, total)` follows the downloads; `total` is 0 until
/// the sizes are known. With `cache`, files are kept in Cache Storage for the next visit.
/// Errors are sentences for the page.
pub async fn load_graph(
    runner: &Runner,
    key: &str,
    onnx_url: &str,
    tokenizer_url: Option<&str>,
    inputs: Vec<InputSpec>,
    cache: bool,
    mut progress: impl FnMut(u64, u64),
) -> Result<GraphSummary, String> {
    let status = WorkerRequest::GraphStatus {
        key: key.to_owned(),
    };
    if let Ok(WorkerReply::GraphLoaded(summary)) = ask(runner, status, RUN_TIMEOUT_MS).await {
        return Ok(summary);
    }
    let tokenizer = match tokenizer_url {
        Some(url) => Some(if cache {
            fetch_bytes_cached(url, |_| ()).await?
        } else {
            fetch_bytes(url, |_| ()).await?
        }),
        None => None,
    };
    let onnx = if cache {
        fetch_bytes_cached(onnx_url, |n| progress(n, 0)).await?
    } else {
        fetch_bytes(onnx_url, |n| progress(n, 0)).await?
    };
    let request = WorkerRequest::LoadGraph {
        key: key.to_owned(),
        onnx,
        tokenizer,
        inputs,
    };
    match ask(runner, request, LOAD_TIMEOUT_MS).await {
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
