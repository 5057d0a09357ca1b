//! "Does attention explain this?": one panel every predicting view shows under its prediction.
//! The view hands over a [`Explainable`] (the elements, their attention, and how to run the model
//! with elements removed); the panel runs every occlusion as one worker request (one batch, or
//! for graphs without a batch axis one run per variant inside the request), then every erasure
//! set as a second request, and shows attention, rollout and occlusion side by side, their
//! rank agreement in words, and the erasure curve. Clicking an element removes it live.

mod bars;
mod curve;

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::{LocalBoxFuture, Shared};
use futures::FutureExt;
use rust_i18n::t;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use crate::explain::{
    occlusion_sets, ErasureCurve, ExplainError, Importance, Measure, Runs, Subject, Variants,
};
use crate::export::ExportContext;
use crate::ui::worker_client::{infer, infer_each, Runner};
use crate::worker::AttentionWorker;

/// What the panel explains: the subject and how to run its variants in the worker.
#[derive(Clone)]
pub struct Explainable {
    pub subject: Rc<Subject>,
    pub variants: Rc<dyn Variants>,
    /// The worker's key for the graph the variants run on
    pub graph_key: &'static str,
}

impl PartialEq for Explainable {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.subject, &other.subject) && self.graph_key == other.graph_key
    }
}

/// An explanation being computed (or done), shared by whoever asks for the same subject.
type SharedAnswer = Shared<LocalBoxFuture<'static, Result<Rc<Explained>, String>>>;

thread_local! {
    /// The latest explanation started, by [`Explainable::key`]: a view may start it as soon as
    /// the model has answered ([`Explainable::prefetch`]), so that the worker computes while the
    /// page draws the answer; the panel then awaits the same computation instead of a second one.
    static STARTED: RefCell<Option<(String, SharedAnswer)>> = const { RefCell::new(None) };
}

impl Explainable {
    /// What identifies the computation: the graph, the elements, their positions, the followed
    /// class and its probability (a new model answer gives a new key).
    fn key(&self) -> String {
        let s = &self.subject;
        format!(
            "{}|{:?}|{:?}|{}|{}|{:?}",
            self.graph_key,
            s.labels,
            s.positions,
            self.variants.target(),
            s.base.to_bits(),
            s.given
        )
    }

    /// The explanation of this subject: the one already started for it, or a new one.
    fn shared(&self, runner: &Runner) -> SharedAnswer {
        let key = self.key();
        if let Some(answer) = STARTED.with(|s| {
            s.borrow()
                .as_ref()
                // A failed run (a worker that timed out) is not kept: asking again retries.
                .filter(|(k, a)| *k == key && !matches!(a.peek(), Some(Err(_))))
                .map(|(_, a)| a.clone())
        }) {
            return answer;
        }
        let (this, runner) = (self.clone(), runner.clone());
        let answer = async move { this.explain(&runner).await.map(Rc::new) }
            .boxed_local()
            .shared();
        STARTED.with(|s| *s.borrow_mut() = Some((key, answer.clone())));
        answer
    }

    /// Starts explaining now, before the panel asks (see [`STARTED`]).
    pub fn prefetch(&self, runner: &Runner) {
        let answer = self.shared(runner);
        spawn_local(async move {
            let _ = answer.await;
        });
    }

    /// From a demo's pure `(Subject, Variants)` pair, or the message why there is none.
    pub fn new<V: Variants + 'static>(
        made: Result<(Subject, V), ExplainError>,
        graph_key: &'static str,
    ) -> Result<Self, String> {
        let (subject, variants) = made.map_err(|e| e.to_string())?;
        subject.check().map_err(|e| e.to_string())?;
        Ok(Self {
            subject: Rc::new(subject),
            variants: Rc::new(variants),
            graph_key,
        })
    }

    async fn run(&self, runner: &Runner, sets: &[Vec<usize>]) -> Result<Vec<f64>, String> {
        match self.variants.runs(sets).map_err(|e| e.to_string())? {
            Runs::Batch(inputs) => {
                let out = infer(
                    runner,
                    self.graph_key,
                    inputs,
                    Some(self.variants.outputs()),
                )
                .await
                .map_err(|e| e.to_string())?;
                self.variants.read(&out).map_err(|e| e.to_string())
            }
            Runs::Each(each) => infer_each(runner, each).await.map_err(|e| e.to_string()),
        }
    }

    /// Occlusion (one request), then the erasure curves (one request).
    async fn explain(&self, runner: &Runner) -> Result<Explained, String> {
        let n = self.subject.labels.len();
        let occluded = self.run(runner, &occlusion_sets(n)).await?;
        let importance = Importance::new(&self.subject, &occluded).map_err(|e| e.to_string())?;
        let plan = importance.erasure_plan();
        let answers = self.run(runner, plan.sets()).await?;
        let curve = plan.curve(self.subject.base, &answers)?;
        Ok(Explained { importance, curve })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub importance: Importance,
    pub curve: ErasureCurve,
}

