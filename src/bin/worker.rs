//! The model worker's entry point: registers the agent so the page can reach it.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    attention_playground::worker::register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The worker runs in a browser: see README.md (scripts/serve.sh).");
}
