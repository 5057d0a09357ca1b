//! The checks made before a user's model runs, on the exporter's own fixtures
//! (`models/hf/<arch>/`): every way a set of files can be wrong gets its own problem.

use super::files::{
    base_name, check_digest, check_listing, find_manifest, is_archive, url_target, Archive, Listed,
    UrlTarget,
};
use super::*;
use crate::protocol::GraphSummary;
use std::io::Cursor;

fn fixture(arch: &str, file: &str) -> Vec<u8> {
    let path = format!("{}/models/hf/{arch}/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn manifest(arch: &str) -> HfManifest {
    let json = String::from_utf8(fixture(arch, MANIFEST)).expect("utf-8");
    HfManifest::parse(&json).expect("the fixture's manifest parses")
}

fn listing(arch: &str) -> Vec<Listed> {
    let m = manifest(arch);
    std::iter::once(MANIFEST.to_owned())
        .chain(m.served_files())
        .map(|f| Listed::new(&format!("{arch}/{f}"), fixture(arch, &f).len() as u64))
        .collect()
}

fn edit(arch: &str, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_slice(&fixture(arch, MANIFEST)).expect("json");
    change(&mut v);
    v.to_string()
}

#[test]
fn every_fixture_manifest_parses_with_its_kind_and_inputs() {
    for (arch, kind, inputs) in [
        ("bert", Kind::Encoder, vec!["input_ids", "attention_mask"]),
        (
            "roberta",
            Kind::Encoder,
            vec!["input_ids", "attention_mask"],
        ),
        (
            "distilbert",
            Kind::Encoder,
            vec!["input_ids", "attention_mask"],
        ),
        ("gpt2", Kind::Decoder, vec!["input_ids"]),
        ("vit", Kind::Vision, vec!["pixel_values"]),
    ] {
        let m = manifest(arch);
        assert_eq!(m.kind, kind, "{arch}");
        assert_eq!(m.causal, kind == Kind::Decoder, "{arch}");
        assert_eq!(m.attention_outputs.len(), m.n_layers, "{arch}");
        let specs = m.input_specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, inputs, "{arch}");
        assert_eq!(check_listing(&m, &listing(arch)), Ok(vec![]), "{arch}");
        for file in m.served_files() {
            assert_eq!(
                check_digest(&m, &file, &fixture(arch, &file)),
                Ok(()),
                "{arch} {file}"
            );
        }
    }
    let vit = manifest("vit").input_specs();
    assert_eq!(
        vit[0].shape,
        [
            Dim::Symbol("batch".into()),
            Dim::Fixed(3),
            Dim::Fixed(16),
            Dim::Fixed(16)
        ]
    );
    assert_eq!(vit[0].dtype, DType::F32);
}

