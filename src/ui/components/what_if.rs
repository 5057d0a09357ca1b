//! "What if…?": the current head's weights recomputed from the model's raw scores with the
//! recipe changed, beside the model's real weights, with statistics of both. A banner says
//! whenever the display has left the model's real computation.

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::heatmap::{ColorScale, Heatmap};
use super::scroll_box;
use crate::export::ExportContext;
use crate::maths::{
    attention_distance, mean, row_entropy, scores_from_weights, top_k_mass, what_if_weights,
    MaskChoice, Matrix, Selection, Walkthrough, WhatIf,
};

/// One head's attention, as the what-if panel needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfSource {
    /// Raw scores `QKᵀ` (or scores recovered from the weights, see [`scores_from_weights`]).
    pub scores: Matrix,
    /// The model's additive mask (0 or −∞).
    pub model_mask: Matrix,
    pub d_k: usize,
    /// The model's real weights.
    pub real: Matrix,
    /// This head's V, to show how far weights · V moves; `None` when the model does not export it.
    pub value: Option<Matrix>,
    pub rows: Rc<Vec<String>>,
    pub cols: Rc<Vec<String>>,
    /// 0-based, as the pickers count.
    pub layer: usize,
    pub head: usize,
    /// What the model's own mask is, for the mask picker.
    pub mask_label: String,
    /// Whether the scores were recovered from the weights (said under the panel).
    pub from_weights: bool,
}

impl WhatIfSource {
    /// The walkthrough's layer and head, from the model's real scores, mask and V.
    pub fn from_walkthrough(w: &Walkthrough, layer: usize, head: usize) -> Option<Self> {
        let (rec, ours) = (w.record.layers.get(layer)?, w.layers.get(layer)?);
        let d_k = rec.params.d_k();
        let tokens = Rc::new(w.record.tokens.clone());
        Some(Self {
            scores: rec.scores.get(head)?.clone(),
            model_mask: ours.mask.clone(),
            d_k,
            real: rec.weights.get(head)?.clone(),
            value: Some(rec.value.columns(head * d_k, (head + 1) * d_k)),
            rows: tokens.clone(),
            cols: tokens,
            layer,
            head,
            mask_label: t!("whatif.mask_model_padding").into_owned(),
            from_weights: false,
        })
    }

