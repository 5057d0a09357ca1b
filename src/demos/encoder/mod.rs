//! The pretrained encoder demo (all-MiniLM-L6-v2), its pure part: which outputs to ask the
//! worker for, reading them back into matrices, per-head summary statistics, what the display
//! hides, the head view's lines, and our own recomputation of one layer for the step view.
//!
//! No yew, no tract: everything here runs natively under `cargo test`.

#[cfg(target_arch = "wasm32")]
pub mod view;

use rust_i18n::t;
use serde::Deserialize;

use crate::maths::{
    attention_steps, Agreement, AttentionParams, AttentionSteps, LayerRecord, Mask, Matrix,
    StepCheck,
};
use crate::protocol::{InputSpec, Tensor};
use crate::steps::Step;

/// Key under which the page loads the graph into the worker.
pub const GRAPH_KEY: &str = "minilm";
/// Folder of the model files, relative to the page (the site may live under a sub-path).
pub const MODEL_DIR: &str = "models/minilm/";
/// BERT's LayerNorm epsilon (`layer_norm_eps` in the model's config).
pub const LN_EPS: f32 = 1e-12;

/// `models/minilm/manifest.json`: what the page needs before downloading the model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EncoderManifest {
    pub name: String,
    pub onnx: String,
    pub tokenizer: String,
    pub onnx_bytes: u64,
    pub tokenizer_bytes: u64,
    pub onnx_gzip_bytes: u64,
    /// Changes whenever the model does: part of the cache key, so a new model is downloaded.
    pub onnx_sha256: String,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub d_k: usize,
    pub max_len: usize,
    #[serde(default)]
    pub examples: Vec<String>,
}

impl EncoderManifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json)
            .map_err(|e| t!("encoder.error.manifest", reason = e).into_owned())
    }

    /// `url?v=<first 12 hex digits of the model's sha256>`: a versioned cache key.
    pub fn versioned(&self, file: &str) -> String {
        let version: String = self.onnx_sha256.chars().take(12).collect();
        format!("{MODEL_DIR}{file}?v={version}")
    }
}

/// A step's title, in the reader's language.
pub fn step_title(step: Step) -> String {
    step_text(step, "title")
}

/// What a step does, in the reader's language.
pub fn step_explanation(step: Step) -> String {
    step_text(step, "explanation")
}

/// Every step has a title and an explanation in `locales/encoder.yml`, under
/// `encoder.step.<step id>.<what>` (a unit test checks both languages have each of them: the key is
/// built here, so the test of the literal keys in the sources cannot see it).
fn step_text(step: Step, what: &str) -> String {
    let key = step_key(step, what);
    t!(&key).into_owned()
}

fn step_key(step: Step, what: &str) -> String {
    format!("encoder.step.{}.{what}", step.id())
}

pub fn layer_output(layer: usize, what: &str) -> String {
    format!("layer{layer}.{what}")
}

/// The attention probabilities of every layer, `layer{l}.weights` (the model and head views).
pub fn attention_outputs(n_layers: usize) -> Vec<String> {
    (0..n_layers).map(|l| layer_output(l, "weights")).collect()
}

/// The embedding stage: `X₀ = LayerNorm(E[ids] + T₀ + P[:n])`.
pub const EMBEDDING_OUTPUTS: [&str; 6] = [
    "token_embeddings",
    "token_type_embedding",
    "position_embeddings",
    "embeddings_sum",
    "embeddings_ln_g",
    "embeddings_ln_b",
];

const LAYER_OUTPUTS: [&str; 16] = [
    "x", "q", "k", "v", "scores", "weights", "context", "attn_out", "w_q", "b_q", "w_k", "b_k",
    "w_v", "b_v", "w_o", "b_o",
];

/// Everything the step view needs for `layer`: the embedding stage, `layer0.x` and the layer's
/// own tensors and weights.
pub fn step_outputs(layer: usize) -> Vec<String> {
    let mut names: Vec<String> = EMBEDDING_OUTPUTS.iter().map(|s| s.to_string()).collect();
    if layer != 0 {
        names.push(layer_output(0, "x"));
    }
    names.extend(LAYER_OUTPUTS.iter().map(|w| layer_output(layer, w)));
    names
}

/// The first output the view needs that a loaded graph lacks (`outputs` are its output names):
/// every layer's weights for the model and head views, and the last layer's step tensors (which
/// name the embedding stage and `layer0.x` as well).
pub fn missing_output(n_layers: usize, outputs: &[String]) -> Option<String> {
    attention_outputs(n_layers)
        .into_iter()
        .chain(step_outputs(n_layers.saturating_sub(1)))
        .find(|n| !outputs.contains(n))
}

