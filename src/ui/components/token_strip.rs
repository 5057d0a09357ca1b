//! The tokens of the input as chips, with their ids.

use rust_i18n::t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TokenStripProps {
    pub tokens: Vec<String>,
    pub ids: Vec<u32>,
}

#[component]
pub fn TokenStrip(props: &TokenStripProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    html! {
        <ol class="tokens" aria-label={t!("walk.tokens")}>
            { for props.tokens.iter().zip(&props.ids).enumerate().map(|(i, (t, id))| html! {
                <li class={classes!("token", t.starts_with('[').then_some("special"))} data-testid="token"
                    title={t!("walk.token_title", position = i, id = id)}>
                    <span class="token-text">{ t.clone() }</span>
                    <span class="token-id">{ id }</span>
                </li>
            }) }
        </ol>
    }
}
