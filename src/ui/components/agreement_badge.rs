//! The visible proof: our own recomputation against the model runtime's numbers.

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
    let on_screen = |c: &crate::maths::StepCheck| c.layer.is_none_or(|l| l == props.layer);
    let max = props.agreement.max_where(on_screen);
    let ok = max < TOLERANCE;
    let summary = if ok {
        format!(
            "✓ Our step-by-step maths matches tract: max |Δ| = {}",
            format_value(max)
        )
    } else {
        format!(
            "✗ Our maths and tract disagree: max |Δ| = {}",
            format_value(max)
        )
    };
    html! {
        <details class={classes!("agreement", if ok { "ok" } else { "bad" })} data-testid="agreement"
            data-max-diff={max.to_string()} data-ok={ok.to_string()}>
            <summary>{ summary }</summary>
            <p>{ format!("Every matrix on screen comes from the model running in tract. Independently, this page recomputes each step in plain Rust from the layer's input X and the model's own weights; green means every difference is below {TOLERANCE:.0e}.") }</p>
            <table class="checks">
                <thead><tr><th>{ "layer" }</th><th>{ "quantity" }</th><th>{ "max |ours − tract|" }</th></tr></thead>
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
