//! The tabs that switch between the model, head and step views.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{send, Action, EncoderState, View};

pub struct ViewTabsProps {
    pub current: View,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

pub fn view_tabs(props: &ViewTabsProps) -> Html {
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
