//! The Learn page: the path of lessons beside the lesson on screen (or a teacher's worksheet),
//! all on the student's sentence, run through the walkthrough's model and state.

mod embed;
mod exercise;
mod progress;
mod teacher;

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::exercise::{make, Kind};
use super::link::LearnLink;
use super::{Lesson, DEFAULT_TEXT};
use crate::demos::walkthrough::view::state::{Action, State};
use crate::demos::walkthrough::view::{on_text_input, use_langid_runs};
use crate::maths::Walkthrough;
use crate::route::link_problem;
use crate::ui::components::ModelStatusBar;
use crate::ui::permalink::{use_link, use_permalink};
use embed::LessonEmbed;
use exercise::ExerciseCard;
use progress::{use_progress, ProgressHandle};
use teacher::TeacherPanel;

/// The link to `lesson` on `text`.
fn lesson_href(lesson: Lesson, text: &str) -> String {
    LearnLink {
        lesson,
        text: Some(text.to_owned()),
        sheet: None,
        bad: Vec::new(),
    }
    .write()
    .to_string()
}

/// The exercises of `kinds` on the current run, each with its card.
fn exercise_cards(
    kinds: &[Kind],
    walkthrough: &Option<Rc<Walkthrough>>,
    text: &str,
    progress: &ProgressHandle,
    on_default: &Callback<()>,
) -> Html {
    html! {
        <ol class="learn-exercises">
            { for kinds.iter().enumerate().map(|(i, &kind)| {
                let made = walkthrough.as_ref().map(|w| make(kind, w, text));
                html! {
                    <li>
                        <ExerciseCard key={format!("{}:{text}", kind.id())} {kind} n={i + 1} made={made.map(Rc::new)}
                            solved={progress.is_solved(kind)} onsolved={progress.on_solved.clone()}
                            ondefault={on_default.clone()} />
                    </li>
                }
            }) }
        </ol>
    }
}

