//! A search box over movie titles with live results, keyboard accessible (a combobox with a
//! listbox): ↑/↓ move through the results, Enter adds the highlighted movie, Escape clears.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::recommend::{Catalogue, SEARCH_LIMIT};

#[derive(Properties, PartialEq)]
pub struct MovieSearchProps {
    pub catalogue: Rc<Catalogue>,
    /// Ids already in the history (marked in the results).
    pub history: Rc<Vec<u32>>,
    /// Called with the id of the movie to add.
    pub onadd: Callback<u32>,
    /// A sentence for the page (no match, empty query), or `None` to clear it.
    pub onnotice: Callback<Option<String>>,
    #[prop_or_default]
    pub disabled: bool,
}

const LIST_ID: &str = "rec-search-results";

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

#[component]
pub fn MovieSearch(props: &MovieSearchProps) -> Html {
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
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                query.set(input.value());
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
                    onnotice.emit(Some("Type part of a movie title first.".into()));
                } else {
                    onnotice.emit(Some(format!(
                        "No movie matches “{}”. Nothing was added: the model knows only the {n_movies} movies of MovieLens-100k (mostly from the 1990s).",
                        shorten(query.trim(), 60)
                    )));
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
            <label for="rec-search-input">{ "Add a movie" }</label>
            <input id="rec-search-input" type="text" data-testid="rec-search-input" autocomplete="off"
                spellcheck="false" placeholder="Search a title or a year, e.g. “star wars” or “1995”"
                role="combobox" aria-autocomplete="list" aria-expanded={expanded.to_string()}
                aria-controls={LIST_ID}
                aria-activedescendant={expanded.then(|| option_id(active_index))}
                value={(*query).clone()} {oninput} {onkeydown} disabled={props.disabled} />
            if expanded {
                <ul id={LIST_ID} class="rec-results" role="listbox" aria-label="Matching movies"
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
                                <span class="rec-title">{ m.label() }</span>
                                <span class="rec-genres">{ m.genre_text() }</span>
                                <span class="rec-id">{ format!("id {}", m.id) }</span>
                                if seen { <span class="rec-seen">{ "in history" }</span> }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
