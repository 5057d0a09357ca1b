//! The recommender's numbers are true: tract runs `models/recommend/model.onnx` and its scores
//! and attention weights match what PyTorch computed at export (golden.json) to 1e-4; the
//! top-10 our ranking code picks from tract's scores are the ids PyTorch's ranking picked; and
//! the data files the page reads (manifest, items) parse and agree with the model.

use std::collections::HashMap;

use attention_playground::demos::recommend::{
    history_attention, input_specs, top_k_excluding, weights_output, Catalogue, HeadChoice,
    ModelInput, RecManifest, INPUT_ITEMS, INPUT_POSITION, OUTPUT_SCORES, TOP_K,
};
use attention_playground::graph::GraphRunner;
use attention_playground::protocol::{ModelError, Tensor};
use serde::Deserialize;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/recommend");

#[derive(Deserialize)]
struct Golden {
    tolerance: f32,
    window: usize,
    input_names: Vec<String>,
    output_names: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    item_ids: Vec<Vec<i64>>,
    position: Vec<i64>,
    top10: Vec<Vec<u32>>,
    outputs: HashMap<String, GoldenTensor>,
}

#[derive(Deserialize)]
struct GoldenTensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{MODEL_DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn golden() -> Golden {
    serde_json::from_slice(&read("golden.json")).expect("golden.json")
}

fn manifest() -> RecManifest {
    RecManifest::parse(&String::from_utf8(read("manifest.json")).expect("utf-8")).expect("manifest")
}

fn runner(window: usize) -> GraphRunner {
    GraphRunner::load(&read("model.onnx"), None, &input_specs(window)).expect("model.onnx loads")
}

fn inputs(case: &Case) -> Vec<Tensor> {
    let batch = case.item_ids.len();
    let window = case.item_ids[0].len();
    vec![
        Tensor::i64(INPUT_ITEMS, vec![batch, window], case.item_ids.concat()),
        Tensor::i64(INPUT_POSITION, vec![batch], case.position.clone()),
    ]
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn tract_matches_pytorch_on_every_golden_case() {
    let g = golden();
    assert!(g.tolerance <= 1e-4);
    let model = runner(g.window);
    assert_eq!(model.input_names().len(), g.input_names.len());
    for name in &g.output_names {
        assert!(model.has_output(name), "output {name} missing");
    }
    assert!(g.cases.len() >= 5);
    for case in &g.cases {
        let out = model.run(inputs(case), None).expect("runs");
        for name in &g.output_names {
            let want = &case.outputs[name];
            let got = Tensor::find(&out, name).expect("output");
            assert_eq!(got.shape, want.shape, "{} {name}", case.name);
            let diff = max_abs_diff(got.as_f32().expect("f32"), &want.data);
            assert!(
                diff <= g.tolerance,
                "{} {name}: max |tract − torch| = {diff}",
                case.name
            );
        }
    }
}

#[test]
fn top10_from_tract_scores_equals_pytorch_top10() {
    let g = golden();
    let model = runner(g.window);
    let wanted = [OUTPUT_SCORES.to_owned()];
    for case in &g.cases {
        let out = model.run(inputs(case), Some(&wanted)).expect("runs");
        let scores = out[0].as_f32().expect("f32");
        let n_ids = out[0].shape[1];
        for (row, ids) in case.item_ids.iter().enumerate() {
            // What the page excludes: the history items up to the scored position.
            let upto = usize::try_from(case.position[row]).expect("position") + 1;
            let seen: Vec<u32> = ids[..upto]
                .iter()
                .filter(|&&i| i != 0)
                .map(|&i| u32::try_from(i).expect("id"))
                .collect();
            let top: Vec<u32> =
                top_k_excluding(&scores[row * n_ids..(row + 1) * n_ids], &seen, TOP_K)
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
            assert_eq!(top, case.top10[row], "{} row {row}", case.name);
        }
    }
}

#[test]
fn attention_is_causal_and_each_row_sums_to_one() {
    let g = golden();
    let model = runner(g.window);
    // padded_three: three items in the last three slots of the window.
    let case = g
        .cases
        .iter()
        .find(|c| c.name == "padded_three")
        .expect("case");
    let out = model.run(inputs(case), None).expect("runs");
    let kept = case.item_ids[0].iter().filter(|&&i| i != 0).count();
    assert_eq!(kept, 3);
    for layer in 0..2 {
        let w = Tensor::find(&out, &weights_output(layer)).expect("weights");
        for head in [
            HeadChoice::Head(0),
            HeadChoice::Head(1),
            HeadChoice::Average,
        ] {
            let m = history_attention(w.as_f32().expect("f32"), &w.shape, kept, head).expect("cut");
            for i in 0..kept {
                let row = m.row(i);
                let sum: f32 = row.iter().sum();
                assert!(
                    (sum - 1.0).abs() < 1e-5,
                    "layer {layer} {head:?} row {i}: {sum}"
                );
                // the causal mask: nothing after the query, exactly 0
                assert!(row[i + 1..].iter().all(|&v| v == 0.0));
            }
        }
        // Padding is never looked at by a real item: the real rows put all their weight on
        // the three real slots, so the cut rows above already summed to 1.
    }
}

#[test]
fn scores_of_a_slot_do_not_depend_on_later_items() {
    // The causal mask, end to end: the prediction after item 2 of [1, 71, 95] is the same
    // when the third item changes.
    let g = golden();
    let model = runner(g.window);
    let run = |history: &[u32]| {
        let input = ModelInput::new(history, g.window);
        let slot = input.slot_of(1).expect("in window") as i64;
        let out = model
            .run(
                vec![
                    Tensor::i64(INPUT_ITEMS, vec![1, g.window], input.item_ids),
                    Tensor::i64(INPUT_POSITION, vec![1], vec![slot]),
                ],
                Some(&[OUTPUT_SCORES.to_owned()]),
            )
            .expect("runs");
        out[0].as_f32().expect("f32").to_vec()
    };
    let a = run(&[1, 71, 95]);
    let b = run(&[1, 71, 588]);
    assert!(max_abs_diff(&a, &b) < 1e-5);
    // …but the slot *after* the change sees it.
    let c = run(&[1, 71]);
    assert!(
        max_abs_diff(&a, &c) > 1e-3,
        "positions shift when the history is shorter"
    );
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let g = golden();
    let model = runner(g.window);
    let short = vec![
        Tensor::i64(INPUT_ITEMS, vec![1, 3], vec![1, 2, 3]),
        Tensor::i64(INPUT_POSITION, vec![1], vec![2]),
    ];
    assert!(model.run(short, None).is_err());
    let wrong_len = vec![
        Tensor::i64(INPUT_ITEMS, vec![1, g.window], vec![1; 3]),
        Tensor::i64(INPUT_POSITION, vec![1], vec![2]),
    ];
    assert!(matches!(
        model.run(wrong_len, None),
        Err(ModelError::BadInput(_))
    ));
    let missing = vec![Tensor::i64(
        INPUT_ITEMS,
        vec![1, g.window],
        vec![0; g.window],
    )];
    assert!(matches!(
        model.run(missing, None),
        Err(ModelError::BadInput(_))
    ));
    // A graph with other inputs is refused when loaded with this demo's specs.
    let langid = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/langid/model.onnx"
    ))
    .expect("langid");
    assert!(GraphRunner::load(&langid, None, &input_specs(g.window)).is_err());
    assert!(GraphRunner::load(&read("model.onnx")[..1000], None, &input_specs(g.window)).is_err());
}

