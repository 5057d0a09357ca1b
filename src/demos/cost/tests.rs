//! "Numbers true" (issue 18): exact methods agree with full attention, sparse patterns match
//! their definitions, the approximations equal their closed forms where they should, and every
//! counter equals its formula.

use proptest::prelude::*;

use super::*;

/// Seeded random q, k, v of shape (n, d).
struct Qkv {
    n: usize,
    d: usize,
    query: Vec<f32>,
    key: Vec<f32>,
    value: Vec<f32>,
}

impl Qkv {
    fn new(n: usize, d: usize, seed: u64) -> Self {
        Self {
            n,
            d,
            query: random_matrix(n, d, seed),
            key: random_matrix(n, d, seed + 1),
            value: random_matrix(n, d, seed + 2),
        }
    }

    fn inputs<'a>(&'a self, projections: Option<&'a Projections>) -> Inputs<'a> {
        Inputs {
            query: &self.query,
            key: &self.key,
            value: &self.value,
            n: self.n,
            d: self.d,
            projections,
        }
    }

    fn run(&self, method: Method) -> Output {
        let projections = match method {
            Method::Linformer { k } => Some(Projections::random(k, self.n, 7)),
            _ => None,
        };
        run(method, &self.inputs(projections.as_ref()), Detail::Weights).expect("valid run")
    }
}

const SIZES: [usize; 5] = [1, 2, 7, 64, 130];

fn weights(output: &Output) -> &Matrix {
    output.weights.as_ref().expect("this method has weights")
}

#[test]
fn tiled_equals_full_for_every_tile_size() {
    for n in SIZES {
        let qkv = Qkv::new(n, 8, n as u64);
        let full = qkv.run(Method::Full);
        for block in [1, 3, 16, n, n + 5] {
            let tiled = qkv.run(Method::Tiled { block });
            let diff = tiled.output.max_abs_diff(&full.output);
            assert!(diff <= 1e-5, "n {n} block {block}: {diff}");
            assert_eq!(tiled.weights, None, "tiled never holds the weights");
        }
    }
}

#[test]
fn a_window_or_local_global_covering_everything_is_full_attention() {
    for n in SIZES {
        let qkv = Qkv::new(n, 5, 100 + n as u64);
        let full = qkv.run(Method::Full);
        let covering = [
            Method::Window { w: n.max(2) - 1 },
            Method::Window { w: n + 3 },
            Method::LocalGlobal { w: n, globals: 0 },
            Method::LocalGlobal { w: 1, globals: n },
            Method::Strided {
                stride: 1,
                local: 0,
            },
        ];
        for method in covering {
            let run = qkv.run(method);
            assert!(run.output.max_abs_diff(&full.output) <= 1e-6, "{method:?}");
            assert!(
                weights(&run).max_abs_diff(weights(&full)) <= 1e-6,
                "{method:?}"
            );
            let pattern = run.pattern.as_ref().expect("sparse methods draw a pattern");
            assert!(pattern.iter().all(|&p| p), "{method:?}");
        }
    }
}

/// The doc comments' definitions, written out independently of `pattern_row`.
fn in_pattern(method: Method, i: usize, j: usize) -> bool {
    let distance = i.abs_diff(j);
    match method {
        Method::Window { w } => distance <= w,
        Method::Strided { stride, local } => distance <= local || distance.is_multiple_of(stride),
        Method::LocalGlobal { w, globals } => distance <= w || i < globals || j < globals,
        _ => true,
    }
}

fn sparse_methods(n: usize) -> Vec<Method> {
    let mut methods = Vec::new();
    for w in [1, 2, 3, n / 2 + 1] {
        methods.push(Method::Window { w });
        for globals in [0, 1.min(n), 2.min(n), 3.min(n), n] {
            methods.push(Method::LocalGlobal { w, globals });
        }
    }
    for stride in [1, 2, 3, 4, 7] {
        for local in [0, 1, 2, 5] {
            methods.push(Method::Strided { stride, local });
        }
    }
    methods
}

#[test]
fn sparse_patterns_match_their_definitions_entry_by_entry() {
    for n in [1, 2, 3, 7, 16, 33] {
        let qkv = Qkv::new(n, 3, 200 + n as u64);
        for method in sparse_methods(n) {
            let run = qkv.run(method);
            let pattern = run.pattern.as_ref().expect("sparse methods draw a pattern");
            let weights = weights(&run);
            for i in 0..n {
                for j in 0..n {
                    let inside = in_pattern(method, i, j);
                    assert_eq!(pattern[i * n + j], inside, "{method:?} n {n} ({i}, {j})");
                    let w = weights.get(i, j).expect("inside the matrix");
                    // Off the pattern exactly 0; on it positive (exp never underflows here).
                    assert_eq!(w == 0.0, !inside, "{method:?} n {n} ({i}, {j}) = {w}");
                }
            }
        }
    }
}

