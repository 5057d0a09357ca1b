//! Running any ONNX graph with named tensors in and out, plus an optional tokenizer.
//!
//! The demos other than the walkthrough use this: the page sends tensors, the worker runs the
//! graph with tract and sends named outputs back. Free of UI types, so golden tests run it natively.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokenizers::Tokenizer;
// The explicit imports below (our `Tensor`) take precedence over the prelude's names.
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use crate::protocol::{DType, Dim, Encoded, InputSpec, ModelError, Tensor, TensorData};

pub mod rewrite;

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

/// Output indices asked for, and the plan computing only them once it is made.
type PrunedPlan = (Vec<usize>, Option<Arc<TypedRunnableModel>>);

/// An optimised tract plan with named inputs and outputs.
pub struct GraphRunner {
    /// The plan that computes every output
    plan: Arc<TypedRunnableModel>,
    /// The typed graph before optimisation, kept (small graphs only) to make plans that compute
    /// only some outputs: see [`GraphRunner::plan_for`]
    typed: Option<TypedModel>,
    /// Output subsets asked for, each with its plan once asked for twice (newest last)
    pruned: Mutex<Vec<PrunedPlan>>,
    inputs: Vec<GraphInput>,
    outputs: Vec<String>,
    output_index: HashMap<String, usize>,
    encoder: Option<TextEncoder>,
}

/// Graphs up to this size get plans for subsets of their outputs. A second plan holds a second
/// copy of the weights tract folded to f32 (about 4× the int8 file), so larger graphs (the
/// pretrained encoder, the generator) keep the one plan that computes everything.
pub const PRUNE_MAX_BYTES: usize = 2 << 20;
/// At most this many output subsets (and so pruned plans) per graph: the oldest is dropped
const PRUNED_PLANS: usize = 3;

/// What a tensor for one graph input must be, checked before tract sees it: tract indexes
/// without bounds checks in places (an id past a `Gather`'s table panics, which in wasm kills
/// the worker), so the worker refuses such a tensor with a message instead.
struct GraphInput {
    name: String,
    dtype: DType,
    /// The declared dimensions (none when the caller gave no specs).
    shape: Option<Vec<Dim>>,
    /// Ids fed straight into a table lookup must be below this (the table's rows).
    id_limit: Option<usize>,
}

/// For each graph input, the rows of the smallest table it indexes directly (`Gather`,
/// `GatherElements`, through shape-, type- or broadcast-only ops), found in the typed graph before optimisation folds the lookups away.
fn id_limits(model: &TypedModel) -> TractResult<Vec<Option<usize>>> {
    use tract_onnx::tract_core::ops::array::{Gather, GatherElements, MultiBroadcastTo};
    use tract_onnx::tract_core::ops::cast::Cast;
    use tract_onnx::tract_core::ops::change_axes::AxisOp;
    let sources = model.input_outlets()?.to_vec();
    let mut limits = vec![None; sources.len()];
    let traced = |mut outlet: OutletId| {
        for _ in 0..8 {
            if let Some(i) = sources.iter().position(|s| *s == outlet) {
                return Some(i);
            }
            let node = model.node(outlet.node);
            let passes =
                node.op_is::<Cast>() || node.op_is::<AxisOp>() || node.op_is::<MultiBroadcastTo>();
            if node.inputs.len() != 1 || !passes {
                return None;
            }
            outlet = node.inputs[0];
        }
        None
    };
    for node in &model.nodes {
        let axis = match (node.op_as::<Gather>(), node.op_as::<GatherElements>()) {
            (Some(g), _) => g.axis,
            (_, Some(g)) => g.axis,
            _ => continue,
        };
        let Some(input) = node.inputs.get(1).and_then(|&o| traced(o)) else {
            continue;
        };
        let rows = model.outlet_fact(node.inputs[0])?.shape[axis].as_i64();
        if let Some(rows) = rows.and_then(|r| usize::try_from(r).ok()) {
            let limit: &mut Option<usize> = &mut limits[input];
            *limit = Some(limit.map_or(rows, |l| l.min(rows)));
        }
    }
    Ok(limits)
}

/// Refuses a tensor whose shape breaks the declared one (rank, fixed sizes, one size per symbol
/// across inputs) or whose ids fall outside the table they index.
fn check_tensor(
    input: &GraphInput,
    t: &Tensor,
    symbols: &mut HashMap<String, usize>,
) -> Result<(), ModelError> {
    let name = &input.name;
    if let Some(dims) = &input.shape {
        if dims.len() != t.shape.len() {
            return Err(ModelError::BadInput(format!(
                "`{name}` has {} dimensions {:?}; the model takes {}",
                t.shape.len(),
                t.shape,
                dims.len()
            )));
        }
        for (dim, &got) in dims.iter().zip(&t.shape) {
            match dim {
                Dim::Fixed(n) if *n != got => {
                    return Err(ModelError::BadInput(format!(
                        "`{name}` has shape {:?}; a dimension must be {n}",
                        t.shape
                    )))
                }
                Dim::Symbol(s) => {
                    let seen = *symbols.entry(s.clone()).or_insert(got);
                    if seen != got {
                        return Err(ModelError::BadInput(format!(
                            "`{name}` has {s} = {got} where another input has {seen}"
                        )));
                    }
                }
                Dim::Fixed(_) => {}
            }
        }
    }
    if let (Some(limit), TensorData::I64(ids)) = (input.id_limit, &t.data) {
        if let Some(bad) = ids.iter().find(|&&id| id < 0 || id as u64 >= limit as u64) {
            return Err(ModelError::BadInput(format!(
                "`{name}` holds {bad}; this model takes values from 0 to {}",
                limit.saturating_sub(1)
            )));
        }
    }
    Ok(())
}

