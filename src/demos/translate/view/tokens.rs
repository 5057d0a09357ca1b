//! The two token strips, English above and French below, and the translation so far. Hovering
//! a French token tints the English tokens by how much that step attended to each; hovering
//! an English token tints the French tokens by how much each step attended to it (the layer and
//! head on screen, or their average).

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Hover, Source};
use crate::demos::translate::{average, detokenize, display_token, starts_word, Decoding, View};
use crate::ui::components::heatmap::{color, ColorScale};

pub struct TokenStripsProps {
    pub source: Rc<Source>,
    pub decoding: Rc<Decoding>,
    /// Steps shown.
    pub shown: usize,
    pub view: View,
    /// The English tokens.
    pub src_tokens: Rc<Vec<String>>,
    /// The French token chosen at each step shown.
    pub out_tokens: Rc<Vec<String>>,
    pub hover: Option<Hover>,
    pub onhover: Callback<Option<Hover>>,
}

/// A strip of token chips; each chip is tinted by `weights` (if any) and reports hovers as
/// `make(index)`.
fn chips(
    tokens: &[String],
    weights: Option<&[f32]>,
    testid: &'static str,
    make: fn(usize) -> Hover,
    hovered: Option<usize>,
    current: Option<usize>,
    onhover: &Callback<Option<Hover>>,
) -> Html {
    let max = weights
        .map(|w| w.iter().copied().fold(0.0_f32, f32::max))
        .filter(|m| *m > 0.0);
    html! {
        { for tokens.iter().enumerate().map(|(i, t)| {
            let w = weights.and_then(|w| w.get(i).copied());
            let style = match (w, max) {
                (Some(w), Some(m)) => format!("background:{};color:{}", color(ColorScale::Weights, w / m, 1.0), if w / m > 0.5 { "#fff" } else { "#111" }),
                _ => String::new(),
            };
            let point = { let cb = onhover.clone(); Callback::from(move |_: MouseEvent| cb.emit(Some(make(i)))) };
            let leave = { let cb = onhover.clone(); Callback::from(move |_: MouseEvent| cb.emit(None)) };
            let title = match w { Some(w) => t!("translate.chip_title", token = t, weight = format!("{w:.3}")).into_owned(), None => t.clone() };
            html! {
                <li class={classes!("tr-chip", starts_word(t).then_some("tr-word"), (hovered == Some(i)).then_some("tr-hovered"), (current == Some(i)).then_some("tr-current-chip"))}
                    data-testid={testid} data-index={i.to_string()} data-weight={w.map(|w| format!("{w:.4}"))}
                    style={style} title={title} onmouseenter={point.clone()} onmouseleave={leave} onclick={point} dir="auto">
                    { display_token(t) }
                </li>
            }
        }) }
    }
}

pub fn token_strips(props: &TokenStripsProps) -> Html {
    let (shown, view) = (props.shown, props.view);
    // Where step `i` looked in the English sentence.
    let cross_row = |i: usize| -> Option<Vec<f32>> {
        let st = props.decoding.steps().get(i)?;
        let heads = st.cross_rows.get(view.layer)?;
        match view.head {
            Some(h) => heads.get(h).cloned(),
            None => average(heads),
        }
    };
    let (src_weights, tgt_weights): (Option<Vec<f32>>, Option<Vec<f32>>) = match props.hover {
        Some(Hover::Target(i)) if i < shown => (cross_row(i), None),
        Some(Hover::Source(j)) => (
            None,
            Some(
                (0..shown)
                    .map(|i| cross_row(i).and_then(|r| r.get(j).copied()).unwrap_or(0.0))
                    .collect(),
            ),
        ),
        _ => (None, None),
    };
    let (hovered_src, hovered_tgt) = match props.hover {
        Some(Hover::Source(j)) => (Some(j), None),
        Some(Hover::Target(i)) => (None, Some(i)),
        None => (None, None),
    };
    let translation = detokenize(props.out_tokens.as_slice());
    html! {
        <section class="tr-tokens" aria-label={t!("translate.tokens_label")}>
            <div class="tr-strip">
                <span class="tr-strip-label">{ t!("translate.english") }</span>
                <ol class="tr-chips" data-testid="source-tokens" aria-label={t!("translate.source_tokens")} lang="en">
                    { chips(&props.src_tokens, src_weights.as_deref(), "src-token", Hover::Source, hovered_src, None, &props.onhover) }
                </ol>
            </div>
            <div class="tr-strip">
                <span class="tr-strip-label">{ t!("translate.french") }</span>
                <ol class="tr-chips" data-testid="target-tokens" aria-label={t!("translate.target_tokens")} lang="fr">
                    { chips(&props.out_tokens, tgt_weights.as_deref(), "tgt-token", Hover::Target, hovered_tgt, shown.checked_sub(1), &props.onhover) }
                    if shown == 0 { <li class="tr-chip tr-empty">{ "…" }</li> }
                </ol>
            </div>
            <p class="tr-translation" data-testid="translation" dir="auto" lang="fr" data-source={props.source.text.clone()}>{ translation }</p>
            <p class="hint">{ t!("translate.hover_hint") }</p>
        </section>
    }
}
