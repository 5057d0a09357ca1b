//! One layer/head's attention of the chosen step, drawn small, to compare heads at a glance.

use std::rc::Rc;

use yew::prelude::*;

pub struct MiniBarsProps {
    pub row: Rc<Vec<f32>>,
    pub label: AttrValue,
    pub selected: bool,
    pub onclick: Callback<MouseEvent>,
}

pub fn mini_bars(props: &MiniBarsProps) -> Html {
    let n = props.row.len().max(1);
    let max = props.row.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let w = 180.0 / n as f32;
    html! {
        <button type="button" class={classes!("fc-mini", props.selected.then_some("current"))} data-testid="mini-bars"
            aria-pressed={props.selected.to_string()} onclick={props.onclick.clone()}>
            <svg viewBox="0 0 180 40" aria-hidden="true">
                { for props.row.iter().enumerate().map(|(i, &v)| {
                    let h = v / max * 38.0;
                    html! { <rect x={(i as f32 * w).to_string()} y={(40.0 - h).to_string()} width={(w * 0.85).to_string()} height={h.to_string()} /> }
                }) }
            </svg>
            <span>{ props.label.clone() }</span>
        </button>
    }
}
