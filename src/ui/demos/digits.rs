//! The image-patches demo: a tiny vision transformer reads an 8×8 digit as 16 patches of 2×2
//! pixels plus a [CLS] token. Draw a digit (mouse or touch) or pick a test image; the page shows
//! the class probabilities, the [CLS] token's attention over the patches in every layer and
//! head, and the attention rollout.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use crate::digits::{
    argmax, cls_rollout, drawing_to_pixels, is_blank, rasterise, rollout, DigitsManifest,
    DrawingError, LayerWeights, CANVAS, GRAPH_KEY, GRID, MODEL_DIR, PEN_RADIUS,
};
use crate::export::ExportContext;
use crate::maths::{Matrix, WhatIf};
use crate::protocol::{InputSpec, Tensor};
use crate::route::Demo;
use crate::ui::components::digit_canvas::{DigitCanvas, Stroke};
use crate::ui::components::patch_attention::PatchAttention;
use crate::ui::components::{ColorScale, Heatmap, WhatIfPanel, WhatIfSource};
use crate::ui::fetch::fetch_text;
use crate::ui::worker_client::{infer, load_graph, Runner};
use crate::worker::AttentionWorker;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Where the 8×8 image comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Drawing(Rc<Vec<Stroke>>),
    /// Index into the manifest's test images.
    Example(usize),
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    pixels: Rc<Vec<f32>>,
    probs: Rc<Vec<f32>>,
    layers: Rc<Vec<LayerWeights>>,
    /// [CLS]'s row of the rollout, the 16 patches.
    rollout: Rc<Vec<f32>>,
    latency_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum ModelState {
    Loading { loaded: u64, total: u64 },
    Ready,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
struct State {
    manifest: Option<Rc<DigitsManifest>>,
    model: ModelState,
    source: Source,
    layer: usize,
    /// `None`: the average of the heads.
    head: Option<usize>,
    outcome: Option<Outcome>,
    run_error: Option<String>,
    runs: u64,
    seq: u64,
}

enum Action {
    ManifestLoaded(Rc<DigitsManifest>),
    Progress(u64, u64),
    Ready,
    Failed(String),
    Stroke(Stroke),
    Clear,
    Pick(usize),
    Select(usize, Option<usize>),
    Requested(u64),
    Finished(u64, Result<Outcome, String>),
}

impl Default for State {
    fn default() -> Self {
        Self {
            manifest: None,
            model: ModelState::Loading {
                loaded: 0,
                total: 0,
            },
            source: Source::Drawing(Rc::default()),
            layer: 1,
            head: None,
            outcome: None,
            run_error: None,
            runs: 0,
            seq: 0,
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ManifestLoaded(m) => {
                s.layer = m.n_layers.saturating_sub(1);
                s.manifest = Some(m);
            }
            Action::Progress(loaded, total) => s.model = ModelState::Loading { loaded, total },
            Action::Ready => s.model = ModelState::Ready,
            Action::Failed(e) => s.model = ModelState::Failed(e),
            Action::Stroke(stroke) => {
                let mut strokes = match &s.source {
                    Source::Drawing(st) => (**st).clone(),
                    Source::Example(_) => Vec::new(),
                };
                strokes.push(stroke);
                s.source = Source::Drawing(Rc::new(strokes));
            }
            Action::Clear => {
                s.source = Source::Drawing(Rc::default());
                s.outcome = None;
            }
            Action::Pick(i) => s.source = Source::Example(i),
            Action::Select(l, h) => {
                s.layer = l;
                s.head = h;
            }
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

async fn load(runner: Runner, dispatch: UseReducerDispatcher<State>) {
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| DigitsManifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return dispatch.dispatch(Action::Failed(e)),
    };
    dispatch.dispatch(Action::ManifestLoaded(manifest.clone()));
    let total = manifest.onnx_bytes;
    let progress = {
        let dispatch = dispatch.clone();
        move |loaded: u64, _| dispatch.dispatch(Action::Progress(loaded, total))
    };
    let url = format!("{MODEL_DIR}{}", manifest.onnx);
    let inputs = vec![InputSpec::f32("pixels", &["batch", "64"])];
    match load_graph(&runner, GRAPH_KEY, &url, None, inputs, false, progress).await {
        Ok(summary) if summary.outputs.iter().any(|o| o == "probs") => {
            dispatch.dispatch(Action::Ready)
        }
        Ok(_) => dispatch.dispatch(Action::Failed(format!(
            "The model file {url} is not the digits model: it has no `probs` output."
        ))),
        Err(e) => dispatch.dispatch(Action::Failed(e)),
    }
}

async fn classify(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    seq: u64,
    n_layers: usize,
    pixels: Rc<Vec<f32>>,
) {
    let started = now_ms();
    let mut wanted = vec!["probs".to_owned()];
    wanted.extend((0..n_layers).map(|l| format!("layer{l}.weights")));
    let input = Tensor::f32("pixels", vec![1, 64], pixels.to_vec());
    let result = match infer(&runner, GRAPH_KEY, vec![input], Some(wanted)).await {
        Ok(out) => (|| {
            let probs = Tensor::find(&out, "probs")
                .and_then(Tensor::as_f32)
                .filter(|p| p.len() == 10)
                .ok_or_else(|| "The model gave no probabilities for the 10 digits.".to_owned())?;
            let layers = (0..n_layers)
                .map(|l| {
                    let t = Tensor::find(&out, &format!("layer{l}.weights")).ok_or_else(|| {
                        format!("The model gave no attention for layer {}.", l + 1)
                    })?;
                    LayerWeights::new(&t.shape, t.as_f32().unwrap_or_default().to_vec())
                })
                .collect::<Result<Vec<_>, String>>()?;
            let roll = cls_rollout(&rollout(&layers))
                .into_iter()
                .map(|v| v as f32)
                .collect();
            Ok(Outcome {
                pixels: pixels.clone(),
                probs: Rc::new(probs.to_vec()),
                layers: Rc::new(layers),
                rollout: Rc::new(roll),
                latency_ms: now_ms() - started,
            })
        })(),
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::Finished(seq, result));
}

#[component]
pub fn DigitsDemo() -> Html {
    let state = use_reducer(State::default);
    let whatif = use_state(WhatIf::default);
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_effect_with((), move |_| spawn_local(load(runner, dispatch)));
    }

    // The 8×8 image: from the drawing (rasterised and fitted in Rust), or a test image.
    let pixels: Rc<Result<Rc<Vec<f32>>, DrawingError>> = {
        let manifest = state.manifest.clone();
        use_memo(state.source.clone(), move |source| match source {
            Source::Drawing(strokes) => {
                let ink = rasterise(strokes, CANVAS, PEN_RADIUS);
                drawing_to_pixels(&ink, CANVAS, CANVAS).map(|p| Rc::new(p.to_vec()))
            }
            Source::Example(i) => manifest
                .as_ref()
                .and_then(|m| m.examples.get(*i))
                .map(|e| Rc::new(e.pixels.iter().map(|&p| f32::from(p)).collect()))
                .ok_or(DrawingError::Blank),
        })
    };
    let pixels = (*pixels).clone();

    {
        let ready = state.model == ModelState::Ready;
        let n_layers = state.manifest.as_ref().map_or(0, |m| m.n_layers);
        let (runner, dispatch, seq) = (runner.clone(), state.dispatcher(), seq.clone());
        use_effect_with((pixels.clone(), ready), move |(pixels, ready)| {
            if let (true, Ok(px)) = (*ready, pixels.as_ref()) {
                if !is_blank(px) {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    dispatch.dispatch(Action::Requested(next));
                    spawn_local(classify(runner, dispatch, next, n_layers, px.clone()));
                }
            }
        });
    }

    let dispatch = state.dispatcher();
    let status = match (&state.model, &state.manifest) {
        (ModelState::Loading { loaded, total }, _) => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ "Downloading the digits model… " }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()} aria-label="Model download progress"></progress>
            </div>
        },
        (ModelState::Ready, Some(m)) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { format!("✓ The digits model is running in your browser: {} layers × {} heads, d_model = {}, {} KB; {:.1}% right on {} held-out test images.",
                    m.n_layers, m.n_heads, m.d_model, m.onnx_bytes / 1024, m.metrics.test_accuracy * 100.0, m.metrics.test_images) }
            </div>
        },
        (ModelState::Ready, None) => html! {},
        (ModelState::Failed(e), _) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
            </div>
        },
    };

    let strokes = match &state.source {
        Source::Drawing(s) => s.clone(),
        Source::Example(_) => Rc::default(),
    };
    let on_stroke = {
        let dispatch = dispatch.clone();
        Callback::from(move |s: Stroke| dispatch.dispatch(Action::Stroke(s)))
    };
    let picked = match state.source {
        Source::Example(i) => Some(i),
        Source::Drawing(_) => None,
    };
    // the outcome is shown only if it belongs to the image on screen
    let outcome = state
        .outcome
        .as_ref()
        .filter(|o| matches!(&pixels, Ok(p) if *p == o.pixels));
    let message = match &pixels {
        Err(e) => Some(e.to_string()),
        Ok(p) if is_blank(p) => Some(DrawingError::Blank.to_string()),
        Ok(_) => None,
    };
    let head_name = |h: Option<usize>, heads: usize| match h {
        Some(h) => format!("head {}", h + 1),
        None => format!("average of {heads} heads"),
    };

    html! {
        <div class="demo digits" data-testid="digits-demo">
            <header class="demo-head">
                <p class="tagline">{ "A tiny vision transformer reads an 8×8 image of a digit as 16 patches of 2×2 pixels plus a [CLS] token, and answers from the [CLS] token. Draw a digit or pick a test image, and see where [CLS] looks." }</p>
                { status }
            </header>

            <div class="dg-layout">
                <section class="dg-draw" aria-label="Your digit">
                    <h3>{ "Draw a digit" }</h3>
                    <DigitCanvas strokes={strokes.clone()} onstroke={on_stroke} />
                    <div class="dg-buttons">
                        <button type="button" data-testid="clear" onclick={{ let d = dispatch.clone(); Callback::from(move |_| d.dispatch(Action::Clear)) }}>{ "Clear" }</button>
                        <span class="muted">{ "Draw big, filling the box; the drawing is centred and scaled for you." }</span>
                    </div>
                </section>
                <section class="dg-output" aria-label="What the model sees and says">
                    if let Some(m) = message {
                        <p class="note" data-testid="input-message" role="status">{ m }</p>
                    }
                    if let Some(e) = &state.run_error {
                        <p class="error" data-testid="error" role="alert">{ e.clone() }</p>
                    }
                    if let Ok(p) = &pixels {
                        if !is_blank(p) {
                            <div class="dg-seen">
                                <PatchAttention pixels={p.clone()} label="what the model reads (0–16 per pixel; lines: the 2×2 patches)" show_values=true testid="model-input" />
                                if let Some(o) = outcome {
                                    <Probabilities probs={o.probs.clone()} />
                                }
                            </div>
                        }
                    }
                    <span data-testid="run-id" data-run={state.runs.to_string()} hidden=true></span>
                    if let Some(o) = outcome {
                        <h3>{ "Where [CLS] looks: its attention over the 16 patches (darker orange = more weight; click one to enlarge)" }</h3>
                        <div class="dg-grid-views">
                            { for o.layers.iter().enumerate().map(|(l, layer)| html! {
                                <div class="dg-row">
                                    <span class="dg-row-label">{ format!("layer {}", l + 1) }</span>
                                    { for std::iter::once(None).chain((0..layer.heads).map(Some)).map(|h| {
                                        let d = dispatch.clone();
                                        let selected = state.layer == l && state.head == h;
                                        let label = match h { Some(h) => format!("head {}", h + 1), None => "average".to_owned() };
                                        html! { <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(layer.cls_to_patches(h))}
                                            label={format!("{label} · self {:.0}%", layer.cls_to_cls(h) * 100.0)} selected={selected} testid="head-view"
                                            onclick={Callback::from(move |_| d.dispatch(Action::Select(l, h)))} /> }
                                    }) }
                                </div>
                            }) }
                        </div>
                        <div class="dg-big">
                            if let Some(layer) = o.layers.get(state.layer) {
                                <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(layer.cls_to_patches(state.head))} show_values=true
                                    testid="selected-view"
                                    label={format!("layer {}, {}: [CLS] → patch, % (the rest, {:.0}%, stays on [CLS] itself)",
                                        state.layer + 1, head_name(state.head, layer.heads), layer.cls_to_cls(state.head) * 100.0)} />
                            }
                            <PatchAttention pixels={o.pixels.clone()} weights={o.rollout.clone()} show_values=true testid="rollout-view"
                                label={format!("attention rollout over both layers: how much each patch flows into [CLS], % ({:.0}% in all)",
                                    o.rollout.iter().sum::<f32>() * 100.0)} />
                        </div>
                        { cls_matrix(o, state.manifest.as_ref().map(|m| m.name.clone()).unwrap_or_default(), picked.and_then(|i| state.manifest.as_ref().and_then(|m| m.examples.get(i)).map(|e| e.label.to_string()))) }
                        { match (o.layers.get(state.layer), state.head, state.manifest.as_ref()) {
                            (Some(layer), Some(h), Some(m)) => {
                                let labels: Rc<Vec<String>> = Rc::new(std::iter::once("[CLS]".to_owned())
                                    .chain((0..GRID * GRID).map(|p| format!("r{}c{}", p / GRID + 1, p % GRID + 1))).collect());
                                let n = labels.len();
                                let data: Vec<f32> = (0..n).flat_map(|i| layer.row(h, i).to_vec()).collect();
                                match Matrix::from_vec(n, n, data) {
                                    Ok(weights) => {
                                        let source = WhatIfSource::from_weights(weights, m.d_model / m.n_heads.max(1), (labels.clone(), labels), (state.layer, h), "the model's (none)");
                                        let onchange = { let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) };
                                        let export = Rc::new(ExportContext { model: m.name.clone(), demo: Demo::Digits.slug().into(), ..ExportContext::default() });
                                        html! { <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()} {onchange} export={Some(export)} /> }
                                    }
                                    Err(_) => html! {},
                                }
                            }
                            _ => html! { <p class="hint" data-testid="whatif-pick-head">{ "What if…? Click one head above (not the average) to recompute its weights with another recipe: no ÷√d_k, a temperature, hard attention or a mask." }</p> },
                        } }
                        <p class="muted dg-explain">{ "Rollout (Abnar & Zuidema 2020): each layer's attention is averaged over heads, the residual connection is added as 0.5·I + 0.5·A (rows renormalised), and the layers are multiplied, last on the left; [CLS]'s row says how much of each patch reaches [CLS] at the top. It is computed here in Rust from the model's attention and checked against Python in the tests. Attention shows where the model looked, not why." }</p>
                        <p class="muted">{ format!("Last run: {:.1} ms from request to result.", o.latency_ms) }</p>
                    }
                </section>
                <section class="dg-pick" aria-label="Test images">
                    if let Some(m) = &state.manifest {
                        <h3>{ "…or pick a test image" }</h3>
                        <div class="dg-examples" role="group" aria-label="Test images (never used in training)">
                            { for m.examples.iter().enumerate().map(|(i, e)| {
                                let d = dispatch.clone();
                                html! {
                                    <button type="button" class={classes!("dg-example", (picked == Some(i)).then_some("current"))} data-testid="example"
                                        data-label={e.label.to_string()} aria-pressed={(picked == Some(i)).to_string()}
                                        aria-label={format!("test image {} (a {})", e.index, e.label)}
                                        onclick={Callback::from(move |_| d.dispatch(Action::Pick(i)))}>
                                        <PatchAttention pixels={Rc::new(e.pixels.iter().map(|&p| f32::from(p)).collect::<Vec<_>>())} label={e.label.to_string()} />
                                    </button>
                                }
                            }) }
                        </div>
                    }
                </section>
            </div>

            <footer class="about">
                <p class="muted">{ "Data: scikit-learn's bundled 8×8 digits (1,797 images; a copy of the test set of the UCI “Optical Recognition of Handwritten Digits” data, E. Alpaydin and C. Kaynak, 1998). Each pixel counts the ink in a 4×4 block of a 32×32 bitmap, 0–16; your drawing is turned into the same scale by averaging the ink over each cell." }</p>
            </footer>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ProbabilitiesProps {
    probs: Rc<Vec<f32>>,
}

