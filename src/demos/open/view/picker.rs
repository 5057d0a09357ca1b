//! Where the user gives an export: files, a folder, a zip archive (picked or dropped), or a URL
//! they host. Each path ends in one [`Source`] for [`super::load::open`].

use rust_i18n::t;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::load::Source;
use crate::ui::events::input_value;

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    pub onsource: Callback<Source>,
    /// Reading or loading: the controls wait.
    pub busy: bool,
    /// What the URL field starts with.
    #[prop_or_default]
    pub url: String,
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// The files chosen in an `<input type=file>`, then the input emptied (choosing the same files
/// again must fire again).
fn chosen(e: &Event) -> Vec<web_sys::File> {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = files_of(input.files());
    input.set_value("");
    files
}

#[component]
pub fn Picker(props: &PickerProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let url = use_state(|| props.url.clone());
    let dragging = use_state(|| false);
    let on_files = {
        let onsource = props.onsource.clone();
        Callback::from(move |e: Event| {
            let files = chosen(&e);
            if !files.is_empty() {
                onsource.emit(Source::Files(files));
            }
        })
    };
    let on_drop = {
        let (onsource, dragging) = (props.onsource.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            match super::drop::dropped_folder(&e) {
                // A folder: its files are read from its entries, after the event.
                Some(entries) => {
                    let onsource = onsource.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        onsource.emit(Source::Files(super::drop::files_of(entries).await));
                    });
                }
                None => onsource.emit(Source::Files(files_of(
                    e.data_transfer().and_then(|d| d.files()),
                ))),
            }
        })
    };
    let on_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_url_input = {
        let url = url.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                url.set(v);
            }
        })
    };
    let url_field = use_node_ref();
    let on_url_submit = {
        let (onsource, url, field) = (props.onsource.clone(), url.clone(), url_field.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The field as it is now (autofill or a paste may not have fired an input event).
            let typed = field
                .cast::<HtmlInputElement>()
                .map_or_else(|| (*url).clone(), |f| f.value());
            onsource.emit(Source::Url(typed));
        })
    };
    html! {
        <section class="open-picker" aria-labelledby="open-picker-title" data-testid="open-picker">
            <h2 id="open-picker-title">{ t!("open.pick.title") }</h2>
            <p class="muted">{ t!("open.pick.explain") }</p>
            <div class={classes!("open-drop", dragging.then_some("dragging"))} data-testid="drop-zone"
                ondrop={on_drop} ondragover={on_over} ondragleave={on_leave}>
                <p>{ t!("open.pick.drop") }</p>
                <div class="open-buttons">
                    <label class="button">
                        { t!("open.pick.files") }
                        <input type="file" class="sr-only" multiple=true accept=".json,.onnx,.zip,application/zip"
                            data-testid="file-input" disabled={props.busy} onchange={on_files.clone()} />
                    </label>
                    <label class="button">
                        { t!("open.pick.folder") }
                        <input type="file" class="sr-only" webkitdirectory=true multiple=true
                            data-testid="folder-input" disabled={props.busy} onchange={on_files} />
                    </label>
                </div>
            </div>
            <form class="open-url" onsubmit={on_url_submit} data-testid="url-form" novalidate=true>
                <label for="open-url">{ t!("open.pick.url") }</label>
                <input id="open-url" ref={url_field} type="url" data-testid="url-input" value={(*url).clone()}
                    placeholder="https://example.org/my-export/" oninput={on_url_input} disabled={props.busy} />
                <button type="submit" data-testid="url-open" disabled={props.busy}>{ t!("open.pick.open") }</button>
            </form>
            <p class="muted open-privacy">{ t!("open.pick.privacy") }</p>
        </section>
    }
}
