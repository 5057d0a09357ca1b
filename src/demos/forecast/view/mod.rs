//! The time-series demo: pick a series and a point in time; a small attention model reads the 36
//! steps before it and forecasts the next 12. The page shows the forecast against the true values
//! and a seasonal-naive baseline, and under it the attention of a forecast step over the past
//! steps (per layer and head, and their average). Drag a past value and watch both change.
//!
//! This file wires the hooks (manifest, the shown series' model, runs, link) and lays out the
//! page; the state is in `state`, the worker calls in `model`, and each part of the page is
//! rendered by its own file beside them: plain functions called on every render of this one,
//! except the parts with state of their own (the plot, the overview) and the main panel, whose
//! unchanged props spare the plot a redraw.
mod about;
mod attention_controls;
mod controls;
mod forecast_panel;
mod forecast_plot;
mod heads;
mod mini_bars;
mod model;
mod numbers;
mod series_overview;
mod state;
mod status;
mod whatif;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::about::{about, AboutProps};
use self::controls::{series_controls, SeriesControlsProps};
use self::forecast_panel::ForecastPanel;
use self::heads::{heads_grid, HeadsGridProps};
use self::model::{load_series, run_forecast, RunInput};
use self::numbers::{numbers, NumbersProps};
use self::series_overview::SeriesOverview;
use self::state::{Action, ModelState, State};
use self::status::{model_status_line, ModelStatusLineProps};
use self::whatif::{forecast_what_if, ForecastWhatIfProps};
use crate::demos::forecast::{
    forecast_link_problem, seasonal_naive, window_before, with_edits, ForecastManifest,
    ForecastView, MODEL_DIR,
};
use crate::export::ExportContext;
use crate::route::{read_what_if, Demo};
use crate::ui::model::{use_model, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::worker::AttentionWorker;

#[component]
pub fn ForecastDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    // The route is kept: the rest of the link is read against the manifest when it comes.
    let link = use_link(|route| (route.clone(), read_what_if(route)));
    let state = use_reducer(State::default);
    let whatif = use_state(|| link.1 .0.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (dispatch, link) = (state.dispatcher(), link.clone());
        use_model::<ForecastManifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => {
                    let (view, bad) = ForecastView::read(&link.0, &m);
                    dispatch.dispatch(Action::ManifestLoaded(m, view, bad))
                }
                ModelEvent::Failed(e) => dispatch.dispatch(Action::ManifestFailed(e)),
                // The manifest names no graph (see its `graphs`): the series' graph is loaded below.
                ModelEvent::Progress { .. } | ModelEvent::Loaded(..) => {}
            }),
        );
    }
    {
        // Load the chosen series' model (each series has its own small model).
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        let series = state.current().cloned();
        let window = state.manifest.as_ref().map_or(0, |m| m.window);
        use_effect_with(state.series.clone(), move |_| {
            if let Some(series) = series {
                spawn_local(load_series(runner, dispatch, series, window));
            }
        });
    }
    {
        // Forecast whenever the input changes and the model is ready.
        let ready = state.model == ModelState::Ready;
        let (runner, dispatch, seq) = (runner.clone(), state.dispatcher(), seq.clone());
        let manifest = state.manifest.clone();
        let series = state.current().cloned();
        use_effect_with(
            (
                state.series.clone(),
                state.origin,
                state.edits.clone(),
                ready,
            ),
            move |(_, origin, edits, ready)| {
                if let (true, Some(manifest), Some(series)) = (*ready, manifest, series) {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    dispatch.dispatch(Action::Requested(next));
                    let input = RunInput {
                        manifest,
                        series,
                        origin: *origin,
                        edits: edits.clone(),
                    };
                    spawn_local(run_forecast(runner, dispatch, next, input));
                }
            },
        );
    }
    // Keep the address bar a link to this view (replaceState: no history entry per change).
    use_permalink(state.to_link(&whatif));

    let dispatch = state.dispatcher();
    let tagline = html! {
        <p class="tagline">{ t!("forecast.tagline") }</p>
    };
    if let Some(e) = &state.manifest_error {
        return html! {
            <div class="demo forecast">
                { tagline }
                <div class="status failed" data-testid="model-status" data-state="failed">
                    <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
                </div>
            </div>
        };
    }
    let (Some(manifest), Some(series)) = (state.manifest.clone(), state.current().cloned()) else {
        return html! {
            <div class="demo forecast">
                { tagline }
                <div class="status loading" data-testid="model-status" data-state="loading" role="status">{ t!("forecast.loading_series") }</div>
            </div>
        };
    };
    let series = Rc::new(series);
    let (t_len, h_len) = (manifest.window, manifest.horizon);
    let n = series.values.len();
    let origin = state.origin;
    let values = Rc::new(with_edits(&series.values, &state.edits));
    let window_problem = window_before(&values, origin, t_len).err();
    let link_note = {
        let parts: Vec<&str> = state.link_bad.iter().chain(&link.1 .1).copied().collect();
        forecast_link_problem(&parts)
    };

    // the outcome is shown only if it belongs to what is on screen
    let outcome = state.run.outcome.as_ref().filter(|o| {
        o.series == series.id
            && o.origin == origin
            && o.edits == state.edits
            && window_problem.is_none()
    });

    // the positions on screen: T past steps, then H forecast steps
    let first = origin as i64 - t_len as i64;
    let labels: Rc<Vec<String>> = Rc::new(
        (0..t_len + h_len)
            .map(|p| {
                let i = first + p as i64;
                if i < 0 {
                    String::new()
                } else {
                    series.date_label(i as usize)
                }
            })
            .collect(),
    );
    let truth: Rc<Vec<f64>> =
        Rc::new(series.values[origin.min(n)..(origin + h_len).min(n)].to_vec());
    let baseline = (window_problem.is_none())
        .then(|| seasonal_naive(&values[..origin], h_len, series.period))
        .flatten()
        .map(Rc::new);
    let step = state.step.min(h_len - 1);
    let export = Rc::new(export_context(&state, &series));
    let on_pick = {
        let dispatch = dispatch.clone();
        Callback::from(move |t: usize| dispatch.dispatch(Action::SetOrigin(t)))
    };
    let on_whatif = {
        let whatif = whatif.clone();
        Callback::from(move |v| whatif.set(v))
    };

    html! {
        <div class="demo forecast" data-testid="forecast-demo">
            <header class="demo-head">
                { tagline }
                { model_status_line(&ModelStatusLineProps { model: state.model.clone(), manifest: manifest.clone(), series: series.clone() }) }
                if let Some(note) = link_note {
                    <p class="note" data-testid="link-problem" role="status">{ note }</p>
                }
            </header>

            { series_controls(&SeriesControlsProps { manifest: manifest.clone(), series: series.clone(), origin,
                edits: state.edits.len(), dispatch: dispatch.clone() }) }

            <SeriesOverview values={values.clone()} origin={origin} window={t_len} horizon={h_len}
                test_start={series.test_start} onpick={on_pick}
                first_label={series.date_label(0)} last_label={series.date_label(n - 1)} />

            if let Some(problem) = &window_problem {
                <p class="note" data-testid="window-message" role="status">{ problem.to_string() }</p>
            }
            if let Some(e) = &state.run.error {
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            }

            <ForecastPanel manifest={manifest.clone()} series={series.clone()} values={values}
                edits={state.edits.clone()} origin={origin} labels={labels.clone()} truth={truth.clone()}
                baseline={baseline.clone()} outcome={outcome.cloned()} step={step} layer={state.layer}
                head={state.head} runs={state.run.runs} export={export.clone()} dispatch={dispatch.clone()} />

            if let Some(o) = outcome {
                { heads_grid(&HeadsGridProps { layers: o.layers.clone(), n_heads: manifest.n_heads, step,
                    layer: state.layer, head: state.head, dispatch: dispatch.clone() }) }
                { forecast_what_if(&ForecastWhatIfProps { manifest: manifest.clone(), layers: o.layers.clone(), layer: state.layer,
                    head: state.head, labels, whatif: (*whatif).clone(), onchange: on_whatif,
                    export }) }
            }

            { numbers(&NumbersProps { series: series.clone(), forecast: outcome.map(|o| o.forecast.clone()),
                baseline, truth }) }

            { about(&AboutProps { series, outcome: outcome.cloned() }) }
        </div>
    }
}

/// Where the exported grids come from: the series' model, the layer and head, and the input.
fn export_context(state: &State, series: &crate::demos::forecast::Series) -> ExportContext {
    let (origin, n) = (state.origin, series.values.len());
    let title = series.display_title();
    let date = series.date_label(origin.saturating_sub(1));
    ExportContext {
        model: format!("forecast/{}", series.id),
        demo: Demo::Forecast.slug().into(),
        step: Some(
            t!(
                "forecast.export.step",
                date = series.date_label(origin.min(n.saturating_sub(1)))
            )
            .into_owned(),
        ),
        layer: Some(state.layer + 1),
        head: state.head.map(|h| h + 1),
        input: Some(if state.edits.is_empty() {
            t!("forecast.export.input", series = title, date = date).into_owned()
        } else {
            t!(
                "forecast.export.input_edited",
                series = title,
                date = date,
                n = state.edits.len()
            )
            .into_owned()
        }),
    }
}
