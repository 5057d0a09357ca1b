//! The live piece of a lesson: part of an existing view, on the student's sentence (the
//! walkthrough's steps, its what-if mask, its attribution panel), or another view whole.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::learn::exercise::{axis_sums, variance_by_width};
use crate::demos::learn::{Embed, Lesson};
use crate::demos::walkthrough::explain::TokenVariants;
use crate::demos::walkthrough::link::WalkthroughLink;
use crate::demos::walkthrough::view::state::{Action, State};
use crate::demos::walkthrough::view::step_controls;
use crate::demos::walkthrough::GRAPH_KEY;
use crate::maths::{MaskChoice, Walkthrough, WhatIf};
use crate::route::{Demo, Route};
use crate::steps::Step;
use crate::ui::components::{
    ExplainPanel, Explainable, StepView, TokenStrip, WhatIfPanel, WhatIfSource,
};
use crate::ui::demos::DemoView;

#[derive(Properties, PartialEq)]
pub struct LessonEmbedProps {
    pub lesson: Lesson,
    pub state: UseReducerHandle<State>,
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

/// Why ÷√d_k: the spread of this head's partial dot products as the width grows.
fn variance_table(w: &Walkthrough, layer: usize, head: usize) -> Html {
    let Some(steps) = w.layers.get(layer).and_then(|l| l.heads.get(head)) else {
        return html! {};
    };
    let rows = variance_by_width(&steps.query, &steps.key);
    html! {
        <table class="data-table" data-testid="variance-table">
            <caption>{ t!("learn.variance.caption", layer = layer + 1, head = head + 1) }</caption>
            <thead><tr>
                <th scope="col">{ t!("learn.variance.width") }</th>
                <th scope="col">{ t!("learn.variance.raw") }</th>
                <th scope="col">{ t!("learn.variance.scaled") }</th>
            </tr></thead>
            <tbody>
                { for rows.iter().map(|(m, raw, scaled)| html! {
                    <tr><th scope="row">{ m }</th><td>{ f3(*raw) }</td><td>{ f3(*scaled) }</td></tr>
                }) }
            </tbody>
        </table>
    }
}

/// The common mistake: softmax over queries instead of keys.
fn axis_table(w: &Walkthrough, layer: usize, head: usize) -> Html {
    let Some(steps) = w.layers.get(layer).and_then(|l| l.heads.get(head)) else {
        return html! {};
    };
    let sums = axis_sums(&steps.scaled);
    html! {
        <table class="data-table" data-testid="axis-table">
            <caption>{ t!("learn.axis.caption", layer = layer + 1, head = head + 1) }</caption>
            <thead><tr>
                <th scope="col">{ t!("learn.axis.query") }</th>
                <th scope="col">{ t!("learn.axis.rows") }</th>
                <th scope="col">{ t!("learn.axis.columns") }</th>
            </tr></thead>
            <tbody>
                { for sums.iter().enumerate().map(|(i, (by_row, by_col))| html! {
                    <tr>
                        <th scope="row">{ t!("learn.position_token", pos = i, token = w.record.tokens.get(i).cloned().unwrap_or_default()) }</th>
                        <td>{ f3(*by_row) }</td><td>{ f3(*by_col) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The walkthrough's step view limited to `steps`, with its layer and head choices.
fn steps_embed(
    lesson: Lesson,
    steps: &'static [Step],
    state: &UseReducerHandle<State>,
    w: &Rc<Walkthrough>,
) -> Html {
    let dispatch = state.dispatcher();
    let step = if steps.contains(&state.step) {
        state.step
    } else {
        steps[0]
    };
    let full = WalkthroughLink {
        text: Some(state.text.clone()),
        step,
        layer: state.layer,
        head: state.head,
        explain: false,
        bad: Vec::new(),
    }
    .write()
    .to_string();
    html! {
        <>
            <TokenStrip tokens={w.record.tokens.clone()} ids={w.record.ids.clone()} />
            if steps.len() > 1 {
                <div class="learn-step-tabs" role="group" aria-label={t!("nav.steps")}>
                    { for steps.iter().map(|&s| {
                        let dispatch = dispatch.clone();
                        html! {
                            <button type="button" aria-pressed={(s == step).to_string()} data-testid="embed-step" data-step={s.id()}
                                onclick={Callback::from(move |_| dispatch.dispatch(Action::GoTo(s)))}>{ s.short() }</button>
                        }
                    }) }
                </div>
            }
            { step_controls(state, step, w) }
            <StepView walkthrough={w.clone()} {step} layer={state.layer} head={state.head} selected={state.selected}
                onselect={{ let d = dispatch.clone(); Callback::from(move |c| d.dispatch(Action::Select(c))) }}
                onhead={{ let d = dispatch.clone(); Callback::from(move |h| d.dispatch(Action::SetHead(h))) }} />
            if lesson == Lesson::Scale { { variance_table(w, state.layer, state.head) } }
            if lesson == Lesson::Softmax { { axis_table(w, state.layer, state.head) } }
            <p class="no-print"><a href={full} data-testid="open-view">{ t!("learn.open_view") }</a></p>
        </>
    }
}

#[component]
pub fn LessonEmbed(props: &LessonEmbedProps) -> Html {
    let state = &props.state;
    // The what-if recipe of the masks lesson starts with the causal mask drawn
    let whatif = use_state(|| WhatIf {
        mask: MaskChoice::Causal,
        ..WhatIf::default()
    });
    let picked = use_state(|| 0usize);
    // The embedded view's own link: empty, but for the views that take a text (translation,
    // generation), which start from the student's sentence as it was when the view opened (it
    // reads its link once; remounting it on every keystroke would reload it each time).
    let view_route = use_memo((props.lesson, *picked), {
        let text = state.text.clone();
        move |(lesson, picked)| match lesson.embed() {
            Embed::Views(demos) => {
                let mut route = Route::of(demos.get(*picked).copied().unwrap_or(demos[0]));
                if matches!(route.demo, Demo::Translate | Demo::Generate) && !text.trim().is_empty()
                {
                    route.set("text", Some(text));
                }
                Some(route)
            }
            _ => None,
        }
    });
    let explainable = use_memo(state.run_id, {
        let walkthrough = state.walkthrough.clone();
        move |_| match &walkthrough {
            Some(w) => Explainable::new(TokenVariants::from_record(&w.record), GRAPH_KEY),
            None => Err(t!("walk.empty_input").into_owned()),
        }
    });
    let embed = props.lesson.embed();
    let inner = match (embed, &state.walkthrough, view_route.as_ref()) {
        (Embed::Views(demos), _, Some(route)) => {
            let demo = route.demo;
            html! {
                <>
                    if demos.len() > 1 {
                        <div class="learn-step-tabs" role="group" aria-label={t!("learn.pick_view")}>
                            { for demos.iter().enumerate().map(|(i, d)| {
                                let picked = picked.clone();
                                html! {
                                    <button type="button" aria-pressed={(*d == demo).to_string()} data-testid="embed-view" data-demo={d.slug()}
                                        onclick={Callback::from(move |_| picked.set(i))}>{ d.label() }</button>
                                }
                            }) }
                        </div>
                    }
                    <p class="muted">{ t!("learn.live_view", view = demo.label()) }{ " " }
                        <a href={route.to_string()} class="no-print">{ t!("learn.open_view") }</a></p>
                    // The embedded view reads its own (empty) link, not the lesson's, and never
                    // writes the address: that names #/learn.
                    <div class="learn-embedded-view" data-testid="embedded-view" data-demo={demo.slug()}>
                        <ContextProvider<Route> context={route.clone()}>
                            <DemoView key={demo.slug()} {demo} />
                        </ContextProvider<Route>>
                    </div>
                </>
            }
        }
        (Embed::Views(_), _, None) | (_, None, _) => {
            html! { <p class="muted">{ t!("learn.no_model") }</p> }
        }
        (Embed::Steps(steps), Some(w), _) => steps_embed(props.lesson, steps, state, w),
        (Embed::Masks, Some(w), _) => {
            match WhatIfSource::from_walkthrough(w, state.layer, state.head) {
                Some(source) => html! {
                    <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()}
                        onchange={{ let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) }} />
                },
                None => html! {},
            }
        }
        (Embed::Explain, Some(_), _) => {
            let dispatch = state.dispatcher();
            html! {
                <ExplainPanel input={(*explainable).clone()} target={AttrValue::from(t!("learn.q.limits.target").into_owned())}
                    open={state.explain} ontoggle={Callback::from(move |open| dispatch.dispatch(Action::SetExplain(open)))} />
            }
        }
    };
    html! {
        <section class="lesson-live" data-testid="lesson-live" aria-label={t!("learn.live")}>
            <h3>{ t!("learn.live") }</h3>
            { inner }
        </section>
    }
}