/// The graph's inputs, as the worker is to type them. The view sends one sentence at a time, and a
/// batch axis fixed at 1 lets tract pick faster kernels for the element-wise steps (native, 256
/// tokens: 119 → 111 ms; `examples/profile_nodes`).
pub fn input_specs() -> Vec<InputSpec> {
    vec![
        InputSpec::i64("input_ids", &["1", "seq"]),
        InputSpec::i64("attention_mask", &["1", "seq"]),
    ]
}

/// One sentence's token ids as the graph's inputs (no padding: the mask is all ones).
pub fn ids_inputs(ids: &[u32]) -> Vec<Tensor> {
    let n = ids.len();
    vec![
        Tensor::i64(
            "input_ids",
            vec![1, n],
            ids.iter().map(|&i| i64::from(i)).collect(),
        ),
        Tensor::i64("attention_mask", vec![1, n], vec![1; n]),
    ]
}

fn find<'a>(tensors: &'a [Tensor], name: &str) -> Result<&'a Tensor, String> {
    Tensor::find(tensors, name)
        .ok_or_else(|| t!("encoder.error.no_output", name = name).into_owned())
}

fn floats<'a>(tensors: &'a [Tensor], name: &str) -> Result<&'a [f32], String> {
    let t = find(tensors, name)?;
    let data = t
        .as_f32()
        .ok_or_else(|| t!("encoder.error.not_float", name = name).into_owned())?;
    if data.len() != t.len() {
        return Err(t!("encoder.error.value_count", name = name).into_owned());
    }
    Ok(data)
}

/// Batch item 0 of a `(batch, rows, cols)` tensor, or a whole `(rows, cols)` one.
fn matrix(tensors: &[Tensor], name: &str) -> Result<Matrix, String> {
    let t = find(tensors, name)?;
    let data = floats(tensors, name)?;
    let (rows, cols) = match t.shape.as_slice() {
        [_, r, c] | [r, c] => (*r, *c),
        other => {
            return Err(t!(
                "encoder.error.not_matrix",
                name = name,
                shape = format!("{other:?}")
            )
            .into_owned())
        }
    };
    Matrix::from_vec(rows, cols, data[..rows * cols].to_vec()).map_err(|e| e.to_string())
}

fn shape_error(name: &str, shape: &[usize]) -> String {
    t!(
        "encoder.error.shape",
        name = name,
        shape = format!("{shape:?}")
    )
    .into_owned()
}

/// A `(1, heads, rows, cols)` tensor as one `(rows, cols)` matrix per head, with its shape (for
/// the checks the caller adds).
fn per_head<'a>(tensors: &'a [Tensor], name: &str) -> Result<(Vec<Matrix>, &'a [usize]), String> {
    let tensor = find(tensors, name)?;
    let data = floats(tensors, name)?;
    let [1, heads, n, m] = tensor.shape[..] else {
        return Err(shape_error(name, &tensor.shape));
    };
    let matrices = (0..heads)
        .map(|h| {
            Matrix::from_vec(n, m, data[h * n * m..(h + 1) * n * m].to_vec())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((matrices, &tensor.shape))
}

fn vector(tensors: &[Tensor], name: &str) -> Result<Vec<f32>, String> {
    floats(tensors, name).map(<[f32]>::to_vec)
}

/// Attention probabilities of one input: for each layer and head an `(n, n)` matrix whose row
/// `i` is how query token `i` spreads its attention over the keys.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMaps {
    pub n_layers: usize,
    pub n_heads: usize,
    pub seq_len: usize,
    /// `[layer][head]`, each `(seq_len, seq_len)`
    pub maps: Vec<Vec<Matrix>>,
}

impl AttentionMaps {
    /// Reads `layer{l}.weights` (each `(1, heads, n, n)`) for `l` in `0..n_layers`.
    pub fn from_tensors(tensors: &[Tensor], n_layers: usize) -> Result<Self, String> {
        Self::from_named(tensors, &attention_outputs(n_layers))
    }

    /// Reads one `(1, heads, n, n)` output per layer, named in layer order (another graph's
    /// names, e.g. an export's `attn.{l}`).
    pub fn from_named(tensors: &[Tensor], names: &[String]) -> Result<Self, String> {
        let n_layers = names.len();
        let mut maps = Vec::with_capacity(n_layers);
        let (mut n_heads, mut seq_len) = (0, 0);
        for (l, name) in names.iter().enumerate() {
            let (layer, shape) = per_head(tensors, name)?;
            let (heads, n, n2) = (shape[1], shape[2], shape[3]);
            if n != n2 || (l > 0 && (heads != n_heads || n != seq_len)) {
                return Err(shape_error(name, shape));
            }
            (n_heads, seq_len) = (heads, n);
            maps.push(layer);
        }
        Ok(Self {
            n_layers,
            n_heads,
            seq_len,
            maps,
        })
    }

    pub fn head(&self, layer: usize, head: usize) -> Option<&Matrix> {
        self.maps.get(layer)?.get(head)
    }

    /// The average over heads of one layer.
    pub fn layer_mean(&self, layer: usize) -> Option<Matrix> {
        let heads = self.maps.get(layer)?;
        let n = self.seq_len;
        let k = heads.len().max(1) as f32;
        Some(Matrix::from_fn(n, n, |i, j| {
            heads.iter().filter_map(|m| m.get(i, j)).sum::<f32>() / k
        }))
    }
}

/// What a token is, for the [CLS]/[SEP] toggle and the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Cls,
    Sep,
    Pad,
    Word,
}