/// A bar per digit 0–9, the predicted one marked.
#[component]
fn Probabilities(props: &ProbabilitiesProps) -> Html {
    let best = argmax(&props.probs);
    html! {
        <section class="dg-probs" data-testid="prediction" data-predicted={best.map(|b| b.to_string()).unwrap_or_default()}
            aria-label="Probability of each digit">
            <h3>{ match best { Some(b) => format!("The model says: {b} ({:.1}%)", props.probs[b] * 100.0), None => "No answer".into() } }</h3>
            <ul>
                { for props.probs.iter().enumerate().map(|(d, &p)| html! {
                    <li class={classes!((best == Some(d)).then_some("best"))} data-testid="prob" data-digit={d.to_string()} data-prob={format!("{p}")}>
                        <span class="dg-digit">{ d }</span>
                        <span class="pred-bar" aria-hidden="true"><span style={format!("width:{:.1}%", p * 100.0)}></span></span>
                        <span class="pred-value">{ format!("{:.1}%", p * 100.0) }</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}

/// Every layer's and head's [CLS] attention, and the rollout, as one matrix with a data table
/// and Save buttons: rows are (layer, head), columns [CLS] itself then the 16 patches.
fn cls_matrix(o: &Outcome, model: String, test_label: Option<String>) -> Html {
    let mut rows = Vec::new();
    let mut data = Vec::new();
    for (l, layer) in o.layers.iter().enumerate() {
        for h in (0..layer.heads).map(Some).chain(std::iter::once(None)) {
            rows.push(match h {
                Some(h) => format!("L{} head {}", l + 1, h + 1),
                None => format!("L{} average", l + 1),
            });
            data.push(layer.cls_to_cls(h));
            data.extend(layer.cls_to_patches(h));
        }
    }
    rows.push("rollout".to_owned());
    data.push(1.0 - o.rollout.iter().sum::<f32>());
    data.extend(o.rollout.iter().copied());
    let cols: Vec<String> = std::iter::once("[CLS]".to_owned())
        .chain((0..GRID * GRID).map(|p| format!("r{}c{}", p / GRID + 1, p % GRID + 1)))
        .collect();
    let Ok(matrix) = Matrix::from_vec(rows.len(), cols.len(), data) else {
        return html! {};
    };
    let export = Rc::new(ExportContext {
        model,
        demo: Demo::Digits.slug().into(),
        step: Some("[CLS] attention over the patches".into()),
        input: Some(match test_label {
            Some(label) => format!("test image of a {label}"),
            None => "a drawing".into(),
        }),
        ..ExportContext::default()
    });
    html! {
        <Heatmap name="[CLS] attention, every layer and head" matrix={Rc::new(matrix)} rows={Rc::new(rows)}
            cols={Some(Rc::new(cols))} scale={ColorScale::Weights} export={Some(export)}
            caption="rows: a layer (L) and head, their average, or the rollout; columns: [CLS] itself, then the 16 patches by row (r) and column (c). Each row sums to 1." />
    }
}
