//! ← and → move between steps, in every view that has steps.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// Which way a step key points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKey {
    Prev,
    Next,
}

/// Keys meant for a text field, a select, or a control that handled them itself (a focused
/// score map's arrows) do not move between steps.
fn is_typing_target(event: &KeyboardEvent) -> bool {
    event.default_prevented()
        || event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"))
}

/// Calls `on_key` for ←/→ pressed anywhere on the page (no modifier, not while typing), for as
/// long as the calling view is mounted.
#[hook]
pub fn use_step_keys(on_key: Callback<StepKey>) {
    use_effect_with((), move |_| {
        let listener = EventListener::new(&gloo::utils::document(), "keydown", move |e| {
            let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if is_typing_target(e) || e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            match e.key().as_str() {
                "ArrowRight" => on_key.emit(StepKey::Next),
                "ArrowLeft" => on_key.emit(StepKey::Prev),
                _ => {}
            }
        });
        move || drop(listener)
    });
}
