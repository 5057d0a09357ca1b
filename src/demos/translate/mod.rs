//! The translation demo (English → French), its pure part: the greedy decoding loop, reading
//! the decoder's outputs into per-step records, top-k, the alignment and self-attention
//! matrices the page draws, and turning tokens back into text.
//!
//! The model is an encoder–decoder transformer exported as two ONNX graphs (see
//! `models/README.md`): the encoder maps `src_ids`, `src_mask` to `memory`; the decoder maps
//! `tgt_ids` (`<s>` and the tokens chosen so far), `memory` and `src_mask` to the
//! log-probabilities of the next token and, per layer, its self-attention `[1, H, T, T]` and
//! cross-attention `[1, H, T, S]`. Every step recomputes the whole prefix (no key/value cache):
//! at this size that is cheap, and it is exact.
//!
//! No yew, no tract: everything here runs natively under `cargo test`; the decoder is a
//! closure, so the loop is tested with a fake model here and with tract in `tests/models`.

#[cfg(target_arch = "wasm32")]
pub mod view;

use rust_i18n::t;
use serde::Deserialize;

use crate::maths::Matrix;
use crate::protocol::{Encoded, InputSpec, Tensor};

pub mod analysis;
pub mod explain;
pub mod link;

/// Keys under which the page loads the two graphs into the worker.
pub const ENCODER_KEY: &str = "translate-encoder";
pub const DECODER_KEY: &str = "translate-decoder";
/// Folder of the model files, relative to the page (the site may live under a sub-path).
pub const MODEL_DIR: &str = "models/translate/";
/// The encoder output the decoder reads.
pub const MEMORY: &str = "memory";
/// The decoder output: log-probabilities of the token after the last position, `[1, V]`.
pub const LOG_PROBS: &str = "log_probs";
/// How many candidates the page shows per step.
pub const TOP_K: usize = 5;
/// SentencePiece's word-start mark, which the tokenizer puts in front of every word.
pub const WORD_START: char = '\u{2581}';

/// Name of decoder layer `layer`'s self-attention output.
pub fn self_attn_name(layer: usize) -> String {
    format!("dec{layer}.self_attn")
}

/// Name of decoder layer `layer`'s cross-attention output.
pub fn cross_attn_name(layer: usize) -> String {
    format!("dec{layer}.cross_attn")
}

/// Name of encoder layer `layer`'s self-attention output.
pub fn enc_attn_name(layer: usize) -> String {
    format!("enc{layer}.self_attn")
}

/// Size and checksum of one served file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FileInfo {
    pub bytes: u64,
    pub gzip_bytes: u64,
    pub sha256: String,
}

/// `<dir><file>?v=<first 12 hex digits of its sha256>`: a URL that changes with the file, so a
/// cached copy is never stale.
pub fn versioned_url(
    dir: &str,
    files: &std::collections::BTreeMap<String, FileInfo>,
    file: &str,
) -> String {
    let version: String = files
        .get(file)
        .map(|f| f.sha256.chars().take(12).collect())
        .unwrap_or_default();
    format!("{dir}{file}?v={version}")
}

/// One of the held-out scores written at export.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Score {
    pub bleu: f32,
    pub chrf: f32,
    pub verses: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Metrics {
    /// The shipped (int8-weight) model.
    pub int8: Option<Score>,
    pub float32: Option<Score>,
}

/// `models/translate/manifest.json`: what the page needs before downloading the model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TranslateManifest {
    pub name: String,
    pub encoder: String,
    pub decoder: String,
    pub tokenizer: String,
    pub files: std::collections::BTreeMap<String, FileInfo>,
    pub vocab_size: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_enc_layers: usize,
    pub n_dec_layers: usize,
    pub max_src: usize,
    pub max_new_tokens: usize,
    pub bos_id: u32,
    pub eos_id: u32,
    pub unk_id: u32,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub metrics: Metrics,
}

