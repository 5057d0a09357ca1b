//! The series picker, the point-in-time slider and the button that undoes the reader's edits.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{Action, State};
use crate::demos::forecast::{ForecastManifest, Series};
use crate::ui::events::input_value;

/// The value of the `<select>` a change event came from (this demo's selects: series ids, and
/// 0-based indices, so not `events::one_based_select`).
pub fn select_value(e: &Event) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|sel| sel.value())
}

pub struct SeriesControlsProps {
    pub manifest: Rc<ForecastManifest>,
    pub series: Rc<Series>,
    /// First forecast step (index in the series).
    pub origin: usize,
    /// How many past values the reader has changed.
    pub edits: usize,
    pub dispatch: UseReducerDispatcher<State>,
}

pub fn series_controls(props: &SeriesControlsProps) -> Html {
    let (series, origin, dispatch) = (&props.series, props.origin, &props.dispatch);
    let on_series = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(id) = select_value(&e) {
                dispatch.dispatch(Action::SetSeries(id));
            }
        })
    };
    let on_origin = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e).and_then(|v| v.parse::<usize>().ok()) {
                dispatch.dispatch(Action::SetOrigin(v));
            }
        })
    };
    let on_reset = {
        let dispatch = dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::ResetEdits))
    };
    let n = series.values.len();
    html! {
        <section class="fc-controls controls" aria-label={t!("forecast.controls.label")}>
            <label>{ t!("forecast.controls.series") }{ " " }
                <select data-testid="series-select" onchange={on_series}>
                    { for props.manifest.series.iter().map(|s| html! {
                        <option value={s.id.clone()} selected={s.id == series.id}>{ s.display_title() }</option>
                    }) }
                </select>
            </label>
            <label class="fc-origin-control">{ t!("forecast.controls.origin") }{ " " }
                <input type="range" data-testid="origin-slider" min="1" max={n.to_string()} step="1"
                    value={origin.to_string()} oninput={on_origin}
                    aria-valuetext={series.date_label(origin)} />
                <output data-testid="origin-label">{ series.date_label(origin) }</output>
            </label>
            <button type="button" data-testid="reset-edits" disabled={props.edits == 0} onclick={on_reset}>
                { if props.edits == 0 { t!("forecast.controls.reset") } else { t!("forecast.controls.reset_n", n = props.edits) } }
            </button>
        </section>
    }
}
