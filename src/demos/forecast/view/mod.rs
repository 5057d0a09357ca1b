//! The time-series demo: pick a series and a point in time; a small attention model reads the 36
//! steps before it and forecasts the next 12. The page shows the forecast against the true values
//! and a seasonal-naive baseline, and under it the attention of a forecast step over the past
//! steps (per layer and head, and their average). Drag a past value and watch both change.
mod forecast_plot;
mod series_overview;

use std::collections::BTreeMap;
use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::forecast_plot::{ForecastPlot, PastPoint};
use self::series_overview::SeriesOverview;
use crate::demos::forecast::{
    denormalise, forecast_link_problem, mae, normalise, peak_lag, seasonal_naive, window_before,
    with_edits, ForecastManifest, ForecastView, LayerAttention, Series, MODEL_DIR,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::protocol::{InputSpec, Tensor};
use crate::route::{read_what_if, write_what_if, Demo, Route};
use crate::ui::components::{WhatIfPanel, WhatIfSource};
use crate::ui::fetch::fetch_text;
use crate::ui::permalink::use_permalink;
use crate::ui::worker_client::{infer, load_graph, GraphSource, Runner};
use crate::worker::AttentionWorker;

fn graph_key(series: &str) -> String {
    format!("forecast-{series}")
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Why a model could not be loaded or run. Kept as a value and put into words when shown, so a
/// language switch translates it too.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// Said by the worker or the download, already in words.
    Text(String),
    NotForecaster {
        url: String,
        missing: String,
    },
    NoForecast,
    BadAttention,
}

impl Problem {
    fn text(&self) -> String {
        match self {
            Problem::Text(e) => e.clone(),
            Problem::NotForecaster { url, missing } => t!(
                "forecast.error.not_forecaster",
                url = url,
                missing = missing
            )
            .into_owned(),
            Problem::NoForecast => t!("forecast.error.no_forecast").into_owned(),
            Problem::BadAttention => t!("forecast.error.bad_attention").into_owned(),
        }
    }
}

/// What the model gave for one window.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    /// The input it was run on: series, origin and the edits at the time.
    series: String,
    origin: usize,
    edits: Rc<BTreeMap<usize, f64>>,
    /// (H,) in the series' units.
    forecast: Rc<Vec<f64>>,
    mean: f64,
    scale: f64,
    layers: Rc<Vec<LayerAttention>>,
    latency_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum ModelState {
    Loading { loaded: u64, total: u64 },
    Ready,
    Failed(Problem),
}

#[derive(Debug, Clone, PartialEq)]
struct State {
    manifest: Option<Rc<ForecastManifest>>,
    manifest_error: Option<String>,
    series: String,
    origin: usize,
    edits: Rc<BTreeMap<usize, f64>>,
    layer: usize,
    /// `None`: the average of the heads.
    head: Option<usize>,
    step: usize,
    model: ModelState,
    outcome: Option<Outcome>,
    run_error: Option<Problem>,
    /// Completed runs, for tests to wait on.
    runs: u64,
    /// The latest request; older answers are dropped.
    seq: u64,
    /// Parts of the link that could not be used (see [`ForecastView::read`]).
    link_bad: Vec<&'static str>,
}

enum Action {
    /// The manifest, and the view its link asks for with the parts that could not be used.
    ManifestLoaded(Rc<ForecastManifest>, ForecastView, Vec<&'static str>),
    ManifestFailed(String),
    Progress(String, u64, u64),
    ModelReady(String),
    ModelFailed(String, Problem),
    SetSeries(String),
    SetOrigin(usize),
    Edit(usize, f64),
    ResetEdits,
    SetLayer(usize),
    SetHead(Option<usize>),
    SetStep(usize),
    Requested(u64),
    Finished(u64, Result<Outcome, Problem>),
}

impl Default for State {
    fn default() -> Self {
        Self {
            manifest: None,
            manifest_error: None,
            series: String::new(),
            origin: 0,
            edits: Rc::default(),
            layer: 1,
            head: None,
            step: 0,
            model: ModelState::Loading {
                loaded: 0,
                total: 0,
            },
            outcome: None,
            run_error: None,
            runs: 0,
            seq: 0,
            link_bad: Vec::new(),
        }
    }
}

impl State {
    fn current(&self) -> Option<&Series> {
        self.manifest.as_ref()?.find(&self.series)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ManifestLoaded(m, view, bad) => {
                s.series = view.series;
                s.origin = view.origin;
                s.step = view.step;
                s.layer = view.layer;
                s.head = view.head;
                s.link_bad = bad;
                s.manifest = Some(m);
            }
            Action::ManifestFailed(e) => s.manifest_error = Some(e),
            Action::Progress(id, loaded, total) if id == s.series => {
                s.model = ModelState::Loading { loaded, total }
            }
            Action::ModelReady(id) if id == s.series => s.model = ModelState::Ready,
            Action::ModelFailed(id, e) if id == s.series => s.model = ModelState::Failed(e),
            Action::Progress(..) | Action::ModelReady(_) | Action::ModelFailed(..) => {}
            Action::SetSeries(id) => {
                if let Some(series) = s.manifest.as_ref().and_then(|m| m.find(&id)) {
                    s.origin = series.test_start;
                    s.series = id;
                    s.edits = Rc::default();
                    s.outcome = None;
                    s.run_error = None;
                    s.model = ModelState::Loading {
                        loaded: 0,
                        total: 0,
                    };
                }
            }
            Action::SetOrigin(t) => {
                let n = s.current().map_or(0, |c| c.values.len());
                s.origin = t.min(n);
            }
            Action::Edit(i, v) => {
                if v.is_finite() {
                    let original = s.current().and_then(|c| c.values.get(i).copied());
                    let mut edits = (*s.edits).clone();
                    match original {
                        Some(o) if (o - v).abs() < 1e-12 => {
                            edits.remove(&i);
                        }
                        Some(_) => {
                            edits.insert(i, v);
                        }
                        None => {}
                    }
                    s.edits = Rc::new(edits);
                }
            }
            Action::ResetEdits => s.edits = Rc::default(),
            Action::SetLayer(l) => s.layer = l,
            Action::SetHead(h) => s.head = h,
            Action::SetStep(h) => s.step = h,
            Action::Requested(seq) => s.seq = seq,
            Action::Finished(seq, result) => {
                if seq != s.seq {
                    return self;
                }
                s.runs += 1;
                match result {
                    Ok(o) => {
                        s.outcome = Some(o);
                        s.run_error = None;
                    }
                    Err(e) => s.run_error = Some(e),
                }
            }
        }
        Rc::new(s)
    }
}

async fn load_manifest(dispatch: UseReducerDispatcher<State>, route: Route) {
    match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| ForecastManifest::parse(&t))
    {
        Ok(m) => {
            let (view, bad) = ForecastView::read(&route, &m);
            dispatch.dispatch(Action::ManifestLoaded(Rc::new(m), view, bad))
        }
        Err(e) => dispatch.dispatch(Action::ManifestFailed(e)),
    }
}

