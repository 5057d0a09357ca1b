//! The decoding controls: step back, step forward, play/pause, translate all, the step
//! counter (whose data attributes tell tests where decoding is), and why decoding stopped.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, TrState};
use crate::demos::translate::Stop;

pub struct StepControlsProps {
    pub shown: usize,
    pub computed: usize,
    pub finished: bool,
    /// A step is being computed.
    pub busy: bool,
    pub playing: bool,
    /// Why decoding ended, once it has.
    pub stop: Option<Stop>,
    pub dispatch: UseReducerDispatcher<TrState>,
}

pub fn step_controls(props: &StepControlsProps) -> Html {
    let (shown, computed, finished) = (props.shown, props.computed, props.finished);
    let act = |a: fn() -> Action| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a()))
    };
    let counter = if finished {
        t!("translate.counter", shown = shown, computed = computed)
    } else {
        t!("translate.counter_more", shown = shown, computed = computed)
    };
    // Said only at the end, not while stepping back through a finished translation.
    let stop_note = props
        .stop
        .filter(|_| shown == computed)
        .map(|stop| match stop {
            Stop::EndOfSentence => {
                t!("translate.stop.eos", n = computed.saturating_sub(1)).into_owned()
            }
            Stop::MaxLength => t!("translate.stop.max", n = computed).into_owned(),
        });
    let playing = props.playing;
    let at_end = finished && shown >= computed;
    html! {
        <>
            <div class="tr-controls" role="group" aria-label={t!("translate.controls")}>
                <button data-testid="back" onclick={act(|| Action::Back)} disabled={shown == 0} aria-label={t!("translate.back_label")}>{ t!("translate.back") }</button>
                <button data-testid="forward" onclick={act(|| Action::Forward)} disabled={props.busy || at_end} aria-label={t!("translate.forward_label")}>{ t!("translate.forward") }</button>
                <button data-testid="play" onclick={act(|| Action::TogglePlay)} aria-pressed={playing.to_string()}>{ if playing { t!("translate.pause") } else { t!("translate.play") } }</button>
                <button data-testid="all" onclick={act(|| Action::All)} disabled={at_end}>{ t!("translate.all") }</button>
                <span class="tr-progress" data-testid="step-counter" data-shown={shown.to_string()} data-computed={computed.to_string()}
                    data-finished={finished.to_string()} data-busy={props.busy.to_string()}>
                    { counter }
                    if props.busy { <span class="muted">{ t!("translate.computing") }</span> }
                </span>
            </div>
            if let Some(note) = stop_note {
                <p class="note" data-testid="stop-note" role="status">{ note }</p>
            }
        </>
    }
}
