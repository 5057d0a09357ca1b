//! The sweep (plan, link, measurement, slopes, export) and the accuracy panel's numbers.

use super::accuracy::{compare, AccuracyChoice};
use super::sweep::*;
use super::*;
use crate::route::Route;

/// A clock that advances `step` ms each time it is read.
fn fake_clock(step: f64) -> impl FnMut() -> f64 {
    let mut t = 0.0;
    move || {
        t += step;
        t
    }
}

#[test]
fn sizes_double_from_16_to_the_longest() {
    assert_eq!(sizes(128), vec![16, 32, 64, 128]);
    assert_eq!(sizes(16), vec![16]);
    assert_eq!(sizes(8192).len(), 10);
    assert_eq!(sizes(1 << 20).last(), Some(&MAX_N));
}

#[test]
fn the_plan_runs_every_method_at_every_n_smallest_n_first() {
    let settings = Settings {
        max_n: 64,
        ..Settings::default()
    };
    let plan = settings.plan();
    assert_eq!(plan.len(), 3 * MethodKind::ALL.len());
    assert!(plan.windows(2).all(|p| p[0].n <= p[1].n));
    assert!(plan.iter().all(|p| p.refused.is_none()));
    // Parameters larger than n are cut to it: Linformer's k = 16 at n = 16, g = 2 globals.
    let at_16 = |kind| {
        plan.iter()
            .find(|p| p.n == 16 && p.kind == kind)
            .expect("planned")
    };
    assert_eq!(
        at_16(MethodKind::Linformer).method,
        Method::Linformer { k: 16 }
    );
    let tiny = Params {
        rank: 100,
        globals: 100,
        ..Params::default()
    };
    assert_eq!(
        tiny.method(MethodKind::Linformer, 16),
        Method::Linformer { k: 16 }
    );
    assert_eq!(
        tiny.method(MethodKind::LocalGlobal, 16),
        Method::LocalGlobal { w: 8, globals: 16 }
    );
}

#[test]
fn too_large_settings_are_refused_in_the_plan_with_their_bytes() {
    let settings = Settings {
        d_k: 64,
        heads: 4,
        max_n: 8192,
        ..Settings::default()
    };
    let refusals = settings.refusals();
    // Full at 8192: 4 heads × (8192² + 4·8192·64) floats × 4 bytes.
    let full = refusals
        .iter()
        .find(|p| p.kind == MethodKind::Full && p.n == 8192)
        .expect("full attention at 8192 with 4 heads is refused");
    let floats = 8192u64 * 8192 + 4 * 8192 * 64;
    assert_eq!(full.bytes, 4 * 4 * floats);
    assert_eq!(
        full.refused,
        Some(CostError::TooLarge {
            bytes: 4 * 4 * floats,
            limit: MEMORY_LIMIT_BYTES
        })
    );
    let message = refusal_message(full, 4);
    assert!(message.contains(&full.bytes.to_string()), "{message}");
    assert!(message.contains("1.11 GB"), "{message}");
    // Full at 4096 fits, and no O(n) method is refused anywhere.
    assert!(refusals
        .iter()
        .all(|p| p.n == 8192 && matches!(p.kind, MethodKind::Full)));
    // What a refused plan entry says, the worker says too, before allocating anything.
    let mut clock = fake_clock(1.0);
    assert_eq!(
        measure(Method::Full, 8192, 64, 4, 1, &mut clock).err(),
        full.refused
    );
}

#[test]
fn the_link_restores_every_setting_and_names_what_it_cannot_use() {
    let settings = Settings {
        d_k: 32,
        heads: 3,
        max_n: 256,
        methods: vec![MethodKind::Full, MethodKind::Linear],
        params: Params {
            block: 16,
            window: 4,
            stride: 5,
            globals: 0,
            rank: 9,
        },
    };
    let link = settings.write().to_string();
    assert!(link.starts_with("#/cost?"), "{link}");
    assert_eq!(Settings::read(&Route::parse(&link)), (settings, vec![]));
    let (fallback, bad) = Settings::read(&Route::parse(
        "#/cost?d=7&heads=0&n=100&methods=full,nope&w=0&k=5",
    ));
    assert_eq!(bad, vec!["d", "heads", "n", "w", "methods"]);
    let default = Settings::default();
    assert_eq!(fallback.d_k, default.d_k);
    assert_eq!(fallback.methods, default.methods);
    assert_eq!(fallback.params.rank, 5);
    // Methods come back in the page's order whatever the link's order.
    let (s, _) = Settings::read(&Route::parse("#/cost?methods=linear,full"));
    assert_eq!(s.methods, vec![MethodKind::Full, MethodKind::Linear]);
    assert_eq!(Settings::read(&Route::parse("#/cost")).0, default);
}

