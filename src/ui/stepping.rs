//! Acting on [`crate::decoding::next_move`]: a step now, or after the play interval, as the
//! decoding's state changes.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::decoding::{next_move, Drive, Move};

/// Calls `step` (compute the next step) or `tick` (show the next computed one) as `drive` asks,
/// the timed ones after `play_ms`; a pending timer is dropped when the state changes.
#[hook]
pub fn use_drive(drive: Drive, play_ms: u32, step: Callback<()>, tick: Callback<()>) {
    use_effect_with(drive, move |d| {
        let timer = match next_move(d) {
            Move::Step => {
                step.emit(());
                None
            }
            Move::Tick => Some(Timeout::new(play_ms, move || tick.emit(()))),
            Move::PlayStep => Some(Timeout::new(play_ms, move || step.emit(()))),
            Move::Wait => None,
        };
        move || drop(timer)
    });
}