impl TranslateManifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        let m: Self = serde_json::from_str(json)
            .map_err(|e| t!("translate.err.manifest_invalid", error = e).into_owned())?;
        let vocab = m.vocab_size;
        if m.n_heads == 0 || m.n_dec_layers == 0 || m.d_model == 0 || m.max_new_tokens == 0 {
            return Err(t!("translate.err.manifest_zero").into_owned());
        }
        if [m.bos_id, m.eos_id, m.unk_id]
            .iter()
            .any(|&id| id as usize >= vocab)
        {
            return Err(t!("translate.err.manifest_token").into_owned());
        }
        for f in [&m.encoder, &m.decoder, &m.tokenizer] {
            if !m.files.contains_key(f) {
                return Err(t!("translate.err.manifest_file", file = f).into_owned());
            }
        }
        Ok(m)
    }

    /// The decoding dimensions the loop needs.
    pub fn dims(&self) -> Dims {
        Dims {
            n_layers: self.n_dec_layers,
            n_heads: self.n_heads,
            vocab: self.vocab_size,
            bos: self.bos_id,
            eos: self.eos_id,
            max_new_tokens: self.max_new_tokens,
        }
    }

    /// `models/translate/<file>?v=<first 12 hex digits of its sha256>`: a versioned cache key.
    pub fn url(&self, file: &str) -> String {
        versioned_url(MODEL_DIR, &self.files, file)
    }

    /// Bytes the page downloads (both graphs and the tokenizer).
    pub fn download_bytes(&self) -> u64 {
        self.files.values().map(|f| f.bytes).sum()
    }
}

/// What the decoding loop needs to know about the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub n_layers: usize,
    pub n_heads: usize,
    pub vocab: usize,
    pub bos: u32,
    pub eos: u32,
    /// Decoding stops after this many tokens even without `</s>`.
    pub max_new_tokens: usize,
}

/// The encoder's inputs, as the worker declares them (`S` varies per sentence).
pub fn encoder_specs() -> Vec<InputSpec> {
    vec![
        InputSpec::i64("src_ids", &["1", "S"]),
        InputSpec::i64("src_mask", &["1", "S"]),
    ]
}

/// The decoder's inputs (`T` grows by one per step).
pub fn decoder_specs(d_model: usize) -> Vec<InputSpec> {
    let d = d_model.to_string();
    vec![
        InputSpec::i64("tgt_ids", &["1", "T"]),
        InputSpec::f32("memory", &["1", "S", &d]),
        InputSpec::i64("src_mask", &["1", "S"]),
    ]
}

fn ids_i64(ids: &[u32]) -> Vec<i64> {
    ids.iter().map(|&i| i64::from(i)).collect()
}

/// The encoder's input tensors for one tokenized sentence (no padding: batch of one).
pub fn encoder_inputs(src_ids: &[u32]) -> Vec<Tensor> {
    let n = src_ids.len();
    vec![
        Tensor::i64("src_ids", vec![1, n], ids_i64(src_ids)),
        Tensor::i64("src_mask", vec![1, n], vec![1; n]),
    ]
}

/// The decoder's input tensors for the prefix `tgt_ids` (starting with `<s>`). Ids must lie
/// inside the vocabulary of `vocab` tokens (tract's Gather would panic on others, and a panic
/// kills the worker).
pub fn decoder_inputs(
    tgt_ids: &[u32],
    memory: &Tensor,
    vocab: usize,
) -> Result<Vec<Tensor>, String> {
    if let Some(bad) = tgt_ids.iter().find(|&&i| i as usize >= vocab) {
        return Err(t!("translate.err.token_outside", id = bad, vocab = vocab).into_owned());
    }
    if tgt_ids.is_empty() {
        return Err(t!("translate.err.no_start").into_owned());
    }
    let s = match memory.shape.as_slice() {
        [1, s, _] if *s > 0 => *s,
        other => {
            return Err(t!("translate.err.memory_shape", shape = format!("{other:?}")).into_owned())
        }
    };
    let mut memory = memory.clone();
    memory.name = MEMORY.to_owned();
    Ok(vec![
        Tensor::i64("tgt_ids", vec![1, tgt_ids.len()], ids_i64(tgt_ids)),
        memory,
        Tensor::i64("src_mask", vec![1, s], vec![1; s]),
    ])
}

