//! Where n²·d comes from, why not n³, exact versus approximate, time versus memory.

use rust_i18n::t;
use yew::prelude::*;

pub fn about() -> Html {
    let paragraphs = [
        "cost.about.where",
        "cost.about.not_cubed",
        "cost.about.exact",
        "cost.about.approximate",
        "cost.about.memory",
        "cost.about.clock",
    ];
    html! {
        <section class="cost-about" data-testid="cost-about" aria-labelledby="cost-about-title">
            <h2 id="cost-about-title">{ t!("cost.about.title") }</h2>
            <p class="formula">{ "softmax(QKᵀ/√d)·V: QKᵀ n·n·d + weights·V n·n·d = 2n²d" }</p>
            { for paragraphs.iter().map(|key| html! { <p>{ t!(*key) }</p> }) }
        </section>
    }
}
