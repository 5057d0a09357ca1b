//! A clickable heatmap is one tab stop: arrow keys (and Home/End, PageUp/PageDown) move a
//! focused cell, Enter or Space selects it, Escape dismisses the selection. A click moves the
//! keyboard's cell too, so the two never disagree.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The cell a key moves the focus to, or `None` for keys that do not move it.
fn moved(
    key: &str,
    (i, j): (usize, usize),
    (n_rows, n_cols): (usize, usize),
) -> Option<(usize, usize)> {
    let last = (n_rows.saturating_sub(1), n_cols.saturating_sub(1));
    Some(match key {
        "ArrowUp" => (i.saturating_sub(1), j),
        "ArrowDown" => ((i + 1).min(last.0), j),
        "ArrowLeft" => (i, j.saturating_sub(1)),
        "ArrowRight" => (i, (j + 1).min(last.1)),
        "Home" => (i, 0),
        "End" => (i, last.1),
        "PageUp" => (0, j),
        "PageDown" => (last.0, j),
        _ => return None,
    })
}

/// The `(row, col)` of the cell a click landed on (its `data-row` / `data-col`).
fn clicked_cell(e: &MouseEvent) -> Option<(usize, usize)> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let parse = |a| el.get_attribute(a).and_then(|v| v.parse::<usize>().ok());
    Some((parse("data-row")?, parse("data-col")?))
}

/// What [`use_cell_keys`] gives the map: the keyboard's cell and the handlers for its `<svg>`.
pub(super) struct CellKeys {
    /// Whether the cells answer clicks and keys (there is an `onselect`, and a cell).
    pub clickable: bool,
    /// The keyboard's cell, if it is inside the matrix.
    pub focused: Option<(usize, usize)>,
    /// Whether the map has the focus (the keyboard's cell is drawn and announced only then).
    pub has_focus: bool,
    pub onclick: Option<Callback<MouseEvent>>,
    pub onkeydown: Option<Callback<KeyboardEvent>>,
    pub onfocus: Option<Callback<FocusEvent>>,
    pub onblur: Option<Callback<FocusEvent>>,
}

/// The keyboard's cell of a `shape` matrix, starting at `selected` (else the first cell).
#[hook]
pub(super) fn use_cell_keys(
    shape: (usize, usize),
    selected: Option<(usize, usize)>,
    onselect: Option<Callback<(usize, usize)>>,
    ondismiss: Option<Callback<()>>,
) -> CellKeys {
    let (n_rows, n_cols) = shape;
    let focus_cell = use_state(|| None::<(usize, usize)>);
    let has_focus = use_state(|| false);
    let inside = move |&(i, j): &(usize, usize)| i < n_rows && j < n_cols;
    let clickable = onselect.is_some() && n_rows > 0 && n_cols > 0;
    let focused = focus_cell.filter(inside);
    let start = selected.filter(inside);
    let onkeydown = clickable.then(|| {
        let (focus_cell, onselect) = (focus_cell.clone(), onselect.clone());
        Callback::from(move |e: KeyboardEvent| {
            let current = (*focus_cell).filter(inside).or(start).unwrap_or((0, 0));
            let key = e.key();
            if let Some(next) = moved(&key, current, (n_rows, n_cols)) {
                // Handled here: the page's ← → step keys and scrolling must not see it.
                e.prevent_default();
                e.stop_propagation();
                focus_cell.set(Some(next));
            } else if key == "Enter" || key == " " {
                e.prevent_default();
                focus_cell.set(Some(current));
                if let Some(cb) = &onselect {
                    cb.emit(current);
                }
            } else if key == "Escape" {
                if let Some(cb) = &ondismiss {
                    e.prevent_default();
                    cb.emit(());
                }
            }
        })
    });
    let onfocus = clickable.then(|| {
        let (focus_cell, has_focus) = (focus_cell.clone(), has_focus.clone());
        Callback::from(move |_: FocusEvent| {
            if focus_cell.filter(inside).is_none() {
                focus_cell.set(Some(start.unwrap_or((0, 0))));
            }
            has_focus.set(true);
        })
    });
    let onblur = clickable.then(|| {
        let has_focus = has_focus.clone();
        Callback::from(move |_: FocusEvent| has_focus.set(false))
    });
    let onclick = onselect.map(|select| {
        let focus_cell = focus_cell.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(cell) = clicked_cell(&e) {
                focus_cell.set(Some(cell));
                select.emit(cell);
            }
        })
    });
    CellKeys {
        clickable,
        focused,
        has_focus: *has_focus,
        onclick,
        onkeydown,
        onfocus,
        onblur,
    }
}
