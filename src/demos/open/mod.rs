//! Your own model (`#/open`): a Hugging Face transformer exported by `models/export_hf.py`
//! (BERT, RoBERTa, DistilBERT, ELECTRA, ALBERT, GPT-2, ViT), opened from the user's files, a
//! folder, a zip archive or a URL they host. Nothing is uploaded: the files are read in the page
//! and run in the worker like every other model.
//!
//! This module is the pure part: the export's `manifest.json` ([`HfManifest`]), the checks made
//! before anything runs (files missing, extra, damaged; a manifest that disagrees with itself or
//! with the graph; a model too large for a tab), and the graph's inputs for a text or an image.

pub mod files;
pub mod link;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "wasm32")]
pub mod view;

use std::collections::BTreeMap;
use std::fmt;

use rust_i18n::t;
use serde::Deserialize;

use crate::protocol::{DType, Dim, GraphSummary, InputSpec, Tensor};

/// The worker keeps the opened model under this key (one at a time: opening another replaces it).
pub const GRAPH_KEY: &str = "open";
/// `manifest.json` `format` of an export by `models/export_hf.py`.
pub const FORMAT: &str = "attention-playground/hf-export";
/// The newest `format_version` this page reads.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// Largest `model.onnx` this page opens. tract keeps the weights as float32 (an int8 export is
/// dequantized when the plan is made), and a wasm tab has at most 4 GiB: 4 bytes per parameter,
/// plus the file itself, plus a copy on the way to the worker. Measured: see README ("Your own
/// model"), a BERT-base-sized int8 export (110 M parameters, 111 MB) loads and runs.
pub const MAX_ONNX_BYTES: u64 = 600_000_000;
/// Most parameters: 4 bytes each once tract holds them as float32.
pub const MAX_PARAMETERS: u64 = 350_000_000;
/// Bounds that keep a manifest's numbers from asking for absurd allocations.
const MAX_LAYERS: usize = 128;
const MAX_HEADS: usize = 128;
const MAX_LEN: usize = 8192;

/// What the export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bidirectional text encoder (BERT family)
    Encoder,
    /// Causal text decoder (GPT-2)
    Decoder,
    /// Image encoder (ViT)
    Vision,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "encoder" => Some(Kind::Encoder),
            "decoder" => Some(Kind::Decoder),
            "vision" => Some(Kind::Vision),
            _ => None,
        }
    }

    pub fn is_text(self) -> bool {
        self != Kind::Vision
    }
}

/// One input or output as the manifest declares it; a dim is a number or a name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IoDecl {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<serde_json::Value>,
}

/// A served file's size and digest, as the exporter wrote them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FileFacts {
    pub bytes: u64,
    #[serde(default)]
    pub sha256: Option<String>,
}

/// The tokenizer's special token ids (`None`: the model has no such token).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SpecialTokens {
    #[serde(default)]
    pub cls: Option<u32>,
    #[serde(default)]
    pub sep: Option<u32>,
    #[serde(default)]
    pub pad: Option<u32>,
}

/// A ViT's preprocessing: the image is drawn at `width × height`, then each channel value `v`
/// (0–255) becomes `(v · rescale_factor − mean) / std`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImageSpec {
    pub height: usize,
    pub width: usize,
    #[serde(default = "three")]
    pub channels: usize,
    #[serde(default = "yes")]
    pub do_rescale: bool,
    #[serde(default = "one_over_255")]
    pub rescale_factor: f32,
    #[serde(default = "yes")]
    pub do_normalize: bool,
    #[serde(default)]
    pub mean: Vec<f32>,
    #[serde(default)]
    pub std: Vec<f32>,
}

fn three() -> usize {
    3
}
fn yes() -> bool {
    true
}
fn one_over_255() -> f32 {
    1.0 / 255.0
}

