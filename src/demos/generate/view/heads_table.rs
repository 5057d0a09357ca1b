//! The head table: every head's previous-token, induction and sink scores on the manifest's
//! repeated-random-tokens example, sortable by any column, induction heads highlighted.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, GenState};
use crate::demos::generate::heads::{sort_scores, SortBy, INDUCTION_THRESHOLD};

fn header(by: SortBy) -> String {
    match by {
        SortBy::Head => t!("generate.col_head"),
        SortBy::PreviousToken => t!("generate.col_prev"),
        SortBy::Induction => t!("generate.col_induction"),
        SortBy::Sink => t!("generate.col_sink"),
    }
    .into_owned()
}

pub fn heads_table(s: &GenState, dispatch: &UseReducerDispatcher<GenState>) -> Html {
    let (Some(scores), Some(m)) = (&s.heads, &s.manifest) else {
        return html! {};
    };
    let mut rows = scores.as_ref().clone();
    sort_scores(&mut rows, s.sort);
    let n_induction = rows
        .iter()
        .filter(|r| r.induction >= INDUCTION_THRESHOLD)
        .count();
    html! {
        <section class="gen-heads" aria-label={t!("generate.heads")}>
            <h2>{ t!("generate.heads") }</h2>
            <p class="hint">{ t!("generate.heads_hint", period = m.induction.period, n = m.induction.ids.len()) }</p>
            <table class="gen-table" data-testid="heads-table" data-sort={s.sort.slug()}>
                <thead><tr>
                    { for SortBy::ALL.into_iter().map(|by| {
                        let on = s.sort == by;
                        let d = dispatch.clone();
                        html! { <th aria-sort={if on { if by == SortBy::Head { "ascending" } else { "descending" } } else { "none" }}>
                            <button class="gen-sort" data-testid="sort" data-sort={by.slug()} aria-pressed={on.to_string()}
                                onclick={Callback::from(move |_| d.dispatch(Action::Sort(by)))}>{ header(by) }</button></th> }
                    }) }
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|r| {
                        let ind = r.induction >= INDUCTION_THRESHOLD;
                        let (d, l, h) = (dispatch.clone(), r.layer, r.head);
                        html! {
                            <tr class={classes!(ind.then_some("induction"))} data-testid="head-row" data-induction={ind.to_string()}>
                                <td><button class="link" onclick={Callback::from(move |_| { d.dispatch(Action::Layer(l)); d.dispatch(Action::Head(Some(h))); })}>
                                    { t!("generate.layer_head", layer = r.layer + 1, head = r.head + 1) }</button></td>
                                <td>{ format!("{:.3}", r.previous_token) }</td>
                                <td>{ format!("{:.3}", r.induction) }{ if ind { " ★" } else { "" } }</td>
                                <td>{ format!("{:.3}", r.sink) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p data-testid="heads-summary">{ if n_induction > 0 { t!("generate.heads_found", n = n_induction, threshold = INDUCTION_THRESHOLD) } else { t!("generate.heads_none", threshold = INDUCTION_THRESHOLD) } }</p>
            <p class="muted">{ t!("generate.heads_explain") }</p>
        </section>
    }
}
