//! Attention Playground: see attention work, step by step, on real models in the browser.
//!
//! - [`explain`]: does attention explain the prediction? attention, rollout, occlusion, erasure.
//! - [`maths`]: the pure core (matrices, attention steps, agreement checks).
//! - [`demos`]: one folder per demo: its pure logic, and its view (browser only).
//! - `graph`: any ONNX graph with named tensors in and out, and its tokenizer; native and worker.
//! - [`protocol`]: the page ↔ worker request/response.
//! - `worker` and `ui` exist only in the browser build.

#![forbid(unsafe_code)]

// The interface's sentences in English and Chinese (locales/*.yml); see [`i18n`].
rust_i18n::i18n!("locales", fallback = "en");

pub mod decoding;
pub mod demos;
pub mod explain;
pub mod export;
#[cfg(feature = "runtime")]
pub mod graph;
pub mod i18n;
pub mod maths;
pub mod protocol;
pub mod route;
pub mod share;
pub mod steps;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
