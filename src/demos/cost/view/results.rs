//! The numbers behind both charts: one row per (method, n) with the exact counts, the slopes
//! table beside the formulas, and Save as CSV / JSON.

use rust_i18n::t;
use yew::prelude::*;

use crate::ui::components::scroll_box;

use super::state::Row;
use crate::demos::cost::sweep::{measurements_csv, method_params, MethodKind, Slopes};
use crate::demos::cost::Measurement;
use crate::ui::download::save_text;

/// A figure for the page: three significant digits, plain up to 10⁶, then `1.23e9`.
pub fn short_number(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 1e6 || v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn slope_cell(testid: &'static str, kind: MethodKind, slope: Option<f64>) -> Html {
    html! {
        <td data-testid={testid} data-method={kind.slug()} data-value={slope.map(|s| s.to_string())}>
            { slope.map_or_else(|| "—".to_owned(), |s| format!("{s:.3}")) }
        </td>
    }
}

/// Per method: the multiply-add formula and the three slopes.
pub fn slopes_table(slopes: &[(MethodKind, Slopes)]) -> Html {
    html! {
        { scroll_box("matrix-table-scroll", t!("cost.slopes.caption"), html! {
            <table class="matrix-table" data-testid="slopes-table">
                <caption>{ t!("cost.slopes.caption") }</caption>
                <thead><tr>
                    <th scope="col">{ t!("cost.table.method") }</th>
                    <th scope="col">{ t!("cost.slopes.formula") }</th>
                    <th scope="col">{ t!("cost.slopes.count") }</th>
                    <th scope="col">{ t!("cost.slopes.memory") }</th>
                    <th scope="col">{ t!("cost.slopes.time") }</th>
                </tr></thead>
                <tbody>
                    { for slopes.iter().map(|(kind, s)| html! {
                        <tr data-method={kind.slug()}>
                            <th scope="row">{ kind.label() }</th>
                            <td><code>{ kind.formula() }</code></td>
                            { slope_cell("count-slope", *kind, s.mul_adds) }
                            { slope_cell("memory-slope", *kind, s.memory) }
                            { slope_cell("time-slope", *kind, s.time) }
                        </tr>
                    }) }
                </tbody>
            </table> }) }
    }
}

fn measured_row(m: &Measurement) -> Html {
    let kind = MethodKind::of(m.method);
    html! {
        <tr data-testid="result-row" data-method={kind.slug()} data-n={m.n.to_string()} data-state="measured"
            data-ms={m.median_ms.to_string()} data-bytes={m.bytes.to_string()} data-mul-adds={m.counts.mul_adds.to_string()}>
            <th scope="row">{ kind.label() }{ " " }<span class="muted">{ method_params(m.method) }</span></th>
            <td>{ m.n }</td>
            <td>{ short_number(m.median_ms) }<span class="muted">{ format!(" ×{}", m.repeats) }</span></td>
            <td>{ crate::demos::cost::sweep::format_bytes(m.bytes) }</td>
            <td>{ m.counts.mul_adds }</td>
            <td>{ m.counts.exps }</td>
        </tr>
    }
}

fn other_row(kind: MethodKind, n: usize, state: &'static str, message: String) -> Html {
    html! {
        <tr data-testid="result-row" data-method={kind.slug()} data-n={n.to_string()} data-state={state}>
            <th scope="row">{ kind.label() }</th>
            <td>{ n }</td>
            <td colspan="4" class="muted">{ message }</td>
        </tr>
    }
}

/// Every row of the sweep so far, in the order they came.
pub fn results_table(rows: &[Row], heads: usize) -> Html {
    html! {
        { scroll_box("matrix-table-scroll", t!("cost.table.caption", heads = heads), html! {
            <table class="matrix-table" data-testid="results-table">
                <caption>{ t!("cost.table.caption", heads = heads) }</caption>
                <thead><tr>
                    <th scope="col">{ t!("cost.table.method") }</th>
                    <th scope="col">{ "n" }</th>
                    <th scope="col">{ t!("cost.table.time") }</th>
                    <th scope="col">{ t!("cost.table.memory") }</th>
                    <th scope="col">{ t!("cost.table.mul_adds") }</th>
                    <th scope="col">{ t!("cost.table.exps") }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|row| match row {
                        Row::Measured(m) => measured_row(m),
                        Row::Refused { kind, n, message } => other_row(*kind, *n, "refused", message.clone()),
                        Row::Skipped { kind, n } => other_row(*kind, *n, "skipped", t!("cost.table.skipped").into_owned()),
                    }) }
                </tbody>
            </table> }) }
    }
}

/// Save the measurements as CSV or JSON.
pub fn save_buttons(measurements: &[Measurement], onerror: Callback<String>) -> Html {
    let save = |format: &'static str| {
        let (rows, onerror) = (measurements.to_vec(), onerror.clone());
        Callback::from(move |_: MouseEvent| {
            let result = if format == "csv" {
                save_text(
                    "attention-cost.csv",
                    "text/csv;charset=utf-8",
                    &measurements_csv(&rows),
                )
            } else {
                serde_json::to_string_pretty(&rows)
                    .map_err(|e| e.to_string())
                    .and_then(|json| save_text("attention-cost.json", "application/json", &json))
            };
            if let Err(e) = result {
                onerror.emit(e);
            }
        })
    };
    let name = t!("cost.table.name");
    html! {
        <div class="matrix-tools" role="group" aria-label={t!("heatmap.tools", name = name.clone())}>
            <span class="muted">{ t!("heatmap.save") }</span>
            <button type="button" data-testid="export-csv" disabled={measurements.is_empty()} onclick={save("csv")}
                aria-label={t!("heatmap.save_as", name = name.clone(), format = "CSV")}>{ "CSV" }</button>
            <button type="button" data-testid="export-json" disabled={measurements.is_empty()} onclick={save("json")}
                aria-label={t!("heatmap.save_as", name = name, format = "JSON")}>{ "JSON" }</button>
        </div>
    }
}
