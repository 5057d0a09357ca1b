//! Per-node times of an ONNX model in tract (native), as the file is written and as the site reads
//! it (after `graph::rewrite`), and whether the two give the same outputs bit for bit:
//!
//!     cargo run --release --example profile_nodes -- models/minilm/model.onnx 256
//!
//! The inputs are named by the graph: `*mask*` gets ones, `*type*` zeros, anything else ids.
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
        let names: Vec<String> = model
            .input_outlets()?
            .iter()
            .map(|o| model.node(o.node).name.clone())
            .collect();
        let plan = model.into_optimized()?.into_runnable()?;
        let inputs: TVec<TValue> = names
            .iter()
            .map(|name| {
                let v: Vec<i64> = (0..n)
                    .map(|i| {
                        if name.contains("mask") {
                            1
                        } else if name.contains("type") {
                            0
                        } else {
                            (1000 + i * 7) as i64
                        }
                    })
                    .collect();
                tensor1(&v).into_shape(&[1, n]).map(|t| t.into())
            })
            .collect::<TractResult<_>>()?;
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
                    .take(4)
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
