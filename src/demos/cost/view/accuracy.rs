//! Accuracy on real data: the user's text through the walkthrough's language identifier, the
//! real Q, K, V of one layer and head (our recomputation, which the walkthrough checks against
//! the model), each method against full attention, and which score entries each computes.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::ui::components::scroll_box;
use yew_agent::prelude::*;

use super::results::short_number;
use crate::demos::cost::accuracy::{compare, Accuracy, AccuracyChoice};
use crate::demos::cost::sweep::{method_params, MethodKind, Params};
use crate::demos::walkthrough::manifest::Manifest;
use crate::demos::walkthrough::view::{probe_layout, recompute, RecomputeProblem};
use crate::demos::walkthrough::{Layout, MODEL_DIR};
use crate::export::ExportContext;
use crate::maths::Walkthrough;
use crate::route::Demo;
use crate::ui::components::{ColorScale, Heatmap, ModelStatusBar};
use crate::ui::events::{input_value, one_based_select};
use crate::ui::model::{use_model, ModelEvent, ModelStatus, ModelSummary};
use crate::worker::AttentionWorker;

/// The seed of Linformer's random projections here (the sweep's inputs have their own).
const PROJECTION_SEED: u64 = 18;

#[derive(Properties, PartialEq)]
pub struct AccuracyProps {
    pub params: Params,
    pub methods: Vec<MethodKind>,
    pub choice: AccuracyChoice,
    pub onchoice: Callback<AccuracyChoice>,
}

/// What the panel computed for one text, layer and head.
#[derive(Debug, Clone, PartialEq)]
struct Compared {
    tokens: Rc<Vec<String>>,
    d_k: usize,
    results: Vec<Accuracy>,
}

fn compared(
    w: &Walkthrough,
    layer: usize,
    head: usize,
    props: &AccuracyProps,
) -> Result<Compared, String> {
    let steps = w
        .layers
        .get(layer)
        .and_then(|l| l.heads.get(head))
        .ok_or_else(|| t!("cost.accuracy.no_head").into_owned())?;
    let (_, results) = compare(
        &props.methods,
        &props.params,
        &steps.query,
        &steps.key,
        &steps.value,
        PROJECTION_SEED,
    )
    .map_err(|e| e.to_string())?;
    Ok(Compared {
        tokens: Rc::new(w.record.tokens.clone()),
        d_k: steps.query.cols(),
        results,
    })
}

fn error_row(r: &Accuracy) -> Html {
    let computed = r
        .computed
        .as_ref()
        .map(|m| m.data().iter().filter(|&&v| v > 0.0).count());
    let kl = r.kl.map_or_else(|| "—".to_owned(), short_number);
    html! {
        <tr data-testid="accuracy-row" data-method={r.kind.slug()} data-max={r.max_abs.to_string()}
            data-mean={r.mean_abs.to_string()} data-kl={r.kl.map(|k| k.to_string())}>
            <th scope="row">{ r.kind.label() }{ " " }<span class="muted">{ method_params(r.method) }</span>
                if r.method.is_exact() { { " " }<span class="badge">{ t!("cost.accuracy.exact") }</span> }</th>
            <td>{ short_number(f64::from(r.max_abs)) }</td>
            <td>{ short_number(f64::from(r.mean_abs)) }</td>
            <td>{ kl }</td>
            <td>{ computed.map_or_else(|| t!("cost.accuracy.no_scores").into_owned(), |c| c.to_string()) }</td>
            <td>{ r.counts.mul_adds }</td>
        </tr>
    }
}