/// The decoder outputs one step needs: log-probabilities and every attention map.
pub fn decoder_outputs(n_layers: usize) -> Vec<String> {
    let mut names = vec![LOG_PROBS.to_owned()];
    for l in 0..n_layers {
        names.push(self_attn_name(l));
        names.push(cross_attn_name(l));
    }
    names
}

/// A candidate next token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub id: u32,
    pub log_prob: f32,
}

impl Candidate {
    pub fn prob(&self) -> f32 {
        self.log_prob.exp()
    }
}

/// The `k` most likely tokens, most likely first (ties: lower id first); NaN never wins.
pub fn top_k(log_probs: &[f32], k: usize) -> Vec<Candidate> {
    let mut best: Vec<Candidate> = Vec::with_capacity(k + 1);
    for (i, &v) in log_probs.iter().enumerate() {
        if v.is_nan() || k == 0 {
            continue;
        }
        if best.len() == k && best.last().is_some_and(|c| c.log_prob >= v) {
            continue;
        }
        let at = best.partition_point(|c| c.log_prob >= v);
        best.insert(
            at,
            Candidate {
                id: u32::try_from(i).unwrap_or(u32::MAX),
                log_prob: v,
            },
        );
        best.truncate(k);
    }
    best
}

/// The last row of every head of an attention output `[1, H, rows, cols]`.
fn last_rows(t: &Tensor, heads: usize, rows: usize, cols: usize) -> Result<Vec<Vec<f32>>, String> {
    if t.shape != [1, heads, rows, cols] {
        return Err(t!(
            "translate.err.attn_shape",
            name = t.name,
            shape = format!("{:?}", t.shape),
            expected = format!("[1, {heads}, {rows}, {cols}]")
        )
        .into_owned());
    }
    let data = t
        .as_f32()
        .ok_or_else(|| t!("translate.err.not_f32", name = t.name).into_owned())?;
    if data.len() != heads * rows * cols || rows == 0 {
        return Err(t!("translate.err.value_count", name = t.name, n = data.len()).into_owned());
    }
    Ok((0..heads)
        .map(|h| {
            let start = (h * rows + rows - 1) * cols;
            data[start..start + cols].to_vec()
        })
        .collect())
}

/// What one decoding step computed: the candidates and where the new position looked.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The chosen (most likely) token: `top[0]`.
    pub chosen: u32,
    pub top: Vec<Candidate>,
    /// `[layer][head]`: weights of the newest position over positions `0..=t` (causal).
    pub self_rows: Vec<Vec<Vec<f32>>>,
    /// `[layer][head]`: weights of the newest position over the source tokens.
    pub cross_rows: Vec<Vec<Vec<f32>>>,
}

