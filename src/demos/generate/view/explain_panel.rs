//! "Does attention explain this?" under the generation: the shared panel, explaining the token
//! chosen at the step shown (see [`crate::demos::generate::explain`]).

use rust_i18n::t;
use yew::prelude::*;

use super::attention::query_row;
use super::output::token_label;
use super::state::{Action, GenState, Mode};
use crate::demos::generate::explain::{Prediction, PromptVariants};
use crate::demos::generate::GRAPH_KEY;
use crate::export::ExportContext;
use crate::ui::components::explain::{ExplainPanel, Explainable};

#[derive(Properties, PartialEq)]
pub struct GenExplainProps {
    pub state: UseReducerHandle<GenState>,
    pub export: std::rc::Rc<ExportContext>,
}

/// The subject of the step shown, or why there is none.
fn explainable(s: &GenState) -> Result<Explainable, String> {
    if decoding(s) {
        return Err(t!("explain.wait_decoding").into_owned());
    }
    let wait = || t!("explain.generate_wait").into_owned();
    let (Some(g), Some(full), Some(m), Some(q)) =
        (&s.generation, &s.full, &s.manifest, query_row(s))
    else {
        return Err(wait());
    };
    let first = full.first_position;
    let (Some(ids), Some(&target), Some(&base)) = (
        g.ids.get(first..=first + q),
        g.ids.get(first + q + 1),
        full.next_probs.get(q),
    ) else {
        return Err(wait());
    };
    let prediction = Prediction {
        ids,
        start: first,
        target,
        base,
    };
    Explainable::new(
        PromptVariants::new(prediction, &full.weights, full.n, &m.dims(), |id| {
            token_label(s.vocab.as_ref(), id)
        }),
        GRAPH_KEY,
    )
}

/// Generation is running on its own: the panel waits (its runs would hold up every step).
fn decoding(s: &GenState) -> bool {
    matches!(s.mode, Mode::Play | Mode::All | Mode::Restore(_))
}

#[component]
pub fn GenExplain(props: &GenExplainProps) -> Html {
    let s = &props.state;
    let first = s.full.as_ref().map(|f| f.first_position);
    // Made once per (generation, step shown, window): stepping on reruns the panel.
    let input = use_memo((s.run, s.shown, first, s.full.is_some(), decoding(s)), {
        let s = props.state.clone();
        move |_| explainable(&s)
    });
    let target = s
        .generation
        .as_ref()
        .zip(query_row(s))
        .and_then(|(g, _)| g.ids.get(g.prompt_len + s.shown.checked_sub(1)?))
        .map(|&id| {
            t!(
                "explain.generate_target",
                token = token_label(s.vocab.as_ref(), id)
            )
            .into_owned()
        })
        .unwrap_or_default();
    let ontoggle = {
        let dispatch = s.dispatcher();
        Callback::from(move |open| dispatch.dispatch(Action::SetExplain(open)))
    };
    html! {
        <ExplainPanel input={(*input).clone()} target={target} open={s.explain} {ontoggle}
            export={Some(props.export.clone())} tested_last={true}
            note={Some(AttrValue::from(t!("explain.generate_note").into_owned()))} />
    }
}
