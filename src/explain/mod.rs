//! Does attention explain the prediction? Attention-based importance next to attribution by
//! occlusion, for any model whose prediction is read at one position of a sequence of elements
//! (tokens, patches, history items).
//!
//! - attention: the reading position's row of the last layer's weights, per head and averaged;
//! - rollout (Abnar & Zuidema 2020): heads averaged, identity added for the residual path, rows
//!   renormalised, layers multiplied;
//! - occlusion (leave one out): the prediction's drop when one element is replaced or removed;
//! - rank agreement (Kendall τ-b, Spearman ρ) and the erasure curve ([`erasure`]).
//!
//! Free of UI and runtime types: the view runs the variants in the worker and hands the answers
//! back as plain numbers.

pub mod each;
pub mod erasure;
pub mod rank;

use rust_i18n::t;

use crate::maths::Matrix;
use crate::protocol::{ModelError, Tensor};
pub use erasure::{
    erasure_ks, random_orders, ErasureCurve, ErasurePlan, ErasureSeries, MAX_POINTS, RANDOM_DRAWS,
    RANDOM_SEED,
};
pub use rank::{kendall_tau_b, order_by, spearman_rho};

/// An importance measure over the elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// The last layer's attention from the reading position, averaged over heads
    Attention,
    Rollout,
    Occlusion,
    Random,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Attention,
        Measure::Rollout,
        Measure::Occlusion,
        Measure::Random,
    ];

    /// A stable id for exports and tests.
    pub fn id(self) -> &'static str {
        match self {
            Measure::Attention => "attention",
            Measure::Rollout => "rollout",
            Measure::Occlusion => "occlusion",
            Measure::Random => "random",
        }
    }

    pub fn label(self) -> String {
        let key = format!("explain.measure.{}", self.id());
        t!(&key).into_owned()
    }
}

/// One layer's attention weights for one input: `heads` matrices of `(seq, seq)`, row-major
/// (row = query, column = key).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerAttention {
    pub heads: usize,
    pub seq: usize,
    data: Vec<f32>,
}

impl LayerAttention {
    /// Checks that `data` holds `heads · seq · seq` values.
    pub fn new(heads: usize, seq: usize, data: Vec<f32>) -> Result<Self, ModelError> {
        if heads == 0 || seq == 0 || data.len() != heads * seq * seq {
            return Err(ModelError::Inference(format!(
                "attention of {} values is not {heads} heads of {seq}×{seq}",
                data.len()
            )));
        }
        Ok(Self { heads, seq, data })
    }

    /// From one `(seq, seq)` matrix per head.
    pub fn from_heads(heads: &[Matrix]) -> Result<Self, ModelError> {
        let seq = heads.first().map_or(0, Matrix::rows);
        if heads.iter().any(|m| m.shape() != (seq, seq)) {
            return Err(ModelError::Inference(
                "the heads' attention matrices differ in shape".into(),
            ));
        }
        let data = heads
            .iter()
            .flat_map(|m| m.data().iter().copied())
            .collect();
        Self::new(heads.len(), seq, data)
    }

    /// Item `item` of a `(batch, heads, seq, seq)` output.
    pub fn from_tensor(tensor: &Tensor, item: usize) -> Result<Self, ModelError> {
        let bad = || {
            ModelError::Inference(format!(
                "`{}` is not (batch, heads, seq, seq) f32",
                tensor.name
            ))
        };
        let data = tensor.as_f32().ok_or_else(bad)?;
        let &[batch, heads, seq, seq2] = tensor.shape.as_slice() else {
            return Err(bad());
        };
        if seq != seq2 || item >= batch || data.len() != tensor.len() {
            return Err(bad());
        }
        let block = heads * seq * seq;
        Self::new(heads, seq, data[item * block..(item + 1) * block].to_vec())
    }

    fn weight(&self, head: usize, query: usize, key: usize) -> f64 {
        f64::from(self.data[(head * self.seq + query) * self.seq + key])
    }
}

