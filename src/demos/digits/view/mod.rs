//! The image-patches demo: a tiny vision transformer reads an 8×8 digit as 16 patches of 2×2
//! pixels plus a [CLS] token. Draw a digit (mouse or touch) or pick a test image; the page shows
//! the class probabilities, the [CLS] token's attention over the patches in every layer and
//! head, and the attention rollout.
mod cls_attention;
mod cls_matrix;
mod digit_canvas;
mod draw_panel;
mod examples;
mod output;
mod patch_attention;
mod probabilities;
mod state;
mod status;
mod what_if;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::draw_panel::DrawPanel;
use self::examples::{example_picker, ExamplePickerProps};
use self::output::{output_panel, OutputPanelProps};
use self::state::{Action, ModelState, Outcome, Problem, Source, State};
use self::status::{digits_status, DigitsStatusProps};
use crate::demos::digits::explain::PatchVariants;
use crate::demos::digits::{
    argmax, cls_rollout, digits_link_problem, drawing_to_pixels, input_specs, is_blank,
    levels_to_pixels, quantise, rasterise, rollout, wanted_outputs, DigitsManifest, DigitsView,
    DrawingError, LayerWeights, ViewImage, CANVAS, GRAPH_KEY, MODEL_DIR, PEN_RADIUS,
};
use crate::maths::WhatIf;
use crate::protocol::{GraphSummary, Tensor};
use crate::route::{read_what_if, write_what_if, Demo, Route};
use crate::ui::components::{ExplainPanel, Explainable};
use crate::ui::model::{use_model, DemoManifest, ModelEvent};
use crate::ui::permalink::{use_link, use_permalink};
use crate::ui::worker_client::{infer, GraphSource, Runner};
use crate::worker::AttentionWorker;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

impl DemoManifest for DigitsManifest {
    fn parse(json: &str) -> Result<Self, String> {
        DigitsManifest::parse(json)
    }

    fn graphs(&self, dir: &str) -> Vec<GraphSource> {
        vec![GraphSource {
            onnx_bytes: Some(self.onnx_bytes),
            ..GraphSource::new(GRAPH_KEY, format!("{dir}{}", self.onnx), input_specs())
        }]
    }
}

/// The loaded graph must give the class probabilities (any ONNX file loads, only this one is
/// the digits model).
fn check_graph(manifest: &DigitsManifest, graphs: &[GraphSummary]) -> Action {
    if graphs
        .iter()
        .any(|g| g.outputs.iter().any(|o| o == "probs"))
    {
        Action::Ready
    } else {
        let url = format!("{MODEL_DIR}{}", manifest.onnx);
        Action::Failed(Problem::NotDigitsModel(url))
    }
}

