//! The text generator (a GPT-style decoder trained on Shakespeare), its pure part: the
//! manifest, the graph's inputs and outputs, the prompt window, and one generation as a
//! sequence of steps — prefill, choose, cached step, choose, … — with the key/value cache kept
//! here between steps ([`cache`]), the sampler ([`sampling`]), the head scores ([`heads`]) and the
//! walkthrough's steps with RoPE ([`steps`]).
//!
//! One graph does everything (see `models/README.md`): it takes the new token ids, the absolute
//! position of the first (`start`) and every layer's cached keys and values, and returns the
//! logits of every new position, the cache with the new rows, every layer's attention and the
//! tensors the steps are recomputed from. With an empty cache it is a full recompute.
//!
//! No yew, no tract: the loop is driven by whoever runs the graph (the page through the worker,
//! the native tests through tract), so it is tested here with a fake model and in
//! `tests/models/generate.rs` with the real one.

#[cfg(target_arch = "wasm32")]
pub mod view;

pub mod cache;
pub mod explain;
pub mod heads;
pub mod link;
pub mod sampling;
pub mod steps;
pub mod text;

use std::collections::BTreeMap;

use rust_i18n::t;
use serde::Deserialize;

use crate::demos::translate::{versioned_url, FileInfo};
use crate::protocol::{InputSpec, Tensor};
use cache::{KvCache, LayerCache, Shapes};
use sampling::{choose, Choice, Draws, SampleError, Sampler};

/// Folder of the model files, relative to the page (the site may live under a sub-path).
pub const MODEL_DIR: &str = "models/generate/";
/// Key under which the page loads the graph into the worker.
pub const GRAPH_KEY: &str = "generate";
/// How many candidates a step keeps for display.
pub const SHOWN: usize = 10;

pub const LOGITS: &str = "logits";

pub fn key_name(layer: usize) -> String {
    format!("layer{layer}.key")
}
pub fn value_name(layer: usize) -> String {
    format!("layer{layer}.value")
}
pub fn weights_name(layer: usize) -> String {
    format!("layer{layer}.weights")
}
pub fn x_name(layer: usize) -> String {
    format!("layer{layer}.x")
}
pub fn past_key_name(layer: usize) -> String {
    format!("past.{layer}.key")
}
pub fn past_value_name(layer: usize) -> String {
    format!("past.{layer}.value")
}
/// A parameter output of layer `layer`: `w_q`, `w_k`, `w_v` or `w_o`, `(d, d)`.
pub fn param_name(layer: usize, which: &str) -> String {
    format!("layer{layer}.{which}")
}
pub const FINAL_HIDDEN: &str = "final.hidden";
pub const FINAL_NORM: &str = "final.norm";
pub const FINAL_GAMMA: &str = "final.gamma";
pub const FINAL_BETA: &str = "final.beta";

/// Held-out figures written at export.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Metrics {
    pub perplexity_int8: Option<f64>,
    pub perplexity_float32: Option<f64>,
    pub unigram_perplexity: Option<f64>,
    pub bigram_perplexity: Option<f64>,
    pub tokens: Option<usize>,
}

/// The repeated-random-tokens example of the head table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InductionExample {
    pub ids: Vec<u32>,
    pub period: usize,
}

/// `models/generate/manifest.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GenerateManifest {
    pub name: String,
    pub model: String,
    pub tokenizer: String,
    pub files: BTreeMap<String, FileInfo>,
    pub vocab_size: usize,
    pub context: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub d_k: usize,
    pub d_ff: usize,
    pub rope_base: f32,
    pub ln_eps: f32,
    pub end_id: u32,
    pub max_new_tokens: usize,
    #[serde(default)]
    pub examples: Vec<String>,
    pub induction: InductionExample,
    #[serde(default)]
    pub metrics: Metrics,
}