async fn load_model(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    series: Series,
    window: usize,
) {
    let id = series.id.clone();
    let total = series.onnx_bytes;
    let progress = {
        let (dispatch, id) = (dispatch.clone(), id.clone());
        move |loaded: u64, _| dispatch.dispatch(Action::Progress(id.clone(), loaded, total))
    };
    let inputs = vec![InputSpec::f32("window", &["batch", &window.to_string()])];
    let url = format!("{MODEL_DIR}{}", series.onnx);
    let source = GraphSource::new(&graph_key(&id), url.clone(), inputs);
    let progress = progress;
    match load_graph(&runner, &source, |n| progress(n, 0)).await {
        Ok(summary) => {
            let missing: Vec<&str> = ["forecast", "layer0.weights"]
                .into_iter()
                .filter(|n| !summary.outputs.iter().any(|o| o == n))
                .collect();
            if missing.is_empty() {
                dispatch.dispatch(Action::ModelReady(id))
            } else {
                dispatch.dispatch(Action::ModelFailed(
                    id,
                    Problem::NotForecaster {
                        url,
                        missing: missing.join(", "),
                    },
                ))
            }
        }
        Err(e) => dispatch.dispatch(Action::ModelFailed(id, Problem::Text(e))),
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_forecast(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    seq: u64,
    manifest: Rc<ForecastManifest>,
    series: Series,
    origin: usize,
    edits: Rc<BTreeMap<usize, f64>>,
) {
    let started = now_ms();
    let values = with_edits(&series.values, &edits);
    let window = match window_before(&values, origin, manifest.window) {
        Ok(w) => w,
        Err(_) => return, // shown by the page without asking the model
    };
    let norm = normalise(window, manifest.scale_floor);
    let mut wanted = vec!["forecast".to_owned()];
    wanted.extend((0..manifest.n_layers).map(|l| format!("layer{l}.weights")));
    let input = Tensor::f32("window", vec![1, manifest.window], norm.z.clone());
    let result = match infer(&runner, &graph_key(&series.id), vec![input], Some(wanted)).await {
        Ok(out) => (|| {
            let forecast = Tensor::find(&out, "forecast")
                .and_then(Tensor::as_f32)
                .filter(|f| f.len() == manifest.horizon)
                .ok_or(Problem::NoForecast)?;
            let layers = (0..manifest.n_layers)
                .map(|l| {
                    let t = Tensor::find(&out, &format!("layer{l}.weights"))
                        .ok_or(Problem::BadAttention)?;
                    LayerAttention::new(
                        &t.shape,
                        t.as_f32().ok_or(Problem::BadAttention)?.to_vec(),
                        manifest.window,
                        manifest.horizon,
                    )
                    .map_err(|_| Problem::BadAttention)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Outcome {
                series: series.id.clone(),
                origin,
                edits: edits.clone(),
                forecast: Rc::new(denormalise(forecast, norm.mean, norm.scale)),
                mean: norm.mean,
                scale: norm.scale,
                layers: Rc::new(layers),
                latency_ms: now_ms() - started,
            })
        })(),
        Err(e) => Err(Problem::Text(e.to_string())),
    };
    dispatch.dispatch(Action::Finished(seq, result));
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[derive(Properties, PartialEq)]
struct MiniBarsProps {
    row: Rc<Vec<f32>>,
    label: AttrValue,
    selected: bool,
    onclick: Callback<MouseEvent>,
}

/// One layer/head's attention of the chosen step, drawn small, to compare heads at a glance.
#[component]
fn MiniBars(props: &MiniBarsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let n = props.row.len().max(1);
    let max = props.row.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let w = 180.0 / n as f32;
    html! {
        <button type="button" class={classes!("fc-mini", props.selected.then_some("current"))} data-testid="mini-bars"
            aria-pressed={props.selected.to_string()} onclick={props.onclick.clone()}>
            <svg viewBox="0 0 180 40" aria-hidden="true">
                { for props.row.iter().enumerate().map(|(i, &v)| {
                    let h = v / max * 38.0;
                    html! { <rect x={(i as f32 * w).to_string()} y={(40.0 - h).to_string()} width={(w * 0.85).to_string()} height={h.to_string()} /> }
                }) }
            </svg>
            <span>{ props.label.clone() }</span>
        </button>
    }
}

#[component]
pub fn ForecastDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let route = use_context::<Route>().unwrap_or_default();
    // The what-if settings come from the link once; the rest of it is read with the manifest.
    let link_whatif = use_memo((), {
        let route = route.clone();
        move |_| read_what_if(&route)
    });
    let state = use_reducer(State::default);
    let whatif = use_state(|| link_whatif.0.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| spawn_local(load_manifest(dispatch, route)));
    }
    {
        // Load the chosen series' model (each series has its own small model).
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        let series = state.current().cloned();
        let window = state.manifest.as_ref().map_or(0, |m| m.window);
        use_effect_with(state.series.clone(), move |_| {
            if let Some(series) = series {
                spawn_local(load_model(runner, dispatch, series, window));
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
                    spawn_local(run_forecast(
                        runner,
                        dispatch,
                        next,
                        manifest,
                        series,
                        *origin,
                        edits.clone(),
                    ));
                }
            },
        );
    }

    {
        // Keep the address bar a link to this view (replaceState: no history entry per change).
        let link = state.manifest.as_ref().map(|m| {
            let mut route = Route::of(Demo::Forecast);
            ForecastView {
                series: state.series.clone(),
                origin: state.origin,
                step: state.step.min(m.horizon.saturating_sub(1)),
                layer: state.layer,
                head: state.head,
            }
            .write(&mut route);
            write_what_if(&mut route, &whatif);
            route.to_string()
        });
        use_permalink(link);
    }

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
    let (t_len, h_len) = (manifest.window, manifest.horizon);
    let n = series.values.len();
    let origin = state.origin;
    let values = with_edits(&series.values, &state.edits);
    let window_problem = window_before(&values, origin, t_len).err();
    let monthly = series.monthly();
    let title = series.display_title();
    let unit = series.display_unit();
    let link_note = {
        let parts: Vec<&str> = state
            .link_bad
            .iter()
            .chain(link_whatif.1.iter())
            .copied()
            .collect();
        forecast_link_problem(&parts)
    };

    // the outcome is shown only if it belongs to what is on screen
    let outcome = state.outcome.as_ref().filter(|o| {
        o.series == series.id
            && o.origin == origin
            && o.edits == state.edits
            && window_problem.is_none()
    });

    let status = match &state.model {
        ModelState::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("forecast.status.downloading", model = series.id) }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()} aria-label={t!("forecast.status.progress")}></progress>
            </div>
        },
        ModelState::Ready => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("forecast.status.ready", model = series.id, layers = manifest.n_layers, heads = manifest.n_heads,
                    d_model = manifest.d_model, kb = series.onnx_bytes / 1024) }
            </div>
        },
        ModelState::Failed(e) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            </div>
        },
    };

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
    let past: Rc<Vec<PastPoint>> = Rc::new(
        (origin.saturating_sub(t_len)..origin.min(n))
            .map(|i| PastPoint {
                index: i,
                value: values[i],
                original: state.edits.get(&i).map(|_| series.values[i]),
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
    let head_name = |h: Option<usize>| match h {
        Some(h) => t!("forecast.head_n", n = h + 1).into_owned(),
        None => t!("forecast.head_average_of", n = manifest.n_heads).into_owned(),
    };
    let attention_label = t!(
        "forecast.attention_label",
        layer = state.layer + 1,
        head = head_name(state.head)
    )
    .into_owned();
    let attention_id = format!(
        "layer {}, {}",
        state.layer + 1,
        match state.head {
            Some(h) => format!("head {}", h + 1),
            None => format!("average of {} heads", manifest.n_heads),
        }
    );
    let export = Rc::new(ExportContext {
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
            t!(
                "forecast.export.input",
                series = title,
                date = series.date_label(origin.saturating_sub(1))
            )
            .into_owned()
        } else {
            t!(
                "forecast.export.input_edited",
                series = title,
                date = series.date_label(origin.saturating_sub(1)),
                n = state.edits.len()
            )
            .into_owned()
        }),
    });
    let attention_row = outcome
        .and_then(|o| o.layers.get(state.layer))
        .map(|l| Rc::new(l.forecast_row(state.head, step)));

    let all_rows = outcome.and_then(|o| o.layers.get(state.layer)).map(|l| {
        Rc::new(
            (0..h_len)
                .map(|h| l.forecast_row(state.head, h))
                .collect::<Vec<_>>(),
        )
    });
    let on_series = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                dispatch.dispatch(Action::SetSeries(sel.value()));
            }
        })
    };
    let on_origin_input = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                if let Ok(v) = input.value().parse::<usize>() {
                    dispatch.dispatch(Action::SetOrigin(v));
                }
            }
        })
    };
    let on_pick = {
        let dispatch = dispatch.clone();
        Callback::from(move |t: usize| dispatch.dispatch(Action::SetOrigin(t)))
    };
    let on_edit = {
        let dispatch = dispatch.clone();
        Callback::from(move |(i, v): (usize, f64)| dispatch.dispatch(Action::Edit(i, v)))
    };
    let on_step = {
        let dispatch = dispatch.clone();
        Callback::from(move |h: usize| dispatch.dispatch(Action::SetStep(h)))
    };
    let select = |make: fn(usize) -> Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                if let Ok(v) = sel.value().parse::<usize>() {
                    dispatch.dispatch(make(v));
                }
            }
        })
    };
    let on_head = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                dispatch.dispatch(Action::SetHead(sel.value().parse::<usize>().ok()));
            }
        })
    };

    // a sentence about the chosen step's attention
    let summary = attention_row.as_ref().and_then(|row| {
        let (lag, w) = peak_lag(row, t_len, step)?;
        let col = t_len + step - lag;
        let when = labels.get(col).cloned().unwrap_or_default();
        let target = labels.get(t_len + step).cloned().unwrap_or_default();
        let (step, pct) = (step + 1, format!("{:.1}", w * 100.0));
        let mut text = match (monthly, lag) {
            (true, 1) => t!(
                "forecast.summary.monthly_one",
                step = step,
                target = target,
                pct = pct,
                when = when
            ),
            (true, _) => t!(
                "forecast.summary.monthly",
                step = step,
                target = target,
                pct = pct,
                when = when,
                lag = lag
            ),
            (false, 1) => t!(
                "forecast.summary.yearly_one",
                step = step,
                target = target,
                pct = pct,
                when = when
            ),
            (false, _) => t!(
                "forecast.summary.yearly",
                step = step,
                target = target,
                pct = pct,
                when = when,
                lag = lag
            ),
        }
        .into_owned();
        if lag.is_multiple_of(series.period) {
            text.push_str(&if monthly {
                t!("forecast.summary.seasonal_monthly", period = series.period)
            } else {
                t!("forecast.summary.seasonal_yearly", period = series.period)
            });
        }
        text.push_str(&t!("forecast.summary.end"));
        Some(text)
    });

    let known_errors = outcome.and_then(|o| {
        let m = mae(&o.forecast, &truth)?;
        let b = baseline.as_ref().and_then(|b| mae(b, &truth))?;
        Some((m, b, truth.len()))
    });
    let baseline_name = if monthly {
        t!("forecast.metrics.seasonal_monthly")
    } else {
        t!("forecast.metrics.seasonal_yearly", period = series.period)
    };
    let mask_label = t!("forecast.whatif.model_mask").into_owned();

    html! {
        <div class="demo forecast" data-testid="forecast-demo">
            <header class="demo-head">
                { tagline }
                { status }
                if let Some(note) = link_note {
                    <p class="note" data-testid="link-problem" role="status">{ note }</p>
                }
            </header>

            <section class="fc-controls controls" aria-label={t!("forecast.controls.label")}>
                <label>{ t!("forecast.controls.series") }{ " " }
                    <select data-testid="series-select" onchange={on_series}>
                        { for manifest.series.iter().map(|s| html! {
                            <option value={s.id.clone()} selected={s.id == series.id}>{ s.display_title() }</option>
                        }) }
                    </select>
                </label>
                <label class="fc-origin-control">{ t!("forecast.controls.origin") }{ " " }
                    <input type="range" data-testid="origin-slider" min="1" max={n.to_string()} step="1"
                        value={origin.to_string()} oninput={on_origin_input}
                        aria-valuetext={series.date_label(origin)} />
                    <output data-testid="origin-label">{ series.date_label(origin) }</output>
                </label>
                <button type="button" data-testid="reset-edits" disabled={state.edits.is_empty()}
                    onclick={{ let d = dispatch.clone(); Callback::from(move |_| d.dispatch(Action::ResetEdits)) }}>
                    { if state.edits.is_empty() { t!("forecast.controls.reset") } else { t!("forecast.controls.reset_n", n = state.edits.len()) } }
                </button>
            </section>

            <SeriesOverview values={Rc::new(values.clone())} origin={origin} window={t_len} horizon={h_len}
                test_start={series.test_start} onpick={on_pick}
                first_label={series.date_label(0)} last_label={series.date_label(n - 1)} />

            if let Some(problem) = &window_problem {
                <p class="note" data-testid="window-message" role="status">{ problem.to_string() }</p>
            }
            if let Some(e) = &state.run_error {
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            }

            <section class="fc-main" aria-label={t!("forecast.main.label")}>
                <div class="fc-legend">
                    <span class="fc-key past">{ t!("forecast.legend.past") }</span>
                    <span class="fc-key forecast">{ t!("forecast.legend.forecast") }</span>
                    <span class="fc-key baseline">{ if monthly { t!("forecast.legend.baseline_monthly") } else { t!("forecast.legend.baseline_yearly", period = series.period) } }</span>
                    <span class="fc-key truth">{ t!("forecast.legend.truth") }</span>
                </div>
                <ForecastPlot past={past} origin={origin} window={t_len} horizon={h_len} labels={labels.clone()}
                    truth={truth.clone()} forecast={outcome.map(|o| o.forecast.clone())} baseline={baseline.clone()}
                    unit={unit.clone()} period={series.period} step={step} onstep={on_step.clone()}
                    onedit={on_edit} attention={attention_row.clone()} attention_label={attention_label.clone()} attention_id={attention_id}
                    all_rows={all_rows} export={Some(export.clone())} />
                if outcome.is_some() {
                    <div class="fc-attention-controls controls">
                        <label>{ t!("forecast.controls.step") }{ " " }
                            <select data-testid="step-select" onchange={select(Action::SetStep)}>
                                { for (0..h_len).map(|h| html! { <option value={h.to_string()} selected={h == step}>
                                    { format!("+{} ({})", h + 1, labels.get(t_len + h).cloned().unwrap_or_default()) }</option> }) }
                            </select>
                        </label>
                        <label>{ t!("forecast.controls.layer") }{ " " }
                            <select data-testid="layer-select" onchange={select(Action::SetLayer)}>
                                { for (0..manifest.n_layers).map(|l| html! { <option value={l.to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
                            </select>
                        </label>
                        <label>{ t!("forecast.controls.head") }{ " " }
                            <select data-testid="head-select" onchange={on_head}>
                                <option value="avg" selected={state.head.is_none()}>{ t!("forecast.controls.average") }</option>
                                { for (0..manifest.n_heads).map(|h| html! { <option value={h.to_string()} selected={state.head == Some(h)}>{ h + 1 }</option> }) }
                            </select>
                        </label>
                    </div>
                    if let Some(s) = &summary {
                        <p class="fc-summary" data-testid="attention-summary">{ s.clone() }</p>
                    }
                }
                <span data-testid="run-id" data-run={state.runs.to_string()} hidden=true></span>
            </section>

            if let Some(o) = outcome {
                <section class="fc-heads" aria-label={t!("forecast.heads.label")}>
                    <h3>{ t!("forecast.heads.heading", step = step + 1) }</h3>
                    <div class="fc-mini-grid">
                        { for o.layers.iter().enumerate().map(|(l, layer)| html! {
                            <div class="fc-mini-row">
                                <span class="fc-mini-layer">{ t!("forecast.layer_n", n = l + 1) }</span>
                                { for std::iter::once(None).chain((0..layer.heads).map(Some)).map(|h| {
                                    let dispatch = dispatch.clone();
                                    let onclick = Callback::from(move |_| {
                                        dispatch.dispatch(Action::SetLayer(l));
                                        dispatch.dispatch(Action::SetHead(h));
                                    });
                                    html! { <MiniBars row={Rc::new(layer.forecast_row(h, step))} label={head_name(h)}
                                        selected={l == state.layer && h == state.head} onclick={onclick} /> }
                                }) }
                            </div>
                        }) }
                    </div>
                </section>
            }

            if let Some(o) = outcome {
                <section class="fc-whatif" aria-label={t!("forecast.whatif.label")}>
                    { match (o.layers.get(state.layer), state.head) {
                        (Some(layer), Some(h)) => {
                            let data: Vec<f32> = (0..h_len).flat_map(|k| layer.forecast_row(Some(h), k)).collect();
                            match Matrix::from_vec(h_len, t_len, data) {
                                Ok(weights) => {
                                    let rows = Rc::new((0..h_len).map(|k| format!("+{}", k + 1)).collect::<Vec<_>>());
                                    let cols = Rc::new(labels[..t_len].to_vec());
                                    let source = WhatIfSource::from_weights(weights, manifest.d_model / manifest.n_heads.max(1), (rows, cols), (state.layer, h), &mask_label);
                                    let onchange = { let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) };
                                    html! { <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()} {onchange} export={Some(export.clone())} /> }
                                }
                                Err(_) => html! {},
                            }
                        }
                        _ => html! { <p class="hint" data-testid="whatif-pick-head">{ t!("forecast.whatif.pick_head") }</p> },
                    } }
                </section>
            }

            <section class="fc-numbers" aria-label={t!("forecast.numbers.label")}>
                if let Some((m, b, k)) = known_errors {
                    <p data-testid="window-errors">{
                        if monthly {
                            t!("forecast.numbers.window_monthly", k = k, model = fmt_num(m), naive = fmt_num(b), unit = unit)
                        } else {
                            t!("forecast.numbers.window_yearly", k = k, model = fmt_num(m), naive = fmt_num(b), unit = unit)
                        }
                    }</p>
                } else if outcome.is_some() {
                    <p class="muted">{ t!("forecast.numbers.past_end") }</p>
                }
                <table class="fc-metrics" data-testid="metrics">
                    <caption>{ t!("forecast.metrics.caption", from = series.date_label(series.test_start), to = series.date_label(n - 1)) }</caption>
                    <thead><tr><th>{ t!("forecast.metrics.forecaster") }</th><th>{ "MAE" }</th><th>{ "RMSE" }</th><th>{ "MASE" }</th></tr></thead>
                    <tbody>
                        { for [(t!("forecast.metrics.model"), series.metrics.model), (baseline_name, series.metrics.seasonal_naive), (t!("forecast.metrics.naive_last"), series.metrics.naive_last)]
                            .into_iter().map(|(name, e)| html! {
                                <tr><td>{ name }</td><td>{ fmt_num(e.mae) }</td><td>{ fmt_num(e.rmse) }</td><td>{ format!("{:.3}", e.mase) }</td></tr>
                            }) }
                    </tbody>
                </table>
                <p class="muted" data-testid="mase-note">{
                    if monthly { t!("forecast.metrics.mase_monthly", unit = unit) } else { t!("forecast.metrics.mase_yearly", period = series.period, unit = unit) }
                }</p>
            </section>

            <footer class="about">
                <p>{ t!("forecast.about.normalise", unit = unit) }</p>
                <p class="muted">{ t!("forecast.about.data", source = series.display_source(), licence = series.display_licence()) }</p>
                if let Some(o) = outcome {
                    <p class="muted">{ t!("forecast.about.last_run", mean = fmt_num(o.mean), scale = fmt_num(o.scale), ms = format!("{:.1}", o.latency_ms)) }</p>
                }
            </footer>
        </div>
    }
}