/// The panel's answer, with the subject it belongs to.
type Answer = (Rc<Subject>, Result<Rc<Explained>, String>);

#[derive(Properties, PartialEq)]
pub struct ExplainPanelProps {
    /// The subject, or the sentence that says why there is nothing to explain
    pub input: Result<Explainable, String>,
    /// What is followed, e.g. "P(English)"
    pub target: AttrValue,
    pub open: bool,
    pub ontoggle: Callback<bool>,
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
    /// The followed value is a probability (shown in %); otherwise a score (shown as it is)
    #[prop_or(true)]
    pub probability: bool,
    /// The budget keeps the LAST elements (nearest the prediction), not the first
    #[prop_or_default]
    pub tested_last: bool,
    /// What this model's attention and rollout are, when it is not the self-attention default
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

#[component]
pub fn ExplainPanel(props: &ExplainPanelProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let runner = use_oneshot_runner::<AttentionWorker>();
    // The answer is kept with the subject it explains: a new subject renders before its own
    // answer arrives, and must never be drawn with the old one's numbers.
    let result = use_state(|| None::<Answer>);
    let runs = use_state(|| 0u64);
    let seq = use_mut_ref(|| 0u64);
    let removed = use_state(Vec::<usize>::new);
    let live = use_state(|| None::<Result<f64, String>>);
    let head = use_state(|| None::<usize>);
    {
        // A new subject: explain it (when open), and forget the removed elements.
        let (runner, result, runs, seq, removed) = (
            runner.clone(),
            result.clone(),
            runs.clone(),
            seq.clone(),
            removed.clone(),
        );
        use_effect_with((props.input.clone(), props.open), move |(input, open)| {
            removed.set(Vec::new());
            let next = {
                let mut s = seq.borrow_mut();
                *s += 1;
                *s
            };
            if let (Ok(input), true) = (input.clone(), *open) {
                spawn_local(async move {
                    let answer = input.shared(&runner).await;
                    if *seq.borrow() == next {
                        result.set(Some((input.subject.clone(), answer)));
                        runs.set(*runs + 1);
                    }
                });
            } else {
                result.set(None);
            }
        });
    }
    {
        // The prediction with the clicked elements removed, live.
        let (runner, live, live_seq) = (runner.clone(), live.clone(), use_mut_ref(|| 0u64));
        use_effect_with(
            ((*removed).clone(), props.input.clone()),
            move |(set, input)| {
                live.set(None);
                let next = {
                    let mut s = live_seq.borrow_mut();
                    *s += 1;
                    *s
                };
                if let (Ok(input), false) = (input.clone(), set.is_empty()) {
                    let set = set.clone();
                    spawn_local(async move {
                        let answer = input
                            .run(&runner, std::slice::from_ref(&set))
                            .await
                            .and_then(|v| v.first().copied().ok_or_else(|| "no answer".into()));
                        if *live_seq.borrow() == next {
                            live.set(Some(answer));
                        }
                    });
                }
            },
        );
    }

    let toggle = {
        let (ontoggle, open) = (props.ontoggle.clone(), props.open);
        Callback::from(move |_: MouseEvent| ontoggle.emit(!open))
    };
    html! {
        <section class="explain" data-testid="explain-panel" aria-label={t!("explain.title")}>
            <h3>
                <button type="button" class="explain-toggle" data-testid="explain-toggle"
                    aria-expanded={props.open.to_string()} onclick={toggle}>
                    { if props.open { "▾ " } else { "▸ " } }{ t!("explain.title") }
                </button>
            </h3>
            if props.open {
                { body(props, &result, *runs, &removed, &live, &head) }
            }
        </section>
    }
}

fn body(
    props: &ExplainPanelProps,
    result: &Option<Answer>,
    runs: u64,
    removed: &UseStateHandle<Vec<usize>>,
    live: &UseStateHandle<Option<Result<f64, String>>>,
    head: &UseStateHandle<Option<usize>>,
) -> Html {
    let input = match &props.input {
        Ok(input) => input,
        Err(message) => {
            return html! { <p class="note" data-testid="explain-message" role="status">{ message.clone() }</p> }
        }
    };
    let subject = &input.subject;
    let n = subject.labels.len();
    let budget_key = if props.tested_last {
        "explain.budget_last"
    } else {
        "explain.budget"
    };
    let result = result
        .as_ref()
        .filter(|(of, _)| Rc::ptr_eq(of, subject))
        .map(|(_, r)| r);
    html! {
        <div class="explain-body" data-testid="explain-body" data-runs={runs.to_string()}>
            <p class="muted">{ t!("explain.intro", target = props.target.clone(), n = n) }</p>
            if let Some(note) = &props.note {
                <p class="muted" data-testid="explain-note">{ note.clone() }</p>
            }
            if subject.total > n {
                <p class="note" data-testid="explain-budget" role="status">{ t!(budget_key, tested = n, total = subject.total) }</p>
            }
            { chips(subject, removed) }
            { live_line(props, subject.base, removed, live) }
            { match result {
                None => html! { <p class="muted" data-testid="explain-running" role="status">{ t!("explain.running", n = n) }</p> },
                Some(Err(e)) => html! { <p class="error" data-testid="explain-error" role="alert">{ e.clone() }</p> },
                Some(Ok(explained)) => html! { <>
                    { verdicts(subject, &explained.importance) }
                    { bars::bars(subject, &explained.importance, head, removed, props.export.clone()) }
                    { curve::erasure_chart(&explained.curve, subject.base, props.export.clone()) }
                </> },
            } }
            { about() }
        </div>
    }
}

/// One toggle button per element: pressed = removed from the input.
fn chips(subject: &Subject, removed: &UseStateHandle<Vec<usize>>) -> Html {
    html! {
        <div class="explain-chips" role="group" aria-label={t!("explain.remove_group")}>
            { for subject.labels.iter().enumerate().map(|(e, label)| {
                let pressed = removed.contains(&e);
                let onclick = toggle_element(removed, e);
                html! { <button type="button" class={classes!("explain-chip", pressed.then_some("removed"))}
                    data-testid="explain-chip" aria-pressed={pressed.to_string()} dir="auto"
                    title={t!("explain.remove_one", element = label.clone())} {onclick}>{ label.clone() }</button> }
            }) }
        </div>
    }
}

pub(super) fn toggle_element(
    removed: &UseStateHandle<Vec<usize>>,
    e: usize,
) -> Callback<MouseEvent> {
    let removed = removed.clone();
    Callback::from(move |_| {
        let mut set = (*removed).clone();
        match set.iter().position(|&x| x == e) {
            Some(i) => {
                set.remove(i);
            }
            None => set.push(e),
        }
        set.sort_unstable();
        removed.set(set);
    })
}

fn live_line(
    props: &ExplainPanelProps,
    base: f64,
    removed: &UseStateHandle<Vec<usize>>,
    live: &UseStateHandle<Option<Result<f64, String>>>,
) -> Html {
    let fmt = |v: f64| {
        if props.probability {
            format!("{:.2}%", v * 100.0)
        } else {
            format!("{v:.3}")
        }
    };
    let text = match (removed.is_empty(), &**live) {
        (true, _) => t!(
            "explain.live_hint",
            target = props.target.clone(),
            value = fmt(base)
        ),
        (false, None) => t!("explain.live_running"),
        (false, Some(Ok(v))) => t!(
            "explain.live",
            target = props.target.clone(),
            n = removed.len(),
            value = fmt(*v),
            base = fmt(base)
        ),
        (false, Some(Err(e))) => t!("explain.live_failed", error = e.clone()),
    };
    let value = live.as_ref().and_then(|l| l.as_ref().ok()).copied();
    html! {
        <p class="explain-live" data-testid="explain-live" role="status" aria-live="polite"
            data-value={value.map(|v| v.to_string()).unwrap_or_default()}>{ text }</p>
    }
}

fn verdicts(subject: &Subject, importance: &Importance) -> Html {
    html! {
        <ul class="explain-verdicts" data-testid="explain-verdicts">
            { for [Measure::Attention, Measure::Rollout].into_iter().zip(&importance.agreement).map(|(m, a)| html! {
                <li data-testid={format!("verdict-{}", m.id())} data-tau={a.tau.map(|t| format!("{t:.4}")).unwrap_or_default()}>
                    { a.sentence(&subject.labels, m) }{ " " }{ a.strength() }
                </li>
            }) }
        </ul>
    }
}

fn about() -> Html {
    html! {
        <details class="explain-about" data-testid="explain-about">
            <summary>{ t!("explain.about.title") }</summary>
            <p>{ t!("explain.about.attention") }</p>
            <p>{ t!("explain.about.rollout") }</p>
            <p>{ t!("explain.about.occlusion") }</p>
            <p>{ t!("explain.about.erasure") }</p>
            <p>{ t!("explain.about.debate") }</p>
        </details>
    }
}