impl GenerateManifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        let m: Self = serde_json::from_str(json)
            .map_err(|e| t!("generate.err.manifest_invalid", error = e).into_owned())?;
        if m.n_heads == 0
            || m.n_layers == 0
            || m.context < 2
            || m.max_new_tokens == 0
            || m.d_k * m.n_heads != m.d_model
            || !m.d_k.is_multiple_of(2)
        {
            return Err(t!("generate.err.manifest_shape").into_owned());
        }
        let vocab = m.vocab_size;
        if m.end_id as usize >= vocab
            || m.induction.ids.iter().any(|&i| i as usize >= vocab)
            || m.induction.ids.len() > m.context
            || m.induction.ids.len() < m.induction.period + 2
        {
            return Err(t!("generate.err.manifest_token").into_owned());
        }
        for f in [&m.model, &m.tokenizer] {
            if !m.files.contains_key(f) {
                return Err(t!("generate.err.manifest_file", file = f).into_owned());
            }
        }
        Ok(m)
    }

    pub fn dims(&self) -> Dims {
        Dims {
            n_layers: self.n_layers,
            n_heads: self.n_heads,
            d_k: self.d_k,
            vocab: self.vocab_size,
            context: self.context,
            end_id: self.end_id,
            max_new_tokens: self.max_new_tokens,
        }
    }

    pub fn shapes(&self) -> Shapes {
        Shapes {
            n_layers: self.n_layers,
            d_model: self.d_model,
            d_ff: self.d_ff,
            vocab: self.vocab_size,
        }
    }

    /// `models/generate/<file>?v=<first 12 hex digits of its sha256>`: a versioned cache key.
    pub fn url(&self, file: &str) -> String {
        versioned_url(MODEL_DIR, &self.files, file)
    }

    pub fn download_bytes(&self) -> u64 {
        self.files.values().map(|f| f.bytes).sum()
    }
}

/// What the generation loop needs to know about the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_k: usize,
    pub vocab: usize,
    pub context: usize,
    pub end_id: u32,
    pub max_new_tokens: usize,
}

/// The graph's inputs as the worker declares them (`n` new tokens, `past` cached rows).
pub fn input_specs(n_layers: usize, n_heads: usize, d_k: usize) -> Vec<InputSpec> {
    let (h, k) = (n_heads.to_string(), d_k.to_string());
    let mut specs = vec![
        InputSpec::i64("ids", &["1", "n"]),
        InputSpec::i64("start", &["1"]),
    ];
    for l in 0..n_layers {
        specs.push(InputSpec::f32(&past_key_name(l), &["1", &h, "past", &k]));
        specs.push(InputSpec::f32(&past_value_name(l), &["1", &h, "past", &k]));
    }
    specs
}

/// What a cached step asks for: logits, the new cache and the newest row of attention.
pub fn step_outputs(n_layers: usize) -> Vec<String> {
    let mut v = vec![LOGITS.to_owned()];
    for l in 0..n_layers {
        v.extend([key_name(l), value_name(l), weights_name(l)]);
    }
    v
}

/// What a full recompute asks for: the step's outputs plus every layer's input `X` and the
/// final hidden state before and after its LayerNorm (what the steps are recomputed from).
pub fn full_outputs(n_layers: usize) -> Vec<String> {
    let mut v = step_outputs(n_layers);
    v.extend((0..n_layers).map(x_name));
    v.extend([FINAL_HIDDEN.to_owned(), FINAL_NORM.to_owned()]);
    v
}

/// The parameter outputs (constant: asked once).
pub fn param_outputs(n_layers: usize) -> Vec<String> {
    let mut v: Vec<String> = (0..n_layers)
        .flat_map(|l| ["w_q", "w_k", "w_v", "w_o"].map(|w| param_name(l, w)))
        .collect();
    v.extend([FINAL_GAMMA.to_owned(), FINAL_BETA.to_owned()]);
    v
}

/// Why a prompt cannot be generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptError {
    Empty,
    /// A token id outside the vocabulary (a tokenizer that does not belong to the model).
    BadToken(u32),
}

impl std::fmt::Display for PromptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            PromptError::Empty => t!("generate.err.empty"),
            PromptError::BadToken(id) => t!("generate.err.bad_token", id = id),
        };
        f.write_str(&text)
    }
}

/// The prompt as the model sees it: its last `context` tokens at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub ids: Vec<u32>,
    /// Tokens cut from the front to fit the context (0 when it fits).
    pub dropped: usize,
}

pub fn window_prompt(ids: &[u32], dims: &Dims) -> Result<Prompt, PromptError> {
    if ids.is_empty() {
        return Err(PromptError::Empty);
    }
    if let Some(&bad) = ids.iter().find(|&&i| i as usize >= dims.vocab) {
        return Err(PromptError::BadToken(bad));
    }
    let dropped = ids.len().saturating_sub(dims.context);
    Ok(Prompt {
        ids: ids[dropped..].to_vec(),
        dropped,
    })
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The model wrote `<|endoftext|>`.
    EndToken,
    /// `max_new_tokens` were written.
    Cap,
}

/// A model output that is not what the graph should return.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputError {
    Missing(String),
    Shape {
        name: String,
        shape: Vec<usize>,
    },
    Sample(SampleError),
    /// The caller asked for something the state does not allow (e.g. a step after the stop).
    Order,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            OutputError::Missing(name) => t!("generate.err.missing", name = name),
            OutputError::Shape { name, shape } => {
                t!(
                    "generate.err.shape",
                    name = name,
                    shape = format!("{shape:?}")
                )
            }
            OutputError::Sample(SampleError::Empty) => t!("generate.err.no_logits"),
            OutputError::Sample(SampleError::NotFinite) => t!("generate.err.not_finite"),
            OutputError::Order => t!("generate.err.order"),
        };
        f.write_str(&text)
    }
}

