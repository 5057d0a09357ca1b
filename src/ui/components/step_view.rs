//! The body of one step: its formula, its words and the model's matrices for it.

use std::rc::Rc;

use yew::prelude::*;

use super::heatmap::{format_value, ColorScale, Heatmap};
use super::qk_breakdown::QkBreakdown;
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
    let show_weights = use_state(|| false);
    let w = &props.walkthrough;
    let rec = &w.record;
    let tokens = Rc::new(rec.tokens.clone());
    let layer = props.layer.min(rec.layers.len().saturating_sub(1));
    let Some(layer_rec) = rec.layers.get(layer) else {
        return html! { <p class="error" data-testid="error">{ "The model returned no attention layers." }</p> };
    };
    let n_heads = layer_rec.scores.len();
    let head = props.head.min(n_heads.saturating_sub(1));
    let d_k = layer_rec.params.d_k();
    let d_model = layer_rec.params.d_model();
    let n = rec.seq_len();
    let Some(hv) = head_view(w, layer, head) else {
        return html! { <p class="error" data-testid="error">{ "The model's attention outputs have an unexpected shape." }</p> };
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
    let heat = |name: String, m: &Matrix, scale: ColorScale, caption: String| {
        html! { <Heatmap name={name} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={scale} caption={caption} export={Some(layer_ctx.clone())} /> }
    };
    let heat_grouped = |name: String, m: &Matrix, caption: String| {
        html! { <Heatmap name={name} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={ColorScale::Signed} group={d_k} caption={caption} export={Some(layer_ctx.clone())} /> }
    };
    let square = |name: String, m: &Matrix, scale: ColorScale, notes: Option<Rc<Vec<String>>>| {
        html! {
            <Heatmap name={name} matrix={Rc::new(m.clone())} rows={tokens.clone()} cols={Some(tokens.clone())}
                scale={scale} selected={props.selected} onselect={Some(select.clone())} row_notes={notes} export={Some(head_ctx.clone())} />
        }
    };
    let l = layer + 1;
    let h = head + 1;
    let all_heads = |what: &str, pick: &dyn Fn(usize) -> Option<Matrix>, scale: ColorScale| {
        let thumbs = (0..n_heads).filter_map(|k| pick(k).map(|m| (k, m))).map(|(k, m)| {
            let onhead = props.onhead.clone();
            html! {
                <button class={classes!("thumb", (k == head).then_some("current"))} onclick={Callback::from(move |_| onhead.emit(k))}
                    aria-label={format!("Show head {}", k + 1)} aria-pressed={(k == head).to_string()}>
                    <Heatmap name={format!("{what} head {}", k + 1)} matrix={Rc::new(m)} rows={tokens.clone()} cols={Some(tokens.clone())} scale={scale} compact=true />
                    <span>{ format!("head {}", k + 1) }</span>
                </button>
            }
        });
        html! { <div class="thumbs" aria-label={format!("{what} of all heads")}>{ for thumbs }</div> }
    };

    let breakdown = props.selected.and_then(|(i, j)| {
        let b = dot_breakdown(&hv.query, &hv.key, i, j)?;
        let onclose = {
            let cb = props.onselect.clone();
            Callback::from(move |_| cb.emit(None))
        };
        Some(html! {
            <QkBreakdown query_token={tokens.get(i).cloned().unwrap_or_default()} key_token={tokens.get(j).cloned().unwrap_or_default()}
                head={head} breakdown={b} weight={hv.weights.get(i, j)} onclose={onclose} />
        })
    });
    let hint = html! { <p class="hint">{ "Click a cell for its q·k breakdown." }</p> };

    // The learned matrices themselves, on request (4 × d_model² cells are a lot to draw).
    let weights_toggle = {
        let show = show_weights.clone();
        html! {
            <button class="toggle" data-testid="weights-toggle" aria-pressed={show.to_string()}
                onclick={Callback::from(move |_| show.set(!*show))}>
                { if *show_weights { "Hide the weight matrices" } else { "Show the weight matrices" } }
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
            <Heatmap name={format!("average weights layer {l}")} matrix={Rc::new(mean)} rows={tokens.clone()}
                cols={Some(tokens.clone())} scale={ColorScale::Weights} export={Some(layer_ctx.clone())}
                caption={"where this walk leads: row i shows how much token i attends to each token"} />
        }
    };
    let body = match props.step {
        Step::Tokens => html! {
            <>
                <p class="muted">{ format!("{n} tokens, [CLS] and [SEP] included. Each id is a row of the embedding table in the next step.") }</p>
                <div class="matrices">
                <div class="table-scroll">
                    <table class="token-table">
                        <thead><tr><th>{ "position" }</th><th>{ "token" }</th><th>{ "id" }</th></tr></thead>
                        <tbody>
                            { for rec.tokens.iter().zip(&rec.ids).enumerate().map(|(i, (t, id))| html! {
                                <tr><td>{ i }</td><td dir="auto">{ t.clone() }</td><td>{ id }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                { preview() }
                </div>
            </>
        },
        Step::Embeddings => html! {
            <div class="matrices">
                { heat("E (token embeddings)".into(), &rec.token_embeddings, ColorScale::Signed, format!("one learned row per token, d_model = {d_model}")) }
                { heat("P (positional encoding)".into(), &rec.positional_encoding, ColorScale::Signed, "fixed sin/cos waves".into()) }
                { heat("X = E + P".into(), &w.layers.first().map_or_else(|| layer_rec.x.clone(), |s| s.x.clone()), ColorScale::Signed, "input of layer 1".into()) }
            </div>
        },
        Step::Qkv => html! {
            <>
                <p class="muted">{ if layer == 0 { "X is the sum from step 2.".to_string() } else { format!("X of layer {l} is the output of layer {layer} (after its residual, LayerNorm and feed-forward).") } }</p>
                <div class="matrices">
                    { heat(format!("X (layer {l})"), &layer_rec.x, ColorScale::Signed, String::new()) }
                    { heat_grouped("Q".into(), &layer_rec.query, format!("= X·W_Q + b_Q, {n_heads} heads × dₖ = {d_k}")) }
                    { heat_grouped("K".into(), &layer_rec.key, "= X·W_K + b_K".to_string()) }
                    { heat_grouped("V".into(), &layer_rec.value, "= X·W_V + b_V".to_string()) }
                </div>
                { weights_toggle.clone() }
                if *show_weights {
                    <div class="matrices">
                        { weight_matrix("W_Q", &layer_rec.params.w_query, d_k, "rows: input dimension, columns: query dimension") }
                        { weight_matrix("W_K", &layer_rec.params.w_key, d_k, "") }
                        { weight_matrix("W_V", &layer_rec.params.w_value, d_k, "") }
                    </div>
                }
            </>
        },
        Step::Scores => html! {
            <>
                <div class="matrices">
                    { square(format!("scores head {h}"), &hv.scores, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
                { all_heads("scores", &|k| layer_rec.scores.get(k).cloned(), ColorScale::Signed) }
            </>
        },
        Step::Scale => html! {
            <>
                <p class="muted">{ format!("dₖ = {d_k}, so every score is divided by √{d_k} = {}.", format_value((d_k as f32).sqrt())) }</p>
                <div class="matrices">
                    { square(format!("scaled head {h}"), &hv.scaled, ColorScale::Signed, None) }
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
                    <p class="muted">{ format!("{hidden} of {} query–key pairs are masked.", n * n) }</p>
                    <div class="matrices">
                        { w.layers.get(layer).map(|s| square("M (padding mask)".into(), &s.mask, ColorScale::Signed, None)) }
                        { square(format!("masked head {h}"), &hv.masked, ColorScale::Signed, None) }
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
                        { square(format!("weights head {h}"), &hv.weights, ColorScale::Weights, Some(Rc::new(sums))) }
                        { breakdown.clone() }
                    </div>
                    { hint.clone() }
                    { all_heads("weights", &|k| layer_rec.weights.get(k).cloned(), ColorScale::Weights) }
                </>
            }
        }
        Step::Context => html! {
            <div class="matrices">
                { square(format!("weights head {h}"), &hv.weights, ColorScale::Weights, None) }
                { heat(format!("V head {h}"), &hv.value, ColorScale::Signed, format!("columns {}–{} of V", head * d_k, (head + 1) * d_k - 1)) }
                { heat(format!("context head {h}"), &hv.context, ColorScale::Signed, "= weights · V".into()) }
            </div>
        },
        Step::Concat => html! {
            <div class="matrices">
                { heat_grouped("heads concatenated".into(), &layer_rec.context, format!("{n_heads} heads × {d_k} columns")) }
            </div>
        },
        Step::Output => html! {
            <>
                <div class="matrices">
                    { heat_grouped("heads concatenated".into(), &layer_rec.context, String::new()) }
                    { heat("output = concat · W_O + b_O".into(), &layer_rec.attn_out, ColorScale::Signed, format!("W_O is {d_model} × {d_model}")) }
                </div>
                { weights_toggle.clone() }
                if *show_weights {
                    <div class="matrices">
                        { weight_matrix("W_O", &layer_rec.params.w_output, 0, &format!("rows 0–{} read head 1, the next {d_k} head 2, …", d_k - 1)) }
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
