//! A matrix drawn into a `<canvas>`, one block of pixels per cell: for matrices too big for
//! the SVG [`Heatmap`](crate::ui::components::Heatmap) (256 × 256 attention maps, 256 × 384 activations, and the
//! 72 small maps of the model view), where one SVG element per cell would stall the page.
//! Used by the encoder demo and by "your own model" (which draws causal masks hatched).

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::maths::Matrix;
use crate::ui::components::heatmap::{color, format_value, ColorScale};
use crate::ui::components::scroll_box;

#[derive(Properties, PartialEq)]
pub struct AttentionCanvasProps {
    /// Stable name of the matrix (`data-name`), e.g. `"weights head 2"`; shown unless `label`
    /// is given.
    pub name: AttrValue,
    /// The name shown to the reader (in their language), when it differs from `name`.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    pub matrix: Rc<Matrix>,
    pub scale: ColorScale,
    /// Pixels per column (and per row, unless `cell_height` says otherwise).
    #[prop_or(2)]
    pub cell: u32,
    /// Pixels per row, when rows should be taller than columns are wide (wide matrices).
    #[prop_or_default]
    pub cell_height: Option<u32>,
    /// One label per row, drawn beside the rows when they are tall enough to read.
    #[prop_or_default]
    pub rows: Option<Rc<Vec<String>>>,
    /// Signed maps only: colours saturate at the 99th percentile of |value|, so that a few
    /// outlier dimensions (BERT has some) do not wash out everything else.
    #[prop_or_default]
    pub robust: bool,
    /// A dark column every `group` columns (head boundaries); 0 for none.
    #[prop_or_default]
    pub group: usize,
    /// Shown under the name when not compact.
    #[prop_or_default]
    pub caption: AttrValue,
    /// Only the canvas, without caption and range (for small multiples).
    #[prop_or_default]
    pub compact: bool,
    /// Called with `(row, col)` when a cell is clicked.
    #[prop_or_default]
    pub onselect: Option<Callback<(usize, usize)>>,
    /// A causal (decoder) map: the cells above the diagonal, which the mask hides from each
    /// query, are hatched grey instead of drawn as zero weight.
    #[prop_or_default]
    pub causal: bool,
}

/// The two greys of the hatching over masked cells (diagonal stripes, 4 pixels apart).
const HATCH: [[u8; 3]; 2] = [[150, 150, 150], [228, 228, 228]];

/// 256 colours of `scale`, for values from the scale's low end to its high end.
fn palette(scale: ColorScale) -> Vec<[u8; 3]> {
    (0..256)
        .map(|k| {
            let t = k as f32 / 255.0;
            let v = match scale {
                ColorScale::Weights => t,
                ColorScale::Signed => 2.0 * t - 1.0,
            };
            let hex = color(scale, v, 1.0);
            let byte =
                |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
            [byte(1), byte(3), byte(5)]
        })
        .collect()
}

/// Where signed colours saturate: the largest |value|, or its 99th percentile when `robust`.
fn colour_limit(m: &Matrix, robust: bool) -> f32 {
    let mut mags: Vec<f32> = m
        .data()
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    if mags.is_empty() {
        return f32::MIN_POSITIVE;
    }
    let k = if robust {
        (mags.len() - 1) * 99 / 100
    } else {
        mags.len() - 1
    };
    let (_, kth, _) = mags.select_nth_unstable_by(k, f32::total_cmp);
    kth.max(f32::MIN_POSITIVE)
}

/// RGBA pixels of `m`, `cell_w × cell_h` pixels per entry, a dark column at head boundaries,
/// and (when `causal`) grey diagonal stripes over the cells above the diagonal.
fn pixels(
    m: &Matrix,
    scale: ColorScale,
    (cell_w, cell_h): (usize, usize),
    (group, causal): (usize, bool),
    limit: f32,
) -> Vec<u8> {
    let (rows, cols) = m.shape();
    let (width, height) = (cols * cell_w, rows * cell_h);
    let lut = palette(scale);
    let index = |v: f32| -> usize {
        let t = match scale {
            ColorScale::Weights => v.clamp(0.0, 1.0),
            ColorScale::Signed => (0.5 + 0.5 * v / limit).clamp(0.0, 1.0),
        };
        (t * 255.0).round() as usize
    };
    let mut out = vec![255u8; width * height * 4];
    for i in 0..rows {
        for (j, &v) in m.row(i).iter().enumerate() {
            let rgb = if v.is_finite() {
                lut[index(v)]
            } else {
                [200, 200, 200]
            };
            let boundary = group > 0 && j > 0 && j % group == 0;
            for dy in 0..cell_h {
                let y = i * cell_h + dy;
                for dx in 0..cell_w {
                    let p = (y * width + j * cell_w + dx) * 4;
                    let x = j * cell_w + dx;
                    let rgb = if causal && j > i {
                        HATCH[usize::from((x + y) % 4 != 0)]
                    } else if boundary && dx == 0 && cell_w > 1 {
                        [17, 17, 17]
                    } else {
                        rgb
                    };
                    out[p..p + 3].copy_from_slice(&rgb);
                }
            }
        }
    }
    out
}