#[test]
fn every_weight_row_sums_to_one() {
    for n in SIZES {
        let qkv = Qkv::new(n, 4, 300 + n as u64);
        let mut methods = sparse_methods(n);
        methods.extend([Method::Full, Method::Linformer { k: n.div_ceil(2) }]);
        for method in methods {
            let run = qkv.run(method);
            let weights = weights(&run);
            for i in 0..n {
                let sum: f32 = weights.row(i).iter().sum();
                assert!((sum - 1.0).abs() <= 1e-5, "{method:?} n {n} row {i}: {sum}");
            }
        }
    }
}

fn phi(x: f32) -> f32 {
    if x > 0.0 {
        x + 1.0
    } else {
        x.exp()
    }
}

#[test]
fn linear_attention_equals_its_closed_form_computed_naively() {
    for n in SIZES {
        let d = 6;
        let qkv = Qkv::new(n, d, 400 + n as u64);
        let mat = |data: &[f32]| Matrix::from_vec(n, d, data.to_vec()).expect("(n, d)");
        let (fq, fk) = (mat(&qkv.query).map(phi), mat(&qkv.key).map(phi));
        // The n × n kernel φ(q_i)·φ(k_j), rows normalised, times V.
        let kernel = fq.matmul(&fk.transpose()).expect("(n, n)");
        let normalised = Matrix::from_fn(n, n, |i, j| {
            kernel.row(i)[j] / kernel.row(i).iter().sum::<f32>()
        });
        let naive = normalised.matmul(&mat(&qkv.value)).expect("(n, d)");
        let linear = qkv.run(Method::Linear);
        assert!(linear.output.max_abs_diff(&naive) <= 1e-5, "n {n}");
        assert_eq!(linear.weights, None);
    }
}

#[test]
fn linformer_with_identity_projections_is_full_attention() {
    for n in SIZES {
        let qkv = Qkv::new(n, 5, 500 + n as u64);
        let identity = Projections::identity(n);
        let inputs = qkv.inputs(Some(&identity));
        let linformer = run(Method::Linformer { k: n }, &inputs, Detail::Weights).expect("runs");
        let full = qkv.run(Method::Full);
        assert!(linformer.output.max_abs_diff(&full.output) <= 1e-6, "n {n}");
        assert!(
            weights(&linformer).max_abs_diff(weights(&full)) <= 1e-6,
            "n {n}"
        );
    }
}

#[test]
fn random_projections_are_seeded_and_scaled() {
    let a = Projections::random(16, 256, 3);
    assert_eq!(a, Projections::random(16, 256, 3));
    assert_ne!(a, Projections::random(16, 256, 4));
    // Entries N(0, 1/k): mean ≈ 0, variance ≈ 1/16 over 4096 samples.
    let count = a.e.len() as f32;
    let mean = a.e.iter().sum::<f32>() / count;
    let variance = a.e.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / count;
    assert!(mean.abs() < 0.02, "{mean}");
    assert!((variance * 16.0 - 1.0).abs() < 0.1, "{variance}");
}

fn all_methods(n: usize) -> Vec<Method> {
    let mut methods = sparse_methods(n);
    methods.extend([Method::Full, Method::Linear]);
    for block in [1, 2, 3, 5, 16, n, n + 1] {
        methods.push(Method::Tiled { block });
    }
    for k in [1, 2, n.div_ceil(2), n] {
        if k <= n {
            methods.push(Method::Linformer { k });
        }
    }
    methods
}

#[test]
fn counters_equal_the_formulas_for_every_method_n_and_d() {
    for n in [1, 2, 3, 5, 8, 13, 31, 64, 100] {
        for d in [1, 2, 5, 8] {
            let qkv = Qkv::new(n, d, (n * 10 + d) as u64);
            for method in all_methods(n) {
                let expected = expected_counts(method, n, d).expect("valid");
                for detail in [Detail::Output, Detail::Weights] {
                    let projections = Projections::random(n, n, 1);
                    let projections = match method {
                        Method::Linformer { k } => Some(Projections::random(k, n, 1)),
                        _ => Some(projections),
                    };
                    let run = run(method, &qkv.inputs(projections.as_ref()), detail);
                    let counts = run.expect("valid").counts;
                    assert_eq!(counts, expected, "{method:?} n {n} d {d} {detail:?}");
                }
            }
        }
    }
}

