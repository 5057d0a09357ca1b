//! The model worker: owns the tract model and answers [`WorkerRequest`]s off the UI thread.

use std::cell::RefCell;

use yew_agent::prelude::*;

use crate::model::{ModelError, ModelRunner};
use crate::protocol::{ModelSummary, WorkerReply, WorkerRequest, WorkerResponse};

thread_local! {
    // A worker is single-threaded and lives as long as the page: keep the model here.
    static RUNNER: RefCell<Option<ModelRunner>> = const { RefCell::new(None) };
}

#[oneshot]
pub async fn AttentionWorker(request: WorkerRequest) -> WorkerResponse {
    handle(request)
}

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
