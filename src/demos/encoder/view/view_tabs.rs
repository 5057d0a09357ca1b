//! The tabs that switch between the model, head and step views.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{send, Action, EncoderState, View};

#[derive(PartialEq, Properties)]
pub struct ViewTabsProps {
    pub current: View,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

#[component]
pub fn ViewTabs(props: &ViewTabsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    html! {
        <nav class="enc-views" aria-label={t!("encoder.views")}>
            { for View::ALL.into_iter().map(|v| {
                let current = v == props.current;
                html! {
                    <button class={classes!("enc-view-tab", current.then_some("current"))} data-testid="view-tab" data-view={v.id()}
                        aria-pressed={current.to_string()} onclick={send(&props.dispatch, move |_| Action::SetView(v))}>
                        { v.label() }
                    </button>
                }
            }) }
        </nav>
    }
}
