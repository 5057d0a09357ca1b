//! The row of steps, with previous/next buttons.

use rust_i18n::t;
use yew::prelude::*;

use crate::steps::Step;

#[derive(Properties, PartialEq)]
pub struct StepNavigatorProps {
    pub current: Step,
    pub onchange: Callback<Step>,
}

#[component]
pub fn StepNavigator(props: &StepNavigatorProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let go = |step: Step| {
        let cb = props.onchange.clone();
        Callback::from(move |_: MouseEvent| cb.emit(step))
    };
    let current = props.current;
    html! {
        <nav class="step-nav" aria-label={t!("nav.steps")}>
            <button class="nav-button" data-testid="prev-step" onclick={go(current.prev())}
                disabled={current.prev() == current} aria-label={t!("nav.prev")}>{ "←" }</button>
            <ol class="step-tabs">
                { for Step::ALL.iter().map(|&s| html! {
                    <li>
                        <button data-testid="step-tab" data-step={s.id()}
                            class={classes!("step-tab", (s == current).then_some("current"))}
                            aria-current={(s == current).then_some("step")}
                            title={s.title()}
                            onclick={go(s)}>
                            <span class="step-number">{ s.index() + 1 }</span>
                            <span class="step-short">{ s.short() }</span>
                        </button>
                    </li>
                }) }
            </ol>
            <button class="nav-button" data-testid="next-step" onclick={go(current.next())}
                disabled={current.next() == current} aria-label={t!("nav.next")}>{ "→" }</button>
        </nav>
    }
}
