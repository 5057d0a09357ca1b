//! The main panel: the legend, the window and forecast plot with the chosen step's attention
//! under it, and (once there is a forecast) the pickers of that attention.

use std::collections::BTreeMap;
use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::attention_controls::{attention_controls, AttentionControlsProps};
use super::forecast_plot::{ForecastPlot, PastPoint};
use super::state::{Action, Outcome, State};
use crate::demos::forecast::{attention_summary, head_name, ForecastManifest, Series};
use crate::export::ExportContext;

#[derive(PartialEq, Properties)]
pub struct ForecastPanelProps {
    pub manifest: Rc<ForecastManifest>,
    pub series: Rc<Series>,
    /// The series with the reader's edits.
    pub values: Rc<Vec<f64>>,
    pub edits: Rc<BTreeMap<usize, f64>>,
    pub origin: usize,
    /// Date labels of the past and forecast positions, oldest first.
    pub labels: Rc<Vec<String>>,
    pub truth: Rc<Vec<f64>>,
    pub baseline: Option<Rc<Vec<f64>>>,
    /// The forecast of what is on screen, if there is one yet.
    pub outcome: Option<Outcome>,
    /// Forecast step (already within the horizon), layer and head of the attention shown.
    pub step: usize,
    pub layer: usize,
    pub head: Option<usize>,
    /// Completed runs, exposed for the tests to wait on.
    pub runs: u64,
    pub export: Rc<ExportContext>,
    pub dispatch: UseReducerDispatcher<State>,
}

/// A component, not a plain function like the other parts: its props stay equal while only the
/// what-if settings change, so the plot under it is not redrawn then.
#[component]
pub fn ForecastPanel(props: &ForecastPanelProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let (manifest, series, dispatch) = (&props.manifest, &props.series, &props.dispatch);
    let (t_len, h_len) = (manifest.window, manifest.horizon);
    let (origin, step, layer, head) = (props.origin, props.step, props.layer, props.head);
    let n = series.values.len();
    let monthly = series.monthly();

    let past: Rc<Vec<PastPoint>> = Rc::new(
        (origin.saturating_sub(t_len)..origin.min(n))
            .map(|i| PastPoint {
                index: i,
                value: props.values[i],
                original: props.edits.get(&i).map(|_| series.values[i]),
            })
            .collect(),
    );
    let attention = props.outcome.as_ref().and_then(|o| o.layers.get(layer));
    let attention_row = attention.map(|l| Rc::new(l.forecast_row(head, step)));
    let all_rows = attention.map(|l| {
        Rc::new(
            (0..h_len)
                .map(|h| l.forecast_row(head, h))
                .collect::<Vec<_>>(),
        )
    });
    let attention_label = t!(
        "forecast.attention_label",
        layer = layer + 1,
        head = head_name(head, manifest.n_heads)
    )
    .into_owned();
    // English whatever the language: the exported grid's stable name
    let attention_id = format!(
        "layer {}, {}",
        layer + 1,
        match head {
            Some(h) => format!("head {}", h + 1),
            None => format!("average of {} heads", manifest.n_heads),
        }
    );
    let summary = attention_row
        .as_ref()
        .and_then(|row| attention_summary(series, &props.labels, row, t_len, step));

    let on_step = {
        let dispatch = dispatch.clone();
        Callback::from(move |h: usize| dispatch.dispatch(Action::SetStep(h)))
    };
    let on_edit = {
        let dispatch = dispatch.clone();
        Callback::from(move |(i, v): (usize, f64)| dispatch.dispatch(Action::Edit(i, v)))
    };

    html! {
        <section class="fc-main" aria-label={t!("forecast.main.label")}>
            <div class="fc-legend">
                <span class="fc-key past">{ t!("forecast.legend.past") }</span>
                <span class="fc-key forecast">{ t!("forecast.legend.forecast") }</span>
                <span class="fc-key baseline">{ if monthly { t!("forecast.legend.baseline_monthly") } else { t!("forecast.legend.baseline_yearly", period = series.period) } }</span>
                <span class="fc-key truth">{ t!("forecast.legend.truth") }</span>
            </div>
            <ForecastPlot past={past} origin={origin} window={t_len} horizon={h_len} labels={props.labels.clone()}
                truth={props.truth.clone()} forecast={props.outcome.as_ref().map(|o| o.forecast.clone())} baseline={props.baseline.clone()}
                unit={series.display_unit()} period={series.period} step={step} onstep={on_step}
                onedit={on_edit} attention={attention_row} attention_label={attention_label} attention_id={attention_id}
                all_rows={all_rows} export={Some(props.export.clone())} />
            if props.outcome.is_some() {
                { attention_controls(&AttentionControlsProps { labels: props.labels.clone(), window: t_len, horizon: h_len,
                    n_layers: manifest.n_layers, n_heads: manifest.n_heads, step, layer, head,
                    summary, dispatch: dispatch.clone() }) }
            }
            <span data-testid="run-id" data-run={props.runs.to_string()} hidden=true></span>
        </section>
    }
}
