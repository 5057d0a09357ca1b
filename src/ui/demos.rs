//! One component per demo, and the navigation between them. The shell picks the demo from the
//! URL hash (see [`crate::route`]); each demo reads its own parameters from the `Route` context.

use rust_i18n::t;
use yew::prelude::*;

use crate::route::{Demo, Route};

#[derive(Properties, PartialEq)]
pub struct DemoNavProps {
    pub current: Demo,
}

/// Links to every demo; the current one is marked for screen readers too.
#[component]
pub fn DemoNav(props: &DemoNavProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    html! {
        <nav class="demo-nav" aria-label={t!("nav.demos")} data-testid="demo-nav">
            { for Demo::ALL.into_iter().map(|d| {
                let current = d == props.current;
                html! {
                    <a href={Route::of(d).to_string()} data-testid="demo-link" data-demo={d.slug()}
                        class={classes!("demo-link", current.then_some("current"))}
                        aria-current={current.then_some("page")}>{ d.label() }</a>
                }
            }) }
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct DemoViewProps {
    pub demo: Demo,
}

#[component]
pub fn DemoView(props: &DemoViewProps) -> Html {
    match props.demo {
        Demo::Learn => html! { <crate::demos::learn::view::LearnDemo /> },
        Demo::Walkthrough => html! { <crate::demos::walkthrough::view::WalkthroughDemo /> },
        Demo::Encoder => html! { <crate::demos::encoder::view::EncoderDemo /> },
        Demo::Translate => html! { <crate::demos::translate::view::TranslateDemo /> },
        Demo::Recommend => html! { <crate::demos::recommend::view::RecommendDemo /> },
        Demo::Forecast => html! { <crate::demos::forecast::view::ForecastDemo /> },
        Demo::Digits => html! { <crate::demos::digits::view::DigitsDemo /> },
        Demo::Generate => html! { <crate::demos::generate::view::GenerateDemo /> },
        Demo::Cost => html! { <crate::demos::cost::view::CostDemo /> },
        Demo::Open => html! { <crate::demos::open::view::OpenDemo /> },
    }
}

/// Shown by a demo whose view is still being built: says so plainly.
#[derive(Properties, PartialEq)]
pub struct ComingSoonProps {
    pub demo: Demo,
}

#[component]
pub fn ComingSoon(props: &ComingSoonProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    html! {
        <section class="demo coming-soon" data-testid="coming-soon" data-demo={props.demo.slug()}>
            <p>{ t!("nav.coming_soon", demo = props.demo.label()) }</p>
        </section>
    }
}
