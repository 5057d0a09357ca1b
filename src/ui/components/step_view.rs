//! The body of one step: its formula, its words and the model's matrices for it.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::heatmap::{format_value, ColorScale, Heatmap};
use super::qk_breakdown::QkBreakdown;
use super::scroll_box;
use crate::export::ExportContext;
use crate::maths::{dot_breakdown, Matrix, Walkthrough};
use crate::steps::Step;

#[derive(Properties, PartialEq)]
pub struct StepViewProps {
    pub walkthrough: Rc<Walkthrough>,
    pub step: Step,
    pub layer: usize,
    pub head: usize,
    pub selected: Option<(usize, usize)>,
    pub onselect: Callback<Option<(usize, usize)>>,
    pub onhead: Callback<usize>,
    /// Model, demo and input for exported files; the step, layer and head are filled in here.
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
}

/// What one head of one layer looks like, from the model's own outputs.
struct HeadView {
    query: Matrix,
    key: Matrix,
    value: Matrix,
    scores: Matrix,
    scaled: Matrix,
    masked: Matrix,
    weights: Matrix,
    context: Matrix,
}

fn head_view(w: &Walkthrough, layer: usize, head: usize) -> Option<HeadView> {
    let rec = w.record.layers.get(layer)?;
    let ours = w.layers.get(layer)?;
    let d_k = rec.params.d_k();
    let (start, end) = (head * d_k, (head + 1) * d_k);
    let scores = rec.scores.get(head)?.clone();
    let scaled = scores.map(|s| s / (d_k as f32).sqrt());
    let masked = scaled.add(&ours.mask).ok()?;
    Some(HeadView {
        query: rec.query.columns(start, end),
        key: rec.key.columns(start, end),
        value: rec.value.columns(start, end),
        scores,
        scaled,
        masked,
        weights: rec.weights.get(head)?.clone(),
        context: rec.context.columns(start, end),
    })
}