impl TokenKind {
    pub fn of(token: &str) -> Self {
        match token {
            // BERT's names, then RoBERTa's (a model opened in "your own model" may use either).
            "[CLS]" | "<s>" => TokenKind::Cls,
            "[SEP]" | "</s>" => TokenKind::Sep,
            "[PAD]" | "<pad>" => TokenKind::Pad,
            _ => TokenKind::Word,
        }
    }

    pub fn is_special(self) -> bool {
        self != TokenKind::Word
    }
}

/// Positions shown: all tokens, or only the words when special tokens are hidden.
pub fn visible_positions(tokens: &[String], hide_special: bool) -> Vec<usize> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !(hide_special && TokenKind::of(t).is_special()))
        .map(|(i, _)| i)
        .collect()
}

/// Rows `rows` and columns `cols` of `m`, in that order. Not renormalised: with [CLS] and
/// [SEP] hidden, a row shows what its word gives to the other words, and the rest of its sum
/// went to the hidden tokens.
pub fn submatrix(m: &Matrix, rows: &[usize], cols: &[usize]) -> Matrix {
    Matrix::from_fn(rows.len(), cols.len(), |i, j| {
        m.get(rows[i], cols[j]).unwrap_or(f32::NAN)
    })
}

/// Entropy of one attention row in nats, `−Σ p ln p` with `0 · ln 0 = 0`: 0 when all weight
/// is on one key, `ln n` when it is spread evenly over `n` keys.
pub fn row_entropy(row: &[f32]) -> f32 {
    -row.iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| p * p.ln())
        .sum::<f32>()
}

/// Summary of one head over an input, each an average over the query rows considered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadStats {
    pub layer: usize,
    pub head: usize,
    /// Mean row entropy in nats (0 = each query looks at one key)
    pub entropy: f32,
    /// Mean weight on the [CLS] token
    pub cls: f32,
    /// Mean total weight on [SEP] tokens
    pub sep: f32,
    /// Mean weight of a token on itself, `w_ii`
    pub self_weight: f32,
    /// Mean weight on the token before, `w_i,i−1` (queries with one)
    pub prev: f32,
    /// Mean weight on the token after, `w_i,i+1` (queries with one)
    pub next: f32,
}

/// Statistics of one head's `(n, n)` weights. `queries` are the rows averaged over (all
/// positions, or only the words when special tokens are hidden); keys are always all tokens.
pub fn head_stats(
    layer: usize,
    head: usize,
    weights: &Matrix,
    kinds: &[TokenKind],
    queries: &[usize],
) -> HeadStats {
    let n = weights.cols();
    let mean = |values: &mut dyn Iterator<Item = f32>| {
        let (sum, count) = values.fold((0.0f32, 0usize), |(s, c), v| (s + v, c + 1));
        if count == 0 {
            0.0
        } else {
            sum / count as f32
        }
    };
    let rows = || queries.iter().copied().filter(|&i| i < weights.rows());
    let weight_on = |i: usize, kind: TokenKind| -> f32 {
        weights
            .row(i)
            .iter()
            .zip(kinds)
            .filter(|(_, &k)| k == kind)
            .map(|(w, _)| w)
            .sum()
    };
    HeadStats {
        layer,
        head,
        entropy: mean(&mut rows().map(|i| row_entropy(weights.row(i)))),
        cls: mean(&mut rows().map(|i| weight_on(i, TokenKind::Cls))),
        sep: mean(&mut rows().map(|i| weight_on(i, TokenKind::Sep))),
        self_weight: mean(&mut rows().filter_map(|i| weights.get(i, i))),
        prev: mean(
            &mut rows()
                .filter(|&i| i > 0)
                .filter_map(|i| weights.get(i, i - 1)),
        ),
        next: mean(
            &mut rows()
                .filter(|&i| i + 1 < n)
                .filter_map(|i| weights.get(i, i + 1)),
        ),
    }
}