#[test]
fn the_headline_formulas() {
    let (n, d) = (100u64, 8u64);
    let count = |method| expected_counts(method, 100, 8).expect("valid");
    assert_eq!(count(Method::Full).mul_adds, 2 * n * n * d);
    // Linear: O(n·d²), linear in n.
    assert_eq!(count(Method::Linear).mul_adds, 2 * n * d * d + n * d);
    // A tile as large as the sequence is full attention's work exactly.
    assert_eq!(count(Method::Tiled { block: 100 }), {
        let full = count(Method::Full);
        Counts {
            peak_floats: n * d + 2 * n + n,
            ..full
        }
    });
    // The tiled memory is O(n·d): no n² term.
    assert!(count(Method::Tiled { block: 16 }).peak_floats < n * d + 3 * n);
    // Window w: 2w + 1 keys a row, minus the corners.
    assert_eq!(count(Method::Window { w: 2 }).exps, n * 5 - 6);
}

/// Counted mul_adds of one run per n in 16, 32, …, 4096, with d = `d`.
fn counted_slope(method: Method, d: usize) -> f64 {
    let points: Vec<(f64, f64)> = (4..=12)
        .map(|p| {
            let n = 1usize << p;
            let qkv = Qkv::new(n, d, p);
            let counts = qkv.run_output(method).counts;
            (n as f64, counts.mul_adds as f64)
        })
        .collect();
    fit_slope(&points).expect("nine points")
}

impl Qkv {
    fn run_output(&self, method: Method) -> Output {
        let projections = match method {
            Method::Linformer { k } => Some(Projections::random(k, self.n, 7)),
            _ => None,
        };
        run(method, &self.inputs(projections.as_ref()), Detail::Output).expect("valid run")
    }
}

#[test]
fn measured_work_grows_with_the_slope_the_formulas_say() {
    // Pure powers of n: slope exact up to floating-point rounding.
    assert!((counted_slope(Method::Full, 1) - 2.0).abs() < 1e-9);
    assert!((counted_slope(Method::Linear, 2) - 1.0).abs() < 1e-9);
    assert!((counted_slope(Method::Linformer { k: 8 }, 2) - 1.0).abs() < 1e-9);
    // Window: n(2w + 1) − w(w + 1) is linear only once n ≫ w; from n = 16 the corners still
    // pull the slope up by about 0.02 (w = 4).
    let window = counted_slope(Method::Window { w: 4 }, 2);
    assert!(window > 1.0 && window - 1.0 < 0.05, "{window}");
    // Tiled (b = 64) adds n·d·(⌈n/b⌉ − 1), itself quadratic: slope above 2, tending to 2.
    let tiled = counted_slope(Method::Tiled { block: 64 }, 1);
    assert!(tiled >= 2.0 && tiled - 2.0 < 0.01, "{tiled}");
    // Far out (formulas only, n = 2^20 … 2^28), the window's slope is 1 to within 1e-6.
    let far: Vec<(f64, f64)> = (20..=28)
        .map(|p| {
            let counts = expected_counts(Method::Window { w: 4 }, 1 << p, 2).expect("valid");
            ((1u64 << p) as f64, counts.mul_adds as f64)
        })
        .collect();
    let far = fit_slope(&far).expect("nine points");
    assert!((far - 1.0).abs() < 1e-6, "{far}");
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    let qkv = Qkv::new(4, 2, 9);
    let bad = |method, inputs: &Inputs| run(method, inputs, Detail::Output).err();
    let inputs = qkv.inputs(None);
    assert_eq!(
        bad(Method::Tiled { block: 0 }, &inputs),
        Some(CostError::ZeroParameter("block"))
    );
    assert_eq!(
        bad(Method::Window { w: 0 }, &inputs),
        Some(CostError::ZeroParameter("window"))
    );
    assert_eq!(
        bad(Method::LocalGlobal { w: 0, globals: 1 }, &inputs),
        Some(CostError::ZeroParameter("window"))
    );
    let zero_stride = Method::Strided {
        stride: 0,
        local: 1,
    };
    assert_eq!(
        bad(zero_stride, &inputs),
        Some(CostError::ZeroParameter("stride"))
    );
    assert_eq!(
        bad(Method::LocalGlobal { w: 1, globals: 5 }, &inputs),
        Some(CostError::TooManyGlobals { globals: 5, n: 4 })
    );
    for k in [0, 5] {
        assert_eq!(
            bad(Method::Linformer { k }, &inputs),
            Some(CostError::BadRank { k, n: 4 })
        );
    }
    assert_eq!(
        bad(Method::Linformer { k: 2 }, &inputs),
        Some(CostError::MissingProjections)
    );
    let wrong = Projections::random(3, 4, 0);
    assert!(matches!(
        bad(Method::Linformer { k: 2 }, &qkv.inputs(Some(&wrong))),
        Some(CostError::BadProjections { .. })
    ));
    let short = Inputs {
        key: &qkv.key[1..],
        ..inputs
    };
    assert_eq!(
        bad(Method::Full, &short),
        Some(CostError::BadLength {
            which: "key",
            expected: 8,
            got: 7
        })
    );
    let empty = Inputs {
        n: 0,
        query: &[],
        key: &[],
        value: &[],
        ..inputs
    };
    assert_eq!(bad(Method::Full, &empty), Some(CostError::EmptySequence));
    let flat = Inputs { d: 0, ..empty };
    assert_eq!(
        bad(Method::Linear, &Inputs { n: 4, ..flat }),
        Some(CostError::ZeroDim)
    );
    assert_eq!(
        check_limits(Method::Full, 4, 2, 0),
        Err(CostError::ZeroHeads)
    );
}

