//! The recommendation demo: build a viewing history from MovieLens-100k titles, and see a
//! SASRec-style model's top-10 next movies and the attention it pays to each history item.
//!
//! The page keeps the history and sends the model's window (the most recent items, left-padded
//! with 0) to the worker; the worker runs the ONNX graph; ranking, windowing and the fallback
//! are the pure functions of [`crate::demos::recommend`].
mod about;
mod attention_map;
mod attention_panel;
mod explain_panel;
mod explanations;
mod history_list;
mod history_panel;
mod model;
mod movie_search;
mod recommendation_list;
mod state;
mod status_bar;
mod top_panel;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::about::{about, AboutProps};
use self::attention_panel::{attention_panel, AttentionPanelProps};
use self::explain_panel::RecExplain;
use self::explanations::explanations;
use self::history_panel::{history_panel, HistoryPanelProps};
use self::model::{run, use_recommender};
use self::state::{Action, RecResult, RecState};
use self::status_bar::{status_bar, StatusBarProps};
use self::top_panel::{top_panel, TopPanelProps};
use crate::demos::recommend::{history_attention, HeadChoice};
use crate::maths::Matrix;
use crate::route::{link_problem, read_what_if, write_what_if};
use crate::ui::permalink::{use_link, use_permalink};
use crate::worker::AttentionWorker;

/// The attention matrix of the chosen layer and head, cut to the history in the window.
fn attention(result: &RecResult, layer: usize, head: HeadChoice) -> Option<Matrix> {
    let w = result.weights.get(layer)?;
    history_attention(w.as_f32()?, &w.shape, result.input.kept, head).ok()
}

/// The sentence for the link's unusable parameters; `at` (the inspected position) is named
/// here, the others by [`link_problem`].
fn link_problem_text(bad: &[&'static str]) -> Option<String> {
    let names: Vec<String> = bad
        .iter()
        .map(|&part| match part {
            "at" => t!("recommend.link_position").into_owned(),
            other => other.to_owned(),
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    link_problem(&names)
}

#[component]
pub fn RecommendDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(|route| {
        let (whatif, bad) = read_what_if(route);
        (RecState::from_route(route, bad), whatif)
    });
    let state = use_reducer(|| link.0.clone());
    let whatif = use_state(|| link.1.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    use_recommender(state.dispatcher());
    let ready = state.status.is_ready();
    let query = state.query_index();
    {
        // Run whenever the history or the inspected position changes: no debounce, an edit is
        // one click.
        let (dispatch, seq) = (state.dispatcher(), seq.clone());
        let manifest = state.manifest.clone();
        use_effect_with(
            (state.history.clone(), query, ready),
            move |(history, query, ready)| {
                if let (true, Some(query), Some(manifest)) = (*ready, *query, manifest) {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    dispatch.dispatch(Action::RunStarted(next));
                    let history = history.clone();
                    spawn_local(run(runner, dispatch, manifest, next, history, query));
                }
            },
        );
    }
    {
        // Keep the link in the address bar restoring this view.
        let mut route = state.route();
        write_what_if(&mut route, &whatif);
        // Not before the catalogue is in: until then the history from the link is not restored.
        use_permalink(state.catalogue.is_some().then(|| route.to_string()));
    }

    let (Some(manifest), Some(catalogue)) = (state.manifest.clone(), state.catalogue.clone())
    else {
        return html! {
            <div class="demo rec" data-testid="rec-demo">
                <header class="demo-head">
                    <p class="tagline">{ t!("recommend.tagline_short") }</p>
                    { status_bar(&StatusBarProps { status: state.status.clone() }) }
                </header>
                { about(&AboutProps { manifest: None }) }
            </div>
        };
    };

    let matrix = state
        .shown_result()
        .and_then(|r| attention(r, state.layer, state.head))
        .map(Rc::new);
    let catalogue_for_panel = catalogue.clone();
    let onwhatif = {
        let whatif = whatif.clone();
        Callback::from(move |v| whatif.set(v))
    };

    html! {
        <div class="demo rec" data-testid="rec-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("recommend.tagline") }</p>
                { status_bar(&StatusBarProps { status: state.status.clone() }) }
            </header>
            if let Some(note) = &state.link_note {
                <p class="note" data-testid="rec-link-note" role="status">{ note.to_string() }</p>
            }
            if let Some(problem) = link_problem_text(&state.link_bad) {
                <p class="note" data-testid="link-problem" role="status">{ problem }</p>
            }
            <div class="rec-grid">
                { history_panel(&HistoryPanelProps {
                    state: state.clone(),
                    manifest: manifest.clone(),
                    catalogue: catalogue.clone(),
                    matrix: matrix.clone(),
                }) }
                { top_panel(&TopPanelProps {
                    state: state.clone(),
                    manifest: manifest.clone(),
                    catalogue: catalogue.clone(),
                }) }
            </div>
            if let Some(err) = &state.run.error {
                <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
            }
            <span data-testid="rec-run" data-run={state.run.runs.to_string()} hidden=true></span>

            if !state.history.is_empty() {
                { attention_panel(&AttentionPanelProps {
                    state: state.clone(),
                    manifest: manifest.clone(),
                    catalogue,
                    matrix,
                    whatif: (*whatif).clone(),
                    onwhatif,
                }) }
            }
            <RecExplain result={state.current_result().cloned()} history_empty={state.history.is_empty()}
                catalogue={catalogue_for_panel} window={manifest.window} open={state.explain}
                ontoggle={{ let dispatch = state.dispatcher(); Callback::from(move |open| dispatch.dispatch(Action::SetExplain(open))) }}/>
            { explanations() }
            { about(&AboutProps { manifest: Some(manifest) }) }
        </div>
    }
}
