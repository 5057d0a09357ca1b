//! Your own model (`#/open`): the user gives an export of `models/export_hf.py` (files, a
//! folder, a zip archive or a URL); the page checks it, loads it into the worker and shows every
//! layer and head for a typed text (or an image, for ViT). Nothing is uploaded.
//!
//! The opened model stays in the worker for the page's life, and this view remembers it, so
//! leaving and coming back (or opening a link in the same tab) shows it again without the files.

mod drop;
mod image;
mod load;
mod picker;
mod tabs;

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::image::{ImageInput, ImagePicker};
use self::load::{open, Opened, Source};
use self::picker::Picker;
use self::tabs::{Look, Run, Tabs};
use crate::demos::encoder::{AttentionMaps, StatKey};
use crate::demos::open::link::OpenLink;
use crate::demos::open::{HfManifest, Kind, OpenProblem, GRAPH_KEY};
use crate::protocol::{ModelError, WorkerReply, WorkerRequest};
use crate::route::link_problem;
use crate::ui::components::TokenStrip;
use crate::ui::events::input_value;
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::worker_client::{ask, encode, infer_timed, Runner, RUN_TIMEOUT_MS};
use crate::worker::AttentionWorker;

/// Wait this long after the last keystroke before running.
const DEBOUNCE_MS: u32 = 150;
const EXAMPLES: [&str; 3] = [
    "The quick brown fox jumps over the lazy dog.",
    "Attention is all you need.",
    "The animal didn't cross the street because it was too tired.",
];

thread_local! {
    /// The model this tab opened last (the worker still holds it).
    static OPENED: RefCell<Option<Opened>> = const { RefCell::new(None) };
}

/// Where the model is.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Empty,
    Reading { loaded: u64, total: u64 },
    Failed(OpenProblem),
    Ready(Rc<Opened>),
}

/// The newest run, or why it failed.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    Running,
    Done(Run, f64),
    Failed(String),
}

async fn run_text(
    runner: &Runner,
    m: &HfManifest,
    text: &str,
    seq: u64,
) -> Result<(Run, f64), String> {
    let encoded = encode(runner, GRAPH_KEY, text)
        .await
        .map_err(|e| e.to_string())?;
    let (tensors, ms) = infer_timed(
        runner,
        GRAPH_KEY,
        m.text_inputs(&encoded.ids),
        Some(m.attention_outputs.clone()),
    )
    .await
    .map_err(|e| e.to_string())?;
    let run = Run {
        seq,
        tokens: Rc::new(m.token_labels(&encoded.tokens)),
        ids: encoded.ids.clone(),
        maps: Rc::new(checked_maps(m, &tensors, encoded.ids.len())?),
        input: text.to_owned(),
    };
    Ok((run, ms))
}

async fn run_image(
    runner: &Runner,
    m: &HfManifest,
    image: &ImageInput,
    seq: u64,
) -> Result<(Run, f64), String> {
    let inputs = m.image_inputs(&image.rgba).map_err(|e| e.to_string())?;
    let (tensors, ms) = infer_timed(runner, GRAPH_KEY, inputs, Some(m.attention_outputs.clone()))
        .await
        .map_err(|e| e.to_string())?;
    let maps = checked_maps(m, &tensors, 0)?;
    let run = Run {
        seq,
        tokens: Rc::new(m.patch_tokens(maps.seq_len)),
        ids: Vec::new(),
        maps: Rc::new(maps),
        input: image.name.clone(),
    };
    Ok((run, ms))
}

/// The attention maps, checked against the manifest's heads and (for text) the token count.
fn checked_maps(
    m: &HfManifest,
    tensors: &[crate::protocol::Tensor],
    n_tokens: usize,
) -> Result<AttentionMaps, String> {
    let maps = AttentionMaps::from_named(tensors, &m.attention_outputs)?;
    if maps.n_heads != m.n_heads {
        let why = t!(
            "open.check.graph_heads",
            layer = 1,
            got = maps.n_heads,
            expected = m.n_heads
        );
        return Err(OpenProblem::GraphMismatch(why.into_owned()).to_string());
    }
    if n_tokens > 0 && maps.seq_len != n_tokens {
        return Err(t!("encoder.error.token_count").into_owned());
    }
    Ok(maps)
}

