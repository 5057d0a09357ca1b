//! Running any ONNX graph with named tensors in and out, plus an optional tokenizer.
//!
//! The demos other than the walkthrough use this: the page sends tensors, the worker runs the
//! graph with tract and sends named outputs back. Free of UI types, so golden tests run it natively.

use std::collections::HashMap;

use tokenizers::Tokenizer;
// The explicit imports below (our `Tensor`) take precedence over the prelude's names.
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use crate::protocol::{DType, Dim, Encoded, InputSpec, ModelError, Tensor, TensorData};

/// A tokenizer as the model was trained with it, and an untruncated twin to count what was cut.
pub struct TextEncoder {
    tokenizer: Tokenizer,
    counter: Tokenizer,
    max_len: Option<usize>,
}

impl TextEncoder {
    /// Reads a Hugging Face `tokenizer.json`.
    pub fn from_bytes(json: &[u8]) -> Result<Self, ModelError> {
        let tokenizer =
            Tokenizer::from_bytes(json).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let max_len = tokenizer.get_truncation().map(|t| t.max_length);
        let mut counter = tokenizer.clone();
        counter
            .with_truncation(None)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        Ok(Self {
            tokenizer,
            counter,
            max_len,
        })
    }

    /// The truncation length written in `tokenizer.json`, if any.
    pub fn max_len(&self) -> Option<usize> {
        self.max_len
    }

    /// Tokenizes `text` (special tokens added), cut to the maximum length.
    /// Blank text is [`ModelError::EmptyInput`].
    pub fn encode(&self, text: &str) -> Result<Encoded, ModelError> {
        if text.trim().is_empty() {
            return Err(ModelError::EmptyInput);
        }
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let untruncated_len = if self.max_len.is_some() {
            self.counter
                .encode(text, true)
                .map_err(|e| ModelError::Tokenizer(e.to_string()))?
                .len()
        } else {
            encoding.len()
        };
        Ok(Encoded {
            ids: encoding.get_ids().to_vec(),
            tokens: encoding.get_tokens().to_vec(),
            offsets: encoding.get_offsets().to_vec(),
            untruncated_len,
            max_len: self.max_len,
        })
    }
}

/// An optimised tract plan with named inputs and outputs.
pub struct GraphRunner {
    plan: std::sync::Arc<TypedRunnableModel>,
    inputs: Vec<(String, DType)>,
    outputs: Vec<String>,
    output_index: HashMap<String, usize>,
    encoder: Option<TextEncoder>,
}

fn datum(dtype: DType) -> DatumType {
    match dtype {
        DType::F32 => f32::datum_type(),
        DType::I64 => i64::datum_type(),
    }
}

impl GraphRunner {
    /// Parses, checks and optimises `onnx`. `inputs` must name every graph input (any order);
    /// an empty list keeps the types and shapes the file declares.
    pub fn load(
        onnx: &[u8],
        tokenizer_json: Option<&[u8]>,
        inputs: &[InputSpec],
    ) -> Result<Self, ModelError> {
        if onnx.is_empty() {
            return Err(ModelError::EmptyModel);
        }
        let encoder = tokenizer_json.map(TextEncoder::from_bytes).transpose()?;
        let mut model = tract_onnx::onnx()
            .model_for_read(&mut &onnx[..])
            .map_err(|e| ModelError::NotOnnx(format!("{e:#}")))?;
        let input_names: Vec<String> = model
            .input_outlets()
            .map_err(|e| ModelError::NotOnnx(e.to_string()))?
            .iter()
            .map(|o| model.node(o.node).name.clone())
            .collect();
        let mut typed_inputs = Vec::with_capacity(input_names.len());
        for (i, name) in input_names.iter().enumerate() {
            let dtype = if inputs.is_empty() {
                let fact = model
                    .input_fact(i)
                    .map_err(|e| ModelError::NotOnnx(e.to_string()))?;
                match fact.datum_type.concretize() {
                    Some(t) if t == i64::datum_type() => DType::I64,
                    _ => DType::F32,
                }
            } else {
                let spec = inputs.iter().find(|s| &s.name == name).ok_or_else(|| {
                    ModelError::Foreign(format!(
                        "it has an input named `{name}`; expected inputs {:?}",
                        inputs.iter().map(|s| &s.name).collect::<Vec<_>>()
                    ))
                })?;
                let dims: Vec<TDim> = spec
                    .shape
                    .iter()
                    .map(|d| match d {
                        Dim::Fixed(n) => TDim::from(*n),
                        Dim::Symbol(s) => TDim::Sym(model.symbols.sym(s)),
                    })
                    .collect();
                let fact = InferenceFact::dt_shape(datum(spec.dtype), dims);
                model
                    .set_input_fact(i, fact)
                    .map_err(|e| ModelError::Foreign(e.to_string()))?;
                spec.dtype
            };
            typed_inputs.push((name.clone(), dtype));
        }
        if let Some(extra) = inputs.iter().find(|s| !input_names.contains(&s.name)) {
            return Err(ModelError::Foreign(format!(
                "it has no input named `{}` (its inputs: {input_names:?})",
                extra.name
            )));
        }
        let outputs: Vec<String> = model
            .output_outlets()
            .map_err(|e| ModelError::NotOnnx(e.to_string()))?
            .iter()
            .map(|&o| {
                model
                    .outlet_label(o)
                    .map(str::to_owned)
                    .unwrap_or_else(|| model.node(o.node).name.clone())
            })
            .collect();
        let output_index = outputs
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(|e| ModelError::Foreign(format!("{e:#}")))?;
        Ok(Self {
            plan,
            inputs: typed_inputs,
            outputs,
            output_index,
            encoder,
        })
    }

