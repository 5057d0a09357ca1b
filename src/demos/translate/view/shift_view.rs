//! "Across decoding steps": how the chosen layer and head's cross-attention moves from one
//! French token to the next (entropy, top-1 mass, the English token attended most, the shift
//! from the step before) as a small chart and a table, and the same as means for every layer.
//! The numbers are [`crate::demos::translate::analysis`]'s, from the attention the decoder returned.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::translate::analysis::{shift_matrix, LayerShift, StepShift};
use crate::demos::translate::display_token;
use crate::export::ExportContext;
use crate::ui::components::heatmap::MatrixTools;
use crate::ui::components::scroll_box;

#[derive(Properties, PartialEq)]
pub struct StepShiftViewProps {
    /// One per decoding step shown.
    pub shifts: Rc<Vec<StepShift>>,
    /// One per decoder layer, over the same steps and head.
    pub layers: Rc<Vec<LayerShift>>,
    /// The French token chosen at each step.
    pub targets: Rc<Vec<String>>,
    /// The English (source) tokens.
    pub sources: Rc<Vec<String>>,
    /// The step just shown (0-based).
    pub current: Option<usize>,
    /// The step under the pointer elsewhere on the page.
    pub hovered: Option<usize>,
    /// The layer the alignment shows (0-based).
    pub layer: usize,
    /// "layer 3, head 2" or "layer 3, average of 4 heads", in the reader's language.
    pub view_name: String,
    /// The same in English, for the stable name of the exported matrix.
    pub view_id: String,
    pub export: Rc<ExportContext>,
    pub onhover: Callback<Option<usize>>,
}

const PANEL_H: f32 = 64.0;
/// The chart's width for a translation of average length.
const CHART_W: f32 = 480.0;
const LEFT: f32 = 40.0;
const TOP: f32 = 16.0;
/// Vertical distance between the top of the two panels.
const PANEL_GAP: f32 = 92.0;

fn num(v: f32) -> String {
    format!("{v:.3}")
}

