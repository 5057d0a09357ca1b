//! Attention Playground: see attention work, step by step, on real models in the browser.
//!
//! - [`maths`]: the pure core (matrices, attention steps, agreement checks).
//! - [`model`]: tokenizer + tract model → [`maths::ModelRecord`]; native and worker.
//! - `graph`: any ONNX graph with named tensors in and out (the other demos); native and worker.
//! - [`protocol`]: the page ↔ worker request/response.
//! - `worker` and `ui` exist only in the browser build.

#![forbid(unsafe_code)]

// The interface's sentences in English and Chinese (locales/*.yml); see [`i18n`].
rust_i18n::i18n!("locales", fallback = "en");

pub mod digits;
pub mod encoder;
pub mod export;
pub mod forecast;
#[cfg(feature = "runtime")]
pub mod graph;
pub mod i18n;
pub mod manifest;
pub mod maths;
#[cfg(feature = "runtime")]
pub mod model;
pub mod protocol;
pub mod recommend;
pub mod route;
pub mod steps;
pub mod translate;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
