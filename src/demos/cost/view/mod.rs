//! The cost of attention, measured: a sweep over n of every chosen method in the worker (one
//! request per (method, n), so progress shows after each and Cancel stops within one), log-log
//! charts of time and memory with their slopes beside the exact counts, and accuracy on real
//! data.

mod about;
mod accuracy;
mod chart;
mod controls;
mod results;
mod state;

use std::cell::Cell;
use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::accuracy::AccuracyPanel;
use self::chart::{log_log_chart, ChartProps};
use self::controls::{controls, ControlsProps};
use self::results::{results_table, save_buttons, slopes_table};
use self::state::{Action, Row, State};
use crate::demos::cost::accuracy::AccuracyChoice;
use crate::demos::cost::sweep::{refusal_message, slopes, MethodKind, Settings, SLOW_MS};
use crate::route::link_problem;
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::worker_client::{measure, Runner};
use crate::worker::AttentionWorker;

/// The sweep's random inputs; the same seed every run, so runs are comparable.
const SEED: u64 = 2026;

/// Runs the sweep `generation`: one worker request per planned (method, n), stopping as soon
/// as `current` no longer holds this generation (Cancel, or a newer Run).
async fn sweep(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    current: Rc<Cell<u64>>,
    generation: u64,
    settings: Settings,
) {
    let mut slow: Vec<MethodKind> = Vec::new();
    for planned in settings.plan() {
        if current.get() != generation {
            return;
        }
        let row = if planned.refused.is_some() {
            Row::Refused {
                kind: planned.kind,
                n: planned.n,
                message: refusal_message(&planned, settings.heads),
            }
        } else if slow.contains(&planned.kind) {
            Row::Skipped {
                kind: planned.kind,
                n: planned.n,
            }
        } else {
            let result = measure(
                &runner,
                planned.method,
                planned.n,
                settings.d_k,
                settings.heads,
                SEED,
            )
            .await;
            if current.get() != generation {
                return;
            }
            match result {
                Ok(m) => {
                    if m.median_ms > SLOW_MS {
                        slow.push(planned.kind);
                    }
                    Row::Measured(m)
                }
                Err(e) => {
                    return dispatch.dispatch(Action::Failed {
                        generation,
                        message: e.to_string(),
                    })
                }
            }
        };
        dispatch.dispatch(Action::Row { generation, row });
    }
    dispatch.dispatch(Action::Finished { generation });
}

#[component]
pub fn CostDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(|route| {
        let (settings, mut bad) = Settings::read(route);
        let (accuracy, bad_accuracy) = AccuracyChoice::read(route);
        bad.extend(bad_accuracy);
        (settings, accuracy, bad)
    });
    let state = use_reducer(|| State {
        settings: link.0.clone(),
        accuracy: link.1.clone(),
        ..State::default()
    });
    {
        let mut route = state.settings.write();
        state.accuracy.write(&mut route);
        use_permalink(Some(route.to_string()));
    }
    let runner = use_oneshot_runner::<AttentionWorker>();
    let current = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let save_error = use_state(|| None::<String>);
    let time_svg = use_node_ref();
    let memory_svg = use_node_ref();

    let dispatch = state.dispatcher();
    let onrun = {
        let (runner, dispatch, current, settings) = (
            runner.clone(),
            dispatch.clone(),
            current.borrow().clone(),
            state.settings.clone(),
        );
        Callback::from(move |_| {
            let generation = current.get() + 1;
            current.set(generation);
            dispatch.dispatch(Action::Start {
                generation,
                planned: settings.plan().len(),
            });
            spawn_local(sweep(
                runner.clone(),
                dispatch.clone(),
                current.clone(),
                generation,
                settings.clone(),
            ));
        })
    };
    let oncancel = {
        let (dispatch, current) = (dispatch.clone(), current.borrow().clone());
        Callback::from(move |_| {
            current.set(current.get() + 1);
            dispatch.dispatch(Action::Cancel);
        })
    };
    let onchange = {
        let dispatch = dispatch.clone();
        Callback::from(move |s| dispatch.dispatch(Action::Settings(s)))
    };
    let onchoice = {
        let dispatch = dispatch.clone();
        Callback::from(move |c| dispatch.dispatch(Action::Accuracy(c)))
    };
    let onsave_error = {
        let save_error = save_error.clone();
        Callback::from(move |e: String| {
            save_error.set(Some(
                t!("heatmap.save_failed", format = "", error = e).into_owned(),
            ))
        })
    };

    let measurements = state.measurements();
    let kinds: Vec<MethodKind> = MethodKind::ALL
        .into_iter()
        .filter(|k| measurements.iter().any(|m| MethodKind::of(m.method) == *k))
        .collect();
    let all_slopes: Vec<_> = kinds
        .iter()
        .map(|&k| (k, slopes(&measurements, k)))
        .collect();
    let max_n = measurements
        .iter()
        .map(|m| m.n)
        .max()
        .unwrap_or(state.settings.max_n);
    let chart = |id, title: String, y_label: String, value, slope, svg: &NodeRef| {
        log_log_chart(&ChartProps {
            id,
            title,
            y_label,
            measurements: &measurements,
            methods: &kinds,
            slopes: &all_slopes,
            value,
            slope,
            max_n,
            svg: svg.clone(),
            onsave_error: onsave_error.clone(),
        })
    };
    let s = &*state;
    html! {
        <div class="demo cost" data-testid="cost" data-running={s.running.to_string()} data-done={s.done.to_string()}
            data-cancelled={s.cancelled.to_string()}>
            <header class="demo-head">
                <p class="tagline">{ t!("cost.tagline") }</p>
            </header>
            if let Some(message) = link_problem(&link.2) {
                <p class="note" data-testid="link-problem" role="status">{ message }</p>
            }
            { controls(&ControlsProps {
                settings: s.settings.clone(),
                running: s.running,
                planned: s.planned,
                done: s.done,
                onchange,
                onrun,
                oncancel,
            }) }
            if s.cancelled {
                <p class="note" data-testid="cancelled" role="status">{ t!("cost.cancelled", done = s.done, total = s.planned) }</p>
            }
            if let Some(e) = &s.error {
                <p class="error" data-testid="sweep-error" role="alert">{ e.clone() }</p>
            }
            if let Some(e) = &*save_error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if !s.rows.is_empty() {
                <section class="cost-results" aria-label={t!("cost.results")}>
                    <div class="cost-charts">
                        { chart("time-chart", t!("cost.chart.time").into_owned(), t!("cost.chart.time_axis").into_owned(), |m| m.median_ms, |s| s.time, &time_svg) }
                        { chart("memory-chart", t!("cost.chart.memory").into_owned(), t!("cost.chart.memory_axis").into_owned(), |m| m.bytes as f64, |s| s.memory, &memory_svg) }
                    </div>
                    <p class="muted">{ t!("cost.chart.note") }</p>
                    { slopes_table(&all_slopes) }
                    { results_table(&s.rows, s.settings.heads) }
                    { save_buttons(&measurements, onsave_error.clone()) }
                </section>
            } else {
                <p class="muted" data-testid="no-results">{ t!("cost.no_results") }</p>
            }
            <AccuracyPanel params={s.settings.params} methods={s.settings.methods.clone()}
                choice={s.accuracy.clone()} {onchoice} />
            { about::about() }
        </div>
    }
}
