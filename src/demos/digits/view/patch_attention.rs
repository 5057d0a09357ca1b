//! An 8×8 digit as the model reads it (grey levels 0–16), optionally with a weight per 2×2 patch
//! laid over it: the [CLS] token's attention, or the attention rollout.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, State};
use crate::demos::digits::{GRID, PATCH, PIXEL_MAX, SIDE};

#[derive(Properties, PartialEq)]
pub struct PatchAttentionProps {
    /// 64 values, 0–16, row-major.
    pub pixels: Rc<Vec<f32>>,
    /// 16 weights, one per patch (row-major over the 4×4 grid); none: the image alone.
    #[prop_or_default]
    pub weights: Option<Rc<Vec<f32>>>,
    /// Shown under the image.
    pub label: AttrValue,
    /// Print each pixel's value (large views) or each patch's weight.
    #[prop_or_default]
    pub show_values: bool,
    #[prop_or_default]
    pub selected: bool,
    /// Shown as a button that selects this (layer, head): a value, not a callback, so that an
    /// unchanged view is not drawn again when the page re-renders.
    #[prop_or_default]
    pub select: Option<Select>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// The layer and head a view selects when clicked (`None`: the average of the heads).
#[derive(Clone, PartialEq)]
pub struct Select {
    pub layer: usize,
    pub head: Option<usize>,
    pub dispatch: UseReducerDispatcher<State>,
}

const CELL: f32 = 10.0;

#[component]
pub fn PatchAttention(props: &PatchAttentionProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let side = CELL * SIDE as f32;
    let max = props
        .weights
        .as_ref()
        .map(|w| w.iter().copied().fold(0.0f32, f32::max).max(1e-6))
        .unwrap_or(1.0);
    let pixels = (0..SIDE * SIDE).map(|i| {
        let v = props.pixels.get(i).copied().unwrap_or(0.0);
        // ink dark on white, like the drawing
        let level = 255.0 - (v / PIXEL_MAX).clamp(0.0, 1.0) * 235.0;
        let (r, c) = (i / SIDE, i % SIDE);
        html! {
            <rect x={(c as f32 * CELL).to_string()} y={(r as f32 * CELL).to_string()}
                width={CELL.to_string()} height={CELL.to_string()}
                fill={format!("rgb({level:.0},{level:.0},{level:.0})")} />
        }
    });
    let patch = CELL * PATCH as f32;
    let overlay = props.weights.as_ref().map(|w| {
        html! {
            <g class="dg-overlay">
                { for w.iter().enumerate().map(|(p, &v)| {
                    let (r, c) = (p / GRID, p % GRID);
                    html! {
                        <rect class="dg-patch" data-testid="patch" data-patch={p.to_string()} data-weight={format!("{v}")}
                            x={(c as f32 * patch).to_string()} y={(r as f32 * patch).to_string()}
                            width={patch.to_string()} height={patch.to_string()}
                            fill-opacity={format!("{:.3}", (v / max).clamp(0.0, 1.0) * 0.65)}>
                            <title>{ t!("digits.patch.title", patch = p + 1, row = r + 1, col = c + 1, pct = format!("{:.1}", v * 100.0)) }</title>
                        </rect>
                    }
                }) }
            </g>
        }
    });
    let values = props.show_values.then(|| match &props.weights {
        Some(w) => html! {
            { for w.iter().enumerate().map(|(p, &v)| {
                let (r, c) = (p / GRID, p % GRID);
                html! { <text class="dg-value" x={(c as f32 * patch + patch / 2.0).to_string()} y={(r as f32 * patch + patch / 2.0 + 2.0).to_string()}>
                    { format!("{:.0}", v * 100.0) }</text> }
            }) }
        },
        None => html! {
            { for (0..SIDE * SIDE).map(|i| {
                let v = props.pixels.get(i).copied().unwrap_or(0.0);
                let (r, c) = (i / SIDE, i % SIDE);
                html! { <text class={classes!("dg-value", (v > 8.0).then_some("light"))} x={(c as f32 * CELL + CELL / 2.0).to_string()}
                    y={(r as f32 * CELL + CELL / 2.0 + 1.6).to_string()}>{ format!("{v:.0}") }</text> }
            }) }
        },
    });
    let grid = (1..GRID).map(|k| {
        let at = (k as f32 * patch).to_string();
        html! { <>
            <line class="dg-grid" x1={at.clone()} x2={at.clone()} y1="0" y2={side.to_string()} />
            <line class="dg-grid" y1={at.clone()} y2={at} x1="0" x2={side.to_string()} />
        </> }
    });
    let svg = html! {
        <svg viewBox={format!("0 0 {side} {side}")} role="img"
            aria-label={if props.weights.is_some() { t!("digits.patch.image_weights", label = props.label) } else { t!("digits.patch.image", label = props.label) }}>
            { for pixels }
            { overlay.unwrap_or_default() }
            { for grid }
            { values.unwrap_or_default() }
        </svg>
    };
    let testid = props.testid.clone().unwrap_or_else(|| "patch-view".into());
    match props.select.clone() {
        Some(Select {
            layer,
            head,
            dispatch,
        }) => html! {
            <button type="button" class={classes!("dg-view", props.selected.then_some("current"))} data-testid={testid}
                aria-pressed={props.selected.to_string()} onclick={Callback::from(move |_| dispatch.dispatch(Action::Select(layer, head)))}>
                { svg }<span>{ props.label.clone() }</span>
            </button>
        },
        None => html! {
            <figure class="dg-view" data-testid={testid}>{ svg }<figcaption>{ props.label.clone() }</figcaption></figure>
        },
    }
}
