//! The drawing panel: the canvas (with a linked drawing faintly behind it), the Clear button and
//! a hint.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::digit_canvas::{DigitCanvas, Stroke};
use super::state::{Action, State};

#[derive(PartialEq, Properties)]
pub struct DrawPanelProps {
    pub strokes: Rc<Vec<Stroke>>,
    /// A drawing from a link (64 levels 0–16), shown behind the strokes.
    pub backdrop: Option<Rc<Vec<f32>>>,
    pub dispatch: UseReducerDispatcher<State>,
}

#[component]
pub fn DrawPanel(props: &DrawPanelProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let on_stroke = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |s: Stroke| dispatch.dispatch(Action::Stroke(s)))
    };
    let on_clear = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::Clear))
    };
    html! {
        <section class="dg-draw" aria-label={t!("digits.draw.label")}>
            <h3>{ t!("digits.draw.heading") }</h3>
            <DigitCanvas strokes={props.strokes.clone()} onstroke={on_stroke} backdrop={props.backdrop.clone()} />
            <div class="dg-buttons">
                <button type="button" data-testid="clear" onclick={on_clear}>{ t!("digits.draw.clear") }</button>
                <span class="muted">{ if props.backdrop.is_some() { t!("digits.draw.shared_hint") } else { t!("digits.draw.hint") } }</span>
            </div>
        </section>
    }
}
