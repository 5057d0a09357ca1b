//! Renders the model's answer: a bar per digit 0–9, the predicted one marked.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::digits::argmax;

pub struct ProbabilitiesProps {
    pub probs: Rc<Vec<f32>>,
}

pub fn probabilities(props: &ProbabilitiesProps) -> Html {
    let best = argmax(&props.probs);
    html! {
        <section class="dg-probs" data-testid="prediction" data-predicted={best.map(|b| b.to_string()).unwrap_or_default()}
            aria-label={t!("digits.probs.label")}>
            <h3>{ match best.and_then(|b| Some((b, props.probs.get(b)?))) {
                Some((b, p)) => t!("digits.probs.answer", digit = b, pct = format!("{:.1}", p * 100.0)),
                None => t!("digits.probs.none"),
            } }</h3>
            <ul>
                { for props.probs.iter().enumerate().map(|(d, &p)| html! {
                    <li class={classes!((best == Some(d)).then_some("best"))} data-testid="prob" data-digit={d.to_string()} data-prob={format!("{p}")}>
                        <span class="dg-digit">{ d }</span>
                        <span class="pred-bar" aria-hidden="true"><span style={format!("width:{:.1}%", p * 100.0)}></span></span>
                        <span class="pred-value">{ format!("{:.1}%", p * 100.0) }</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}