impl Step {
    /// Reads the decoder's outputs for a prefix of `t_len` tokens over `s_len` source tokens.
    pub fn from_outputs(
        outputs: &[Tensor],
        dims: &Dims,
        t_len: usize,
        s_len: usize,
    ) -> Result<Step, String> {
        let lp = Tensor::find(outputs, LOG_PROBS)
            .ok_or_else(|| t!("translate.err.no_output", name = LOG_PROBS).into_owned())?;
        let values = lp
            .as_f32()
            .filter(|v| lp.shape == [1, dims.vocab] && v.len() == dims.vocab)
            .ok_or_else(|| {
                t!(
                    "translate.err.log_probs_shape",
                    name = LOG_PROBS,
                    shape = format!("{:?}", lp.shape),
                    vocab = dims.vocab
                )
                .into_owned()
            })?;
        let top = top_k(values, TOP_K);
        let chosen = top
            .first()
            .map(|c| c.id)
            .ok_or_else(|| t!("translate.err.all_nan").into_owned())?;
        let mut self_rows = Vec::with_capacity(dims.n_layers);
        let mut cross_rows = Vec::with_capacity(dims.n_layers);
        for l in 0..dims.n_layers {
            let find = |name: String| {
                Tensor::find(outputs, &name)
                    .ok_or_else(|| t!("translate.err.no_output", name = name).into_owned())
            };
            self_rows.push(last_rows(
                find(self_attn_name(l))?,
                dims.n_heads,
                t_len,
                t_len,
            )?);
            cross_rows.push(last_rows(
                find(cross_attn_name(l))?,
                dims.n_heads,
                t_len,
                s_len,
            )?);
        }
        Ok(Step {
            chosen,
            top,
            self_rows,
            cross_rows,
        })
    }
}

/// Why decoding ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The model chose `</s>`.
    EndOfSentence,
    /// `max_new_tokens` were produced without `</s>`.
    MaxLength,
}

/// Which attention map to draw: one head of one layer, or the average of the layer's heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub layer: usize,
    /// `None`: the average over heads.
    pub head: Option<usize>,
}

/// A greedy decode in progress: the steps taken so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoding {
    dims: Dims,
    src_len: usize,
    steps: Vec<Step>,
}