/// The fields of `manifest.json` this page reads (see models/README.md, "Your own model").
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RawManifest {
    architecture: String,
    #[serde(default)]
    architecture_name: Option<String>,
    kind: String,
    #[serde(default)]
    causal: bool,
    n_layers: usize,
    n_heads: usize,
    d_model: usize,
    #[serde(default)]
    parameters: Option<u64>,
    max_len: usize,
    inputs: Vec<IoDecl>,
    attention_outputs: Vec<String>,
    #[serde(default)]
    special_tokens: Option<SpecialTokens>,
    #[serde(default)]
    tokenizer: Option<String>,
    #[serde(default)]
    image: Option<ImageSpec>,
    #[serde(default)]
    weights: Option<String>,
    onnx: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    licence: Option<String>,
    #[serde(default)]
    files: BTreeMap<String, FileFacts>,
}

/// A checked `manifest.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct HfManifest {
    /// `model_type`, e.g. `bert`
    pub architecture: String,
    /// e.g. `BERT`
    pub name: String,
    pub kind: Kind,
    pub causal: bool,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub parameters: Option<u64>,
    pub max_len: usize,
    pub inputs: Vec<IoDecl>,
    /// One per layer, in order
    pub attention_outputs: Vec<String>,
    pub special: SpecialTokens,
    pub tokenizer: Option<String>,
    pub image: Option<ImageSpec>,
    /// `float32` or `int8`
    pub weights: String,
    pub onnx: String,
    pub source: Option<String>,
    pub licence: Option<String>,
    /// Every file the export serves besides the manifest, with its size and digest
    pub files: BTreeMap<String, FileFacts>,
}

/// Why a model could not be opened; each is a sentence in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenProblem {
    /// Nothing was chosen (an empty folder, an empty archive).
    NoFiles,
    /// No `manifest.json` among the files given (their names).
    NoManifest(Vec<String>),
    /// Two files of the same name (from two exports in one folder?).
    Duplicate(String),
    /// Not JSON at all (the reason).
    NotJson(String),
    /// JSON, but not an export of `export_hf.py` (what its `format` says, if anything).
    Foreign(Option<String>),
    /// Made by a newer exporter than this page reads.
    NewerFormat(u32),
    /// A field missing or of the wrong type (serde's words).
    BadManifest(String),
    /// The manifest contradicts itself (what, in words).
    Inconsistent(String),
    /// An architecture kind this page does not open.
    UnsupportedKind(String),
    /// Files the manifest names that were not given.
    Missing(Vec<String>),
    /// A file whose size is not the manifest's (cut short, or from another export).
    WrongSize {
        file: String,
        got: u64,
        expected: u64,
    },
    /// Same size, other content.
    WrongDigest(String),
    /// More than this page can hold in a tab.
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    TooManyParameters {
        parameters: u64,
        limit: u64,
    },
    /// The graph the worker loaded is not the one the manifest describes.
    GraphMismatch(String),
    /// The worker refused the graph or the tokenizer (its words).
    Load(String),
    /// The archive could not be read (the reason).
    Archive(String),
    /// A file could not be fetched from the URL given (the reason, a sentence).
    Download(String),
    /// What was typed is not a URL.
    NotUrl,
}