/// Statistics of every head, in layer-then-head order.
pub fn all_head_stats(
    maps: &AttentionMaps,
    tokens: &[String],
    hide_special: bool,
) -> Vec<HeadStats> {
    let kinds: Vec<TokenKind> = tokens.iter().map(|t| TokenKind::of(t)).collect();
    let queries = visible_positions(tokens, hide_special);
    maps.maps
        .iter()
        .enumerate()
        .flat_map(|(l, heads)| {
            let (kinds, queries) = (&kinds, &queries);
            heads
                .iter()
                .enumerate()
                .map(move |(h, m)| head_stats(l, h, m, kinds, queries))
        })
        .collect()
}

/// A column of the statistics table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatKey {
    Head,
    Entropy,
    Cls,
    Sep,
    SelfWeight,
    Prev,
    Next,
}

impl StatKey {
    pub const ALL: [StatKey; 7] = [
        StatKey::Head,
        StatKey::Entropy,
        StatKey::Cls,
        StatKey::Sep,
        StatKey::SelfWeight,
        StatKey::Prev,
        StatKey::Next,
    ];

    /// The column's heading, in the reader's language.
    pub fn label(self) -> std::borrow::Cow<'static, str> {
        match self {
            StatKey::Head => t!("encoder.stat.head"),
            StatKey::Entropy => t!("encoder.stat.entropy"),
            StatKey::Cls => t!("encoder.stat.cls"),
            StatKey::Sep => t!("encoder.stat.sep"),
            StatKey::SelfWeight => t!("encoder.stat.self"),
            StatKey::Prev => t!("encoder.stat.prev"),
            StatKey::Next => t!("encoder.stat.next"),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            StatKey::Head => "head",
            StatKey::Entropy => "entropy",
            StatKey::Cls => "cls",
            StatKey::Sep => "sep",
            StatKey::SelfWeight => "self",
            StatKey::Prev => "prev",
            StatKey::Next => "next",
        }
    }

    pub fn of(self, s: &HeadStats) -> f32 {
        match self {
            StatKey::Head => (s.layer * 1000 + s.head) as f32,
            StatKey::Entropy => s.entropy,
            StatKey::Cls => s.cls,
            StatKey::Sep => s.sep,
            StatKey::SelfWeight => s.self_weight,
            StatKey::Prev => s.prev,
            StatKey::Next => s.next,
        }
    }
}

/// Sorts by `key` (ties by layer and head, so the order is stable and total).
pub fn sort_stats(stats: &mut [HeadStats], key: StatKey, descending: bool) {
    stats.sort_by(|a, b| {
        let order = key.of(a).total_cmp(&key.of(b));
        let order = if descending { order.reverse() } else { order };
        order.then((a.layer, a.head).cmp(&(b.layer, b.head)))
    });
}

/// One line of the head view: query `from` attends to key `to` with `weight`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub from: usize,
    pub to: usize,
    pub weight: f32,
}

/// The lines worth drawing between visible tokens: weight at least `min_weight`. Drawing all
/// n² lines would hide the pattern (and cost 65 536 SVG elements at 256 tokens); lines below
/// a few percent are invisible at their opacity anyway.
pub fn head_lines(weights: &Matrix, visible: &[usize], min_weight: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    for &i in visible {
        for &j in visible {
            if let Some(w) = weights.get(i, j) {
                if w >= min_weight {
                    lines.push(Line {
                        from: i,
                        to: j,
                        weight: w,
                    });
                }
            }
        }
    }
    lines
}

/// LayerNorm over each row: `γ ⊙ (x − mean) / √(var + ε) + β`, variance biased (÷ d).
pub fn layer_norm(x: &Matrix, gamma: &[f32], beta: &[f32], eps: f32) -> Matrix {
    let d = x.cols();
    let mut out = Vec::with_capacity(x.rows() * d);
    for i in 0..x.rows() {
        let row = x.row(i);
        let mean = row.iter().sum::<f32>() / d as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
        let std = (var + eps).sqrt();
        out.extend(
            row.iter()
                .zip(gamma.iter().zip(beta))
                .map(|(v, (g, b))| (v - mean) / std * g + b),
        );
    }
    Matrix::from_vec(x.rows(), d, out).unwrap_or_else(|_| Matrix::zeros(x.rows(), d))
}