/// What is explained: which elements, where they sit, where the prediction is read, and the
/// attention of every layer for the unmodified input.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// One label per element, as the view shows it
    pub labels: Vec<String>,
    /// The sequence position of each element in the attention matrices
    pub positions: Vec<usize>,
    /// The position whose output the prediction is read from (e.g. [CLS], the last item)
    pub reading: usize,
    pub layers: Vec<LayerAttention>,
    /// The prediction's value on the unmodified input (a probability or a score)
    pub base: f64,
    /// How many elements the input had before the budget cut it to `labels.len()`
    pub total: usize,
    /// Attention measures computed by the demo instead of read from `layers` (the translator's
    /// cross-attention, whose rollout goes through the encoder: see
    /// `demos::translate::explain`). `None` for self-attention models.
    pub given: Option<Given>,
}

/// Attention-based importance per element, as a demo computed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// heads × elements
    pub per_head: Vec<Vec<f64>>,
    pub rollout: Vec<f64>,
}

/// Why there is nothing to explain.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainError {
    /// Fewer than two elements: no ranking to compare.
    TooFew(usize),
    Model(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::TooFew(n) => f.write_str(&t!("explain.too_few", n = n)),
            ExplainError::Model(detail) => f.write_str(detail),
        }
    }
}

impl From<ModelError> for ExplainError {
    fn from(e: ModelError) -> Self {
        ExplainError::Model(e.to_string())
    }
}

impl Subject {
    /// Checks that every position and the reading position are inside every layer, and that
    /// there are at least two elements.
    pub fn check(&self) -> Result<(), ExplainError> {
        if self.labels.len() < 2 {
            return Err(ExplainError::TooFew(self.labels.len()));
        }
        if let Some(given) = &self.given {
            let n = self.labels.len();
            if given.per_head.is_empty()
                || given.rollout.len() != n
                || given.per_head.iter().any(|h| h.len() != n)
                || !self.base.is_finite()
            {
                return Err(ExplainError::Model(t!("explain.bad_subject").into_owned()));
            }
            return Ok(());
        }
        let seq = self.layers.first().map_or(0, |l| l.seq);
        if self.labels.len() != self.positions.len()
            || self.layers.iter().any(|l| l.seq != seq)
            || self
                .positions
                .iter()
                .chain([&self.reading])
                .any(|&p| p >= seq)
            || !self.base.is_finite()
        {
            return Err(ExplainError::Model(t!("explain.bad_subject").into_owned()));
        }
        Ok(())
    }

    /// The last layer's attention from the reading position to each element, per head.
    pub fn head_attention(&self) -> Vec<Vec<f64>> {
        if let Some(given) = &self.given {
            return given.per_head.clone();
        }
        let Some(last) = self.layers.last() else {
            return Vec::new();
        };
        (0..last.heads)
            .map(|h| {
                self.positions
                    .iter()
                    .map(|&p| last.weight(h, self.reading, p))
                    .collect()
            })
            .collect()
    }

    /// The rollout's reading row at each element.
    pub fn rollout_importance(&self) -> Vec<f64> {
        if let Some(given) = &self.given {
            return given.rollout.clone();
        }
        let r = rollout(&self.layers);
        let seq = self.layers.first().map_or(0, |l| l.seq);
        self.positions
            .iter()
            .map(|&p| r[self.reading * seq + p])
            .collect()
    }
}

/// The mean over heads, element by element.
pub fn mean_over_heads(per_head: &[Vec<f64>]) -> Vec<f64> {
    let n = per_head.first().map_or(0, Vec::len);
    (0..n)
        .map(|e| per_head.iter().map(|h| h[e]).sum::<f64>() / per_head.len() as f64)
        .collect()
}

/// Attention rollout (Abnar & Zuidema 2020), in f64: per layer the head-averaged weights A plus
/// the identity for the residual connection, each row renormalised to sum 1; then the product
/// over the layers, last layer on the left. `(seq, seq)` row-major: row i is how much each input
/// position flows into position i at the top. Layers of unequal size give an empty result.
pub fn rollout(layers: &[LayerAttention]) -> Vec<f64> {
    let seq = layers.first().map_or(0, |l| l.seq);
    if layers.iter().any(|l| l.seq != seq) {
        return Vec::new();
    }
    let mut r = identity(seq);
    for layer in layers {
        let mut a = identity(seq);
        for (i, row) in a.chunks_exact_mut(seq).enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                let mean = (0..layer.heads).map(|h| layer.weight(h, i, j)).sum::<f64>()
                    / layer.heads as f64;
                *cell += mean;
            }
            let sum: f64 = row.iter().sum();
            if sum > 0.0 {
                row.iter_mut().for_each(|c| *c /= sum);
            }
        }
        r = matmul(&a, &r, seq);
    }
    r
}

