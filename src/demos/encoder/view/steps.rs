//! The step-by-step view of one layer and head of all-MiniLM-L6-v2, from the model's own
//! tensors and weights. The same ten steps as the walkthrough, with BERT's words where BERT
//! differs (learned positions, token types and LayerNorm in the embedding; no causal mask;
//! residual, LayerNorm and a GELU feed-forward after W_O).

use std::borrow::Cow;
use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::encoder::{step_explanation, step_title, EncoderLayer};
use crate::maths::{dot_breakdown, Matrix};
use crate::steps::Step;
use crate::ui::components::attention_canvas::AttentionCanvas;
use crate::ui::components::heatmap::{format_value, ColorScale, Heatmap};
use crate::ui::components::{scroll_box, QkBreakdown};

/// Square matrices up to this many tokens are drawn as SVG with clickable, labelled cells;
/// larger ones as a canvas (still clickable).
const SVG_MAX_TOKENS: usize = 40;

/// The step's formula; the words in it (not the maths) follow the reader's language.
pub fn formula(step: Step) -> Cow<'static, str> {
    match step {
        Step::Tokens => t!("encoder.step.tokens.formula"),
        Step::Embeddings => {
            "X = LayerNorm(E[ids] + T₀ + P[0…n−1]) = γ ⊙ (s − mean) / √(var + 10⁻¹²) + β".into()
        }
        Step::Qkv => {
            "Q = X·W_Q + b_Q,   K = X·W_K + b_K,   V = X·W_V + b_V   (W: 384 × 384)".into()
        }
        Step::Scores => t!("encoder.step.scores.formula"),
        Step::Scale => "S_h / √dₖ = S_h / √32".into(),
        Step::Mask => t!("encoder.step.mask.formula"),
        Step::Softmax => t!("encoder.step.softmax.formula"),
        Step::Context => "head_h = A_h · V_h".into(),
        Step::Concat => t!("encoder.step.concat.formula"),
        Step::Output => t!("encoder.step.output.formula"),
    }
}

/// A matrix's stable name (`data-name`, exported file names: English, e.g. "weights head 3")
/// and the name the reader sees, in their language.
struct Named {
    id: String,
    label: String,
}

impl Named {
    fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        Named {
            id: id.into(),
            label: label.into(),
        }
    }

    /// Maths only ("Q", "W_O"): the same in every language.
    fn maths(id: &str) -> Self {
        Named::new(id, id)
    }
}

/// The two per-head quantities drawn for every head at once.
#[derive(Clone, Copy)]
enum Quantity {
    Scores,
    Weights,
}

impl Quantity {
    fn of_head(self, head: usize) -> Named {
        let h = head + 1;
        match self {
            Quantity::Scores => Named::new(
                format!("scores head {h}"),
                t!("encoder.m.scores_head", h = h),
            ),
            Quantity::Weights => Named::new(
                format!("weights head {h}"),
                t!("encoder.m.weights_head", h = h),
            ),
        }
    }

    fn of_all_heads(self) -> String {
        match self {
            Quantity::Scores => t!("encoder.scores_all_heads"),
            Quantity::Weights => t!("encoder.weights_all_heads"),
        }
        .into_owned()
    }
}

#[derive(Properties)]
pub struct EncoderStepViewProps {
    pub record: Rc<EncoderLayer>,
    pub ids: Rc<Vec<u32>>,
    pub step: Step,
    pub head: usize,
    pub selected: Option<(usize, usize)>,
    pub onselect: Callback<Option<(usize, usize)>>,
    pub onhead: Callback<usize>,
}

impl PartialEq for EncoderStepViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.record, &other.record)
            && (self.step, self.head, self.selected) == (other.step, other.head, other.selected)
    }
}

