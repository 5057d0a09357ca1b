//! One exercise: the question with the model's numbers it needs, an answer field, the verdict
//! (announced to screen readers), and the worked solution on request.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::learn::answer::{check, Verdict};
use crate::demos::learn::exercise::{solution, Answer, Exercise, Kind, Task, Unavailable};
use crate::ui::components::scroll_box;
use crate::ui::events::input_value;

#[derive(Properties, PartialEq)]
pub struct ExerciseCardProps {
    pub kind: Kind,
    /// 1-based number on the page
    pub n: usize,
    /// `None` until the model has run on the sentence
    pub made: Option<Rc<Result<Exercise, Unavailable>>>,
    pub solved: bool,
    pub onsolved: Callback<Kind>,
    /// Replace the sentence by the default one (offered when it is too short)
    pub ondefault: Callback<()>,
}

fn token(e: &Exercise, pos: usize) -> String {
    e.tokens.get(pos).cloned().unwrap_or_default()
}

/// The question in the reader's language.
fn question(e: &Exercise) -> String {
    let msg = format!("learn.q.{}", e.kind.id());
    let one = |x: usize| (x + 1).to_string();
    match &e.task {
        Task::TokenCount | Task::Rollout { .. } => t!(&msg).into_owned(),
        Task::Position { pos, dim, d_model } => {
            t!(&msg, pos = pos, dim = dim, d = d_model).into_owned()
        }
        Task::Dot { at, key: k, .. } => t!(
            &msg,
            layer = one(at.layer),
            head = one(at.head),
            query = token(e, at.query),
            qpos = at.query,
            key = token(e, *k),
            kpos = k
        )
        .into_owned(),
        Task::Scale {
            at,
            key: k,
            score,
            d_k,
        } => t!(
            &msg,
            layer = one(at.layer),
            head = one(at.head),
            query = token(e, at.query),
            key = token(e, *k),
            score = format!("{score:.3}"),
            d_k = d_k
        )
        .into_owned(),
        Task::Softmax { at, key: k, .. } => t!(
            &msg,
            layer = one(at.layer),
            head = one(at.head),
            query = token(e, at.query),
            key = token(e, *k),
            kpos = k
        )
        .into_owned(),
        Task::Context { at, dim, .. } => t!(
            &msg,
            layer = one(at.layer),
            head = one(at.head),
            query = token(e, at.query),
            dim = dim
        )
        .into_owned(),
        Task::MostAttended { at } => t!(
            &msg,
            layer = one(at.layer),
            head = one(at.head),
            query = token(e, at.query),
            qpos = at.query
        )
        .into_owned(),
        Task::CausalPairs { n } => t!(&msg, n = n).into_owned(),
        Task::CrossWeights { source, target } => {
            t!(&msg, source = source, target = target).into_owned()
        }
        Task::Macs { n, d } => t!(&msg, n = n, d = d).into_owned(),
        Task::Cache { n, d, .. } => t!(&msg, n = n, next = n + 1, d = d).into_owned(),
    }
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

/// The numbers the question needs, as a table (the data behind the exercise, for everyone).
fn data_table(e: &Exercise) -> Html {
    let caption = html! { <caption>{ t!("learn.data_caption") }</caption> };
    let key_rows = |columns: Vec<(String, &Vec<f64>)>| {
        let n = columns.first().map_or(0, |c| c.1.len());
        scroll_box(
            "learn-data-box",
            t!("learn.data_caption").into_owned(),
            html! {
                <table class="data-table learn-data" data-testid="exercise-data">
                    { caption.clone() }
                    <thead><tr>
                        <th scope="col">{ t!("learn.column_key") }</th>
                        { for columns.iter().map(|(name, _)| html! { <th scope="col">{ name.clone() }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for (0..n).map(|j| html! {
                            <tr>
                                <th scope="row">{ t!("learn.position_token", pos = j, token = token(e, j)) }</th>
                                { for columns.iter().map(|(_, v)| html! { <td>{ f3(v[j]) }</td> }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            },
        )
    };
    match &e.task {
        Task::Dot { at, key, q, k } => scroll_box(
            "learn-data-box",
            t!("learn.data_caption").into_owned(),
            html! {
                <table class="data-table learn-data" data-testid="exercise-data">
                    { caption }
                    <thead><tr>
                        <th scope="col">{ t!("learn.column_index") }</th>
                        <th scope="col">{ t!("learn.vector_q", token = token(e, at.query)) }</th>
                        <th scope="col">{ t!("learn.vector_k", token = token(e, *key)) }</th>
                    </tr></thead>
                    <tbody>
                        { for q.iter().zip(k).enumerate().map(|(t, (a, b))| html! {
                            <tr><th scope="row">{ t }</th><td>{ f3(*a) }</td><td>{ f3(*b) }</td></tr>
                        }) }
                    </tbody>
                </table>
            },
        ),
        Task::Softmax { row, .. } => key_rows(vec![(t!("learn.column_scaled").into_owned(), row)]),
        Task::Context {
            dim,
            weights,
            values,
            ..
        } => key_rows(vec![
            (t!("learn.column_weight").into_owned(), weights),
            (t!("learn.column_value", dim = dim).into_owned(), values),
        ]),
        _ => html! {},
    }
}

/// What the page says about an answer, and whether it was right.
fn verdict_text(e: &Exercise, typed: &str) -> (&'static str, String, bool) {
    match &e.answer {
        Answer::Number {
            expected,
            tolerance,
        } => {
            let verdict = check(typed, *expected, *tolerance);
            let value = if *tolerance == 0.0 {
                format!("{expected:.0}")
            } else {
                format!("{expected:.4}")
            };
            let text = match &verdict {
                Verdict::Right => t!("learn.verdict.right", value = value),
                Verdict::Wrong { off } if *off > 0.0 => t!("learn.verdict.high"),
                Verdict::Wrong { .. } => t!("learn.verdict.low"),
                Verdict::Empty => t!("learn.verdict.empty"),
                Verdict::NotANumber => {
                    t!(
                        "learn.verdict.not_a_number",
                        typed = typed.trim().chars().take(40).collect::<String>()
                    )
                }
            };
            (verdict.id(), text.into_owned(), verdict == Verdict::Right)
        }
        Answer::Token { position } => match typed.parse::<usize>() {
            Err(_) => ("empty", t!("learn.verdict.choose").into_owned(), false),
            Ok(p) if p == *position => (
                "right",
                t!("learn.verdict.token_right", token = token(e, p), pos = p).into_owned(),
                true,
            ),
            Ok(_) => ("wrong", t!("learn.verdict.token_wrong").into_owned(), false),
        },
    }
}

#[component]
pub fn ExerciseCard(props: &ExerciseCardProps) -> Html {
    let typed = use_state(String::new);
    let verdict = use_state(|| None::<(&'static str, String)>);
    let open = use_state(|| false);
    // How many times Check was pressed: tests wait for the next verdict by it
    let checks = use_state(|| 0u32);
    let id = format!("answer-{}", props.kind.id().replace('.', "-"));
    let title_id = format!("{id}-title");

    let body = match props.made.as_deref() {
        None => html! { <p class="muted">{ t!("learn.no_model") }</p> },
        Some(Err(Unavailable::TooShort { words, needed })) => html! {
            <p class="note" data-testid="too-short" role="status">
                { t!("learn.too_short", words = words, needed = needed) }{ " " }
                <button type="button" data-testid="use-default" onclick={props.ondefault.reform(|_| ())}>{ t!("learn.use_default") }</button>
            </p>
        },
        Some(Err(Unavailable::Missing)) => {
            html! { <p class="error">{ t!("error.bad_outputs", detail = "") }</p> }
        }
        Some(Ok(e)) => {
            let onsubmit = {
                let (typed, verdict, e, onsolved) = (
                    typed.clone(),
                    verdict.clone(),
                    e.clone(),
                    props.onsolved.clone(),
                );
                let checks = checks.clone();
                Callback::from(move |ev: SubmitEvent| {
                    ev.prevent_default();
                    checks.set(*checks + 1);
                    let (id, text, right) = verdict_text(&e, &typed);
                    verdict.set(Some((id, text)));
                    if right {
                        onsolved.emit(e.kind);
                    }
                })
            };
            let oninput = {
                let typed = typed.clone();
                Callback::from(move |ev: InputEvent| {
                    if let Some(v) = input_value(&ev) {
                        typed.set(v);
                    }
                })
            };
            let onchange = {
                let typed = typed.clone();
                Callback::from(move |ev: Event| {
                    if let Some(select) = ev.target_dyn_into::<web_sys::HtmlSelectElement>() {
                        typed.set(select.value());
                    }
                })
            };
            let field = match &e.answer {
                Answer::Number { tolerance, .. } => html! {
                    <>
                        <input id={id.clone()} type="text" inputmode="decimal" autocomplete="off" data-testid="answer"
                            value={(*typed).clone()} oninput={oninput} aria-describedby={format!("{id}-hint")} />
                        <span id={format!("{id}-hint")} class="muted learn-hint">
                            { if *tolerance == 0.0 { t!("learn.exact") } else { t!("learn.tolerance", tol = format!("{tolerance:.3}")) } }
                        </span>
                    </>
                },
                Answer::Token { .. } => html! {
                    <select id={id.clone()} data-testid="answer" onchange={onchange}>
                        <option value="" selected={typed.is_empty()}>{ t!("learn.choose") }</option>
                        { for e.tokens.iter().enumerate().map(|(p, tok)| html! {
                            <option value={p.to_string()} selected={*typed == p.to_string()}>{ t!("learn.position_token", pos = p, token = tok.clone()) }</option>
                        }) }
                    </select>
                },
            };
            let model_value = match &e.answer {
                Answer::Number {
                    expected,
                    tolerance,
                } if *tolerance == 0.0 => format!("{expected:.0}"),
                Answer::Number { expected, .. } => format!("{expected:.6}"),
                Answer::Token { position } => format!("{position} ({})", token(e, *position)),
            };
            let toggle = {
                let open = open.clone();
                Callback::from(move |_| open.set(!*open))
            };
            html! {
                <>
                    <p class="question" data-testid="question">{ question(e) }</p>
                    { data_table(e) }
                    <form class="answer-form" onsubmit={onsubmit}>
                        <label for={id.clone()}>{ t!("learn.answer") }</label>
                        { field }
                        <button type="submit" data-testid="check">{ t!("learn.check") }</button>
                    </form>
                    <p class="verdict" role="status" aria-live="polite" data-testid="verdict"
                        data-verdict={verdict.as_ref().map_or("", |v| v.0)} data-checks={(*checks).to_string()}>
                        { verdict.as_ref().map(|v| v.1.clone()).unwrap_or_default() }
                    </p>
                    <button type="button" class="no-print" data-testid="show-solution" aria-expanded={(*open).to_string()} onclick={toggle}>
                        { if *open { t!("learn.hide_solution") } else { t!("learn.show_solution") } }
                    </button>
                    if *open {
                        <div class="solution" data-testid="solution">
                            <p>{ t!("learn.solution_lead") }</p>
                            <p class="formula" dir="ltr">{ solution(e) }</p>
                            <p class="muted">{ t!("learn.solution_model", value = model_value) }</p>
                        </div>
                    }
                </>
            }
        }
    };
    html! {
        <section class="exercise" data-testid="exercise" data-kind={props.kind.id()} aria-labelledby={title_id.clone()}>
            <h4 id={title_id}>
                { t!("learn.exercise_n", n = props.n) }
                if props.solved { <span class="learn-done">{ " ✓ " }{ t!("learn.solved") }</span> }
            </h4>
            { body }
        </section>
    }
}
