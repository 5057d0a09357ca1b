//! The step-by-step view of one layer and head of all-MiniLM-L6-v2, from the model's own
//! tensors and weights. The same ten steps as the walkthrough, with BERT's words where BERT
//! differs (learned positions, token types and LayerNorm in the embedding; no causal mask;
//! residual, LayerNorm and a GELU feed-forward after W_O).

use std::rc::Rc;

use yew::prelude::*;

use crate::encoder::EncoderLayer;
use crate::maths::{dot_breakdown, Matrix};
use crate::steps::Step;
use crate::ui::components::attention_canvas::AttentionCanvas;
use crate::ui::components::heatmap::{format_value, ColorScale, Heatmap};
use crate::ui::components::QkBreakdown;

/// Square matrices up to this many tokens are drawn as SVG with clickable, labelled cells;
/// larger ones as a canvas (still clickable).
const SVG_MAX_TOKENS: usize = 40;

pub fn title(step: Step) -> &'static str {
    match step {
        Step::Tokens => "1. Text becomes WordPiece tokens",
        Step::Embeddings => "2. Word, token-type and position embeddings, then LayerNorm",
        Step::Qkv => "3. Queries, keys and values",
        Step::Scores => "4. Every query meets every key: QKᵀ",
        Step::Scale => "5. Scale by √dₖ",
        Step::Mask => "6. The padding mask (and no causal mask)",
        Step::Softmax => "7. Softmax turns each row into weights",
        Step::Context => "8. Weights mix the values",
        Step::Concat => "9. Twelve heads side by side",
        Step::Output => "10. Output projection W_O, then the rest of the layer",
    }
}

pub fn formula(step: Step) -> &'static str {
    match step {
        Step::Tokens => "text → [CLS] t₁ … tₙ [SEP] → ids",
        Step::Embeddings => "X = LayerNorm(E[ids] + T₀ + P[0…n−1]) = γ ⊙ (s − mean) / √(var + 10⁻¹²) + β",
        Step::Qkv => "Q = X·W_Q + b_Q,   K = X·W_K + b_K,   V = X·W_V + b_V   (W: 384 × 384)",
        Step::Scores => "S_h = Q_h · K_hᵀ      (head h uses columns 32h … 32h+31)",
        Step::Scale => "S_h / √dₖ = S_h / √32",
        Step::Mask => "S_h / √dₖ + M,   M_ij = 0 if key j is a token, −3.4·10³⁸ if it is padding",
        Step::Softmax => "A_ij = exp(s_ij) / Σ_k exp(s_ik)   (each row over its own keys)",
        Step::Context => "head_h = A_h · V_h",
        Step::Concat => "Concat(head₁, …, head₁₂)   (12 × 32 = 384 columns)",
        Step::Output => "MultiHead(X) = Concat(…)·W_O + b_O;   then  h = LN(X + MultiHead),  X′ = LN(h + GELU(h·W₁ + b₁)·W₂ + b₂)",
    }
}

