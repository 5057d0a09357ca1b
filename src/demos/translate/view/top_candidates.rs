//! The most likely next tokens at one decoding step, as bars, with the chosen one marked.

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::translate::Candidate;

pub struct TopCandidatesProps {
    /// Most likely first.
    pub candidates: Vec<Candidate>,
    /// The token text of each candidate, in the same order.
    pub labels: Vec<String>,
    /// Which step these belong to (1-based), for the heading.
    pub step: usize,
    pub chosen: u32,
}

pub fn top_candidates(props: &TopCandidatesProps) -> Html {
    html! {
        <section class="tr-top" data-testid="top-candidates" aria-label={t!("translate.top.label")}>
            <h3>{ t!("translate.top.title", step = props.step, n = props.candidates.len()) }</h3>
            <table class="tr-top-table">
                <tbody>
                    { for props.candidates.iter().zip(&props.labels).map(|(c, label)| {
                        let p = c.prob();
                        let chosen = c.id == props.chosen;
                        html! {
                            <tr class={classes!(chosen.then_some("tr-chosen"))} data-testid="candidate"
                                data-id={c.id.to_string()} data-prob={format!("{p:.6}")}>
                                <td class="tr-cand-token" dir="auto" lang="fr">{ label.clone() }</td>
                                <td class="tr-cand-bar"><span class="tr-bar" style={format!("width:{:.1}%", (p * 100.0).clamp(0.0, 100.0))}></span></td>
                                <td class="tr-cand-prob">{ format!("{:.1}%", p * 100.0) }</td>
                                <td class="tr-cand-note">if chosen { { t!("translate.top.chosen") } }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="hint">{ t!("translate.top.greedy") }</p>
        </section>
    }
}
