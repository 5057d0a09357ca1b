//! The pickers of the attention drawn under the plot (forecast step, layer, head) and the
//! sentence saying where that step looks most.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::controls::select_value;
use super::state::{Action, State};

pub struct AttentionControlsProps {
    /// Date labels of the past and forecast positions, oldest first.
    pub labels: Rc<Vec<String>>,
    pub window: usize,
    pub horizon: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub step: usize,
    pub layer: usize,
    pub head: Option<usize>,
    /// Where the chosen step looks most, in words (see `attention_summary`).
    pub summary: Option<String>,
    pub dispatch: UseReducerDispatcher<State>,
}

/// The options' values are 0-based (links and tests use them so); only their labels count from
/// 1, so these selects are not `events::one_based_select`.
pub fn attention_controls(props: &AttentionControlsProps) -> Html {
    let select = |make: fn(usize) -> Action| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e).and_then(|v| v.parse::<usize>().ok()) {
                dispatch.dispatch(make(v));
            }
        })
    };
    let on_head = {
        let dispatch = props.dispatch.clone();
        // "avg" (not a number): the average of the heads
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                dispatch.dispatch(Action::SetHead(v.parse::<usize>().ok()));
            }
        })
    };
    let (step, layer, head) = (props.step, props.layer, props.head);
    let date = |h: usize| {
        props
            .labels
            .get(props.window + h)
            .cloned()
            .unwrap_or_default()
    };
    html! {
        <>
            <div class="fc-attention-controls controls">
                <label>{ t!("forecast.controls.step") }{ " " }
                    <select data-testid="step-select" onchange={select(Action::SetStep)}>
                        { for (0..props.horizon).map(|h| html! { <option value={h.to_string()} selected={h == step}>
                            { format!("+{} ({})", h + 1, date(h)) }</option> }) }
                    </select>
                </label>
                <label>{ t!("forecast.controls.layer") }{ " " }
                    <select data-testid="layer-select" onchange={select(Action::SetLayer)}>
                        { for (0..props.n_layers).map(|l| html! { <option value={l.to_string()} selected={l == layer}>{ l + 1 }</option> }) }
                    </select>
                </label>
                <label>{ t!("forecast.controls.head") }{ " " }
                    <select data-testid="head-select" onchange={on_head}>
                        <option value="avg" selected={head.is_none()}>{ t!("forecast.controls.average") }</option>
                        { for (0..props.n_heads).map(|h| html! { <option value={h.to_string()} selected={head == Some(h)}>{ h + 1 }</option> }) }
                    </select>
                </label>
            </div>
            if let Some(s) = &props.summary {
                <p class="fc-summary" data-testid="attention-summary">{ s.clone() }</p>
            }
        </>
    }
}
