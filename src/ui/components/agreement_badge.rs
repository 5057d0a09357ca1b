//! The visible proof: our own recomputation against the model runtime's numbers.

use rust_i18n::t;
use yew::prelude::*;

use super::heatmap::format_value;
use crate::maths::{Agreement, TOLERANCE};

/// A check's name in the reader's language. [`crate::maths::StepCheck::what`] names are stable
/// English (maths symbols stay as they are); the known words are translated here, when shown,
/// so the table follows a language switch. Names from other views pass through unchanged.
fn check_label(what: &str) -> String {
    let head = |prefix: &str| {
        what.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(h) = head("weights head ") {
        return t!("agree.check.weights", head = h).into_owned();
    }
    if let Some(h) = head("QKᵀ head ") {
        return t!("agree.check.scores", head = h).into_owned();
    }
    match what {
        "number of layers" => t!("agree.check.layers").into_owned(),
        "number of heads" => t!("agree.check.heads").into_owned(),
        "heads concatenated" => t!("step.m.concat").into_owned(),
        "output ·W_O" => t!("agree.check.output").into_owned(),
        other => other.to_owned(),
    }
}

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
                            <td>{ check_label(&c.what) }</td>
                            <td>{ format_value(c.max_abs_diff) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