#[test]
fn a_measurement_takes_the_median_of_its_repeats_and_counts_all_heads() {
    // 10 ms between clock reads: every repeat takes 10 ms.
    let mut clock = fake_clock(10.0);
    let m = measure(Method::Window { w: 2 }, 32, 8, 3, 5, &mut clock).expect("fits");
    assert_eq!(m.repeats, MAX_REPEATS);
    assert_eq!(m.median_ms, 10.0);
    assert_eq!(
        m.counts,
        expected_counts(Method::Window { w: 2 }, 32, 8).expect("valid")
    );
    assert_eq!(
        m.bytes,
        memory_bytes(Method::Window { w: 2 }, 32, 8, 3).expect("valid")
    );
    // A slow run is not repeated past the budget (but always runs once).
    let mut slow = fake_clock(REPEAT_BUDGET_MS * 2.0);
    let once = measure(Method::Full, 16, 4, 1, 5, &mut slow).expect("fits");
    assert_eq!(once.repeats, 1);
    assert!(measure(Method::Linformer { k: 0 }, 16, 4, 1, 5, &mut slow).is_err());
}

fn measured(kind: MethodKind, sizes: &[usize], d: usize) -> Vec<Measurement> {
    let params = Params::default();
    sizes
        .iter()
        .map(|&n| {
            let method = params.method(kind, n);
            Measurement {
                method,
                n,
                d,
                heads: 1,
                // time ∝ n² exactly, from 2 ms at n = 16
                median_ms: 2.0 * (n as f64 / 16.0).powi(2),
                repeats: 1,
                counts: expected_counts(method, n, d).expect("valid"),
                bytes: memory_bytes(method, n, d, 1).expect("valid"),
            }
        })
        .collect()
}

#[test]
fn slopes_of_the_counts_are_exactly_the_formulas() {
    let ns = [16, 32, 64, 128, 256, 512];
    let slope = |kind| slopes(&measured(kind, &ns, 64), kind);
    assert_eq!(slope(MethodKind::Full).mul_adds, Some(2.0));
    assert_eq!(slope(MethodKind::Linear).mul_adds, Some(1.0));
    assert_eq!(slope(MethodKind::Linformer).mul_adds, Some(1.0));
    // Tiled: 2n²d + nd(⌈n/32⌉ − 1), at 512 over 256 (d cancels).
    let tiled = |n: f64| 2.0 * n * n + n * ((n / 32.0).ceil() - 1.0);
    let expected = (tiled(512.0) / tiled(256.0)).log2();
    let got = slope(MethodKind::Tiled).mul_adds.expect("two points");
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    // The window's band: n(2w+1) − w(w+1) → slope log₂((512·17 − 72)/(256·17 − 72)).
    let band = |n: f64| n * 17.0 - 72.0;
    let got = slope(MethodKind::Window).mul_adds.expect("two points");
    assert!((got - (band(512.0) / band(256.0)).log2()).abs() < 1e-12);
    // Memory: full holds n² + 4nd floats, the rest O(n).
    let full_mem = |n: f64| n * n + 4.0 * n * 64.0;
    let got = slope(MethodKind::Full).memory.expect("two points");
    assert!((got - (full_mem(512.0) / full_mem(256.0)).log2()).abs() < 1e-12);
    // Linear: 4nd + d² + 2d floats, O(n) (the d² state weighs at small n).
    let linear_mem = |n: f64| 4.0 * n * 64.0 + 64.0 * 64.0 + 128.0;
    let got = slope(MethodKind::Linear).memory.expect("two points");
    assert!((got - (linear_mem(512.0) / linear_mem(256.0)).log2()).abs() < 1e-12);
    // Time: the fitted exponent of the times given (∝ n²).
    let time = slope(MethodKind::Linear).time.expect("fitted");
    assert!((time - 2.0).abs() < 1e-9, "{time}");
    // One point: no slope; other methods' measurements are ignored.
    let one = slopes(&measured(MethodKind::Full, &[64], 64), MethodKind::Full);
    assert_eq!((one.time, one.memory, one.mul_adds), (None, None, None));
    let mixed = [
        measured(MethodKind::Full, &ns, 64),
        measured(MethodKind::Linear, &ns, 64),
    ]
    .concat();
    assert_eq!(slopes(&mixed, MethodKind::Full).mul_adds, Some(2.0));
}

