//! The text the encoder reads: a text area, and the manifest's examples as buttons that put
//! their sentence in it.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{send, Action, EncoderState};
use crate::ui::events::input_value;

pub struct TextInputProps {
    pub text: String,
    /// The manifest's example sentences (none until it has arrived).
    pub examples: Rc<Vec<String>>,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

pub fn text_input(props: &TextInputProps) -> Html {
    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = input_value(&e) {
                dispatch.dispatch(Action::SetText(text));
            }
        })
    };
    html! {
        <>
            <label for="enc-text">{ t!("encoder.your_text") }</label>
            <textarea id="enc-text" data-testid="text-input" rows="2" spellcheck="false"
                value={props.text.clone()} oninput={oninput} dir="auto" />
            if !props.examples.is_empty() {
                <div class="examples" aria-label={t!("encoder.examples")}>
                    <span class="muted">{ t!("encoder.try") }{ " " }</span>
                    { for props.examples.iter().map(|ex| {
                        let text = ex.clone();
                        html! { <button class="example" data-testid="example" dir="auto"
                            onclick={send(&props.dispatch, move |_| Action::SetText(text.clone()))}>{ ex.clone() }</button> }
                    }) }
                </div>
            }
        </>
    }
}
