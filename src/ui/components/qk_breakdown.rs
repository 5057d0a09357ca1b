//! The q·k detail of one score cell: the two vectors, their products and the sum.

use rust_i18n::t;
use yew::prelude::*;

use super::heatmap::format_value;
use crate::maths::DotBreakdown;

#[derive(Properties, PartialEq)]
pub struct QkBreakdownProps {
    pub query_token: String,
    pub key_token: String,
    pub head: usize,
    pub breakdown: DotBreakdown,
    /// The weight this cell ends up with after softmax, when known.
    pub weight: Option<f32>,
    pub onclose: Callback<()>,
}

#[component]
pub fn QkBreakdown(props: &QkBreakdownProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let b = &props.breakdown;
    let d_k = b.terms.len();
    let max = b
        .terms
        .iter()
        .map(|t| t.product.abs())
        .fold(0.0f32, f32::max)
        .max(f32::MIN_POSITIVE);
    let close = {
        let cb = props.onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class="qk" data-testid="qk-breakdown" aria-label={t!("qk.label")}
            data-sum={b.sum.to_string()} data-scaled={b.scaled.to_string()} data-d-k={d_k.to_string()}>
            <header>
                <h3>{ t!("qk.title", head = props.head + 1, query = props.query_token, key = props.key_token) }</h3>
                <button class="close" data-testid="qk-close" onclick={close} aria-label={t!("qk.close")}>{ "×" }</button>
            </header>
            <table class="qk-table">
                <thead><tr><th>{ "t" }</th><th>{ "q[t]" }</th><th>{ "k[t]" }</th><th>{ "q[t]·k[t]" }</th><th aria-hidden="true"></th></tr></thead>
                <tbody>
                    { for b.terms.iter().enumerate().map(|(t, term)| {
                        let w = (term.product.abs() / max * 100.0).clamp(0.0, 100.0);
                        let class = if term.product >= 0.0 { "bar pos" } else { "bar neg" };
                        html! {
                            <tr>
                                <td>{ t }</td>
                                <td>{ format_value(term.query) }</td>
                                <td>{ format_value(term.key) }</td>
                                <td>{ format_value(term.product) }</td>
                                <td class="bar-cell" aria-hidden="true"><span class={class} style={format!("width:{w:.1}%")}></span></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="qk-sum">
                { format!("Σ = {}   ÷ √{d_k} = {}", format_value(b.sum), format_value(b.scaled)) }
                if let Some(w) = props.weight { { "   → " }{ t!("qk.weight", weight = format_value(w)) } }
            </p>
        </section>
    }
}
