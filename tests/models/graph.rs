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
