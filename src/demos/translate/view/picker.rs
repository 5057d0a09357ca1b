//! Which attention map the page draws: a button per decoder layer, then "average" and a button
//! per head. `data-layer` is 1-based and `data-head` 0-based or `avg`, as the tests read them.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, TrState};
use crate::demos::translate::View;

pub struct ViewPickerProps {
    pub n_layers: usize,
    pub n_heads: usize,
    pub view: View,
    pub dispatch: UseReducerDispatcher<TrState>,
}

pub fn view_picker(props: &ViewPickerProps) -> Html {
    let view = props.view;
    let pick = |action: Action| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(action.clone()))
    };
    html! {
        <div class="tr-view" role="group" aria-label={t!("translate.which")}>
            <span>{ t!("translate.layer") }</span>
            { for (0..props.n_layers).map(|l| html! {
                <button data-testid="layer-button" data-layer={(l + 1).to_string()} class={classes!("tr-pick", (l == view.layer).then_some("on"))} aria-pressed={(l == view.layer).to_string()}
                    onclick={pick(Action::SetLayer(l))}>{ l + 1 }</button>
            }) }
            <span class="tr-sep">{ t!("translate.head") }</span>
            <button data-testid="head-button" data-head="avg" class={classes!("tr-pick", view.head.is_none().then_some("on"))} aria-pressed={view.head.is_none().to_string()}
                onclick={pick(Action::SetHead(None))}>{ t!("translate.average") }</button>
            { for (0..props.n_heads).map(|h| html! {
                <button data-testid="head-button" data-head={h.to_string()} class={classes!("tr-pick", (view.head == Some(h)).then_some("on"))} aria-pressed={(view.head == Some(h)).to_string()}
                    onclick={pick(Action::SetHead(Some(h)))}>{ h + 1 }</button>
            }) }
        </div>
    }
}
