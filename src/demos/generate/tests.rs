use super::*;

const DIMS: Dims = Dims {
    n_layers: 2,
    n_heads: 2,
    d_k: 2,
    vocab: 8,
    context: 6,
    end_id: 0,
    max_new_tokens: 5,
};

fn greedy() -> Sampler {
    Sampler {
        temperature: 0.0,
        ..Sampler::default()
    }
}

/// A stand-in for the graph: the next token is (last id + 1) mod vocab, skipping the end id
/// unless `end_after` is that id; key rows hold their absolute position.
fn fake(inputs: Vec<Tensor>, end_after: Option<u32>) -> Result<Vec<Tensor>, String> {
    let ids = Tensor::find(&inputs, "ids")
        .and_then(Tensor::as_i64)
        .ok_or("ids")?
        .to_vec();
    let start = Tensor::find(&inputs, "start")
        .and_then(Tensor::as_i64)
        .ok_or("start")?[0] as usize;
    let past = Tensor::find(&inputs, &past_key_name(0)).ok_or("past")?;
    let rows = past.shape[2];
    let last = *ids.last().ok_or("empty")? as u32;
    let mut next = (last + 1) % DIMS.vocab as u32;
    if next == 0 && end_after != Some(last) {
        next = 1;
    }
    let mut logits = vec![0.0; ids.len() * DIMS.vocab];
    logits[(ids.len() - 1) * DIMS.vocab + next as usize] = 5.0;
    let total = rows + ids.len();
    let mut out = vec![Tensor::f32(LOGITS, vec![1, ids.len(), DIMS.vocab], logits)];
    for l in 0..DIMS.n_layers {
        let old = Tensor::find(&inputs, &past_key_name(l))
            .and_then(Tensor::as_f32)
            .ok_or("k")?;
        let mut key = Vec::new();
        for h in 0..DIMS.n_heads {
            key.extend_from_slice(&old[h * rows * DIMS.d_k..(h + 1) * rows * DIMS.d_k]);
            for i in 0..ids.len() {
                key.extend([(start + i) as f32; 2]);
            }
        }
        let shape = vec![1, DIMS.n_heads, total, DIMS.d_k];
        out.push(Tensor::f32(key_name(l), shape.clone(), key.clone()));
        out.push(Tensor::f32(value_name(l), shape, key));
        out.push(Tensor::f32(
            weights_name(l),
            vec![1, DIMS.n_heads, ids.len(), total],
            vec![1.0 / total as f32; DIMS.n_heads * ids.len() * total],
        ));
    }
    Ok(out)
}

#[test]
fn prefill_then_one_token_per_step_until_the_cap() {
    let prompt = window_prompt(&[3, 4], &DIMS).expect("valid in this test");
    let g = generate(prompt, DIMS, greedy(), |i| fake(i, None)).expect("valid in this test");
    assert_eq!(g.generated(), &[5, 6, 7, 1, 2]);
    assert_eq!(g.stop, Some(Stop::Cap));
    // the last chosen token was never fed: the cache holds prompt + 4 rows
    assert_eq!(g.cache.rows, 6);
    assert_eq!(
        g.cache.head(1, 1, false).expect("valid in this test")[10],
        5.0
    );
    assert_eq!(g.draws_used(), 0);
}

#[test]
fn the_end_token_stops_and_says_so() {
    let prompt = window_prompt(&[6], &DIMS).expect("valid in this test");
    let g = generate(prompt, DIMS, greedy(), |i| fake(i, Some(7))).expect("valid in this test");
    assert_eq!(g.generated(), &[7, 0]);
    assert_eq!(g.stop, Some(Stop::EndToken));
}

