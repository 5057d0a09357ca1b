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
        let current = window.location().hash().unwrap_or_default();
        // An embedded view (`embed=1`, read by the shell) stays embedded: views know nothing of it.
        let hash = crate::share::keep_embed(&current, hash);
        if current == hash || !same_demo(&current, &hash) {
            return;
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
            // `replaceState` fires nothing: tell those who show the address (the Share button).
            if let Ok(event) = web_sys::Event::new(LINK_UPDATED) {
                let _ = window.dispatch_event(&event);
            }
        }
    });
}

/// The window event [`use_permalink`] fires after it rewrote the address.
pub const LINK_UPDATED: &str = "ap-link-updated";

/// The address bar's hash, kept current: after the user changes it (`hashchange`) and after a
/// view rewrites it ([`use_permalink`]).
#[hook]
pub fn use_current_hash() -> String {
    let read = || gloo::utils::window().location().hash().unwrap_or_default();
    let hash = use_state(read);
    {
        let hash = hash.clone();
        use_effect_with((), move |_| {
            let window = gloo::utils::window();
            let listeners = ["hashchange", LINK_UPDATED].map(|name| {
                let hash = hash.clone();
                gloo::events::EventListener::new(&window, name, move |_| hash.set(read()))
            });
            move || drop(listeners)
        });
    }
    (*hash).clone()
}

/// Whether the address still shows the demo whose `hash` this is. After back/forward the
/// address already names another demo while the old view may render once more (a download it
/// was waiting for arrives before the `hashchange` is handled); writing its link then would put
/// it back in the address and the shell would keep showing it.
fn same_demo(current: &str, hash: &str) -> bool {
    Route::parse(current).demo == Route::parse(hash).demo
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