impl Decoding {
    pub fn new(dims: Dims, src_len: usize) -> Self {
        Self {
            dims,
            src_len,
            steps: Vec::new(),
        }
    }

    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    pub fn src_len(&self) -> usize {
        self.src_len
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The decoder input for the next step: `<s>` and every token chosen so far.
    pub fn prefix(&self) -> Vec<u32> {
        std::iter::once(self.dims.bos)
            .chain(self.steps.iter().map(|s| s.chosen))
            .collect()
    }

    /// Why decoding is over, or `None` while it goes on.
    pub fn stop(&self) -> Option<Stop> {
        match self.steps.last() {
            Some(s) if s.chosen == self.dims.eos => Some(Stop::EndOfSentence),
            _ if self.steps.len() >= self.dims.max_new_tokens => Some(Stop::MaxLength),
            _ => None,
        }
    }

    pub fn finished(&self) -> bool {
        self.stop().is_some()
    }

    /// Adds the step computed for [`Decoding::prefix`]; checks its shapes.
    pub fn push(&mut self, step: Step) -> Result<(), String> {
        if self.finished() {
            return Err(t!("translate.err.finished").into_owned());
        }
        let t = self.steps.len() + 1;
        let ok_layers = step.self_rows.len() == self.dims.n_layers
            && step.cross_rows.len() == self.dims.n_layers;
        let ok_rows = step
            .self_rows
            .iter()
            .chain(&step.cross_rows)
            .all(|heads| heads.len() == self.dims.n_heads)
            && step.self_rows.iter().flatten().all(|r| r.len() == t)
            && step
                .cross_rows
                .iter()
                .flatten()
                .all(|r| r.len() == self.src_len);
        if !ok_layers || !ok_rows {
            return Err(t!(
                "translate.err.step_size",
                t = t,
                layers = self.dims.n_layers,
                heads = self.dims.n_heads,
                src = self.src_len
            )
            .into_owned());
        }
        self.steps.push(step);
        Ok(())
    }

    /// The chosen tokens, without the final `</s>`.
    pub fn output_ids(&self) -> Vec<u32> {
        self.steps
            .iter()
            .map(|s| s.chosen)
            .filter(|&id| id != self.dims.eos)
            .collect()
    }

    fn row(rows: &[Vec<Vec<f32>>], view: View) -> Option<Vec<f32>> {
        let heads = rows.get(view.layer)?;
        match view.head {
            Some(h) => heads.get(h).cloned(),
            None => average(heads),
        }
    }

    /// Cross-attention of the first `n` steps: `n × S`, row `i` = where step `i + 1` looked.
    pub fn cross_matrix(&self, n: usize, view: View) -> Option<Matrix> {
        let n = n.min(self.steps.len());
        let mut data = Vec::with_capacity(n * self.src_len);
        for s in &self.steps[..n] {
            data.extend(Self::row(&s.cross_rows, view)?);
        }
        Matrix::from_vec(n, self.src_len, data).ok()
    }

    /// Decoder self-attention of the first `n` steps: `n × n`, row `i` over positions
    /// `0..=i` (`<s>` and the tokens chosen before step `i + 1`); entries above the diagonal
    /// are masked (exactly 0 after the softmax) and are returned as 0.
    pub fn self_matrix(&self, n: usize, view: View) -> Option<Matrix> {
        let n = n.min(self.steps.len());
        let mut data = vec![0.0; n * n];
        for (i, s) in self.steps[..n].iter().enumerate() {
            let row = Self::row(&s.self_rows, view)?;
            data[i * n..i * n + row.len().min(n)].copy_from_slice(&row[..row.len().min(n)]);
        }
        Matrix::from_vec(n, n, data).ok()
    }
}

/// Mean over heads of equally long rows; `None` for no heads or unequal lengths.
pub fn average(heads: &[Vec<f32>]) -> Option<Vec<f32>> {
    let first = heads.first()?;
    if heads.iter().any(|h| h.len() != first.len()) {
        return None;
    }
    let n = heads.len() as f32;
    Some(
        (0..first.len())
            .map(|j| heads.iter().map(|h| h[j]).sum::<f32>() / n)
            .collect(),
    )
}

/// Greedy decoding: `run(prefix)` computes one step for the decoder input `prefix`; stops at
/// `</s>` or after `max_new_tokens` tokens. The page runs the same loop one step at a time.
pub fn greedy_decode<E: From<String>>(
    dims: Dims,
    src_len: usize,
    mut run: impl FnMut(&[u32]) -> Result<Step, E>,
) -> Result<Decoding, E> {
    let mut d = Decoding::new(dims, src_len);
    while !d.finished() {
        let step = run(&d.prefix())?;
        d.push(step)?;
    }
    Ok(d)
}

/// Vocabulary (id → token) of a Hugging Face `tokenizer.json` (its `model.vocab` and
/// `added_tokens`), so the page can name the tokens the decoder produces.
pub fn vocab_from_tokenizer_json(json: &str) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Added {
        id: usize,
        content: String,
    }
    #[derive(Deserialize)]
    struct Model {
        vocab: std::collections::HashMap<String, usize>,
    }
    #[derive(Deserialize)]
    struct File {
        model: Model,
        #[serde(default)]
        added_tokens: Vec<Added>,
    }
    let file: File = serde_json::from_str(json)
        .map_err(|e| t!("translate.err.tokenizer_invalid", error = e).into_owned())?;
    let n = file
        .model
        .vocab
        .values()
        .chain(file.added_tokens.iter().map(|a| &a.id))
        .max()
        .map_or(0, |m| m + 1);
    if n > 1_000_000 {
        return Err(t!("translate.err.tokenizer_large").into_owned());
    }
    let mut out = vec![String::new(); n];
    for (tok, id) in file.model.vocab {
        out[id] = tok;
    }
    for a in file.added_tokens {
        out[a.id] = a.content;
    }
    if let Some(gap) = out.iter().position(String::is_empty) {
        return Err(t!("translate.err.tokenizer_gap", id = gap).into_owned());
    }
    Ok(out)
}

