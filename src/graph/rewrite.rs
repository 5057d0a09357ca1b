//! Rewrites of an ONNX graph before tract reads it, each exact (the same float operations on the
//! same values, so the outputs are bit for bit those of the file as written).
//!
//! **Gather before dequantize.** A weight-only int8 model stores its word-embedding table as
//! `DequantizeLinear(table_int8, scale, zero_point) → Gather(·, ids)`. tract keeps the int8 table
//! as it is (folding it would store 4× the bytes) and so dequantizes the *whole* table on every
//! run: all-MiniLM-L6-v2's 30,522 × 384 values, 45 of its 185 ms at 256 tokens (native, measured
//! with per-node times). Picking the rows first and dequantizing only them,
//! `Gather(table_int8, ids) → Cast → Mul(Gather(scale, ids))`, gives the same numbers: row r of the
//! dequantized table is `cast(q[r]) · s[r]` either way.
//!
//! **A matrix product's own float32 weight.** See [`split_shared_dequantize`]: a dequantized
//! table that a `Gemm` reads (a tied output projection) becomes a float32 constant, which tract
//! packs once instead of on every run.

use tract_onnx::pb::{
    attribute_proto, tensor_proto, AttributeProto, ModelProto, NodeProto, TensorProto,
};

/// Applies both rewrites of this module wherever they are exact ([`split_shared_dequantize`]
/// first); returns how many readers of a dequantized table they changed.
///
/// Changed: a `DequantizeLinear` whose input is an int8 or uint8 initializer of rank 2, whose
/// zero point is absent or all zeros, whose scale is one number or one per row (axis 0), and whose
/// only reader is a `Gather` on axis 0 (not a graph output). Anything else is left as written.
pub fn apply(model: &mut ModelProto) -> usize {
    let Some(graph) = model.graph.as_mut() else {
        return 0;
    };
    let mut changed = split_shared_dequantize(graph);
    let mut i = 0;
    while i < graph.node.len() {
        let Some(plan) = plan_at(graph, i) else {
            i += 1;
            continue;
        };
        let deq = graph.node[i].clone();
        let gather = graph.node[plan.gather].clone();
        let (table, scale, ids, out) = (
            &deq.input[0],
            &deq.input[1],
            &gather.input[1],
            &gather.output[0],
        );
        let base = if deq.name.is_empty() {
            table.clone()
        } else {
            deq.name.clone()
        };
        let rows_q = format!("{base}.gathered_int8");
        let rows_f = format!("{base}.gathered_f32");
        let mut new = vec![
            node(
                "Gather",
                &[table, ids],
                &rows_q,
                format!("{base}.gather_int8"),
                vec![int_attr("axis", 0)],
            ),
            node(
                "Cast",
                &[&rows_q],
                &rows_f,
                format!("{base}.cast"),
                vec![int_attr("to", tensor_proto::DataType::Float as i64)],
            ),
        ];
        let factor = if plan.per_row {
            // the scale as a (rows, 1) column: gathered, it broadcasts over each row's values
            let mut column = graph.initializer[plan.scale_init].clone();
            column.name = format!("{scale}.column");
            column.dims = vec![column.dims[0], 1];
            let picked = format!("{base}.gathered_scale");
            new.push(node(
                "Gather",
                &[&column.name, ids],
                &picked,
                format!("{base}.gather_scale"),
                vec![int_attr("axis", 0)],
            ));
            graph.initializer.push(column);
            picked
        } else {
            scale.clone()
        };
        new.push(node(
            "Mul",
            &[&rows_f, &factor],
            out,
            format!("{base}.scale_rows"),
            vec![],
        ));
        // The gather comes after the dequantize in topological order: put the new nodes there.
        let at = plan.gather;
        graph.node.splice(at..=at, new);
        graph.node.remove(i);
        changed += 1;
    }
    changed
}

