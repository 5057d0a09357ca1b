//! A matrix drawn as an SVG heatmap, with its shape, labels, a legend and clickable cells.
//! A clickable heatmap is also one tab stop: arrow keys move a focused cell, Enter or Space
//! selects it, Escape dismisses the selection, and the focused cell is announced.
//!
//! The parts: [`colour`] (the scales), [`keyboard`] (the keyboard's cell), [`legend`],
//! [`tools`] (table toggle and Save buttons, also under other drawn matrices) and [`table`].

mod colour;
mod keyboard;
mod legend;
mod table;
mod tools;

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use self::colour::text_color;
pub use self::colour::{color, ColorScale};
use self::keyboard::{use_cell_keys, CellKeys};
use self::legend::Legend;
pub use self::tools::{MatrixTools, MatrixToolsProps};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::scroll_box;

#[derive(Properties, PartialEq)]
pub struct HeatmapProps {
    /// Stable name of the matrix (`data-name`, exported file names), e.g. `"Q"` or
    /// `"weights head 2"`; shown unless `label` is given.
    pub name: AttrValue,
    /// The name shown to the reader (in their language), when it differs from `name`.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    pub matrix: Rc<Matrix>,
    /// One label per row (usually the tokens).
    pub rows: Rc<Vec<String>>,
    /// One label per column; `None` numbers the columns.
    #[prop_or_default]
    pub cols: Option<Rc<Vec<String>>>,
    pub scale: ColorScale,
    /// Draw a separator every `group` columns (head boundaries); 0 for none.
    #[prop_or_default]
    pub group: usize,
    /// A note at the end of each row (e.g. its sum).
    #[prop_or_default]
    pub row_notes: Option<Rc<Vec<String>>>,
    #[prop_or_default]
    pub selected: Option<(usize, usize)>,
    /// Called with `(row, col)` when a cell is clicked (or chosen with Enter/Space); cells are
    /// not clickable, and the map not focusable, without it.
    #[prop_or_default]
    pub onselect: Option<Callback<(usize, usize)>>,
    /// Called when Escape is pressed on the focused map (e.g. to close what a cell opened).
    #[prop_or_default]
    pub ondismiss: Option<Callback<()>>,
    /// What Enter does, for the announcement (e.g. "Enter opens its q·k breakdown").
    #[prop_or_default]
    pub key_hint: Option<AttrValue>,
    /// Shown under the name, e.g. the shape in words.
    #[prop_or_default]
    pub caption: AttrValue,
    /// Draw smaller, without labels and legend (for small multiples).
    #[prop_or_default]
    pub compact: bool,
    /// Where the matrix came from, written into exported files (model, step, layer, head…).
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
    /// A decoder's attention: the cells above the diagonal, hidden from each query by the causal
    /// mask, are hatched (their value, 0, stays in the table and the exports).
    #[prop_or_default]
    pub causal: bool,
}

/// An SVG `<defs>` with the hatching every view draws over masked cells (`fill="url(#<id>)"`):
/// grey diagonal stripes `size` user units apart.
pub fn hatch_defs(id: &'static str, size: u32) -> Html {
    let s = size.to_string();
    html! {
        <defs>
            <pattern {id} width={s.clone()} height={s.clone()} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width={s.clone()} height={s.clone()} fill="#e9e9ee" />
                <line x1="0" y1="0" x2="0" y2={s} stroke="#a9a9b4" stroke-width="1.5" />
            </pattern>
        </defs>
    }
}

