//! "Does attention explain this?" for the translator: the prediction is the probability of the
//! token chosen at the step shown (the decoder's `exp(log_probs)` after the prefix `<s> y₁ …
//! y_{t−1}`); the elements are the source tokens (`</s>` left out); a token is occluded by
//! putting `<unk>` in its place, then the encoder reruns and the decoder reruns the same prefix
//! on the new memory.
//!
//! What is compared with occlusion:
//! - attention: the LAST decoder layer's cross-attention of step t over the source, per head and
//!   averaged over heads;
//! - rollout through the encoder: the encoder's self-attention rollout `R` (Abnar & Zuidema:
//!   heads averaged, identity added for the residual, rows renormalised, layers multiplied)
//!   composed with that cross-attention: `rollout[j] = Σᵢ c̄ᵢ · R[i, j]` with `c̄` the head
//!   mean of the last layer's cross-attention row. It says how much of what step t reads from
//!   memory position i came from source token j through the encoder; the decoder's own
//!   self-attention and earlier layers' cross-attention are not followed.
//!
//! The graphs have no batch axis: every variant runs encoder then decoder on its own, all in one
//! worker request ([`Runs::Each`]).

use super::{decoder_inputs, encoder_inputs, DECODER_KEY, ENCODER_KEY, LOG_PROBS, MEMORY};
use crate::explain::each::{replaced, same_names, Each, RowValue, Stage};
use crate::explain::{
    mean_over_heads, rollout, ExplainError, Given, LayerAttention, Runs, Subject, Variants,
};
use crate::protocol::{ModelError, Tensor};

/// The source with `<unk>` put in place of the occluded tokens, and the decoder prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceVariants {
    pub src_ids: Vec<u32>,
    /// The index into `src_ids` of each element
    pub positions: Vec<usize>,
    /// `<s>` and the tokens chosen before the step
    pub prefix: Vec<u32>,
    pub target: u32,
    pub unk: u32,
    pub vocab: usize,
}

/// One decoding step as the panel explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepInput<'a> {
    pub src_ids: &'a [u32],
    pub src_tokens: &'a [String],
    /// The encoder's self-attention, one layer each, `(S, S)` per head
    pub encoder: &'a [LayerAttention],
    /// The last decoder layer's cross-attention of this step: per head, `S` weights
    pub cross: &'a [Vec<f32>],
    pub prefix: Vec<u32>,
    pub target: u32,
    /// The model's probability of `target` after `prefix`
    pub base: f64,
}

impl SourceVariants {
    pub fn new(
        step: StepInput,
        eos: u32,
        unk: u32,
        vocab: usize,
        label: impl Fn(&str) -> String,
    ) -> Result<(Subject, Self), ExplainError> {
        let s = step.src_ids.len();
        let positions: Vec<usize> = (0..s).filter(|&i| step.src_ids[i] != eos).collect();
        if positions.len() < 2 {
            return Err(ExplainError::TooFew(positions.len()));
        }
        let bad = || ExplainError::Model(rust_i18n::t!("explain.bad_subject").into_owned());
        if step.src_tokens.len() != s
            || step.cross.is_empty()
            || step.cross.iter().any(|h| h.len() != s)
            || step.encoder.iter().any(|l| l.seq != s)
        {
            return Err(bad());
        }
        let per_head: Vec<Vec<f64>> = step
            .cross
            .iter()
            .map(|h| positions.iter().map(|&p| f64::from(h[p])).collect())
            .collect();
        let cross_mean = mean_over_heads(
            &step
                .cross
                .iter()
                .map(|h| h.iter().map(|&v| f64::from(v)).collect())
                .collect::<Vec<_>>(),
        );
        let r = rollout(step.encoder);
        let through = |j: usize| (0..s).map(|i| cross_mean[i] * r[i * s + j]).sum::<f64>();
        let subject = Subject {
            labels: positions
                .iter()
                .map(|&p| label(&step.src_tokens[p]))
                .collect(),
            positions: positions.clone(),
            reading: 0,
            layers: Vec::new(),
            base: step.base,
            total: positions.len(),
            given: Some(Given {
                per_head,
                rollout: positions.iter().map(|&p| through(p)).collect(),
            }),
        };
        let variants = Self {
            src_ids: step.src_ids.to_vec(),
            positions,
            prefix: step.prefix,
            target: step.target,
            unk,
            vocab,
        };
        Ok((subject, variants))
    }
}