/// The embedding stage as the model ran it (batch of one).
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingRecord {
    /// `E[ids]`, `(n, d)`
    pub token: Matrix,
    /// `T₀`, the token-type-0 row (every token is in sentence A), `(d,)`
    pub token_type: Vec<f32>,
    /// `P[0..n]`, learned position rows, `(n, d)`
    pub position: Matrix,
    /// `E[ids] + T₀ + P`, `(n, d)`
    pub sum: Matrix,
    pub ln_gamma: Vec<f32>,
    pub ln_beta: Vec<f32>,
    /// `LayerNorm(sum)`: the input of layer 1, `(n, d)`
    pub x: Matrix,
}

/// One layer for the step view: the model's own numbers, our recomputation and how far apart
/// they are.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderLayer {
    pub layer: usize,
    pub tokens: Vec<String>,
    pub embeddings: EmbeddingRecord,
    /// What tract computed for this layer
    pub record: LayerRecord,
    /// Our recomputation from the layer's input and weights
    pub steps: AttentionSteps,
    /// Our `E + T + P` and `LayerNorm` of it
    pub our_sum: Matrix,
    pub our_x0: Matrix,
    pub checks: Vec<LayerCheck>,
}

/// What one agreement check compares (named in the reader's language only when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// `E + T₀ + P`
    Sum,
    /// `LayerNorm(E + T₀ + P)`, the input of layer 1
    X0,
    Query,
    Key,
    Value,
    /// Raw scores of a head (0-based)
    Scores(usize),
    /// Softmax weights of a head (0-based)
    Weights(usize),
    Concat,
    Output,
}

impl Checked {
    /// The short name the agreement badge lists.
    pub fn label(self) -> String {
        match self {
            Checked::Sum => "E + T + P".into(),
            Checked::X0 => "X = LayerNorm(E + T + P)".into(),
            Checked::Query => "Q".into(),
            Checked::Key => "K".into(),
            Checked::Value => "V".into(),
            Checked::Scores(h) => t!("encoder.check.scores", h = h + 1).into_owned(),
            Checked::Weights(h) => t!("encoder.check.weights", h = h + 1).into_owned(),
            Checked::Concat => t!("encoder.check.concat").into_owned(),
            Checked::Output => t!("encoder.check.output").into_owned(),
        }
    }

    /// The embedding checks come before any layer.
    fn in_layer(self) -> bool {
        !matches!(self, Checked::Sum | Checked::X0)
    }
}

/// Our recomputation of one quantity against the model's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerCheck {
    pub what: Checked,
    pub max_abs_diff: f32,
}

impl EncoderLayer {
    /// Builds the record of `layer` from the tensors named by [`step_outputs`] and recomputes it.
    pub fn from_tensors(
        tensors: &[Tensor],
        layer: usize,
        tokens: Vec<String>,
    ) -> Result<Self, String> {
        let t = |what: &str| layer_output(layer, what);
        let embeddings = EmbeddingRecord {
            token: matrix(tensors, "token_embeddings")?,
            token_type: vector(tensors, "token_type_embedding")?,
            position: matrix(tensors, "position_embeddings")?,
            sum: matrix(tensors, "embeddings_sum")?,
            ln_gamma: vector(tensors, "embeddings_ln_g")?,
            ln_beta: vector(tensors, "embeddings_ln_b")?,
            x: matrix(tensors, &layer_output(0, "x"))?,
        };
        let heads = |name: &str| per_head(tensors, name).map(|(heads, _)| heads);
        let scores = heads(&t("scores"))?;
        let n_heads = scores.len();
        let params = AttentionParams {
            w_query: matrix(tensors, &t("w_q"))?,
            b_query: vector(tensors, &t("b_q"))?,
            w_key: matrix(tensors, &t("w_k"))?,
            b_key: vector(tensors, &t("b_k"))?,
            w_value: matrix(tensors, &t("w_v"))?,
            b_value: vector(tensors, &t("b_v"))?,
            w_output: matrix(tensors, &t("w_o"))?,
            b_output: vector(tensors, &t("b_o"))?,
            n_heads,
        };
        if n_heads == 0 || !params.d_model().is_multiple_of(n_heads) {
            return Err(format!(
                "{n_heads} heads do not divide d_model = {}",
                params.d_model()
            ));
        }
        let record = LayerRecord {
            x: matrix(tensors, &t("x"))?,
            query: matrix(tensors, &t("q"))?,
            key: matrix(tensors, &t("k"))?,
            value: matrix(tensors, &t("v"))?,
            scores,
            weights: heads(&t("weights"))?,
            context: matrix(tensors, &t("context"))?,
            attn_out: matrix(tensors, &t("attn_out"))?,
            params,
        };
        let n = record.x.rows();
        if tokens.len() != n {
            return Err(t!("encoder.error.rows", tokens = tokens.len(), rows = n).into_owned());
        }
        // One sentence: nothing is padding, so nothing is masked.
        let mask = Mask::Padding(vec![true; n]);
        let steps = attention_steps(&record.x, &record.params, &mask).map_err(|e| e.to_string())?;
        let e = &embeddings;
        let our_sum = e
            .token
            .add_row_vector(&e.token_type)
            .and_then(|s| s.add(&e.position))
            .map_err(|err| err.to_string())?;
        let our_x0 = layer_norm(&our_sum, &e.ln_gamma, &e.ln_beta, LN_EPS);
        let mut checks = Vec::new();
        let mut push = |what: Checked, a: &Matrix, b: &Matrix| {
            checks.push(LayerCheck {
                what,
                max_abs_diff: a.max_abs_diff(b),
            });
        };
        push(Checked::Sum, &our_sum, &e.sum);
        push(Checked::X0, &our_x0, &e.x);
        push(Checked::Query, &steps.query, &record.query);
        push(Checked::Key, &steps.key, &record.key);
        push(Checked::Value, &steps.value, &record.value);
        for (h, head) in steps.heads.iter().enumerate() {
            if let Some(m) = record.scores.get(h) {
                push(Checked::Scores(h), &head.scores, m);
            }
            if let Some(m) = record.weights.get(h) {
                push(Checked::Weights(h), &head.weights, m);
            }
        }
        push(Checked::Concat, &steps.concat, &record.context);
        push(Checked::Output, &steps.output, &record.attn_out);
        Ok(Self {
            layer,
            tokens,
            embeddings,
            record,
            steps,
            our_sum,
            our_x0,
            checks,
        })
    }

