//! The image-patches demo: a tiny vision transformer reads an 8×8 digit as 16 patches of 2×2
//! pixels plus a [CLS] token. Draw a digit (mouse or touch) or pick a test image; the page shows
//! the class probabilities, the [CLS] token's attention over the patches in every layer and
//! head, and the attention rollout.
mod digit_canvas;
mod patch_attention;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::digit_canvas::{DigitCanvas, Stroke};
use self::patch_attention::PatchAttention;
use crate::demos::digits::{
    argmax, cls_rollout, digits_link_problem, drawing_to_pixels, is_blank, quantise, rasterise,
    rollout, DigitsManifest, DigitsView, DrawingError, LayerWeights, ViewImage, CANVAS, GRAPH_KEY,
    GRID, MODEL_DIR, PEN_RADIUS,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::protocol::{InputSpec, Tensor};
use crate::route::{read_what_if, write_what_if, Demo, Route};
use crate::ui::components::{ColorScale, Heatmap, WhatIfPanel, WhatIfSource};
use crate::ui::fetch::fetch_text;
use crate::ui::permalink::use_permalink;
use crate::ui::worker_client::{infer, load_graph, GraphSource, Runner};
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
    /// A drawing from a link: its 64 levels 0–16 (the strokes are not in the link).
    Shared(Rc<Vec<u8>>),
}

/// Why the model could not be loaded or run. Kept as a value and put into words when shown, so
/// a language switch translates it too.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// Said by the worker, the download or the core, already in words.
    Text(String),
    NotDigitsModel(String),
    NoProbabilities,
    NoAttention(usize),
}

impl Problem {
    fn text(&self) -> String {
        match self {
            Problem::Text(e) => e.clone(),
            Problem::NotDigitsModel(url) => {
                t!("digits.error.not_digits_model", url = url).into_owned()
            }
            Problem::NoProbabilities => t!("digits.error.no_probs").into_owned(),
            Problem::NoAttention(l) => t!("digits.error.no_attention", n = l + 1).into_owned(),
        }
    }
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
    Failed(Problem),
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
    run_error: Option<Problem>,
    runs: u64,
    seq: u64,
    /// Parts of the link that could not be used (see [`DigitsView::read`]).
    link_bad: Vec<&'static str>,
}

