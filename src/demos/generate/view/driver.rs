//! Driving the generator: loading what the steps need once the graph is in the worker (the
//! vocabulary, the constant weights, the head scores on the repeated-tokens example), then for
//! a prompt: tokenize, and one step per worker request as [`Mode`] asks. Every step runs the
//! graph twice and times both: the way generation goes (the prefill first, then one token
//! against the cache) and a full recompute of the same tokens without the cache, whose logits
//! must agree and whose every-row attention the page draws.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use super::state::{Action, FullRun, GenState, Message, Params, Timing};
use crate::decoding::Drive;
use crate::demos::generate::explain::next_token_probs;
use crate::demos::generate::heads::{head_score, HeadScore};
use crate::demos::generate::steps::{max_abs_diff, LayerWeights};
use crate::demos::generate::{
    full_outputs, inputs, param_name, param_outputs, read_weights, step_outputs, window_prompt,
    x_name, GenerateManifest, Generation, OutputError, FINAL_BETA, FINAL_GAMMA, FINAL_HIDDEN,
    FINAL_NORM, GRAPH_KEY, LOGITS,
};
use crate::demos::translate::vocab_from_tokenizer_json;
use crate::maths::Matrix;
use crate::protocol::Tensor;
use crate::ui::fetch::fetch_bytes_cached;
use crate::ui::stepping::use_drive;
use crate::ui::worker_client::{encode, infer, infer_timed, Runner};
use crate::worker::AttentionWorker;

/// Pause between steps while playing.
const PLAY_MS: u32 = 350;

fn matrix(outputs: &[Tensor], name: &str, rows: usize, cols: usize) -> Result<Matrix, String> {
    let t =
        Tensor::find(outputs, name).ok_or_else(|| OutputError::Missing(name.into()).to_string())?;
    let data = t.as_f32().unwrap_or_default().to_vec();
    Matrix::from_vec(rows, cols, data).map_err(|_| {
        OutputError::Shape {
            name: name.into(),
            shape: t.shape.clone(),
        }
        .to_string()
    })
}

fn vector(outputs: &[Tensor], name: &str) -> Result<Vec<f32>, String> {
    Tensor::find(outputs, name)
        .and_then(Tensor::as_f32)
        .map(<[f32]>::to_vec)
        .ok_or_else(|| OutputError::Missing(name.into()).to_string())
}

