//! The visible proof: our own recomputation against the model runtime's numbers.

use rust_i18n::t;
use yew::prelude::*;

use super::heatmap::format_value;
use crate::maths::{Agreement, TOLERANCE};

#[derive(Properties, PartialEq)]
pub struct AgreementBadgeProps {
    pub agreement: Agreement,
    /// The layer on screen; checks of other layers are listed but not counted.
    pub layer: usize,
}

#[component]
pub fn AgreementBadge(props: &AgreementBadgeProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let on_screen = |c: &crate::maths::StepCheck| c.layer.is_none_or(|l| l == props.layer);
    let max = props.agreement.max_where(on_screen);
    let ok = max < TOLERANCE;
    let summary = if ok {
        t!("agree.ok", max = format_value(max))
    } else {
        t!("agree.bad", max = format_value(max))
    };
    html! {
        <details class={classes!("agreement", if ok { "ok" } else { "bad" })} data-testid="agreement"
            data-max-diff={max.to_string()} data-ok={ok.to_string()}>
            <summary>{ summary }</summary>
            <p>{ t!("agree.explain", tolerance = format!("{TOLERANCE:.0e}")) }</p>
            <table class="checks">
                <thead><tr><th>{ t!("agree.col_layer") }</th><th>{ t!("agree.col_quantity") }</th><th>{ t!("agree.col_diff") }</th></tr></thead>
                <tbody>
                    { for props.agreement.checks.iter().map(|c| html! {
                        <tr class={classes!((!on_screen(c)).then_some("other-layer"))}>
                            <td>{ c.layer.map_or("–".to_string(), |l| (l + 1).to_string()) }</td>
                            <td>{ c.what.clone() }</td>
                            <td>{ format_value(c.max_abs_diff) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