#[component]
pub fn LearnDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let link = use_link(LearnLink::read);
    let state = use_reducer({
        let text = link.text.clone();
        move || State {
            text: text.unwrap_or_else(|| DEFAULT_TEXT.to_owned()),
            // The walkthrough's model replaces an untouched text by its first example: keep ours.
            text_edited: true,
            // The last lesson shows "Does attention explain this?" open
            explain: true,
            ..State::default()
        }
    });
    let lesson = use_state(|| link.lesson);
    let sheet = use_state(|| link.sheet.clone());
    let progress = use_progress();
    {
        let hash = LearnLink {
            lesson: *lesson,
            text: Some(state.text.clone()),
            sheet: (*sheet).clone(),
            bad: Vec::new(),
        }
        .write()
        .to_string();
        use_permalink(Some(hash));
    }
    use_langid_runs(&state);

    let dispatch = state.dispatcher();
    let oninput = on_text_input(&dispatch);
    let on_default = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| dispatch.dispatch(Action::SetText(DEFAULT_TEXT.to_owned())))
    };
    // Moving between lessons is a history entry of its own (Back returns to the last lesson),
    // without remounting the page: the model and the sentence stay.
    let go = |to: Lesson| {
        let (lesson, sheet, text) = (lesson.clone(), sheet.clone(), state.text.clone());
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            let hash = lesson_href(to, &text);
            if let Ok(history) = gloo::utils::window().history() {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
            }
            sheet.set(None);
            lesson.set(to);
            // A new lesson starts at its top, as a new page would
            gloo::utils::window().scroll_to_with_x_and_y(0.0, 0.0);
        })
    };
    let total: usize = Lesson::ALL.iter().map(|l| l.exercises().len()).sum();
    let walkthrough = state.walkthrough.clone();
    let current = *lesson;

    let path = html! {
        <nav class="learn-path" aria-label={t!("learn.path")} data-testid="learn-path">
            <ol>
                { for Lesson::ALL.into_iter().map(|l| {
                    let href = lesson_href(l, &state.text);
                    let here = sheet.is_none() && l == current;
                    let done = !l.exercises().is_empty() && l.exercises().iter().all(|&k| progress.is_solved(k));
                    html! {
                        <li class={classes!(here.then_some("current"), done.then_some("done"))}>
                            <a href={href} onclick={go(l)} aria-current={here.then_some("page")} data-lesson={l.id()}>
                                { t!(format!("learn.lesson.{}.title", l.id())) }
                            </a>
                            if done { <span class="learn-done">{ " ✓" }<span class="sr-only">{ t!("learn.solved") }</span></span> }
                        </li>
                    }
                }) }
            </ol>
            <p class="muted" data-testid="learn-progress" data-solved={progress.count().to_string()}>
                { t!("learn.progress", done = progress.count(), total = total) }
            </p>
            <button type="button" class="learn-reset" data-testid="learn-reset" onclick={progress.on_reset.clone()}>{ t!("learn.reset") }</button>
        </nav>
    };

    let text_box = html! {
        <section class="input learn-input" aria-label={t!("learn.your_text")} data-text={state.text.clone()}>
            <label for="learn-text">{ t!("learn.your_text") }</label>
            <textarea id="learn-text" data-testid="text-input" rows="2" spellcheck="false"
                value={state.text.clone()} oninput={oninput} dir="auto" />
            if let Some(message) = link_problem(&link.bad) {
                <p class="note" data-testid="link-problem" role="status">{ message }</p>
            }
            if let Some(message) = &state.input_message {
                <p class="note" data-testid="input-message" role="status">
                    { message.clone() }{ " " }
                    <button type="button" data-testid="use-default" onclick={on_default.reform(|_| ())}>{ t!("learn.use_default") }</button>
                </p>
            }
            if let Some(w) = &walkthrough {
                if w.record.truncated() {
                    <p class="note" data-testid="truncation-note" role="status">
                        { t!("walk.truncated", total = w.record.untruncated_len, max = w.record.seq_len()) }
                    </p>
                }
            }
            if let Some(err) = &state.run_error {
                <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
            }
            <span data-testid="run-id" data-run={state.run_id.to_string()} hidden=true></span>
        </section>
    };

    let body = if let Some(kinds) = &*sheet {
        let back = go(current);
        html! {
            <article class="lesson worksheet" data-testid="worksheet">
                <h2>{ t!("learn.sheet.title") }</h2>
                <p>{ t!("learn.sheet.intro") }</p>
                { text_box }
                { exercise_cards(kinds, &walkthrough, &state.text, &progress, &on_default) }
                <p class="no-print"><a href="#" onclick={back}>{ t!("learn.sheet.back") }</a></p>
            </article>
        }
    } else {
        let id = current.id();
        html! {
            <article class="lesson" data-testid="lesson" data-lesson={id} aria-labelledby="lesson-title">
                <p class="muted">{ t!("learn.lesson_n", n = current.index() + 1, total = Lesson::ALL.len()) }</p>
                <h2 id="lesson-title">{ t!(format!("learn.lesson.{id}.title")) }</h2>
                <p class="lesson-body">{ t!(format!("learn.lesson.{id}.body")) }</p>
                { text_box }
                <LessonEmbed lesson={current} state={state.clone()} />
                if !current.exercises().is_empty() {
                    <section class="learn-exercise-list" aria-labelledby="exercises-title">
                        <h3 id="exercises-title">{ t!("learn.exercises") }</h3>
                        { exercise_cards(current.exercises(), &walkthrough, &state.text, &progress, &on_default) }
                    </section>
                }
                <nav class="lesson-steps no-print" aria-label={t!("learn.path")}>
                    if let Some(prev) = current.prev() {
                        <a href={lesson_href(prev, &state.text)}
                            onclick={go(prev)} data-testid="lesson-prev">{ t!("learn.prev") }</a>
                    }
                    if let Some(next) = current.next() {
                        <a href={lesson_href(next, &state.text)}
                            onclick={go(next)} data-testid="lesson-next">{ t!("learn.next") }</a>
                    }
                </nav>
            </article>
        }
    };

    html! {
        <div class="demo learn">
            <header class="demo-head">
                <p class="tagline">{ t!("learn.tagline") }</p>
                <ModelStatusBar status={state.status.clone()} model_name={Some(t!("walk.model_name").into_owned())} />
            </header>
            <div class="learn-layout">
                { path }
                <div class="learn-main">
                    { body }
                    <TeacherPanel lesson={current} text={state.text.clone()} sheet={(*sheet).clone()} />
                </div>
            </div>
        </div>
    }
}
