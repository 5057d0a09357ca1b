//! Renders where [CLS] looks: a small view per layer and head (and each layer's head average), the
//! one chosen drawn large, and the attention rollout beside it.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::patch_attention::{PatchAttention, Select};
use super::state::{Outcome, State};

pub struct ClsAttentionProps {
    pub outcome: Outcome,
    pub layer: usize,
    /// `None`: the average of the heads.
    pub head: Option<usize>,
    pub dispatch: UseReducerDispatcher<State>,
}

fn head_name(head: Option<usize>, heads: usize) -> String {
    match head {
        Some(h) => t!("digits.head_n", n = h + 1).into_owned(),
        None => t!("digits.head_average_of", n = heads).into_owned(),
    }
}

pub fn cls_attention(props: &ClsAttentionProps) -> Html {
    let o = &props.outcome;
    let (layer, head) = (props.layer, props.head);
    html! { <>
        <h3>{ t!("digits.output.where_cls_looks") }</h3>
        <div class="dg-grid-views">
            { for o.layers.iter().enumerate().map(|(l, weights)| html! {
                <div class="dg-row">
                    <span class="dg-row-label">{ t!("digits.layer_n", n = l + 1) }</span>
                    { for std::iter::once(None).chain((0..weights.heads).map(Some)).map(|h| {
                        let select = Select { layer: l, head: h, dispatch: props.dispatch.clone() };
                        let selected = layer == l && head == h;
                        let label = match h { Some(h) => t!("digits.head_short", n = h + 1), None => t!("digits.average") };
                        html! { <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(weights.cls_to_patches(h))}
                            label={t!("digits.output.head_view", head = label, pct = format!("{:.0}", weights.cls_to_cls(h) * 100.0)).into_owned()} selected={selected} testid="head-view"
                            select={select} /> }
                    }) }
                </div>
            }) }
        </div>
        <div class="dg-big">
            if let Some(weights) = o.layers.get(layer) {
                <PatchAttention pixels={o.pixels.clone()} weights={Rc::new(weights.cls_to_patches(head))} show_values=true
                    testid="selected-view"
                    label={t!("digits.output.selected", layer = layer + 1, head = head_name(head, weights.heads),
                        pct = format!("{:.0}", weights.cls_to_cls(head) * 100.0)).into_owned()} />
            }
            <PatchAttention pixels={o.pixels.clone()} weights={o.rollout.clone()} show_values=true testid="rollout-view"
                label={t!("digits.output.rollout", pct = format!("{:.0}", o.rollout.iter().sum::<f32>() * 100.0)).into_owned()} />
        </div>
    </> }
}