fn status_line(phase: &Phase) -> Html {
    match phase {
        Phase::Empty => Html::default(),
        Phase::Reading { loaded, total } => html! {
            <p class="model-status" data-testid="open-status" data-state="reading" role="status">
                { t!("open.status.reading", mb = format!("{:.1}", *loaded as f64 / 1e6)) }
                if *total > 0 { { " " }<progress data-testid="progress" max={total.to_string()} value={loaded.to_string()}></progress> }
            </p>
        },
        Phase::Failed(problem) => html! {
            <p class="error" data-testid="open-error" role="alert">{ problem.to_string() }</p>
        },
        Phase::Ready(o) => {
            let m = &o.manifest;
            let params = m
                .parameters
                .map_or_else(String::new, |p| format!("{:.2} M", p as f64 / 1e6));
            html! {
                <div class="model-status" data-testid="open-status" data-state="ready" role="status" data-load-ms={format!("{:.1}", o.load_ms)}>
                    <p>{ t!("open.status.ready", name = m.name.as_str(), layers = m.n_layers, heads = m.n_heads,
                        d_model = m.d_model, params = params, weights = m.weights.as_str(),
                        mb = format!("{:.2}", o.bytes as f64 / 1e6), ms = format!("{:.0}", o.load_ms)) }</p>
                    <p class="muted" data-testid="open-origin">{ t!("open.status.origin", origin = o.origin.as_str(),
                        source = m.source.clone().unwrap_or_else(|| "—".into()), licence = m.licence.clone().unwrap_or_else(|| "—".into())) }</p>
                    if !o.ignored.is_empty() {
                        <p class="muted" data-testid="open-ignored">{ t!("open.status.ignored", files = o.ignored.join(", ")) }</p>
                    }
                </div>
            }
        }
    }
}