pub fn explanation(step: Step) -> &'static str {
    match step {
        Step::Tokens => "all-MiniLM-L6-v2 reads BERT's uncased WordPiece vocabulary of 30,522 pieces, with its own tokenizer.json run by the Rust tokenizers crate: text is lower-cased, accents are stripped, and words it does not know are split into pieces marked ##. [CLS] and [SEP] frame every input. This model's sentence vector is the mean of all its token outputs, not [CLS]'s alone.",
        Step::Embeddings => "Each id selects a learned row of the word-embedding table E (stored as int8 with one scale per row, so the download stays small). BERT adds a token-type vector T₀ (every token here belongs to sentence A) and a learned position vector P[pos] — learned in training, not the fixed sin/cos waves of the original Transformer — and then normalises each row with LayerNorm and its learned γ and β.",
        Step::Qkv => "Three learned matrices turn each token's vector into a query (what it looks for), a key (what it offers) and a value (what it passes on). The 384 columns are split into 12 heads of dₖ = 32; the thin lines mark them. X of layer 1 is the embedding of step 2; X of a later layer is the output of the layer before.",
        Step::Scores => "For each head, the score of query i and key j is the dot product q_i·k_j. Click any cell to see the two 32-dimensional vectors and their products.",
        Step::Scale => "Dot products of dₖ-dimensional vectors grow with dₖ; dividing by √dₖ keeps the softmax from saturating. (transformers multiplies by 1/√32, the same up to rounding.)",
        Step::Mask => "BERT is bidirectional: every token may look at every other token, before and after it, so there is no causal mask. Padding keys get the most negative float32 added (transformers' choice; −∞ in the walkthrough), which makes their weight exactly 0. One sentence has no padding, so nothing is hidden here; the golden tests check a padded batch.",
        Step::Softmax => "Softmax makes every row a probability distribution over the keys: all weights between 0 and 1, each row summing to 1 (shown on the right). Many BERT heads park most of their weight on [CLS] or [SEP]: a way to attend to nothing in particular.",
        Step::Context => "Each token's new vector, per head, is the weighted average of the value vectors, with the weights of its row.",
        Step::Concat => "The twelve heads' outputs are placed side by side, giving back 384 numbers per token.",
        Step::Output => "W_O mixes the heads: this is the attention block's output. The layer then adds X back (residual) and normalises (LayerNorm), and a feed-forward network (384 → 1536 → 384, GELU) with its own residual and LayerNorm gives the next layer's X; those are not drawn here. Attention weights show what the model mixed, not by themselves why.",
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
    let wide = |name: String, m: &Matrix, group: usize, caption: String| {
        let per_token = m.rows() == n;
        let labels = per_token.then(|| tokens.clone());
        let height = if per_token { row_h } else { 1 };
        html! { <AttentionCanvas name={name} matrix={Rc::new(m.clone())} scale={ColorScale::Signed} cell={2}
        cell_height={Some(height)} rows={labels} robust=true group={group} caption={caption} /> }
    };
    let narrow = |name: String, m: &Matrix, caption: String| {
        if small {
            html! { <Heatmap name={name} matrix={Rc::new(m.clone())} rows={tokens.clone()} scale={ColorScale::Signed} caption={caption} /> }
        } else {
            html! { <AttentionCanvas name={name} matrix={Rc::new(m.clone())} scale={ColorScale::Signed} cell={3} caption={caption} /> }
        }
    };
    let square = |name: String, m: &Matrix, scale: ColorScale, notes: Option<Rc<Vec<String>>>| {
        if small {
            html! {
                <Heatmap name={name} matrix={Rc::new(m.clone())} rows={tokens.clone()} cols={Some(tokens.clone())}
                    scale={scale} selected={props.selected} onselect={Some(select.clone())} row_notes={notes} />
            }
        } else {
            let cell = (640 / n.max(1)).clamp(2, 12) as u32;
            html! { <AttentionCanvas name={name} matrix={Rc::new(m.clone())} scale={scale} cell={cell} onselect={Some(select.clone())} caption={"click a cell for its q·k breakdown"} /> }
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
    let hint = html! { <p class="hint">{ "Click a cell for its q·k breakdown." }</p> };
    let all_heads = |what: &str, pick: &dyn Fn(usize) -> Option<Matrix>, scale: ColorScale| {
        let thumbs = (0..n_heads).filter_map(|k| pick(k).map(|m| (k, m))).map(|(k, m)| {
            let onhead = props.onhead.clone();
            html! {
                <button class={classes!("thumb", (k == head).then_some("current"))} onclick={Callback::from(move |_| onhead.emit(k))}
                    aria-label={format!("Show head {}", k + 1)} aria-pressed={(k == head).to_string()}>
                    <AttentionCanvas name={format!("{what} head {}", k + 1)} matrix={Rc::new(m)} scale={scale} cell={1} compact=true />
                    <span>{ format!("head {}", k + 1) }</span>
                </button>
            }
        });
        html! { <div class="thumbs enc-thumbs" aria-label={format!("{what} of all heads")}>{ for thumbs }</div> }
    };
    let e = &rec.embeddings;
    let body = match props.step {
        Step::Tokens => html! {
            <div class="table-scroll enc-token-table">
                <table class="token-table">
                    <thead><tr><th>{ "position" }</th><th>{ "token" }</th><th>{ "id" }</th></tr></thead>
                    <tbody>
                        { for tokens.iter().enumerate().map(|(i, t)| html! {
                            <tr><td>{ i }</td><td dir="auto">{ t.clone() }</td><td>{ props.ids.get(i).copied().unwrap_or_default() }</td></tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
        Step::Embeddings => html! {
            <div class="matrices">
                { wide("E[ids] (word embeddings)".into(), &e.token, 0, "one learned row per token, d = 384".into()) }
                { wide("P (learned positions)".into(), &e.position, 0, "rows 0 … n−1 of a learned 512 × 384 table".into()) }
                { wide("E + T₀ + P".into(), &e.sum, 0, format!("T₀ is one learned vector added to every row (range {} … {})",
                    format_value(e.token_type.iter().copied().fold(f32::INFINITY, f32::min)),
                    format_value(e.token_type.iter().copied().fold(f32::NEG_INFINITY, f32::max)))) }
                { wide("X = LayerNorm(E + T₀ + P)".into(), &e.x, 0, "input of layer 1".into()) }
            </div>
        },
        Step::Qkv => html! {
            <div class="matrices">
                { wide(format!("X (layer {})", rec.layer + 1), &layer.x, 0, String::new()) }
                { wide("Q".into(), &layer.query, d_k, format!("= X·W_Q + b_Q, {n_heads} heads × dₖ = {d_k}")) }
                { wide("K".into(), &layer.key, d_k, "= X·W_K + b_K".into()) }
                { wide("V".into(), &layer.value, d_k, "= X·W_V + b_V".into()) }
                { wide("W_Q".into(), &layer.params.w_query, d_k, "rows: input dimension, columns: query dimension (int8 × scale per column)".into()) }
            </div>
        },
        Step::Scores => html! {
            <>
                <div class="matrices">
                    { narrow(format!("Q head {h}"), &query, format!("columns {start}–{}", end - 1)) }
                    { narrow(format!("K head {h}"), &key, String::new()) }
                    { square(format!("scores head {h}"), &scores, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
                { all_heads("scores", &|k| layer.scores.get(k).cloned(), ColorScale::Signed) }
            </>
        },
        Step::Scale => html! {
            <>
                <p class="muted">{ format!("dₖ = {d_k}, so every score is divided by √{d_k} = {}.", format_value((d_k as f32).sqrt())) }</p>
                <div class="matrices">
                    { square(format!("scaled head {h}"), &scaled, ColorScale::Signed, None) }
                    { breakdown.clone() }
                </div>
                { hint.clone() }
            </>
        },
        Step::Mask => html! {
            <>
                <p class="muted">{ format!("0 of {} query–key pairs are masked: one sentence has no padding, and BERT has no causal mask.", n * n) }</p>
                <div class="matrices">
                    { square(format!("masked head {h} (= scaled)"), &scaled, ColorScale::Signed, None) }
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
                        { square(format!("weights head {h}"), &weights, ColorScale::Weights, Some(Rc::new(sums))) }
                        { breakdown.clone() }
                    </div>
                    { hint.clone() }
                    { all_heads("weights", &|k| layer.weights.get(k).cloned(), ColorScale::Weights) }
                </>
            }
        }
        Step::Context => html! {
            <div class="matrices">
                { square(format!("weights head {h}"), &weights, ColorScale::Weights, None) }
                { narrow(format!("V head {h}"), &value, format!("columns {start}–{} of V", end - 1)) }
                { narrow(format!("context head {h}"), &layer.context.columns(start, end), "= weights · V".into()) }
            </div>
        },
        Step::Concat => html! {
            <div class="matrices">
                { wide("heads concatenated".into(), &layer.context, d_k, format!("{n_heads} heads × {d_k} columns")) }
            </div>
        },
        Step::Output => html! {
            <div class="matrices">
                { wide("heads concatenated".into(), &layer.context, d_k, String::new()) }
                { wide("W_O".into(), &layer.params.w_output, 0, format!("{} × {}: rows 0–{} read head 1, the next {d_k} head 2, …", layer.params.d_model(), layer.params.d_model(), d_k - 1)) }
                { wide("output = concat · W_O + b_O".into(), &layer.attn_out, 0, String::new()) }
            </div>
        },
    };
    html! {
        <section class="step enc-step" data-testid="step" data-step={props.step.id()} aria-labelledby="enc-step-title">
            <h2 id="enc-step-title" data-testid="step-title">{ title(props.step) }</h2>
            <p class="formula">{ formula(props.step) }</p>
            <p class="explanation">{ explanation(props.step) }</p>
            { body }
        </section>
    }
}
