//! The page's entry point.

#[cfg(target_arch = "wasm32")]
fn main() {
    attention_playground::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The app runs in a browser: see README.md (scripts/serve.sh).");
}
