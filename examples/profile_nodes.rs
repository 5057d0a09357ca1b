//! Per-node times of an ONNX model in tract (native), as the file is written and as the site reads
//! it (after `graph::rewrite`), and whether the two give the same outputs bit for bit:
//!
//!     cargo run --release --example profile_nodes -- models/minilm/model.onnx 256
//!
//! Each input gets its declared type and shape, n for any open dimension: `*mask*` ones,
//! `*type*` zeros, other integers small ids, other floats small values.
//! Prints each run's total and its four slowest nodes.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> tract_onnx::prelude::TractResult<()> {
    use std::collections::HashMap;
    use std::time::Instant;
    use tract_onnx::prelude::*;

    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1])?;
    let n: usize = args.get(2).map(|s| s.parse().unwrap_or(256)).unwrap_or(256);
    let mut outs = vec![];
    for rewritten in [false, true] {
        let model = if rewritten {
            attention_playground::graph::read_onnx(&bytes)
                .map_err(|e| tract_onnx::prelude::TractError::msg(format!("{e:?}")))?
        } else {
            tract_onnx::onnx().model_for_read(&mut &bytes[..])?
        };
        let plan = model.into_optimized()?.into_runnable()?;
        // Every input at its declared type; a dimension the file leaves open is n.
        let mut inputs: TVec<TValue> = tvec![];
        for (i, outlet) in plan.model().input_outlets()?.iter().enumerate() {
            let name = &plan.model().node(outlet.node).name;
            let fact = plan.model().input_fact(i)?;
            let shape: Vec<usize> = fact
                .shape
                .iter()
                .map(|d| d.as_i64().map_or(n, |v| v as usize))
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
            let mut v: Vec<_> = times.into_iter().collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            println!(
                "rewritten {rewritten} round {round}: {total:.1} ms; top: {:?}",
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
