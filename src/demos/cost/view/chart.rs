//! A log-log chart of one quantity against n, a line per method, with each method's slope in
//! the legend and Save as SVG / PNG. Its numbers are the results table under the charts.

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::cost::sweep::{MethodKind, Slopes};
use crate::demos::cost::Measurement;
use crate::ui::download::{save_png, save_text, standalone_svg};

/// One colour per method (Okabe–Ito, distinguishable with the common colour-vision deficiencies);
/// each line also has its own dash pattern, so colour is never the only cue.
pub fn method_colour(kind: MethodKind) -> (&'static str, &'static str) {
    match kind {
        MethodKind::Full => ("#d55e00", ""),
        MethodKind::Tiled => ("#e69f00", "6 3"),
        MethodKind::Window => ("#009e73", ""),
        MethodKind::Strided => ("#56b4e9", "2 2"),
        MethodKind::LocalGlobal => ("#0072b2", "6 2 2 2"),
        MethodKind::Linformer => ("#cc79a7", "4 4"),
        MethodKind::Linear => ("#222222", "1 3"),
    }
}

pub struct ChartProps<'a> {
    /// `data-testid` and file name.
    pub id: &'static str,
    pub title: String,
    pub y_label: String,
    pub measurements: &'a [Measurement],
    pub methods: &'a [MethodKind],
    pub slopes: &'a [(MethodKind, Slopes)],
    pub value: fn(&Measurement) -> f64,
    pub slope: fn(&Slopes) -> Option<f64>,
    /// The largest n of the sweep (the x axis ends there).
    pub max_n: usize,
    pub svg: NodeRef,
    pub onsave_error: Callback<String>,
}

/// The drawing's size.
const W: f64 = 520.0;
const H: f64 = 300.0;
/// Room for the axes' labels: top, right, bottom, left.
const MARGINS: [f64; 4] = [12.0, 14.0, 40.0, 62.0];

/// A number for an axis label: 10⁻³ … 10⁹ written as plain or short numbers.
fn decade_label(exp: i32) -> String {
    match exp {
        -3..=-1 => format!("{}", 10f64.powi(exp)),
        0..=3 => format!("{}", 10u64.pow(exp as u32)),
        _ => format!("1e{exp}"),
    }
}