fn identity(n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    m
}

fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                out[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    out
}

/// Leave-one-out sets: element `e` alone, for every element.
pub fn occlusion_sets(n: usize) -> Vec<Vec<usize>> {
    (0..n).map(|e| vec![e]).collect()
}

/// The drop `base − variant` of each variant's prediction (positive: removing it hurt).
pub fn deltas(base: f64, variants: &[f64]) -> Vec<f64> {
    variants.iter().map(|v| base - v).collect()
}

/// Column `target` of each row of a `(batch, classes)` output: the prediction for each variant.
pub fn class_column(tensor: &Tensor, target: usize) -> Result<Vec<f64>, ModelError> {
    let bad = || ModelError::Inference(format!("`{}` is not (batch, classes) f32", tensor.name));
    let data = tensor.as_f32().ok_or_else(bad)?;
    let &[batch, classes] = tensor.shape.as_slice() else {
        return Err(bad());
    };
    if target >= classes || data.len() != batch * classes {
        return Err(bad());
    }
    Ok((0..batch)
        .map(|b| f64::from(data[b * classes + target]))
        .collect())
}

/// How a model runs its variants: the inputs of one batch whose row r has the elements of
/// `sets[r]` removed (a [UNK] token, a blank patch, a dropped history item), and the prediction
/// read back from each row. Implemented by each demo's pure core; the view sends the batch to
/// the worker, the native tests to tract.
/// By default the prediction is column [`Variants::target`] of a `(batch, classes)` `probs`.
/// Graphs without a batch axis implement [`Variants::runs`] with [`Runs::Each`] instead.
pub trait Variants {
    /// The batch's inputs (models with a batch axis).
    fn inputs(&self, sets: &[Vec<usize>]) -> Result<Vec<Tensor>, ModelError> {
        let _ = sets;
        Err(ModelError::Inference(
            "these variants run one at a time".into(),
        ))
    }
    /// How the sets run: one batch through [`Variants::inputs`] unless overridden.
    fn runs(&self, sets: &[Vec<usize>]) -> Result<Runs, ModelError> {
        self.inputs(sets).map(Runs::Batch)
    }
    /// The class (or item) whose probability (or score) is followed
    fn target(&self) -> usize;
    /// The outputs [`Variants::read`] needs.
    fn outputs(&self) -> Vec<String> {
        vec!["probs".into()]
    }
    fn read(&self, outputs: &[Tensor]) -> Result<Vec<f64>, ModelError> {
        class_column(output(outputs, "probs")?, self.target())
    }
}

/// How a set of variants reaches the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Runs {
    /// One batch of inputs for the panel's graph; [`Variants::read`] reads its outputs.
    Batch(Vec<Tensor>),
    /// One chain per variant inside one worker request; a probability per variant comes back.
    Each(each::Each),
}

/// The output `name` from a list, or a readable error.
pub fn output<'a>(outputs: &'a [Tensor], name: &str) -> Result<&'a Tensor, ModelError> {
    Tensor::find(outputs, name)
        .ok_or_else(|| ModelError::Foreign(format!("it has no output named `{name}`")))
}

/// How one attention measure ranks the elements against occlusion.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub tau: Option<f64>,
    pub rho: Option<f64>,
    /// The element this measure ranks first
    pub top_measure: usize,
    /// The element whose removal hurts most
    pub top_occlusion: usize,
}

impl Agreement {
    pub fn new(measure: &[f64], occlusion: &[f64]) -> Self {
        let first = |s: &[f64]| order_by(s).first().copied().unwrap_or(0);
        Self {
            tau: kendall_tau_b(measure, occlusion),
            rho: spearman_rho(measure, occlusion),
            top_measure: first(measure),
            top_occlusion: first(occlusion),
        }
    }