/// The vocabulary, the weights and the head table; then the view is ready.
pub async fn prepare(
    runner: Runner,
    m: Rc<GenerateManifest>,
    dispatch: UseReducerDispatcher<GenState>,
) {
    let result = async {
        let json = fetch_bytes_cached(&m.url(&m.tokenizer), |_| ()).await?;
        let vocab = vocab_from_tokenizer_json(&String::from_utf8_lossy(&json))?;
        if vocab.len() != m.vocab_size {
            return Err(rust_i18n::t!(
                "generate.err.vocab",
                n = vocab.len(),
                expected = m.vocab_size
            )
            .into_owned());
        }
        let dims = m.dims();
        let out = infer(
            &runner,
            GRAPH_KEY,
            inputs(&[m.end_id], 0, None, &dims),
            Some(param_outputs(m.n_layers)),
        )
        .await
        .map_err(|e| e.to_string())?;
        let d = m.d_model;
        let layers = (0..m.n_layers)
            .map(|l| {
                Ok(LayerWeights {
                    w_q: matrix(&out, &param_name(l, "w_q"), d, d)?,
                    w_k: matrix(&out, &param_name(l, "w_k"), d, d)?,
                    w_v: matrix(&out, &param_name(l, "w_v"), d, d)?,
                    w_o: matrix(&out, &param_name(l, "w_o"), d, d)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let params = Params {
            layers,
            gamma: vector(&out, FINAL_GAMMA)?,
            beta: vector(&out, FINAL_BETA)?,
        };
        let ex = &m.induction;
        let names = (0..m.n_layers)
            .map(crate::demos::generate::weights_name)
            .collect();
        let out = infer(
            &runner,
            GRAPH_KEY,
            inputs(&ex.ids, 0, None, &dims),
            Some(names),
        )
        .await
        .map_err(|e| e.to_string())?;
        let n = ex.ids.len();
        let mut heads: Vec<HeadScore> = Vec::new();
        for l in 0..m.n_layers {
            let (_, _, w) = read_weights(&out, l, m.n_heads).map_err(|e| e.to_string())?;
            for (h, map) in w.chunks(n * n).enumerate() {
                heads.extend(head_score(map, n, ex.period, l, h));
            }
        }
        Ok((Rc::new(vocab), Rc::new(params), Rc::new(heads)))
    }
    .await;
    dispatch.dispatch(match result {
        Ok((vocab, params, heads)) => Action::Ready {
            vocab,
            params,
            heads,
        },
        Err(e) => Action::LoadFailed(e),
    });
}

/// Tokenizes the prompt and starts a generation.
async fn start(
    runner: Runner,
    dispatch: UseReducerDispatcher<GenState>,
    run: u64,
    m: Rc<GenerateManifest>,
    text: String,
    sampler: crate::demos::generate::sampling::Sampler,
) {
    // White space alone is no prompt (byte-level BPE would happily encode it).
    let ids = if text.trim().is_empty() {
        Ok(Vec::new())
    } else {
        encode(&runner, GRAPH_KEY, &text).await.map(|e| e.ids)
    };
    match ids.map(|ids| window_prompt(&ids, &m.dims())) {
        Ok(Ok(prompt)) => dispatch.dispatch(Action::Started {
            run,
            generation: Rc::new(Generation::new(prompt, m.dims(), sampler)),
        }),
        Ok(Err(e)) => dispatch.dispatch(Action::Rejected {
            run,
            message: Message::Prompt(e),
        }),
        Err(e) => dispatch.dispatch(Action::StepDone {
            run,
            result: Err(e.to_string()),
        }),
    }
}

/// One step: the cached run (or the prefill), the full recompute, then the choice.
async fn step(
    runner: Runner,
    dispatch: UseReducerDispatcher<GenState>,
    run: u64,
    m: Rc<GenerateManifest>,
    generation: Rc<Generation>,
) {
    let result = async {
        let mut g = (*generation).clone();
        let Some(step_in) = g.next_inputs() else {
            return Err(OutputError::Order.to_string());
        };
        // Both runs are timed by the worker's clock: the page's clock would also count the
        // wait while the page renders the previous step.
        let (out, cached_ms) =
            infer_timed(&runner, GRAPH_KEY, step_in, Some(step_outputs(m.n_layers)))
                .await
                .map_err(|e| e.to_string())?;
        g.absorb(&out).map_err(|e| e.to_string())?;
        let full_in = g.full_inputs();
        let (full, full_ms) =
            infer_timed(&runner, GRAPH_KEY, full_in, Some(full_outputs(m.n_layers)))
                .await
                .map_err(|e| e.to_string())?;
        let full_logits =
            crate::demos::generate::last_logits(&full, m.vocab_size).map_err(|e| e.to_string())?;
        let logits_diff = max_abs_diff(g.pending_logits().unwrap_or_default(), &full_logits);
        let n = g.cache.rows;
        let d = m.d_model;
        let weights = (0..m.n_layers)
            .map(|l| {
                read_weights(&full, l, m.n_heads)
                    .map(|(_, _, w)| w.to_vec())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let x = (0..m.n_layers)
            .map(|l| matrix(&full, &x_name(l), n, d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut full_run = FullRun {
            first_position: g.cache.first_position,
            n,
            weights,
            x,
            final_hidden: matrix(&full, FINAL_HIDDEN, n, d)?,
            final_norm: matrix(&full, FINAL_NORM, n, d)?,
            next_probs: Vec::new(),
        };
        g.choose().map_err(|e| e.to_string())?;
        // Every row's probability of the token that followed it (the last row: the one just
        // chosen), for "Does attention explain this?".
        let (first, end) = (full_run.first_position, full_run.first_position + n);
        full_run.next_probs = match (
            Tensor::find(&full, LOGITS).and_then(Tensor::as_f32),
            g.ids.get(first + 1..=end),
        ) {
            (Some(logits), Some(next)) => next_token_probs(logits, m.vocab_size, next),
            _ => Vec::new(),
        };
        Ok((
            Rc::new(g),
            Rc::new(full_run),
            Timing {
                n,
                cached_ms,
                full_ms,
                logits_diff,
            },
        ))
    }
    .await;
    dispatch.dispatch(Action::StepDone { run, result });
}

/// Runs the generations of `state`'s view: returns the callback that starts one, starts a
/// link's prompt once the model is ready, and steps as the mode asks.
#[hook]
pub fn use_generator(state: &UseReducerHandle<GenState>) -> Callback<String> {
    let runner = use_oneshot_runner::<AttentionWorker>();
    let dispatch = state.dispatcher();
    let ready = state.status.is_ready();
    let runs = use_mut_ref(|| 0u64);
    let begin = {
        let (runner, dispatch, runs, state) = (
            runner.clone(),
            dispatch.clone(),
            runs.clone(),
            state.clone(),
        );
        Callback::from(move |text: String| {
            let Some(m) = state.manifest.clone() else {
                return;
            };
            let run = {
                let mut r = runs.borrow_mut();
                *r += 1;
                *r
            };
            dispatch.dispatch(Action::SetText(text.clone()));
            dispatch.dispatch(Action::Begin { run });
            let (sampler, _) = state.clamped();
            spawn_local(start(
                runner.clone(),
                dispatch.clone(),
                run,
                m,
                text,
                sampler,
            ));
        })
    };
    {
        let (begin, text) = (begin.clone(), state.text.clone());
        use_effect_with(ready, move |ready| {
            if *ready && !text.trim().is_empty() {
                begin.emit(text);
            }
        });
    }
    {
        let drive = Drive {
            mode: state.mode,
            busy: state.busy,
            shown: state.shown,
            computed: state.computed(),
            finished: state.finished() || state.generation.is_none(),
            run: state.run,
        };
        let (dispatch, state) = (dispatch.clone(), state.clone());
        let step_now = {
            let dispatch = dispatch.clone();
            Callback::from(move |()| {
                if let (Some(g), Some(m)) = (state.generation.clone(), state.manifest.clone()) {
                    dispatch.dispatch(Action::StepStarted);
                    spawn_local(step(runner.clone(), dispatch.clone(), state.run, m, g));
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