fn draw(
    canvas: &HtmlCanvasElement,
    m: &Matrix,
    scale: ColorScale,
    cells: (usize, usize),
    marks: (usize, bool),
    limit: f32,
) -> Option<()> {
    let (rows, cols) = m.shape();
    let (width, height) = ((cols * cells.0) as u32, (rows * cells.1) as u32);
    if width == 0 || height == 0 {
        return None;
    }
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let data = pixels(m, scale, cells, marks, limit);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&data), width, height).ok()?;
    ctx.put_image_data(&image, 0.0, 0.0).ok()
}

#[component]
pub fn AttentionCanvas(props: &AttentionCanvasProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let label = props.label.clone().unwrap_or_else(|| props.name.clone());
    let canvas = use_node_ref();
    let cell_w = props.cell.max(1) as usize;
    let cell_h = props.cell_height.map_or(cell_w, |h| h.max(1) as usize);
    let limit = match props.scale {
        ColorScale::Signed => colour_limit(&props.matrix, props.robust),
        ColorScale::Weights => 1.0,
    };
    {
        let canvas = canvas.clone();
        let (m, scale, marks) = (
            props.matrix.clone(),
            props.scale,
            (props.group, props.causal),
        );
        use_effect_with(
            (m, scale, (cell_w, cell_h), marks),
            move |(m, scale, cells, marks)| {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    draw(&c, m, *scale, *cells, *marks, limit);
                }
            },
        );
    }
    let (rows, cols) = props.matrix.shape();
    let onclick = props.onselect.clone().map(|cb| {
        Callback::from(move |e: MouseEvent| {
            let Some(target) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let (w, h) = (
                f64::from(target.client_width()),
                f64::from(target.client_height()),
            );
            if w <= 0.0 || h <= 0.0 {
                return;
            }
            let x = f64::from(e.offset_x()) / w;
            let y = f64::from(e.offset_y()) / h;
            let (i, j) = ((y * rows as f64) as usize, (x * cols as f64) as usize);
            if i < rows && j < cols {
                cb.emit((i, j));
            }
        })
    });
    let class = classes!(
        "enc-canvas",
        props.compact.then_some("compact"),
        props.onselect.is_some().then_some("clickable")
    );
    let (lo, hi) = props.matrix.finite_range();
    let style =
        (!props.compact).then(|| format!("width:{}px;height:{}px", cols * cell_w, rows * cell_h));
    let canvas_html = html! {
        <canvas ref={canvas} {class} data-testid="canvas-map" data-name={props.name.clone()}
            data-rows={rows.to_string()} data-cols={cols.to_string()} style={style}
            role="img" aria-label={t!("encoder.canvas.label", name = label, rows = rows, cols = cols, lo = format_value(lo), hi = format_value(hi))}
            onclick={onclick}></canvas>
    };
    if props.compact {
        return canvas_html;
    }
    let saturated = props.scale == ColorScale::Signed && limit < lo.abs().max(hi.abs());
    html! {
        <figure class="matrix">
            <figcaption>
                <span class="matrix-name">{ label.clone() }</span>
                <span class="matrix-shape">{ format!(" ({rows} × {cols})") }</span>
                if !props.caption.is_empty() { <span class="matrix-caption">{ " " }{ props.caption.clone() }</span> }
            </figcaption>
            { scroll_box("matrix-scroll enc-canvas-row", label.clone(), html! { <>
                if let Some(labels) = props.rows.as_ref().filter(|_| cell_h >= 9) {
                    <div class="enc-row-labels" aria-hidden="true" style={format!("font-size:{}px", cell_h.min(12))}>
                        { for labels.iter().map(|t| html! { <span style={format!("height:{cell_h}px;line-height:{cell_h}px")}>{ t.clone() }</span> }) }
                    </div>
                }
                { canvas_html }
            </> }) }
            <p class="enc-range muted">{
                if saturated {
                    t!("encoder.canvas.range_saturated", lo = format_value(lo), hi = format_value(hi), limit = format_value(limit))
                } else {
                    t!("encoder.canvas.range", lo = format_value(lo), hi = format_value(hi))
                }
            }</p>
        </figure>
    }
}