/// Gives the readers of a dequantized initializer that a `Gather` also reads (an embedding table)
/// what serves each best: a matrix product (`Gemm`, `MatMul`) reads the float32 table itself,
/// computed here once; any other reader gets its own `DequantizeLinear` of the same int8 bytes.
///
/// A translation decoder whose embedding table is also its output projection (tied weights)
/// reads it with a `Gather` and a `Gemm`. Left shared, tract casts, scales and packs the whole
/// 8,000 × 192 table on every decoder step: 10 of its 12 ms (native, per-node times). Split, the
/// `Gemm` has a constant weight, which tract packs once when it optimises (1.8 ms a step, the
/// same outputs bit for bit, 6 MB more memory), and the `Gather` gets the rewrite above.
/// Returns how many readers were changed.
fn split_shared_dequantize(graph: &mut tract_onnx::pb::GraphProto) -> usize {
    let is_init =
        |g: &tract_onnx::pb::GraphProto, name: &str| g.initializer.iter().any(|t| t.name == name);
    let mut changed = 0;
    let mut i = 0;
    while i < graph.node.len() {
        if graph.node[i].op_type != "DequantizeLinear" {
            i += 1;
            continue;
        }
        let deq = graph.node[i].clone();
        let out = deq.output.first().cloned().unwrap_or_default();
        let constant = deq
            .input
            .iter()
            .filter(|x| !x.is_empty())
            .all(|x| is_init(graph, x))
            && !graph.output.iter().any(|o| o.name == out);
        let readers: Vec<usize> = (0..graph.node.len())
            .filter(|&j| graph.node[j].input.contains(&out))
            .collect();
        // Only a table that is also gathered (embeddings): tract already prepares the weights
        // that only matrix products read (and those that are also graph outputs) once.
        let gathered = readers.iter().any(|&j| graph.node[j].op_type == "Gather");
        let product = |j: usize| matches!(graph.node[j].op_type.as_str(), "Gemm" | "MatMul");
        let products: Vec<usize> = readers.iter().copied().filter(|&j| product(j)).collect();
        let table = (constant && gathered && !products.is_empty())
            .then(|| dequantized(graph, &deq))
            .flatten();
        let mut rest = readers.clone();
        if let Some(mut table) = table {
            table.name = format!("{out}.float32");
            for &j in &products {
                for x in graph.node[j].input.iter_mut().filter(|x| **x == out) {
                    x.clone_from(&table.name);
                }
                changed += 1;
            }
            graph.initializer.push(table);
            rest.retain(|j| !products.contains(j));
        }
        if !constant || !gathered || rest.len() < 2 {
            i += 1;
            continue;
        }
        // The first other reader keeps the original; each later one reads a copy placed before it.
        for (k, &j) in rest.iter().enumerate().skip(1).rev() {
            let name = format!("{out}.for_reader_{k}");
            for x in graph.node[j].input.iter_mut().filter(|x| **x == out) {
                x.clone_from(&name);
            }
            let mut copy = deq.clone();
            copy.output = vec![name];
            copy.name = format!("{}.copy_{k}", deq.name);
            graph.node.insert(j, copy);
            changed += 1;
        }
        i += 1;
    }
    changed
}

/// The int8 (or uint8) table of rank 2 that `deq` dequantizes, when both rewrites can reproduce
/// it exactly: its inputs are initializers, its zero point is absent or all zeros, and it has one
/// scale or one per row (axis 0).
struct Table<'a> {
    q: &'a TensorProto,
    /// index of the scale's initializer
    scale: usize,
    per_row: bool,
}

fn table_of<'a>(graph: &'a tract_onnx::pb::GraphProto, deq: &NodeProto) -> Option<Table<'a>> {
    if deq.op_type != "DequantizeLinear" || !deq.domain.is_empty() && deq.domain != "ai.onnx" {
        return None;
    }
    let init = |name: &str| graph.initializer.iter().position(|t| t.name == *name);
    let q = &graph.initializer[init(deq.input.first()?)?];
    let int8 = [
        tensor_proto::DataType::Int8 as i32,
        tensor_proto::DataType::Uint8 as i32,
    ];
    if q.dims.len() != 2 || !int8.contains(&q.data_type) {
        return None;
    }
    if let Some(zp) = deq.input.get(2).filter(|z| !z.is_empty()) {
        let z = &graph.initializer[init(zp)?];
        if z.raw_data.iter().any(|&b| b != 0) || z.int32_data.iter().any(|&v| v != 0) {
            return None;
        }
    }
    let scale = init(deq.input.get(1)?)?;
    let s = &graph.initializer[scale];
    let count: i64 = s.dims.iter().product();
    let axis = attr_int(deq, "axis").unwrap_or(1);
    let per_row = match count {
        1 => false,
        n if n == q.dims[0] && s.dims.len() == 1 && (axis == 0 || axis == -2) => true,
        _ => return None,
    };
    Some(Table { q, scale, per_row })
}

