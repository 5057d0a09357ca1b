//! Renders the attention panel: layer and head pickers over the attention map of the inspected
//! prediction.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::attention_map::{attention_map, AttentionMapProps};
use super::state::{send, Action, RecState};
use crate::demos::recommend::{Catalogue, HeadChoice, RecManifest};
use crate::maths::{Matrix, WhatIf};
use crate::ui::events::one_based_select;

pub struct AttentionPanelProps {
    pub state: UseReducerHandle<RecState>,
    pub manifest: Rc<RecManifest>,
    pub catalogue: Rc<Catalogue>,
    /// The attention matrix of the result on screen (chosen layer and head).
    pub matrix: Option<Rc<Matrix>>,
    pub whatif: WhatIf,
    pub onwhatif: Callback<WhatIf>,
}

/// The head select's change handler: options are numbered from 1, and `avg` (or anything that
/// is not a head number) is the average of the heads.
fn head_select(on_head: Callback<HeadChoice>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            let head = select
                .value()
                .parse::<usize>()
                .ok()
                .and_then(|h| h.checked_sub(1));
            on_head.emit(head.map_or(HeadChoice::Average, HeadChoice::Head));
        }
    })
}

pub fn attention_panel(props: &AttentionPanelProps) -> Html {
    let AttentionPanelProps {
        state,
        manifest,
        catalogue,
        matrix,
        whatif,
        onwhatif,
    } = props;
    let dispatch = state.dispatcher();
    let on_layer = one_based_select(send(&dispatch, Action::SetLayer));
    let on_head = head_select(send(&dispatch, Action::SetHead));
    html! {
        <section class="rec-panel rec-attention" aria-labelledby="rec-attn-title">
            <h2 id="rec-attn-title">{ t!("recommend.attention_title") }</h2>
            <div class="controls">
                <label>{ t!("recommend.layer") }
                    <select data-testid="rec-layer" onchange={on_layer}>
                        { for (0..manifest.n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
                    </select>
                </label>
                <label>{ t!("recommend.head") }
                    <select data-testid="rec-head" onchange={on_head}>
                        <option value="avg" selected={state.head == HeadChoice::Average}>{ t!("recommend.average") }</option>
                        { for (0..manifest.n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={state.head == HeadChoice::Head(h)}>{ h + 1 }</option> }) }
                    </select>
                </label>
            </div>
            <p class="hint">{ t!("recommend.attention_hint") }</p>
            if let (Some(result), Some(matrix)) = (state.shown_result(), matrix) {
                if result.input.kept > 0 {
                    { attention_map(&AttentionMapProps {
                        state: state.clone(),
                        manifest: manifest.clone(),
                        catalogue: catalogue.clone(),
                        result: result.clone(),
                        matrix: matrix.clone(),
                        whatif: whatif.clone(),
                        onwhatif: onwhatif.clone(),
                    }) }
                }
            }
        </section>
    }
}
