//! The generic graph runner the demos use: named tensors in and out, checked inputs.

use attention_playground::graph::GraphRunner;
use attention_playground::protocol::{InputSpec, ModelError, Tensor};

use crate::langid_session::Session;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/langid");

fn langid_files() -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(format!("{MODEL_DIR}/model.onnx")).expect("model.onnx"),
        std::fs::read(format!("{MODEL_DIR}/tokenizer.json")).expect("tokenizer.json"),
    )
}

fn specs() -> Vec<InputSpec> {
    vec![
        InputSpec::i64("attention_mask", &["batch", "seq"]),
        InputSpec::i64("input_ids", &["batch", "seq"]),
    ]
}

#[test]
fn the_walkthrough_record_holds_the_graph_runners_outputs_unchanged() {
    let (onnx, tokenizer) = langid_files();
    let graph = GraphRunner::load(&onnx, Some(&tokenizer), &specs()).expect("loads");
    let walkthrough = Session::load(&onnx, &tokenizer).expect("loads");
    let text = "The king spoke to the people.";

    let encoded = graph.encode(text).expect("encodes");
    assert_eq!(encoded.ids, walkthrough.encode(text).expect("encodes").ids);
    assert_eq!(encoded.tokens.len(), encoded.offsets.len());
    assert!(!encoded.truncated());

    let ids: Vec<i64> = encoded.ids.iter().map(|&i| i64::from(i)).collect();
    let n = ids.len();
    let wanted = vec!["probs".to_owned(), "layer1.weights".to_owned()];
    let out = graph
        .run(
            vec![
                Tensor::i64("input_ids", vec![1, n], ids),
                Tensor::i64("attention_mask", vec![1, n], vec![1; n]),
            ],
            Some(&wanted),
        )
        .expect("runs");
    assert_eq!(
        out.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["probs", "layer1.weights"]
    );
    let record = walkthrough.run(text).expect("runs");
    let probs = Tensor::find(&out, "probs")
        .and_then(Tensor::as_f32)
        .expect("f32");
    assert_eq!(probs, record.probs.as_slice());
    let weights = Tensor::find(&out, "layer1.weights").expect("weights");
    assert_eq!(weights.shape, vec![1, 4, n, n]);
    let head2 = &weights.as_f32().expect("f32")[2 * n * n..3 * n * n];
    assert_eq!(head2, record.layers[1].weights[2].data());
}

#[test]
fn bad_inputs_and_specs_are_errors_not_panics() {
    let (onnx, tokenizer) = langid_files();
    let wrong = [InputSpec::i64("tokens", &["batch", "seq"])];
    assert!(matches!(
        GraphRunner::load(&onnx, None, &wrong),
        Err(ModelError::Foreign(_))
    ));
    assert!(matches!(
        GraphRunner::load(&onnx[..onnx.len() / 3], None, &specs()),
        Err(ModelError::NotOnnx(_))
    ));

    let graph = GraphRunner::load(&onnx, None, &specs()).expect("loads");
    assert!(matches!(graph.encode("hi"), Err(ModelError::Tokenizer(_))));
    let ids = Tensor::i64("input_ids", vec![1, 2], vec![2, 3]);
    // Missing input, wrong type, shape and data disagreeing, unknown output.
    assert!(matches!(
        graph.run(vec![ids.clone()], None),
        Err(ModelError::BadInput(_))
    ));
    assert!(matches!(
        graph.run(
            vec![
                ids.clone(),
                Tensor::f32("attention_mask", vec![1, 2], vec![1.0, 1.0])
            ],
            None
        ),
        Err(ModelError::BadInput(_))
    ));
    assert!(matches!(
        graph.run(
            vec![
                ids.clone(),
                Tensor::i64("attention_mask", vec![1, 3], vec![1, 1])
            ],
            None
        ),
        Err(ModelError::BadInput(_))
    ));
    let mask = Tensor::i64("attention_mask", vec![1, 2], vec![1, 1]);
    assert!(matches!(
        graph.run(vec![ids, mask], Some(&["nope".to_owned()])),
        Err(ModelError::Foreign(_))
    ));

    let with_tokenizer = GraphRunner::load(&onnx, Some(&tokenizer), &specs()).expect("loads");
    assert_eq!(with_tokenizer.encode("  "), Err(ModelError::EmptyInput));
}

/// tract indexes an embedding table without a bounds check (an id past it panics, and a panic in
/// wasm kills the worker), so the runner refuses such ids, and shapes that break the declared ones.
#[test]
fn ids_outside_the_vocabulary_and_inconsistent_shapes_are_refused_before_tract_runs() {
    let (onnx, tokenizer) = langid_files();
    let graph = GraphRunner::load(&onnx, Some(&tokenizer), &specs()).expect("loads");
    let vocab = tokenizers::Tokenizer::from_bytes(&tokenizer)
        .expect("tokenizer")
        .get_vocab_size(true);
    assert_eq!(graph.id_limit("input_ids"), Some(vocab));
    let mask = || Tensor::i64("attention_mask", vec![1, 2], vec![1, 1]);
    let run = |ids: Vec<i64>| {
        graph.run(
            vec![Tensor::i64("input_ids", vec![1, 2], ids), mask()],
            None,
        )
    };
    assert!(
        run(vec![2, vocab as i64 - 1]).is_ok(),
        "the last id is fine"
    );
    for bad in [vocab as i64, 1_000_000, -1] {
        match run(vec![2, bad]) {
            Err(ModelError::BadInput(m)) => assert!(m.contains(&bad.to_string()), "{m}"),
            other => panic!("id {bad}: {other:?}"),
        }
    }
    // The mask says 3 positions where the ids have 2; a third dimension.
    let long_mask = Tensor::i64("attention_mask", vec![1, 3], vec![1, 1, 1]);
    let ids = Tensor::i64("input_ids", vec![1, 2], vec![2, 3]);
    assert!(matches!(
        graph.run(vec![ids.clone(), long_mask], None),
        Err(ModelError::BadInput(_))
    ));
    let cube = Tensor::i64("input_ids", vec![1, 2, 1], vec![2, 3]);
    assert!(matches!(
        graph.run(vec![cube, mask()], None),
        Err(ModelError::BadInput(_))
    ));
}