#[component]
pub fn OpenDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(OpenLink::read);
    let runner = use_oneshot_runner::<AttentionWorker>();
    let phase = use_state(|| match OPENED.with(|o| o.borrow().clone()) {
        Some(o) => Phase::Ready(Rc::new(o)),
        None => Phase::Empty,
    });
    let text = use_state(|| link.text.clone().unwrap_or_else(|| EXAMPLES[0].to_owned()));
    let image = use_state(|| None::<Rc<ImageInput>>);
    let outcome = use_state(|| Outcome::None);
    let bad = use_state(|| link.bad.clone());
    let look = use_state(|| Look {
        tab: link.tab,
        layer: link.layer.unwrap_or(0),
        head: link.head.unwrap_or(0),
        all_heads: false,
        hide_special: false,
        sort: StatKey::Head,
        descending: false,
    });
    let seq = use_mut_ref(|| 0u64);
    let manifest = match &*phase {
        Phase::Ready(o) => Some(o.manifest.clone()),
        _ => None,
    };

    {
        // A remembered model must still be in the worker (it restarts after a crash).
        let (runner, phase) = (runner.clone(), phase.clone());
        use_effect_with((), move |_| {
            if matches!(*phase, Phase::Ready(_)) {
                spawn_local(async move {
                    let status = WorkerRequest::GraphStatus {
                        key: GRAPH_KEY.into(),
                    };
                    if !matches!(
                        ask(&runner, status, RUN_TIMEOUT_MS).await,
                        Ok(WorkerReply::GraphLoaded(_))
                    ) {
                        OPENED.with(|o| o.borrow_mut().take());
                        phase.set(Phase::Empty);
                    }
                });
            }
        });
    }
    {
        // Once a model is ready, the link's layer and head are checked against it.
        let (look, bad, link) = (look.clone(), bad.clone(), link.clone());
        use_effect_with(manifest.clone(), move |m| {
            if let Some(m) = m {
                let mut fitted = (*link).clone();
                fitted.fit(m.n_layers, m.n_heads);
                bad.set(fitted.bad.clone());
                look.set(Look {
                    layer: fitted.layer.unwrap_or(0),
                    head: fitted.head.unwrap_or(0),
                    ..*look
                });
            }
        });
    }
    {
        // Run whenever the text (or image) changes once a model is ready, after a pause in typing.
        let (runner, outcome, seq) = (runner.clone(), outcome.clone(), seq.clone());
        let input = ((*text).clone(), (*image).clone());
        use_effect_with((input, manifest.clone()), move |((text, image), m)| {
            let m = m.clone();
            let (text, image) = (text.clone(), image.clone());
            let timer = m.map(|m| {
                Timeout::new(DEBOUNCE_MS, move || {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    outcome.set(Outcome::Running);
                    spawn_local(async move {
                        let result = match (m.kind, image) {
                            (Kind::Vision, Some(im)) => run_image(&runner, &m, &im, next).await,
                            (Kind::Vision, None) => return,
                            _ if text.trim().is_empty() => Err(ModelError::EmptyInput.to_string()),
                            _ => run_text(&runner, &m, &text, next).await,
                        };
                        if *seq.borrow() == next {
                            outcome.set(match result {
                                Ok((run, ms)) => Outcome::Done(run, ms),
                                Err(e) => Outcome::Failed(e),
                            });
                        }
                    });
                })
            });
            move || drop(timer)
        });
    }
    // The link restores the text, layer, head and tab; it is written only once a model is open
    // (until then the incoming link stays as it was, for when the files are given).
    let hash = manifest.as_ref().map(|m| {
        OpenLink {
            text: m.kind.is_text().then(|| (*text).clone()),
            layer: Some(look.layer),
            head: Some(look.head),
            tab: look.tab,
            bad: Vec::new(),
        }
        .write()
        .to_string()
    });
    use_permalink(hash);

    let on_source = {
        let (runner, phase, outcome) = (runner.clone(), phase.clone(), outcome.clone());
        Callback::from(move |source: Source| {
            let (runner, phase, outcome) = (runner.clone(), phase.clone(), outcome.clone());
            phase.set(Phase::Reading {
                loaded: 0,
                total: 0,
            });
            outcome.set(Outcome::None);
            OPENED.with(|o| o.borrow_mut().take());
            spawn_local(async move {
                let progress = {
                    let phase = phase.clone();
                    Callback::from(move |(loaded, total)| {
                        phase.set(Phase::Reading { loaded, total })
                    })
                };
                match open(&runner, source, progress).await {
                    Ok(opened) => {
                        OPENED.with(|o| *o.borrow_mut() = Some(opened.clone()));
                        phase.set(Phase::Ready(Rc::new(opened)));
                    }
                    Err(problem) => phase.set(Phase::Failed(problem)),
                }
            });
        })
    };
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                text.set(v);
            }
        })
    };
    let busy = matches!(*phase, Phase::Reading { .. });
    let link_notice = (manifest.is_none() && link.asks_for_something()).then(|| {
        let mut parts = Vec::new();
        if let Some(t) = &link.text {
            parts.push(t!("open.link.text", text = t.chars().take(80).collect::<String>()).into_owned());
        }
        if let Some(l) = link.layer {
            parts.push(t!("open.link.layer", layer = l + 1).into_owned());
        }
        if let Some(h) = link.head {
            parts.push(t!("open.link.head", head = h + 1).into_owned());
        }
        html! { <p class="notice" data-testid="link-needs-files" role="note">{ t!("open.link.needs_files", what = parts.join(", ")) }</p> }
    });

    let input_section = manifest.as_ref().map(|m| {
        if m.kind == Kind::Vision {
            let image = image.clone();
            html! { <ImagePicker spec={m.image.clone()} onimage={Callback::from(move |im| image.set(Some(Rc::new(im))))} /> }
        } else {
            html! {
                <section class="input" aria-label={t!("encoder.your_text")}>
                    <label for="open-text">{ t!("encoder.your_text") }</label>
                    <textarea id="open-text" data-testid="text-input" rows="2" value={(*text).clone()} oninput={on_text.clone()} />
                    <div class="examples">
                        <span class="muted">{ t!("encoder.try") }{ " " }</span>
                        { for EXAMPLES.iter().map(|ex| {
                            let text = text.clone();
                            html! { <button type="button" class="example" data-testid="example"
                                onclick={Callback::from(move |_| text.set((*ex).to_owned()))}>{ *ex }</button> }
                        }) }
                    </div>
                </section>
            }
        }
    });
    let result = match (&*outcome, &manifest) {
        (Outcome::Done(run, ms), Some(m)) => html! {
            <>
                <p class="muted" data-testid="run-state" data-state="done" data-ms={format!("{ms:.2}")} data-tokens={run.tokens.len().to_string()} data-input={run.input.clone()}>{ t!("open.run.done", tokens = run.tokens.len(), ms = format!("{ms:.1}")) }</p>
                if m.kind.is_text() { <TokenStrip tokens={(*run.tokens).clone()} ids={run.ids.clone()} /> }
                <Tabs run={run.clone()} look={*look} n_layers={m.n_layers} n_heads={m.n_heads} causal={m.causal}
                    has_special={m.has_special_tokens()} model={format!("{} (your model)", m.name)}
                    onlook={{ let look = look.clone(); Callback::from(move |l| look.set(l)) }} />
            </>
        },
        (Outcome::Running, Some(_)) => {
            html! { <p class="muted" data-testid="run-state" data-state="running" role="status">{ t!("open.run.running") }</p> }
        }
        (Outcome::Failed(e), Some(_)) => {
            html! { <p class="error" data-testid="run-error" role="alert">{ e.clone() }</p> }
        }
        _ => Html::default(),
    };

    html! {
        <div class="demo open" data-testid="open-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("open.tagline") }</p>
            </header>
            if let Some(p) = link_problem(&bad) { <p class="notice" data-testid="link-problem">{ p }</p> }
            { link_notice.unwrap_or_default() }
            <Picker onsource={on_source} busy={busy} />
            { status_line(&phase) }
            { input_section.unwrap_or_default() }
            { result }
            <footer class="about">
                <p>{ t!("open.about") }</p>
            </footer>
        </div>
    }
}