#[test]
fn shipped_data_agrees_with_the_model() {
    let m = manifest();
    let g = golden();
    assert_eq!(m.window, g.window);
    assert_eq!(m.n_layers, 2);
    assert_eq!(m.n_heads, 2);
    assert_eq!(read(&m.onnx).len() as u64, m.onnx_bytes);
    let catalogue = Catalogue::from_json(&String::from_utf8(read(&m.items)).expect("utf-8"))
        .expect("items.json");
    assert_eq!(catalogue.len() + 1, m.n_ids);
    let runner = runner(m.window);
    // The page refuses a graph without the outputs it asks for.
    assert!(m.outputs().iter().all(|o| runner.has_output(o)));
    let out = runner
        .run(inputs(&g.cases[0]), Some(&[OUTPUT_SCORES.to_owned()]))
        .expect("runs");
    assert_eq!(out[0].shape, vec![1, m.n_ids]);

    // popularity: every item exactly once
    let mut pop = m.popularity.clone();
    pop.sort_unstable();
    assert_eq!(pop, (1..m.n_ids as u32).collect::<Vec<_>>());
    // examples: real items, no repeats, within the window
    assert!(!m.examples.is_empty());
    for ex in &m.examples {
        assert!(!ex.history.is_empty() && ex.history.len() <= m.window);
        assert!(ex.history.iter().all(|&id| catalogue.contains(id)));
        let mut ids = ex.history.clone();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ex.history.len(), "user {}", ex.user);
    }
    // the metrics the page quotes: the model beats popularity
    assert!(m.metrics.test.sasrec.hr_at_10 > m.metrics.test.popularity.hr_at_10);
    assert!(m.metrics.test.sasrec.ndcg_at_10 > m.metrics.test.popularity.ndcg_at_10);
    // a few titles the search must find
    let star_wars = catalogue.search("star wars", 3);
    assert_eq!(star_wars.first().map(|m| m.id), Some(50));
    assert_eq!(
        catalogue.get(50).map(|m| m.label()).as_deref(),
        Some("Star Wars (1977)")
    );
    assert_eq!(
        catalogue
            .search("miserables", 3)
            .first()
            .map(|m| m.label())
            .as_deref(),
        Some("Les Misérables (1995)")
    );
}