/// The float32 values `deq` computes, `q · s` (one rounding, as tract's cast and multiply), when
/// its inputs are initializers in raw bytes: an int8 table of rank 2, a zero point of zeros, one
/// scale or one per row.
fn dequantized(graph: &tract_onnx::pb::GraphProto, deq: &NodeProto) -> Option<TensorProto> {
    let Table { q, scale, per_row } = table_of(graph, deq)?;
    let s = &graph.initializer[scale];
    if q.data_type != tensor_proto::DataType::Int8 as i32
        || s.data_type != tensor_proto::DataType::Float as i32
    {
        return None;
    }
    let (rows, cols) = (
        usize::try_from(q.dims[0]).ok()?,
        usize::try_from(q.dims[1]).ok()?,
    );
    let scales: Vec<f32> = if s.raw_data.is_empty() {
        s.float_data.clone()
    } else {
        s.raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    if scales.len() != if per_row { rows } else { 1 } {
        return None;
    }
    if q.raw_data.len() != rows * cols {
        return None;
    }
    let raw = q
        .raw_data
        .iter()
        .enumerate()
        .flat_map(|(k, &b)| {
            ((b as i8) as f32 * scales[if per_row { k / cols } else { 0 }]).to_le_bytes()
        })
        .collect();
    Some(TensorProto {
        dims: q.dims.clone(),
        data_type: tensor_proto::DataType::Float as i32,
        raw_data: raw,
        ..Default::default()
    })
}

struct Plan {
    gather: usize,
    scale_init: usize,
    per_row: bool,
}

/// Whether node `i` is a dequantize the rewrite applies to, and how.
fn plan_at(graph: &tract_onnx::pb::GraphProto, i: usize) -> Option<Plan> {
    let deq = &graph.node[i];
    let Table {
        scale: scale_init,
        per_row,
        ..
    } = table_of(graph, deq)?;
    let out = deq.output.first()?;
    if graph.output.iter().any(|o| o.name == *out) {
        return None;
    }
    let mut readers = graph
        .node
        .iter()
        .enumerate()
        .filter(|(_, n)| n.input.iter().any(|x| x == out));
    let (gather, reader) = readers.next()?;
    if readers.next().is_some()
        || reader.op_type != "Gather"
        || reader.input.first() != Some(out)
        || reader.input[1..].iter().any(|x| x == out)
        || reader.input.len() != 2
        || !matches!(attr_int(reader, "axis").unwrap_or(0), 0 | -2)
    {
        return None;
    }
    Some(Plan {
        gather,
        scale_init,
        per_row,
    })
}

fn attr_int(n: &NodeProto, name: &str) -> Option<i64> {
    n.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

fn int_attr(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_proto::AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
}

fn node(
    op: &str,
    inputs: &[&String],
    output: &str,
    name: String,
    attribute: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| (*s).clone()).collect(),
        output: vec![output.into()],
        name,
        op_type: op.into(),
        attribute,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::pb::{
        tensor_shape_proto, type_proto, GraphProto, OperatorSetIdProto, TensorProto,
        TensorShapeProto, TypeProto, ValueInfoProto,
    };
    use tract_onnx::prelude::*;

    const Q: [i8; 12] = [1, -2, 3, 127, -127, 0, 5, 6, -7, 8, 9, 10];

    fn tensor(
        name: &str,
        dims: &[i64],
        data_type: tensor_proto::DataType,
        raw: Vec<u8>,
    ) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: data_type as i32,
            raw_data: raw,
            ..Default::default()
        }
    }

    fn value(name: &str, elem: tensor_proto::DataType, dims: &[i64]) -> ValueInfoProto {
        let dim = |d: &i64| tensor_shape_proto::Dimension {
            value: Some(tensor_shape_proto::dimension::Value::DimValue(*d)),
            ..Default::default()
        };
        ValueInfoProto {
            name: name.into(),
            r#type: Some(TypeProto {
                value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                    elem_type: elem as i32,
                    shape: Some(TensorShapeProto {
                        dim: dims.iter().map(dim).collect(),
                    }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// ids (2,) → Gather(DequantizeLinear(q (4, 3) int8, scale, zero point)) → out (2, 3).
    fn model(scale: &[f32], zero: i8, axis: i64, deq_is_output: bool) -> ModelProto {
        use tensor_proto::DataType::{Float, Int64, Int8};
        let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect();
        let scale_dims: Vec<i64> = if scale.len() == 1 {
            vec![]
        } else {
            vec![scale.len() as i64]
        };
        let zp = vec![zero as u8; scale.len()];
        let mut output = vec![value("out", Float, &[2, 3])];
        if deq_is_output {
            output.push(value("table", Float, &[4, 3]));
        }
        ModelProto {
            ir_version: 8,
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 17,
            }],
            graph: Some(GraphProto {
                node: vec![
                    node(
                        "DequantizeLinear",
                        &[&"q".into(), &"s".into(), &"zp".into()],
                        "table",
                        "deq".into(),
                        vec![int_attr("axis", axis)],
                    ),
                    node(
                        "Gather",
                        &[&"table".into(), &"ids".into()],
                        "out",
                        "gather".into(),
                        vec![int_attr("axis", 0)],
                    ),
                ],
                initializer: vec![
                    tensor("q", &[4, 3], Int8, Q.iter().map(|&x| x as u8).collect()),
                    tensor("s", &scale_dims, Float, f32s(scale)),
                    tensor("zp", &scale_dims, Int8, zp),
                ],
                input: vec![value("ids", Int64, &[2])],
                output,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn run(proto: &ModelProto) -> Vec<f32> {
        let plan = tract_onnx::onnx()
            .model_for_proto_model(proto)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .expect("the test graph runs");
        let out = plan.run(tvec![tensor1(&[3i64, 1]).into()]).expect("runs");
        out[0]
            .to_plain_array_view::<f32>()
            .expect("f32")
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn per_row_and_single_scales_give_the_same_values_bit_for_bit() {
        for scale in [&[0.5f32, 0.25, 0.125, 0.1][..], &[0.3][..]] {
            let written = model(scale, 0, 0, false);
            let mut rewritten = written.clone();
            assert_eq!(apply(&mut rewritten), 1);
            let ops: Vec<_> = rewritten
                .graph
                .as_ref()
                .map(|g| g.node.iter().map(|n| n.op_type.clone()).collect())
                .unwrap_or_default();
            assert!(!ops.contains(&"DequantizeLinear".to_string()), "{ops:?}");
            let row = |r: usize| {
                Q[r * 3..r * 3 + 3]
                    .iter()
                    .map(|&q| q as f32 * scale[r.min(scale.len() - 1)])
                    .collect::<Vec<_>>()
            };
            let want = [row(3), row(1)].concat();
            assert_eq!(run(&written), want);
            assert_eq!(run(&rewritten), want);
        }
    }

    #[test]
    fn leaves_what_it_cannot_rewrite_exactly() {
        let cases = [
            (
                "a zero point that is not zero",
                model(&[0.5, 0.25, 0.125, 0.1], 3, 0, false),
            ),
            (
                "scales along the columns' axis",
                model(&[0.5, 0.25, 0.125, 0.1], 0, 1, false),
            ),
            ("a table that is also an output", model(&[0.3], 0, 0, true)),
        ];
        for (what, written) in cases {
            let mut rewritten = written.clone();
            assert_eq!(apply(&mut rewritten), 0, "{what}");
            assert_eq!(rewritten, written, "{what}");
        }
    }
}