    pub fn input_names(&self) -> Vec<String> {
        self.inputs.iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn output_names(&self) -> &[String] {
        &self.outputs
    }

    /// Whether the graph has an output called `name`.
    pub fn has_output(&self, name: &str) -> bool {
        self.output_index.contains_key(name)
    }

    /// Tokenizes `text` with the tokenizer loaded beside the graph.
    pub fn encode(&self, text: &str) -> Result<Encoded, ModelError> {
        self.encoder
            .as_ref()
            .ok_or_else(|| ModelError::Tokenizer("this model was loaded without one".into()))?
            .encode(text)
    }

    pub fn text_encoder(&self) -> Option<&TextEncoder> {
        self.encoder.as_ref()
    }

    /// Runs the graph. Every input must be given by name; `wanted` picks outputs (all when `None`).
    pub fn run(
        &self,
        mut given: Vec<Tensor>,
        wanted: Option<&[String]>,
    ) -> Result<Vec<Tensor>, ModelError> {
        let mut values = tvec![];
        for (name, dtype) in &self.inputs {
            let pos = given
                .iter()
                .position(|t| &t.name == name)
                .ok_or_else(|| ModelError::BadInput(format!("no tensor for input `{name}`")))?;
            let t = given.swap_remove(pos);
            if t.len() != data_len(&t.data) {
                return Err(ModelError::BadInput(format!(
                    "`{name}` has shape {:?} but {} values",
                    t.shape,
                    data_len(&t.data)
                )));
            }
            let shape = tract_ndarray::IxDyn(&t.shape);
            let tensor = match (dtype, t.data) {
                (DType::F32, TensorData::F32(v)) => {
                    tract_ndarray::ArrayD::from_shape_vec(shape, v).map(IntoTensor::into_tensor)
                }
                (DType::I64, TensorData::I64(v)) => {
                    tract_ndarray::ArrayD::from_shape_vec(shape, v).map(IntoTensor::into_tensor)
                }
                _ => return Err(ModelError::BadInput(format!("`{name}` must be {dtype:?}"))),
            }
            .map_err(|e| ModelError::BadInput(e.to_string()))?;
            values.push(TValue::from(tensor));
        }
        if let Some(extra) = given.first() {
            return Err(ModelError::BadInput(format!(
                "the model has no input `{}`",
                extra.name
            )));
        }
        let results = self
            .plan
            .run(values)
            .map_err(|e| ModelError::Inference(format!("{e:#}")))?;
        let pick: Vec<usize> = match wanted {
            None => (0..self.outputs.len()).collect(),
            Some(names) => names
                .iter()
                .map(|n| {
                    self.output_index
                        .get(n)
                        .copied()
                        .ok_or_else(|| ModelError::Foreign(format!("it has no output named `{n}`")))
                })
                .collect::<Result<_, _>>()?,
        };
        pick.into_iter()
            .map(|i| {
                let value = results
                    .get(i)
                    .ok_or_else(|| ModelError::Inference(format!("output {i} is missing")))?;
                let name = self.outputs[i].clone();
                let shape = value.shape().to_vec();
                let data = if value.datum_type() == i64::datum_type() {
                    let view = value
                        .to_plain_array_view::<i64>()
                        .map_err(|e| ModelError::Inference(e.to_string()))?;
                    TensorData::I64(view.iter().copied().collect())
                } else {
                    let cast = value
                        .cast_to::<f32>()
                        .map_err(|e| ModelError::Inference(e.to_string()))?;
                    let view = cast
                        .to_plain_array_view::<f32>()
                        .map_err(|e| ModelError::Inference(e.to_string()))?;
                    TensorData::F32(view.iter().copied().collect())
                };
                Ok(Tensor { name, shape, data })
            })
            .collect()
    }
}

fn data_len(d: &TensorData) -> usize {
    match d {
        TensorData::F32(v) => v.len(),
        TensorData::I64(v) => v.len(),
    }
}
