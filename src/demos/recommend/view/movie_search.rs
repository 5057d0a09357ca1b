//! A search box over movie titles with live results, keyboard accessible (a combobox with a
//! listbox): ↑/↓ move through the results, Enter adds the highlighted movie, Escape clears.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::recommend::{shorten, Catalogue, SEARCH_LIMIT};
use crate::ui::events::input_value;

#[derive(Properties, PartialEq)]
pub struct MovieSearchProps {
    pub catalogue: Rc<Catalogue>,
    /// Ids already in the history (marked in the results).
    pub history: Rc<Vec<u32>>,
    /// Called with the id of the movie to add.
    pub onadd: Callback<u32>,
    /// Why nothing was added (no match, empty query), or `None` to clear the note.
    pub onnotice: Callback<Option<SearchNotice>>,
    #[prop_or_default]
    pub disabled: bool,
}

const LIST_ID: &str = "rec-search-results";

/// Why Enter in the search box added nothing. Its `Display` is the sentence for the page, in
/// the current language (so a stored notice follows a language switch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchNotice {
    /// The box is empty.
    EmptyQuery,
    /// Nothing matches `query` (shortened) among the catalogue's `movies`.
    NoMatch { query: String, movies: usize },
}

impl std::fmt::Display for SearchNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchNotice::EmptyQuery => f.write_str(&t!("recommend.search.empty")),
            SearchNotice::NoMatch { query, movies } => {
                f.write_str(&t!("recommend.search.no_match", query = query, n = movies))
            }
        }
    }
}

#[component]
pub fn MovieSearch(props: &MovieSearchProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let query = use_state(String::new);
    let active = use_state(|| 0usize);
    let results = props.catalogue.search(&query, SEARCH_LIMIT);
    let ids: Vec<u32> = results.iter().map(|m| m.id).collect();
    let active_index = (*active).min(ids.len().saturating_sub(1));
    let n_movies = props.catalogue.len();

    let add = {
        let (query, active, onadd, onnotice) = (
            query.clone(),
            active.clone(),
            props.onadd.clone(),
            props.onnotice.clone(),
        );
        Callback::from(move |id: u32| {
            onnotice.emit(None);
            onadd.emit(id);
            query.set(String::new());
            active.set(0);
        })
    };
    let oninput = {
        let (query, active, onnotice) = (query.clone(), active.clone(), props.onnotice.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(value) = input_value(&e) {
                query.set(value);
                active.set(0);
                onnotice.emit(None);
            }
        })
    };
    let onkeydown = {
        let (query, active, ids, add, onnotice) = (
            query.clone(),
            active.clone(),
            ids.clone(),
            add.clone(),
            props.onnotice.clone(),
        );
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" if !ids.is_empty() => {
                e.prevent_default();
                active.set((active_index + 1) % ids.len());
            }
            "ArrowUp" if !ids.is_empty() => {
                e.prevent_default();
                active.set((active_index + ids.len() - 1) % ids.len());
            }
            "Enter" => {
                e.prevent_default();
                if let Some(&id) = ids.get(active_index) {
                    add.emit(id);
                } else if query.trim().is_empty() {
                    onnotice.emit(Some(SearchNotice::EmptyQuery));
                } else {
                    onnotice.emit(Some(SearchNotice::NoMatch {
                        query: shorten(query.trim(), 60),
                        movies: n_movies,
                    }));
                }
            }
            "Escape" => {
                query.set(String::new());
                active.set(0);
                onnotice.emit(None);
            }
            _ => {}
        })
    };

    let expanded = !results.is_empty();
    let option_id = |i: usize| format!("{LIST_ID}-{i}");
    html! {
        <div class="rec-search" data-testid="rec-search">
            <label for="rec-search-input">{ t!("recommend.search.label") }</label>
            <input id="rec-search-input" type="text" data-testid="rec-search-input" autocomplete="off"
                spellcheck="false" placeholder={t!("recommend.search.placeholder")}
                role="combobox" aria-autocomplete="list" aria-expanded={expanded.to_string()}
                aria-controls={LIST_ID}
                aria-activedescendant={expanded.then(|| option_id(active_index))}
                value={(*query).clone()} {oninput} {onkeydown} disabled={props.disabled} />
            if expanded {
                <ul id={LIST_ID} class="rec-results" role="listbox" aria-label={t!("recommend.search.results")}
                    data-testid="rec-search-results">
                    { for results.iter().enumerate().map(|(i, m)| {
                        let selected = i == active_index;
                        let seen = props.history.contains(&m.id);
                        let onclick = { let add = add.clone(); let id = m.id; Callback::from(move |_| add.emit(id)) };
                        // Keep the focus in the input so the keyboard keeps working after a click.
                        let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
                        html! {
                            <li id={option_id(i)} role="option" aria-selected={selected.to_string()}
                                class={classes!("rec-result", selected.then_some("active"), seen.then_some("seen"))}
                                data-testid="rec-search-result" data-id={m.id.to_string()} {onclick} {onmousedown}>
                                <span class="rec-title" lang="en">{ m.label() }</span>
                                <span class="rec-genres">{ m.genre_text() }</span>
                                <span class="rec-id">{ t!("recommend.id", id = m.id) }</span>
                                if seen { <span class="rec-seen">{ t!("recommend.search.in_history") }</span> }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
