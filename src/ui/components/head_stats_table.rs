//! Per-head summary statistics as a sortable table, to find the interesting heads.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::encoder::{sort_stats, HeadStats, StatKey};

pub struct HeadStatsTableProps {
    pub stats: Rc<Vec<HeadStats>>,
    /// `ln n`: the largest possible entropy for this input
    pub max_entropy: f32,
    pub sort: StatKey,
    pub descending: bool,
    pub onsort: Callback<StatKey>,
    pub onpick: Callback<(usize, usize)>,
    pub selected: (usize, usize),
    /// Whether [CLS]/[SEP] rows are left out of the averages
    pub words_only: bool,
}

pub fn head_stats_table(props: &HeadStatsTableProps) -> Html {
    let mut rows: Vec<HeadStats> = props.stats.as_ref().clone();
    sort_stats(&mut rows, props.sort, props.descending);
    let header = |key: StatKey| {
        let onsort = props.onsort.clone();
        let sorted = key == props.sort;
        let aria = if !sorted {
            "none"
        } else if props.descending {
            "descending"
        } else {
            "ascending"
        };
        let arrow = match (sorted, props.descending) {
            (false, _) => "",
            (true, true) => " ▼",
            (true, false) => " ▲",
        };
        html! {
            <th scope="col" aria-sort={aria}>
                <button class="enc-sort" data-testid="stats-sort" data-key={key.id()}
                    title={t!("encoder.stats.sort", column = key.label())}
                    onclick={Callback::from(move |_| onsort.emit(key))}>{ key.label() }{ arrow }</button>
            </th>
        }
    };
    let cell = |v: f32| html! { <td>{ format!("{v:.3}") }</td> };
    html! {
        <section class="enc-stats" aria-labelledby="enc-stats-title">
            <h3 id="enc-stats-title">{ t!("encoder.stats.title") }</h3>
            <p class="muted">{
                if props.words_only {
                    t!("encoder.stats.explain_words_only", max = format!("{:.2}", props.max_entropy))
                } else {
                    t!("encoder.stats.explain", max = format!("{:.2}", props.max_entropy))
                }
            }</p>
            <div class="enc-stats-scroll">
                <table class="enc-stats-table" data-testid="stats-table">
                    <thead><tr>{ for StatKey::ALL.into_iter().map(header) }</tr></thead>
                    <tbody>
                        { for rows.iter().map(|s| {
                            let onpick = props.onpick.clone();
                            let (l, h) = (s.layer, s.head);
                            let current = (l, h) == props.selected;
                            html! {
                                <tr class={classes!(current.then_some("current"))} data-testid="stats-row"
                                    data-layer={l.to_string()} data-head={h.to_string()}>
                                    <th scope="row">
                                        // Named by what it shows ("1 · 2", under "layer · head"); the
                                        // title says what it does.
                                        <button class="enc-link" onclick={Callback::from(move |_| onpick.emit((l, h)))}
                                            title={t!("encoder.stats.open", layer = l + 1, head = h + 1)}>
                                            { format!("{} · {}", l + 1, h + 1) }
                                        </button>
                                    </th>
                                    { cell(s.entropy) }{ cell(s.cls) }{ cell(s.sep) }{ cell(s.self_weight) }{ cell(s.prev) }{ cell(s.next) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