    /// A head of a model that exports only its weights (`rows × cols`, each row a softmax).
    /// `mask_label` says what the model masks (e.g. "the model's (causal)").
    pub fn from_weights(
        weights: Matrix,
        d_k: usize,
        (rows, cols): (Rc<Vec<String>>, Rc<Vec<String>>),
        (layer, head): (usize, usize),
        mask_label: &str,
    ) -> Self {
        let (scores, model_mask) = scores_from_weights(&weights, d_k);
        Self {
            scores,
            model_mask,
            d_k,
            real: weights,
            value: None,
            rows,
            cols,
            layer,
            head,
            mask_label: mask_label.to_owned(),
            from_weights: true,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct WhatIfProps {
    pub source: Rc<WhatIfSource>,
    pub whatif: WhatIf,
    pub onchange: Callback<WhatIf>,
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
}

fn target_value<T: JsCast>(e: &Event, read: impl Fn(&T) -> String) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<T>().ok())
        .map(|el| read(&el))
}

fn input_value(e: &Event) -> Option<String> {
    target_value::<web_sys::HtmlInputElement>(e, |i| i.value())
}

fn select_value(e: &Event) -> Option<String> {
    target_value::<web_sys::HtmlSelectElement>(e, |s| s.value())
}

/// Row statistics of one weight matrix, averaged over rows.
fn summary(weights: &Matrix) -> (f32, f32, f32) {
    (
        mean(&row_entropy(weights)),
        mean(&top_k_mass(weights, 1)),
        mean(&attention_distance(weights)),
    )
}

#[component]
pub fn WhatIfPanel(props: &WhatIfProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let src = &props.source;
    let (scores, real, d_k) = (&src.scores, &src.real, src.d_k);
    let (n, m) = scores.shape();
    let wi = props.whatif.clone();
    let changed = what_if_weights(scores, &src.model_mask, d_k, &wi);
    let context_shift =
        src.value
            .as_ref()
            .and_then(|v| match (real.matmul(v), changed.matmul(v)) {
                (Ok(a), Ok(b)) => Some(a.max_abs_diff(&b)),
                _ => None,
            });

    let update = |f: fn(&mut WhatIf, String)| {
        let (wi, cb) = (wi.clone(), props.onchange.clone());
        move |v: Option<String>| {
            if let Some(v) = v {
                let mut next = wi.clone();
                f(&mut next, v);
                cb.emit(next);
            }
        }
    };
    let on_scale = {
        let set = update(|w, v| w.scale = v == "true");
        Callback::from(move |e: Event| {
            set(target_value::<web_sys::HtmlInputElement>(&e, |i| {
                i.checked().to_string()
            }))
        })
    };
    let on_temp = {
        let set = update(|w, v| {
            if let Ok(t) = v.parse::<f32>() {
                w.temperature = (t.clamp(0.1, 5.0) * 10.0).round() / 10.0;
            }
        });
        Callback::from(move |e: InputEvent| set(input_value(&e)))
    };
    let on_selection = {
        let set = update(|w, v| {
            w.selection = match v.as_str() {
                "argmax" => Selection::Argmax,
                "topk" => Selection::TopK(2),
                "threshold" => Selection::Threshold(0.1),
                _ => Selection::Soft,
            }
        });
        Callback::from(move |e: Event| set(select_value(&e)))
    };
    let on_param = {
        let set = update(|w, v| match w.selection {
            Selection::TopK(_) => {
                if let Ok(k) = v.parse::<usize>() {
                    w.selection = Selection::TopK(k.clamp(1, 512));
                }
            }
            Selection::Threshold(_) => {
                if let Ok(p) = v.parse::<f32>() {
                    w.selection = Selection::Threshold(p.clamp(0.0, 1.0));
                }
            }
            _ => {}
        });
        Callback::from(move |e: InputEvent| set(input_value(&e)))
    };
    let model_hidden: Vec<bool> = (0..n * m)
        .map(|k| src.model_mask.data().get(k).is_some_and(|v| !v.is_finite()))
        .collect();
    let on_mask = {
        let (wi, cb, model_hidden) = (wi.clone(), props.onchange.clone(), model_hidden.clone());
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                let mut next = wi.clone();
                next.mask = match v.as_str() {
                    "none" => MaskChoice::None,
                    "causal" => MaskChoice::Causal,
                    // Start from the model's own mask; clicks then hide or show cells.
                    "custom" => MaskChoice::Custom(model_hidden.clone()),
                    _ => MaskChoice::Model,
                };
                cb.emit(next);
            }
        })
    };
    let on_paint = match &wi.mask {
        MaskChoice::Custom(cells) => {
            let (wi, cb, cells) = (wi.clone(), props.onchange.clone(), cells.clone());
            Some(Callback::from(move |(i, j): (usize, usize)| {
                let mut cells = cells.clone();
                cells.resize(n * m, false);
                if let Some(c) = cells.get_mut(i * m + j) {
                    *c = !*c;
                }
                let mut next = wi.clone();
                next.mask = MaskChoice::Custom(cells);
                cb.emit(next);
            }))
        }
        _ => None,
    };
    let on_reset = {
        let cb = props.onchange.clone();
        Callback::from(move |_| cb.emit(WhatIf::default()))
    };

    let (sel_id, param) = match wi.selection {
        Selection::Soft => ("soft", None),
        Selection::Argmax => ("argmax", None),
        Selection::TopK(k) => (
            "topk",
            Some(("k", k.to_string(), "1", "1", m.max(1).to_string())),
        ),
        Selection::Threshold(p) => (
            "threshold",
            Some(("p", p.to_string(), "0.05", "0", "1".into())),
        ),
    };
    let mask_id = match wi.mask {
        MaskChoice::Model => "model",
        MaskChoice::None => "none",
        MaskChoice::Causal => "causal",
        MaskChoice::Custom(_) => "custom",
    };
    let (h, l) = (src.head + 1, src.layer + 1);
    let (rows, cols) = (src.rows.clone(), src.cols.clone());
    let real_stats = summary(real);
    let new_stats = summary(&changed);
    let stat_row = |name: &str, a: f32, b: f32| {
        html! { <tr><th scope="row">{ name }</th><td>{ format!("{a:.3}") }</td><td>{ format!("{b:.3}") }</td></tr> }
    };
    let base = props.export.as_deref().cloned().unwrap_or_default();
    let ctx = Rc::new(ExportContext {
        step: Some("what-if".into()),
        layer: Some(l),
        head: Some(h),
        ..base
    });

    html! {
        <section class="whatif" data-testid="whatif" aria-labelledby="whatif-title" data-model={wi.is_model().to_string()}>
            <h3 id="whatif-title">{ t!("whatif.title", layer = l, head = h) }</h3>
            <div class="whatif-controls">
                <label><input type="checkbox" data-testid="whatif-scale" checked={wi.scale} onchange={on_scale} />{ " " }{ t!("whatif.divide") }</label>
                <label>{ t!("whatif.temperature") }{ " " }
                    <input type="range" data-testid="whatif-temperature" min="0.1" max="5" step="0.1"
                        value={wi.temperature.to_string()} oninput={on_temp} aria-valuetext={wi.temperature.to_string()} />
                    <output>{ format!(" {:.1}", wi.temperature) }</output>
                </label>
                <label>{ t!("whatif.attention") }{ " " }
                    <select data-testid="whatif-selection" onchange={on_selection}>
                        <option value="soft" selected={sel_id == "soft"}>{ t!("whatif.soft") }</option>
                        <option value="argmax" selected={sel_id == "argmax"}>{ t!("whatif.argmax") }</option>
                        <option value="topk" selected={sel_id == "topk"}>{ t!("whatif.topk") }</option>
                        <option value="threshold" selected={sel_id == "threshold"}>{ t!("whatif.threshold") }</option>
                    </select>
                </label>
                if let Some((name, v, step, min, max)) = param {
                    <label>{ format!("{name} ") }
                        <input type="number" data-testid="whatif-param" value={v} {step} {min} {max} oninput={on_param} />
                    </label>
                }
                <label>{ t!("whatif.mask") }{ " " }
                    <select data-testid="whatif-mask" onchange={on_mask}>
                        <option value="model" selected={mask_id == "model"}>{ src.mask_label.clone() }</option>
                        <option value="none" selected={mask_id == "none"}>{ t!("whatif.mask_none") }</option>
                        <option value="causal" selected={mask_id == "causal"}>{ t!("whatif.mask_causal") }</option>
                        <option value="custom" selected={mask_id == "custom"}>{ t!("whatif.mask_custom") }</option>
                    </select>
                </label>
                <button type="button" data-testid="whatif-reset" onclick={on_reset} disabled={wi.is_model()}>{ t!("whatif.reset") }</button>
            </div>
            if wi.is_model() {
                <p class="muted" data-testid="whatif-state">{ t!("whatif.same") }</p>
            } else {
                <p class="whatif-banner" data-testid="whatif-banner" role="status">
                    { t!("whatif.banner", changes = wi.changes().join(&t!("whatif.changes_sep"))) }
                </p>
            }
            if matches!(wi.mask, MaskChoice::Custom(_)) {
                <p class="hint">{ t!("whatif.paint_hint") }</p>
            }
            <div class="matrices">
                <Heatmap name={format!("real weights head {h}")} label={Some(AttrValue::from(t!("whatif.real_weights", head = h).into_owned()))}
                    matrix={Rc::new(real.clone())} rows={rows.clone()}
                    cols={Some(cols.clone())} scale={ColorScale::Weights} export={Some(ctx.clone())} caption={t!("whatif.the_model").into_owned()} />
                <Heatmap name={format!("what-if weights head {h}")} label={Some(AttrValue::from(t!("whatif.whatif_weights", head = h).into_owned()))}
                    matrix={Rc::new(changed)} rows={rows}
                    cols={Some(cols)} scale={ColorScale::Weights} onselect={on_paint} export={Some(ctx)}
                    key_hint={Some(AttrValue::from(t!("whatif.paint_keys").into_owned()))}
                    caption={if wi.is_model() { t!("whatif.same_recipe").into_owned() } else { t!("whatif.your_recipe").into_owned() }} />
                <div class="whatif-stats">
                    <table data-testid="whatif-stats">
                        <caption>{ t!("whatif.per_query") }</caption>
                        <thead><tr><th></th><th scope="col">{ t!("whatif.col_model") }</th><th scope="col">{ t!("whatif.col_whatif") }</th></tr></thead>
                        <tbody>
                            { stat_row(&t!("whatif.entropy_nats"), real_stats.0, new_stats.0) }
                            { stat_row(&t!("whatif.top1"), real_stats.1, new_stats.1) }
                            { stat_row(&t!("whatif.distance_tokens"), real_stats.2, new_stats.2) }
                        </tbody>
                    </table>
                    if let Some(shift) = context_shift {
                        <p class="muted" data-testid="whatif-shift" data-value={shift.to_string()}>
                            { t!("whatif.shift", shift = format!("{shift:.3}")) }</p>
                    }
                </div>
            </div>
            if src.from_weights {
                <p class="muted" data-testid="whatif-from-weights">{ t!("whatif.from_weights") }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct LayerAnalysisProps {
    pub walkthrough: Rc<Walkthrough>,
}

/// How attention changes across layers: entropy, top-1 mass and distance per layer and head.
#[component]
pub fn LayerAnalysis(props: &LayerAnalysisProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let layers = &props.walkthrough.record.layers;
    html! {
        <section class="analysis" data-testid="analysis">
            <h3>{ t!("whatif.across_layers") }</h3>
            <p class="muted">{ t!("whatif.across_layers_text") }</p>
            { scroll_box("matrix-table-scroll", t!("whatif.across_layers"), html! {
                <table class="matrix-table" data-testid="analysis-table">
                    <thead><tr><th scope="col">{ t!("whatif.col_layer") }</th><th scope="col">{ t!("whatif.col_head") }</th><th scope="col">{ t!("whatif.col_entropy") }</th><th scope="col">{ t!("whatif.top1") }</th><th scope="col">{ t!("whatif.col_distance") }</th></tr></thead>
                    <tbody>
                        { for layers.iter().enumerate().flat_map(|(l, layer)| layer.weights.iter().enumerate().map(move |(h, w)| {
                            let (e, t, d) = summary(w);
                            html! { <tr><th scope="row">{ l + 1 }</th><td>{ h + 1 }</td><td>{ format!("{e:.3}") }</td><td>{ format!("{t:.3}") }</td><td>{ format!("{d:.2}") }</td></tr> }
                        })) }
                    </tbody>
                </table>
            }) }
        </section>
    }
}