impl fmt::Display for OpenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            OpenProblem::NoFiles => t!("open.problem.no_files"),
            OpenProblem::NoManifest(names) => t!(
                "open.problem.no_manifest",
                files = short_list(names),
                manifest = MANIFEST
            ),
            OpenProblem::Duplicate(name) => t!("open.problem.duplicate", file = name),
            OpenProblem::NotJson(why) => t!("open.problem.not_json", reason = why),
            OpenProblem::Foreign(format) => t!(
                "open.problem.foreign",
                format = format.clone().unwrap_or_else(|| "—".to_owned()),
                expected = FORMAT
            ),
            OpenProblem::NewerFormat(v) => t!(
                "open.problem.newer",
                version = v,
                supported = FORMAT_VERSION
            ),
            OpenProblem::BadManifest(why) => t!("open.problem.bad_manifest", reason = why),
            OpenProblem::Inconsistent(why) => t!("open.problem.inconsistent", reason = why),
            OpenProblem::UnsupportedKind(kind) => t!("open.problem.kind", kind = kind),
            OpenProblem::Missing(names) => {
                t!("open.problem.missing", files = short_list(names))
            }
            OpenProblem::WrongSize {
                file,
                got,
                expected,
            } => t!(
                "open.problem.size",
                file = file,
                got = got,
                expected = expected
            ),
            OpenProblem::WrongDigest(file) => t!("open.problem.digest", file = file),
            OpenProblem::TooLarge { bytes, limit } => t!(
                "open.problem.too_large",
                mb = format!("{:.0}", *bytes as f64 / 1e6),
                limit = format!("{:.0}", *limit as f64 / 1e6)
            ),
            OpenProblem::TooManyParameters { parameters, limit } => t!(
                "open.problem.too_many_parameters",
                millions = format!("{:.0}", *parameters as f64 / 1e6),
                limit = format!("{:.0}", *limit as f64 / 1e6)
            ),
            OpenProblem::GraphMismatch(why) => t!("open.problem.graph", reason = why),
            OpenProblem::Load(why) => t!("open.problem.load", reason = why),
            OpenProblem::Archive(why) => t!("open.problem.archive", reason = why),
            OpenProblem::Download(why) => t!("open.problem.download", reason = why),
            OpenProblem::NotUrl => t!("open.problem.not_url"),
        };
        f.write_str(&s)
    }
}

/// At most eight names, then "…".
fn short_list(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    if names.len() > 8 {
        shown.push("…");
    }
    shown.join(", ")
}

impl HfManifest {
    /// Reads `manifest.json`, telling a file that is not JSON, JSON of another kind, a newer
    /// format and a manifest that contradicts itself apart.
    pub fn parse(json: &str) -> Result<Self, OpenProblem> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| OpenProblem::NotJson(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(FORMAT) {
            return Err(OpenProblem::Foreign(format.map(str::to_owned)));
        }
        let version = value
            .get("format_version")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if version > u64::from(FORMAT_VERSION) {
            return Err(OpenProblem::NewerFormat(
                u32::try_from(version).unwrap_or(u32::MAX),
            ));
        }
        let raw: RawManifest =
            serde_json::from_value(value).map_err(|e| OpenProblem::BadManifest(e.to_string()))?;
        let kind = Kind::parse(&raw.kind).ok_or(OpenProblem::UnsupportedKind(raw.kind))?;
        let manifest = HfManifest {
            name: raw
                .architecture_name
                .unwrap_or_else(|| raw.architecture.clone()),
            architecture: raw.architecture,
            kind,
            causal: raw.causal,
            n_layers: raw.n_layers,
            n_heads: raw.n_heads,
            d_model: raw.d_model,
            parameters: raw.parameters,
            max_len: raw.max_len,
            inputs: raw.inputs,
            attention_outputs: raw.attention_outputs,
            special: raw.special_tokens.unwrap_or_default(),
            tokenizer: raw.tokenizer,
            image: raw.image,
            weights: raw.weights.unwrap_or_else(|| "float32".to_owned()),
            onnx: raw.onnx,
            source: raw.source,
            licence: raw.licence,
            files: raw.files,
        };
        manifest.check()?;
        Ok(manifest)
    }