/// The graph's named outputs as an [`Outcome`] for `pixels`.
fn read_outcome(
    out: &[Tensor],
    n_layers: usize,
    pixels: Rc<Vec<f32>>,
    latency_ms: f64,
) -> Result<Outcome, Problem> {
    let probs = Tensor::find(out, "probs")
        .and_then(Tensor::as_f32)
        .filter(|p| p.len() == 10)
        .ok_or(Problem::NoProbabilities)?;
    let layers = (0..n_layers)
        .map(|l| {
            let t =
                Tensor::find(out, &format!("layer{l}.weights")).ok_or(Problem::NoAttention(l))?;
            LayerWeights::new(&t.shape, t.as_f32().unwrap_or_default().to_vec())
                .map_err(Problem::Text)
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    let roll = cls_rollout(&rollout(&layers))
        .into_iter()
        .map(|v| v as f32)
        .collect();
    Ok(Outcome {
        pixels,
        probs: Rc::new(probs.to_vec()),
        layers: Rc::new(layers),
        rollout: Rc::new(roll),
        latency_ms,
    })
}

async fn classify(
    runner: Runner,
    dispatch: UseReducerDispatcher<State>,
    seq: u64,
    n_layers: usize,
    pixels: Rc<Vec<f32>>,
) {
    let started = now_ms();
    let input = Tensor::f32("pixels", vec![1, 64], pixels.to_vec());
    let wanted = Some(wanted_outputs(n_layers));
    let result = match infer(&runner, GRAPH_KEY, vec![input], wanted).await {
        Ok(out) => read_outcome(&out, n_layers, pixels, now_ms() - started),
        Err(e) => Err(Problem::Text(e.to_string())),
    };
    dispatch.dispatch(Action::Finished(seq, result));
}

/// The 8×8 image on screen: from the drawing (rasterised, fitted and rounded to whole levels
/// 0–16 in Rust, so that a link to it gives the model the same input), from a link, or a test
/// image.
fn pixels_of(
    source: &Source,
    manifest: Option<&DigitsManifest>,
) -> Result<Rc<Vec<f32>>, DrawingError> {
    match source {
        Source::Drawing(strokes) => {
            let ink = rasterise(strokes, CANVAS, PEN_RADIUS);
            drawing_to_pixels(&ink, CANVAS, CANVAS)
                .map(|p| Rc::new(levels_to_pixels(&quantise(&p))))
        }
        Source::Shared(levels) => Ok(Rc::new(levels_to_pixels(levels))),
        Source::Example(i) => manifest
            .and_then(|m| m.examples.get(*i))
            .map(|e| Rc::new(levels_to_pixels(&e.pixels)))
            .ok_or(DrawingError::Blank),
    }
}

/// The link to the view on screen. A drawing goes into it as the 64 levels the model reads.
fn link_to(
    state: &State,
    manifest: &DigitsManifest,
    pixels: &Result<Rc<Vec<f32>>, DrawingError>,
    whatif: &WhatIf,
) -> String {
    let image = match (&state.source, pixels) {
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
        explain: state.explain,
    }
    .write(&mut route, manifest);
    write_what_if(&mut route, whatif);
    route.to_string()
}

#[component]
pub fn DigitsDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    // The what-if settings are read from the link at once; the rest of it needs the manifest
    // (which test images there are, how many layers and heads), so the route is kept till then.
    let link = use_link(|route| (route.clone(), read_what_if(route)));
    let state = use_reducer(State::default);
    let whatif = use_state(|| link.1 .0.clone());
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);

    {
        let (dispatch, link) = (state.dispatcher(), link.clone());
        use_model::<DigitsManifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(m) => {
                    let (view, bad) = DigitsView::read(&link.0, &m);
                    dispatch.dispatch(Action::ManifestLoaded(m, view, bad));
                }
                ModelEvent::Progress { loaded, total } => {
                    dispatch.dispatch(Action::Progress(loaded, total))
                }
                ModelEvent::Loaded(m, graphs) => dispatch.dispatch(check_graph(&m, &graphs)),
                ModelEvent::Failed(e) => dispatch.dispatch(Action::Failed(Problem::Text(e))),
            }),
        );
    }

    let pixels = {
        let manifest = state.manifest.clone();
        use_memo(state.source.clone(), move |source| {
            pixels_of(source, manifest.as_deref())
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

    // Keep the address bar a link to this view (replaceState: no history entry per stroke).
    use_permalink(
        state
            .manifest
            .as_ref()
            .map(|m| link_to(&state, m, &pixels, &whatif)),
    );

    let link_note = {
        let parts: Vec<&str> = state
            .link_bad
            .iter()
            .chain(link.1 .1.iter())
            .copied()
            .collect();
        digits_link_problem(&parts)
    };
    // the outcome is shown only if it belongs to the image on screen
    let outcome = state
        .run
        .outcome
        .clone()
        .filter(|o| matches!(&pixels, Ok(p) if *p == o.pixels));
    // The panel's subject, made once per run so the panel reruns only for a new image.
    let explainable = use_memo((state.run.runs, outcome.is_some()), {
        let outcome = outcome.clone();
        move |_| match &outcome {
            Some(o) => Explainable::new(
                PatchVariants::new(&o.pixels, &o.layers, &o.probs),
                GRAPH_KEY,
            ),
            None => Err(t!("explain.blank").into_owned()),
        }
    });
    let explain_target = outcome
        .as_ref()
        .and_then(|o| argmax(&o.probs))
        .map(|d| t!("explain.digits_target", digit = d).into_owned())
        .unwrap_or_default();
    let on_whatif = {
        let whatif = whatif.clone();
        Callback::from(move |v| whatif.set(v))
    };

    html! {
        <div class="demo digits" data-testid="digits-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("digits.tagline") }</p>
                { digits_status(&DigitsStatusProps { model: state.model.clone(), manifest: state.manifest.clone() }) }
                if let Some(note) = link_note {
                    <p class="note" data-testid="link-problem" role="status">{ note }</p>
                }
            </header>

            <div class="dg-layout">
                <DrawPanel strokes={state.strokes()} backdrop={state.backdrop()} dispatch={state.dispatcher()} />
                { output_panel(&OutputPanelProps { pixels, outcome, run_error: state.run.error.clone(), runs: state.run.runs,
                    manifest: state.manifest.clone(), picked: state.picked(), layer: state.layer, head: state.head,
                    whatif: (*whatif).clone(), on_whatif, dispatch: state.dispatcher() }) }
                { example_picker(&ExamplePickerProps { manifest: state.manifest.clone(), picked: state.picked(),
                    dispatch: state.dispatcher() }) }
            </div>

            <ExplainPanel input={(*explainable).clone()} target={explain_target} open={state.explain}
                ontoggle={{ let dispatch = state.dispatcher(); Callback::from(move |open| dispatch.dispatch(Action::SetExplain(open))) }} />

            <footer class="about">
                <p class="muted">{ t!("digits.about.data") }</p>
            </footer>
        </div>
    }
}