pub fn log_log_chart(props: &ChartProps) -> Html {
    let [top, right, bottom, left] = MARGINS;
    let value = props.value;
    let points: Vec<(MethodKind, usize, f64)> = props
        .measurements
        .iter()
        .map(|m| (MethodKind::of(m.method), m.n, value(m)))
        .filter(|p| p.2 > 0.0 && p.2.is_finite())
        .collect();
    let x_lo = 16f64.log2();
    let x_hi = (props.max_n.max(32) as f64).log2();
    let (y_min, y_max) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.2), hi.max(p.2))
        });
    let (d_lo, d_hi) = if points.is_empty() {
        (0, 3)
    } else {
        let lo = y_min.log10().floor() as i32;
        (lo, (y_max.log10().ceil() as i32).max(lo + 1))
    };
    let sx = |n: f64| left + (n.log2() - x_lo) / (x_hi - x_lo) * (W - left - right);
    let sy = |v: f64| {
        let t = (v.log10() - f64::from(d_lo)) / f64::from(d_hi - d_lo);
        H - bottom - t * (H - top - bottom)
    };
    let x_ticks: Vec<usize> = std::iter::successors(Some(16usize), |n| Some(n * 2))
        .take_while(|&n| n <= props.max_n.max(32))
        .collect();
    let every = if x_ticks.len() > 6 { 2 } else { 1 };
    let axes = html! {
        <g class="cost-axes">
            { for (d_lo..=d_hi).map(|e| {
                let y = sy(10f64.powi(e));
                html! { <>
                    <line class="cost-grid" x1={left.to_string()} x2={(W - right).to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text class="cost-y-tick" x={(left - 6.0).to_string()} y={(y + 3.5).to_string()}>{ decade_label(e) }</text>
                </> }
            }) }
            { for x_ticks.iter().enumerate().filter(|(i, _)| i % every == 0).map(|(_, &n)| {
                let x = sx(n as f64);
                html! { <>
                    <line class="cost-grid" x1={x.to_string()} x2={x.to_string()} y1={top.to_string()} y2={(H - bottom).to_string()} />
                    <text class="cost-x-tick" x={x.to_string()} y={(H - bottom + 14.0).to_string()}>{ n }</text>
                </> }
            }) }
            <text class="cost-axis-label" x={((left + W - right) / 2.0).to_string()} y={(H - 6.0).to_string()}>{ t!("cost.chart.n_axis") }</text>
            <text class="cost-axis-label" transform={format!("translate(12 {}) rotate(-90)", (top + H - bottom) / 2.0)}>{ props.y_label.clone() }</text>
        </g>
    };
    let lines = props.methods.iter().map(|&kind| {
        let (colour, dash) = method_colour(kind);
        let mine: Vec<&(MethodKind, usize, f64)> = points.iter().filter(|p| p.0 == kind).collect();
        let path = mine
            .iter()
            .map(|p| format!("{:.1},{:.1}", sx(p.1 as f64), sy(p.2)))
            .collect::<Vec<_>>()
            .join(" ");
        html! {
            <g class="cost-series" data-method={kind.slug()}>
                <polyline points={path} fill="none" stroke={colour} stroke-width="2" stroke-dasharray={dash} />
                { for mine.iter().map(|p| html! {
                    <circle data-testid="point" cx={format!("{:.1}", sx(p.1 as f64))} cy={format!("{:.1}", sy(p.2))} r="3" fill={colour}>
                        <title>{ format!("{}, n = {}: {}", kind.label(), p.1, crate::demos::cost::view::results::short_number(p.2)) }</title>
                    </circle>
                }) }
            </g>
        }
    });
    let slope_of = |kind: MethodKind| {
        props
            .slopes
            .iter()
            .find(|(k, _)| *k == kind)
            .and_then(|(_, s)| (props.slope)(s))
    };
    let legend = props.methods.iter().map(|&kind| {
        let (colour, _) = method_colour(kind);
        let slope = slope_of(kind);
        let text = slope.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}"));
        html! {
            <li data-testid="slope" data-method={kind.slug()} data-value={slope.map(|s| s.to_string())}>
                <span class="cost-swatch" style={format!("background:{colour}")}></span>
                { kind.label() }{ ": " }{ t!("cost.chart.slope", slope = text) }
            </li>
        }
    });
    let save = |format: &'static str| {
        let (svg, id, error) = (props.svg.clone(), props.id, props.onsave_error.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(element) = svg.cast::<web_sys::Element>() else {
                return;
            };
            let filename = format!("attention-cost-{id}.{format}");
            if format == "svg" {
                if let Err(e) = save_text(&filename, "image/svg+xml", &standalone_svg(&element)) {
                    error.emit(e);
                }
            } else {
                let error = error.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = save_png(&filename, &element, 2.0).await {
                        error.emit(e);
                    }
                });
            }
        })
    };
    html! {
        <figure class="cost-chart" data-testid={props.id}>
            <figcaption>{ props.title.clone() }</figcaption>
            <svg ref={props.svg.clone()} viewBox={format!("0 0 {W} {H}")} role="img"
                aria-label={t!("cost.chart.aria", title = props.title.clone(), points = points.len())}>
                { axes }
                { for lines }
            </svg>
            <ul class="cost-legend">{ for legend }</ul>
            <div class="matrix-tools" role="group" aria-label={t!("heatmap.tools", name = props.title.clone())}>
                <span class="muted">{ t!("heatmap.save") }</span>
                <button type="button" data-testid="export-svg" onclick={save("svg")}
                    aria-label={t!("heatmap.save_as", name = props.title.clone(), format = "SVG")}>{ "SVG" }</button>
                <button type="button" data-testid="export-png" onclick={save("png")}
                    aria-label={t!("heatmap.save_as", name = props.title.clone(), format = "PNG")}>{ "PNG" }</button>
            </div>
        </figure>
    }
}
