//! "Does attention explain this?" on the shipped models: tract's outputs through our explain core
//! (attention per head and averaged, rollout, occlusion deltas, erasure curves) against the same
//! figures from onnxruntime + NumPy (models/explain/explain_golden.py), ≤ 1e-4, for held-out
//! inputs of the walkthrough's language identifier and the digits transformer.

use attention_playground::demos::digits::explain::PatchVariants;
use attention_playground::demos::digits::{input_specs as digits_specs, LayerWeights};
use attention_playground::demos::walkthrough::explain::{TokenVariants, UNK_ID};
use attention_playground::explain::{
    order_by, ErasurePlan, ExplainError, Importance, Measure, Subject, Variants,
};
use attention_playground::graph::GraphRunner;
use attention_playground::protocol::Tensor;
use serde::Deserialize;

use crate::langid_session::Session;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Deserialize)]
struct Golden {
    tolerance: f64,
    langid: Vec<Case>,
    digits: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: Option<String>,
    input_ids: Option<Vec<u32>>,
    pixels: Option<Vec<f32>>,
    target: usize,
    elements: Vec<usize>,
    base: f64,
    per_head: Vec<Vec<f64>>,
    attention: Vec<f64>,
    rollout: Vec<f64>,
    occlusion: Vec<f64>,
    ks: Vec<usize>,
    random_orders: Vec<Vec<usize>>,
    /// NumPy's order per measure (most important first)
    orders: std::collections::HashMap<String, Vec<usize>>,
    curves: std::collections::HashMap<String, Vec<f64>>,
}

fn golden() -> Golden {
    let text = std::fs::read_to_string(format!("{ROOT}/models/explain/golden.json"))
        .expect("models/explain/golden.json");
    serde_json::from_str(&text).expect("golden parses")
}

fn close(what: &str, ours: &[f64], theirs: &[f64], tol: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}: length");
    let worst = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= tol, "{what}: largest difference {worst:e}");
}

/// Every measure and curve of one case: the occlusion batch and the erasure batch each run once.
fn check_case(
    name: &str,
    case: &Case,
    subject: &Subject,
    variants: &dyn Variants,
    run: impl Fn(Vec<Tensor>) -> Vec<Tensor>,
    tol: f64,
) {
    let ask = |sets: &[Vec<usize>]| {
        let inputs = variants.inputs(sets).expect("inputs");
        variants.read(&run(inputs)).expect("outputs")
    };
    assert!((subject.base - case.base).abs() <= tol, "{name}: base");
    assert_eq!(subject.positions, case.elements, "{name}: elements");
    let occluded = ask(&attention_playground::explain::occlusion_sets(
        subject.labels.len(),
    ));
    let imp = Importance::new(subject, &occluded).expect("explains");
    for (h, head) in case.per_head.iter().enumerate() {
        close(&format!("{name}: head {h}"), &imp.per_head[h], head, tol);
    }
    close(
        &format!("{name}: attention"),
        &imp.attention,
        &case.attention,
        tol,
    );
    close(
        &format!("{name}: rollout"),
        &imp.rollout,
        &case.rollout,
        tol,
    );
    close(
        &format!("{name}: occlusion"),
        &imp.occlusion,
        &case.occlusion,
        tol,
    );

    // Our orders are NumPy's up to elements whose scores tract and onnxruntime put within the
    // tolerance of each other (a confident model's occlusion drops are often ~1e-6 apart): the
    // scores read in our order and in NumPy's agree position by position.
    let mut orders = Vec::new();
    for m in [Measure::Attention, Measure::Rollout, Measure::Occlusion] {
        let scores = imp.series(m);
        let ours = order_by(scores);
        let theirs = &case.orders[m.id()];
        let pick = |o: &[usize]| o.iter().map(|&e| scores[e]).collect::<Vec<_>>();
        close(
            &format!("{name}: {} order", m.id()),
            &pick(&ours),
            &pick(theirs),
            tol,
        );
        orders.push((m, vec![theirs.clone()]));
    }
    // The curves follow NumPy's orders (and its random draws), so they check the runs.
    orders.push((Measure::Random, case.random_orders.clone()));
    let plan = ErasurePlan::new(orders, case.ks.clone());
    assert_eq!(imp.erasure_plan().ks, case.ks, "{name}: ks");
    let curve = plan.curve(subject.base, &ask(plan.sets())).expect("curve");
    for m in Measure::ALL {
        let series = curve.get(m).expect("series");
        close(
            &format!("{name}: {} curve", m.id()),
            &series.drops,
            &case.curves[m.id()],
            tol,
        );
    }
}

