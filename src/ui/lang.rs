//! The interface language on the page: chosen once at start-up, switchable from the header,
//! remembered in `localStorage`, and given to every component through a context.

use gloo::storage::{LocalStorage, Storage};
use rust_i18n::t;
use yew::prelude::*;

use crate::i18n::Lang;

/// Where the reader's choice is kept between visits.
const STORAGE_KEY: &str = "attention-playground.lang";

/// The language to start in: the reader's earlier choice, else the first of the browser's
/// languages the interface has, else English.
pub fn initial_lang() -> Lang {
    if let Ok(code) = LocalStorage::get::<String>(STORAGE_KEY) {
        if let Some(lang) = Lang::from_tag(&code) {
            return lang;
        }
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
        // Private windows may refuse storage; the choice then lasts for this visit only.
        let _ = LocalStorage::set(STORAGE_KEY, lang.code());
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