/// Parses `onnx` into tract's model, after the exact rewrites of [`rewrite`] (the int8
/// embedding table is gathered before it is dequantized).
pub fn read_onnx(onnx: &[u8]) -> Result<InferenceModel, ModelError> {
    let not_onnx = |e: TractError| ModelError::NotOnnx(format!("{e:#}"));
    let onnx_fw = tract_onnx::onnx();
    let mut proto = onnx_fw
        .proto_model_for_read(&mut &onnx[..])
        .map_err(not_onnx)?;
    rewrite::apply(&mut proto);
    onnx_fw.model_for_proto_model(&proto).map_err(not_onnx)
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
        let mut model = read_onnx(onnx)?;
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
            let shape = inputs
                .iter()
                .find(|s| &s.name == name)
                .map(|s| s.shape.clone());
            typed_inputs.push((name.clone(), dtype, shape));
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
        let foreign = |e: TractError| ModelError::Foreign(format!("{e:#}"));
        let typed = model.into_typed().map_err(foreign)?;
        let limits = id_limits(&typed).map_err(foreign)?;
        let kept = (onnx.len() <= PRUNE_MAX_BYTES).then(|| typed.clone());
        let plan = typed
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(foreign)?;
        let inputs = typed_inputs
            .into_iter()
            .zip(limits)
            .map(|((name, dtype, shape), id_limit)| GraphInput {
                name,
                dtype,
                shape,
                id_limit,
            })
            .collect();
        Ok(Self {
            plan,
            typed: kept,
            pruned: Mutex::new(Vec::new()),
            inputs,
            outputs,
            output_index,
            encoder,
        })
    }

    pub fn input_names(&self) -> Vec<String> {
        self.inputs.iter().map(|i| i.name.clone()).collect()
    }

    /// The ids `input` may hold are below this: the rows of the table it indexes, if it does.
    pub fn id_limit(&self, input: &str) -> Option<usize> {
        self.inputs.iter().find(|i| i.name == input)?.id_limit
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
        let mut symbols = HashMap::new();
        for input in &self.inputs {
            let (name, dtype) = (&input.name, &input.dtype);
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
            check_tensor(input, &t, &mut symbols)?;
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
        // A plan that computes only the wanted outputs returns them in `pick`'s order.
        let (plan, at): (Arc<TypedRunnableModel>, Vec<usize>) = match self.plan_for(&pick)? {
            Some(plan) => (plan, (0..pick.len()).collect()),
            None => (self.plan.clone(), pick.clone()),
        };
        let results = plan
            .run(values)
            .map_err(|e| ModelError::Inference(format!("{e:#}")))?;
        pick.into_iter()
            .zip(at)
            .map(|(i, at)| {
                let value = results
                    .get(at)
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

impl GraphRunner {
    /// A plan computing only the outputs `pick` (indices into [`GraphRunner::output_names`]),
    /// made on the second request for them and kept; `None` when the full plan should run (all
    /// outputs wanted, a first request, or a graph too large to hold twice). A pruned plan skips
    /// every node no wanted output needs and lets tract fuse what named outputs kept apart (the
    /// walkthrough's explain batches want only `probs` of a graph with ~40 outputs).
    fn plan_for(&self, pick: &[usize]) -> Result<Option<Arc<TypedRunnableModel>>, ModelError> {
        let Some(typed) = &self.typed else {
            return Ok(None);
        };
        let mut sorted = pick.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() == self.outputs.len() {
            return Ok(None);
        }
        let poisoned = |_| ModelError::Inference("a pruned plan's lock was poisoned".into());
        let mut pruned = self.pruned.lock().map_err(poisoned)?;
        match pruned.iter().position(|(k, _)| k == pick) {
            Some(i) => {
                if let Some(plan) = &pruned[i].1 {
                    return Ok(Some(plan.clone()));
                }
            }
            None => {
                // Asked once (a probe run, a one-off): the full plan serves it. Optimising a
                // plan pays off from the second request for the same outputs on.
                if pruned.len() == PRUNED_PLANS {
                    pruned.remove(0);
                }
                pruned.push((pick.to_vec(), None));
                return Ok(None);
            }
        }
        let foreign = |e: TractError| ModelError::Foreign(format!("{e:#}"));
        let all = typed.output_outlets().map_err(foreign)?.to_vec();
        let wanted: Vec<OutletId> = pick.iter().map(|&i| all[i]).collect();
        let mut model = typed.clone();
        model.select_output_outlets(&wanted).map_err(foreign)?;
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(foreign)?;
        if let Some(entry) = pruned.iter_mut().find(|(k, _)| k == pick) {
            entry.1 = Some(plan.clone());
        }
        Ok(Some(plan))
    }
}

fn data_len(d: &TensorData) -> usize {
    match d {
        TensorData::F32(v) => v.len(),
        TensorData::I64(v) => v.len(),
    }
}
