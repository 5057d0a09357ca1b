//! The sweep's settings, Run / Cancel and progress, and the refusals a setting would meet.

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::demos::cost::sweep::{
    refusal_message, sizes, MethodKind, Params, Settings, D_K_CHOICES, MAX_HEADS, MAX_N, MAX_PARAM,
};

pub struct ControlsProps {
    pub settings: Settings,
    pub running: bool,
    pub planned: usize,
    pub done: usize,
    pub onchange: Callback<Settings>,
    pub onrun: Callback<()>,
    pub oncancel: Callback<()>,
}

/// The value of the `<select>` or `<input>` an event came from, as a number.
fn number_of(e: &Event) -> Option<usize> {
    let target = e.target()?;
    let text = if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        target.dyn_ref::<web_sys::HtmlInputElement>()?.value()
    };
    text.trim().parse().ok()
}

/// A change handler that writes a number into a copy of the settings (values outside
/// `min..=max` are ignored: the field keeps showing what the user typed, the sweep keeps the last
/// usable value).
fn on_number(
    props: &ControlsProps,
    min: usize,
    max: usize,
    write: fn(&mut Settings, usize),
) -> Callback<Event> {
    let (settings, onchange) = (props.settings.clone(), props.onchange.clone());
    Callback::from(move |e: Event| {
        if let Some(v) = number_of(&e).filter(|v| (min..=max).contains(v)) {
            let mut next = settings.clone();
            write(&mut next, v);
            onchange.emit(next);
        }
    })
}

fn select(
    id: &'static str,
    label: String,
    options: &[usize],
    value: usize,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label for={id}>{ label }{ " " }
            <select id={id} data-testid={id} {onchange}>
                { for options.iter().map(|&o| html! { <option value={o.to_string()} selected={o == value}>{ o }</option> }) }
            </select>
        </label>
    }
}

fn number_field(
    id: &'static str,
    label: String,
    value: usize,
    min: usize,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label for={id}>{ label }{ " " }
            <input id={id} data-testid={id} type="number" inputmode="numeric" min={min.to_string()} max={MAX_PARAM.to_string()}
                value={value.to_string()} {onchange} />
        </label>
    }
}

pub fn controls(props: &ControlsProps) -> Html {
    let s = &props.settings;
    let p: Params = s.params;
    let heads: Vec<usize> = (1..=MAX_HEADS).collect();
    let lengths = sizes(MAX_N);
    let method_box = |kind: MethodKind| {
        let checked = s.methods.contains(&kind);
        let (settings, onchange) = (s.clone(), props.onchange.clone());
        let toggle = Callback::from(move |_: Event| {
            let mut next = settings.clone();
            next.methods = MethodKind::ALL
                .into_iter()
                .filter(|&k| (k == kind) != next.methods.contains(&k))
                .collect();
            // At least one method: unticking the last one does nothing.
            if !next.methods.is_empty() {
                onchange.emit(next);
            }
        });
        html! {
            <label class="cost-method">
                <input type="checkbox" data-testid="method" data-method={kind.slug()} {checked} onchange={toggle} />
                { " " }{ kind.label() }
            </label>
        }
    };
    let refusals = s.refusals();
    let run = props.onrun.clone();
    let cancel = props.oncancel.clone();
    html! {
        <section class="cost-controls" aria-label={t!("cost.controls.title")}>
            <h2>{ t!("cost.controls.title") }</h2>
            <div class="controls">
                { select("d-k", t!("cost.controls.d_k").into_owned(), &D_K_CHOICES, s.d_k, on_number(props, 1, 4096, |s, v| s.d_k = v)) }
                { select("heads", t!("cost.controls.heads").into_owned(), &heads, s.heads, on_number(props, 1, MAX_HEADS, |s, v| s.heads = v)) }
                { select("max-n", t!("cost.controls.max_n").into_owned(), &lengths, s.max_n, on_number(props, 1, MAX_N, |s, v| s.max_n = v)) }
            </div>
            <fieldset class="cost-methods">
                <legend>{ t!("cost.controls.methods") }</legend>
                { for MethodKind::ALL.into_iter().map(method_box) }
            </fieldset>
            <div class="controls">
                { number_field("block", t!("cost.controls.block").into_owned(), p.block, 1, on_number(props, 1, MAX_PARAM, |s, v| s.params.block = v)) }
                { number_field("window", t!("cost.controls.window").into_owned(), p.window, 1, on_number(props, 1, MAX_PARAM, |s, v| s.params.window = v)) }
                { number_field("stride", t!("cost.controls.stride").into_owned(), p.stride, 1, on_number(props, 1, MAX_PARAM, |s, v| s.params.stride = v)) }
                { number_field("globals", t!("cost.controls.globals").into_owned(), p.globals, 0, on_number(props, 0, MAX_PARAM, |s, v| s.params.globals = v)) }
                { number_field("rank", t!("cost.controls.rank").into_owned(), p.rank, 1, on_number(props, 1, MAX_PARAM, |s, v| s.params.rank = v)) }
            </div>
            <p class="muted">{ t!("cost.controls.params_note") }</p>
            <div class="controls">
                <button type="button" class="primary" data-testid="run" disabled={props.running}
                    onclick={Callback::from(move |_| run.emit(()))}>{ t!("cost.controls.run") }</button>
                <button type="button" data-testid="cancel" disabled={!props.running}
                    onclick={Callback::from(move |_| cancel.emit(()))}>{ t!("cost.controls.cancel") }</button>
                if props.running {
                    <progress data-testid="sweep-progress" max={props.planned.max(1).to_string()} value={props.done.to_string()}
                        aria-label={t!("cost.controls.progress")}></progress>
                    <span role="status" data-testid="sweep-status">{ t!("cost.controls.measuring", done = props.done, total = props.planned) }</span>
                }
            </div>
            if !refusals.is_empty() {
                <ul class="note cost-refusals" data-testid="refusals" role="status">
                    { for refusals.iter().map(|r| html! { <li data-testid="refusal">{ refusal_message(r, s.heads) }</li> }) }
                </ul>
            }
        </section>
    }
}
