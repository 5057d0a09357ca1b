//! Renders the recommendations panel: the model's top 10 after the inspected history item (marking
//! the later history items it found), or the labelled popularity fallback for an empty history.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::recommendation_list::{recommendation_list, RecommendationListProps};
use super::state::RecState;
use crate::demos::recommend::{popular_excluding, Catalogue, RecManifest, TOP_K};

pub struct TopPanelProps {
    pub state: UseReducerHandle<RecState>,
    pub manifest: Rc<RecManifest>,
    pub catalogue: Rc<Catalogue>,
}

pub fn top_panel(props: &TopPanelProps) -> Html {
    let TopPanelProps {
        state,
        manifest,
        catalogue,
    } = props;
    let history = &state.history;
    if history.is_empty() {
        let items: Vec<(u32, Option<f32>)> = popular_excluding(&manifest.popularity, &[], TOP_K)
            .into_iter()
            .map(|id| (id, None))
            .collect();
        return html! {
            <section class="rec-panel" aria-labelledby="rec-top-title">
                <h2 id="rec-top-title">{ t!("recommend.popular_title") }</h2>
                <p class="note" data-testid="rec-empty" role="status">{ t!("recommend.empty_note") }</p>
                { recommendation_list(&RecommendationListProps {
                    catalogue: catalogue.clone(),
                    items: Rc::new(items),
                    later: Rc::default(),
                    source: AttrValue::from("popularity"),
                }) }
            </section>
        };
    }
    let query = state.query_index();
    let at_latest = query.is_none_or(|q| q + 1 == history.len());
    let current = state.current_result();
    let stale = current.is_none();
    let items: Vec<(u32, Option<f32>)> = state
        .shown_result()
        .map(|r| r.top.iter().map(|&(id, s)| (id, Some(s))).collect())
        .unwrap_or_default();
    let later: Vec<u32> = match query {
        Some(q) if !at_latest => history[q + 1..].to_vec(),
        _ => Vec::new(),
    };
    let seen = query.map_or(0, |q| q + 1);
    html! {
        <section class={classes!("rec-panel", stale.then_some("rec-stale"))} aria-labelledby="rec-top-title" aria-busy={stale.to_string()}>
            if at_latest {
                <h2 id="rec-top-title">{ t!("recommend.top_title") }</h2>
                <p class="hint">{ t!("recommend.top_hint", n = catalogue.len(), seen = seen) }</p>
            } else {
                <h2 id="rec-top-title">{ t!("recommend.query_title", item = seen) }</h2>
                <p class="hint" data-testid="rec-query-note">{ t!("recommend.query_note", title = state.query_label(), seen = seen) }</p>
            }
            { recommendation_list(&RecommendationListProps {
                catalogue: catalogue.clone(),
                items: Rc::new(items),
                later: Rc::new(later),
                source: AttrValue::from("model"),
            }) }
            if let Some(r) = current {
                <p class="muted rec-latency">{ t!("recommend.latency", ms = format!("{:.0}", r.latency_ms)) }</p>
            }
        </section>
    }
}
