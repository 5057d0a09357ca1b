//! Share: copy the link to what is on screen, or the code that embeds it in another page; and,
//! in the embedded layout, the link back to the full view. The shell places both once, so every
//! view has them (see [`crate::share`] for the links themselves).

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::route::Route;
use crate::share::{embed_hash, full_view_hash, iframe_snippet, page_address};
use crate::ui::permalink::use_current_hash;

/// Which text the popover shows.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Link,
    Embed,
}

/// What the popover last said about copying.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Done(Field),
    /// The clipboard refused (no permission, an insecure page): the field is selected instead.
    ByHand(Field),
}

impl Copied {
    fn message(self) -> std::borrow::Cow<'static, str> {
        match self {
            Copied::Done(Field::Link) => t!("share.copied"),
            Copied::Done(Field::Embed) => t!("share.embed_copied"),
            Copied::ByHand(_) => t!("share.copy_by_hand"),
        }
    }
}

/// The address of the page, without its hash.
fn page() -> String {
    let href = gloo::utils::window().location().href().unwrap_or_default();
    page_address(&href).to_owned()
}

/// Copies `text` (what `field` shows) with the asynchronous clipboard; `done` hears how it went.
/// Where there is no clipboard or it refuses, the popover selects the field (see `ShareButton`),
/// so that Ctrl+C (⌘C) copies it.
fn copy(text: String, field: Field, done: UseStateHandle<Option<Copied>>) {
    let navigator = gloo::utils::window().navigator();
    // `navigator.clipboard` is missing on an insecure page: look before calling into it.
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .and_then(|c| c.dyn_into::<web_sys::Clipboard>().ok());
    let Some(clipboard) = clipboard else {
        done.set(Some(Copied::ByHand(field)));
        return;
    };
    let promise = clipboard.write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        done.set(Some(if copied {
            Copied::Done(field)
        } else {
            Copied::ByHand(field)
        }));
    });
}

/// Focuses a read-only field (an input or a textarea) and selects all its text.
fn select_field(el: Option<web_sys::Element>) {
    if let Some(el) = el
        .as_ref()
        .and_then(|e| e.dyn_ref::<web_sys::HtmlInputElement>())
    {
        let _ = el.focus();
        el.select();
    } else if let Some(el) = el
        .as_ref()
        .and_then(|e| e.dyn_ref::<web_sys::HtmlTextAreaElement>())
    {
        let _ = el.focus();
        el.select();
    }
}

/// The Share button in the header and the popover it opens: the link (copied at once) and, on
/// request, the `<iframe>` that embeds this view.
#[component]
pub fn ShareButton() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let hash = use_current_hash();
    let open = use_state(|| false);
    let show_embed = use_state(|| false);
    let copied = use_state(|| None::<Copied>);
    let (button_ref, link_ref, embed_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    // Copying by hand: once the field is on screen, select it for Ctrl+C.
    {
        let (link_ref, embed_ref) = (link_ref.clone(), embed_ref.clone());
        use_effect_with(*copied, move |copied| match copied {
            Some(Copied::ByHand(Field::Link)) => select_field(link_ref.cast()),
            Some(Copied::ByHand(Field::Embed)) => select_field(embed_ref.cast()),
            _ => {}
        });
    }

    let link = format!("{}{}", page(), full_view_hash(&hash));
    let demo = Route::parse(&hash).demo;
    let snippet = iframe_snippet(
        &format!("{}{}", page(), embed_hash(&hash)),
        &t!("share.frame_title", demo = demo.label()),
    );

    let onshare = {
        let (open, copied) = (open.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if *open {
                open.set(false);
                copied.set(None);
                return;
            }
            open.set(true);
            copied.set(None);
            // Read now: the view may have rewritten the address since the last render.
            let hash = gloo::utils::window().location().hash().unwrap_or_default();
            let link = format!("{}{}", page(), full_view_hash(&hash));
            copy(link, Field::Link, copied.clone());
        })
    };
    let close = {
        let (open, copied, button_ref) = (open.clone(), copied.clone(), button_ref.clone());
        Callback::from(move |_| {
            open.set(false);
            copied.set(None);
            if let Some(button) = button_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        })
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close.emit(());
            }
        })
    };
    let copy_link = {
        let (link, copied) = (link.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| copy(link.clone(), Field::Link, copied.clone()))
    };
    let copy_embed = {
        let (snippet, copied) = (snippet.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| copy(snippet.clone(), Field::Embed, copied.clone()))
    };
    let toggle_embed = {
        let show_embed = show_embed.clone();
        Callback::from(move |_: MouseEvent| show_embed.set(!*show_embed))
    };
    let select_all = Callback::from(|e: FocusEvent| select_field(e.target_dyn_into()));

    let message = copied.map(Copied::message).unwrap_or_default();
    let panel = html! {
        <div class="share-panel" id="share-panel" data-testid="share-panel" role="group"
            aria-label={t!("share.panel")} onkeydown={onkeydown}>
            <label class="share-field">
                <span>{ t!("share.link_label") }</span>
                <input type="text" readonly=true ref={link_ref} value={link} data-testid="share-link"
                    onfocus={select_all.clone()} />
            </label>
            <div class="share-actions">
                <button type="button" data-testid="share-copy" onclick={copy_link}>{ t!("share.copy_link") }</button>
                <button type="button" data-testid="share-embed-toggle" aria-expanded={show_embed.to_string()}
                    aria-controls="share-embed" onclick={toggle_embed}>{ t!("share.embed") }</button>
                <button type="button" data-testid="share-close" onclick={close.reform(|_: MouseEvent| ())}>{ t!("share.close") }</button>
            </div>
            if *show_embed {
                <div id="share-embed" class="share-embed">
                    <label class="share-field">
                        <span>{ t!("share.embed_label") }</span>
                        <textarea readonly=true rows="3" ref={embed_ref} value={snippet} data-testid="share-snippet"
                            onfocus={select_all} />
                    </label>
                    <button type="button" data-testid="share-copy-embed" onclick={copy_embed}>{ t!("share.copy_embed") }</button>
                </div>
            }
            // What the live region below announced, for the eye.
            <p class="share-status" aria-hidden="true">{ message.clone() }</p>
        </div>
    };
    html! {
        <div class="share">
            <button type="button" class="share-button" data-testid="share" ref={button_ref}
                aria-expanded={open.to_string()} aria-controls="share-panel" onclick={onshare}>{ t!("share.button") }</button>
            if *open { { panel } }
            // Always in the page, so that what it says is announced even when the panel opens
            // with it.
            <p class="sr-only" role="status" data-testid="share-status">{ message }</p>
        </div>
    }
}

/// The embedded layout's one piece of chrome: a link to the same view in the full site, in a new
/// tab (the embedding page stays where it is).
#[component]
pub fn EmbedLink() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let hash = use_current_hash();
    let href = format!("{}{}", page(), full_view_hash(&hash));
    html! {
        <p class="embed-bar">
            <a href={href} target="_blank" rel="noopener" data-testid="embed-full-link">
                { t!("share.open_full") }<span aria-hidden="true">{ " ↗" }</span>
                <span class="sr-only">{ t!("share.new_tab") }</span>
            </a>
        </p>
    }
}
