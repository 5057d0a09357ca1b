//! Per-head summary statistics as a sortable table, to find the interesting heads.

use std::rc::Rc;

use yew::prelude::*;

use crate::encoder::{sort_stats, HeadStats, StatKey};

#[derive(Properties, PartialEq)]
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

#[component]
pub fn HeadStatsTable(props: &HeadStatsTableProps) -> Html {
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
                    onclick={Callback::from(move |_| onsort.emit(key))}>{ key.label() }{ arrow }</button>
            </th>
        }
    };
    let cell = |v: f32| html! { <td>{ format!("{v:.3}") }</td> };
    html! {
        <section class="enc-stats" aria-labelledby="enc-stats-title">
            <h3 id="enc-stats-title">{ "Head statistics" }</h3>
            <p class="muted">{ format!(
                "Averages over the query tokens{}. Entropy is in nats: 0 when every token looks at a single token, up to ln n = {:.2} when attention is spread evenly. “→ [CLS]” is the mean weight a token gives [CLS]; “→ previous/next” the weight on its neighbour. Click a column to sort, a row to open the head.",
                if props.words_only { " (words only: [CLS] and [SEP] are hidden)" } else { "" }, props.max_entropy) }</p>
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
                                        <button class="enc-link" onclick={Callback::from(move |_| onpick.emit((l, h)))}
                                            aria-label={format!("Open layer {} head {}", l + 1, h + 1)}>
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
