//! Per-node times of an ONNX model in tract (native), as the file is written and as the site reads
//! it (after `graph::rewrite`), and whether the two give the same outputs bit for bit:
//!
//!     cargo run --release --example profile_nodes -- models/minilm/model.onnx 256
//!
//! Each input gets its declared type and shape, n for any open dimension (1 for an open batch axis): `*mask*` ones,
//! `*type*` zeros, other integers small ids, other floats small values.
//! `FIXED=1` fixes every open axis before optimizing (what a sequence-length bucket would do).
//! Prints the time to optimize, each run's total, its six costliest kinds of operator and its four (`TOP=n`: n) slowest
//! nodes.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> tract_onnx::prelude::TractResult<()> {
    use std::collections::HashMap;
    use std::time::Instant;
    use tract_onnx::prelude::*;
    use tract_onnx::tract_hir::infer::Factoid;

    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1])?;
    let n: usize = args.get(2).map(|s| s.parse().unwrap_or(256)).unwrap_or(256);
    let mut outs = vec![];
    for rewritten in [false, true] {
        let mut model = if rewritten {
            attention_playground::graph::read_onnx(&bytes)
                .map_err(|e| tract_onnx::prelude::TractError::msg(format!("{e:?}")))?
        } else {
            tract_onnx::onnx().model_for_read(&mut &bytes[..])?
        };
        // FIXED=1: every input axis fixed before optimizing (batch 1, sequence n), as a
        // sequence-length bucket would: tract then picks its by-scalar and unicast kernels for
        // the element-wise steps, which it cannot prove worth it for symbolic lengths.
        if std::env::var("FIXED").is_ok_and(|v| v == "1") {
            for i in 0..model.input_outlets()?.len() {
                let fact = model.input_fact(i)?.clone();
                let dt = fact.datum_type.concretize().unwrap_or(i64::datum_type());
                let rank = fact.shape.rank().concretize().unwrap_or(2) as usize;
                let dims: TVec<TDim> = (0..rank)
                    .map(
                        |axis| match fact.shape.dim(axis).and_then(|d| d.concretize()) {
                            Some(d) if d.as_i64().is_some() => d,
                            _ if axis == 0 && rank > 1 => 1.into(),
                            _ => (n as i64).into(),
                        },
                    )
                    .collect();
                model.set_input_fact(i, InferenceFact::dt_shape(dt, dims))?;
            }
        }
        let t_opt = Instant::now();
        let plan = model.into_optimized()?.into_runnable()?;
        println!("optimized in {:.1} ms", t_opt.elapsed().as_secs_f64() * 1e3);
        // Every input at its declared type; a dimension the file leaves open is n.
        let mut inputs: TVec<TValue> = tvec![];
        for (i, outlet) in plan.model().input_outlets()?.iter().enumerate() {
            let name = &plan.model().node(outlet.node).name;
            let fact = plan.model().input_fact(i)?;
            let shape: Vec<usize> = fact
                .shape
                .iter()
                .enumerate()
                .map(|(axis, d)| match d.as_i64() {
                    Some(v) => v as usize,
                    // One sequence: an open batch axis is 1 (n there made MiniLM 256 × 256 tokens)
                    None if d.to_string().contains("batch") || (axis == 0 && fact.rank() > 1) => 1,
                    None => n,
                })
                .collect();
            let len: usize = shape.iter().product();
            let t = if fact.datum_type == i64::datum_type() {
                let v: Vec<i64> = (0..len)
                    .map(|k| match name {
                        _ if name.contains("mask") => 1,
                        _ if name.contains("type") => 0,
                        _ => (3 + (k * 7) % 97) as i64,
                    })
                    .collect();
                tensor1(&v).into_shape(&shape)?
            } else {
                let v: Vec<f32> = (0..len)
                    .map(|k| {
                        if name.contains("mask") {
                            1.0
                        } else {
                            (k as f32 * 0.37).sin() * 0.1
                        }
                    })
                    .collect();
                tensor1(&v).into_shape(&shape)?
            };
            inputs.push(t.into());
        }
        let mut state = tract_onnx::tract_core::plan::SimpleState::new(&plan)?;
        let mut last = None;
        for round in 0..3 {
            let mut times: HashMap<String, f64> = HashMap::new();
            let t = Instant::now();
            let out = state.run_plan_with_eval(inputs.clone(), |ctx, st, node, input| {
                let s = Instant::now();
                let r = tract_onnx::tract_core::plan::eval(ctx, st, node, input);
                *times
                    .entry(format!("{}#{}", node.op().name(), node.name))
                    .or_default() += s.elapsed().as_secs_f64() * 1e3;
                r
            })?;
            let total = t.elapsed().as_secs_f64() * 1e3;
            let mut by_op: HashMap<&str, f64> = HashMap::new();
            for (k, t) in &times {
                *by_op.entry(k.split('#').next().unwrap_or("")).or_default() += t;
            }
            let mut by_op: Vec<_> = by_op.into_iter().collect();
            by_op.sort_by(|a, b| b.1.total_cmp(&a.1));
            let by_op: Vec<_> = by_op
                .iter()
                .take(6)
                .map(|(k, t)| format!("{k} {t:.1}"))
                .collect();
            let mut v: Vec<_> = times.into_iter().collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            println!(
                "rewritten {rewritten} round {round}: {total:.1} ms; by op: {by_op:?}; top: {:?}",
                v.iter()
                    .take(
                        std::env::var("TOP")
                            .ok()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(4)
                    )
                    .map(|(k, t)| format!("{k} {t:.1}"))
                    .collect::<Vec<_>>()
            );
            last = Some(out);
        }
        outs.push(last.unwrap_or_default());
    }
    let same = outs[0]
        .iter()
        .zip(&outs[1])
        .all(|(a, b)| a.close_enough(b, false).is_ok() && a.as_bytes() == b.as_bytes());
    println!("{} outputs, bit for bit equal: {same}", outs[0].len());
    Ok(())
}
