use super::*;

fn m(rows: usize, cols: usize, data: &[f32]) -> Matrix {
    Matrix::from_vec(rows, cols, data.to_vec()).expect("shape")
}

#[test]
fn partial_dot_products_spread_out_as_the_width_grows() {
    // q rows (1, 1, 1, 1) and (1, −1, 1, −1); k the same: dots over m coordinates
    let q = m(2, 4, &[1., 1., 1., 1., 1., -1., 1., -1.]);
    let rows = variance_by_width(&q, &q);
    let widths: Vec<usize> = rows.iter().map(|r| r.0).collect();
    assert_eq!(widths, vec![1, 2, 4]);
    // m = 1: every dot is 1 → variance 0; m = 2: dots 2, 0, 0, 2 → 1; m = 4: 4, 0, 0, 4 → 4
    let var: Vec<f64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(var, vec![0.0, 1.0, 4.0]);
    // divided by √m the variance is var / m
    assert_eq!(rows[2].2, 1.0);
    assert_eq!(variance(&[1.0, 3.0]), 1.0);
    assert_eq!(variance(&[]), 0.0);
}

#[test]
fn softmax_over_rows_sums_each_row_to_one_and_over_columns_does_not() {
    let s = m(2, 3, &[1.0, 2.0, 3.0, 0.0, 0.0, 5.0]);
    let sums = axis_sums(&s);
    for (by_row, _) in &sums {
        assert!((by_row - 1.0).abs() < 1e-12);
    }
    // column-softmax: column 0 = (e/(e+1), 1/(e+1)), column 1 = (e²/(e²+1), …), column 2 = (…)
    let e = std::f64::consts::E;
    let want0 = e / (e + 1.0) + e * e / (e * e + 1.0) + 1.0 / (1.0 + e * e);
    assert!((sums[0].1 - want0).abs() < 1e-12, "{}", sums[0].1);
    assert!(
        (sums[0].1 + sums[1].1 - 3.0).abs() < 1e-12,
        "columns sum to 1 each"
    );
}

#[test]
fn shown_values_and_the_stated_tolerance() {
    assert_eq!(shown(0.12349), 0.123);
    assert_eq!(shown(-1.0006), -1.001);
    // no terms: the floor of 0.01
    assert_eq!(rounding_bound(&[], &[]), 0.01);
    // 16 terms of |a| + |b| = 2 drift at most 16 · 0.0005 · 2 = 0.016, plus 0.005
    let ones = vec![1.0; 16];
    assert!((rounding_bound(&ones, &ones) - 0.021).abs() < 1e-12);
    assert_eq!(argmax([0.1, 0.7, 0.7, 0.2].into_iter()), Some(1));
    assert_eq!(argmax(std::iter::empty()), None);
}

#[test]
fn picks_depend_on_the_text_and_the_exercise_and_nothing_else() {
    let a = |text: &str, kind| {
        let mut p = Picker::new(text, kind);
        (p.below(4), p.word(12), p.word(12))
    };
    assert_eq!(a("It was tired.", Kind::Dot), a("It was tired.", Kind::Dot));
    let texts: Vec<String> = (0..20).map(|i| format!("sentence number {i}")).collect();
    let distinct: std::collections::HashSet<_> = texts.iter().map(|t| a(t, Kind::Dot)).collect();
    assert!(
        distinct.len() > 5,
        "only {} different picks",
        distinct.len()
    );
    let mut p = Picker::new("x", Kind::Softmax);
    for _ in 0..100 {
        let w = p.word(5);
        assert!((1..4).contains(&w));
        let o = p.other_word(5, w);
        assert!((1..4).contains(&o) && o != w);
    }
    // one word only: the other word is the same one (the exercise says it is too short first)
    assert_eq!(p.other_word(3, 1), 1);
}

#[test]
fn count_exercises_have_their_textbook_values() {
    let e = |task: Task, answer: usize| Exercise {
        kind: Kind::CostFixed,
        task,
        answer: Answer::Number {
            expected: answer as f64,
            tolerance: 0.0,
        },
        tokens: vec!["[CLS]".into(), "a".into(), "[SEP]".into()],
    };
    // 2 · 512² · 64
    let fixed = e(Task::Macs { n: 512, d: 64 }, 33_554_432);
    assert!(
        solution(&fixed).ends_with("= 33554432"),
        "{}",
        solution(&fixed)
    );
    let causal = e(Task::CausalPairs { n: 12 }, 78);
    assert!(solution(&causal).ends_with("= 78"));
    let cached = e(
        Task::Cache {
            n: 12,
            d: 16,
            cached: true,
        },
        208,
    );
    assert!(solution(&cached).ends_with("= 208"));
    let full = e(
        Task::Cache {
            n: 12,
            d: 16,
            cached: false,
        },
        2704,
    );
    assert!(solution(&full).ends_with("= 2704"));
    let pos = e(
        Task::Position {
            pos: 2,
            dim: 1,
            d_model: 64,
        },
        0,
    );
    // cos(2) = −0.416
    assert!(solution(&pos).ends_with("= -0.416"), "{}", solution(&pos));
}
