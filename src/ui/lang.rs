//! The interface language on the page: chosen once at start-up, switchable from the header,
//! remembered in `localStorage`, and given to every component through a context.

use rust_i18n::t;
use yew::prelude::*;

use crate::i18n::Lang;

/// Where the reader's choice is kept between visits (as JSON, as gloo's `LocalStorage` wrote it).
const STORAGE_KEY: &str = "attention-playground.lang";

/// The page's `localStorage`, when the browser lets it have one: a private window, or a page
/// embedded in another site's (`embed=1` in an `<iframe>`) with third-party storage blocked,
/// refuses it, and gloo's `LocalStorage` would then throw and stop the page.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// The language to start in: the reader's earlier choice, else the first of the browser's
/// languages the interface has, else English.
pub fn initial_lang() -> Lang {
    let stored = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<String>(&json).ok());
    if let Some(lang) = stored.as_deref().and_then(Lang::from_tag) {
        return lang;
    }
    let navigator = gloo::utils::window().navigator();
    let mut tags: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if let Some(tag) = navigator.language() {
        tags.push(tag);
    }
    Lang::pick(tags.iter().map(String::as_str))
}

/// Makes `lang` current: lookups, `<html lang>`, the tab title and the remembered choice.
pub fn apply_lang(lang: Lang, remember: bool) {
    lang.activate();
    let document = gloo::utils::document();
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", lang.code());
    }
    document.set_title(&t!("shell.title"));
    if remember {
        // Without storage the choice lasts for this visit only.
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(lang.code())) {
            let _ = storage.set_item(STORAGE_KEY, &json);
        }
    }
}

/// The current interface language. Calling it subscribes the component to language switches:
/// every component that shows text calls it, even when it then uses plain `t!`.
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>()
        .map(|c| c.lang)
        .unwrap_or_else(Lang::current)
}

/// What the shell provides: the language and how to change it.
#[derive(Clone, PartialEq)]
pub struct LangContext {
    pub lang: Lang,
    pub set: Callback<Lang>,
}

/// The language switcher in the header: one button per language, the current one pressed.
#[component]
pub fn LangSwitch() -> Html {
    let Some(context) = use_context::<LangContext>() else {
        return html! {};
    };
    html! {
        <div class="lang-switch" role="group" aria-label={t!("shell.language")} data-testid="lang-switch">
            { for Lang::ALL.into_iter().map(|lang| {
                let pressed = lang == context.lang;
                let onclick = {
                    let set = context.set.clone();
                    Callback::from(move |_| set.emit(lang))
                };
                html! {
                    <button type="button" lang={lang.code()} data-lang={lang.code()}
                        class={classes!("lang-option", pressed.then_some("current"))}
                        aria-pressed={pressed.to_string()} {onclick}>
                        { lang.native_name() }
                    </button>
                }
            }) }
        </div>
    }
}