/// Formats a value for a cell or a label: −∞ for masked entries.
pub fn format_value(v: f32) -> String {
    if v == f32::NEG_INFINITY {
        "−∞".into()
    } else if v == f32::INFINITY {
        "+∞".into()
    } else if v.is_nan() {
        "NaN".into()
    } else if v != 0.0 && (v.abs() >= 1000.0 || v.abs() < 0.001) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

/// What a cell says to a screen reader: `scores head 1[query token, key token] = 0.123`.
fn cell_label(name: &str, row: &str, col: &str, v: f32) -> String {
    format!("{name}[{row}, {col}] = {}", format_value(v))
}

/// Column `j`'s label: its token, or its number when the columns have none.
fn col_label(cols: &Option<Rc<Vec<String>>>, j: usize) -> String {
    match cols {
        Some(c) => c.get(j).cloned().unwrap_or_default(),
        None => j.to_string(),
    }
}

fn short_label(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

#[component]
pub fn Heatmap(props: &HeatmapProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let svg_ref = use_node_ref();
    let m = &props.matrix;
    let (n_rows, n_cols) = m.shape();
    // The keyboard's cell, and whether the map has the focus (the cell is drawn only then).
    let CellKeys {
        clickable,
        focused,
        has_focus,
        onclick,
        onkeydown,
        onfocus,
        onblur,
    } = use_cell_keys(
        (n_rows, n_cols),
        props.selected,
        props.onselect.clone(),
        props.ondismiss.clone(),
    );
    let label_name: AttrValue = props.label.clone().unwrap_or_else(|| props.name.clone());
    let show_values = !props.compact && n_rows <= 16 && n_cols <= 16;
    let cell = if props.compact {
        if n_cols > 24 {
            4.0
        } else {
            9.0
        }
    } else if show_values {
        36.0
    } else if n_cols > 24 {
        9.0
    } else {
        22.0
    };
    let token_cols = props.cols.is_some();
    let left = if props.compact { 0.0 } else { 78.0 };
    let top = if props.compact {
        0.0
    } else if token_cols {
        64.0
    } else {
        16.0
    };
    let notes_w = if props.row_notes.is_some() && !props.compact {
        52.0
    } else {
        0.0
    };
    let width = left + cell * n_cols as f32 + notes_w + 2.0;
    let height = top + cell * n_rows as f32 + 2.0;
    let (lo, hi) = m.finite_range();
    let max_abs = lo.abs().max(hi.abs());

    let mut cells = Vec::with_capacity(n_rows * n_cols);
    for i in 0..n_rows {
        for j in 0..n_cols {
            let v = m.get(i, j).unwrap_or(f32::NAN);
            let x = left + cell * j as f32;
            let y = top + cell * i as f32;
            let row_label = props.rows.get(i).map(String::as_str).unwrap_or("");
            let label = cell_label(&label_name, row_label, &col_label(&props.cols, j), v);
            // A named shape in a chart (WAI-ARIA Graphics): the role that may carry a label.
            cells.push(html! {
                <rect data-testid="cell" role="graphics-symbol" data-row={i.to_string()} data-col={j.to_string()}
                    class={(props.causal && j > i).then_some("masked")}
                    x={x.to_string()} y={y.to_string()} width={cell.to_string()} height={cell.to_string()}
                    fill={if props.causal && j > i { "url(#hm-hatch)".to_owned() } else { color(props.scale, v, max_abs) }} aria-label={label} />
            });
            if show_values {
                cells.push(html! {
                    <text x={(x + cell / 2.0).to_string()} y={(y + cell / 2.0 + 3.5).to_string()}
                        class="cell-value" style={format!("fill:{}", text_color(props.scale, v, max_abs))}>{format_value(v)}</text>
                });
            }
        }
    }

    let labels = if props.compact {
        html! {}
    } else {
        let row_labels = props.rows.iter().enumerate().map(|(i, r)| {
            html! {
                <text class="row-label" x={(left - 4.0).to_string()} y={(top + cell * i as f32 + cell / 2.0 + 3.5).to_string()}>
                    {short_label(r, 10)}
                </text>
            }
        });
        let col_labels: Html = match &props.cols {
            Some(cols) => cols
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let x = left + cell * j as f32 + cell / 2.0 + 3.0;
                    let y = top - 4.0;
                    html! {
                        <text class="col-label" transform={format!("translate({x} {y}) rotate(-55)")}>{short_label(c, 9)}</text>
                    }
                })
                .collect(),
            None => (0..n_cols)
                .filter(|j| n_cols <= 16 || j % 8 == 0)
                .map(|j| {
                    html! {
                        <text class="col-index" x={(left + cell * j as f32 + cell / 2.0).to_string()} y={(top - 4.0).to_string()}>{j}</text>
                    }
                })
                .collect(),
        };
        let notes: Html = props
            .row_notes
            .iter()
            .flat_map(|notes| notes.iter().enumerate())
            .map(|(i, note)| {
                html! {
                    <text class="row-note" x={(left + cell * n_cols as f32 + 6.0).to_string()} y={(top + cell * i as f32 + cell / 2.0 + 3.5).to_string()}>{note.clone()}</text>
                }
            })
            .collect();
        html! { <>{ for row_labels }{ col_labels }{ notes }</> }
    };

    let separators: Html = if props.group > 0 && props.group < n_cols {
        (1..n_cols.div_ceil(props.group))
            .map(|g| {
                let x = left + cell * (g * props.group) as f32;
                html! { <line class="group-line" x1={x.to_string()} x2={x.to_string()} y1={(top - 2.0).to_string()} y2={(top + cell * n_rows as f32 + 2.0).to_string()} /> }
            })
            .collect()
    } else {
        html! {}
    };

    let selection = props.selected.filter(|&(i, j)| i < n_rows && j < n_cols).map(|(i, j)| {
        html! {
            <rect class="selected" x={(left + cell * j as f32).to_string()} y={(top + cell * i as f32).to_string()}
                width={cell.to_string()} height={cell.to_string()} />
        }
    });

    let focus_mark = focused.filter(|_| has_focus).map(|(i, j)| {
        html! {
            <rect class="focused" data-testid="focused-cell" x={(left + cell * j as f32).to_string()} y={(top + cell * i as f32).to_string()}
                width={cell.to_string()} height={cell.to_string()} />
        }
    });
    let announcement = focused.filter(|_| has_focus).map(|(i, j)| {
        let row_label = props.rows.get(i).map(String::as_str).unwrap_or("");
        cell_label(
            &label_name,
            row_label,
            &col_label(&props.cols, j),
            m.get(i, j).unwrap_or(f32::NAN),
        )
    });
    let class = classes!(
        "heatmap",
        clickable.then_some("clickable"),
        props.compact.then_some("compact")
    );
    let aria_label = if clickable {
        let hint = props
            .key_hint
            .clone()
            .map_or_else(|| t!("heatmap.keys_select").into_owned(), |h| h.to_string());
        t!(
            "heatmap.aria_keys",
            name = label_name,
            rows = n_rows,
            cols = n_cols,
            hint = hint
        )
        .into_owned()
    } else {
        t!(
            "heatmap.aria",
            name = label_name,
            rows = n_rows,
            cols = n_cols
        )
        .into_owned()
    };
    let svg = html! {
        <svg {class} ref={svg_ref.clone()} data-testid="heatmap" data-name={props.name.clone()}
            data-rows={n_rows.to_string()} data-cols={n_cols.to_string()}
            data-focus-row={focused.map(|c| c.0.to_string())} data-focus-col={focused.map(|c| c.1.to_string())}
            viewBox={format!("0 0 {width} {height}")} width={width.to_string()}
            role={if clickable { "application" } else { "img" }} aria-label={aria_label}
            tabindex={clickable.then_some("0")}
            onclick={onclick} {onkeydown} {onfocus} {onblur}>
            if props.causal { { hatch_defs("hm-hatch", 5) } }
            { labels }
            <g class="cells">{ cells }</g>
            { separators }
            // Always one node each (see step_view's breakdown): the cells are never rebuilt.
            { selection.unwrap_or_default() }
            { focus_mark.unwrap_or_default() }
        </svg>
    };
    let live = clickable.then(|| {
        html! {
            <p class="sr-only" aria-live="polite" data-testid="cell-announcement">{ announcement.unwrap_or_default() }</p>
        }
    });
    if props.compact {
        return svg;
    }
    html! {
        <figure class="matrix">
            <figcaption>
                <span class="matrix-name">{ label_name.clone() }</span>
                <span class="matrix-shape">{ format!(" ({n_rows} × {n_cols})") }</span>
                if !props.caption.is_empty() { <span class="matrix-caption">{ " " }{ props.caption.clone() }</span> }
            </figcaption>
            // A clickable map is a tab stop itself; a drawn-only one needs its box to be one so
            // that the keyboard can scroll it on a phone.
            if clickable {
                <div class="matrix-scroll">{ svg }</div>
            } else {
                { scroll_box("matrix-scroll", label_name.clone(), svg) }
            }
            { live.unwrap_or_default() }
            <Legend scale={props.scale} lo={lo} hi={hi} />
            <MatrixTools name={props.name.clone()} label={props.label.clone()} matrix={props.matrix.clone()} rows={props.rows.clone()}
                cols={props.cols.clone()} export={props.export.clone()} svg={svg_ref.clone()} />
        </figure>
    }
}
