//! An attention map drawn as an SVG grid with token labels on both axes, which reports the
//! row or column under the pointer (for linked highlighting) and can grey out a causal mask.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::heatmap::{color, format_value, ColorScale, MatrixTools};
use crate::ui::components::scroll_box;

/// What the pointer is over: a row (query token) or a column (key token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridHover {
    Row(usize),
    Col(usize),
}

#[derive(Properties, PartialEq)]
pub struct AttentionGridProps {
    /// Stable name (`data-name`, exported file names), in English.
    pub name: AttrValue,
    /// The name the reader sees (captions, cell labels), when it differs from `name`.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// What the grid shows, language-independent (`data-kind`, e.g. "cross" or "self").
    #[prop_or_default]
    pub kind: AttrValue,
    pub matrix: Rc<Matrix>,
    pub rows: Rc<Vec<String>>,
    pub cols: Rc<Vec<String>>,
    /// Grey out the cells above the diagonal (a decoder's causal mask).
    #[prop_or_default]
    pub causal: bool,
    /// Row and column to emphasise (hover from elsewhere on the page).
    #[prop_or_default]
    pub hover: Option<GridHover>,
    /// The row just computed (outlined).
    #[prop_or_default]
    pub current_row: Option<usize>,
    #[prop_or_default]
    pub onhover: Option<Callback<Option<GridHover>>>,
    #[prop_or_default]
    pub caption: AttrValue,
    /// Where the matrix came from, written into exported files.
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
}

fn short(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

fn attr_usize(e: &web_sys::Element, name: &str) -> Option<usize> {
    e.get_attribute(name).and_then(|v| v.parse().ok())
}

#[component]
pub fn AttentionGrid(props: &AttentionGridProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let label = props.label.clone().unwrap_or_else(|| props.name.clone());
    let svg_ref = use_node_ref();
    let m = &props.matrix;
    let (n_rows, n_cols) = m.shape();
    let cell: f32 = if n_cols > 40 {
        11.0
    } else if n_cols > 20 {
        15.0
    } else {
        22.0
    };
    let label_w = 84.0;
    let top = 62.0;
    let width = label_w + cell * n_cols as f32 + 4.0;
    let height = top + cell * n_rows.max(1) as f32 + 4.0;

    let onmove = props.onhover.clone().map(|cb| {
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let hover = match (attr_usize(&el, "data-row"), attr_usize(&el, "data-col")) {
                (Some(i), _) if el.has_attribute("data-row-label") => Some(GridHover::Row(i)),
                (_, Some(j)) if el.has_attribute("data-col-label") => Some(GridHover::Col(j)),
                (Some(i), Some(_)) => Some(GridHover::Row(i)),
                _ => None,
            };
            cb.emit(hover);
        })
    });
    let onleave = props
        .onhover
        .clone()
        .map(|cb| Callback::from(move |_: MouseEvent| cb.emit(None)));

    let (hi_row, hi_col) = match props.hover {
        Some(GridHover::Row(i)) => (Some(i), None),
        Some(GridHover::Col(j)) => (None, Some(j)),
        None => (None, None),
    };

    let mut cells = Vec::with_capacity(n_rows * n_cols);
    for i in 0..n_rows {
        for j in 0..n_cols {
            let x = label_w + cell * j as f32;
            let y = top + cell * i as f32;
            let masked = props.causal && j > i;
            let v = m.get(i, j).unwrap_or(f32::NAN);
            let row = props.rows.get(i).map(String::as_str).unwrap_or("");
            let col = props.cols.get(j).map(String::as_str).unwrap_or("");
            let cell_label = if masked {
                t!("translate.grid.masked", name = label, row = row, col = col).into_owned()
            } else {
                format!("{label}[{row}, {col}] = {}", format_value(v))
            };
            let fill = if masked {
                "url(#tr-mask-hatch)".to_owned()
            } else {
                color(ColorScale::Weights, v, 1.0)
            };
            cells.push(html! {
                <rect data-testid="cell" data-row={i.to_string()} data-col={j.to_string()}
                    class={classes!(masked.then_some("tr-masked"))}
                    x={x.to_string()} y={y.to_string()} width={cell.to_string()} height={cell.to_string()}
                    fill={fill} aria-label={cell_label.clone()}><title>{ cell_label }</title></rect>
            });
        }
    }
    let row_labels = props.rows.iter().enumerate().take(n_rows).map(|(i, r)| {
        let y = top + cell * i as f32 + cell / 2.0 + 3.5;
        html! {
            <text class={classes!("row-label", (hi_row == Some(i)).then_some("tr-hi"))} data-row-label=""
                data-row={i.to_string()} x={(label_w - 4.0).to_string()} y={y.to_string()}>{ short(r, 11) }</text>
        }
    });
    let col_labels = props.cols.iter().enumerate().take(n_cols).map(|(j, c)| {
        let x = label_w + cell * j as f32 + cell / 2.0 + 3.0;
        html! {
            <text class={classes!("col-label", (hi_col == Some(j)).then_some("tr-hi"))} data-col-label=""
                data-col={j.to_string()} transform={format!("translate({x} {}) rotate(-55)", top - 4.0)}>{ short(c, 9) }</text>
        }
    });
    let band = |horizontal: bool, k: usize, class: &'static str| {
        let (x, y, w, h) = if horizontal {
            (label_w, top + cell * k as f32, cell * n_cols as f32, cell)
        } else {
            (label_w + cell * k as f32, top, cell, cell * n_rows as f32)
        };
        html! { <rect class={class} x={x.to_string()} y={y.to_string()} width={w.to_string()} height={h.to_string()} /> }
    };
    let marks = html! {
        <>
            { for props.current_row.filter(|&i| i < n_rows).map(|i| band(true, i, "tr-current")) }
            { for hi_row.filter(|&i| i < n_rows).map(|i| band(true, i, "tr-band")) }
            { for hi_col.filter(|&j| j < n_cols).map(|j| band(false, j, "tr-band")) }
        </>
    };

    html! {
        <figure class="matrix tr-grid">
            <figcaption>
                <span class="matrix-name">{ label.clone() }</span>
                <span class="matrix-shape">{ format!(" ({n_rows} × {n_cols})") }</span>
                if !props.caption.is_empty() { <span class="matrix-caption">{ " " }{ props.caption.clone() }</span> }
            </figcaption>
            { scroll_box("matrix-scroll", label.clone(), html! {
                <svg ref={svg_ref.clone()} class="heatmap tr-heatmap" data-testid="heatmap" data-name={props.name.clone()} data-kind={props.kind.clone()}
                    data-rows={n_rows.to_string()} data-cols={n_cols.to_string()}
                    viewBox={format!("0 0 {width} {height}")} width={width.to_string()}
                    role="img" aria-label={t!("translate.grid.label", name = label, rows = n_rows, cols = n_cols)}
                    onmouseover={onmove} onmouseleave={onleave}>
                    if props.causal { { crate::ui::components::heatmap::hatch_defs("tr-mask-hatch", 4) } }
                    { for row_labels }
                    { for col_labels }
                    <g class="cells">{ cells }</g>
                    { marks }
                </svg>
            }) }
            <MatrixTools name={props.name.clone()} label={props.label.clone()} matrix={props.matrix.clone()} rows={props.rows.clone()}
                cols={Some(props.cols.clone())} export={props.export.clone()} svg={svg_ref} />
        </figure>
    }
}