enum Action {
    /// The manifest, and the view its link asks for with the parts that could not be used.
    ManifestLoaded(Rc<DigitsManifest>, DigitsView, Vec<&'static str>),
    Progress(u64, u64),
    Ready,
    Failed(Problem),
    Stroke(Stroke),
    Clear,
    Pick(usize),
    Select(usize, Option<usize>),
    Requested(u64),
    Finished(u64, Result<Outcome, Problem>),
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
            link_bad: Vec::new(),
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ManifestLoaded(m, view, bad) => {
                s.source = match view.image {
                    ViewImage::Empty => Source::Drawing(Rc::default()),
                    ViewImage::Example(i) => Source::Example(i),
                    ViewImage::Pixels(levels) => Source::Shared(Rc::new(levels)),
                };
                s.layer = view.layer;
                s.head = view.head;
                s.link_bad = bad;
                s.manifest = Some(m);
            }
            Action::Progress(loaded, total) => s.model = ModelState::Loading { loaded, total },
            Action::Ready => s.model = ModelState::Ready,
            Action::Failed(e) => s.model = ModelState::Failed(e),
            Action::Stroke(stroke) => {
                let mut strokes = match &s.source {
                    Source::Drawing(st) => (**st).clone(),
                    Source::Example(_) | Source::Shared(_) => Vec::new(),
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

async fn load(runner: Runner, dispatch: UseReducerDispatcher<State>, route: Route) {
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| DigitsManifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return dispatch.dispatch(Action::Failed(Problem::Text(e))),
    };
    let (view, bad) = DigitsView::read(&route, &manifest);
    dispatch.dispatch(Action::ManifestLoaded(manifest.clone(), view, bad));
    let total = manifest.onnx_bytes;
    let progress = {
        let dispatch = dispatch.clone();
        move |loaded: u64, _| dispatch.dispatch(Action::Progress(loaded, total))
    };
    let url = format!("{MODEL_DIR}{}", manifest.onnx);
    let inputs = vec![InputSpec::f32("pixels", &["batch", "64"])];
    let source = GraphSource::new(GRAPH_KEY, url.clone(), inputs);
    let progress = progress;
    match load_graph(&runner, &source, |n| progress(n, 0)).await {
        Ok(summary) if summary.outputs.iter().any(|o| o == "probs") => {
            dispatch.dispatch(Action::Ready)
        }
        Ok(_) => dispatch.dispatch(Action::Failed(Problem::NotDigitsModel(url))),
        Err(e) => dispatch.dispatch(Action::Failed(Problem::Text(e))),
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
                .ok_or(Problem::NoProbabilities)?;
            let layers = (0..n_layers)
                .map(|l| {
                    let t = Tensor::find(&out, &format!("layer{l}.weights"))
                        .ok_or(Problem::NoAttention(l))?;
                    LayerWeights::new(&t.shape, t.as_f32().unwrap_or_default().to_vec())
                        .map_err(Problem::Text)
                })
                .collect::<Result<Vec<_>, Problem>>()?;
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
        Err(e) => Err(Problem::Text(e.to_string())),
    };
    dispatch.dispatch(Action::Finished(seq, result));
}

#[component]
pub fn DigitsDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let route = use_context::<Route>().unwrap_or_default();
    // The what-if settings come from the link once; the rest of it is read with the manifest.
    let link_whatif = use_memo((), {
        let route = route.clone();
        move |_| read_what_if(&route)
    });
    let state = use_reducer(State::default);
    let whatif = use_state(|| link_whatif.0.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_effect_with((), move |_| spawn_local(load(runner, dispatch, route)));
    }

    // The 8×8 image: from the drawing (rasterised, fitted and rounded to whole levels 0–16 in
    // Rust, so that a link to it gives the model the same input), from a link, or a test image.
    let pixels: Rc<Result<Rc<Vec<f32>>, DrawingError>> = {
        let manifest = state.manifest.clone();
        use_memo(state.source.clone(), move |source| match source {
            Source::Drawing(strokes) => {
                let ink = rasterise(strokes, CANVAS, PEN_RADIUS);
                drawing_to_pixels(&ink, CANVAS, CANVAS)
                    .map(|p| Rc::new(quantise(&p).into_iter().map(f32::from).collect()))
            }
            Source::Shared(levels) => Ok(Rc::new(levels.iter().map(|&v| f32::from(v)).collect())),
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

    {
        // Keep the address bar a link to this view (replaceState: no history entry per stroke).
        // A drawing goes into the link as the 64 levels the model reads.
        let link = state.manifest.as_ref().map(|m| {
            let image = match (&state.source, &pixels) {
                (Source::Example(i), _) => ViewImage::Example(*i),
                (Source::Shared(levels), _) => ViewImage::Pixels(levels.to_vec()),
                (Source::Drawing(_), Ok(p)) if !is_blank(p) => ViewImage::Pixels(quantise(p)),
                (Source::Drawing(_), _) => ViewImage::Empty,
            };
            let mut route = Route::of(Demo::Digits);
            DigitsView {
                image,
                layer: state.layer,
                head: state.head,
            }
            .write(&mut route, m);
            write_what_if(&mut route, &whatif);
            route.to_string()
        });
        use_permalink(link);
    }

    let dispatch = state.dispatcher();
    let status = match (&state.model, &state.manifest) {
        (ModelState::Loading { loaded, total }, _) => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("digits.status.downloading") }</span>
                <progress data-testid="progress" max={total.max(&1).to_string()} value={loaded.to_string()} aria-label={t!("digits.status.progress")}></progress>
            </div>
        },
        (ModelState::Ready, Some(m)) => html! {
            <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                { t!("digits.status.ready", layers = m.n_layers, heads = m.n_heads, d_model = m.d_model, kb = m.onnx_bytes / 1024,
                    pct = format!("{:.1}", m.metrics.test_accuracy * 100.0), n = m.metrics.test_images) }
            </div>
        },
        (ModelState::Ready, None) => html! {},
        (ModelState::Failed(e), _) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ e.text() }</p>
            </div>
        },
    };
    let link_note = {
        let parts: Vec<&str> = state
            .link_bad
            .iter()
            .chain(link_whatif.1.iter())
            .copied()
            .collect();
        digits_link_problem(&parts)
    };

    let strokes = match &state.source {
        Source::Drawing(s) => s.clone(),
        Source::Example(_) | Source::Shared(_) => Rc::default(),
    };
    let backdrop = match &state.source {
        Source::Shared(levels) => Some(Rc::new(
            levels.iter().map(|&v| f32::from(v)).collect::<Vec<_>>(),
        )),
        _ => None,
    };
    let on_stroke = {
        let dispatch = dispatch.clone();
        Callback::from(move |s: Stroke| dispatch.dispatch(Action::Stroke(s)))
    };
    let picked = match state.source {
        Source::Example(i) => Some(i),
        Source::Drawing(_) | Source::Shared(_) => None,
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
        Some(h) => t!("digits.head_n", n = h + 1).into_owned(),
        None => t!("digits.head_average_of", n = heads).into_owned(),
    };
    let mask_label = t!("digits.whatif.model_mask").into_owned();

    html! {
        <div class="demo digits" data-testid="digits-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("digits.tagline") }</p>
                { status }
                if let Some(note) = link_note {
                    <p class="note" data-testid="link-problem" role="status">{ note }</p>
                }
            </header>

            <div class="dg-layout">
                <section class="dg-draw" aria-label={t!("digits.draw.label")}>
                    <h3>{ t!("digits.draw.heading") }</h3>
                    <DigitCanvas strokes={strokes.clone()} onstroke={on_stroke} backdrop={backdrop.clone()} />
                    <div class="dg-buttons">
                        <button type="button" data-testid="clear" onclick={{ let d = dispatch.clone(); Callback::from(move |_| d.dispatch(Action::Clear)) }}>{ t!("digits.draw.clear") }</button>
                        <span class="muted">{ if backdrop.is_some() { t!("digits.draw.shared_hint") } else { t!("digits.draw.hint") } }</span>
                    </div>
                </section>
                <section class="dg-output" aria-label={t!("digits.output.label")}>
                    if let Some(m) = message {
                        <p class="note" data-testid="input-message" role="status">{ m }</p>
                    }
                    if let Some(e) = &state.run_error {
                        <p class="error" data-testid="error" role="alert">{ e.text() }</p>
                    }
                    if let Ok(p) = &pixels {
                        if !is_blank(p) {
                            <div class="dg-seen">
                                <PatchAttention pixels={p.clone()} label={t!("digits.output.model_input").into_owned()} show_values=true testid="model-input" />
                                if let Some(o) = outcome {
                                    <Probabilities probs={o.probs.clone()} />
                                }
                            </div>
                        }
                    }
                    <span data-testid="run-id" data-run={state.runs.to_string()} hidden=true></span>
                    if let Some(o) = outcome {
                        <h3>{ t!("digits.output.where_cls_looks") }</h3>
                        <div class="dg-grid-views">
                            { for o.layers.iter().enumerate().map(|(l, layer)| html! {
                                <div class="dg-row">
                                    <span class="dg-row-label">{ t!("digits.layer_n", n = l + 1) }</span>
                                    { for std::iter::once(None).chain((0..layer.heads).map(Some)).map(|h| {
                                        let d = dispatch.clone();
                                        let selected = state.layer == l && state.head == h;
                                        let label = match h { Some(h) => t!("digits.head_short", n = h + 1), None => t!("digits.average") };
                                        html! { <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(layer.cls_to_patches(h))}
                                            label={t!("digits.output.head_view", head = label, pct = format!("{:.0}", layer.cls_to_cls(h) * 100.0)).into_owned()} selected={selected} testid="head-view"
                                            onclick={Callback::from(move |_| d.dispatch(Action::Select(l, h)))} /> }
                                    }) }
                                </div>
                            }) }
                        </div>
                        <div class="dg-big">
                            if let Some(layer) = o.layers.get(state.layer) {
                                <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(layer.cls_to_patches(state.head))} show_values=true
                                    testid="selected-view"
                                    label={t!("digits.output.selected", layer = state.layer + 1, head = head_name(state.head, layer.heads),
                                        pct = format!("{:.0}", layer.cls_to_cls(state.head) * 100.0)).into_owned()} />
                            }
                            <PatchAttention pixels={o.pixels.clone()} weights={o.rollout.clone()} show_values=true testid="rollout-view"
                                label={t!("digits.output.rollout", pct = format!("{:.0}", o.rollout.iter().sum::<f32>() * 100.0)).into_owned()} />
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
                                        let source = WhatIfSource::from_weights(weights, m.d_model / m.n_heads.max(1), (labels.clone(), labels), (state.layer, h), &mask_label);
                                        let onchange = { let whatif = whatif.clone(); Callback::from(move |v| whatif.set(v)) };
                                        let export = Rc::new(ExportContext { model: m.name.clone(), demo: Demo::Digits.slug().into(), ..ExportContext::default() });
                                        html! { <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()} {onchange} export={Some(export)} /> }
                                    }
                                    Err(_) => html! {},
                                }
                            }
                            _ => html! { <p class="hint" data-testid="whatif-pick-head">{ t!("digits.whatif.pick_head") }</p> },
                        } }
                        <p class="muted dg-explain">{ t!("digits.output.rollout_explained") }</p>
                        <p class="muted">{ t!("digits.output.last_run", ms = format!("{:.1}", o.latency_ms)) }</p>
                    }
                </section>
                <section class="dg-pick" aria-label={t!("digits.pick.label")}>
                    if let Some(m) = &state.manifest {
                        <h3>{ t!("digits.pick.heading") }</h3>
                        <div class="dg-examples" role="group" aria-label={t!("digits.pick.group")}>
                            { for m.examples.iter().enumerate().map(|(i, e)| {
                                let d = dispatch.clone();
                                html! {
                                    <button type="button" class={classes!("dg-example", (picked == Some(i)).then_some("current"))} data-testid="example"
                                        data-label={e.label.to_string()} aria-pressed={(picked == Some(i)).to_string()}
                                        aria-label={t!("digits.pick.example", index = e.index, label = e.label)}
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
                <p class="muted">{ t!("digits.about.data") }</p>
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
    let _lang = crate::ui::lang::use_lang();
    let best = argmax(&props.probs);
    html! {
        <section class="dg-probs" data-testid="prediction" data-predicted={best.map(|b| b.to_string()).unwrap_or_default()}
            aria-label={t!("digits.probs.label")}>
            <h3>{ match best.and_then(|b| Some((b, props.probs.get(b)?))) {
                Some((b, p)) => t!("digits.probs.answer", digit = b, pct = format!("{:.1}", p * 100.0)),
                None => t!("digits.probs.none"),
            } }</h3>
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
                Some(h) => t!("digits.matrix.row_head", layer = l + 1, head = h + 1).into_owned(),
                None => t!("digits.matrix.row_average", layer = l + 1).into_owned(),
            });
            data.push(layer.cls_to_cls(h));
            data.extend(layer.cls_to_patches(h));
        }
    }
    rows.push(t!("digits.matrix.row_rollout").into_owned());
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
        step: Some(t!("digits.matrix.step").into_owned()),
        input: Some(match test_label {
            Some(label) => t!("digits.matrix.input_test", label = label).into_owned(),
            None => t!("digits.matrix.input_drawing").into_owned(),
        }),
        ..ExportContext::default()
    });
    html! {
        <Heatmap name="[CLS] attention, every layer and head" label={Some(AttrValue::from(t!("digits.matrix.name").into_owned()))} matrix={Rc::new(matrix)} rows={Rc::new(rows)}
            cols={Some(Rc::new(cols))} scale={ColorScale::Weights} export={Some(export)}
            caption={t!("digits.matrix.caption").into_owned()} />
    }
}