#[test]
fn foreign_newer_and_broken_manifests_are_told_apart() {
    assert!(matches!(
        HfManifest::parse("\u{1F600} not json"),
        Err(OpenProblem::NotJson(_))
    ));
    // Another demo's manifest (the walkthrough's) is JSON without our format.
    let langid = std::fs::read_to_string(format!(
        "{}/models/langid/manifest.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("langid manifest");
    assert_eq!(HfManifest::parse(&langid), Err(OpenProblem::Foreign(None)));
    let other = edit("bert", |v| v["format"] = "onnx-community/something".into());
    assert_eq!(
        HfManifest::parse(&other),
        Err(OpenProblem::Foreign(Some(
            "onnx-community/something".into()
        )))
    );
    let newer = edit("bert", |v| v["format_version"] = 7.into());
    assert_eq!(HfManifest::parse(&newer), Err(OpenProblem::NewerFormat(7)));
    let no_layers = edit("bert", |v| {
        v.as_object_mut().map(|o| o.remove("n_layers"));
    });
    assert!(matches!(
        HfManifest::parse(&no_layers),
        Err(OpenProblem::BadManifest(m)) if m.contains("n_layers")
    ));
    let seq2seq = edit("bert", |v| v["kind"] = "seq2seq".into());
    assert_eq!(
        HfManifest::parse(&seq2seq),
        Err(OpenProblem::UnsupportedKind("seq2seq".into()))
    );
    for change in [
        (|v: &mut serde_json::Value| v["n_layers"] = 3.into()) as fn(&mut serde_json::Value),
        |v| v["n_heads"] = 0.into(),
        |v| v["n_heads"] = 5.into(),
        |v| v["n_layers"] = 100_000.into(),
        |v| v["tokenizer"] = serde_json::Value::Null,
        |v| v["inputs"][0]["name"] = "input_embeds".into(),
        |v| v["inputs"][0]["dtype"] = "int8".into(),
        |v| {
            v["files"].as_object_mut().map(|f| f.remove("model.onnx"));
        },
    ] {
        let json = edit("bert", change);
        assert!(
            matches!(HfManifest::parse(&json), Err(OpenProblem::Inconsistent(_))),
            "{json}"
        );
    }
    // Every problem is a sentence, never empty, in both languages.
    for lang in ["en", "zh-CN"] {
        rust_i18n::set_locale(lang);
        let text = OpenProblem::Missing(vec!["model.onnx".into()]).to_string();
        assert!(
            text.contains("model.onnx") && !text.contains("open.problem"),
            "{text}"
        );
    }
    rust_i18n::set_locale("en");
}

#[test]
fn missing_extra_duplicate_and_damaged_files_are_named() {
    let m = manifest("bert");
    assert_eq!(find_manifest(&[]), Err(OpenProblem::NoFiles));
    let mut files = listing("bert");
    assert_eq!(find_manifest(&files), Ok(0));
    files.push(Listed::new("bert/golden.json", 10));
    files.push(Listed::new("README.md", 3));
    assert_eq!(
        check_listing(&m, &files),
        Ok(vec!["golden.json".into(), "README.md".into()]),
        "extra files are named, not refused"
    );
    files.push(Listed::new("other-export/model.onnx", 5));
    assert_eq!(
        find_manifest(&files),
        Err(OpenProblem::Duplicate("model.onnx".into()))
    );
    let without_manifest: Vec<Listed> = listing("bert").into_iter().skip(1).collect();
    assert_eq!(
        find_manifest(&without_manifest),
        Err(OpenProblem::NoManifest(vec![
            "model.onnx".into(),
            "tokenizer.json".into()
        ]))
    );
    let without_tokenizer: Vec<Listed> = listing("bert").into_iter().take(2).collect();
    assert_eq!(
        check_listing(&m, &without_tokenizer),
        Err(OpenProblem::Missing(vec!["tokenizer.json".into()]))
    );
    // Cut short: refused from the listing, before reading.
    let mut cut = listing("bert");
    cut[1].bytes -= 1000;
    let expected = m.files["model.onnx"].bytes;
    assert_eq!(
        check_listing(&m, &cut),
        Err(OpenProblem::WrongSize {
            file: "model.onnx".into(),
            got: expected - 1000,
            expected
        })
    );
    // Same size, one byte changed: the digest.
    let mut bytes = fixture("bert", "model.onnx");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    assert_eq!(
        check_digest(&m, "model.onnx", &bytes),
        Err(OpenProblem::WrongDigest("model.onnx".into()))
    );
    // The GPT-2 export's files under the BERT manifest.
    let gpt2: Vec<Listed> = std::iter::once(Listed::new(MANIFEST, 1))
        .chain(listing("gpt2").into_iter().skip(1))
        .collect();
    assert!(matches!(
        check_listing(&m, &gpt2),
        Err(OpenProblem::WrongSize { .. })
    ));
    assert_eq!(base_name("a\\b\\c.json"), "c.json");
}

#[test]
fn models_too_large_for_a_tab_are_refused_before_reading() {
    let huge = edit("bert", |v| {
        v["files"]["model.onnx"]["bytes"] = (MAX_ONNX_BYTES + 1).into();
    });
    let m = HfManifest::parse(&huge).expect("parses");
    assert!(matches!(m.check_size(), Err(OpenProblem::TooLarge { .. })));
    let many = edit("bert", |v| v["parameters"] = (MAX_PARAMETERS + 1).into());
    let m = HfManifest::parse(&many).expect("parses");
    assert!(matches!(
        check_listing(&m, &[]),
        Err(OpenProblem::TooManyParameters { .. })
    ));
}

#[test]
fn the_graph_must_be_the_one_the_manifest_describes() {
    let m = manifest("bert");
    let summary = |inputs: &[&str], outputs: &[&str]| GraphSummary {
        key: GRAPH_KEY.into(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        outputs: outputs.iter().map(|s| s.to_string()).collect(),
        max_len: Some(64),
    };
    assert_eq!(
        m.check_graph(&summary(
            &["attention_mask", "input_ids"],
            &["attn.0", "attn.1", "last_hidden_state"]
        )),
        Ok(())
    );
    assert!(matches!(
        m.check_graph(&summary(&["input_ids"], &["attn.0", "attn.1"])),
        Err(OpenProblem::GraphMismatch(_))
    ));
    assert!(matches!(
        m.check_graph(&summary(&["input_ids", "attention_mask"], &["attn.0"])),
        Err(OpenProblem::GraphMismatch(s)) if s.contains("attn.1")
    ));
}

#[test]
fn inputs_for_a_text_and_an_image() {
    let bert = manifest("bert");
    let t = bert.text_inputs(&[2, 40, 41, 3]);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].as_i64(), Some(&[2i64, 40, 41, 3][..]));
    assert_eq!(t[1].as_i64(), Some(&[1i64, 1, 1, 1][..]));
    assert_eq!(t[1].shape, [1, 4]);
    let gpt2 = manifest("gpt2").text_inputs(&[5, 6]);
    assert_eq!(gpt2.len(), 1);

    let vit = manifest("vit");
    let spec = vit.image.clone().expect("image spec");
    let (w, h) = (spec.width, spec.height);
    let mut rgba = vec![0u8; w * h * 4];
    rgba[0] = 255; // pixel 0 red = 1.0 → (1 − 0.5) / 0.5 = 1
    rgba[4 * 5 + 2] = 51; // pixel 5 blue = 0.2 → −0.6
    let input = vit.image_inputs(&rgba).expect("fits");
    let px = input[0].as_f32().expect("f32");
    assert_eq!(input[0].shape, [1, 3, h, w]);
    assert!((px[0] - 1.0).abs() < 1e-6);
    assert!((px[2 * w * h + 5] + 0.6).abs() < 1e-6);
    assert!((px[w * h] + 1.0).abs() < 1e-6, "green of pixel 0 is 0 → −1");
    assert!(vit.image_inputs(&rgba[..8]).is_err());
    let names = vit.patch_tokens(17);
    assert_eq!(names.len(), 17);
    assert_eq!(
        (names[0].as_str(), names[1].as_str(), names[16].as_str()),
        ("[CLS]", "1,1", "4,4")
    );
}

#[test]
fn archives_are_listed_and_read_by_base_name() {
    use std::io::Write;
    let mut buf = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.add_directory("gpt2/", stored).expect("dir");
        for (file, options) in [
            (MANIFEST, deflated),
            ("model.onnx", deflated),
            ("tokenizer.json", stored),
        ] {
            zip.start_file(format!("gpt2/{file}"), options)
                .expect("start");
            zip.write_all(&fixture("gpt2", file)).expect("write");
        }
        zip.finish().expect("finish");
    }
    let mut archive = Archive::new(buf.into_inner()).expect("a zip");
    let files = archive.listing().expect("listing");
    assert!(is_archive(&[Listed::new("x/export.ZIP", 3)]));
    assert_eq!(files, listing("gpt2"));
    assert_eq!(find_manifest(&files), Ok(0));
    assert_eq!(
        archive.read("model.onnx").expect("read"),
        fixture("gpt2", "model.onnx")
    );
    assert!(matches!(
        archive.read("golden.json"),
        Err(OpenProblem::Missing(_))
    ));
    assert!(matches!(
        Archive::new(b"PK\x03\x04 not really".to_vec()),
        Err(OpenProblem::Archive(_))
    ));
}

#[test]
fn urls_name_a_folder_or_an_archive() {
    let folder = |s: &str| Some(UrlTarget::Folder(s.into()));
    assert_eq!(url_target("https://x.org/m/"), folder("https://x.org/m/"));
    assert_eq!(url_target("https://x.org/m"), folder("https://x.org/m/"));
    assert_eq!(
        url_target(" https://x.org/m/manifest.json "),
        folder("https://x.org/m/")
    );
    assert_eq!(
        url_target("https://x.org/m.zip?dl=1"),
        Some(UrlTarget::Archive("https://x.org/m.zip?dl=1".into()))
    );
    assert_eq!(url_target(""), None);
    assert_eq!(url_target("not a url"), None);
}
