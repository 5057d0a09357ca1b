//! The page: yew components, state and browser glue. Only built for wasm32.

mod app;
pub mod components;
pub mod demos;
pub mod download;
pub mod events;
pub mod fetch;
pub mod lang;
pub mod latest;
pub mod model;
mod panic;
pub mod permalink;
pub mod step_keys;
pub mod stepping;
pub mod worker_client;

pub use app::App;

/// Entry point of the page binary.
pub fn start() {
    panic::install_hook();
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}