    /// What can be checked in the manifest alone.
    fn check(&self) -> Result<(), OpenProblem> {
        let bad = |s: String| Err(OpenProblem::Inconsistent(s));
        if self.n_layers == 0 || self.n_layers > MAX_LAYERS {
            return bad(t!("open.check.layers", n = self.n_layers, max = MAX_LAYERS).into_owned());
        }
        if self.n_heads == 0 || self.n_heads > MAX_HEADS {
            return bad(t!("open.check.heads", n = self.n_heads, max = MAX_HEADS).into_owned());
        }
        if self.max_len < 2 || self.max_len > MAX_LEN {
            return bad(t!("open.check.max_len", n = self.max_len, max = MAX_LEN).into_owned());
        }
        if self.attention_outputs.len() != self.n_layers {
            return bad(t!(
                "open.check.attention_outputs",
                outputs = self.attention_outputs.len(),
                layers = self.n_layers
            )
            .into_owned());
        }
        if !self.d_model.is_multiple_of(self.n_heads) {
            return bad(t!(
                "open.check.d_model",
                d_model = self.d_model,
                heads = self.n_heads
            )
            .into_owned());
        }
        let needed = if self.kind.is_text() {
            "input_ids"
        } else {
            "pixel_values"
        };
        if !self.inputs.iter().any(|i| i.name == needed) {
            return bad(t!("open.check.input", name = needed).into_owned());
        }
        for input in &self.inputs {
            if !KNOWN_INPUTS.contains(&input.name.as_str()) {
                return bad(t!("open.check.unknown_input", name = input.name.as_str()).into_owned());
            }
            dtype(input)?;
        }
        match (self.kind.is_text(), &self.tokenizer, &self.image) {
            (true, None, _) => return bad(t!("open.check.no_tokenizer").into_owned()),
            (false, _, None) => return bad(t!("open.check.no_image").into_owned()),
            (false, _, Some(im))
                if im.channels != 3
                    || im.width == 0
                    || im.height == 0
                    || im.width * im.height > 4096 * 4096 =>
            {
                return bad(t!("open.check.image").into_owned())
            }
            _ => {}
        }
        for file in self.served_files() {
            if !self.files.contains_key(&file) {
                return bad(t!("open.check.unlisted", file = file.as_str()).into_owned());
            }
        }
        Ok(())
    }

    /// The files the page needs besides the manifest: the graph and, for text, the tokenizer.
    pub fn served_files(&self) -> Vec<String> {
        let mut files = vec![self.onnx.clone()];
        files.extend(self.tokenizer.clone());
        files
    }

    /// Refuses a model too large for a tab, before reading its bytes.
    pub fn check_size(&self) -> Result<(), OpenProblem> {
        let bytes = self.files.get(&self.onnx).map_or(0, |f| f.bytes);
        if bytes > MAX_ONNX_BYTES {
            return Err(OpenProblem::TooLarge {
                bytes,
                limit: MAX_ONNX_BYTES,
            });
        }
        match self.parameters {
            Some(p) if p > MAX_PARAMETERS => Err(OpenProblem::TooManyParameters {
                parameters: p,
                limit: MAX_PARAMETERS,
            }),
            _ => Ok(()),
        }
    }