#[test]
fn settings_a_tab_cannot_hold_are_refused_with_the_bytes_they_need() {
    // Full attention, n = 8192, 4 heads: four 8192² score matrices alone are 1 GiB.
    let n = 8192;
    let bytes = memory_bytes(Method::Full, n, 64, 4).expect("valid");
    let floats_per_head = (n * n + n * 64 + 3 * n * 64) as u64;
    assert_eq!(bytes, 4 * 4 * floats_per_head);
    assert_eq!(
        check_limits(Method::Full, n, 64, 4),
        Err(CostError::TooLarge {
            bytes,
            limit: MEMORY_LIMIT_BYTES
        })
    );
    // The same work tiled or windowed fits.
    assert_eq!(check_limits(Method::Tiled { block: 64 }, n, 64, 4), Ok(()));
    assert_eq!(check_limits(Method::Window { w: 64 }, n, 64, 4), Ok(()));
    // Absurd sizes saturate instead of overflowing.
    let huge = memory_bytes(Method::Linear, 1 << 20, 1 << 20, usize::MAX).expect("valid");
    assert_eq!(huge, u64::MAX);
    assert!(matches!(
        memory_bytes(Method::Full, usize::MAX, usize::MAX, 1),
        Err(CostError::TooLarge { .. })
    ));
    assert!(matches!(
        check_limits(Method::Linear, usize::MAX, 2, 1),
        Err(CostError::TooLarge { .. })
    ));
}

#[test]
fn fit_slope_recovers_exponents_and_refuses_too_few_points() {
    let cube: Vec<(f64, f64)> = (1..10)
        .map(|x| (x as f64, 3.0 * (x as f64).powi(3)))
        .collect();
    assert!((fit_slope(&cube).expect("points") - 3.0).abs() < 1e-12);
    assert_eq!(fit_slope(&[]), None);
    assert_eq!(fit_slope(&[(2.0, 4.0)]), None);
    assert_eq!(fit_slope(&[(2.0, 4.0), (2.0, 8.0)]), None);
    // Non-positive points cannot be on a log-log chart: skipped.
    let slope = fit_slope(&[(0.0, 1.0), (1.0, 1.0), (10.0, 100.0), (5.0, -1.0)]);
    assert!((slope.expect("two points left") - 2.0).abs() < 1e-12);
}

#[test]
fn median_of_odd_even_and_empty() {
    assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&mut []), None);
}

#[test]
fn a_measurement_crosses_the_worker_boundary_unchanged() {
    let measurement = Measurement {
        method: Method::Strided {
            stride: 4,
            local: 2,
        },
        n: 1024,
        d: 64,
        heads: 2,
        median_ms: 12.5,
        repeats: 3,
        counts: expected_counts(Method::Full, 1024, 64).expect("valid"),
        bytes: 1 << 20,
    };
    let json = serde_json::to_string(&measurement).expect("serialises");
    let back: Measurement = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, measurement);
}

fn any_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Full),
        Just(Method::Linear),
        (0usize..20).prop_map(|block| Method::Tiled { block }),
        (0usize..20).prop_map(|w| Method::Window { w }),
        (0usize..8, 0usize..8).prop_map(|(stride, local)| Method::Strided { stride, local }),
        (0usize..8, 0usize..20).prop_map(|(w, globals)| Method::LocalGlobal { w, globals }),
        (0usize..20).prop_map(|k| Method::Linformer { k }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any parameters, any shapes: an error, or a finite output whose counts are the formula's.
    #[test]
    fn any_setting_runs_or_is_refused(
        method in any_method(),
        n in 0usize..20,
        d in 0usize..6,
        seed in any::<u64>(),
    ) {
        let qkv = Qkv::new(n, d, seed);
        let projections = match method {
            Method::Linformer { k } => Some(Projections::random(k, n, seed)),
            _ => None,
        };
        match run(method, &qkv.inputs(projections.as_ref()), Detail::Weights) {
            Ok(run) => {
                prop_assert!(run.output.data().iter().all(|x| x.is_finite()));
                prop_assert_eq!(Ok(run.counts), expected_counts(method, n, d));
            }
            Err(error) => prop_assert_eq!(Err(error), expected_counts(method, n, d)),
        }
    }
}
