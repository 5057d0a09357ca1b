//! Driving the decoder: a translation starts with the encoder (tokenize, then `memory`), then
//! the decoder runs once per step, one worker request at a time, as [`Mode`] asks (one step,
//! play, all, or up to a link's step). Each answer carries its translation's run number.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use super::state::{Action, Message, Source, TrState};
use crate::decoding::Drive;
use crate::demos::translate::{
    decoder_inputs, decoder_outputs, enc_attn_name, encoder_inputs, Decoding, Step, DECODER_KEY,
    ENCODER_KEY, MEMORY,
};
use crate::explain::LayerAttention;
use crate::protocol::{ModelError, Tensor};
use crate::ui::stepping::use_drive;
use crate::ui::worker_client::{encode, infer, infer_timed, Runner};
use crate::worker::AttentionWorker;

/// Pause between steps while playing.
const PLAY_MS: u32 = 450;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Tokenizes `text` and runs the encoder (its `n_enc` layers' self-attention comes back too,
/// for the rollout of "Does attention explain this?").
async fn start(
    runner: Runner,
    dispatch: UseReducerDispatcher<TrState>,
    run: u64,
    text: String,
    n_enc: usize,
) {
    let t0 = now_ms();
    let enc_res = encode(&runner, ENCODER_KEY, &text).await;
    let encoded = match enc_res {
        Ok(e) => e,
        Err(ModelError::EmptyInput) => {
            return dispatch.dispatch(Action::Rejected {
                run,
                message: Message::EmptyInput,
            })
        }
        Err(e) => {
            return dispatch.dispatch(Action::Encoded {
                run,
                result: Err(e.to_string()),
                ms: 0.0,
            })
        }
    };
    let outputs = std::iter::once(MEMORY.to_owned())
        .chain((0..n_enc).map(enc_attn_name))
        .collect();
    let result = match infer(
        &runner,
        ENCODER_KEY,
        encoder_inputs(&encoded.ids),
        Some(outputs),
    )
    .await
    {
        Ok(out) => match Tensor::find(&out, MEMORY) {
            Some(m) => Ok(Rc::new(Source {
                text,
                encoded,
                memory: Rc::new(m.clone()),
                // Unreadable attention only costs the rollout: the panel says so.
                encoder: Rc::new(
                    out[1..]
                        .iter()
                        .filter_map(|t| LayerAttention::from_tensor(t, 0).ok())
                        .collect(),
                ),
            })),
            None => Err(t!("translate.no_memory").into_owned()),
        },
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::Encoded {
        run,
        result,
        ms: now_ms() - t0,
    });
}

/// Runs the decoder once on the current prefix.
async fn step(
    runner: Runner,
    dispatch: UseReducerDispatcher<TrState>,
    run: u64,
    decoding: Rc<Decoding>,
    memory: Rc<Tensor>,
) {
    let t0 = now_ms();
    let prefix = decoding.prefix();
    let dims = *decoding.dims();
    let mut run_ms = f64::NAN;
    let result = match decoder_inputs(&prefix, &memory, dims.vocab) {
        Ok(inputs) => infer_timed(
            &runner,
            DECODER_KEY,
            inputs,
            Some(decoder_outputs(dims.n_layers)),
        )
        .await
        .map_err(|e| e.to_string())
        .and_then(|(out, ms)| {
            run_ms = ms;
            Step::from_outputs(&out, &dims, prefix.len(), decoding.src_len())
        }),
        Err(e) => Err(e),
    };
    dispatch.dispatch(Action::StepDone {
        run,
        result,
        ms: now_ms() - t0,
        run_ms,
    });
}

/// Runs the translations of `state`'s view: returns the callback that translates a sentence,
/// translates a link's sentence once the model is ready, and steps the decoder as the mode asks.
#[hook]
pub fn use_decoder(state: &UseReducerHandle<TrState>) -> Callback<String> {
    let runner = use_oneshot_runner::<AttentionWorker>();
    let dispatch = state.dispatcher();
    let ready = state.status.is_ready();
    // Run numbers come from a counter, not from `state`: a callback kept by an effect holds the
    // state of the render that made it, and a stale number would make the reducer drop the result.
    let runs = use_mut_ref(|| 0u64);
    let n_enc = state.manifest.as_ref().map_or(0, |m| m.n_enc_layers);
    let begin = {
        let (runner, dispatch, runs) = (runner.clone(), dispatch.clone(), runs.clone());
        Callback::from(move |text: String| {
            let run = {
                let mut r = runs.borrow_mut();
                *r += 1;
                *r
            };
            dispatch.dispatch(Action::SetText(text.clone()));
            dispatch.dispatch(Action::Begin(run));
            spawn_local(start(runner.clone(), dispatch.clone(), run, text, n_enc));
        })
    };
    {
        // A link with ?text= translates as soon as the model is ready.
        let (begin, text) = (begin.clone(), state.text.clone());
        use_effect_with(ready, move |ready| {
            if *ready && !text.trim().is_empty() {
                begin.emit(text);
            }
        });
    }
    {
        // Drive the decoder: one step for Single/All, a timed step for Play.
        let drive = Drive {
            mode: state.mode,
            busy: state.busy,
            shown: state.shown,
            computed: state.computed(),
            finished: state.finished(),
            run: state.run,
        };
        let (dispatch, state) = (dispatch.clone(), state.clone());
        let step_now = {
            let dispatch = dispatch.clone();
            Callback::from(move |()| {
                if let (Some(d), Some(src)) = (state.decoding.clone(), state.source.clone()) {
                    dispatch.dispatch(Action::StepStarted);
                    spawn_local(step(
                        runner.clone(),
                        dispatch.clone(),
                        state.run,
                        d,
                        src.memory.clone(),
                    ));
                }
            })
        };
        use_drive(
            drive,
            PLAY_MS,
            step_now,
            Callback::from(move |()| dispatch.dispatch(Action::Tick)),
        );
    }
    begin
}