#[test]
fn walkthrough_measures_and_curves_match_onnxruntime() {
    let g = golden();
    assert!(g.langid.len() >= 4);
    let read = |f: &str| std::fs::read(format!("{ROOT}/models/langid/{f}")).expect(f);
    let session = Session::load(&read("model.onnx"), &read("tokenizer.json")).expect("loads");
    for (i, case) in g.langid.iter().enumerate() {
        let text = case.text.as_deref().expect("text");
        let record = session.run(text).expect("runs");
        assert_eq!(Some(&record.ids), case.input_ids.as_ref(), "case {i}: ids");
        let (subject, variants) = TokenVariants::from_record(&record).expect("subject");
        assert_eq!(variants.target, case.target);
        let run = |inputs| {
            session
                .graph
                .run(inputs, Some(&variants.outputs()))
                .expect("runs")
        };
        check_case(
            &format!("langid {i}"),
            case,
            &subject,
            &variants,
            run,
            g.tolerance,
        );
    }
}

#[test]
fn the_unk_id_is_the_tokenizers_and_one_token_is_refused_in_words() {
    let read = |f: &str| std::fs::read(format!("{ROOT}/models/langid/{f}")).expect(f);
    let session = Session::load(&read("model.onnx"), &read("tokenizer.json")).expect("loads");
    let encoded = session.encode("Zxqwv 🙂").expect("encodes");
    let unk = encoded
        .tokens
        .iter()
        .position(|t| t == "[UNK]")
        .expect("an [UNK]");
    assert_eq!(i64::from(encoded.ids[unk]), UNK_ID);
    let record = session.run("Jerusalem").expect("runs");
    let (subject, _) = TokenVariants::from_record(&record).expect("subject");
    assert_eq!(subject.check(), Err(ExplainError::TooFew(1)));
}

#[test]
fn digits_measures_and_curves_match_onnxruntime() {
    let g = golden();
    assert!(g.digits.len() >= 4);
    let bytes = std::fs::read(format!("{ROOT}/models/digits/model.onnx")).expect("model.onnx");
    let graph = GraphRunner::load(&bytes, None, &digits_specs()).expect("loads");
    for (i, case) in g.digits.iter().enumerate() {
        let pixels = case.pixels.clone().expect("pixels");
        let out = graph
            .run(
                vec![Tensor::f32("pixels", vec![1, 64], pixels.clone())],
                None,
            )
            .expect("runs");
        let layers: Vec<LayerWeights> = (0..2)
            .map(|l| {
                let t = Tensor::find(&out, &format!("layer{l}.weights")).expect("weights");
                LayerWeights::new(&t.shape, t.as_f32().expect("f32").to_vec()).expect("shape")
            })
            .collect();
        let probs = Tensor::find(&out, "probs")
            .and_then(Tensor::as_f32)
            .expect("probs");
        let (subject, variants) = PatchVariants::new(&pixels, &layers, probs).expect("subject");
        assert_eq!(variants.target, case.target);
        let run = |inputs| graph.run(inputs, Some(&variants.outputs())).expect("runs");
        check_case(
            &format!("digits {i}"),
            case,
            &subject,
            &variants,
            run,
            g.tolerance,
        );
    }
}
