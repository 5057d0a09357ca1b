//! "Does attention explain this?" under the recommendations: the shared panel, explaining the
//! top recommendation's score after the latest history item.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::RecResult;
use crate::demos::recommend::explain::HistoryVariants;
use crate::demos::recommend::Catalogue;
use crate::export::ExportContext;
use crate::route::Demo;
use crate::ui::components::explain::{ExplainPanel, Explainable};

/// The worker's key for the recommender (as `model.rs` loads it).
const GRAPH_KEY: &str = "recommend";

#[derive(Properties, PartialEq)]
pub struct RecExplainProps {
    /// The run for the history on screen (not a stale one), if it has answered
    pub result: Option<Rc<RecResult>>,
    pub history_empty: bool,
    pub catalogue: Rc<Catalogue>,
    pub window: usize,
    pub open: bool,
    pub ontoggle: Callback<bool>,
}

/// The subject for a run, or why there is none.
fn explainable(
    result: Option<&RecResult>,
    history_empty: bool,
    catalogue: &Catalogue,
    window: usize,
) -> Result<Explainable, String> {
    if history_empty {
        return Err(t!("explain.empty_history").into_owned());
    }
    let Some(r) = result else {
        return Err(t!("explain.waiting").into_owned());
    };
    if r.query + 1 != r.history.len() {
        return Err(t!("explain.rec_latest_only").into_owned());
    }
    let label = |id: u32| {
        catalogue
            .get(id)
            .map_or_else(|| id.to_string(), |m| m.label())
    };
    Explainable::new(
        HistoryVariants::new(
            &r.history,
            window,
            &r.weights,
            r.top.first().copied(),
            label,
        ),
        GRAPH_KEY,
    )
}

#[component]
pub fn RecExplain(props: &RecExplainProps) -> Html {
    // Made once per run, so the panel reruns only for a new history.
    let input = use_memo((props.result.clone(), props.history_empty), {
        let (catalogue, window) = (props.catalogue.clone(), props.window);
        move |(result, empty)| explainable(result.as_deref(), *empty, &catalogue, window)
    });
    let target = props
        .result
        .as_ref()
        .and_then(|r| r.top.first())
        .and_then(|(id, _)| props.catalogue.get(*id))
        .map(|m| t!("explain.rec_target", title = m.label()).into_owned())
        .unwrap_or_default();
    let export = Rc::new(ExportContext {
        model: crate::demos::recommend::MODEL_NAME.into(),
        demo: Demo::Recommend.slug().into(),
        ..ExportContext::default()
    });
    html! {
        <ExplainPanel input={(*input).clone()} target={target} open={props.open}
            ontoggle={props.ontoggle.clone()} export={Some(export)} probability={false} />
    }
}