#[component]
pub fn EncoderStepView(props: &EncoderStepViewProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let rec = &props.record;
    let layer = &rec.record;
    let tokens = Rc::new(rec.tokens.clone());
    let n = tokens.len();
    let n_heads = layer.scores.len();
    let head = props.head.min(n_heads.saturating_sub(1));
    let d_k = layer.params.d_k();
    let (start, end) = (head * d_k, (head + 1) * d_k);
    let h = head + 1;
    let small = n <= SVG_MAX_TOKENS;
    let select = {
        let cb = props.onselect.clone();
        Callback::from(move |cell| cb.emit(Some(cell)))
    };
    // A wide (n × 384) matrix: always a canvas, 2 px per column, head boundaries marked.
    // Rows tall enough to read the token beside them, up to a 240 px high map.
    let row_h = (240 / n.max(1)).clamp(3, 14) as u32;
    let wide = |name: Named, m: &Matrix, group: usize, caption: String| {
        let per_token = m.rows() == n;
        let labels = per_token.then(|| tokens.clone());
        let height = if per_token { row_h } else { 1 };
        html! { <AttentionCanvas name={name.id} label={name.label} matrix={Rc::new(m.clone())} scale={ColorScale::Signed} cell={2}
        cell_height={Some(height)} rows={labels} robust=true group={group} caption={caption} /> }
    };
    let narrow = |name: Named, m: &Matrix, caption: String| {
        if small {
            html! { <Heatmap name={name.id} label={name.label} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={ColorScale::Signed} caption={caption} /> }
        } else {
            html! { <AttentionCanvas name={name.id} label={name.label} matrix={Rc::new(m.clone())} scale={ColorScale::Signed} cell={3} caption={caption} /> }
        }
    };
    let square = |name: Named, m: &Matrix, scale: ColorScale, notes: Option<Rc<Vec<String>>>| {
        if small {
            html! {
                <Heatmap name={name.id} label={name.label} matrix={Rc::new(m.clone())} rows={tokens.clone()} cols={Some(tokens.clone())}
                    scale={scale} selected={props.selected} onselect={Some(select.clone())} row_notes={notes} />
            }
        } else {
            let cell = (640 / n.max(1)).clamp(2, 12) as u32;
            html! { <AttentionCanvas name={name.id} label={name.label} matrix={Rc::new(m.clone())} scale={scale} cell={cell} onselect={Some(select.clone())} caption={t!("encoder.click_cell_caption")} /> }
        }
    };
    let scores = layer
        .scores
        .get(head)
        .cloned()
        .unwrap_or_else(|| Matrix::zeros(n, n));
    let weights = layer
        .weights
        .get(head)
        .cloned()
        .unwrap_or_else(|| Matrix::zeros(n, n));
    let scaled = scores.map(|s| s / (d_k as f32).sqrt());
    let query = layer.query.columns(start, end);
    let key = layer.key.columns(start, end);
    let value = layer.value.columns(start, end);
    let breakdown = props.selected.and_then(|(i, j)| {
        let b = dot_breakdown(&query, &key, i, j)?;
        let onclose = {
            let cb = props.onselect.clone();
            Callback::from(move |_| cb.emit(None))
        };
        Some(html! {
            <QkBreakdown query_token={tokens.get(i).cloned().unwrap_or_default()} key_token={tokens.get(j).cloned().unwrap_or_default()}
                head={head} breakdown={b} weight={weights.get(i, j)} onclose={onclose} />
        })
    });
    let hint = html! { <p class="hint">{ t!("encoder.click_cell") }</p> };
    let all_heads = |what: Quantity, pick: &dyn Fn(usize) -> Option<Matrix>, scale: ColorScale| {
        let thumbs = (0..n_heads).filter_map(|k| pick(k).map(|m| (k, m))).map(|(k, m)| {
            let onhead = props.onhead.clone();
            html! {
                // Named by what it says ("head 2", pressed or not); the picture is for the eye.
                <button class={classes!("thumb", (k == head).then_some("current"))} onclick={Callback::from(move |_| onhead.emit(k))}
                    aria-pressed={(k == head).to_string()}>
                    <span aria-hidden="true">
                    <AttentionCanvas name={what.of_head(k).id} label={what.of_head(k).label} matrix={Rc::new(m)} scale={scale} cell={1} compact=true />
                    </span>
                    <span>{ t!("encoder.thumb_head", h = k + 1) }</span>
                </button>
            }
        });
        html! { <div class="thumbs enc-thumbs" role="group" aria-label={what.of_all_heads()}>{ for thumbs }</div> }
    };
    let e = &rec.embeddings;
    let body = match props.step {
        Step::Tokens => html! {
            { scroll_box("table-scroll enc-token-table", t!("scroll.tokens"), html! {
                <table class="token-table">
                    <thead><tr><th>{ t!("encoder.col.position") }</th><th>{ t!("encoder.col.token") }</th><th>{ t!("encoder.col.id") }</th></tr></thead>
                    <tbody>
                        { for tokens.iter().enumerate().map(|(i, t)| html! {
                            <tr><td>{ i }</td><td dir="auto">{ t.clone() }</td><td>{ props.ids.get(i).copied().unwrap_or_default() }</td></tr>
                        }) }
                    </tbody>
                </table>
            }) }
        },
        Step::Embeddings => html! {
            <div class="matrices">
                { wide(Named::new("E[ids] (word embeddings)", t!("encoder.m.word_embeddings")), &e.token, 0, t!("encoder.c.word_embeddings").into_owned()) }
                { wide(Named::new("P (learned positions)", t!("encoder.m.positions")), &e.position, 0, t!("encoder.c.positions").into_owned()) }
                { wide(Named::maths("E + T₀ + P"), &e.sum, 0, t!("encoder.c.token_type",
                    lo = format_value(e.token_type.iter().copied().fold(f32::INFINITY, f32::min)),
                    hi = format_value(e.token_type.iter().copied().fold(f32::NEG_INFINITY, f32::max))).into_owned()) }
                { wide(Named::maths("X = LayerNorm(E + T₀ + P)"), &e.x, 0, t!("encoder.c.layer1_input").into_owned()) }
            </div>
        },
        Step::Qkv => html! {
            <div class="matrices">
                { wide(Named::new(format!("X (layer {})", rec.layer + 1), t!("encoder.m.x_layer", layer = rec.layer + 1)), &layer.x, 0, String::new()) }
                { wide(Named::maths("Q"), &layer.query, d_k, t!("encoder.c.query", heads = n_heads, d_k = d_k).into_owned()) }
                { wide(Named::maths("K"), &layer.key, d_k, "= X·W_K + b_K".into()) }
                { wide(Named::maths("V"), &layer.value, d_k, "= X·W_V + b_V".into()) }
                { wide(Named::maths("W_Q"), &layer.params.w_query, d_k, t!("encoder.c.w_query").into_owned()) }
            </div>
        },
        Step::Scores => html! {
            <>
                <div class="matrices">
                    { narrow(Named::new(format!("Q head {h}"), t!("encoder.m.q_head", h = h)), &query, t!("encoder.c.columns", start = start, end = end - 1).into_owned()) }
                    { narrow(Named::new(format!("K head {h}"), t!("encoder.m.k_head", h = h)), &key, String::new()) }
                    { square(Quantity::Scores.of_head(head), &scores, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
                { all_heads(Quantity::Scores, &|k| layer.scores.get(k).cloned(), ColorScale::Signed) }
            </>
        },
        Step::Scale => html! {
            <>
                <p class="muted">{ t!("encoder.scale_note", d_k = d_k, root = format_value((d_k as f32).sqrt())) }</p>
                <div class="matrices">
                    { square(Named::new(format!("scaled head {h}"), t!("encoder.m.scaled_head", h = h)), &scaled, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
            </>
        },
        Step::Mask => html! {
            <>
                <p class="muted">{ t!("encoder.mask_note", pairs = n * n) }</p>
                <div class="matrices">
                    { square(Named::new(format!("masked head {h} (= scaled)"), t!("encoder.m.masked_head", h = h)), &scaled, ColorScale::Signed, None) }
                </div>
            </>
        },
        Step::Softmax => {
            let sums: Vec<String> = (0..n)
                .map(|i| format!("Σ={:.3}", weights.row(i).iter().sum::<f32>()))
                .collect();
            html! {
                <>
                    <div class="matrices">
                        { square(Quantity::Weights.of_head(head), &weights, ColorScale::Weights, Some(Rc::new(sums))) }
                        { breakdown.clone() }
                    </div>
                    { hint.clone() }
                    { all_heads(Quantity::Weights, &|k| layer.weights.get(k).cloned(), ColorScale::Weights) }
                </>
            }
        }
        Step::Context => html! {
            <div class="matrices">
                { square(Quantity::Weights.of_head(head), &weights, ColorScale::Weights, None) }
                { narrow(Named::new(format!("V head {h}"), t!("encoder.m.v_head", h = h)), &value, t!("encoder.c.columns_of_v", start = start, end = end - 1).into_owned()) }
                { narrow(Named::new(format!("context head {h}"), t!("encoder.m.context_head", h = h)), &layer.context.columns(start, end), t!("encoder.c.context").into_owned()) }
            </div>
        },
        Step::Concat => html! {
            <div class="matrices">
                { wide(Named::new("heads concatenated", t!("encoder.m.concat")), &layer.context, d_k, t!("encoder.c.concat", heads = n_heads, d_k = d_k).into_owned()) }
            </div>
        },
        Step::Output => html! {
            <div class="matrices">
                { wide(Named::new("heads concatenated", t!("encoder.m.concat")), &layer.context, d_k, String::new()) }
                { wide(Named::maths("W_O"), &layer.params.w_output, 0, t!("encoder.c.w_output", d = layer.params.d_model(), last = d_k - 1, d_k = d_k).into_owned()) }
                { wide(Named::new("output = concat · W_O + b_O", t!("encoder.m.output")), &layer.attn_out, 0, String::new()) }
            </div>
        },
    };
    html! {
        <section class="step enc-step" data-testid="step" data-step={props.step.id()} aria-labelledby="enc-step-title">
            <h2 id="enc-step-title" data-testid="step-title">{ step_title(props.step) }</h2>
            <p class="formula">{ formula(props.step) }</p>
            <p class="explanation">{ step_explanation(props.step) }</p>
            { body }
        </section>
    }
}