#[component]
pub fn StepView(props: &StepViewProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let show_weights = use_state(|| false);
    let w = &props.walkthrough;
    let rec = &w.record;
    let tokens = Rc::new(rec.tokens.clone());
    let layer = props.layer.min(rec.layers.len().saturating_sub(1));
    let Some(layer_rec) = rec.layers.get(layer) else {
        return html! { <p class="error" data-testid="error">{ t!("step.no_layers") }</p> };
    };
    let n_heads = layer_rec.scores.len();
    let head = props.head.min(n_heads.saturating_sub(1));
    let d_k = layer_rec.params.d_k();
    let d_model = layer_rec.params.d_model();
    let n = rec.seq_len();
    let Some(hv) = head_view(w, layer, head) else {
        return html! { <p class="error" data-testid="error">{ t!("step.bad_shape") }</p> };
    };
    let select = {
        let cb = props.onselect.clone();
        Callback::from(move |cell| cb.emit(Some(cell)))
    };
    let base = props.export.as_deref().cloned().unwrap_or_default();
    let layer_ctx = Rc::new(ExportContext {
        step: Some(props.step.id().to_owned()),
        layer: (props.step.index() >= Step::Qkv.index()).then_some(layer + 1),
        ..base
    });
    let head_ctx = Rc::new(ExportContext {
        head: Some(head + 1),
        ..(*layer_ctx).clone()
    });
    // Each matrix has a stable name (tests, file names) and a label in the reader's language.
    let shown = |label: String| Some(AttrValue::from(label));
    let heat = |(name, label): (String, String), m: &Matrix, scale: ColorScale, caption: String| {
        html! { <Heatmap name={name} label={shown(label)} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={scale} caption={caption} export={Some(layer_ctx.clone())} /> }
    };
    let heat_grouped = |(name, label): (String, String), m: &Matrix, caption: String| {
        html! { <Heatmap name={name} label={shown(label)} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={ColorScale::Signed} group={d_k} caption={caption} export={Some(layer_ctx.clone())} /> }
    };
    let dismiss = {
        let cb = props.onselect.clone();
        Callback::from(move |()| cb.emit(None))
    };
    let key_hint = Some(AttrValue::from(t!("step.qk_keys").into_owned()));
    let square = |(name, label): (String, String),
                  m: &Matrix,
                  scale: ColorScale,
                  notes: Option<Rc<Vec<String>>>| {
        html! {
            <Heatmap name={name} label={shown(label)} matrix={Rc::new(m.clone())} rows={tokens.clone()} cols={Some(tokens.clone())}
                scale={scale} selected={props.selected} onselect={Some(select.clone())} ondismiss={Some(dismiss.clone())}
                key_hint={key_hint.clone()} row_notes={notes} export={Some(head_ctx.clone())} />
        }
    };
    let l = layer + 1;
    let h = head + 1;
    let all_heads = |what: &str,
                     shown_what: &str,
                     pick: &dyn Fn(usize) -> Option<Matrix>,
                     scale: ColorScale| {
        let thumbs = (0..n_heads).filter_map(|k| pick(k).map(|m| (k, m))).map(|(k, m)| {
            let onhead = props.onhead.clone();
            html! {
                // Named by what it says ("head 2", pressed or not); the picture is for the eye.
                <button class={classes!("thumb", (k == head).then_some("current"))} onclick={Callback::from(move |_| onhead.emit(k))}
                    aria-pressed={(k == head).to_string()}>
                    <span aria-hidden="true">
                    <Heatmap name={format!("{what} head {}", k + 1)} label={shown(t!("step.m.of_head", what = shown_what, head = k + 1).into_owned())}
                        matrix={Rc::new(m)} rows={tokens.clone()} cols={Some(tokens.clone())} scale={scale} compact=true />
                    </span>
                    <span>{ t!("step.head_n", head = k + 1) }</span>
                </button>
            }
        });
        html! { <div class="thumbs" role="group" aria-label={t!("step.all_heads", what = shown_what)}>{ for thumbs }</div> }
    };

    // Always one node, empty when closed: yew matches unkeyed siblings from the end, so a child
    // that comes and goes would make it rebuild the heatmap beside it (losing the keyboard focus).
    let breakdown: Html = props.selected.and_then(|(i, j)| {
        let b = dot_breakdown(&hv.query, &hv.key, i, j)?;
        let onclose = {
            let cb = props.onselect.clone();
            Callback::from(move |_| cb.emit(None))
        };
        Some(html! {
            <QkBreakdown query_token={tokens.get(i).cloned().unwrap_or_default()} key_token={tokens.get(j).cloned().unwrap_or_default()}
                head={head} breakdown={b} weight={hv.weights.get(i, j)} onclose={onclose} />
        })
    })
    .unwrap_or_default();
    let hint = html! { <p class="hint">{ t!("step.qk_hint") }</p> };

    // The learned matrices themselves, on request (4 × d_model² cells are a lot to draw).
    let weights_toggle = {
        let show = show_weights.clone();
        html! {
            <button class="toggle" data-testid="weights-toggle" aria-pressed={show.to_string()}
                onclick={Callback::from(move |_| show.set(!*show))}>
                { if *show_weights { t!("step.hide_weights") } else { t!("step.show_weights") } }
            </button>
        }
    };
    let weight_matrix = |name: &str, m: &Matrix, group: usize, caption: &str| {
        let dims: Rc<Vec<String>> = Rc::new((0..m.rows()).map(|i| i.to_string()).collect());
        html! {
            <Heatmap name={name.to_string()} matrix={Rc::new(m.clone())} rows={dims}
                scale={ColorScale::Signed} group={group} caption={caption.to_string()} export={Some(layer_ctx.clone())} />
        }
    };
    // Where the walk leads: this layer's attention, averaged over heads (step 7 explains it).
    let preview = || {
        let mean = Matrix::from_fn(n, n, |i, j| {
            layer_rec
                .weights
                .iter()
                .filter_map(|w| w.get(i, j))
                .sum::<f32>()
                / n_heads.max(1) as f32
        });
        html! {
            <Heatmap name={format!("average weights layer {l}")} label={shown(t!("step.m.average", layer = l).into_owned())}
                matrix={Rc::new(mean)} rows={tokens.clone()}
                cols={Some(tokens.clone())} scale={ColorScale::Weights} export={Some(layer_ctx.clone())}
                caption={t!("step.preview_caption").into_owned()} />
        }
    };
    let body = match props.step {
        Step::Tokens => html! {
            <>
                <p class="muted">{ t!("step.tokens_note", n = n) }</p>
                <div class="matrices">
                { scroll_box("table-scroll", t!("scroll.tokens"), html! {
                    <table class="token-table">
                        <thead><tr><th>{ t!("step.col_position") }</th><th>{ t!("step.col_token") }</th><th>{ t!("step.col_id") }</th></tr></thead>
                        <tbody>
                            { for rec.tokens.iter().zip(&rec.ids).enumerate().map(|(i, (t, id))| html! {
                                <tr><td>{ i }</td><td dir="auto">{ t.clone() }</td><td>{ id }</td></tr>
                            }) }
                        </tbody>
                    </table>
                }) }
                { preview() }
                </div>
            </>
        },
        Step::Embeddings => html! {
            <div class="matrices">
                { heat(("E (token embeddings)".into(), t!("step.m.e").into_owned()), &rec.token_embeddings, ColorScale::Signed, t!("step.cap.e", d_model = d_model).into_owned()) }
                { heat(("P (positional encoding)".into(), t!("step.m.p").into_owned()), &rec.positional_encoding, ColorScale::Signed, t!("step.cap.p").into_owned()) }
                { heat(("X = E + P".into(), "X = E + P".into()), &w.layers.first().map_or_else(|| layer_rec.x.clone(), |s| s.x.clone()), ColorScale::Signed, t!("step.cap.x").into_owned()) }
            </div>
        },
        Step::Qkv => html! {
            <>
                <p class="muted">{ if layer == 0 { t!("step.x_first") } else { t!("step.x_later", layer = l, previous = layer) } }</p>
                <div class="matrices">
                    { heat((format!("X (layer {l})"), t!("step.m.x_layer", layer = l).into_owned()), &layer_rec.x, ColorScale::Signed, String::new()) }
                    { heat_grouped(("Q".into(), "Q".into()), &layer_rec.query, t!("step.cap.q", heads = n_heads, d_k = d_k).into_owned()) }
                    { heat_grouped(("K".into(), "K".into()), &layer_rec.key, "= X·W_K + b_K".to_string()) }
                    { heat_grouped(("V".into(), "V".into()), &layer_rec.value, "= X·W_V + b_V".to_string()) }
                </div>
                { weights_toggle.clone() }
                if *show_weights {
                    <div class="matrices">
                        { weight_matrix("W_Q", &layer_rec.params.w_query, d_k, &t!("step.cap.w_q")) }
                        { weight_matrix("W_K", &layer_rec.params.w_key, d_k, "") }
                        { weight_matrix("W_V", &layer_rec.params.w_value, d_k, "") }
                    </div>
                }
            </>
        },
        Step::Scores => html! {
            <>
                <div class="matrices">
                    { square((format!("scores head {h}"), t!("step.m.scores", head = h).into_owned()), &hv.scores, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
                { all_heads("scores", &t!("step.m.scores_all"), &|k| layer_rec.scores.get(k).cloned(), ColorScale::Signed) }
            </>
        },
        Step::Scale => html! {
            <>
                <p class="muted">{ t!("step.scale_note", d_k = d_k, root = format_value((d_k as f32).sqrt())) }</p>
                <div class="matrices">
                    { square((format!("scaled head {h}"), t!("step.m.scaled", head = h).into_owned()), &hv.scaled, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
            </>
        },
        Step::Mask => {
            let hidden = w.layers.get(layer).map_or(0, |s| {
                s.mask.data().iter().filter(|v| !v.is_finite()).count()
            });
            html! {
                <>
                    <p class="muted">{ t!("step.mask_note", hidden = hidden, total = n * n) }</p>
                    <div class="matrices">
                        { w.layers.get(layer).map(|s| square(("M (padding mask)".into(), t!("step.m.mask").into_owned()), &s.mask, ColorScale::Signed, None)) }
                        { square((format!("masked head {h}"), t!("step.m.masked", head = h).into_owned()), &hv.masked, ColorScale::Signed, None) }
                        { breakdown.clone() }
                    </div>
                </>
            }
        }
        Step::Softmax => {
            let sums: Vec<String> = (0..n)
                .map(|i| format!("Σ={:.3}", hv.weights.row(i).iter().sum::<f32>()))
                .collect();
            html! {
                <>
                    <div class="matrices">
                        { square((format!("weights head {h}"), t!("step.m.weights", head = h).into_owned()), &hv.weights, ColorScale::Weights, Some(Rc::new(sums))) }
                        { breakdown.clone() }
                    </div>
                    { hint.clone() }
                    { all_heads("weights", &t!("step.m.weights_all"), &|k| layer_rec.weights.get(k).cloned(), ColorScale::Weights) }
                </>
            }
        }
        Step::Context => html! {
            <div class="matrices">
                { square((format!("weights head {h}"), t!("step.m.weights", head = h).into_owned()), &hv.weights, ColorScale::Weights, None) }
                { heat((format!("V head {h}"), t!("step.m.v", head = h).into_owned()), &hv.value, ColorScale::Signed, t!("step.cap.v", from = head * d_k, to = (head + 1) * d_k - 1).into_owned()) }
                { heat((format!("context head {h}"), t!("step.m.context", head = h).into_owned()), &hv.context, ColorScale::Signed, t!("step.cap.context").into_owned()) }
            </div>
        },
        Step::Concat => html! {
            <div class="matrices">
                { heat_grouped(("heads concatenated".into(), t!("step.m.concat").into_owned()), &layer_rec.context, t!("step.cap.concat", heads = n_heads, d_k = d_k).into_owned()) }
            </div>
        },
        Step::Output => html! {
            <>
                <div class="matrices">
                    { heat_grouped(("heads concatenated".into(), t!("step.m.concat").into_owned()), &layer_rec.context, String::new()) }
                    { heat(("output = concat · W_O + b_O".into(), t!("step.m.output").into_owned()), &layer_rec.attn_out, ColorScale::Signed, t!("step.cap.output", d_model = d_model).into_owned()) }
                </div>
                { weights_toggle.clone() }
                if *show_weights {
                    <div class="matrices">
                        { weight_matrix("W_O", &layer_rec.params.w_output, 0, &t!("step.cap.w_o", last = d_k - 1, d_k = d_k)) }
                    </div>
                }
            </>
        },
    };
    html! {
        <section class="step" data-testid="step" data-step={props.step.id()} aria-labelledby="step-title">
            <h2 id="step-title" data-testid="step-title">{ props.step.title() }</h2>
            <p class="formula">{ props.step.formula() }</p>
            <p class="explanation">{ props.step.explanation() }</p>
            { body }
        </section>
    }
}
