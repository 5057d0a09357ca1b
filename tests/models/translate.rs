//! The English → French translator: tract's encoder and its full greedy decode (the loop in
//! `attention_playground::demos::translate`, one decoder run per step) against PyTorch's golden values.

use std::collections::HashMap;
use std::sync::OnceLock;

use attention_playground::demos::translate::analysis::{layer_shifts, step_shifts};
use attention_playground::demos::translate::{
    cross_attn_name, decoder_inputs, decoder_outputs, decoder_specs, detokenize, enc_attn_name,
    encoder_inputs, encoder_specs, greedy_decode, self_attn_name, truncation_note,
    vocab_from_tokenizer_json, Decoding, Step, Stop, TranslateManifest, View, LOG_PROBS, MEMORY,
};
use attention_playground::graph::GraphRunner;
use attention_playground::protocol::{InputSpec, ModelError, Tensor};
use serde::Deserialize;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/translate");

#[derive(Deserialize)]
struct Array {
    shape: Vec<usize>,
    data: Vec<f32>,
}

#[derive(Deserialize)]
struct GoldenStep {
    ids: Vec<u32>,
    log_probs: Vec<f32>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    src_tokens: Vec<String>,
    src_ids: Vec<u32>,
    truncated: bool,
    out_ids: Vec<u32>,
    out_tokens: Vec<String>,
    translation: String,
    first_step_log_probs: Array,
    steps: Vec<GoldenStep>,
    outputs: HashMap<String, Array>,
}

#[derive(Deserialize)]
struct Golden {
    tolerance: f32,
    max_new_tokens: usize,
    eos_id: u32,
    cases: Vec<Case>,
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(format!("{MODEL_DIR}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn golden() -> &'static Golden {
    static G: OnceLock<Golden> = OnceLock::new();
    G.get_or_init(|| serde_json::from_slice(&read("golden.json")).expect("golden.json parses"))
}

fn manifest() -> TranslateManifest {
    TranslateManifest::parse(&String::from_utf8(read("manifest.json")).expect("utf-8"))
        .expect("manifest parses")
}

struct Model {
    encoder: GraphRunner,
    decoder: GraphRunner,
    manifest: TranslateManifest,
    vocab: Vec<String>,
}

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let manifest = manifest();
        let tokenizer = read(&manifest.tokenizer);
        Model {
            encoder: GraphRunner::load(
                &read(&manifest.encoder),
                Some(&tokenizer),
                &encoder_specs(),
            )
            .expect("encoder loads"),
            decoder: GraphRunner::load(
                &read(&manifest.decoder),
                None,
                &decoder_specs(manifest.d_model),
            )
            .expect("decoder loads"),
            vocab: vocab_from_tokenizer_json(std::str::from_utf8(&tokenizer).expect("utf-8"))
                .expect("vocab"),
            manifest,
        }
    })
}