fn f32s<'a>(outputs: &'a [Tensor], name: &str) -> Result<(&'a [usize], &'a [f32]), OutputError> {
    let t = Tensor::find(outputs, name).ok_or_else(|| OutputError::Missing(name.to_owned()))?;
    let data = t.as_f32().ok_or_else(|| OutputError::Shape {
        name: name.to_owned(),
        shape: t.shape.clone(),
    })?;
    if data.len() != t.len() {
        return Err(OutputError::Shape {
            name: name.to_owned(),
            shape: t.shape.clone(),
        });
    }
    Ok((&t.shape, data))
}

/// The last row of `logits` `[1, n, vocab]`.
pub fn last_logits(outputs: &[Tensor], vocab: usize) -> Result<Vec<f32>, OutputError> {
    let (shape, data) = f32s(outputs, LOGITS)?;
    match shape {
        [1, n, v] if *v == vocab && *n > 0 => Ok(data[(n - 1) * v..].to_vec()),
        _ => Err(OutputError::Shape {
            name: LOGITS.to_owned(),
            shape: shape.to_vec(),
        }),
    }
}

/// Every layer's returned cache `[1, H, rows, d_k]`, and `rows`.
pub fn read_cache(
    outputs: &[Tensor],
    dims: &Dims,
) -> Result<(Vec<LayerCache>, usize), OutputError> {
    let mut rows = None;
    let mut layers = Vec::with_capacity(dims.n_layers);
    for l in 0..dims.n_layers {
        let mut pair = [Vec::new(), Vec::new()];
        for (slot, name) in pair.iter_mut().zip([key_name(l), value_name(l)]) {
            let (shape, data) = f32s(outputs, &name)?;
            match shape {
                [1, h, r, k]
                    if *h == dims.n_heads && *k == dims.d_k && rows.is_none_or(|x| x == *r) =>
                {
                    rows = Some(*r);
                    *slot = data.to_vec();
                }
                _ => {
                    return Err(OutputError::Shape {
                        name,
                        shape: shape.to_vec(),
                    })
                }
            }
        }
        let [key, value] = pair;
        layers.push(LayerCache { key, value });
    }
    Ok((layers, rows.unwrap_or(0)))
}

/// One layer's attention `[1, H, n, total]` as `(n, total, data)`.
pub fn read_weights(
    outputs: &[Tensor],
    layer: usize,
    n_heads: usize,
) -> Result<(usize, usize, &[f32]), OutputError> {
    let name = weights_name(layer);
    let (shape, data) = f32s(outputs, &name)?;
    match shape {
        [1, h, n, total] if *h == n_heads => Ok((*n, *total, data)),
        _ => Err(OutputError::Shape {
            name,
            shape: shape.to_vec(),
        }),
    }
}

fn ids_tensor(ids: &[u32]) -> Tensor {
    Tensor::i64(
        "ids",
        vec![1, ids.len()],
        ids.iter().map(|&i| i64::from(i)).collect(),
    )
}

/// The graph's inputs for `ids` at absolute positions `start ..` after `cache` (`None` = empty).
pub fn inputs(ids: &[u32], start: usize, cache: Option<&KvCache>, dims: &Dims) -> Vec<Tensor> {
    let mut v = vec![
        ids_tensor(ids),
        Tensor::i64("start", vec![1], vec![start as i64]),
    ];
    for l in 0..dims.n_layers {
        let (rows, key, value) = match cache.and_then(|c| c.layers.get(l).map(|x| (c.rows, x))) {
            Some((rows, layer)) => (rows, layer.key.clone(), layer.value.clone()),
            None => (0, Vec::new(), Vec::new()),
        };
        let shape = vec![1, dims.n_heads, rows, dims.d_k];
        v.push(Tensor::f32(past_key_name(l), shape.clone(), key));
        v.push(Tensor::f32(past_value_name(l), shape, value));
    }
    v
}

/// One generation: the window of tokens, the cache, every choice made, and why it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub dims: Dims,
    pub sampler: Sampler,
    draws: Draws,
    /// The prompt's tokens in the window, then every chosen token; token `i` sits at absolute
    /// position `i`.
    pub ids: Vec<u32>,
    pub prompt_len: usize,
    /// Prompt tokens cut to fit the context.
    pub dropped_prompt: usize,
    pub cache: KvCache,
    /// One per generated token.
    pub choices: Vec<Choice>,
    pub stop: Option<Stop>,
    /// Logits for the next token, once the graph has run on everything chosen so far.
    logits: Option<Vec<f32>>,
}

