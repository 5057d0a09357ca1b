//! Renders the history panel: the title search, the example users, and the viewing history with the
//! attention the inspected position pays to each item.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::history_list::{history_list, Bar, HistoryListProps};
use super::movie_search::{MovieSearch, SearchNotice};
use super::state::{send, Action, Notice, RecState};
use crate::demos::recommend::{Catalogue, Edit, RecManifest};
use crate::maths::Matrix;

pub struct HistoryPanelProps {
    pub state: UseReducerHandle<RecState>,
    pub manifest: Rc<RecManifest>,
    pub catalogue: Rc<Catalogue>,
    /// The attention matrix of the result on screen (chosen layer and head).
    pub matrix: Option<Rc<Matrix>>,
}

/// The bars: the inspected position's attention row over the history items, once the current
/// result is in; until then only what lies outside the window is known.
fn bars(state: &RecState, matrix: Option<&Matrix>) -> Vec<Bar> {
    let n = state.history.len();
    match (state.current_result(), matrix, state.query_index()) {
        (Some(r), Some(m), Some(q)) => (0..n)
            .map(|i| {
                if i < r.input.dropped {
                    Bar::Outside
                } else if i > q {
                    Bar::Later
                } else {
                    m.get(q - r.input.dropped, i - r.input.dropped)
                        .map_or(Bar::Pending, Bar::Weight)
                }
            })
            .collect(),
        _ => {
            let dropped = n.saturating_sub(state.window());
            (0..n)
                .map(|i| {
                    if i < dropped {
                        Bar::Outside
                    } else {
                        Bar::Pending
                    }
                })
                .collect()
        }
    }
}

pub fn history_panel(props: &HistoryPanelProps) -> Html {
    let HistoryPanelProps {
        state,
        manifest,
        catalogue,
        matrix,
    } = props;
    let history = state.history.clone();
    let n = history.len();
    let window = manifest.window;
    let dropped = n.saturating_sub(window);
    let dispatch = state.dispatcher();
    let on_notice = send(&dispatch, |n: Option<SearchNotice>| {
        Action::Notice(n.map(Notice::Search))
    });
    let on_add = send(&dispatch, |id| Action::Edit(Edit::Add(id)));
    let on_clear = send(&dispatch, |_: MouseEvent| Action::Edit(Edit::Clear));

    let examples = html! {
        <div class="rec-examples" aria-label={t!("recommend.examples_label")}>
            <span class="muted">{ t!("recommend.examples") }</span>
            { for manifest.examples.iter().map(|ex| {
                let d = dispatch.clone();
                let user = ex.user;
                let current = state.example_user == Some(user);
                html! {
                    <button type="button" class={classes!("example", current.then_some("current"))} data-testid="rec-example"
                        data-user={user.to_string()} aria-pressed={current.to_string()}
                        onclick={Callback::from(move |_| d.dispatch(Action::Example(user)))}>
                        { t!("recommend.example_user", user = user, n = ex.history.len()) }
                    </button>
                }
            }) }
            <button type="button" class="example" data-testid="rec-clear" disabled={n == 0} onclick={on_clear}>
                { t!("recommend.clear") }
            </button>
        </div>
    };

    html! {
        <section class="rec-panel rec-history-panel" aria-labelledby="rec-history-title">
            <MovieSearch catalogue={catalogue.clone()} history={history.clone()} onadd={on_add} onnotice={on_notice} />
            if let Some(notice) = &state.notice {
                <p class="note" data-testid="rec-notice" role="status">{ notice.to_string() }</p>
            }
            { examples }
            <h2 id="rec-history-title">{ if n == 1 { t!("recommend.history_title_one") } else { t!("recommend.history_title", n = n) } }</h2>
            if dropped > 0 {
                <p class="note" data-testid="rec-window-note" role="status">{ t!("recommend.window_note", n = n, window = window, dropped = dropped) }</p>
            }
            if n > 0 {
                <p class="hint">{ t!("recommend.bars_hint", title = state.query_label(), layer = state.layer_label(), head = state.head_label()) }</p>
                { history_list(&HistoryListProps {
                    catalogue: catalogue.clone(),
                    history: history.clone(),
                    bars: Rc::new(bars(state, matrix.as_deref())),
                    query: state.query_index().unwrap_or(0),
                    onedit: send(&dispatch, Action::Edit),
                    onquery: send(&dispatch, Action::Query),
                }) }
            } else {
                <p class="muted" data-testid="rec-history-empty">{ t!("recommend.history_empty") }</p>
            }
        </section>
    }
}