    /// The graph's inputs, typed as the worker is to load them.
    pub fn input_specs(&self) -> Vec<InputSpec> {
        self.inputs
            .iter()
            .map(|i| InputSpec {
                name: i.name.clone(),
                dtype: dtype(i).unwrap_or(DType::F32),
                shape: i
                    .shape
                    .iter()
                    .map(|d| match d {
                        serde_json::Value::Number(n) => {
                            Dim::Fixed(n.as_u64().unwrap_or(1) as usize)
                        }
                        other => Dim::Symbol(other.as_str().unwrap_or("dim").to_owned()),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Checks the loaded graph against the manifest: the same inputs, and every layer's
    /// attention among its outputs.
    pub fn check_graph(&self, graph: &GraphSummary) -> Result<(), OpenProblem> {
        let mut declared: Vec<&str> = self.inputs.iter().map(|i| i.name.as_str()).collect();
        let mut actual: Vec<&str> = graph.inputs.iter().map(String::as_str).collect();
        declared.sort_unstable();
        actual.sort_unstable();
        if declared != actual {
            return Err(OpenProblem::GraphMismatch(
                t!(
                    "open.check.graph_inputs",
                    declared = declared.join(", "),
                    actual = actual.join(", ")
                )
                .into_owned(),
            ));
        }
        if let Some(missing) = self
            .attention_outputs
            .iter()
            .find(|o| !graph.outputs.contains(o))
        {
            return Err(OpenProblem::GraphMismatch(
                t!("open.check.graph_output", name = missing.as_str()).into_owned(),
            ));
        }
        Ok(())
    }

    /// The inputs for one tokenized text (no padding): ids, a mask of ones, token types 0,
    /// positions `0..n` — whichever the graph takes.
    pub fn text_inputs(&self, ids: &[u32]) -> Vec<Tensor> {
        let n = ids.len();
        self.inputs
            .iter()
            .map(|i| {
                let data: Vec<i64> = match i.name.as_str() {
                    "input_ids" => ids.iter().map(|&id| i64::from(id)).collect(),
                    "attention_mask" => vec![1; n],
                    "position_ids" => (0..n as i64).collect(),
                    _ => vec![0; n],
                };
                Tensor::i64(i.name.clone(), vec![1, n], data)
            })
            .collect()
    }

    /// The input for one image, `rgba` being `width × height` pixels already drawn at the
    /// model's size (the page's canvas resizes).
    pub fn image_inputs(&self, rgba: &[u8]) -> Result<Vec<Tensor>, OpenProblem> {
        let spec = self
            .image
            .as_ref()
            .ok_or_else(|| OpenProblem::Inconsistent(t!("open.check.no_image").into_owned()))?;
        let pixels = normalize_image(spec, rgba)
            .ok_or_else(|| OpenProblem::Inconsistent(t!("open.check.image").into_owned()))?;
        Ok(vec![Tensor::f32(
            "pixel_values",
            vec![1, 3, spec.height, spec.width],
            pixels,
        )])
    }

    /// Names for the positions of a ViT: `[CLS]` then each patch by row and column.
    pub fn patch_tokens(&self, seq_len: usize) -> Vec<String> {
        let cols = (seq_len.saturating_sub(1) as f64).sqrt().round().max(1.0) as usize;
        std::iter::once("[CLS]".to_owned())
            .chain(
                (0..seq_len.saturating_sub(1))
                    .map(|p| format!("{},{}", p / cols + 1, p % cols + 1)),
            )
            .collect()
    }

    /// Tokens as the page labels them: byte-level BPE (GPT-2, RoBERTa) decoded, a space shown
    /// as `·`; WordPiece tokens as they are.
    pub fn token_labels(&self, tokens: &[String]) -> Vec<String> {
        let byte_level = matches!(self.architecture.as_str(), "gpt2" | "roberta");
        tokens
            .iter()
            .map(|t| {
                if byte_level {
                    crate::demos::generate::text::label(t)
                } else {
                    t.clone()
                }
            })
            .collect()
    }

    /// Whether the model has [CLS]/[SEP]-like tokens to hide (the toggle is shown only then).
    pub fn has_special_tokens(&self) -> bool {
        self.special.cls.is_some() || self.special.sep.is_some() || self.kind == Kind::Vision
    }
}

/// Inputs the exporter writes; anything else cannot be filled in by this page.
const KNOWN_INPUTS: [&str; 5] = [
    "input_ids",
    "attention_mask",
    "token_type_ids",
    "position_ids",
    "pixel_values",
];

fn dtype(input: &IoDecl) -> Result<DType, OpenProblem> {
    match input.dtype.as_str() {
        "int64" => Ok(DType::I64),
        "float32" => Ok(DType::F32),
        other => Err(OpenProblem::Inconsistent(
            t!(
                "open.check.dtype",
                name = input.name.as_str(),
                dtype = other
            )
            .into_owned(),
        )),
    }
}

/// `[3, height, width]` channel-first values from RGBA bytes: `v · rescale`, then
/// `(x − mean) / std` per channel, as Hugging Face's image processors do. `None` when `rgba`
/// is not `width × height × 4` bytes.
pub fn normalize_image(spec: &ImageSpec, rgba: &[u8]) -> Option<Vec<f32>> {
    let (w, h) = (spec.width, spec.height);
    if rgba.len() != w * h * 4 {
        return None;
    }
    let mut out = vec![0.0f32; 3 * w * h];
    for c in 0..3 {
        let mean = spec.mean.get(c).copied().unwrap_or(0.0);
        let std = spec
            .std
            .get(c)
            .copied()
            .filter(|s| *s != 0.0)
            .unwrap_or(1.0);
        for p in 0..w * h {
            let mut v = f32::from(rgba[p * 4 + c]);
            if spec.do_rescale {
                v *= spec.rescale_factor;
            }
            if spec.do_normalize {
                v = (v - mean) / std;
            }
            out[c * w * h + p] = v;
        }
    }
    Some(out)
}