    /// "The most-attended element is / isn't the one that matters most", with the labels.
    pub fn sentence(&self, labels: &[String], measure: Measure) -> String {
        let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
        let what = measure.label();
        if self.top_measure == self.top_occlusion {
            t!(
                "explain.verdict.same",
                measure = what,
                element = label(self.top_measure)
            )
            .into_owned()
        } else {
            t!(
                "explain.verdict.differs",
                measure = what,
                top = label(self.top_measure),
                occlusion = label(self.top_occlusion)
            )
            .into_owned()
        }
    }

    /// τ and ρ in words: how strongly the two orders agree.
    pub fn strength(&self) -> String {
        match (self.tau, self.rho) {
            (Some(tau), Some(rho)) => {
                let key = match tau {
                    t if t >= 0.6 => "explain.strength.strong",
                    t if t >= 0.3 => "explain.strength.moderate",
                    t if t > -0.3 => "explain.strength.weak",
                    _ => "explain.strength.opposite",
                };
                t!(key, tau = format!("{tau:.2}"), rho = format!("{rho:.2}")).into_owned()
            }
            _ => t!("explain.strength.undefined").into_owned(),
        }
    }
}

/// Every measure for one subject, once its occlusion runs have answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    /// heads × elements
    pub per_head: Vec<Vec<f64>>,
    pub attention: Vec<f64>,
    pub rollout: Vec<f64>,
    pub occlusion: Vec<f64>,
    /// Attention (head average) vs occlusion, rollout vs occlusion, then each head vs occlusion
    pub agreement: Vec<Agreement>,
}

impl Importance {
    /// From the subject and the prediction for each of [`occlusion_sets`]`(n)`.
    pub fn new(subject: &Subject, occluded: &[f64]) -> Result<Self, ExplainError> {
        subject.check()?;
        if occluded.len() != subject.labels.len() {
            return Err(ExplainError::Model(format!(
                "{} occlusion runs answered, {} expected",
                occluded.len(),
                subject.labels.len()
            )));
        }
        let per_head = subject.head_attention();
        let attention = mean_over_heads(&per_head);
        let rollout = subject.rollout_importance();
        let occlusion = deltas(subject.base, occluded);
        let agreement = [&attention, &rollout]
            .into_iter()
            .chain(per_head.iter())
            .map(|m| Agreement::new(m, &occlusion))
            .collect();
        Ok(Self {
            per_head,
            attention,
            rollout,
            occlusion,
            agreement,
        })
    }

    /// The orders each curve follows: attention, rollout and occlusion once, random several times.
    pub fn erasure_plan(&self) -> ErasurePlan {
        let n = self.occlusion.len();
        ErasurePlan::new(
            vec![
                (Measure::Attention, vec![order_by(&self.attention)]),
                (Measure::Rollout, vec![order_by(&self.rollout)]),
                (Measure::Occlusion, vec![order_by(&self.occlusion)]),
                (Measure::Random, random_orders(n, RANDOM_DRAWS, RANDOM_SEED)),
            ],
            erasure_ks(n, MAX_POINTS),
        )
    }

