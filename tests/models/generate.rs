//! The Shakespeare generator: tract runs the exported graph and our own loop, sampler, head
//! scores and RoPE steps reproduce PyTorch's golden values — the same tokens exactly (greedy
//! and seeded sampling, every ChaCha8 draw), the cached decode equal to a full recompute, and
//! logits, attention, layer inputs and the cache within 1e-4.

use std::sync::OnceLock;

use attention_playground::demos::generate::heads::head_score;
use attention_playground::demos::generate::sampling::{Draws, Sampler};
use attention_playground::demos::generate::steps::{
    head_steps, layer_norm, max_abs_diff, Focus, LayerWeights,
};
use attention_playground::demos::generate::{
    full_outputs, generate, input_specs, inputs, last_logits, param_name, param_outputs,
    read_cache, read_weights, step_outputs, window_prompt, x_name, GenerateManifest, Generation,
    Stop, FINAL_BETA, FINAL_GAMMA, FINAL_HIDDEN, FINAL_NORM,
};
use attention_playground::graph::GraphRunner;
use attention_playground::maths::Matrix;
use attention_playground::protocol::{ModelError, Tensor};
use serde::Deserialize;

const MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/generate");

#[derive(Deserialize)]
struct Array {
    shape: Vec<usize>,
    data: Vec<f32>,
}

#[derive(Deserialize)]
struct Case {
    prompt: String,
    ids: Vec<u32>,
    last_logits: Array,
    logits_head: Array,
    weights: Vec<Array>,
    final_norm: Array,
    #[serde(default)]
    x: Vec<Array>,
    #[serde(default)]
    keys: Vec<Array>,
    #[serde(default)]
    values: Vec<Array>,
}

#[derive(Deserialize)]
struct Decode {
    prompt_ids: Vec<u32>,
    tokens: Vec<u32>,
    stop: String,
}

#[derive(Deserialize)]
struct Sampled {
    temperature: f64,
    top_k: usize,
    top_p: f64,
    seed: u64,
    prompt_ids: Vec<u32>,
    tokens: Vec<u32>,
    /// Each draw is `k · 2⁻⁵³`: `k` exactly (the decimal `draws` may be rounded when read).
    draws_53bit: Vec<u64>,
    stop: String,
}

#[derive(Deserialize)]
struct GoldenScore {
    layer: usize,
    head: usize,
    previous_token: f64,
    induction: f64,
    sink: f64,
}

#[derive(Deserialize)]
struct Induction {
    ids: Vec<u32>,
    period: usize,
    scores: Vec<GoldenScore>,
}

#[derive(Deserialize)]
struct Golden {
    tolerance: f32,
    cases: Vec<Case>,
    greedy: Decode,
    sampled: Sampled,
    chacha8_seed_42_first_u64: Vec<String>,
    induction: Induction,
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(format!("{MODEL_DIR}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn golden() -> &'static Golden {
    static G: OnceLock<Golden> = OnceLock::new();
    G.get_or_init(|| serde_json::from_slice(&read("golden.json")).expect("golden.json parses"))
}

struct Model {
    graph: GraphRunner,
    manifest: GenerateManifest,
}

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let manifest =
            GenerateManifest::parse(std::str::from_utf8(&read("manifest.json")).expect("utf-8"))
                .expect("manifest parses");
        let graph = GraphRunner::load(
            &read(&manifest.model),
            Some(&read(&manifest.tokenizer)),
            &input_specs(manifest.n_layers, manifest.n_heads, manifest.d_k),
        )
        .expect("graph loads");
        Model { graph, manifest }
    })
}

fn run(inputs: Vec<Tensor>, outputs: Vec<String>) -> Vec<Tensor> {
    model()
        .graph
        .run(inputs, Some(&outputs))
        .expect("graph runs")
}

fn f32s<'a>(out: &'a [Tensor], name: &str) -> &'a [f32] {
    Tensor::find(out, name)
        .and_then(Tensor::as_f32)
        .unwrap_or_else(|| panic!("no output {name}"))
}

fn close(got: &[f32], want: &Array, what: &str) {
    let tol = golden().tolerance;
    assert_eq!(
        got.len(),
        want.data.len(),
        "{what}: length (shape {:?})",
        want.shape
    );
    let d = max_abs_diff(got, &want.data);
    assert!(d <= tol, "{what}: max |Δ| {d} > {tol}");
}

#[test]
fn the_tokenizer_gives_the_golden_ids() {
    for case in &golden().cases {
        let enc = model().graph.encode(&case.prompt).expect("encodes");
        assert_eq!(enc.ids, case.ids, "{:?}", case.prompt);
    }
}

