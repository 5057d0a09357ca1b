//! One folder per demo, found by its name. Each holds the demo's pure logic (no yew, tested
//! natively) in `mod.rs` and its siblings, and the page's view of it in `view/` (browser only).
//! Adding a demo: see ARCHITECTURE.md.

pub mod cost;
pub mod digits;
pub mod encoder;
pub mod forecast;
pub mod generate;
pub mod learn;
pub mod open;
pub mod recommend;
pub mod translate;
pub mod walkthrough;
