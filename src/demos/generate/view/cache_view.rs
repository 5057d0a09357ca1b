//! The key/value cache: the chosen head's K and V rows as they stood at the step shown (one row
//! per token, growing by one per step), what producing a token costs with and without the
//! cache (multiply-adds and bytes from the shapes), and the times measured in this session per
//! step — the cached step nearly flat, the full recompute growing with the context.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::attention::window_labels;
use super::state::{GenState, Timing};
use crate::maths::Matrix;
use crate::ui::components::{ColorScale, Heatmap};

fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2} G", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.2} M", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

const PLOT_W: f64 = 560.0;
const PLOT_H: f64 = 160.0;

/// Milliseconds per step, cached (the prefill is step 1) and by full recompute.
fn timing_plot(timings: &[Timing]) -> Html {
    if timings.len() < 2 {
        return html! {};
    }
    let max = timings
        .iter()
        .map(|t| t.full_ms.max(t.cached_ms))
        .fold(1.0, f64::max);
    let x = |i: usize| 30.0 + i as f64 * (PLOT_W - 40.0) / (timings.len() - 1) as f64;
    let y = |ms: f64| PLOT_H - 20.0 - ms / max * (PLOT_H - 30.0);
    let line = |f: fn(&Timing) -> f64| {
        timings
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{:.1},{:.1}", x(i), y(f(t))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <svg class="gen-timing" data-testid="timing-plot" viewBox={format!("0 0 {PLOT_W} {PLOT_H}")} role="img" aria-label={t!("generate.timing_label")}>
            <line x1="30" x2={(PLOT_W - 10.0).to_string()} y1={(PLOT_H - 20.0).to_string()} y2={(PLOT_H - 20.0).to_string()} class="gen-axis-line" />
            <text x="2" y="14" class="gen-axis">{ format!("{max:.0} ms") }</text>
            <text x="30" y={(PLOT_H - 4.0).to_string()} class="gen-axis">{ t!("generate.timing_x") }</text>
            <polyline points={line(|t| t.full_ms)} class="gen-line full" />
            <polyline points={line(|t| t.cached_ms)} class="gen-line cached" />
            <text x={(PLOT_W - 150.0).to_string()} y="14" class="gen-legend full">{ t!("generate.full") }</text>
            <text x={(PLOT_W - 150.0).to_string()} y="30" class="gen-legend cached">{ t!("generate.cached") }</text>
        </svg>
    }
}

pub fn cache_view(s: &GenState) -> Html {
    let (Some(m), Some(g)) = (&s.manifest, &s.generation) else {
        return html! {};
    };
    let head = s.head.unwrap_or(0);
    let shapes = m.shapes();
    let abs = (g.prompt_len + s.shown).saturating_sub(1);
    let rows = abs.saturating_sub(g.cache.first_position).min(g.cache.rows);
    let labels = window_labels(s);
    let d_k = m.d_k;
    let part = |values: bool| -> Option<Rc<Matrix>> {
        let data = g.cache.head(s.layer, head, values)?;
        Matrix::from_vec(rows, d_k, data[..rows * d_k].to_vec())
            .ok()
            .map(Rc::new)
    };
    let row_labels = Rc::new(labels.into_iter().take(rows).collect::<Vec<_>>());
    let cost = shapes.step_cost(abs.max(1));
    let timings = &s.timings;
    let decode: Vec<&Timing> = timings.iter().skip(1).collect();
    let med = |f: fn(&Timing) -> f64| median(decode.iter().map(|t| f(t)).collect());
    let worst_diff = timings.iter().map(|t| t.logits_diff).fold(0.0, f32::max);
    html! {
        <section class="gen-cache" aria-label={t!("generate.cache")}>
            <h2>{ t!("generate.cache") }</h2>
            <p class="hint">{ t!("generate.cache_hint", layer = s.layer + 1, head = head + 1, rows = rows, d_k = d_k) }</p>
            <div class="gen-kv" data-testid="kv-cache" data-rows={rows.to_string()}>
                if let Some(k) = part(false) {
                    <Heatmap name="K cache" label={Some(AttrValue::from(t!("generate.k_cache").into_owned()))} matrix={k} rows={row_labels.clone()} scale={ColorScale::Signed} compact=true
                        caption={AttrValue::from(t!("generate.kv_caption", rows = rows, d_k = d_k).into_owned())} />
                }
                if let Some(v) = part(true) {
                    <Heatmap name="V cache" label={Some(AttrValue::from(t!("generate.v_cache").into_owned()))} matrix={v} rows={row_labels.clone()} scale={ColorScale::Signed} compact=true
                        caption={AttrValue::from(t!("generate.kv_caption", rows = rows, d_k = d_k).into_owned())} />
                }
            </div>
            <table class="gen-table" data-testid="cost-table">
                <thead><tr><th></th><th>{ t!("generate.cached") }</th><th>{ t!("generate.full") }</th></tr></thead>
                <tbody>
                    <tr><th>{ t!("generate.macs", n = cost.n) }</th><td data-testid="macs-cached">{ human(cost.cached_macs) }</td><td data-testid="macs-full">{ human(cost.full_macs) }</td></tr>
                    <tr><th>{ t!("generate.kv_bytes") }</th><td>{ format!("{}B", human(cost.cache_bytes)) }</td><td>{ t!("generate.rebuilt", bytes = format!("{}B", human(cost.cache_bytes))) }</td></tr>
                    <tr><th>{ t!("generate.median_ms") }</th>
                        <td data-testid="ms-cached">{ med(|t| t.cached_ms).map_or("–".into(), |v| format!("{v:.1} ms")) }</td>
                        <td data-testid="ms-full">{ med(|t| t.full_ms).map_or("–".into(), |v| format!("{v:.1} ms")) }</td></tr>
                </tbody>
            </table>
            <p class="muted">{ t!("generate.cost_note") }</p>
            { timing_plot(timings) }
            <p class="muted" data-testid="cache-check" data-max-diff={worst_diff.to_string()}>{ t!("generate.cache_check", diff = format!("{worst_diff:.1e}")) }</p>
            <details>
                <summary>{ t!("generate.timing_table") }</summary>
                <table class="gen-table" data-testid="timing-table">
                    <thead><tr><th>{ t!("generate.col_step") }</th><th>{ t!("generate.col_context") }</th><th>{ t!("generate.cached") }</th><th>{ t!("generate.full") }</th><th>{ t!("generate.col_diff") }</th></tr></thead>
                    <tbody>{ for timings.iter().enumerate().map(|(i, t)| html! {
                        <tr data-testid="timing-row" data-n={t.n.to_string()} data-cached={t.cached_ms.to_string()} data-full={t.full_ms.to_string()}><td>{ if i == 0 { t!("generate.prefill").into_owned() } else { i.to_string() } }</td><td>{ t.n }</td>
                            <td>{ format!("{:.2}", t.cached_ms) }</td><td>{ format!("{:.2}", t.full_ms) }</td><td>{ format!("{:.1e}", t.logits_diff) }</td></tr>
                    }) }</tbody>
                </table>
            </details>
        </section>
    }
}
