//! The row of controls above a view: the layer and head selects (numbered from 1, as shown),
//! the "all heads" and [CLS]/[SEP] checkboxes, each only where the view uses it.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{send, Action, EncoderState};
use crate::ui::events::one_based_select;

pub struct ControlsProps {
    pub n_layers: usize,
    pub n_heads: usize,
    /// Shows the layer select, at this layer.
    pub layer: Option<usize>,
    /// Shows the head select, at this head.
    pub head: Option<usize>,
    /// The head select is there but means nothing (every head is drawn).
    pub head_disabled: bool,
    /// Shows the "all heads" checkbox, in this state.
    pub all_heads: Option<bool>,
    /// Shows the [CLS]/[SEP] checkbox, in this state.
    pub hide_special: Option<bool>,
    /// Whatever the view adds at the end of the row (the step view's agreement badge).
    pub children: Html,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

/// `<option>`s numbered from 1, so value and label agree.
fn options(n: usize, selected: usize) -> Html {
    html! {
        { for (0..n).map(|i| html! { <option value={(i + 1).to_string()} selected={i == selected}>{ i + 1 }</option> }) }
    }
}

pub fn controls(props: &ControlsProps) -> Html {
    let select_changed = |make: fn(usize) -> Action| one_based_select(send(&props.dispatch, make));
    let toggle = |action: fn() -> Action| send(&props.dispatch, move |_: Event| action());
    html! {
        <div class="controls">
            if let Some(layer) = props.layer {
                <label>{ t!("encoder.layer") }{ " " }
                    <select data-testid="layer-select" onchange={select_changed(Action::SetLayer)}>
                        { options(props.n_layers, layer) }
                    </select>
                </label>
            }
            if let Some(head) = props.head {
                <label>{ t!("encoder.head") }{ " " }
                    <select data-testid="head-select" onchange={select_changed(Action::SetHead)} disabled={props.head_disabled}>
                        { options(props.n_heads, head) }
                    </select>
                </label>
            }
            if let Some(all_heads) = props.all_heads {
                <label class="enc-check">
                    <input type="checkbox" data-testid="all-heads-toggle" checked={all_heads}
                        onchange={toggle(|| Action::ToggleAllHeads)} />
                    { " " }{ t!("encoder.all_heads") }
                </label>
            }
            if let Some(hide_special) = props.hide_special {
                <label class="enc-check">
                    <input type="checkbox" data-testid="special-toggle" checked={!hide_special}
                        onchange={toggle(|| Action::ToggleSpecial)} />
                    { " " }{ t!("encoder.show_special") }
                </label>
            }
            { props.children.clone() }
        </div>
    }
}
