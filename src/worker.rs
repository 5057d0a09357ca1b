//! The model worker: owns the tract model and answers [`WorkerRequest`]s off the UI thread.

#[cfg(feature = "runtime")]
use std::cell::RefCell;

use yew_agent::prelude::*;

#[cfg(feature = "runtime")]
use crate::model::ModelRunner;
use crate::protocol::{ModelError, WorkerRequest, WorkerResponse};
#[cfg(feature = "runtime")]
use crate::protocol::{ModelSummary, WorkerReply};

#[cfg(feature = "runtime")]
thread_local! {
    // A worker is single-threaded and lives as long as the page: keep the model here.
    static RUNNER: RefCell<Option<ModelRunner>> = const { RefCell::new(None) };
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
        WorkerRequest::Load { onnx, tokenizer } => {
            let runner = ModelRunner::load(&onnx, &tokenizer)?;
            let summary = ModelSummary {
                n_layers: runner.n_layers,
                n_heads: runner.n_heads,
                d_model: runner.d_model,
                max_len: runner.max_len,
            };
            RUNNER.with(|r| *r.borrow_mut() = Some(runner));
            Ok(WorkerReply::Loaded(summary))
        }
        WorkerRequest::Run { text } => RUNNER.with(|r| match r.borrow().as_ref() {
            Some(runner) => runner.run(&text).map(|rec| WorkerReply::Ran(Box::new(rec))),
            None => Err(ModelError::NotLoaded),
        }),
    }
}
