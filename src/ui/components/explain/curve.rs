//! The erasure curve: the prediction's drop after removing the top-k elements as each measure
//! ranks them (random: the mean of seeded draws), with its data table and areas.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::explain::{ErasureCurve, RANDOM_DRAWS};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::heatmap::format_value;
use crate::ui::components::MatrixTools;

const W: f64 = 420.0;
const H: f64 = 200.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// Rows k = 0, then each measured k; one column per measure.
fn table(curve: &ErasureCurve) -> (Matrix, Vec<String>, Vec<String>) {
    let rows = std::iter::once(0)
        .chain(curve.ks.iter().copied())
        .map(|k| t!("explain.curve.k", k = k).into_owned())
        .collect();
    let cols = curve.series.iter().map(|s| s.measure.label()).collect();
    let matrix = Matrix::from_fn(curve.ks.len() + 1, curve.series.len(), |r, c| {
        if r == 0 {
            0.0
        } else {
            curve.series[c].drops[r - 1] as f32
        }
    });
    (matrix, rows, cols)
}

pub(super) fn erasure_chart(
    curve: &ErasureCurve,
    base: f64,
    export: Option<Rc<ExportContext>>,
) -> Html {
    let k_max = curve.ks.last().copied().unwrap_or(1).max(1) as f64;
    let all = curve.series.iter().flat_map(|s| s.drops.iter().copied());
    let (lo, hi) = all.fold((0.0f64, base.max(1e-6)), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let x = |k: f64| LEFT + k / k_max * (W - LEFT - 8.0);
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let (matrix, rows, cols) = table(curve);
    let svg = NodeRef::default();
    html! {
        <div class="explain-curve-wrap">
            <h4>{ t!("explain.curve.title") }</h4>
            <p class="muted">{ t!("explain.curve.explain", draws = RANDOM_DRAWS) }</p>
            <svg ref={svg.clone()} class="explain-curve" data-testid="explain-curve" role="img"
                aria-label={t!("explain.curve.title")} viewBox={format!("0 0 {W} {H}")}>
                <line class="axis" x1={LEFT.to_string()} x2={(W - 8.0).to_string()} y1={y(0.0).to_string()} y2={y(0.0).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="tick" x={(LEFT - 4.0).to_string()} y={(y(hi) + 4.0).to_string()} text-anchor="end">{ format_value(hi as f32) }</text>
                <text class="tick" x={(LEFT - 4.0).to_string()} y={(y(0.0) + 4.0).to_string()} text-anchor="end">{ "0" }</text>
                <text class="tick" x={x(k_max).to_string()} y={(H - 8.0).to_string()} text-anchor="end">{ t!("explain.curve.k", k = k_max as usize) }</text>
                { for curve.series.iter().map(|s| {
                    let points: String = std::iter::once((0.0, 0.0))
                        .chain(curve.ks.iter().zip(&s.drops).map(|(&k, &d)| (k as f64, d)))
                        .map(|(k, d)| format!("{:.1},{:.1} ", x(k), y(d)))
                        .collect();
                    html! { <polyline class={classes!("explain-line", s.measure.id())} data-testid={format!("curve-{}", s.measure.id())} points={points} /> }
                }) }
            </svg>
            <ul class="explain-legend" data-testid="explain-areas">
                { for curve.series.iter().map(|s| html! {
                    <li class={s.measure.id()} data-testid={format!("area-{}", s.measure.id())} data-area={format!("{:.6}", s.area())}>
                        <span class="swatch" aria-hidden="true"></span>
                        { t!("explain.curve.area", measure = s.measure.label(), area = format_value(s.area() as f32)) }
                    </li>
                }) }
            </ul>
            <MatrixTools name="explain-erasure" label={t!("explain.curve.title").into_owned()}
                matrix={Rc::new(matrix)} rows={Rc::new(rows)} cols={Some(Rc::new(cols))} export={export} svg={svg} />
        </div>
    }
}
