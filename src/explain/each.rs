//! Variants for graphs without a batch axis (the translator's encoder and decoder, the
//! generator): every variant runs on its own, all of them inside ONE worker request, and only
//! one number per variant comes back (a probability read from the last stage's output), never
//! the whole logits.
//!
//! Pure: [`run_each`] takes the graph runner as a function, so the worker and the native tests
//! run exactly the same chain.

use serde::{Deserialize, Serialize};

use crate::protocol::{ModelError, Tensor};

/// One graph run of a variant's chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The worker's key of the graph
    pub key: String,
    pub inputs: Vec<Tensor>,
    /// Outputs of the stage before (for a chain's first stage: of the shared
    /// [`Each::prefix`]) passed on as inputs, `(output, input)`: the encoder's `memory` into the
    /// decoder, a prefix's `layer0.key` into `past.0.key`
    pub carry: Vec<(String, String)>,
    /// The outputs this stage must return (what the next stage carries, or what is picked)
    pub outputs: Vec<String>,
}

/// How a row of values becomes the prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowValue {
    /// The row holds log-probabilities: `exp(row[index])`
    Exp,
    /// The row holds logits: `softmax(row)[index]`, in f64 with the row max subtracted
    Softmax,
}

/// The prediction of each variant: element `index` of the LAST row of output `output` (its
/// last axis is the vocabulary), turned into a probability by `how`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub output: String,
    pub index: usize,
    pub how: RowValue,
}

/// The whole request: one chain of stages per variant, and what is read from each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Each {
    /// Run once before the chains, for what every variant shares (the generator's key/value
    /// cache of the tokens before the first occluded one); its outputs stay in the worker
    pub prefix: Option<Stage>,
    pub runs: Vec<Vec<Stage>>,
    pub pick: Pick,
}

impl Each {
    /// One chain per variant, each read at `index` of `output`'s last row.
    pub fn runs(
        prefix: Option<Stage>,
        runs: Vec<Vec<Stage>>,
        output: &str,
        index: usize,
        how: RowValue,
    ) -> super::Runs {
        super::Runs::Each(Self {
            prefix,
            runs,
            pick: Pick {
                output: output.to_owned(),
                index,
                how,
            },
        })
    }
}

/// `ids` with `token` at `positions[e]` for every element `e` of `set` (an occlusion variant).
pub fn replaced(ids: &[u32], positions: &[usize], set: &[usize], token: u32) -> Vec<u32> {
    let mut out = ids.to_vec();
    for p in set.iter().filter_map(|&e| positions.get(e)) {
        if let Some(id) = out.get_mut(*p) {
            *id = token;
        }
    }
    out
}

impl Pick {
    /// The probability from one run's last outputs.
    pub fn read(&self, outputs: &[Tensor]) -> Result<f64, ModelError> {
        let t = super::output(outputs, &self.output)?;
        let data = t
            .as_f32()
            .filter(|d| d.len() == t.len() && !d.is_empty())
            .ok_or_else(|| ModelError::Inference(format!("`{}` is not f32", t.name)))?;
        let width = t.shape.last().copied().unwrap_or(0);
        if self.index >= width || data.len() % width != 0 {
            return Err(ModelError::Inference(format!(
                "`{}` of shape {:?} has no column {}",
                t.name, t.shape, self.index
            )));
        }
        let row = &data[data.len() - width..];
        Ok(match self.how {
            RowValue::Exp => f64::from(row[self.index]).exp(),
            RowValue::Softmax => softmax_at(row, self.index),
        })
    }
}

/// `softmax(row)[index]` in f64; the row max is subtracted so exp never overflows.
pub fn softmax_at(row: &[f32], index: usize) -> f64 {
    let max = row
        .iter()
        .map(|&v| f64::from(v))
        .fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = row.iter().map(|&v| (f64::from(v) - max).exp()).sum();
    row.get(index)
        .map_or(f64::NAN, |&v| (f64::from(v) - max).exp() / sum)
}