#[test]
fn full_recompute_matches_pytorch() {
    let m = &model().manifest;
    let dims = m.dims();
    for (c, case) in golden().cases.iter().enumerate() {
        let mut wanted = full_outputs(m.n_layers);
        wanted.push("logits".into());
        wanted.dedup();
        let out = run(inputs(&case.ids, 0, None, &dims), full_outputs(m.n_layers));
        close(
            &last_logits(&out, m.vocab_size).expect("logits"),
            &case.last_logits,
            "last logits",
        );
        let logits = f32s(&out, "logits");
        let head: Vec<f32> = logits
            .chunks(m.vocab_size)
            .flat_map(|row| row[..16].iter().copied())
            .collect();
        close(&head, &case.logits_head, "logits[:, :16]");
        for l in 0..m.n_layers {
            let (_, _, w) = read_weights(&out, l, m.n_heads).expect("weights");
            close(w, &case.weights[l], &format!("case {c} layer {l} weights"));
            if let Some(x) = case.x.get(l) {
                close(f32s(&out, &x_name(l)), x, &format!("layer {l} x"));
            }
        }
        close(f32s(&out, FINAL_NORM), &case.final_norm, "final norm");
        let (cache, rows) = read_cache(&out, &dims).expect("cache");
        assert_eq!(rows, case.ids.len());
        for (l, layer) in cache.iter().enumerate() {
            if let (Some(k), Some(v)) = (case.keys.get(l), case.values.get(l)) {
                close(&layer.key, k, &format!("layer {l} keys"));
                close(&layer.value, v, &format!("layer {l} values"));
            }
        }
    }
}

#[test]
fn cached_decode_equals_full_recompute() {
    let m = &model().manifest;
    let dims = m.dims();
    let ids = &golden().cases[0].ids;
    let split = ids.len() - 3;
    let full = run(inputs(ids, 0, None, &dims), step_outputs(m.n_layers));
    let mut out = run(
        inputs(&ids[..split], 0, None, &dims),
        step_outputs(m.n_layers),
    );
    let mut cache =
        attention_playground::demos::generate::cache::KvCache::empty(m.n_layers, m.n_heads, m.d_k);
    for (i, &id) in ids.iter().enumerate().skip(split) {
        let (layers, rows) = read_cache(&out, &dims).expect("cache");
        assert!(cache.replace(layers, rows));
        out = run(
            inputs(&[id], i, Some(&cache), &dims),
            step_outputs(m.n_layers),
        );
    }
    let a = last_logits(&out, m.vocab_size).expect("logits");
    let b = last_logits(&full, m.vocab_size).expect("logits");
    let d = max_abs_diff(&a, &b);
    assert!(d <= 1e-4, "cached vs full logits {d}");
    let (kc, _) = read_cache(&out, &dims).expect("cache");
    let (kf, _) = read_cache(&full, &dims).expect("cache");
    for (l, (c, f)) in kc.iter().zip(&kf).enumerate() {
        assert!(max_abs_diff(&c.key, &f.key) <= 1e-4, "layer {l} keys");
        assert!(max_abs_diff(&c.value, &f.value) <= 1e-4, "layer {l} values");
    }
    // the cached step's newest attention row is the full map's last row
    let (_, total, w_cached) = read_weights(&out, 0, m.n_heads).expect("weights");
    let (n, _, w_full) = read_weights(&full, 0, m.n_heads).expect("weights");
    assert_eq!(total, n);
    for h in 0..m.n_heads {
        let last = &w_full[(h * n + n - 1) * n..(h * n + n) * n];
        assert!(max_abs_diff(&w_cached[h * total..(h + 1) * total], last) <= 1e-4);
    }
}

fn runner(inputs: Vec<Tensor>) -> Result<Vec<Tensor>, ModelError> {
    model()
        .graph
        .run(inputs, Some(&step_outputs(model().manifest.n_layers)))
}

fn stop_name(s: Option<Stop>) -> &'static str {
    match s {
        Some(Stop::EndToken) => "end_token",
        Some(Stop::Cap) => "cap",
        None => "none",
    }
}

#[test]
fn greedy_decode_reproduces_the_golden_tokens() {
    let m = &model().manifest;
    let gd = &golden().greedy;
    let sampler = Sampler {
        temperature: 0.0,
        ..Sampler::default()
    };
    let prompt = window_prompt(&gd.prompt_ids, &m.dims()).expect("prompt");
    let g = generate(prompt, m.dims(), sampler, runner).expect("generates");
    assert_eq!(g.generated(), &gd.tokens[..]);
    assert_eq!(stop_name(g.stop), gd.stop);
}

#[test]
fn seeded_sampling_reproduces_the_golden_draws_and_tokens() {
    let m = &model().manifest;
    let s = &golden().sampled;
    let mut d = Draws::new(42);
    let first: Vec<String> = (0..4).map(|_| d.next_u64().to_string()).collect();
    assert_eq!(first, golden().chacha8_seed_42_first_u64, "ChaCha8 stream");
    let bits = |u: f64| (u * (1u64 << 53) as f64) as u64;
    let mut d = Draws::new(s.seed);
    for (i, &k) in s.draws_53bit.iter().enumerate() {
        assert_eq!(bits(d.uniform()), k, "draw {i}");
    }
    let sampler = Sampler {
        temperature: s.temperature,
        top_k: s.top_k,
        top_p: s.top_p,
        seed: s.seed,
    };
    let prompt = window_prompt(&s.prompt_ids, &m.dims()).expect("prompt");
    let g: Generation = generate(prompt, m.dims(), sampler, runner).expect("generates");
    assert_eq!(g.generated(), &s.tokens[..]);
    assert_eq!(g.draws_used(), s.draws_53bit.len());
    let draws: Vec<u64> = g.choices.iter().filter_map(|c| c.draw).map(bits).collect();
    assert_eq!(draws, s.draws_53bit);
    assert_eq!(stop_name(g.stop), s.stop);
}

