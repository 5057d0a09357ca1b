//! The model worker: owns the tract graphs and answers [`WorkerRequest`]s off the UI thread.

#[cfg(feature = "runtime")]
use std::cell::RefCell;
#[cfg(feature = "runtime")]
use std::collections::HashMap;

use yew_agent::prelude::*;

#[cfg(feature = "runtime")]
use crate::graph::GraphRunner;
#[cfg(feature = "runtime")]
use crate::protocol::{GraphSummary, WorkerReply};
use crate::protocol::{ModelError, WorkerRequest, WorkerResponse};

#[cfg(feature = "runtime")]
thread_local! {
    // A worker is single-threaded and lives as long as the page: every demo's graph stays here,
    // by the key the page chose, while the page lives.
    static GRAPHS: RefCell<HashMap<String, GraphRunner>> = RefCell::new(HashMap::new());
}

/// The page names this type to spawn the worker. The page is built without the `runtime`
/// feature (tract registers its kernels with `inventory`, which would keep all of tract alive in
/// the page's wasm), so there the body is never run and only says the model is elsewhere.
#[oneshot]
pub async fn AttentionWorker(request: WorkerRequest) -> WorkerResponse {
    #[cfg(feature = "runtime")]
    return handle(request);
    #[cfg(not(feature = "runtime"))]
    {
        let _ = request;
        Err(ModelError::NotLoaded)
    }
}

/// Called once by the worker binary: answers the page's requests.
#[cfg(feature = "runtime")]
pub fn register() {
    AttentionWorker::registrar().register();
}

#[cfg(feature = "runtime")]
fn handle(request: WorkerRequest) -> WorkerResponse {
    match request {
        WorkerRequest::LoadGraph {
            key,
            onnx,
            tokenizer,
            inputs,
        } => {
            let runner = GraphRunner::load(&onnx, tokenizer.as_deref(), &inputs)?;
            let summary = graph_summary(&key, &runner);
            GRAPHS.with(|g| g.borrow_mut().insert(key, runner));
            Ok(WorkerReply::GraphLoaded(summary))
        }
        WorkerRequest::GraphStatus { key } => with_graph(&key, |g| {
            Ok(WorkerReply::GraphLoaded(graph_summary(&key, g)))
        }),
        WorkerRequest::Encode { key, text } => {
            with_graph(&key, |g| g.encode(&text).map(WorkerReply::Encoded))
        }
        WorkerRequest::Infer {
            key,
            inputs,
            outputs,
        } => with_graph(&key, |g| {
            g.run(inputs, outputs.as_deref()).map(WorkerReply::Inferred)
        }),
        WorkerRequest::InferTimed {
            key,
            inputs,
            outputs,
        } => with_graph(&key, |g| {
            let clock = worker_clock()?;
            let t0 = clock.now();
            let out = g.run(inputs, outputs.as_deref())?;
            Ok(WorkerReply::InferredIn(out, clock.now() - t0))
        }),
        WorkerRequest::InferEach(each) => {
            crate::explain::each::run_each(each, |key, inputs, outputs| {
                GRAPHS.with(|g| match g.borrow().get(key) {
                    Some(runner) => runner.run(inputs, Some(outputs)),
                    None => Err(ModelError::NotLoaded),
                })
            })
            .map(WorkerReply::Values)
        }
        WorkerRequest::Cost {
            method,
            n,
            d_k,
            heads,
            seed,
        } => measure_cost(method, n, d_k, heads, seed),
    }
}

/// One measurement of the cost demo, timed with the worker's own clock.
#[cfg(feature = "runtime")]
fn measure_cost(
    method: crate::demos::cost::Method,
    n: usize,
    d_k: usize,
    heads: usize,
    seed: u64,
) -> WorkerResponse {
    use crate::demos::cost::{sweep::measure, CostError};
    let performance = worker_clock()?;
    let mut clock = || performance.now();
    match measure(method, n, d_k, heads, seed, &mut clock) {
        Ok(measurement) => Ok(WorkerReply::Measured(measurement)),
        Err(CostError::TooLarge { bytes, limit }) => Err(ModelError::TooLarge { bytes, limit }),
        Err(other) => Err(ModelError::BadInput(other.to_string())),
    }
}

/// The worker's `performance` clock.
#[cfg(feature = "runtime")]
fn worker_clock() -> Result<web_sys::Performance, ModelError> {
    use wasm_bindgen::JsCast;
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|scope| scope.performance())
        .ok_or_else(|| ModelError::BadInput("no performance.now() in the worker".into()))
}

#[cfg(feature = "runtime")]
fn with_graph(key: &str, f: impl FnOnce(&GraphRunner) -> WorkerResponse) -> WorkerResponse {
    GRAPHS.with(|g| match g.borrow().get(key) {
        Some(runner) => f(runner),
        None => Err(ModelError::NotLoaded),
    })
}

#[cfg(feature = "runtime")]
fn graph_summary(key: &str, runner: &GraphRunner) -> GraphSummary {
    GraphSummary {
        key: key.to_owned(),
        inputs: runner.input_names(),
        outputs: runner.output_names().to_vec(),
        max_len: runner.text_encoder().and_then(|e| e.max_len()),
    }
}