/// Runs every chain of `each` with `run(key, inputs, outputs)` and reads one probability per
/// chain. A chain with no stage is an error, not a silent zero.
pub fn run_each(
    each: Each,
    mut run: impl FnMut(&str, Vec<Tensor>, &[String]) -> Result<Vec<Tensor>, ModelError>,
) -> Result<Vec<f64>, ModelError> {
    let Each { prefix, runs, pick } = each;
    let mut run_stage = |stage: Stage, from: &[Tensor]| {
        let mut inputs = stage.inputs;
        for (output, input) in &stage.carry {
            let mut t = super::output(from, output)?.clone();
            t.name.clone_from(input);
            inputs.push(t);
        }
        run(&stage.key, inputs, &stage.outputs)
    };
    let shared = match prefix {
        Some(stage) => run_stage(stage, &[])?,
        None => Vec::new(),
    };
    runs.into_iter()
        .map(|chain| {
            let mut last: Option<Vec<Tensor>> = None;
            for stage in chain {
                let from = last.take().unwrap_or_else(|| shared.clone());
                last = Some(run_stage(stage, &from)?);
            }
            let outputs = last.ok_or_else(|| ModelError::Inference("an empty chain".into()))?;
            pick.read(&outputs)
        })
        .collect()
}

/// `(name, name)` pairs: outputs carried on under their own names.
pub fn same_names(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| ((*n).to_owned(), (*n).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_carry_outputs_and_pick_the_last_rows_probability() {
        // The prefix "one" returns b = 1, carried into every chain's first stage as "s";
        // stage "double" returns x·2 + s − 1 as "y"; stage "logits" turns y into two rows.
        let run =
            |key: &str, inputs: Vec<Tensor>, _: &[String]| -> Result<Vec<Tensor>, ModelError> {
                let find = |n: &str| {
                    Tensor::find(&inputs, n)
                        .and_then(Tensor::as_f32)
                        .map(<[f32]>::to_vec)
                };
                match key {
                    "one" => Ok(vec![Tensor::f32("b", vec![1], vec![1.0])]),
                    "double" => {
                        let x = find("x").unwrap_or_default();
                        let s = find("s")
                            .and_then(|s| s.first().copied())
                            .unwrap_or(f32::NAN);
                        let y: Vec<f32> = x.iter().map(|v| v * 2.0 + s - 1.0).collect();
                        Ok(vec![Tensor::f32("y", vec![1, y.len()], y)])
                    }
                    _ => {
                        let y = find("y").unwrap_or_default();
                        let mut rows = vec![9.0, 9.0];
                        rows.extend(y);
                        Ok(vec![Tensor::f32("logits", vec![1, 2, 2], rows)])
                    }
                }
            };
        let stage = |x: f32| {
            vec![
                Stage {
                    key: "double".into(),
                    inputs: vec![Tensor::f32("x", vec![2], vec![0.0, x])],
                    carry: vec![("b".into(), "s".into())],
                    outputs: vec!["y".into()],
                },
                Stage {
                    key: "logits".into(),
                    inputs: vec![],
                    carry: same_names(&["y"]),
                    outputs: vec!["logits".into()],
                },
            ]
        };
        let each = Each {
            prefix: Some(Stage {
                key: "one".into(),
                inputs: vec![],
                carry: vec![],
                outputs: vec!["b".into()],
            }),
            runs: vec![stage(0.0), stage(1.0)],
            pick: Pick {
                output: "logits".into(),
                index: 1,
                how: RowValue::Softmax,
            },
        };
        let values = run_each(each.clone(), run).expect("runs");
        assert!((values[0] - 0.5).abs() < 1e-12);
        let e2 = std::f64::consts::E.powi(2);
        assert!((values[1] - e2 / (1.0 + e2)).abs() < 1e-12);
        let mut empty = each.clone();
        empty.runs = vec![vec![]];
        assert!(run_each(empty, run).is_err());
        let mut no_prefix = each;
        no_prefix.prefix = None;
        assert!(
            run_each(no_prefix, run).is_err(),
            "\"b\" is carried from the prefix"
        );
        let lp = Tensor::f32("lp", vec![1, 2], vec![-0.5, -1.0]);
        let pick = Pick {
            output: "lp".into(),
            index: 0,
            how: RowValue::Exp,
        };
        assert!(
            (pick.read(std::slice::from_ref(&lp)).expect("reads") - (-0.5f64).exp()).abs() < 1e-12
        );
        let out_of_range = Pick { index: 2, ..pick };
        assert!(out_of_range.read(&[lp]).is_err());
        assert_eq!(replaced(&[5, 6, 7], &[0, 2], &[1, 9], 0), [5, 6, 0]);
    }
}
