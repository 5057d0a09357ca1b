//! The text: the prompt's tokens and the generated ones (up to the step shown), each a token
//! one can hover to follow it in the attention; why generation stopped; the window note.

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, GenState};
use crate::demos::generate::text::{decode, label};
use crate::demos::generate::Stop;

/// A token id's label (its text with visible white space).
pub fn token_label(vocab: Option<&std::rc::Rc<Vec<String>>>, id: u32) -> String {
    vocab
        .and_then(|v| v.get(id as usize))
        .map_or_else(|| format!("#{id}"), |t| label(t))
}

/// The text of a run of ids.
pub fn ids_text(vocab: Option<&std::rc::Rc<Vec<String>>>, ids: &[u32]) -> String {
    let Some(v) = vocab else { return String::new() };
    let toks: Vec<&str> = ids
        .iter()
        .filter_map(|&i| v.get(i as usize))
        .map(String::as_str)
        .collect();
    decode(&toks)
}

pub fn output(s: &GenState, dispatch: &UseReducerDispatcher<GenState>) -> Html {
    let Some(g) = &s.generation else {
        return html! {};
    };
    let vocab = s.vocab.as_ref();
    let end = g.prompt_len + s.shown;
    let hover = |i: Option<usize>| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Hover(i)))
    };
    let text = ids_text(vocab, &g.ids[g.prompt_len..end.min(g.ids.len())]);
    let stop = (s.shown == g.choices.len()).then_some(g.stop).flatten();
    html! {
        <section class="gen-output" aria-label={t!("generate.output")}>
            <h2>{ t!("generate.output") }</h2>
            <p class="gen-text" data-testid="generated-text" lang="en">
                <span class="muted">{ ids_text(vocab, &g.ids[..g.prompt_len]) }</span>
                <strong>{ text }</strong>
            </p>
            <div class="gen-tokens" data-testid="tokens" role="list" aria-label={t!("generate.tokens")} onmouseleave={hover(None)}>
                { for g.ids[..end.min(g.ids.len())].iter().enumerate().map(|(i, &id)| html! {
                    <span role="listitem" data-testid="token" data-id={id.to_string()} data-new={(i >= g.prompt_len).to_string()} class={classes!("gen-token", (i >= g.prompt_len).then_some("new"), (s.hover == Some(i)).then_some("hover"))}
                        title={format!("#{id} · {}", t!("generate.position", pos = i))} onmouseenter={hover(Some(i))}>{ token_label(vocab, id) }</span>
                }) }
            </div>
            <p class="muted" data-testid="step-count" data-shown={s.shown.to_string()} data-total={g.choices.len().to_string()} data-busy={s.busy.to_string()}>{ t!("generate.shown", shown = s.shown, total = g.choices.len()) }</p>
            if g.dropped_prompt > 0 {
                <p class="note" data-testid="window-note" role="status">{ t!("generate.window_note", dropped = g.dropped_prompt, context = g.dims.context) }</p>
            }
            if g.slid() > 0 && s.shown == g.choices.len() {
                <p class="note" data-testid="slide-note">{ t!("generate.slide_note", slid = g.slid(), context = g.dims.context) }</p>
            }
            { match stop {
                Some(Stop::EndToken) => html! { <p class="note" data-testid="stop-reason" data-stop="end">{ t!("generate.stop_end") }</p> },
                Some(Stop::Cap) => html! { <p class="note" data-testid="stop-reason" data-stop="cap">{ t!("generate.stop_cap", cap = g.dims.max_new_tokens) }</p> },
                None => html! {},
            } }
        </section>
    }
}
