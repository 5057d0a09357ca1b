//! For teachers: the link to this lesson on this sentence, a worksheet of chosen exercises, and
//! printing (the print stylesheet turns the lesson or worksheet into a handout with its numbers).

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::learn::exercise::Kind;
use crate::demos::learn::link::LearnLink;
use crate::demos::learn::Lesson;
use crate::share::page_address;

#[derive(Properties, PartialEq)]
pub struct TeacherPanelProps {
    pub lesson: Lesson,
    pub text: String,
    pub sheet: Option<Vec<Kind>>,
}

/// The address of `link` on this site, as a student would open it.
fn address(link: &LearnLink) -> String {
    let href = gloo::utils::window().location().href().unwrap_or_default();
    format!("{}{}", page_address(&href), link.write())
}

#[component]
pub fn TeacherPanel(props: &TeacherPanelProps) -> Html {
    let chosen = use_state(|| {
        props
            .sheet
            .clone()
            .unwrap_or_else(|| props.lesson.exercises().to_vec())
    });
    let lesson_link = address(&LearnLink {
        lesson: props.lesson,
        text: Some(props.text.clone()),
        sheet: None,
        bad: Vec::new(),
    });
    // In the order of the path, whatever order they were ticked in
    let in_order: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| chosen.contains(k))
        .collect();
    let sheet_link = (!in_order.is_empty()).then(|| {
        address(&LearnLink {
            lesson: props.lesson,
            text: Some(props.text.clone()),
            sheet: Some(in_order.clone()),
            bad: Vec::new(),
        })
    });
    let print = Callback::from(|_| {
        let _ = gloo::utils::window().print();
    });
    html! {
        <details class="teacher no-print" data-testid="teacher">
            <summary>{ t!("learn.teacher.title") }</summary>
            <p>{ t!("learn.teacher.lesson_link") }<br />
                <a href={lesson_link.clone()} data-testid="lesson-link" class="learn-address">{ lesson_link.clone() }</a></p>
            <fieldset>
                <legend>{ t!("learn.teacher.sheet") }</legend>
                { for Lesson::ALL.into_iter().filter(|l| !l.exercises().is_empty()).map(|l| html! {
                    <div class="sheet-lesson">
                        <span class="muted">{ t!(format!("learn.lesson.{}.title", l.id())) }{ ": " }</span>
                        { for l.exercises().iter().enumerate().map(|(i, &k)| {
                            let chosen = chosen.clone();
                            let id = format!("sheet-{}", k.id().replace('.', "-"));
                            let onchange = Callback::from(move |_| {
                                let mut next = (*chosen).clone();
                                if let Some(at) = next.iter().position(|&c| c == k) {
                                    next.remove(at);
                                } else {
                                    next.push(k);
                                }
                                chosen.set(next);
                            });
                            html! {
                                <label for={id.clone()} class="sheet-choice">
                                    <input type="checkbox" id={id} data-testid="sheet-choice" data-kind={k.id()}
                                        checked={in_order.contains(&k)} {onchange} />
                                    { t!("learn.exercise_n", n = i + 1) }
                                </label>
                            }
                        }) }
                    </div>
                }) }
            </fieldset>
            if let Some(link) = sheet_link {
                <p>{ t!("learn.teacher.sheet_link") }<br />
                    <a href={link.clone()} data-testid="sheet-link" class="learn-address">{ link.clone() }</a></p>
            }
            <button type="button" data-testid="print" onclick={print}>{ t!("learn.teacher.print") }</button>
        </details>
    }
}