/// Largest |a - b|; panics on a length mismatch.
fn max_diff(a: &[f32], b: &[f32], what: &str) -> f32 {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn close(got: &Tensor, want: &Array, tol: f32, what: &str) {
    assert_eq!(got.shape, want.shape, "{what}: shape");
    let d = max_diff(got.as_f32().expect("f32"), &want.data, what);
    assert!(d <= tol, "{what}: max abs diff {d} > {tol}");
}

/// Row `i` of head `h` of a golden `[1, H, T, K]` map.
fn golden_row(a: &Array, h: usize, i: usize) -> &[f32] {
    let (t, k) = (a.shape[2], a.shape[3]);
    &a.data[(h * t + i) * k..(h * t + i + 1) * k]
}

#[test]
fn tract_greedy_decode_reproduces_pytorch_tokens_probabilities_and_attention() {
    let g = golden();
    let m = model();
    let dims = m.manifest.dims();
    assert_eq!(dims.max_new_tokens, g.max_new_tokens);
    assert_eq!(dims.eos, g.eos_id);
    let tol = g.tolerance;
    assert!(g.cases.len() >= 5);
    let mut worst = 0.0_f32;
    let mut worst_analysis = 0.0_f32;
    for case in &g.cases {
        let name = &case.name;
        // tokenizer (Rust `tokenizers`) = Python `tokenizers`, truncation included
        let enc = m.encoder.encode(&case.text).expect("encodes");
        assert_eq!(enc.ids, case.src_ids, "{name}: source ids");
        assert_eq!(enc.tokens, case.src_tokens, "{name}: source tokens");
        assert_eq!(enc.truncated(), case.truncated, "{name}: truncated");
        assert_eq!(truncation_note(&enc).is_some(), case.truncated, "{name}");
        assert!(enc.ids.len() <= m.manifest.max_src);

        let s = enc.ids.len();
        let enc_out = m
            .encoder
            .run(encoder_inputs(&enc.ids), None)
            .expect("encoder runs");
        let memory = Tensor::find(&enc_out, MEMORY).expect("memory").clone();
        close(
            &memory,
            &case.outputs[MEMORY],
            tol,
            &format!("{name}: memory"),
        );
        for l in 0..m.manifest.n_enc_layers {
            let n = enc_attn_name(l);
            close(
                Tensor::find(&enc_out, &n).expect("enc attn"),
                &case.outputs[&n],
                tol,
                &format!("{name}: {n}"),
            );
        }

        // the full greedy decode, one tract run of the decoder per step
        let wanted = decoder_outputs(dims.n_layers);
        let mut last: Vec<Tensor> = Vec::new();
        let mut first_lp: Vec<f32> = Vec::new();
        let mut step_lps: Vec<Vec<f32>> = Vec::new();
        let decoding: Decoding = greedy_decode::<String>(dims, s, |prefix| {
            let inputs = decoder_inputs(prefix, &memory, dims.vocab)?;
            let out = m
                .decoder
                .run(inputs, Some(&wanted))
                .map_err(|e| e.to_string())?;
            let lp = Tensor::find(&out, LOG_PROBS)
                .and_then(Tensor::as_f32)
                .ok_or("no log_probs")?
                .to_vec();
            if first_lp.is_empty() {
                first_lp = lp.clone();
            }
            step_lps.push(lp);
            let step = Step::from_outputs(&out, &dims, prefix.len(), s)?;
            last = out;
            Ok(step)
        })
        .expect("decodes");

        let chosen: Vec<u32> = decoding.steps().iter().map(|st| st.chosen).collect();
        assert_eq!(chosen, case.out_ids, "{name}: greedy tokens");
        let stop = decoding.stop().expect("finished");
        if case.out_ids.last() == Some(&g.eos_id) {
            assert_eq!(stop, Stop::EndOfSentence, "{name}");
        } else {
            assert_eq!(stop, Stop::MaxLength, "{name}");
            assert_eq!(case.out_ids.len(), g.max_new_tokens, "{name}");
        }
        let tokens: Vec<&str> = case
            .out_ids
            .iter()
            .map(|&i| m.vocab[i as usize].as_str())
            .collect();
        assert_eq!(tokens, case.out_tokens, "{name}: token strings");
        assert_eq!(detokenize(&tokens), case.translation, "{name}: text");

        // probabilities: the whole first distribution, then the golden top 5 at every step
        let d = max_diff(
            &first_lp,
            &case.first_step_log_probs.data,
            "first step log_probs",
        );
        assert!(d <= tol, "{name}: first step log_probs differ by {d}");
        worst = worst.max(d);
        assert_eq!(step_lps.len(), case.steps.len(), "{name}: steps");
        for (t, (lp, gs)) in step_lps.iter().zip(&case.steps).enumerate() {
            let ours = &decoding.steps()[t].top;
            assert_eq!(ours.len(), 5);
            for (k, (&id, &want)) in gs.ids.iter().zip(&gs.log_probs).enumerate() {
                let got = lp[id as usize];
                assert!(
                    (got - want).abs() <= tol,
                    "{name}: step {t} candidate {k} (id {id}): {got} vs {want}"
                );
                assert!(
                    (ours[k].log_prob - want).abs() <= tol,
                    "{name}: step {t} top {k}"
                );
                worst = worst.max((got - want).abs());
            }
        }

        // attention: the last step's maps in full, and every step's new row
        for l in 0..dims.n_layers {
            for n in [self_attn_name(l), cross_attn_name(l)] {
                let want = &case.outputs[&n];
                let got = Tensor::find(&last, &n).expect("attn");
                close(got, want, tol, &format!("{name}: {n} at the last step"));
                worst = worst.max(max_diff(got.as_f32().expect("f32"), &want.data, &n));
            }
            for (t, st) in decoding.steps().iter().enumerate() {
                for h in 0..dims.n_heads {
                    let sa = golden_row(&case.outputs[&self_attn_name(l)], h, t);
                    let d1 = max_diff(&st.self_rows[l][h], &sa[..=t], "self row");
                    assert!(sa[t + 1..].iter().all(|&v| v == 0.0), "{name}: causal mask");
                    let ca = golden_row(&case.outputs[&cross_attn_name(l)], h, t);
                    let d2 = max_diff(&st.cross_rows[l][h], ca, "cross row");
                    assert!(
                        d1 <= tol && d2 <= tol,
                        "{name}: layer {l} head {h} step {t}: {d1} / {d2}"
                    );
                }
            }
        }
        worst_analysis = worst_analysis.max(check_analysis(case, &decoding, &dims));
        eprintln!(
            "{name}: {} source tokens -> {} tokens, {:?}",
            s,
            case.out_ids.len(),
            case.translation
        );
    }
    eprintln!("worst difference to PyTorch: {worst:e}");
    eprintln!("worst difference of the decoding-step analysis: {worst_analysis:e}");
}

/// The page's analysis across decoding steps (from tract's attention rows) against the same
/// numbers computed here, plainly, from PyTorch's rows: entropy, top-1 mass, the most attended
/// source token, the shift between steps, and the means per layer, for every head and their
/// mean. Returns the largest difference.
fn check_analysis(
    case: &Case,
    decoding: &Decoding,
    dims: &attention_playground::demos::translate::Dims,
) -> f32 {
    const TOL: f32 = 1e-3;
    let name = &case.name;
    let n = decoding.steps().len();
    let mut worst = 0.0_f32;
    let mut near = |got: f32, want: f32, what: String| {
        let d = (got - want).abs();
        assert!(d <= TOL, "{name}: {what}: {got} vs {want}");
        worst = worst.max(d);
    };
    for l in 0..dims.n_layers {
        let golden = &case.outputs[&cross_attn_name(l)];
        for head in (0..dims.n_heads).map(Some).chain([None]) {
            let rows: Vec<Vec<f32>> = (0..n)
                .map(|t| match head {
                    Some(h) => golden_row(golden, h, t).to_vec(),
                    None => {
                        let heads: Vec<&[f32]> = (0..dims.n_heads)
                            .map(|h| golden_row(golden, h, t))
                            .collect();
                        (0..heads[0].len())
                            .map(|j| heads.iter().map(|r| r[j]).sum::<f32>() / dims.n_heads as f32)
                            .collect()
                    }
                })
                .collect();
            let cross = decoding
                .cross_matrix(n, View { layer: l, head })
                .expect("cross-attention");
            let ours = step_shifts(&cross);
            assert_eq!(ours.len(), n, "{name}: one entry per step");
            let (mut entropies, mut tops, mut shifts) = (Vec::new(), Vec::new(), Vec::new());
            for (t, (s, row)) in ours.iter().zip(&rows).enumerate() {
                let what = format!("layer {l} head {head:?} step {t}");
                let entropy: f32 = row.iter().filter(|&&p| p > 0.0).map(|&p| -p * p.ln()).sum();
                let top = row.iter().copied().fold(f32::MIN, f32::max);
                near(s.entropy, entropy, format!("{what} entropy"));
                near(s.top1, top, format!("{what} top-1 mass"));
                // The most attended token, unless PyTorch's top two are too close to tell.
                let mut sorted = row.clone();
                sorted.sort_by(|a, b| b.total_cmp(a));
                if sorted.len() < 2 || sorted[0] - sorted[1] > TOL {
                    assert_eq!(row[s.argmax], top, "{name}: {what} most attended");
                }
                match (t, s.shift) {
                    (0, None) => {}
                    (t, Some(shift)) if t > 0 => {
                        let want: f32 = 0.5
                            * row
                                .iter()
                                .zip(&rows[t - 1])
                                .map(|(a, b)| (a - b).abs())
                                .sum::<f32>();
                        near(shift, want, format!("{what} shift"));
                        shifts.push(want);
                    }
                    other => panic!("{name}: {what}: shift {other:?}"),
                }
                entropies.push(entropy);
                tops.push(top);
            }
            let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
            let summary = layer_shifts(decoding, n, head)[l];
            assert_eq!(summary.layer, l);
            near(
                summary.mean_entropy,
                mean(&entropies),
                format!("layer {l} head {head:?} mean entropy"),
            );
            near(
                summary.mean_top1,
                mean(&tops),
                format!("layer {l} head {head:?} mean top-1"),
            );
            if let Some(m) = summary.mean_shift {
                near(
                    m,
                    mean(&shifts),
                    format!("layer {l} head {head:?} mean shift"),
                );
            } else {
                assert!(
                    shifts.is_empty(),
                    "{name}: a mean shift from two or more steps"
                );
            }
        }
    }
    worst
}

#[test]
fn manifest_matches_the_shipped_files() {
    let m = manifest();
    for (file, info) in &m.files {
        let bytes = read(file);
        assert_eq!(bytes.len() as u64, info.bytes, "{file}");
    }
    assert!(
        m.download_bytes() <= 8 * 1024 * 1024,
        "the model must stay within 8 MB served: {}",
        m.download_bytes()
    );
    assert!(!m.examples.is_empty());
    let vocab = &model().vocab;
    assert_eq!(vocab.len(), m.vocab_size);
    assert_eq!(vocab[m.bos_id as usize], "<s>");
    assert_eq!(vocab[m.eos_id as usize], "</s>");
    assert_eq!(vocab[m.unk_id as usize], "<unk>");
    let score = m.metrics.int8.expect("held-out scores");
    assert!(score.bleu > 0.0 && score.chrf > 0.0 && score.verses > 0);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let m = model();
    assert_eq!(m.encoder.encode("   "), Err(ModelError::EmptyInput));
    // emoji, right-to-left script, HTML: unknown pieces become <unk>, nothing fails
    for text in [
        "🙂🙂",
        "שלום עולם",
        "<script>alert(1)</script>",
        &"long ".repeat(500),
    ] {
        let enc = m.encoder.encode(text).expect("encodes");
        assert!(enc.ids.len() <= m.manifest.max_src, "{text}");
    }
    let enc = m.encoder.encode("God is love.").expect("encodes");
    let out = m.encoder.run(encoder_inputs(&enc.ids), None).expect("runs");
    let memory = Tensor::find(&out, MEMORY).expect("memory").clone();
    // memory of the wrong width, mismatched source mask, ids outside the vocabulary
    let v = m.manifest.vocab_size;
    let narrow = Tensor::f32(MEMORY, vec![1, 2, 3], vec![0.0; 6]);
    assert!(m
        .decoder
        .run(decoder_inputs(&[2], &narrow, v).expect("inputs"), None)
        .is_err());
    let mut ins = decoder_inputs(&[2], &memory, v).expect("inputs");
    ins[2] = Tensor::i64("src_mask", vec![1, 1], vec![1]);
    assert!(m.decoder.run(ins, None).is_err());
    // ids outside the vocabulary never reach tract (its Gather would panic)
    assert!(decoder_inputs(&[2, v as u32], &memory, v).is_err());
    // a decoder given the encoder's input specs is refused
    let wrong = [InputSpec::i64("src_ids", &["1", "S"])];
    assert!(GraphRunner::load(&read(&m.manifest.decoder), None, &wrong).is_err());
}
