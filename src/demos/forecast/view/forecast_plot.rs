//! The model's window and forecast as a line chart: past values you can drag up or down (mouse,
//! touch, or the arrow keys on a focused point), the forecast, the seasonal-naive baseline and
//! the true values where the data has them; and, on the same x axis underneath, the attention of
//! one forecast step over the past steps.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::forecast::{format_value, lag, nice_ticks, padded_range, LinearScale};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::heatmap::{color, ColorScale, MatrixTools};

/// One past step in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct PastPoint {
    /// Index in the series.
    pub index: usize,
    pub value: f64,
    /// The value in the data when the user has changed it.
    pub original: Option<f64>,
}

#[derive(Properties, PartialEq)]
pub struct ForecastPlotProps {
    /// The past steps shown (at most `window`, fewer at the start of the series).
    pub past: Rc<Vec<PastPoint>>,
    /// First forecast step (index in the series).
    pub origin: usize,
    pub window: usize,
    pub horizon: usize,
    /// Date label of every position, `window + horizon` of them, oldest first.
    pub labels: Rc<Vec<String>>,
    /// True values after the origin, where the data has them (may be shorter than the horizon).
    pub truth: Rc<Vec<f64>>,
    pub forecast: Option<Rc<Vec<f64>>>,
    pub baseline: Option<Rc<Vec<f64>>>,
    pub unit: AttrValue,
    /// Season length: past steps a whole number of seasons before the chosen step are marked.
    pub period: usize,
    /// The forecast step whose attention is drawn (0-based).
    pub step: usize,
    pub onstep: Callback<usize>,
    /// A past value changed: (index in the series, new value).
    pub onedit: Callback<(usize, f64)>,
    /// Attention of the chosen step over the `window` past steps, for the chosen layer and head.
    pub attention: Option<Rc<Vec<f32>>>,
    /// e.g. "layer 2, average of 4 heads", in the reader's language.
    pub attention_label: AttrValue,
    /// The same in English, for the stable name of the exported grid (`data-name`, file names).
    pub attention_id: AttrValue,
    /// The same layer and head for every forecast step (rows), drawn as a grid under the bars.
    #[prop_or_default]
    pub all_rows: Option<Rc<Vec<Vec<f32>>>>,
    /// Written into the grid's exported files (Save buttons and data table under the grid).
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
}

const W: f64 = 960.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 10.0;
const PLOT_H: f64 = 250.0;
const TOP: f64 = 10.0;
const AXIS_H: f64 = 34.0;
const BARS_H: f64 = 96.0;

