//! The page: yew components, state and browser glue. Only built for wasm32.

mod app;
pub mod components;
mod fetch;
mod panic;
mod state;

pub use app::App;

/// Entry point of the page binary.
pub fn start() {
    panic::install_hook();
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}