#[test]
fn a_long_prompt_keeps_its_end_and_the_cache_slides() {
    let ids = [1, 2, 3, 4, 5, 6, 7, 1, 2];
    let prompt = window_prompt(&ids, &DIMS).expect("valid in this test");
    assert_eq!(prompt.dropped, 3);
    assert_eq!(prompt.ids, vec![4, 5, 6, 7, 1, 2]);
    let g = generate(prompt, DIMS, greedy(), |i| fake(i, None)).expect("valid in this test");
    assert_eq!(g.generated(), &[3, 4, 5, 6, 7]);
    assert_eq!(g.cache.rows, DIMS.context);
    // four steps fed after the prefill, each dropping one row: row 0 is absolute position 4
    assert_eq!(g.slid(), 4);
    assert_eq!(
        g.cache.head(0, 0, false).expect("valid in this test")[0],
        4.0
    );
    // a full recompute feeds exactly the window
    let full = g.full_inputs();
    let fed = Tensor::find(&full, "ids")
        .and_then(Tensor::as_i64)
        .expect("valid in this test");
    assert_eq!(fed, &[1, 2, 3, 4, 5, 6]);
    assert_eq!(
        Tensor::find(&full, "start")
            .and_then(Tensor::as_i64)
            .expect("valid in this test"),
        &[4]
    );
}

#[test]
fn sampling_uses_one_draw_per_token_and_the_seed_fixes_the_text() {
    let s = Sampler {
        temperature: 1.5,
        top_k: 0,
        top_p: 1.0,
        seed: 7,
    };
    let run = || {
        generate(
            window_prompt(&[3], &DIMS).expect("valid in this test"),
            DIMS,
            s,
            |i| fake(i, None),
        )
        .expect("valid in this test")
    };
    let (a, b) = (run(), run());
    assert_eq!(a.generated(), b.generated());
    assert_eq!(a.draws_used(), a.generated().len());
}

#[test]
fn empty_and_foreign_prompts_are_refused() {
    assert_eq!(window_prompt(&[], &DIMS), Err(PromptError::Empty));
    assert_eq!(
        window_prompt(&[1, 99], &DIMS),
        Err(PromptError::BadToken(99))
    );
}

#[test]
fn outputs_of_the_wrong_shape_are_errors_not_panics() {
    let mut g = Generation::new(
        window_prompt(&[3], &DIMS).expect("valid in this test"),
        DIMS,
        greedy(),
    );
    let inputs = g.next_inputs().expect("valid in this test");
    let mut out = fake(inputs, None).expect("valid in this test");
    out.retain(|t| t.name != key_name(1));
    assert_eq!(g.absorb(&out), Err(OutputError::Missing(key_name(1))));
    let bad = vec![Tensor::f32(LOGITS, vec![1, 1, 3], vec![0.0; 3])];
    assert!(matches!(g.absorb(&bad), Err(OutputError::Shape { .. })));
    assert!(matches!(g.choose(), Err(OutputError::Order)));
    let nan = vec![Tensor::f32(LOGITS, vec![1, 1, 8], vec![f32::NAN; 8])];
    assert!(last_logits(&nan, 8).is_ok());
}

#[test]
fn manifest_checks_its_shapes_and_files() {
    let good = r#"{"name":"g","model":"model.onnx","tokenizer":"tokenizer.json",
      "files":{"model.onnx":{"bytes":1,"gzip_bytes":1,"sha256":"abcdef0123456789"},
               "tokenizer.json":{"bytes":2,"gzip_bytes":1,"sha256":"00"}},
      "vocab_size":8,"context":6,"d_model":4,"n_heads":2,"n_layers":2,"d_k":2,"d_ff":8,
      "rope_base":10000.0,"ln_eps":1e-5,"end_id":0,"max_new_tokens":5,
      "induction":{"ids":[1,2,1,2],"period":2}}"#;
    let m = GenerateManifest::parse(good).expect("valid in this test");
    assert_eq!(m.dims(), DIMS);
    assert_eq!(
        m.url("model.onnx"),
        "models/generate/model.onnx?v=abcdef012345"
    );
    assert_eq!(m.download_bytes(), 3);
    assert!(GenerateManifest::parse(&good.replace("\"d_k\":2", "\"d_k\":3")).is_err());
    assert!(GenerateManifest::parse(&good.replace("[1,2,1,2]", "[1,2,9,2]")).is_err());
    assert!(GenerateManifest::parse(
        &good.replace("\"model\":\"model.onnx\"", "\"model\":\"x.onnx\"")
    )
    .is_err());
    assert!(GenerateManifest::parse("{").is_err());
}

#[test]
fn input_specs_name_every_cache_input() {
    let specs = input_specs(2, 2, 2);
    assert_eq!(specs.len(), 6);
    assert_eq!(specs[5].name, past_value_name(1));
    assert!(full_outputs(2).contains(&x_name(1)));
    assert_eq!(param_outputs(2).len(), 10);
}
