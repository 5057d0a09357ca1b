//! Bad models and bad input give readable errors, never panics.

use attention_playground::protocol::ModelError;

use crate::langid_session::Session;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/langid");

fn files() -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(format!("{MODEL_DIR}/model.onnx")).expect("model.onnx"),
        std::fs::read(format!("{MODEL_DIR}/tokenizer.json")).expect("tokenizer.json"),
    )
}

#[test]
fn empty_truncated_and_random_model_files_are_rejected_with_a_message() {
    let (onnx, tokenizer) = files();
    assert_eq!(
        Session::load(&[], &tokenizer).err(),
        Some(ModelError::EmptyModel)
    );
    for bad in [
        onnx[..1000].to_vec(),
        onnx[..onnx.len() / 2].to_vec(),
        b"\x89PNG\r\n\x1a\n not a model".to_vec(),
    ] {
        let err = Session::load(&bad, &tokenizer).err().expect("must fail");
        assert!(
            matches!(err, ModelError::NotOnnx(_) | ModelError::Foreign(_)),
            "{err:?}"
        );
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn a_foreign_onnx_model_is_named_as_such() {
    // A valid ONNX graph (Identity) that is not a walkthrough model: see tests/fixtures/make_fixtures.py.
    let (_, tokenizer) = files();
    let foreign = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/identity.onnx"
    ))
    .expect("fixture");
    let err = Session::load(&foreign, &tokenizer)
        .err()
        .expect("must fail");
    assert!(matches!(err, ModelError::Foreign(_)), "{err:?}");
}

#[test]
fn a_broken_tokenizer_is_rejected_with_a_message() {
    let (onnx, _) = files();
    let err = Session::load(&onnx, b"{not json").err().expect("must fail");
    assert!(matches!(err, ModelError::Tokenizer(_)), "{err:?}");
}

#[test]
fn awkward_input_runs_or_says_why() {
    let (onnx, tokenizer) = files();
    let runner = Session::load(&onnx, &tokenizer).expect("loads");
    assert_eq!(runner.run("").err(), Some(ModelError::EmptyInput));
    assert_eq!(runner.run("  \n\t ").err(), Some(ModelError::EmptyInput));

    let long = "and the word was with God ".repeat(800); // ~20,000 characters
    let record = runner.run(&long).expect("long input runs");
    assert_eq!(record.seq_len(), runner.layout.max_len);
    assert!(record.truncated());
    assert!(record.untruncated_len > runner.layout.max_len);
    assert_eq!(record.tokens.last().map(String::as_str), Some("[SEP]"));

    for text in [
        "😀 love 🎉",
        "שלום עולם مرحبا بالعالم",
        "<script>alert(1)</script> <b>bold</b> &amp;",
        "zero\u{200b}width\u{200d}joiner\u{feff} and \u{0007}bell\u{0000}nul",
        "qwxzvbnm plorftang",
        "神爱世人",
        "\u{202e}reversed\u{202c}",
    ] {
        let record = runner.run(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(record.seq_len() >= 2, "{text:?}");
        assert!(!record.truncated());
        let sum: f32 = record.probs.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{text:?}: probs sum to {sum}");
    }
}
