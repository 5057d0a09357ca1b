//! `manifest.json`: what the page needs to know about a model before downloading it.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Label {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub onnx: String,
    pub tokenizer: String,
    pub onnx_bytes: u64,
    pub tokenizer_bytes: u64,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub max_len: usize,
    pub labels: Vec<Label>,
    #[serde(default)]
    pub examples: Vec<String>,
}

impl Manifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json)
            .map_err(|e| rust_i18n::t!("error.manifest", detail = e).into_owned())
    }
}
