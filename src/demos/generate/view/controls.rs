//! The prompt and the sampling controls: the text box, the examples, Generate / Step / Play,
//! temperature, top-k, top-p and the seed, and the notes about the input (an unusable link, an
//! empty or cut prompt, clamped controls, an error).

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, GenState, Message, Mode};
use crate::demos::generate::sampling::{Clamped, Sampler, MAX_TEMPERATURE};
use crate::route::link_problem;
use crate::ui::events::input_value;

pub struct ControlsProps<'a> {
    pub state: &'a GenState,
    pub dispatch: UseReducerDispatcher<GenState>,
    pub on_generate: Callback<String>,
}

fn clamp_note(c: &Clamped) -> String {
    match *c {
        Clamped::Temperature { asked, used } => {
            t!("generate.clamp.temperature", asked = asked, used = used)
        }
        Clamped::TopK { asked, used } => t!("generate.clamp.top_k", asked = asked, used = used),
        Clamped::TopP { asked, used } => t!("generate.clamp.top_p", asked = asked, used = used),
        Clamped::Seed { asked, used } => t!("generate.clamp.seed", asked = asked, used = used),
    }
    .into_owned()
}

/// A number box that sets one field of the sampler; text that is not a number is ignored.
fn number_input(
    id: &str,
    label: String,
    value: String,
    step: &str,
    s: &ControlsProps,
    set: fn(&mut Sampler, f64),
) -> Html {
    let (dispatch, sampler) = (s.dispatch.clone(), s.state.sampler);
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(v) = input_value(&e).and_then(|v| v.trim().parse::<f64>().ok()) {
            let mut x = sampler;
            set(&mut x, v);
            dispatch.dispatch(Action::SetSampler(x));
        }
    });
    html! {
        <label class="gen-num" for={id.to_owned()}>{ label }
            <input id={id.to_owned()} data-testid={id.to_owned()} type="number" step={step.to_owned()} value={value} {oninput} />
        </label>
    }
}

pub fn controls(p: &ControlsProps) -> Html {
    let s = p.state;
    let ready = s.status.is_ready();
    let oninput = {
        let d = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = input_value(&e) {
                d.dispatch(Action::SetText(t));
            }
        })
    };
    let onkeydown = {
        let (go, text) = (p.on_generate.clone(), s.text.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                if ready {
                    go.emit(text.clone());
                }
            }
        })
    };
    let generate = {
        let (go, text) = (p.on_generate.clone(), s.text.clone());
        Callback::from(move |_: MouseEvent| go.emit(text.clone()))
    };
    let act = |a: fn() -> Action| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a()))
    };
    let playing = s.mode == Mode::Play;
    let started = s.generation.is_some();
    let (_, notes) = s.clamped();
    let sm = s.sampler;
    let message = s.message.as_ref().map(|Message::Prompt(e)| e.to_string());
    html! {
        <section class="input gen-controls" aria-label={t!("generate.prompt_label")}>
            <label for="gen-text">{ t!("generate.prompt_label") }</label>
            <textarea id="gen-text" data-testid="text-input" rows="3" spellcheck="false" dir="auto" lang="en"
                value={s.text.clone()} {oninput} {onkeydown} />
            <div class="gen-buttons" role="group" aria-label={t!("generate.run_label")}>
                <button data-testid="generate-button" disabled={!ready || s.busy} onclick={generate}>{ t!("generate.generate") }</button>
                <button data-testid="step-button" disabled={!ready || !started || s.busy} onclick={act(|| Action::Forward)}
                    title={t!("generate.step_hint")}>{ t!("generate.step") }</button>
                if playing {
                    <button data-testid="pause-button" onclick={act(|| Action::Pause)}>{ t!("generate.pause") }</button>
                } else {
                    <button data-testid="play-button" disabled={!ready || !started} onclick={act(|| Action::Play)}>{ t!("generate.play") }</button>
                }
                <button data-testid="all-button" disabled={!ready || !started || s.finished()} onclick={act(|| Action::All)}>{ t!("generate.all") }</button>
            </div>
            if ready {
                if let Some(m) = &s.manifest {
                    <div class="examples" aria-label={t!("generate.examples")}>
                        <span class="muted">{ t!("generate.try") }</span>
                        { for m.examples.iter().map(|ex| {
                            let (go, text) = (p.on_generate.clone(), ex.clone());
                            let first = ex.lines().next().unwrap_or_default().to_owned();
                            html! { <button class="example" data-testid="example" lang="en" title={ex.clone()}
                                onclick={Callback::from(move |_| go.emit(text.clone()))}>{ first }</button> }
                        }) }
                    </div>
                }
            }
            <fieldset class="gen-sampling">
                <legend>{ t!("generate.sampling") }</legend>
                { number_input("gen-temperature", t!("generate.temperature").into_owned(), sm.temperature.to_string(), "0.05", p, |x, v| x.temperature = v) }
                { number_input("gen-top-k", t!("generate.top_k").into_owned(), sm.top_k.to_string(), "1", p, |x, v| x.top_k = if v < 0.0 { 0 } else { v.min(1e9) as usize }) }
                { number_input("gen-top-p", t!("generate.top_p").into_owned(), sm.top_p.to_string(), "0.05", p, |x, v| x.top_p = v) }
                { number_input("gen-seed", t!("generate.seed").into_owned(), sm.seed.to_string(), "1", p, |x, v| x.seed = if v < 0.0 { 0 } else { v as u64 }) }
                <p class="hint">{ t!("generate.sampling_hint", max = MAX_TEMPERATURE) }</p>
            </fieldset>
            { for notes.iter().map(|n| html! { <p class="note" data-testid="clamp-note" role="status">{ clamp_note(n) }</p> }) }
            if let Some(problem) = link_problem(&s.link_bad) {
                <p class="note" data-testid="link-problem" role="status">{ problem }</p>
            }
            if let Some(m) = message {
                <p class="note" data-testid="input-message" role="status">{ m }</p>
            }
            if let Some(e) = &s.error {
                <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
            }
        </section>
    }
}
