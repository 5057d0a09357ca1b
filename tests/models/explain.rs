//! "Does attention explain this?" on the shipped models: tract's outputs through our explain core
//! (attention per head and averaged, rollout, occlusion deltas, erasure curves) against the same
//! figures from onnxruntime + NumPy (models/explain/explain_golden.py), ≤ 1e-4, for held-out
//! inputs of the walkthrough's language identifier, the digits transformer, the recommender,
//! the translator (encoder + decoder, run one variant at a time as the worker does) and the
//! generator.

use attention_playground::demos::digits::explain::PatchVariants;
use attention_playground::demos::digits::{input_specs as digits_specs, LayerWeights};
use attention_playground::demos::generate::explain::{Prediction, PromptVariants, BUDGET};
use attention_playground::demos::generate::{self as generate, GenerateManifest};
use attention_playground::demos::recommend::explain::HistoryVariants;
use attention_playground::demos::recommend::{self as recommend, top_k_excluding, RecManifest};
use attention_playground::demos::translate::explain::{SourceVariants, StepInput};
use attention_playground::demos::translate::{self as translate, TranslateManifest};
use attention_playground::demos::walkthrough::explain::{TokenVariants, UNK_ID};
use attention_playground::explain::each::{run_each, softmax_at};
use attention_playground::explain::{
    erasure_ks, order_by, ErasurePlan, ExplainError, Importance, LayerAttention, Measure, Runs,
    Subject, Variants, MAX_POINTS,
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
    recommend: Vec<Case>,
    translate: Vec<Case>,
    generate: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: Option<String>,
    input_ids: Option<Vec<u32>>,
    pixels: Option<Vec<f32>>,
    history: Option<Vec<u32>>,
    src_ids: Option<Vec<u32>>,
    prefix: Option<Vec<u32>>,
    ids: Option<Vec<u32>>,
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

/// The graphs by the worker's keys; a batch runs on the first.
type Graphs<'a> = [(&'a str, &'a GraphRunner)];

/// The predictions for `sets`, run as the worker runs them: one batch, or each chain on its own.
fn answers(variants: &dyn Variants, graphs: &Graphs, sets: &[Vec<usize>]) -> Vec<f64> {
    match variants.runs(sets).expect("runs") {
        Runs::Batch(inputs) => {
            let out = graphs[0]
                .1
                .run(inputs, Some(&variants.outputs()))
                .expect("runs");
            variants.read(&out).expect("outputs")
        }
        Runs::Each(each) => run_each(each, |key, inputs, outputs| {
            let graph = graphs.iter().find(|(k, _)| *k == key).expect("a graph");
            graph.1.run(inputs, Some(outputs))
        })
        .expect("runs"),
    }
}

/// Every measure and curve of one case: the occlusion batch and the erasure batch each run once.
fn check_case(
    name: &str,
    case: &Case,
    subject: &Subject,
    variants: &dyn Variants,
    graphs: &Graphs,
    tol: f64,
) {
    let ask = |sets: &[Vec<usize>]| answers(variants, graphs, sets);
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
    // The golden values use up to 10 points (the offline report); the page uses MAX_POINTS.
    assert_eq!(erasure_ks(subject.labels.len(), 10), case.ks, "{name}: ks");
    let page = imp.erasure_plan().ks;
    assert_eq!(
        page,
        erasure_ks(subject.labels.len(), MAX_POINTS),
        "{name}: page ks"
    );
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
        check_case(
            &format!("langid {i}"),
            case,
            &subject,
            &variants,
            &[("langid", &session.graph)],
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
        check_case(
            &format!("digits {i}"),
            case,
            &subject,
            &variants,
            &[("digits", &graph)],
            g.tolerance,
        );
    }
}

fn read_model(dir: &str, file: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/models/{dir}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("utf-8")
}

#[test]
fn recommend_measures_and_curves_match_onnxruntime() {
    let g = golden();
    assert!(g.recommend.len() >= 4);
    let m = RecManifest::parse(&utf8(read_model("recommend", "manifest.json"))).expect("manifest");
    let graph = GraphRunner::load(
        &read_model("recommend", &m.onnx),
        None,
        &recommend::input_specs(m.window),
    )
    .expect("loads");
    for (i, case) in g.recommend.iter().enumerate() {
        let history = case.history.clone().expect("history");
        let input = recommend::ModelInput::new(&history, m.window);
        let out = graph
            .run(
                vec![
                    Tensor::i64(recommend::INPUT_ITEMS, vec![1, m.window], input.item_ids),
                    Tensor::i64(
                        recommend::INPUT_POSITION,
                        vec![1],
                        vec![m.window as i64 - 1],
                    ),
                ],
                Some(&m.outputs()),
            )
            .expect("runs");
        let scores = Tensor::find(&out, recommend::OUTPUT_SCORES)
            .and_then(Tensor::as_f32)
            .expect("scores");
        // The page's own top recommendation (history excluded, ties to the smaller id).
        let top = top_k_excluding(scores, &history, 1).first().copied();
        let (subject, variants) =
            HistoryVariants::new(&history, m.window, &out[1..], top, |id| id.to_string())
                .expect("subject");
        assert_eq!(variants.target as usize, case.target, "case {i}: target");
        check_case(
            &format!("recommend {i}"),
            case,
            &subject,
            &variants,
            &[("recommend", &graph)],
            g.tolerance,
        );
    }
}

#[test]
fn recommend_refuses_an_empty_or_one_item_history_in_words() {
    let w = Tensor::f32("layer0.weights", vec![1, 1, 2, 2], vec![0.5; 4]);
    let made = HistoryVariants::new(&[], 2, std::slice::from_ref(&w), Some((3, 1.0)), |id| {
        id.to_string()
    });
    assert!(matches!(made, Err(ExplainError::Model(ref m)) if m.contains("empty")));
    let (one, _) =
        HistoryVariants::new(&[5], 2, &[w], Some((3, 1.0)), |id| id.to_string()).expect("made");
    assert_eq!(one.check(), Err(ExplainError::TooFew(1)));
}

#[test]
fn translate_measures_and_curves_match_onnxruntime() {
    let g = golden();
    assert!(g.translate.len() >= 4);
    let m = TranslateManifest::parse(&utf8(read_model("translate", "manifest.json")))
        .expect("manifest");
    let tokenizer = read_model("translate", &m.tokenizer);
    let encoder = GraphRunner::load(
        &read_model("translate", &m.encoder),
        Some(&tokenizer),
        &translate::encoder_specs(),
    )
    .expect("encoder");
    let decoder = GraphRunner::load(
        &read_model("translate", &m.decoder),
        None,
        &translate::decoder_specs(m.d_model),
    )
    .expect("decoder");
    let last = m.n_dec_layers - 1;
    for (i, case) in g.translate.iter().enumerate() {
        let text = case.text.as_deref().expect("text");
        let encoded = encoder.encode(text).expect("encodes");
        assert_eq!(Some(&encoded.ids), case.src_ids.as_ref(), "case {i}: ids");
        let mut names = vec![translate::MEMORY.to_owned()];
        names.extend((0..m.n_enc_layers).map(translate::enc_attn_name));
        let enc = encoder
            .run(translate::encoder_inputs(&encoded.ids), Some(&names))
            .expect("encodes");
        let layers: Vec<LayerAttention> = enc[1..]
            .iter()
            .map(|t| LayerAttention::from_tensor(t, 0).expect("attention"))
            .collect();
        let prefix = case.prefix.clone().expect("prefix");
        let inputs = translate::decoder_inputs(&prefix, &enc[0], m.vocab_size).expect("inputs");
        let names = [
            translate::LOG_PROBS.to_owned(),
            translate::cross_attn_name(last),
        ];
        let dec = decoder.run(inputs, Some(&names)).expect("decodes");
        let log_probs = dec[0].as_f32().expect("f32");
        let chosen = translate::top_k(log_probs, 1)[0].id;
        assert_eq!(chosen as usize, case.target, "case {i}: the greedy token");
        let (t, s) = (prefix.len(), encoded.ids.len());
        let cross: Vec<Vec<f32>> = (0..m.n_heads)
            .map(|h| {
                let w = dec[1].as_f32().expect("f32");
                w[(h * t + t - 1) * s..(h * t + t) * s].to_vec()
            })
            .collect();
        let step = StepInput {
            src_ids: &encoded.ids,
            src_tokens: &encoded.tokens,
            encoder: &layers,
            cross: &cross,
            prefix,
            target: chosen,
            base: f64::from(log_probs[chosen as usize]).exp(),
        };
        let (subject, variants) =
            SourceVariants::new(step, m.eos_id, m.unk_id, m.vocab_size, str::to_owned)
                .expect("subject");
        check_case(
            &format!("translate {i}"),
            case,
            &subject,
            &variants,
            &[
                (translate::ENCODER_KEY, &encoder),
                (translate::DECODER_KEY, &decoder),
            ],
            g.tolerance,
        );
    }
}

#[test]
fn generate_measures_and_curves_match_onnxruntime() {
    let g = golden();
    assert!(g.generate.len() >= 4);
    let m =
        GenerateManifest::parse(&utf8(read_model("generate", "manifest.json"))).expect("manifest");
    let dims = m.dims();
    let graph = GraphRunner::load(
        &read_model("generate", &m.model),
        None,
        &generate::input_specs(m.n_layers, m.n_heads, m.d_k),
    )
    .expect("loads");
    let mut longer = false;
    for (i, case) in g.generate.iter().enumerate() {
        let ids = case.ids.clone().expect("ids");
        let mut names = vec![generate::LOGITS.to_owned()];
        names.extend((0..m.n_layers).map(generate::weights_name));
        let out = graph
            .run(generate::inputs(&ids, 0, None, &dims), Some(&names))
            .expect("runs");
        let logits = generate::last_logits(&out, dims.vocab).expect("logits");
        let target = order_by(&logits.iter().map(|&v| f64::from(v)).collect::<Vec<_>>())[0];
        assert_eq!(target, case.target, "case {i}: the greedy token");
        let weights: Vec<Vec<f32>> = out[1..]
            .iter()
            .map(|t| t.as_f32().expect("f32").to_vec())
            .collect();
        let prediction = Prediction {
            ids: &ids,
            start: 0,
            target: target as u32,
            base: softmax_at(&logits, target),
        };
        let (subject, variants) =
            PromptVariants::new(prediction, &weights, ids.len(), &dims, |id| id.to_string())
                .expect("subject");
        longer |= subject.total > BUDGET;
        assert_eq!(subject.labels.len(), subject.total.min(BUDGET));
        check_case(
            &format!("generate {i}"),
            case,
            &subject,
            &variants,
            &[(generate::GRAPH_KEY, &graph)],
            g.tolerance,
        );
    }
    assert!(longer, "one golden context is longer than the budget");
}
