//! Renders the viewing history, oldest first, with the attention the chosen position pays to each
//! item drawn as a bar beside it, and buttons to move, remove and inspect items.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::recommend::{Catalogue, Edit};

/// What to draw beside one history item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bar {
    /// The attention weight the chosen position gives this item.
    Weight(f32),
    /// After the chosen position: hidden by the causal mask (weight exactly 0).
    Later,
    /// Older than the model's window: the model does not see it.
    Outside,
    /// No result for this history yet.
    Pending,
}

pub struct HistoryListProps {
    pub catalogue: Rc<Catalogue>,
    pub history: Rc<Vec<u32>>,
    /// One per history item (or empty while nothing is computed).
    pub bars: Rc<Vec<Bar>>,
    /// The history index whose prediction is inspected.
    pub query: usize,
    pub onedit: Callback<Edit>,
    /// `Some(i)`: inspect the prediction after item `i`; `None`: after the latest.
    pub onquery: Callback<Option<usize>>,
}

pub fn history_list(props: &HistoryListProps) -> Html {
    let n = props.history.len();
    let max = props
        .bars
        .iter()
        .filter_map(|b| match b {
            Bar::Weight(w) if w.is_finite() => Some(*w),
            _ => None,
        })
        .fold(0.0f32, f32::max);
    html! {
        <ol class="rec-history" data-testid="rec-history" aria-label={t!("recommend.history.label")}>
            { for props.history.iter().enumerate().map(|(i, &id)| {
                let label = props.catalogue.get(id).map_or_else(|| t!("recommend.id", id = id).into_owned(), |m| m.label());
                let genres = props.catalogue.get(id).map(|m| m.genre_text()).unwrap_or_default();
                let bar = props.bars.get(i).copied().unwrap_or(Bar::Pending);
                let is_query = i == props.query;
                let (width, value, state) = match bar {
                    Bar::Weight(w) => (
                        if max > 0.0 { 100.0 * w / max } else { 0.0 },
                        format!("{w:.3}"),
                        "weight",
                    ),
                    Bar::Later => (0.0, t!("recommend.history.masked").into_owned(), "later"),
                    Bar::Outside => (0.0, t!("recommend.history.not_seen").into_owned(), "outside"),
                    Bar::Pending => (0.0, String::new(), "pending"),
                };
                let edit = |e: Edit| { let cb = props.onedit.clone(); Callback::from(move |_: MouseEvent| cb.emit(e.clone())) };
                let onquery = {
                    let cb = props.onquery.clone();
                    let target = if i + 1 == n { None } else { Some(i) };
                    Callback::from(move |_: MouseEvent| cb.emit(target))
                };
                let weight_title = match bar {
                    Bar::Weight(w) => t!("recommend.history.weight_title", w = format!("{w:.4}")).into_owned(),
                    Bar::Later => t!("recommend.history.later_title").into_owned(),
                    Bar::Outside => t!("recommend.history.outside_title").into_owned(),
                    Bar::Pending => String::new(),
                };
                html! {
                    <li class={classes!("rec-item", is_query.then_some("query"), format!("rec-is-{state}"))}
                        data-testid="rec-history-item" data-id={id.to_string()} data-index={i.to_string()}
                        data-bar={state}>
                        <span class="rec-pos" aria-hidden="true">{ i + 1 }</span>
                        <div class="rec-item-main">
                            <span class="rec-title" lang="en">{ label.clone() }</span>
                            <span class="rec-genres">{ genres }</span>
                        </div>
                        <div class="rec-attn" title={weight_title.clone()}>
                            <span class="rec-bar" aria-hidden="true"><span style={format!("width:{width:.1}%")}></span></span>
                            <span class="rec-weight" data-testid="rec-weight" aria-label={weight_title}>{ value }</span>
                        </div>
                        <div class="rec-item-tools">
                            <button type="button" class="rec-query-button" data-testid="rec-query"
                                aria-pressed={is_query.to_string()} onclick={onquery}
                                aria-label={t!("recommend.history.query_label", title = label)}
                                title={t!("recommend.history.query_title")}>{ if is_query { "◉" } else { "○" } }</button>
                            <button type="button" data-testid="rec-up" disabled={i == 0}
                                aria-label={t!("recommend.history.up_label", title = label)} onclick={edit(Edit::MoveUp(i))}>{ "↑" }</button>
                            <button type="button" data-testid="rec-down" disabled={i + 1 == n}
                                aria-label={t!("recommend.history.down_label", title = label)} onclick={edit(Edit::MoveDown(i))}>{ "↓" }</button>
                            <button type="button" data-testid="rec-remove"
                                aria-label={t!("recommend.history.remove_label", title = label)} onclick={edit(Edit::Remove(i))}>{ "✕" }</button>
                        </div>
                    </li>
                }
            }) }
        </ol>
    }
}
