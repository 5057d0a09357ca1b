//! The numbers: the model's and the seasonal-naive baseline's error on the window shown (where
//! the data has the true values), and both on the held-out tail beside the last-value forecast.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::forecast::{format_value, mae, Series};

pub struct NumbersProps {
    pub series: Rc<Series>,
    /// The model's forecast of the window shown, if there is one.
    pub forecast: Option<Rc<Vec<f64>>>,
    pub baseline: Option<Rc<Vec<f64>>>,
    /// True values after the point in time, where the data has them.
    pub truth: Rc<Vec<f64>>,
}

pub fn numbers(props: &NumbersProps) -> Html {
    let series = &props.series;
    let (monthly, unit) = (series.monthly(), series.display_unit());
    let n = series.values.len();
    let known_errors = props.forecast.as_ref().and_then(|f| {
        let m = mae(f, &props.truth)?;
        let b = props.baseline.as_ref().and_then(|b| mae(b, &props.truth))?;
        Some((m, b, props.truth.len()))
    });
    let baseline_name = if monthly {
        t!("forecast.metrics.seasonal_monthly")
    } else {
        t!("forecast.metrics.seasonal_yearly", period = series.period)
    };
    let rows = [
        (t!("forecast.metrics.model"), series.metrics.model),
        (baseline_name, series.metrics.seasonal_naive),
        (t!("forecast.metrics.naive_last"), series.metrics.naive_last),
    ];
    html! {
        <section class="fc-numbers" aria-label={t!("forecast.numbers.label")}>
            if let Some((m, b, k)) = known_errors {
                <p data-testid="window-errors">{
                    if monthly {
                        t!("forecast.numbers.window_monthly", k = k, model = format_value(m), naive = format_value(b), unit = unit)
                    } else {
                        t!("forecast.numbers.window_yearly", k = k, model = format_value(m), naive = format_value(b), unit = unit)
                    }
                }</p>
            } else if props.forecast.is_some() {
                <p class="muted">{ t!("forecast.numbers.past_end") }</p>
            }
            <table class="fc-metrics" data-testid="metrics">
                <caption>{ t!("forecast.metrics.caption", from = series.date_label(series.test_start), to = series.date_label(n - 1)) }</caption>
                <thead><tr><th>{ t!("forecast.metrics.forecaster") }</th><th>{ "MAE" }</th><th>{ "RMSE" }</th><th>{ "MASE" }</th></tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(name, e)| html! {
                        <tr><td>{ name }</td><td>{ format_value(e.mae) }</td><td>{ format_value(e.rmse) }</td><td>{ format!("{:.3}", e.mase) }</td></tr>
                    }) }
                </tbody>
            </table>
            <p class="muted" data-testid="mase-note">{
                if monthly { t!("forecast.metrics.mase_monthly", unit = unit) } else { t!("forecast.metrics.mase_yearly", period = series.period, unit = unit) }
            }</p>
        </section>
    }
}