#[test]
fn head_scores_match_the_export() {
    let m = &model().manifest;
    let ind = &golden().induction;
    assert_eq!(ind.ids, m.induction.ids);
    let names = (0..m.n_layers)
        .map(|l| format!("layer{l}.weights"))
        .collect();
    let out = run(inputs(&ind.ids, 0, None, &m.dims()), names);
    let n = ind.ids.len();
    for g in &ind.scores {
        let (_, _, w) = read_weights(&out, g.layer, m.n_heads).expect("weights");
        let map = &w[g.head * n * n..(g.head + 1) * n * n];
        let s = head_score(map, n, ind.period, g.layer, g.head).expect("score");
        for (ours, want, what) in [
            (s.previous_token, g.previous_token, "previous"),
            (s.induction, g.induction, "induction"),
            (s.sink, g.sink, "sink"),
        ] {
            assert!(
                (ours - want).abs() <= 1e-4,
                "L{}H{} {what}: {ours} vs {want}",
                g.layer,
                g.head
            );
        }
    }
}

#[test]
fn our_rope_steps_agree_with_the_model() {
    let m = &model().manifest;
    let dims = m.dims();
    let case = &golden().cases[0];
    let n = case.ids.len();
    let params = run(
        inputs(&case.ids[..1], 0, None, &dims),
        param_outputs(m.n_layers),
    );
    let out = run(inputs(&case.ids, 0, None, &dims), full_outputs(m.n_layers));
    let (cache, _) = read_cache(&out, &dims).expect("cache");
    let d = m.d_model;
    let mat = |t: &[Tensor], name: &str, r: usize| {
        Matrix::from_vec(r, d, f32s(t, name).to_vec()).expect("matrix")
    };
    for (l, layer_cache) in cache.iter().enumerate() {
        let w = LayerWeights {
            w_q: mat(&params, &param_name(l, "w_q"), d),
            w_k: mat(&params, &param_name(l, "w_k"), d),
            w_v: mat(&params, &param_name(l, "w_v"), d),
            w_o: mat(&params, &param_name(l, "w_o"), d),
        };
        let x = mat(&out, &x_name(l), n);
        let (_, _, weights) = read_weights(&out, l, m.n_heads).expect("weights");
        for head in 0..m.n_heads {
            for t in [0, n / 2, n - 1] {
                let focus = Focus {
                    layer: l,
                    head,
                    t,
                    first_position: 0,
                    n_heads: m.n_heads,
                    rope_base: m.rope_base,
                };
                let st = head_steps(&x, &w, focus).expect("steps");
                let size = n * m.d_k;
                let k = &layer_cache.key[head * size..(head + 1) * size];
                let v = &layer_cache.value[head * size..(head + 1) * size];
                assert!(max_abs_diff(st.k.data(), k) <= 1e-4, "L{l}H{head} keys");
                assert!(max_abs_diff(st.v.data(), v) <= 1e-4, "L{l}H{head} values");
                let row = &weights[(head * n + t) * n..(head * n + t + 1) * n];
                let dw = max_abs_diff(&st.weights, row);
                assert!(dw <= 1e-4, "L{l}H{head} t{t} weights {dw}");
            }
        }
    }
    let hidden = f32s(&out, FINAL_HIDDEN);
    let norm = f32s(&out, FINAL_NORM);
    let (gamma, beta) = (f32s(&params, FINAL_GAMMA), f32s(&params, FINAL_BETA));
    for t in 0..n {
        let ours = layer_norm(&hidden[t * d..(t + 1) * d], gamma, beta, m.ln_eps).expect("ln");
        assert!(
            max_abs_diff(&ours, &norm[t * d..(t + 1) * d]) <= 1e-4,
            "final norm row {t}"
        );
    }
}

#[test]
fn a_prompt_longer_than_the_context_slides_and_never_panics() {
    let m = &model().manifest;
    let dims = m.dims();
    let text = "To be, or not to be, that is the question. ".repeat(40);
    let ids = model().graph.encode(&text).expect("encodes").ids;
    assert!(ids.len() > m.context);
    let prompt = window_prompt(&ids, &dims).expect("prompt");
    assert_eq!(prompt.ids.len(), m.context);
    let mut short = dims;
    short.max_new_tokens = 5;
    let g = generate(prompt, short, Sampler::default(), runner).expect("generates");
    assert_eq!(g.cache.rows, m.context);
    assert!(g.slid() > 0);
    assert!(g.stop.is_some());
    // every byte is encodable: no unknown token exists in a byte-level vocabulary
    let odd = model().graph.encode("\u{0} 你好 🌍 ÿ").expect("encodes");
    assert!(!odd.ids.is_empty());
}
