//! A matrix drawn as an SVG heatmap, with its shape, labels, a legend and clickable cells.
//! A clickable heatmap is also one tab stop: arrow keys move a focused cell, Enter or Space
//! selects it, Escape dismisses the selection, and the focused cell is announced.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::export::{ExportContext, MatrixExport};
use crate::maths::Matrix;
use crate::ui::download::{save_png, save_text};

/// How values map to colours. Both maps are colour-blind safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScale {
    /// Probabilities in [0, 1]: white to dark blue, so the many small weights stay light.
    Weights,
    /// Signed values, symmetric around 0: blue (negative) – white – red (positive).
    Signed,
}

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

fn short_label(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// The colour of `v` under `scale`, given the largest magnitude for signed maps.
pub fn color(scale: ColorScale, v: f32, max_abs: f32) -> String {
    if !v.is_finite() {
        return "#c8c8c8".into();
    }
    let c = match scale {
        ColorScale::Weights => colorous::BLUES.eval_continuous(f64::from(v.clamp(0.0, 1.0))),
        ColorScale::Signed => {
            let t = if max_abs > 0.0 {
                0.5 + 0.5 * v / max_abs
            } else {
                0.5
            };
            // RED_BLUE runs red → blue; flip it so positive is red.
            colorous::RED_BLUE.eval_continuous(f64::from(1.0 - t.clamp(0.0, 1.0)))
        }
    };
    format!("#{c:x}")
}

fn text_color(scale: ColorScale, v: f32, max_abs: f32) -> &'static str {
    match scale {
        ColorScale::Weights if v.is_finite() && v > 0.5 => "#fff",
        ColorScale::Signed if v.is_finite() && max_abs > 0.0 && (v / max_abs).abs() > 0.6 => "#fff",
        _ => "#111",
    }
}

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