impl Generation {
    pub fn new(prompt: Prompt, dims: Dims, sampler: Sampler) -> Self {
        let prompt_len = prompt.ids.len();
        Self {
            dims,
            sampler,
            draws: Draws::new(sampler.seed),
            ids: prompt.ids,
            prompt_len,
            dropped_prompt: prompt.dropped,
            cache: KvCache::empty(dims.n_layers, dims.n_heads, dims.d_k),
            choices: Vec::new(),
            stop: None,
            logits: None,
        }
    }

    /// The generated tokens.
    pub fn generated(&self) -> &[u32] {
        &self.ids[self.prompt_len..]
    }

    /// Inputs of the next graph run: the whole prompt first (prefill), then one chosen token at
    /// a time against the cache, dropping the cache's oldest row when it is full. `None` when a
    /// choice must come first or generation has stopped.
    pub fn next_inputs(&mut self) -> Option<Vec<Tensor>> {
        if self.stop.is_some() || self.logits.is_some() {
            return None;
        }
        if self.cache.rows == 0 {
            return Some(inputs(&self.ids, 0, None, &self.dims));
        }
        let pos = self.cache.next_position();
        let &token = self.ids.get(pos)?;
        if self.cache.rows >= self.dims.context {
            self.cache
                .drop_oldest(self.cache.rows + 1 - self.dims.context);
        }
        Some(inputs(&[token], pos, Some(&self.cache), &self.dims))
    }

    /// Takes the outputs of the run [`Self::next_inputs`] asked for.
    pub fn absorb(&mut self, outputs: &[Tensor]) -> Result<(), OutputError> {
        if self.stop.is_some() || self.logits.is_some() {
            return Err(OutputError::Order);
        }
        let logits = last_logits(outputs, self.dims.vocab)?;
        let (layers, rows) = read_cache(outputs, &self.dims)?;
        let first = self.cache.first_position;
        if first + rows != self.ids.len() || !self.cache.replace(layers, rows) {
            return Err(OutputError::Shape {
                name: key_name(0),
                shape: vec![1, self.dims.n_heads, rows, self.dims.d_k],
            });
        }
        self.logits = Some(logits);
        Ok(())
    }

    /// Chooses the next token from the last run's logits.
    pub fn choose(&mut self) -> Result<&Choice, OutputError> {
        let logits = self.logits.take().ok_or(OutputError::Order)?;
        let c =
            choose(&logits, &self.sampler, &mut self.draws, SHOWN).map_err(OutputError::Sample)?;
        self.ids.push(c.token);
        if c.token == self.dims.end_id {
            self.stop = Some(Stop::EndToken);
        } else if self.choices.len() + 1 >= self.dims.max_new_tokens {
            self.stop = Some(Stop::Cap);
        }
        self.choices.push(c);
        self.choices.last().ok_or(OutputError::Order)
    }

    /// Inputs of a full recompute of the tokens now in the cache (no cache given): the same
    /// logits as the last cached step, computed the slow way, and every row's attention.
    pub fn full_inputs(&self) -> Vec<Tensor> {
        let first = self.cache.first_position;
        let end = self.cache.next_position().min(self.ids.len());
        inputs(&self.ids[first.min(end)..end], first, None, &self.dims)
    }

    /// The logits [`Self::absorb`] took, before [`Self::choose`] uses them.
    pub fn pending_logits(&self) -> Option<&[f32]> {
        self.logits.as_deref()
    }

    /// Absolute positions whose rows the window slid past during generation.
    pub fn slid(&self) -> usize {
        self.cache.first_position
    }

    /// Uniform draws used so far (one per sampled token).
    pub fn draws_used(&self) -> usize {
        self.draws.used()
    }
}

/// Runs a whole generation with `run` (graph inputs → outputs of [`step_outputs`]).
pub fn generate<E>(
    prompt: Prompt,
    dims: Dims,
    sampler: Sampler,
    mut run: impl FnMut(Vec<Tensor>) -> Result<Vec<Tensor>, E>,
) -> Result<Generation, GenerateError<E>> {
    let mut g = Generation::new(prompt, dims, sampler);
    while let Some(inputs) = g.next_inputs() {
        let out = run(inputs).map_err(GenerateError::Model)?;
        g.absorb(&out).map_err(GenerateError::Output)?;
        g.choose().map_err(GenerateError::Output)?;
    }
    Ok(g)
}

#[derive(Debug)]
pub enum GenerateError<E> {
    Model(E),
    Output(OutputError),
}

#[cfg(test)]
mod tests;
