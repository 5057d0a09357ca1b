//! The address bar as a permalink: every demo keeps it pointing at exactly the view on screen.

use yew::prelude::*;

/// Keeps the page's hash equal to `hash` (when `Some`: a view passes `None` until its link has been
/// restored, so a half-loaded view never overwrites the link it was opened with).
///
/// `history.replaceState`, not `location.hash = …`: no history entry per keystroke, and no
/// `hashchange`, which would make the shell parse the route and re-render for nothing.
#[hook]
pub fn use_permalink(hash: Option<String>) {
    use_effect_with(hash, |hash| {
        let Some(hash) = hash else { return };
        let window = gloo::utils::window();
        if window.location().hash().ok().as_deref() == Some(hash.as_str()) {
            return;
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
        }
    });
}