/// A polyline through `(x, y)` points.
fn points(xy: &[(f32, f32)]) -> String {
    xy.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn StepShiftView(props: &StepShiftViewProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let svg_ref = use_node_ref();
    let n = props.shifts.len();
    // Wide enough to read for a few steps, narrow enough per step to fit long translations
    // (the chart scrolls sideways past about 50 steps).
    let step_w: f32 = ((CHART_W - LEFT - 12.0) / n.max(1) as f32).clamp(9.0, 40.0);
    let width = LEFT + step_w * n as f32 + 12.0;
    let height = TOP + PANEL_GAP + PANEL_H + 22.0;
    let x = |t: usize| LEFT + step_w * (t as f32 + 0.5);
    // Entropy's range is 0 (one token) to ln S (every source token alike).
    let max_entropy = (props.sources.len().max(2) as f32).ln();
    let y_entropy = |v: f32| TOP + PANEL_H * (1.0 - (v / max_entropy).clamp(0.0, 1.0));
    let y_unit = |v: f32| TOP + PANEL_GAP + PANEL_H * (1.0 - v.clamp(0.0, 1.0));
    let token = |t: usize| {
        props
            .targets
            .get(t)
            .map(|s| display_token(s))
            .unwrap_or_default()
    };
    let source = |j: usize| {
        props
            .sources
            .get(j)
            .map(|s| display_token(s))
            .unwrap_or_default()
    };

    // A polyline per measure, through the steps that have it.
    let line = |value: fn(&StepShift) -> Option<f32>, y: &dyn Fn(f32) -> f32| -> Vec<(f32, f32)> {
        props
            .shifts
            .iter()
            .enumerate()
            .filter_map(|(t, s)| value(s).map(|v| (x(t), y(v))))
            .collect()
    };
    let entropy_line = line(|s| Some(s.entropy), &y_entropy);
    let top1_line = line(|s| Some(s.top1), &y_unit);
    let shift_line = line(|s| s.shift, &y_unit);
    // Step numbers about every 24 px.
    let label_every = ((24.0 / step_w).ceil() as usize).max(1);
    let onleave = {
        let cb = props.onhover.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    let band = |t: usize, class: &'static str| {
        html! {
            <rect class={class} x={(LEFT + step_w * t as f32).to_string()} y={(TOP - 4.0).to_string()}
                width={step_w.to_string()} height={(PANEL_GAP + PANEL_H + 8.0).to_string()} />
        }
    };
    let panel = |top: f32, label: String, max: String| {
        html! {
            <g class="tr-shift-panel">
                <rect class="tr-shift-frame" x={LEFT.to_string()} y={top.to_string()}
                    width={(step_w * n as f32).to_string()} height={PANEL_H.to_string()} />
                <text class="tr-shift-axis" x={(LEFT - 4.0).to_string()} y={(top + 8.0).to_string()}>{ max }</text>
                <text class="tr-shift-axis" x={(LEFT - 4.0).to_string()} y={(top + PANEL_H).to_string()}>{ "0" }</text>
                <text class="tr-shift-title" x={(LEFT + 4.0).to_string()} y={(top - 4.0).to_string()}>{ label }</text>
            </g>
        }
    };

    let chart = html! {
        <svg ref={svg_ref.clone()} class="tr-shift-chart" data-testid="shift-chart" data-steps={n.to_string()}
            viewBox={format!("0 0 {width} {height}")} width={width.to_string()} height={height.to_string()}
            role="img" aria-label={t!("translate.shift.chart_label", view = props.view_name, n = n)}
            onmouseleave={onleave}>
            { panel(TOP, t!("translate.shift.entropy_axis").into_owned(), format!("{max_entropy:.1}")) }
            { panel(TOP + PANEL_GAP, t!("translate.shift.unit_axis").into_owned(), "1".to_owned()) }
            { for props.current.filter(|&c| c < n).map(|c| band(c, "tr-shift-current")) }
            { for props.hovered.filter(|&h| h < n && Some(h) != props.current).map(|h| band(h, "tr-shift-hover")) }
            <polyline class="tr-shift-entropy" points={points(&entropy_line)} />
            <polyline class="tr-shift-top1" points={points(&top1_line)} />
            <polyline class="tr-shift-shift" points={points(&shift_line)} />
            { for props.shifts.iter().enumerate().map(|(t, s)| {
                let enter = { let cb = props.onhover.clone(); Callback::from(move |_: MouseEvent| cb.emit(Some(t))) };
                let title = t!("translate.shift.point_title", step = t + 1, token = token(t), entropy = num(s.entropy),
                    top1 = num(s.top1), source = source(s.argmax),
                    shift = s.shift.map_or_else(|| "–".to_owned(), num));
                html! {
                    <g data-testid="shift-point" data-step={(t + 1).to_string()} onmouseenter={enter}>
                        <rect class="tr-shift-hit" x={(LEFT + step_w * t as f32).to_string()} y={(TOP - 4.0).to_string()}
                            width={step_w.to_string()} height={(PANEL_GAP + PANEL_H + 8.0).to_string()}>
                            <title>{ title }</title>
                        </rect>
                        <circle class="tr-shift-entropy" cx={x(t).to_string()} cy={y_entropy(s.entropy).to_string()} r="2.5" />
                        <circle class="tr-shift-top1" cx={x(t).to_string()} cy={y_unit(s.top1).to_string()} r="2.5" />
                        if let Some(v) = s.shift {
                            <circle class="tr-shift-shift" cx={x(t).to_string()} cy={y_unit(v).to_string()} r="2.5" />
                        }
                        if t % label_every == 0 || Some(t) == props.current {
                            <text class="tr-shift-step" x={x(t).to_string()} y={(height - 6.0).to_string()}>{ t + 1 }</text>
                        }
                    </g>
                }
            }) }
        </svg>
    };

    let table = html! {
            <table class="tr-shift-table" data-testid="shift-table">
                <caption class="tr-visually-hidden">{ t!("translate.shift.table_caption", view = props.view_name) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ t!("translate.shift.col_step") }</th>
                        <th scope="col">{ t!("translate.shift.col_token") }</th>
                        <th scope="col" title={t!("translate.shift.entropy_title")}>{ t!("translate.shift.col_entropy") }</th>
                        <th scope="col" title={t!("translate.shift.top1_title")}>{ t!("translate.shift.col_top1") }</th>
                        <th scope="col">{ t!("translate.shift.col_argmax") }</th>
                        <th scope="col" title={t!("translate.shift.shift_title")}>{ t!("translate.shift.col_shift") }</th>
                    </tr>
                </thead>
                <tbody>
                    { for props.shifts.iter().enumerate().map(|(t, s)| {
                        let enter = { let cb = props.onhover.clone(); Callback::from(move |_: MouseEvent| cb.emit(Some(t))) };
                        let leave = { let cb = props.onhover.clone(); Callback::from(move |_: MouseEvent| cb.emit(None)) };
                        html! {
                            <tr data-testid="shift-row" data-step={(t + 1).to_string()}
                                data-entropy={format!("{:.6}", s.entropy)} data-top1={format!("{:.6}", s.top1)}
                                data-argmax={s.argmax.to_string()}
                                data-shift={s.shift.map(|v| format!("{v:.6}"))}
                                class={classes!((Some(t) == props.current).then_some("current"), (Some(t) == props.hovered).then_some("hovered"))}
                                onmouseenter={enter} onmouseleave={leave}>
                                <td>{ t + 1 }</td>
                                <td dir="auto" lang="fr">{ token(t) }</td>
                                <td>{ num(s.entropy) }</td>
                                <td>{ num(s.top1) }</td>
                                <td dir="auto" lang="en">{ source(s.argmax) }</td>
                                <td>{ s.shift.map_or_else(|| "–".to_owned(), num) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
    };
    let table = scroll_box(
        "tr-shift-scroll",
        t!("translate.shift.table_caption", view = props.view_name),
        table,
    );

    let layers = html! {
        <table class="tr-shift-table tr-layer-table" data-testid="layer-shift-table">
            <caption>{ t!("translate.shift.layers_caption", view = props.view_name) }</caption>
            <thead>
                <tr>
                    <th scope="col">{ t!("translate.shift.col_layer") }</th>
                    <th scope="col">{ t!("translate.shift.col_mean_entropy") }</th>
                    <th scope="col">{ t!("translate.shift.col_mean_top1") }</th>
                    <th scope="col">{ t!("translate.shift.col_mean_shift") }</th>
                </tr>
            </thead>
            <tbody>
                { for props.layers.iter().map(|l| html! {
                    <tr data-testid="layer-shift-row" data-layer={(l.layer + 1).to_string()}
                        data-mean-entropy={format!("{:.6}", l.mean_entropy)} data-mean-top1={format!("{:.6}", l.mean_top1)}
                        data-mean-shift={l.mean_shift.map(|v| format!("{v:.6}"))}
                        class={classes!((l.layer == props.layer).then_some("current"))}>
                        <th scope="row">{ l.layer + 1 }</th>
                        <td>{ num(l.mean_entropy) }</td>
                        <td>{ num(l.mean_top1) }</td>
                        <td>{ l.mean_shift.map_or_else(|| "–".to_owned(), num) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    };

    let name: AttrValue = format!("Cross-attention across steps, {}", props.view_id).into();
    let label: AttrValue = t!("translate.shift.name", view = props.view_name)
        .into_owned()
        .into();
    let rows: Rc<Vec<String>> =
        Rc::new((0..n).map(|t| format!("{} {}", t + 1, token(t))).collect());
    let cols = Rc::new(vec![
        t!("translate.shift.col_entropy").into_owned(),
        t!("translate.shift.col_top1").into_owned(),
        t!("translate.shift.col_argmax_pos").into_owned(),
        t!("translate.shift.col_shift").into_owned(),
    ]);

    html! {
        <section class="tr-shift" data-testid="step-shift" aria-labelledby="tr-shift-title">
            <h3 id="tr-shift-title">{ t!("translate.shift.title") }</h3>
            <p class="hint">{ t!("translate.shift.explain", view = props.view_name) }</p>
            <div class="tr-shift-body">
                <figure class="tr-shift-figure">
                    <figcaption class="tr-shift-legend">
                        <span class="tr-key tr-shift-entropy">{ t!("translate.shift.legend_entropy") }</span>
                        <span class="tr-key tr-shift-top1">{ t!("translate.shift.legend_top1") }</span>
                        <span class="tr-key tr-shift-shift">{ t!("translate.shift.legend_shift") }</span>
                    </figcaption>
                    { scroll_box("matrix-scroll", label.clone(), chart) }
                    <MatrixTools name={name} label={Some(label)} matrix={Rc::new(shift_matrix(&props.shifts))} rows={rows}
                        cols={Some(cols)} export={Some(props.export.clone())} svg={svg_ref} />
                </figure>
                <div class="tr-shift-tables">
                    { table }
                    { scroll_box("tr-layer-scroll", t!("translate.shift.layers_caption", view = props.view_name), html! { <>
                        { layers }
                        <p class="hint">{ t!("translate.shift.layers_hint") }</p>
                    </> }) }
                </div>
            </div>
        </section>
    }
}