fn drawing(c: &Compared, kind: MethodKind, layer: usize, head: usize) -> Html {
    let Some(r) = c.results.iter().find(|r| r.kind == kind) else {
        return html! {};
    };
    let Some(matrix) = r.computed.clone() else {
        return html! { <p class="note" data-testid="no-scores">{ t!("cost.accuracy.linear_none") }</p> };
    };
    let cols = (matrix.cols() == c.tokens.len()).then(|| c.tokens.clone());
    let export = Rc::new(ExportContext {
        model: "langid".into(),
        demo: Demo::Cost.slug().into(),
        step: Some(format!("computed scores, {}", kind.slug())),
        layer: Some(layer + 1),
        head: Some(head + 1),
        input: None,
    });
    let caption = if matches!(kind, MethodKind::Linformer) {
        t!("cost.accuracy.linformer_caption", k = matrix.cols()).into_owned()
    } else {
        t!("cost.accuracy.pattern_caption").into_owned()
    };
    html! {
        <Heatmap name={format!("computed scores {}", kind.slug())} label={Some(AttrValue::from(t!("cost.accuracy.pattern_name", method = kind.label()).into_owned()))}
            matrix={Rc::new(matrix)} rows={c.tokens.clone()} {cols} scale={ColorScale::Weights}
            caption={AttrValue::from(caption)} export={Some(export)} />
    }
}

