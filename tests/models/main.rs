//! Native tests of every shipped model: tract and our own maths against golden values that
//! PyTorch produced at export, and bad model files and bad input giving readable errors.
//!
//! One test binary for all models (tract is linked once, which keeps CI fast); one module each.

#![cfg(all(not(target_arch = "wasm32"), feature = "runtime"))]

mod cost;
mod digits;
mod encoder;
mod explain;
mod forecast;
mod generate;
mod graph;
mod hf;
mod langid;
mod langid_session;
mod learn;
mod model_errors;
mod recommend;
mod translate;
