//! The step's three panels: the cross-attention (alignment) of every French token shown over
//! the English tokens, the five most likely next tokens of the step just shown, and the
//! decoder's causal self-attention over its own prefix.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::attention_grid::{AttentionGrid, GridHover};
use super::state::{token_label, Hover};
use super::top_candidates::{top_candidates, TopCandidatesProps};
use crate::demos::translate::{display_token, Decoding, View};
use crate::export::ExportContext;
use crate::maths::Matrix;

#[derive(PartialEq, Properties)]
pub struct AttentionPanelsProps {
    pub decoding: Rc<Decoding>,
    /// Steps shown.
    pub shown: usize,
    pub view: View,
    /// The cross-attention of the steps shown (none before the first step).
    pub cross: Option<Rc<Matrix>>,
    pub src_tokens: Rc<Vec<String>>,
    pub out_tokens: Rc<Vec<String>>,
    pub vocab: Option<Rc<Vec<String>>>,
    pub hover: Option<Hover>,
    pub onhover: Callback<Option<Hover>>,
    /// "layer 3, head 2", in English: the grids' stable names.
    pub view_id: String,
    /// The same in the reader's language.
    pub view_name: String,
    pub export: Rc<ExportContext>,
}

#[component]
pub fn AttentionPanels(props: &AttentionPanelsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let shown = props.shown;
    let (view_id, view_name) = (&props.view_id, &props.view_name);
    let current_step = shown
        .checked_sub(1)
        .and_then(|i| props.decoding.steps().get(i));
    let self_matrix = (shown > 0)
        .then(|| props.decoding.self_matrix(shown, props.view))
        .flatten()
        .map(Rc::new);
    // The decoder's input at the last step shown: `<s>` and the tokens chosen before it.
    let prefix_tokens: Rc<Vec<String>> = Rc::new(
        std::iter::once("<s>".to_owned())
            .chain(
                props
                    .out_tokens
                    .iter()
                    .take(shown.saturating_sub(1))
                    .cloned(),
            )
            .collect(),
    );
    let grid_hover = match props.hover {
        Some(Hover::Target(i)) => Some(GridHover::Row(i)),
        Some(Hover::Source(j)) => Some(GridHover::Col(j)),
        None => None,
    };
    let on_grid_hover = {
        let onhover = props.onhover.clone();
        Callback::from(move |h: Option<GridHover>| {
            onhover.emit(h.map(|h| match h {
                GridHover::Row(i) => Hover::Target(i),
                GridHover::Col(j) => Hover::Source(j),
            }))
        })
    };
    let vocab = props.vocab.as_ref();
    html! {
        <div class="tr-panels">
            <div class="tr-panel tr-panel-wide">
                if let Some(m) = &props.cross {
                    <AttentionGrid name={format!("Cross-attention, {view_id}")} label={Some(AttrValue::from(t!("translate.cross_name", view = view_name).into_owned()))} kind="cross" matrix={m.clone()} rows={props.out_tokens.clone()} cols={props.src_tokens.clone()}
                        hover={grid_hover} current_row={shown.checked_sub(1)} onhover={on_grid_hover} export={Some(props.export.clone())}
                        caption={t!("translate.cross_caption")} />
                } else {
                    <p class="hint" data-testid="no-steps">{ t!("translate.no_steps") }</p>
                }
            </div>
            if let Some(st) = current_step {
                <div class="tr-panel">
                    { top_candidates(&TopCandidatesProps { candidates: st.top.clone(), step: shown, chosen: st.chosen,
                        labels: st.top.iter().map(|c| display_token(&token_label(vocab, c.id))).collect() }) }
                </div>
            }
            if let Some(m) = &self_matrix {
                <div class="tr-panel">
                    <AttentionGrid name={format!("Decoder self-attention, {view_id}")} label={Some(AttrValue::from(t!("translate.self_name", view = view_name).into_owned()))} kind="self" matrix={m.clone()} rows={prefix_tokens.clone()} cols={prefix_tokens}
                        causal=true current_row={shown.checked_sub(1)} export={Some(props.export.clone())}
                        caption={t!("translate.self_caption")} />
                </div>
            }
        </div>
    }
}