#[component]
pub fn AccuracyPanel(props: &AccuracyProps) -> Html {
    let runner = use_oneshot_runner::<AttentionWorker>();
    let status = use_state(ModelStatus::default);
    let layout = use_state(|| None::<Layout>);
    let walkthrough = use_state(|| None::<Rc<Walkthrough>>);
    let problem = use_state(|| None::<String>);
    let runs = use_state(|| 0u64);
    let seq = use_mut_ref(|| 0u64);
    let shown = use_state(|| MethodKind::Window);
    {
        let (runner, status, layout) = (runner.clone(), status.clone(), layout.clone());
        use_model::<Manifest>(
            MODEL_DIR,
            Callback::from(move |event| match event {
                ModelEvent::Manifest(_) => {}
                ModelEvent::Progress { loaded, total } => {
                    status.set(ModelStatus::Loading { loaded, total })
                }
                ModelEvent::Loaded(_, mut graphs) => {
                    let (runner, status, layout) = (runner.clone(), status.clone(), layout.clone());
                    if let Some(graph) = graphs.pop() {
                        spawn_local(async move {
                            match probe_layout(&runner, &graph).await {
                                Ok(l) => {
                                    status.set(ModelStatus::Ready(ModelSummary {
                                        n_layers: l.n_layers,
                                        n_heads: l.n_heads,
                                        d_model: l.d_model,
                                        max_len: l.max_len,
                                    }));
                                    layout.set(Some(l));
                                }
                                Err(e) => status.set(ModelStatus::Failed(e.to_string())),
                            }
                        });
                    }
                }
                ModelEvent::Failed(e) => status.set(ModelStatus::Failed(e)),
            }),
        );
    }
    {
        let (runner, walkthrough, problem, runs, seq) = (
            runner.clone(),
            walkthrough.clone(),
            problem.clone(),
            runs.clone(),
            seq.clone(),
        );
        use_effect_with(
            (props.choice.text.clone(), *layout),
            move |(text, layout)| {
                let text = text.clone();
                let timer = layout.map(|layout| {
                    Timeout::new(25, move || {
                        let mine = {
                            let mut s = seq.borrow_mut();
                            *s += 1;
                            *s
                        };
                        spawn_local(async move {
                            let result = recompute(&runner, layout, &text).await;
                            if *seq.borrow() != mine {
                                return;
                            }
                            match result {
                                Ok(w) => {
                                    walkthrough.set(Some(Rc::new(w)));
                                    problem.set(None);
                                }
                                Err(RecomputeProblem::Empty) => {
                                    problem.set(Some(t!("walk.empty_input").into_owned()))
                                }
                                Err(RecomputeProblem::Failed(e)) => problem.set(Some(e)),
                            }
                            runs.set(*runs + 1);
                        });
                    })
                });
                move || drop(timer)
            },
        );
    }

    let choice = &props.choice;
    let (n_layers, n_heads) = layout.map_or((1, 1), |l| (l.n_layers, l.n_heads));
    let (layer, head) = choice.fitted(n_layers, n_heads);
    let result = walkthrough
        .as_ref()
        .map(|w| compared(w, layer, head, props));
    let change = |make: fn(&mut AccuracyChoice, usize)| {
        let (choice, onchoice) = (choice.clone(), props.onchoice.clone());
        one_based_select(Callback::from(move |v| {
            let mut next = choice.clone();
            make(&mut next, v);
            onchoice.emit(next);
        }))
    };
    let oninput = {
        let (choice, onchoice) = (choice.clone(), props.onchoice.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(text) = input_value(&e) {
                onchoice.emit(AccuracyChoice {
                    text,
                    ..choice.clone()
                });
            }
        })
    };
    let on_shown = {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|s| MethodKind::from_slug(&s.value()));
            if let Some(kind) = value {
                shown.set(kind);
            }
        })
    };
    let shown_kind = if props.methods.contains(&*shown) {
        *shown
    } else {
        props.methods.first().copied().unwrap_or(MethodKind::Full)
    };
    html! {
        <section class="cost-accuracy" data-testid="accuracy" aria-labelledby="accuracy-title" data-runs={runs.to_string()}>
            <h2 id="accuracy-title">{ t!("cost.accuracy.title") }</h2>
            <p>{ t!("cost.accuracy.intro") }</p>
            <ModelStatusBar status={(*status).clone()} model_name={Some(t!("walk.model_name").into_owned())} />
            <label for="accuracy-text">{ t!("cost.accuracy.text") }</label>
            <textarea id="accuracy-text" data-testid="accuracy-text" rows="2" spellcheck="false" dir="auto"
                value={choice.text.clone()} {oninput} />
            <div class="controls">
                <label>{ t!("walk.layer") }{ " " }
                    <select data-testid="accuracy-layer" onchange={change(|c, v| c.layer = v)}>
                        { for (0..n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == layer}>{ l + 1 }</option> }) }
                    </select>
                </label>
                <label>{ t!("walk.head") }{ " " }
                    <select data-testid="accuracy-head" onchange={change(|c, v| c.head = v)}>
                        { for (0..n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={h == head}>{ h + 1 }</option> }) }
                    </select>
                </label>
            </div>
            if let Some(message) = &*problem {
                <p class="error" data-testid="accuracy-error" role="alert">{ message.clone() }</p>
            }
            { match result {
                Some(Ok(c)) => html! { <>
                    { scroll_box("matrix-table-scroll", t!("cost.accuracy.caption", n = c.tokens.len(), d = c.d_k, layer = layer + 1, head = head + 1), html! {
                        <table class="matrix-table" data-testid="accuracy-table">
                            <caption>{ t!("cost.accuracy.caption", n = c.tokens.len(), d = c.d_k, layer = layer + 1, head = head + 1) }</caption>
                            <thead><tr>
                                <th scope="col">{ t!("cost.table.method") }</th>
                                <th scope="col">{ t!("cost.accuracy.max") }</th>
                                <th scope="col">{ t!("cost.accuracy.mean") }</th>
                                <th scope="col">{ t!("cost.accuracy.kl") }</th>
                                <th scope="col">{ t!("cost.accuracy.computed") }</th>
                                <th scope="col">{ t!("cost.table.mul_adds") }</th>
                            </tr></thead>
                            <tbody>{ for c.results.iter().map(error_row) }</tbody>
                        </table> }) }
                    <label for="accuracy-drawn">{ t!("cost.accuracy.draw") }{ " " }
                        <select id="accuracy-drawn" data-testid="accuracy-drawn" onchange={on_shown}>
                            { for props.methods.iter().map(|k| html! { <option value={k.slug()} selected={*k == shown_kind}>{ k.label() }</option> }) }
                        </select>
                    </label>
                    { drawing(&c, shown_kind, layer, head) }
                </> },
                Some(Err(e)) => html! { <p class="error" role="alert">{ e }</p> },
                None => html! {},
            } }
        </section>
    }
}