/// The text of `tokens` (SentencePiece style: `▁` starts a word), as the tokenizer's
/// Metaspace decoder writes it; special tokens (`<…>`) are left out.
pub fn detokenize<S: AsRef<str>>(tokens: &[S]) -> String {
    let mut out = String::new();
    for t in tokens {
        let t = t.as_ref();
        if t.starts_with('<') && t.ends_with('>') && t.len() > 2 {
            continue;
        }
        out.push_str(&t.replace(WORD_START, " "));
    }
    out.strip_prefix(' ').map(str::to_owned).unwrap_or(out)
}

/// A token as the page shows it: without its word-start mark (the page shows word starts with
/// a gap instead); a bare `▁` stays as it is.
pub fn display_token(token: &str) -> String {
    let t = token.trim_start_matches(WORD_START);
    if t.is_empty() {
        token.to_owned()
    } else {
        t.to_owned()
    }
}

/// Whether `token` starts a new word (begins with `▁`).
pub fn starts_word(token: &str) -> bool {
    token.starts_with(WORD_START)
}

/// A sentence for the user when the source was cut to the model's maximum length.
pub fn truncation_note(encoded: &Encoded) -> Option<String> {
    encoded.truncated().then(|| {
        let kept = encoded.ids.len();
        t!(
            "translate.truncated",
            n = encoded.untruncated_len,
            kept = kept,
            first = kept.saturating_sub(1)
        )
        .into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Dims {
        Dims {
            n_layers: 2,
            n_heads: 2,
            vocab: 6,
            bos: 2,
            eos: 3,
            max_new_tokens: 4,
        }
    }

    /// A fake decoder: one-hot-ish log-probabilities picking `script[t - 1]`, and attention
    /// rows that are uniform (self) and peaked on source token `t - 1` (cross).
    fn fake_outputs(script: &[u32], prefix: &[u32], s_len: usize, d: &Dims) -> Vec<Tensor> {
        let t = prefix.len();
        let next = script[(t - 1).min(script.len() - 1)];
        let mut lp = vec![-5.0_f32; d.vocab];
        lp[next as usize] = -0.1;
        lp[(next as usize + 1) % d.vocab] = -2.0;
        let mut out = vec![Tensor::f32(LOG_PROBS, vec![1, d.vocab], lp)];
        for l in 0..d.n_layers {
            let mut sa = Vec::new();
            let mut ca = Vec::new();
            for _h in 0..d.n_heads {
                for i in 0..t {
                    for j in 0..t {
                        sa.push(if j <= i { 1.0 / (i + 1) as f32 } else { 0.0 });
                    }
                    for j in 0..s_len {
                        ca.push(if j == i.min(s_len - 1) { 1.0 } else { 0.0 });
                    }
                }
            }
            out.push(Tensor::f32(self_attn_name(l), vec![1, d.n_heads, t, t], sa));
            out.push(Tensor::f32(
                cross_attn_name(l),
                vec![1, d.n_heads, t, s_len],
                ca,
            ));
        }
        out
    }

    #[test]
    fn top_k_orders_by_probability_and_skips_nan() {
        let lp = [-3.0, f32::NAN, -1.0, -1.0, -0.5, -7.0];
        let top = top_k(&lp, 3);
        assert_eq!(
            top.iter().map(|c| c.id).collect::<Vec<_>>(),
            [4, 2, 3],
            "ties keep the lower id first"
        );
        assert_eq!(top_k(&lp, 10).len(), 5);
        assert!(top_k(&lp, 0).is_empty());
        assert!(top_k(&[f32::NAN; 3], 2).is_empty());
        assert!((top[0].prob() - (-0.5_f32).exp()).abs() < 1e-7);
    }

    #[test]
    fn greedy_decode_stops_at_end_of_sentence() {
        let d = dims();
        let mut prefixes = Vec::new();
        let out = greedy_decode::<String>(d, 3, |prefix| {
            prefixes.push(prefix.to_vec());
            Step::from_outputs(
                &fake_outputs(&[5, 4, 3], prefix, 3, &d),
                &d,
                prefix.len(),
                3,
            )
        })
        .expect("decodes");
        assert_eq!(prefixes, vec![vec![2], vec![2, 5], vec![2, 5, 4]]);
        assert_eq!(out.stop(), Some(Stop::EndOfSentence));
        assert_eq!(out.output_ids(), [5, 4]);
        assert_eq!(out.steps()[1].top[0].id, 4);
        assert_eq!(out.steps()[1].top[1].id, 5);
        let mut again = out.clone();
        assert!(again.push(out.steps()[0].clone()).is_err(), "finished");
    }

    #[test]
    fn greedy_decode_stops_at_the_maximum_length() {
        let d = dims();
        let out = greedy_decode::<String>(d, 2, |prefix| {
            Step::from_outputs(&fake_outputs(&[4], prefix, 2, &d), &d, prefix.len(), 2)
        })
        .expect("decodes");
        assert_eq!(out.stop(), Some(Stop::MaxLength));
        assert_eq!(out.output_ids(), [4, 4, 4, 4]);
    }

    #[test]
    fn matrices_fill_row_by_row_with_the_causal_mask() {
        let d = dims();
        let out = greedy_decode::<String>(d, 3, |prefix| {
            Step::from_outputs(
                &fake_outputs(&[5, 4, 3], prefix, 3, &d),
                &d,
                prefix.len(),
                3,
            )
        })
        .expect("decodes");
        let view = View {
            layer: 1,
            head: None,
        };
        let cross = out.cross_matrix(2, view).expect("cross");
        assert_eq!(cross.shape(), (2, 3));
        assert_eq!(cross.row(1), [0.0, 1.0, 0.0]);
        let sa = out
            .self_matrix(
                3,
                View {
                    layer: 0,
                    head: Some(1),
                },
            )
            .expect("self");
        assert_eq!(sa.shape(), (3, 3));
        assert_eq!(sa.row(0), [1.0, 0.0, 0.0]);
        assert_eq!(sa.row(2), [1.0 / 3.0; 3]);
        assert!(out
            .cross_matrix(
                2,
                View {
                    layer: 7,
                    head: None
                }
            )
            .is_none());
        assert!(out
            .cross_matrix(
                2,
                View {
                    layer: 0,
                    head: Some(9)
                }
            )
            .is_none());
        assert_eq!(out.cross_matrix(99, view).expect("clamped").rows(), 3);
    }

    #[test]
    fn bad_decoder_outputs_are_errors() {
        let d = dims();
        let good = fake_outputs(&[4], &[2, 4], 3, &d);
        assert!(Step::from_outputs(&good, &d, 2, 3).is_ok());
        // wrong prefix length, wrong source length, a missing output, wrong dtype
        assert!(Step::from_outputs(&good, &d, 3, 3).is_err());
        assert!(Step::from_outputs(&good, &d, 2, 4).is_err());
        assert!(Step::from_outputs(&good[1..], &d, 2, 3).is_err());
        let mut bad = good.clone();
        bad[0] = Tensor::i64(LOG_PROBS, vec![1, 6], vec![0; 6]);
        assert!(Step::from_outputs(&bad, &d, 2, 3).is_err());
        // a step that does not fit the decoding so far
        let step = Step::from_outputs(&good, &d, 2, 3).expect("step");
        assert!(Decoding::new(d, 3).push(step).is_err());
        let mem = Tensor::f32(MEMORY, vec![2, 3], vec![0.0; 6]);
        assert!(decoder_inputs(&[2], &mem, 10).is_err());
        let mem = Tensor::f32("x", vec![1, 3, 2], vec![0.0; 6]);
        assert!(
            decoder_inputs(&[2, 10], &mem, 10).is_err(),
            "outside the vocabulary"
        );
        assert!(decoder_inputs(&[], &mem, 10).is_err());
        let ins = decoder_inputs(&[2, 9], &mem, 10).expect("inputs");
        assert_eq!(ins[1].name, MEMORY);
        assert_eq!(ins[2].shape, [1, 3]);
    }

    #[test]
    fn average_of_heads() {
        assert_eq!(
            average(&[vec![1.0, 0.0], vec![0.0, 1.0]]),
            Some(vec![0.5, 0.5])
        );
        assert_eq!(average(&[]), None);
        assert_eq!(average(&[vec![1.0], vec![0.0, 1.0]]), None);
    }

    #[test]
    fn tokens_to_text() {
        let toks = [
            "▁Et", "▁le", "▁roi", "▁dit", ":", "▁L", "'", "Éternel", "!", "</s>",
        ];
        assert_eq!(detokenize(&toks), "Et le roi dit: L'Éternel!");
        assert_eq!(detokenize::<&str>(&[]), "");
        assert_eq!(detokenize(&["<unk>", "▁a"]), "a");
        assert_eq!(display_token("▁roi"), "roi");
        assert_eq!(display_token("▁"), "▁");
        assert!(starts_word("▁roi") && !starts_word("Éternel"));
    }

    #[test]
    fn vocab_from_json() {
        let json = r#"{"added_tokens":[{"id":0,"content":"<pad>"},{"id":3,"content":"</s>"}],
            "model":{"type":"BPE","vocab":{"<pad>":0,"a":1,"▁b":2,"</s>":3}}}"#;
        assert_eq!(
            vocab_from_tokenizer_json(json).expect("parses"),
            ["<pad>", "a", "▁b", "</s>"]
        );
        assert!(vocab_from_tokenizer_json("{}").is_err());
        assert!(vocab_from_tokenizer_json(r#"{"model":{"vocab":{"a":0,"b":2}}}"#).is_err());
        assert!(vocab_from_tokenizer_json(r#"{"model":{"vocab":{"a":99999999}}}"#).is_err());
    }

    #[test]
    fn truncation_note_only_when_cut() {
        let mut e = Encoded {
            ids: vec![5, 6, 3],
            tokens: vec!["▁a".into(), "▁b".into(), "</s>".into()],
            offsets: vec![(0, 1), (2, 3), (0, 0)],
            untruncated_len: 3,
            max_len: Some(3),
        };
        assert_eq!(truncation_note(&e), None);
        e.untruncated_len = 10;
        let note = truncation_note(&e).expect("note");
        assert!(
            note.contains("10 tokens") && note.contains("first 2"),
            "{note}"
        );
    }

    #[test]
    fn manifest_checks() {
        let good = r#"{"name":"t","encoder":"e.onnx","decoder":"d.onnx","tokenizer":"t.json",
            "files":{"e.onnx":{"bytes":1,"gzip_bytes":1,"sha256":"abcdef0123456789"},
                     "d.onnx":{"bytes":2,"gzip_bytes":1,"sha256":"00"},
                     "t.json":{"bytes":3,"gzip_bytes":1,"sha256":"11"}},
            "vocab_size":10,"d_model":8,"n_heads":2,"n_enc_layers":1,"n_dec_layers":1,
            "max_src":64,"max_new_tokens":5,"bos_id":2,"eos_id":3,"unk_id":1,"examples":["Hi."]}"#;
        let m = TranslateManifest::parse(good).expect("parses");
        assert_eq!(m.url("e.onnx"), "models/translate/e.onnx?v=abcdef012345");
        assert_eq!(m.download_bytes(), 6);
        assert_eq!(m.dims().max_new_tokens, 5);
        assert!(TranslateManifest::parse(&good.replace("\"eos_id\":3", "\"eos_id\":30")).is_err());
        assert!(TranslateManifest::parse(&good.replace("\"n_heads\":2", "\"n_heads\":0")).is_err());
        assert!(TranslateManifest::parse(&good.replace("\"e.onnx\":{", "\"x.onnx\":{")).is_err());
        assert!(TranslateManifest::parse("<html>").is_err());
    }
}
