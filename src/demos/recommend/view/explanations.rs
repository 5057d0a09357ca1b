//! Renders what the causal mask means for a recommender, and what attention weights do not tell.

use rust_i18n::t;
use yew::prelude::*;

pub fn explanations() -> Html {
    html! {
        <section class="rec-panel rec-explain" data-testid="rec-explain">
            <h2>{ t!("recommend.explain.mask_title") }</h2>
            <p>{ t!("recommend.explain.mask_1") }</p>
            <p>{ t!("recommend.explain.mask_2") }</p>
            <h2>{ t!("recommend.explain.not_title") }</h2>
            <p>{ t!("recommend.explain.not_1") }</p>
        </section>
    }
}