/// Every id-taking input of every model we ship has its table found, so no id can reach tract
/// out of range; recommendation's `position` indexes the window (a `GatherElements`).
#[test]
fn every_shipped_lookup_input_has_its_limit() {
    use attention_playground::demos::{encoder, recommend, translate};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let vocab = |path: &str| {
        tokenizers::Tokenizer::from_file(format!("{dir}/{path}"))
            .expect("tokenizer")
            .get_vocab_size(true)
    };
    let cases = [
        (
            "minilm/model.onnx",
            encoder::input_specs(),
            "input_ids",
            vocab("minilm/tokenizer.json"),
        ),
        (
            "recommend/model.onnx",
            recommend::input_specs(50),
            "position",
            50,
        ),
        (
            "translate/encoder.onnx",
            translate::encoder_specs(),
            "src_ids",
            vocab("translate/tokenizer.json"),
        ),
        (
            "translate/decoder.onnx",
            translate::decoder_specs(192),
            "tgt_ids",
            vocab("translate/tokenizer.json"),
        ),
    ];
    for (file, specs, input, limit) in cases {
        let onnx = std::fs::read(format!("{dir}/{file}")).expect(file);
        let graph = GraphRunner::load(&onnx, None, &specs).expect(file);
        assert_eq!(graph.id_limit(input), Some(limit), "{file} {input}");
    }
    let onnx = std::fs::read(format!("{dir}/recommend/model.onnx")).expect("recommend");
    let graph = GraphRunner::load(&onnx, None, &recommend::input_specs(50)).expect("loads");
    assert!(graph.id_limit("item_ids").is_some_and(|n| n > 1000));
    let run = |position: i64| {
        graph.run(
            vec![
                Tensor::i64("item_ids", vec![1, 50], vec![1; 50]),
                Tensor::i64("position", vec![1], vec![position]),
            ],
            None,
        )
    };
    assert!(run(49).is_ok());
    assert!(matches!(run(50), Err(ModelError::BadInput(_))));
}

/// The page reads every model through `graph::read_onnx`, whose rewrites (embedding rows gathered
/// before they are dequantized, a tied output projection given its float32 table) must change
/// no output bit. Each model that has such a table runs as written and as rewritten on the same
/// inputs: every input at its declared type, 7 for any open dimension.
#[test]
fn the_load_time_rewrites_change_no_output_bit_of_any_shipped_model() {
    use attention_playground::graph::{read_onnx, rewrite};
    use tract_onnx::prelude::*;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    // (file, tables the rewrites change)
    let models = [
        ("langid/model.onnx", 1),
        ("minilm/model.onnx", 1),
        ("translate/encoder.onnx", 1),
        ("translate/decoder.onnx", 2), // the gather's rows, and the Gemm's float32 table
        ("generate/model.onnx", 1),
    ];
    let framework = tract_onnx::onnx();
    for (file, tables) in models {
        let onnx = std::fs::read(format!("{root}/{file}")).expect("model file");
        let mut proto = framework
            .proto_model_for_read(&mut &onnx[..])
            .expect("parses");
        assert_eq!(rewrite::apply(&mut proto), tables, "{file}");
        let run = |model: InferenceModel| {
            let plan = model
                .into_optimized()
                .and_then(|m| m.into_runnable())
                .expect("optimises");
            let mut inputs: TVec<TValue> = tvec![];
            for (i, outlet) in plan
                .model()
                .input_outlets()
                .expect("inputs")
                .iter()
                .enumerate()
            {
                let name = plan.model().node(outlet.node).name.clone();
                let fact = plan.model().input_fact(i).expect("fact");
                let shape: Vec<usize> = fact
                    .shape
                    .iter()
                    .map(|d| d.as_i64().map_or(7, |v| v as usize))
                    .collect();
                let len = shape.iter().product();
                let t = if fact.datum_type == i64::datum_type() {
                    let v: Vec<i64> = (0..len)
                        .map(|k| {
                            if name.contains("mask") {
                                1
                            } else {
                                3 + (k as i64 * 7) % 97
                            }
                        })
                        .collect();
                    tensor1(&v).into_shape(&shape)
                } else {
                    let v: Vec<f32> = (0..len).map(|k| (k as f32 * 0.37).sin() * 0.5).collect();
                    tensor1(&v).into_shape(&shape)
                };
                inputs.push(t.expect("shape").into());
            }
            plan.run(inputs).expect("runs")
        };
        let written = run(framework.model_for_read(&mut &onnx[..]).expect("reads"));
        let rewritten = run(read_onnx(&onnx).expect("reads"));
        assert_eq!(written.len(), rewritten.len(), "{file}");
        for (a, b) in written.iter().zip(&rewritten) {
            assert_eq!(a.shape(), b.shape(), "{file}");
            let bits = |t: &TValue| -> Vec<u32> {
                let f = t.cast_to::<f32>().expect("f32");
                let v = f.to_plain_array_view::<f32>().expect("view");
                v.iter().map(|x| x.to_bits()).collect()
            };
            assert!(bits(a) == bits(b), "{file}: an output differs");
        }
    }
}
