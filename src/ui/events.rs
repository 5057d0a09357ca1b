//! Reading form controls from their events, the same way in every view.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The text of the `<textarea>` or `<input>` an input event came from.
pub fn input_value(e: &InputEvent) -> Option<String> {
    let target = e.target()?;
    if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return Some(area.value());
    }
    target
        .dyn_ref::<web_sys::HtmlInputElement>()
        .map(|input| input.value())
}

/// A `<select>`'s change handler for options numbered from 1, as the page shows layers and heads:
/// `on_index` gets the 0-based index (values that are not such a number are ignored).
pub fn one_based_select(on_index: Callback<usize>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let index = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .and_then(|sel| sel.value().parse::<usize>().ok())
            .and_then(|v| v.checked_sub(1));
        if let Some(index) = index {
            on_index.emit(index);
        }
    })
}