#[test]
fn times_under_the_clock_floor_are_not_fitted() {
    let mut points = measured(MethodKind::Full, &[16, 32, 64], 16);
    points[0].median_ms = 0.1;
    points[1].median_ms = 0.2;
    assert_eq!(slopes(&points, MethodKind::Full).time, None);
    points[1].median_ms = 2.0;
    points[2].median_ms = 8.0;
    let fitted = slopes(&points, MethodKind::Full).time.expect("two points");
    assert!((fitted - 2.0).abs() < 1e-12, "{fitted}");
}

#[test]
fn measurements_export_as_csv_with_exact_counts() {
    let rows = measured(MethodKind::LocalGlobal, &[16, 8192], 128);
    let csv = measurements_csv(&rows);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("method,params,n,"));
    let last = rows[1].counts.mul_adds.to_string();
    assert!(
        lines[2].starts_with("global,\"w = 8, g = 2\",8192,128,1,1,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(&last));
}

#[test]
fn bytes_read_in_words() {
    assert_eq!(format_bytes(999), "999 B");
    assert_eq!(format_bytes(1_500), "1.5 kB");
    assert_eq!(format_bytes(268_435_456), "268.4 MB");
    assert_eq!(format_bytes(1 << 30), "1.07 GB");
}

#[test]
fn accuracy_tiled_is_exact_sparse_windows_are_not_and_patterns_are_drawn() {
    let (n, d) = (12, 8);
    let matrix = |seed| Matrix::from_vec(n, d, random_matrix(n, d, seed)).expect("shape");
    let (q, k, v) = (matrix(1), matrix(2), matrix(3));
    let params = Params {
        block: 5,
        window: 2,
        stride: 4,
        globals: 1,
        rank: 6,
    };
    let (full, results) = compare(&MethodKind::ALL, &params, &q, &k, &v, 9).expect("valid");
    assert_eq!(full.shape(), (n, d));
    let get = |kind| results.iter().find(|r| r.kind == kind).expect("compared");
    assert_eq!(get(MethodKind::Full).max_abs, 0.0);
    assert_eq!(get(MethodKind::Full).kl, Some(0.0));
    let tiled = get(MethodKind::Tiled);
    assert!(tiled.max_abs < 1e-5 && tiled.kl.is_none());
    let window = get(MethodKind::Window);
    assert!(window.max_abs > 1e-3 && window.mean_abs <= window.max_abs);
    assert!(window.kl.expect("same keys") > 0.0);
    // The drawing: the band |i − j| ≤ 2 for the window, everything for tiled, n × k for
    // Linformer, nothing for linear attention.
    let drawn = window.computed.as_ref().expect("sparse");
    for i in 0..n {
        for j in 0..n {
            let inside = i.abs_diff(j) <= 2;
            assert_eq!(drawn.get(i, j), Some(if inside { 1.0 } else { 0.0 }));
        }
    }
    let ones = drawn.data().iter().sum::<f32>() as u64;
    assert_eq!(2 * ones * d as u64, window.counts.mul_adds);
    assert_eq!(tiled.computed.as_ref().map(Matrix::shape), Some((n, n)));
    let linformer = get(MethodKind::Linformer);
    assert_eq!(linformer.computed.as_ref().map(Matrix::shape), Some((n, 6)));
    assert!(linformer.kl.is_none() && linformer.max_abs > 0.0);
    assert!(get(MethodKind::Linear).computed.is_none());
    // A window covering everything is exact.
    let wide = Params {
        window: n,
        ..params
    };
    let (_, results) = compare(&[MethodKind::Window], &wide, &q, &k, &v, 9).expect("valid");
    assert!(results[0].max_abs < 1e-6);
    assert!(results[0].kl.expect("same keys") < 1e-6);
    // Mismatched shapes are an error, not a panic.
    let short = Matrix::from_vec(n - 1, d, random_matrix(n - 1, d, 4)).expect("shape");
    assert!(compare(&MethodKind::ALL, &params, &q, &short, &v, 9).is_err());
}

#[test]
fn the_accuracy_choice_rides_in_the_same_link() {
    let choice = AccuracyChoice {
        text: "Le roi parla.".into(),
        layer: 1,
        head: 3,
    };
    let mut route = Settings::default().write();
    choice.write(&mut route);
    let back = Route::parse(&route.to_string());
    assert_eq!(AccuracyChoice::read(&back), (choice.clone(), vec![]));
    assert_eq!(Settings::read(&back), (Settings::default(), vec![]));
    assert_eq!(choice.fitted(2, 2), (1, 1));
    let (fallback, bad) = AccuracyChoice::read(&Route::parse("#/cost?layer=0&head=x"));
    assert_eq!(bad, vec!["layer", "head"]);
    assert_eq!(fallback, AccuracyChoice::default());
}