    /// The checks as the agreement badge shows them, named in the current language.
    pub fn agreement(&self) -> Agreement {
        let checks = self
            .checks
            .iter()
            .map(|c| StepCheck {
                layer: c.what.in_layer().then_some(self.layer),
                what: c.what.label(),
                max_abs_diff: c.max_abs_diff,
            })
            .collect();
        Agreement { checks }
    }

    /// Largest difference between our maths and the model over every check.
    pub fn max_abs_diff(&self) -> f32 {
        self.checks
            .iter()
            .map(|c| c.max_abs_diff)
            .fold(0.0, f32::max)
    }
}

/// The note shown when the text was longer than the model reads.
pub fn truncation_note(untruncated_len: usize, max_len: usize) -> Option<String> {
    (untruncated_len > max_len).then(|| {
        t!(
            "encoder.truncated",
            n = untruncated_len,
            max = max_len,
            kept = max_len.saturating_sub(2)
        )
        .into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn entropy_of_one_hot_is_zero_and_of_uniform_is_ln_n() {
        assert_eq!(row_entropy(&[0.0, 1.0, 0.0, 0.0]), 0.0);
        for n in [1usize, 2, 7, 256] {
            let row = vec![1.0 / n as f32; n];
            assert!(
                (row_entropy(&row) - (n as f32).ln()).abs() < 1e-4,
                "n = {n}"
            );
        }
        // Between the two, and no NaN from 0 · ln 0.
        let e = row_entropy(&[0.5, 0.5, 0.0]);
        assert!(close(e, 2f32.ln()));
    }

    fn tokens(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn statistics_of_hand_made_heads() {
        let toks = tokens(&["[CLS]", "a", "b", "[SEP]"]);
        let kinds: Vec<TokenKind> = toks.iter().map(|t| TokenKind::of(t)).collect();
        let all = visible_positions(&toks, false);
        // Every query attends to the previous token ([CLS] to itself).
        let prev = Matrix::from_fn(4, 4, |i, j| {
            if j + 1 == i || (i == 0 && j == 0) {
                1.0
            } else {
                0.0
            }
        });
        let s = head_stats(2, 5, &prev, &kinds, &all);
        assert_eq!((s.layer, s.head), (2, 5));
        assert!(close(s.entropy, 0.0));
        assert!(close(s.prev, 1.0), "{s:?}");
        assert!(close(s.next, 0.0));
        assert!(close(s.self_weight, 0.25));
        assert!(close(s.cls, 0.5)); // rows 0 and 1 put everything on [CLS]
        assert!(close(s.sep, 0.0));

        // Everything on [SEP].
        let sep = Matrix::from_fn(4, 4, |_, j| if j == 3 { 1.0 } else { 0.0 });
        let s = head_stats(0, 0, &sep, &kinds, &all);
        assert!(close(s.sep, 1.0) && close(s.cls, 0.0) && close(s.entropy, 0.0));
        assert!(
            close(s.next, 1.0 / 3.0),
            "only row 2 has its next token at [SEP]: {s:?}"
        );

        // Uniform: entropy ln 4; special tokens hidden averages over the words only.
        let uniform = Matrix::from_fn(4, 4, |_, _| 0.25);
        let words = visible_positions(&toks, true);
        assert_eq!(words, vec![1, 2]);
        let s = head_stats(0, 0, &uniform, &kinds, &words);
        assert!((s.entropy - 4f32.ln()).abs() < 1e-5);
        assert!(close(s.cls, 0.25) && close(s.sep, 0.25) && close(s.prev, 0.25));
    }

    #[test]
    fn sorting_is_total_and_stable() {
        let toks = tokens(&["[CLS]", "x", "[SEP]"]);
        let a = Matrix::from_fn(3, 3, |_, j| if j == 0 { 1.0 } else { 0.0 });
        let b = Matrix::from_fn(3, 3, |_, _| 1.0 / 3.0);
        let maps = AttentionMaps {
            n_layers: 2,
            n_heads: 2,
            seq_len: 3,
            maps: vec![vec![a.clone(), b.clone()], vec![b, a]],
        };
        let mut stats = all_head_stats(&maps, &toks, false);
        assert_eq!(stats.len(), 4);
        sort_stats(&mut stats, StatKey::Entropy, true);
        let order: Vec<_> = stats.iter().map(|s| (s.layer, s.head)).collect();
        assert_eq!(order, vec![(0, 1), (1, 0), (0, 0), (1, 1)]);
        sort_stats(&mut stats, StatKey::Cls, true);
        assert_eq!((stats[0].layer, stats[0].head), (0, 0));
        sort_stats(&mut stats, StatKey::Head, false);
        let order: Vec<_> = stats.iter().map(|s| (s.layer, s.head)).collect();
        assert_eq!(order, vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
    }

    #[test]
    fn hiding_special_tokens_keeps_the_words_in_order() {
        let toks = tokens(&["[CLS]", "the", "cat", "[SEP]", "[PAD]"]);
        assert_eq!(visible_positions(&toks, true), vec![1, 2]);
        assert_eq!(visible_positions(&toks, false), vec![0, 1, 2, 3, 4]);
        let m = Matrix::from_fn(5, 5, |i, j| (i * 10 + j) as f32);
        let sub = submatrix(&m, &[1, 2], &[1, 2]);
        assert_eq!(sub.data(), &[11.0, 12.0, 21.0, 22.0]);
    }

    #[test]
    fn head_lines_keep_only_visible_tokens_above_the_threshold() {
        let m = Matrix::from_vec(3, 3, vec![0.9, 0.05, 0.05, 0.5, 0.5, 0.0, 0.01, 0.01, 0.98])
            .expect("3x3");
        let lines = head_lines(&m, &[0, 1, 2], 0.05);
        assert_eq!(lines.len(), 6);
        assert!(lines.iter().all(|l| l.weight >= 0.05));
        let lines = head_lines(&m, &[1, 2], 0.05);
        assert_eq!(
            lines,
            vec![
                Line {
                    from: 1,
                    to: 1,
                    weight: 0.5
                },
                Line {
                    from: 2,
                    to: 2,
                    weight: 0.98
                }
            ]
        );
    }

    #[test]
    fn layer_norm_centres_and_scales_each_row() {
        let x =
            Matrix::from_vec(2, 4, vec![1.0, 2.0, 3.0, 4.0, -2.0, -2.0, -2.0, -2.0]).expect("2x4");
        let y = layer_norm(&x, &[1.0; 4], &[0.0; 4], 1e-12);
        let row = y.row(0);
        assert!(close(row.iter().sum::<f32>(), 0.0));
        let var = row.iter().map(|v| v * v).sum::<f32>() / 4.0;
        assert!((var - 1.0).abs() < 1e-5);
        // A constant row has no spread: it becomes β, not NaN.
        assert!(y.row(1).iter().all(|v| close(*v, 0.0)));
        let y = layer_norm(&x, &[2.0; 4], &[0.5; 4], 1e-12);
        assert!(close(y.row(1)[0], 0.5));
    }

    #[test]
    fn attention_maps_read_back_and_reject_bad_shapes() {
        let n = 3;
        let data: Vec<f32> = (0..2 * n * n).map(|v| v as f32).collect();
        let t = Tensor::f32("layer0.weights", vec![1, 2, n, n], data.clone());
        let maps = AttentionMaps::from_tensors(&[t], 1).expect("reads");
        assert_eq!((maps.n_layers, maps.n_heads, maps.seq_len), (1, 2, 3));
        assert_eq!(maps.head(0, 1).expect("head").get(0, 0), Some(9.0));
        let mean = maps.layer_mean(0).expect("layer");
        assert_eq!(mean.get(0, 0), Some(4.5));

        let bad = Tensor::f32(
            "layer0.weights",
            vec![1, 2, n, n + 1],
            vec![0.0; 2 * n * (n + 1)],
        );
        assert!(AttentionMaps::from_tensors(&[bad], 1).is_err());
        assert!(AttentionMaps::from_tensors(&[], 1).is_err());
        let short = Tensor::f32("layer0.weights", vec![1, 2, n, n], vec![0.0; 3]);
        assert!(AttentionMaps::from_tensors(&[short], 1).is_err());
    }

    #[test]
    fn step_outputs_name_the_layer_and_the_embeddings() {
        let names = step_outputs(3);
        assert!(names.contains(&"layer3.w_o".to_string()));
        assert!(names.contains(&"layer0.x".to_string()));
        assert!(names.contains(&"embeddings_sum".to_string()));
        assert_eq!(
            step_outputs(0).iter().filter(|n| *n == "layer0.x").count(),
            1
        );
        assert_eq!(
            attention_outputs(2),
            vec!["layer0.weights", "layer1.weights"]
        );
    }

    #[test]
    fn truncation_note_only_when_cut() {
        assert_eq!(truncation_note(256, 256), None);
        let note = truncation_note(300, 256).expect("note");
        assert!(note.contains("300") && note.contains("256"));
    }

    /// The page's words come from locales/encoder.yml in both languages (English is the default
    /// locale; tests never switch it, so they ask for Chinese explicitly).
    #[test]
    fn messages_exist_in_english_and_chinese() {
        let zh = t!(
            "encoder.truncated",
            locale = "zh-CN",
            n = 300,
            max = 256,
            kept = 254
        );
        assert!(
            zh.contains("300") && zh.contains("256") && zh.contains("254"),
            "{zh}"
        );
        assert!(zh.contains("词元"), "{zh}");
        assert_eq!(StatKey::Entropy.label(), "entropy");
        assert_eq!(t!("encoder.stat.entropy", locale = "zh-CN"), "熵");
        assert_eq!(Checked::Weights(2).label(), "weights head 3");
        assert_eq!(Checked::Sum.label(), "E + T + P");
        let err = EncoderManifest::parse("{").expect_err("not json");
        assert!(err.starts_with("the model manifest is not valid"), "{err}");
    }

    #[test]
    fn manifest_parses_and_versions_urls() {
        let m = EncoderManifest::parse(
            r#"{"name":"m","onnx":"model.onnx","tokenizer":"tokenizer.json","onnx_bytes":1,
            "tokenizer_bytes":2,"onnx_gzip_bytes":1,"onnx_sha256":"0123456789abcdef","n_layers":6,
            "n_heads":12,"d_model":384,"d_k":32,"max_len":256}"#,
        )
        .expect("parses");
        assert_eq!(
            m.versioned("model.onnx"),
            "models/minilm/model.onnx?v=0123456789ab"
        );
        assert!(EncoderManifest::parse("{").is_err());
    }

    #[test]
    fn every_step_has_a_title_and_an_explanation_in_both_languages() {
        // The locale is asked for explicitly: tests never switch the global one.
        for locale in ["en", "zh-CN"] {
            for step in Step::ALL {
                for what in ["title", "explanation"] {
                    let key = step_key(step, what);
                    let text = t!(&key, locale = locale);
                    assert!(!text.contains(&key), "{locale}: no {key}");
                    assert!(!text.trim().is_empty(), "{locale}: {key} is empty");
                }
            }
        }
        assert_eq!(step_title(Step::Qkv), t!("encoder.step.qkv.title"));
        assert_eq!(
            step_explanation(Step::Mask),
            t!("encoder.step.mask.explanation")
        );
    }

    #[test]
    fn missing_output_names_the_first_one_the_view_needs() {
        let all: Vec<String> = attention_outputs(6)
            .into_iter()
            .chain(step_outputs(5))
            .collect();
        assert_eq!(missing_output(6, &all), None);
        let without: Vec<String> = all.iter().filter(|n| *n != "layer5.w_o").cloned().collect();
        assert_eq!(missing_output(6, &without).as_deref(), Some("layer5.w_o"));
        assert_eq!(missing_output(6, &[]).as_deref(), Some("layer0.weights"));
    }
}
