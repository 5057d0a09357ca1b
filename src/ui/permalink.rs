//! The address bar as a permalink: every demo keeps it pointing at exactly the view on screen.

use yew::prelude::*;

use crate::route::Route;

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

/// What a view's link says, read once when the view mounts: `read` turns the [`Route`] in the
/// context into the view's own link type.
///
/// Once is enough: the shell mounts the view afresh whenever the user changes the address (a
/// `hashchange`: a pasted link, back/forward), so a link opened in a tab that already shows the
/// same demo is read too. The views' own updates use `replaceState` ([`use_permalink`]), which
/// fires no `hashchange`, so typing never remounts a view.
#[hook]
pub fn use_link<T: 'static>(read: impl FnOnce(&Route) -> T) -> std::rc::Rc<T> {
    let route = use_context::<Route>().unwrap_or_default();
    use_memo((), move |_| read(&route))
}
