//! Renders the top recommendations: rank, title, year, genres and the model's score.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::recommend::Catalogue;

pub struct RecommendationListProps {
    pub catalogue: Rc<Catalogue>,
    /// `(id, score)` best first; the score is `None` for the popularity fallback.
    pub items: Rc<Vec<(u32, Option<f32>)>>,
    /// Ids that come later in the history than the inspected position (marked as hits).
    pub later: Rc<Vec<u32>>,
    /// `"model"` or `"popularity"` (also `data-source`).
    pub source: AttrValue,
}

pub fn recommendation_list(props: &RecommendationListProps) -> Html {
    html! {
        <ol class="rec-top" data-testid="rec-top" data-source={props.source.clone()}>
            { for props.items.iter().map(|&(id, score)| {
                let movie = props.catalogue.get(id);
                let label = movie.map_or_else(|| t!("recommend.id", id = id).into_owned(), |m| m.label());
                let genres = movie.map(|m| m.genre_text()).unwrap_or_default();
                let later = props.later.iter().position(|&h| h == id);
                html! {
                    <li class={classes!("rec-top-item", later.is_some().then_some("hit"))}
                        data-testid="rec-top-item" data-id={id.to_string()}>
                        <div class="rec-item-main">
                            <span class="rec-title" lang="en">{ label }</span>
                            <span class="rec-genres">{ genres }</span>
                        </div>
                        if let Some(s) = score {
                            <span class="rec-score" title={t!("recommend.top.score_title")}>{ format!("{s:.2}") }</span>
                        }
                        if later.is_some() {
                            <span class="rec-hit" data-testid="rec-hit">{ t!("recommend.top.watched_later") }</span>
                        }
                    </li>
                }
            }) }
        </ol>
    }
}