impl Variants for SourceVariants {
    fn runs(&self, sets: &[Vec<usize>]) -> Result<Runs, ModelError> {
        let s = self.src_ids.len();
        // The decoder's inputs other than `memory`, which the encoder stage hands on.
        let placeholder = Tensor::f32(MEMORY, vec![1, s, 1], vec![0.0; s]);
        let mut decoder =
            decoder_inputs(&self.prefix, &placeholder, self.vocab).map_err(ModelError::BadInput)?;
        decoder.retain(|t| t.name != MEMORY);
        let runs = sets
            .iter()
            .map(|set| {
                let ids = replaced(&self.src_ids, &self.positions, set, self.unk);
                vec![
                    Stage {
                        key: ENCODER_KEY.into(),
                        inputs: encoder_inputs(&ids),
                        carry: Vec::new(),
                        outputs: vec![MEMORY.into()],
                    },
                    Stage {
                        key: DECODER_KEY.into(),
                        inputs: decoder.clone(),
                        carry: same_names(&[MEMORY]),
                        outputs: vec![LOG_PROBS.into()],
                    },
                ]
            })
            .collect();
        Ok(Each::runs(
            None,
            runs,
            LOG_PROBS,
            self.target(),
            RowValue::Exp,
        ))
    }

    fn target(&self) -> usize {
        self.target as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_attention_is_composed_with_the_encoders_rollout() {
        // Two heads over three source tokens (the last is </s> = 3).
        let eye = LayerAttention::new(1, 3, vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
            .expect("shape");
        let mix = LayerAttention::new(1, 3, vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0])
            .expect("shape");
        let tokens: Vec<String> = ["▁a", "▁b", "</s>"].map(String::from).to_vec();
        let cross = vec![vec![0.7, 0.1, 0.2], vec![0.5, 0.3, 0.2]];
        let (eyes, mixes, none) = ([eye], [mix], []);
        let step = |encoder| StepInput {
            src_ids: &[10, 11, 3],
            src_tokens: &tokens,
            encoder,
            cross: &cross,
            prefix: vec![2, 20],
            target: 21,
            base: 0.5,
        };
        let (subject, v) =
            SourceVariants::new(step(&eyes), 3, 1, 100, str::to_owned).expect("subject");
        assert_eq!(subject.labels, ["▁a", "▁b"]);
        let given = subject.given.clone().expect("given");
        assert_eq!(given.per_head[1], [f64::from(0.5f32), f64::from(0.3f32)]);
        // Identity attention: the rollout is the identity, so rollout = the head-mean cross row.
        assert!((given.rollout[0] - 0.6).abs() < 1e-7 && (given.rollout[1] - 0.2).abs() < 1e-7);
        // One layer swapping tokens 0 and 1: (A + I)/2 splits each of them half and half.
        let (swapped, _) =
            SourceVariants::new(step(&mixes), 3, 1, 100, str::to_owned).expect("subject");
        let r = swapped.given.expect("given").rollout;
        assert!((r[0] - 0.4).abs() < 1e-7 && (r[1] - 0.4).abs() < 1e-7);
        assert!(subject.check().is_ok());
        let Ok(Runs::Each(each)) = v.runs(&[vec![1]]) else {
            panic!("runs one by one")
        };
        let chain = &each.runs[0];
        assert_eq!(chain[0].inputs[0].as_i64().expect("ids"), [10, 1, 3]);
        assert_eq!(chain[1].carry, same_names(&[MEMORY]));
        assert!(chain[1].inputs.iter().all(|t| t.name != MEMORY));
        assert_eq!(each.pick.how, RowValue::Exp);
        let short = StepInput {
            src_ids: &[10, 3],
            src_tokens: &tokens[1..],
            ..step(&none)
        };
        assert_eq!(
            SourceVariants::new(short, 3, 1, 100, str::to_owned).err(),
            Some(ExplainError::TooFew(1))
        );
    }
}