fn polyline(points: impl Iterator<Item = (f64, f64)>) -> String {
    points
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn ForecastPlot(props: &ForecastPlotProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let svg_ref = use_node_ref();
    let scroller = use_node_ref();
    {
        // On a narrow screen the chart scrolls sideways: start at its right end, the forecast.
        let scroller = scroller.clone();
        use_effect_with((), move |_| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                el.set_scroll_left(el.scroll_width());
            }
        });
    }
    // While a point is dragged the y axis stays as it was when the drag began.
    let drag = use_state(|| None::<(usize, LinearScale)>);
    let positions = props.window + props.horizon;
    let step_w = (W - LEFT - RIGHT) / positions as f64;
    let first = props.origin as i64 - props.window as i64;
    let x_of_index = |i: usize| LEFT + ((i as i64 - first) as f64 + 0.5) * step_w;
    let x_of_pos = |p: usize| LEFT + (p as f64 + 0.5) * step_w;

    let domain_values = props
        .past
        .iter()
        .flat_map(|p| std::iter::once(p.value).chain(p.original))
        .chain(props.truth.iter().copied())
        .chain(props.forecast.iter().flat_map(|f| f.iter().copied()))
        .chain(props.baseline.iter().flat_map(|f| f.iter().copied()));
    let (lo, hi) = padded_range(domain_values, 0.08).unwrap_or((0.0, 1.0));
    let ys = match *drag {
        Some((_, s)) => s,
        None => LinearScale::new(lo, hi, TOP + PLOT_H, TOP),
    };

    let value_at = {
        let svg_ref = svg_ref.clone();
        move |e: &PointerEvent, scale: &LinearScale| -> Option<f64> {
            let svg: web_sys::Element = svg_ref.cast()?;
            let rect = svg.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return None;
            }
            // the viewBox scales uniformly: one factor for x and y
            let k = W / rect.width();
            let y = (f64::from(e.client_y()) - rect.top()) * k;
            Some(scale.from_px(y))
        }
    };
    let start_drag = |index: usize| {
        let (drag, svg_ref) = (drag.clone(), svg_ref.clone());
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                let _ = svg.set_pointer_capture(e.pointer_id());
            }
            drag.set(Some((index, ys)));
        })
    };
    let onpointermove = {
        let (drag, onedit, value_at) = (drag.clone(), props.onedit.clone(), value_at.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some((index, scale)) = *drag {
                if let Some(v) = value_at(&e, &scale) {
                    onedit.emit((index, v));
                }
            }
        })
    };
    let end_drag = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.set(None))
    };
    let key_edit = |index: usize, value: f64| {
        let onedit = props.onedit.clone();
        let nudge = (hi - lo) / 50.0;
        Callback::from(move |e: KeyboardEvent| {
            let delta = match e.key().as_str() {
                "ArrowUp" => nudge,
                "ArrowDown" => -nudge,
                _ => return,
            };
            e.prevent_default();
            onedit.emit((index, value + delta));
        })
    };

    // axes
    let y_ticks = nice_ticks(ys.lo, ys.hi, 5);
    let label_every = if props.period == 12 { 6 } else { 5 };
    let x_labels = (0..positions).filter(|p| {
        let index = first + *p as i64;
        index >= 0 && (index as usize).is_multiple_of(label_every)
    });

    let past_line = polyline(
        props
            .past
            .iter()
            .map(|p| (x_of_index(p.index), ys.to_px(p.value))),
    );
    let series_line = |values: &[f64]| {
        polyline(
            props
                .past
                .last()
                .map(|p| (x_of_index(p.index), ys.to_px(p.value)))
                .into_iter()
                .chain(
                    values
                        .iter()
                        .enumerate()
                        .map(|(h, &v)| (x_of_index(props.origin + h), ys.to_px(v))),
                ),
        )
    };
    let truth_line = series_line(&props.truth);
    let origin_x = LEFT + props.window as f64 * step_w;
    let unit = props.unit.clone();

    let plot = html! {
        <svg ref={svg_ref.clone()} class="fc-plot" data-testid="forecast-plot" viewBox={format!("0 0 {W} {}", TOP + PLOT_H + AXIS_H)}
            role="group" aria-label={t!("forecast.plot.label")}
            onpointermove={onpointermove} onpointerup={end_drag.clone()} onpointercancel={end_drag}>
            <rect class="fc-future" x={origin_x.to_string()} y={TOP.to_string()} width={(W - RIGHT - origin_x).to_string()} height={PLOT_H.to_string()} />
            { for y_ticks.iter().map(|&t| html! {
                <g class="fc-tick">
                    <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={ys.to_px(t).to_string()} y2={ys.to_px(t).to_string()} />
                    <text x={(LEFT - 6.0).to_string()} y={(ys.to_px(t) + 4.0).to_string()} class="fc-y-label">{ format_value(t) }</text>
                </g>
            }) }
            <text class="fc-unit" x="4" y={(TOP + 10.0).to_string()}>{ unit.clone() }</text>
            { for x_labels.map(|p| html! {
                <text class="fc-x-label" x={x_of_pos(p).to_string()} y={(TOP + PLOT_H + 16.0).to_string()}>
                    { props.labels.get(p).cloned().unwrap_or_default() }</text>
            }) }
            <line class="fc-origin" x1={origin_x.to_string()} x2={origin_x.to_string()} y1={TOP.to_string()} y2={(TOP + PLOT_H).to_string()} />
            <text class="fc-region-label" x={(origin_x - 6.0).to_string()} y={(TOP + 14.0).to_string()} text-anchor="end">{ t!("forecast.plot.past_region") }</text>
            <text class="fc-region-label" x={(origin_x + 6.0).to_string()} y={(TOP + 14.0).to_string()}>{ t!("forecast.plot.forecast_region") }</text>
            if !props.truth.is_empty() {
                <polyline class="fc-truth" data-testid="truth-line" points={truth_line} />
            }
            if let Some(b) = &props.baseline {
                <polyline class="fc-baseline" data-testid="baseline-line" points={series_line(b)} />
            }
            <polyline class="fc-past" points={past_line} />
            { for props.past.iter().filter_map(|p| p.original.map(|o| html! {
                <circle class="fc-original" cx={x_of_index(p.index).to_string()} cy={ys.to_px(o).to_string()} r="3.5" />
            })) }
            { for props.past.iter().map(|p| {
                let (x, y) = (x_of_index(p.index), ys.to_px(p.value));
                let date = props.labels.get((p.index as i64 - first).max(0) as usize).cloned().unwrap_or_default();
                let label = if p.original.is_some() {
                    t!("forecast.plot.point_edited", date = date, value = format_value(p.value), unit = props.unit)
                } else {
                    t!("forecast.plot.point", date = date, value = format_value(p.value), unit = props.unit)
                };
                html! {
                    <g class={classes!("fc-point", p.original.is_some().then_some("edited"))} data-testid="past-point"
                        data-index={p.index.to_string()} data-value={format!("{}", p.value)}
                        tabindex="0" role="slider" aria-label={label} aria-valuenow={format!("{:.3}", p.value)}
                        onpointerdown={start_drag(p.index)} onkeydown={key_edit(p.index, p.value)}>
                        <circle class="fc-hit" cx={x.to_string()} cy={y.to_string()} r="11" />
                        <circle class="fc-dot" cx={x.to_string()} cy={y.to_string()} r="3.5" />
                    </g>
                }
            }) }
            { for props.truth.iter().enumerate().map(|(h, &v)| html! {
                <circle class="fc-truth-dot" cx={x_of_index(props.origin + h).to_string()} cy={ys.to_px(v).to_string()} r="2.5" />
            }) }
            if let Some(f) = &props.forecast {
                <polyline class="fc-forecast" data-testid="forecast-line" points={series_line(f)} />
                { for f.iter().enumerate().map(|(h, &v)| {
                    let onstep = props.onstep.clone();
                    let selected = h == props.step;
                    html! {
                        <circle class={classes!("fc-forecast-dot", selected.then_some("selected"))} data-testid="forecast-point"
                            data-step={h.to_string()} data-value={format!("{v}")}
                            cx={x_of_index(props.origin + h).to_string()} cy={ys.to_px(v).to_string()} r={if selected { "6" } else { "4" }}
                            onclick={Callback::from(move |_| onstep.emit(h))}>
                            <title>{ t!("forecast.plot.forecast_point", step = h + 1, value = format_value(v)) }</title>
                        </circle>
                    }
                }) }
            }
        </svg>
    };

    let bars = match &props.attention {
        Some(row) => {
            let max = row.iter().copied().fold(0.0f32, f32::max).max(1e-6);
            let bar_max = BARS_H - 22.0;
            let sel_pos = props.window + props.step;
            let seasonal = |p: usize| {
                props.period > 0 && lag(props.window, props.step, p).is_multiple_of(props.period)
            };
            html! {
                <svg class="fc-bars" data-testid="attention-bars" data-step={props.step.to_string()}
                    viewBox={format!("0 0 {W} {BARS_H}")} role="img"
                    aria-label={t!("forecast.plot.bars_label", step = props.step + 1, window = props.window, label = props.attention_label)}>
                    <line class="fc-bars-base" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(bar_max + 4.0).to_string()} y2={(bar_max + 4.0).to_string()} />
                    <text class="fc-y-label" x={(LEFT - 6.0).to_string()} y="12">{ format!("{:.0}%", max * 100.0) }</text>
                    { for row.iter().enumerate().map(|(p, &w)| {
                        let h = f64::from(w / max) * bar_max;
                        let x = x_of_pos(p) - step_w * 0.4;
                        html! {
                            <rect class={classes!("fc-bar", seasonal(p).then_some("seasonal"))} data-testid="attention-bar"
                                data-lag={lag(props.window, props.step, p).to_string()} data-weight={format!("{w}")}
                                x={x.to_string()} y={(bar_max + 4.0 - h).to_string()} width={(step_w * 0.8).to_string()} height={h.max(0.0).to_string()}>
                                <title>{ t!("forecast.plot.bar", date = props.labels.get(p).cloned().unwrap_or_default(), pct = format!("{:.1}", w * 100.0), lag = lag(props.window, props.step, p)) }</title>
                            </rect>
                        }
                    }) }
                    { for (0..props.window).filter(|&p| seasonal(p)).map(|p| html! {
                        <text class="fc-season-mark" x={x_of_pos(p).to_string()} y={(bar_max + 17.0).to_string()}>
                            { format!("−{}", lag(props.window, props.step, p)) }</text>
                    }) }
                    <rect class="fc-bar-target" x={(x_of_pos(sel_pos) - step_w * 0.4).to_string()} y="4"
                        width={(step_w * 0.8).to_string()} height={bar_max.to_string()} />
                    <text class="fc-bars-label" x={(x_of_pos(sel_pos) + step_w * 0.6).to_string()} y="14">
                        { t!("forecast.plot.attends", step = props.step + 1) }</text>
                </svg>
            }
        }
        None => html! {},
    };

    let grid_ref = use_node_ref();
    let grid = props.all_rows.as_ref().map(|rows| {
        let max = rows
            .iter()
            .flatten()
            .copied()
            .fold(0.0f32, f32::max)
            .max(1e-6);
        let row_h = 10.0;
        let height = row_h * rows.len() as f64 + 16.0;
        html! {
            <svg ref={grid_ref.clone()} class="fc-grid" data-testid="attention-grid" viewBox={format!("0 0 {W} {height}")} role="img"
                aria-label={t!("forecast.plot.grid_label", h = rows.len(), label = props.attention_label, pct = format!("{:.1}", max * 100.0))}>
                { for rows.iter().enumerate().map(|(h, row)| {
                    let y = h as f64 * row_h;
                    let onstep = props.onstep.clone();
                    html! {
                        <g class={classes!("fc-grid-row", (h == props.step).then_some("selected"))} data-step={h.to_string()}
                            onclick={Callback::from(move |_| onstep.emit(h))}>
                            <text class="fc-y-label" x={(LEFT - 6.0).to_string()} y={(y + row_h - 1.5).to_string()}>{ format!("+{}", h + 1) }</text>
                            { for row.iter().enumerate().map(|(p, &w)| html! {
                                <rect x={(LEFT + p as f64 * step_w).to_string()} y={y.to_string()} width={(step_w + 0.3).to_string()}
                                    height={row_h.to_string()} fill={color(ColorScale::Weights, w / max, 1.0)} />
                            }) }
                            // the forecast step itself, on the right of the past
                            <rect class="fc-grid-target" x={(LEFT + (props.window + h) as f64 * step_w).to_string()} y={y.to_string()}
                                width={step_w.to_string()} height={row_h.to_string()} />
                        </g>
                    }
                }) }
                <rect class="fc-grid-selected" x={LEFT.to_string()} y={(props.step as f64 * row_h).to_string()}
                    width={(props.window as f64 * step_w).to_string()} height={row_h.to_string()} />
                <text class="fc-grid-note" x={(LEFT + props.window as f64 * step_w + 6.0).to_string()} y={(height - 3.0).to_string()}>
                    { t!("forecast.plot.grid_note", h = rows.len(), pct = format!("{:.1}", max * 100.0)) }</text>
            </svg>
        }
    });

    // The grid's numbers: a data table and Save as PNG/SVG/CSV/JSON, like every heatmap.
    let grid_tools = props.all_rows.as_ref().and_then(|rows| {
        let cols = rows.first().map_or(0, Vec::len);
        let data: Vec<f32> = rows.iter().flatten().copied().collect();
        let matrix = Matrix::from_vec(rows.len(), cols, data).ok()?;
        let row_labels = (0..rows.len())
            .map(|k| {
                let date = props.labels.get(props.window + k).cloned().unwrap_or_default();
                format!("+{} ({date})", k + 1)
            })
            .collect();
        let col_labels = props.labels.iter().take(cols).cloned().collect();
        Some(html! {
            <MatrixTools name={format!("forecast attention, {}", props.attention_id)}
                label={Some(AttrValue::from(t!("forecast.plot.grid_name", label = props.attention_label).into_owned()))} matrix={Rc::new(matrix)}
                rows={Rc::new(row_labels)} cols={Some(Rc::new(col_labels))} export={props.export.clone()} svg={grid_ref.clone()} />
        })
    });

    html! {
        <div class="fc-plots" ref={scroller}>
            { plot }
            { bars }
            { grid.unwrap_or_default() }
            { grid_tools }
        </div>
    }
}