#[component]
pub fn Heatmap(props: &HeatmapProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let svg_ref = use_node_ref();
    // The keyboard's cell, and whether the map has the focus (the cell is drawn only then).
    let focus_cell = use_state(|| None::<(usize, usize)>);
    let has_focus = use_state(|| false);
    let m = &props.matrix;
    let (n_rows, n_cols) = m.shape();
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

    let onclick = props.onselect.clone().map(|cb| {
        Callback::from(move |e: MouseEvent| {
            let Some(target) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let parse = |a| {
                target
                    .get_attribute(a)
                    .and_then(|v| v.parse::<usize>().ok())
            };
            if let (Some(i), Some(j)) = (parse("data-row"), parse("data-col")) {
                cb.emit((i, j));
            }
        })
    });

    let mut cells = Vec::with_capacity(n_rows * n_cols);
    for i in 0..n_rows {
        for j in 0..n_cols {
            let v = m.get(i, j).unwrap_or(f32::NAN);
            let x = left + cell * j as f32;
            let y = top + cell * i as f32;
            let row_label = props.rows.get(i).map(String::as_str).unwrap_or("");
            let col_label = match &props.cols {
                Some(c) => c.get(j).cloned().unwrap_or_default(),
                None => j.to_string(),
            };
            let label = cell_label(&label_name, row_label, &col_label, v);
            cells.push(html! {
                <rect data-testid="cell" data-row={i.to_string()} data-col={j.to_string()}
                    x={x.to_string()} y={y.to_string()} width={cell.to_string()} height={cell.to_string()}
                    fill={color(props.scale, v, max_abs)} aria-label={label} />
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

    let clickable = props.onselect.is_some() && n_rows > 0 && n_cols > 0;
    let focused = focus_cell.filter(|&(i, j)| i < n_rows && j < n_cols);
    let focus_mark = focused.filter(|_| *has_focus).map(|(i, j)| {
        html! {
            <rect class="focused" data-testid="focused-cell" x={(left + cell * j as f32).to_string()} y={(top + cell * i as f32).to_string()}
                width={cell.to_string()} height={cell.to_string()} />
        }
    });
    let onkeydown = clickable.then(|| {
        let (focus_cell, onselect, ondismiss) = (
            focus_cell.clone(),
            props.onselect.clone(),
            props.ondismiss.clone(),
        );
        let start = props.selected.filter(|&(i, j)| i < n_rows && j < n_cols);
        Callback::from(move |e: KeyboardEvent| {
            let current = (*focus_cell)
                .filter(|&(i, j)| i < n_rows && j < n_cols)
                .or(start)
                .unwrap_or((0, 0));
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
        let start = props.selected.filter(|&(i, j)| i < n_rows && j < n_cols);
        Callback::from(move |_: FocusEvent| {
            if focus_cell
                .filter(|&(i, j)| i < n_rows && j < n_cols)
                .is_none()
            {
                focus_cell.set(Some(start.unwrap_or((0, 0))));
            }
            has_focus.set(true);
        })
    });
    let onblur = clickable.then(|| {
        let has_focus = has_focus.clone();
        Callback::from(move |_: FocusEvent| has_focus.set(false))
    });
    // A click moves the keyboard's cell too, so the two never disagree.
    let onclick = onclick.map(|select| {
        let focus_cell = focus_cell.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let parse = |a| el.get_attribute(a).and_then(|v| v.parse::<usize>().ok());
                if let (Some(i), Some(j)) = (parse("data-row"), parse("data-col")) {
                    focus_cell.set(Some((i, j)));
                }
            }
            select.emit(e);
        })
    });
    let announcement = focused.filter(|_| *has_focus).map(|(i, j)| {
        let row_label = props.rows.get(i).map(String::as_str).unwrap_or("");
        let col_label = match &props.cols {
            Some(c) => c.get(j).cloned().unwrap_or_default(),
            None => j.to_string(),
        };
        cell_label(
            &label_name,
            row_label,
            &col_label,
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
            <div class="matrix-scroll">{ svg }</div>
            { live.unwrap_or_default() }
            <Legend scale={props.scale} lo={lo} hi={hi} />
            <MatrixTools name={props.name.clone()} label={props.label.clone()} matrix={props.matrix.clone()} rows={props.rows.clone()}
                cols={props.cols.clone()} export={props.export.clone()} svg={svg_ref.clone()} />
        </figure>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Png,
    Svg,
    Csv,
    Json,
}

impl ExportFormat {
    const ALL: [ExportFormat; 4] = [Self::Png, Self::Svg, Self::Csv, Self::Json];

    fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Svg => "SVG",
            Self::Csv => "CSV",
            Self::Json => "JSON",
        }
    }
}

fn column_labels(matrix: &Matrix, cols: &Option<Rc<Vec<String>>>) -> Vec<String> {
    match cols {
        Some(c) => c.as_ref().clone(),
        None => (0..matrix.cols()).map(|j| j.to_string()).collect(),
    }
}

/// The tools under a drawn matrix: a data table toggle and Save as PNG, SVG, CSV and JSON.
/// Every view that draws a matrix as SVG shows them, whatever draws it (the [`Heatmap`], the
/// translation's alignment grid…).
#[derive(Properties, PartialEq)]
pub struct MatrixToolsProps {
    /// Stable name (file names); `label` is what the reader sees, when given.
    pub name: AttrValue,
    #[prop_or_default]
    pub label: Option<AttrValue>,
    pub matrix: Rc<Matrix>,
    pub rows: Rc<Vec<String>>,
    #[prop_or_default]
    pub cols: Option<Rc<Vec<String>>>,
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
    /// The `<svg>` saved as SVG and PNG.
    pub svg: NodeRef,
}

#[component]
pub fn MatrixTools(props: &MatrixToolsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let show_table = use_state(|| false);
    let export_error = use_state(|| None::<String>);
    let label = props.label.clone().unwrap_or_else(|| props.name.clone());
    html! {
        <>
            <div class="matrix-tools" role="group" aria-label={t!("heatmap.tools", name = label)}>
                <button type="button" data-testid="table-toggle" aria-pressed={show_table.to_string()}
                    onclick={{ let show = show_table.clone(); Callback::from(move |_| show.set(!*show)) }}>
                    { if *show_table { t!("heatmap.hide_table") } else { t!("heatmap.table") } }</button>
                <span class="muted">{ t!("heatmap.save") }</span>
                { for ExportFormat::ALL.into_iter().map(|format| {
                    let onclick = export_callback(props, &props.svg, &export_error, format);
                    html! { <button type="button" data-testid={format!("export-{}", format.ext())}
                        aria-label={t!("heatmap.save_as", name = label, format = format.label())} {onclick}>{ format.label() }</button> }
                }) }
                if let Some(e) = &*export_error { <span class="error" role="alert">{ e.clone() }</span> }
            </div>
            if *show_table { <MatrixTable name={label.clone()} matrix={props.matrix.clone()} rows={props.rows.clone()} cols={props.cols.clone()} /> }
        </>
    }
}

fn export_callback(
    props: &MatrixToolsProps,
    svg_ref: &NodeRef,
    error: &UseStateHandle<Option<String>>,
    format: ExportFormat,
) -> Callback<MouseEvent> {
    let (name, matrix, rows, cols) = (
        props.name.clone(),
        props.matrix.clone(),
        props.rows.clone(),
        props.cols.clone(),
    );
    let context = props.export.clone().unwrap_or_default();
    let (svg_ref, error) = (svg_ref.clone(), error.clone());
    Callback::from(move |_: MouseEvent| {
        let cols = column_labels(&matrix, &cols);
        let export = MatrixExport {
            name: &name,
            context: &context,
            rows: &rows,
            cols: &cols,
            values: (0..matrix.rows()).map(|i| matrix.row(i)).collect(),
        };
        let filename = format!("{}.{}", export.file_stem(), format.ext());
        let result = match format {
            ExportFormat::Csv => export
                .to_csv()
                .and_then(|t| save_text(&filename, "text/csv;charset=utf-8", &t)),
            ExportFormat::Json => export
                .to_json()
                .and_then(|t| save_text(&filename, "application/json", &t)),
            ExportFormat::Svg => match svg_ref.cast::<web_sys::Element>() {
                Some(svg) => save_text(
                    &filename,
                    "image/svg+xml",
                    &crate::ui::download::standalone_svg(&svg),
                ),
                None => Err(t!("heatmap.not_on_page").into_owned()),
            },
            ExportFormat::Png => {
                if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                    let error = error.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = save_png(&filename, &svg, 2.0).await {
                            error.set(Some(
                                t!("heatmap.save_failed", format = "PNG", error = e).into_owned(),
                            ));
                        }
                    });
                    Ok(())
                } else {
                    Err(t!("heatmap.not_on_page").into_owned())
                }
            }
        };
        error.set(
            result.err().map(|e| {
                t!("heatmap.save_failed", format = format.label(), error = e).into_owned()
            }),
        );
    })
}

#[derive(Properties, PartialEq)]
struct MatrixTableProps {
    name: AttrValue,
    matrix: Rc<Matrix>,
    rows: Rc<Vec<String>>,
    cols: Option<Rc<Vec<String>>>,
}

/// The numbers behind a heatmap as a table, for screen readers and for reading exact values.
#[component]
fn MatrixTable(props: &MatrixTableProps) -> Html {
    let cols = column_labels(&props.matrix, &props.cols);
    html! {
        <div class="matrix-table-scroll">
            <table class="matrix-table" data-testid="heatmap-table">
                <caption>{ format!("{} ({} × {})", props.name, props.matrix.rows(), props.matrix.cols()) }</caption>
                <thead><tr><th scope="col"></th>{ for cols.iter().map(|c| html! { <th scope="col">{ c.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for (0..props.matrix.rows()).map(|i| html! {
                        <tr>
                            <th scope="row">{ props.rows.get(i).cloned().unwrap_or_else(|| i.to_string()) }</th>
                            { for props.matrix.row(i).iter().map(|&v| html! { <td>{ format_value(v) }</td> }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    scale: ColorScale,
    lo: f32,
    hi: f32,
}

#[component]
fn Legend(props: &LegendProps) -> Html {
    let (lo, hi, max_abs) = match props.scale {
        ColorScale::Weights => (0.0, 1.0, 1.0),
        ColorScale::Signed => {
            let m = props.lo.abs().max(props.hi.abs());
            (-m, m, m)
        }
    };
    let stops = (0..=10).map(|k| {
        let t = k as f32 / 10.0;
        let v = lo + (hi - lo) * t;
        html! { <span style={format!("background:{}", color(props.scale, v, max_abs))}></span> }
    });
    html! {
        <div class="legend" aria-hidden="true">
            <span class="legend-value">{ format_value(lo) }</span>
            <span class="legend-bar">{ for stops }</span>
            <span class="legend-value">{ format_value(hi) }</span>
        </div>
    }
}