    pub fn series(&self, measure: Measure) -> &[f64] {
        match measure {
            Measure::Attention | Measure::Random => &self.attention,
            Measure::Rollout => &self.rollout,
            Measure::Occlusion => &self.occlusion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two heads over three positions; position 0 reads.
    fn layer(rows: [[f32; 3]; 3], rows2: [[f32; 3]; 3]) -> LayerAttention {
        let data = rows.iter().chain(&rows2).flatten().copied().collect();
        LayerAttention::new(2, 3, data).expect("shape")
    }

    fn subject() -> Subject {
        let a = layer(
            [[0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]],
            [[0.4, 0.5, 0.1], [0.5, 0.25, 0.25], [1.0, 0.0, 0.0]],
        );
        Subject {
            labels: vec!["a".into(), "b".into()],
            positions: vec![1, 2],
            reading: 0,
            layers: vec![a.clone(), a],
            base: 0.9,
            total: 2,
            given: None,
        }
    }

    #[test]
    fn attention_reads_the_last_layer_row_and_averages_heads() {
        let s = subject();
        let heads = s.head_attention();
        assert_eq!(heads.len(), 2);
        assert!((heads[0][0] - 0.7).abs() < 1e-7 && (heads[1][1] - 0.1).abs() < 1e-7);
        let avg = mean_over_heads(&heads);
        assert!((avg[0] - 0.6).abs() < 1e-7 && (avg[1] - 0.1).abs() < 1e-7);
    }

    #[test]
    fn rollout_rows_sum_to_one_and_identity_attention_stays_identity() {
        let s = subject();
        let r = rollout(&s.layers);
        for row in r.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let eye = LayerAttention::new(1, 3, identity(3).iter().map(|&x| x as f32).collect())
            .expect("shape");
        assert_eq!(rollout(&[eye.clone(), eye]), identity(3));
        // One layer: (A + I) / 2 since A's rows sum to 1; the head mean of row 0 is [0.3, 0.6, 0.1].
        let one = rollout(&s.layers[..1]);
        assert!((one[0] - 0.65).abs() < 1e-7 && (one[1] - 0.3).abs() < 1e-7);
        assert!(rollout(&[]).is_empty());
    }

    #[test]
    fn occlusion_agreement_and_sentences() {
        let s = subject();
        let imp = Importance::new(&s, &[0.2, 0.85]).expect("explains");
        assert!((imp.occlusion[0] - 0.7).abs() < 1e-12);
        let a = &imp.agreement[0];
        assert_eq!((a.top_measure, a.top_occlusion), (0, 0));
        assert_eq!(a.tau, Some(1.0));
        assert_eq!(imp.agreement.len(), 4);
        let words = a.sentence(&s.labels, Measure::Attention);
        assert!(words.contains("“a”"), "{words}");
        let other = Agreement::new(&[0.1, 0.9], &[0.5, 0.2]);
        assert_eq!(other.tau, Some(-1.0));
        assert!(other.sentence(&s.labels, Measure::Rollout).contains("“b”"));
        assert!(other.strength().contains("-1.00"));
        assert!(Importance::new(&s, &[0.1]).is_err());
        let plan = imp.erasure_plan();
        assert_eq!(plan.ks, [1, 2]);
    }

    #[test]
    fn given_measures_replace_the_layers_and_are_checked() {
        let mut s = subject();
        s.layers.clear();
        s.given = Some(Given {
            per_head: vec![vec![0.2, 0.8], vec![0.4, 0.6]],
            rollout: vec![0.9, 0.1],
        });
        assert!(s.check().is_ok());
        let imp = Importance::new(&s, &[0.5, 0.85]).expect("explains");
        assert!((imp.attention[0] - 0.3).abs() < 1e-12 && (imp.attention[1] - 0.7).abs() < 1e-12);
        assert_eq!(imp.rollout, [0.9, 0.1]);
        assert_eq!(imp.agreement[1].tau, Some(1.0));
        s.given = Some(Given {
            per_head: vec![vec![0.2]],
            rollout: vec![0.9, 0.1],
        });
        assert!(matches!(s.check(), Err(ExplainError::Model(_))));
    }

    #[test]
    fn too_few_elements_and_bad_positions_are_refused_in_words() {
        let mut s = subject();
        s.labels.truncate(1);
        s.positions.truncate(1);
        assert_eq!(s.check(), Err(ExplainError::TooFew(1)));
        assert!(ExplainError::TooFew(1).to_string().contains('1'));
        let mut s = subject();
        s.positions[1] = 3;
        assert!(matches!(s.check(), Err(ExplainError::Model(_))));
        assert!(LayerAttention::new(2, 3, vec![0.0; 17]).is_err());
        let probs = Tensor::f32("probs", vec![2, 3], vec![0.1, 0.2, 0.7, 0.5, 0.4, 0.1]);
        assert_eq!(
            class_column(&probs, 2).expect("fits"),
            [0.699999988079071, 0.10000000149011612]
        );
        assert!(class_column(&probs, 3).is_err());
        let w = Tensor::f32("w", vec![2, 1, 2, 2], (0..8).map(|x| x as f32).collect());
        let second = LayerAttention::from_tensor(&w, 1).expect("item 1");
        assert_eq!(second.weight(0, 1, 0), 6.0);
        assert!(LayerAttention::from_tensor(&w, 2).is_err());
    }
}
