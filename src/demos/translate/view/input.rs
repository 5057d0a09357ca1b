//! The English sentence: the text box, the Translate button, the example sentences, and the
//! notes about the input (an unusable link, an empty or cut sentence, unknown words, an error).

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Message, Source};
use crate::demos::translate::truncation_note;
use crate::route::link_problem;
use crate::ui::events::input_value;

pub struct SourceInputProps {
    pub text: String,
    /// The model is loaded: translating is possible.
    pub ready: bool,
    /// A worker request is running (Translate waits).
    pub busy: bool,
    /// The manifest's example sentences.
    pub examples: Vec<String>,
    /// Link parameters that could not be used.
    pub link_bad: Vec<&'static str>,
    pub message: Option<Message>,
    /// The sentence being translated, as the tokenizer read it.
    pub source: Option<Rc<Source>>,
    pub error: Option<String>,
    /// The text box was edited.
    pub on_text: Callback<String>,
    /// Translate this sentence.
    pub on_translate: Callback<String>,
    /// The text box: Translate and Enter read the sentence from it, not from the last render
    /// (an input event and a click in one task reach the click before the re-render).
    pub text_ref: NodeRef,
}

/// The sentence in the text box now, or `fallback` before it exists.
fn current_text(text_ref: &NodeRef, fallback: &str) -> String {
    text_ref
        .cast::<web_sys::HtmlTextAreaElement>()
        .map_or_else(|| fallback.to_owned(), |t| t.value())
}

pub fn source_input(props: &SourceInputProps) -> Html {
    let ready = props.ready;
    let oninput = {
        let on_text = props.on_text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = input_value(&e) {
                on_text.emit(text);
            }
        })
    };
    let onkeydown = {
        let (begin, text, node) = (
            props.on_translate.clone(),
            props.text.clone(),
            props.text_ref.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            // Enter translates; Shift+Enter is a new line.
            if e.key() == "Enter" && !e.shift_key() {
                e.prevent_default();
                if ready {
                    begin.emit(current_text(&node, &text));
                }
            }
        })
    };
    let onsubmit = {
        let (begin, text, node) = (
            props.on_translate.clone(),
            props.text.clone(),
            props.text_ref.clone(),
        );
        Callback::from(move |_: MouseEvent| begin.emit(current_text(&node, &text)))
    };
    let message = props.message.map(|m| match m {
        Message::EmptyInput => t!("translate.empty_input"),
    });
    let source = props.source.as_ref();
    let unk_in_source = source.is_some_and(|s| s.encoded.tokens.iter().any(|t| t == "<unk>"));

    html! {
        <section class="input" aria-label={t!("translate.input_label")}>
            <label for="tr-text">{ t!("translate.input_label") }</label>
            <div class="tr-input-row">
                <textarea id="tr-text" data-testid="text-input" rows="2" spellcheck="false" dir="auto" lang="en"
                    ref={props.text_ref.clone()} value={props.text.clone()} oninput={oninput} onkeydown={onkeydown} />
                <button class="tr-go" data-testid="translate-button" disabled={!ready || props.busy} onclick={onsubmit}>{ t!("translate.button") }</button>
            </div>
            if !props.examples.is_empty() {
                <div class="examples" aria-label={t!("translate.examples")}>
                    <span class="muted">{ t!("translate.try") }</span>
                    { for props.examples.iter().map(|ex| {
                        let (begin, text) = (props.on_translate.clone(), ex.clone());
                        html! { <button class="example" data-testid="example" disabled={!ready} lang="en"
                            onclick={Callback::from(move |_| begin.emit(text.clone()))}>{ ex.clone() }</button> }
                    }) }
                </div>
            }
            if let Some(problem) = link_problem(&props.link_bad) {
                <p class="note" data-testid="link-problem" role="status">{ problem }</p>
            }
            if let Some(m) = message {
                <p class="note" data-testid="input-message" role="status">{ m }</p>
            }
            if let Some(note) = source.and_then(|s| truncation_note(&s.encoded)) {
                <p class="note" data-testid="truncation-note" role="status">{ note }</p>
            }
            if unk_in_source {
                <p class="note subtle" data-testid="unknown-note">{ t!("translate.unknown_note") }</p>
            }
            if let Some(e) = &props.error {
                <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
            }
        </section>
    }
}
