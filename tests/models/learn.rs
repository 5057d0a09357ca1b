//! Learn's exercises are true: for the golden sentences, every exercise the generator makes from
//! tract's run has the answer PyTorch's own tensors give (≤ 1e-4), the values it shows are those
//! tensors rounded, the right answer typed as shown is accepted and a wrong one refused.

use attention_playground::demos::learn::answer::{check, Verdict};
use attention_playground::demos::learn::exercise::{
    make, shown, Answer, Kind, Task, Unavailable, FIXED_D, FIXED_N,
};
use attention_playground::maths::{Matrix, Walkthrough};

use crate::langid::{golden, runner, Case, Golden};

/// Rollout (Abnar & Zuidema 2020) from the golden weights, written out here in full so the
/// exercise's answer is checked against an independent computation: per layer the mean over
/// heads plus the identity, rows renormalised, then the product, last layer on the left.
fn golden_rollout_row(
    g: &Golden,
    case: &Case,
    n_layers: usize,
    seq: usize,
    row: usize,
) -> Vec<f64> {
    let mut r: Vec<Vec<f64>> = (0..seq)
        .map(|i| (0..seq).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for l in 0..n_layers {
        let w = g.output(case, &format!("layer{l}.weights"));
        let heads = w.shape[1];
        let a: Vec<Vec<f64>> = (0..seq)
            .map(|i| {
                let raw: Vec<f64> = (0..seq)
                    .map(|j| {
                        let mean: f64 = (0..heads)
                            .map(|h| f64::from(w.head(0, h).get(i, j).expect("in range")))
                            .sum::<f64>()
                            / heads as f64;
                        mean + f64::from(u8::from(i == j))
                    })
                    .collect();
                let sum: f64 = raw.iter().sum();
                raw.into_iter().map(|x| x / sum).collect()
            })
            .collect();
        r = (0..seq)
            .map(|i| {
                (0..seq)
                    .map(|j| (0..seq).map(|k| a[i][k] * r[k][j]).sum())
                    .collect()
            })
            .collect();
    }
    r[row].clone()
}

fn argmax(xs: impl Iterator<Item = f64>) -> usize {
    xs.enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (i, x)| if x > b.1 { (i, x) } else { b },
        )
        .0
}

fn cell(m: &Matrix, i: usize, j: usize) -> f64 {
    f64::from(m.get(i, j).expect("in range"))
}

/// The answer PyTorch's tensors give for `task`.
fn golden_answer(g: &Golden, case: &Case, task: &Task, d_k: usize, n_layers: usize) -> Answer {
    let seq = case.tokens[0].len();
    let t = |layer: usize, what: &str| g.output(case, &format!("layer{layer}.{what}"));
    let number = |expected: f64| Answer::Number {
        expected,
        tolerance: 0.0,
    };
    match task {
        Task::TokenCount => number(seq as f64),
        Task::Position { pos, dim, .. } => number(cell(
            &g.output(case, "positional_encoding").matrix(0),
            *pos,
            *dim,
        )),
        Task::Dot { at, key, .. } => number(cell(
            &t(at.layer, "scores").head(0, at.head),
            at.query,
            *key,
        )),
        Task::Scale { at, key, .. } => number(
            cell(&t(at.layer, "scores").head(0, at.head), at.query, *key) / (d_k as f64).sqrt(),
        ),
        Task::Softmax { at, key, .. } => number(cell(
            &t(at.layer, "weights").head(0, at.head),
            at.query,
            *key,
        )),
        Task::Context { at, dim, .. } => number(cell(
            &t(at.layer, "context").matrix(0),
            at.query,
            at.head * d_k + dim,
        )),
        Task::MostAttended { at } => {
            let w = t(at.layer, "weights").head(0, at.head);
            Answer::Token {
                position: argmax((0..seq).map(|j| cell(&w, at.query, j))),
            }
        }
        Task::Rollout { reading } => Answer::Token {
            position: argmax(golden_rollout_row(g, case, n_layers, seq, *reading).into_iter()),
        },
        Task::CausalPairs { n } => number((n * (n + 1) / 2) as f64),
        Task::CrossWeights { source, target } => number((source * target) as f64),
        Task::Macs { n, d } => number((2 * n * n * d) as f64),
        Task::Cache { n, d, cached } => number(if *cached {
            (n + 1) * d
        } else {
            (n + 1) * (n + 1) * d
        } as f64),
    }
}

#[test]
fn every_exercise_has_the_answer_pytorch_gives() {
    let (g, session) = (golden(), runner());
    let mut checked = 0;
    for case in g.cases.iter().filter(|c| c.texts.len() == 1) {
        let text = &case.texts[0];
        let w = Walkthrough::new(session.run(text).expect("runs")).expect("recomputes");
        let (d_k, n_layers) = (w.record.layers[0].params.d_k(), w.record.layers.len());
        for kind in Kind::ALL {
            let e = match make(kind, &w, text) {
                Ok(e) => e,
                Err(Unavailable::TooShort { words, needed }) => {
                    assert!(words < needed, "{} on {}", kind.id(), case.name);
                    continue;
                }
                Err(Unavailable::Missing) => panic!("{} on {}: missing", kind.id(), case.name),
            };
            assert_eq!(e.tokens, case.tokens[0], "{}", case.name);
            let want = golden_answer(&g, case, &e.task, d_k, n_layers);
            match (&e.answer, &want) {
                (
                    Answer::Number {
                        expected,
                        tolerance,
                    },
                    Answer::Number { expected: w, .. },
                ) => {
                    assert!(
                        (expected - w).abs() <= f64::from(g.tolerance),
                        "{} on {}: ours {expected}, torch {w}",
                        kind.id(),
                        case.name
                    );
                    // The right answer typed to the shown decimals is right; one off by twice
                    // the tolerance (or by one, for counts) is wrong.
                    let typed = format!("{w:.3}");
                    assert_eq!(
                        check(&typed, *expected, *tolerance),
                        Verdict::Right,
                        "{} {typed}",
                        kind.id()
                    );
                    let off = format!("{:.3}", w + (2.0 * tolerance).max(1.0));
                    assert!(
                        matches!(check(&off, *expected, *tolerance), Verdict::Wrong { .. }),
                        "{} {off}",
                        kind.id()
                    );
                }
                (Answer::Token { position }, Answer::Token { position: w }) => {
                    assert_eq!(position, w, "{} on {}", kind.id(), case.name)
                }
                other => panic!("{}: answers of different kinds {other:?}", kind.id()),
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} exercises checked");
}

#[test]
fn the_values_an_exercise_shows_are_the_model_s_rounded() {
    let (g, session) = (golden(), runner());
    let case = g
        .cases
        .iter()
        .find(|c| c.name == "english")
        .expect("english case");
    let text = &case.texts[0];
    let w = Walkthrough::new(session.run(text).expect("runs")).expect("recomputes");
    let d_k = w.record.layers[0].params.d_k();
    let close = |a: f64, b: f32| (a - shown(b)).abs() <= 1e-3 + 1e-9;
    let Ok(e) = make(Kind::Dot, &w, text) else {
        panic!("dot")
    };
    let Task::Dot { at, key, q, k } = &e.task else {
        panic!("dot task")
    };
    let gq = g.output(case, &format!("layer{}.q", at.layer)).matrix(0);
    let gk = g.output(case, &format!("layer{}.k", at.layer)).matrix(0);
    assert_eq!(q.len(), d_k);
    for t in 0..d_k {
        assert!(
            close(q[t], gq.get(at.query, at.head * d_k + t).expect("q")),
            "q[{t}]"
        );
        assert!(
            close(k[t], gk.get(*key, at.head * d_k + t).expect("k")),
            "k[{t}]"
        );
    }
    assert_ne!(at.query, *key, "a query against another token");
    let Ok(e) = make(Kind::Softmax, &w, text) else {
        panic!("softmax")
    };
    let Task::Softmax { at, row, .. } = &e.task else {
        panic!("softmax task")
    };
    let scores = g
        .output(case, &format!("layer{}.scores", at.layer))
        .head(0, at.head);
    for (j, s) in row.iter().enumerate() {
        let want = scores.get(at.query, j).expect("score") / (d_k as f32).sqrt();
        assert!(close(*s, want), "scaled score {j}");
    }
}

#[test]
fn exercises_change_with_the_sentence_and_short_ones_say_so() {
    let session = runner();
    let run = |text: &str| Walkthrough::new(session.run(text).expect("runs")).expect("recomputes");
    let a = run("The cat sat on the mat because it was tired.");
    let b = run("Le chat dort sur le tapis parce qu'il est fatigué.");
    let ea = make(
        Kind::Dot,
        &a,
        "The cat sat on the mat because it was tired.",
    )
    .expect("dot");
    let eb = make(
        Kind::Dot,
        &b,
        "Le chat dort sur le tapis parce qu'il est fatigué.",
    )
    .expect("dot");
    assert_ne!(ea.answer, eb.answer, "two sentences, two answers");
    let one = run("Jerusalem");
    assert_eq!(
        make(Kind::Softmax, &one, "Jerusalem"),
        Err(Unavailable::TooShort {
            words: 1,
            needed: 2
        })
    );
    assert!(make(Kind::TokenCount, &one, "Jerusalem").is_ok());
    let fixed = make(Kind::CostFixed, &one, "Jerusalem").expect("fixed");
    assert_eq!(
        fixed.answer,
        Answer::Number {
            expected: (2 * FIXED_N * FIXED_N * FIXED_D) as f64,
            tolerance: 0.0
        }
    );
    assert_eq!(
        fixed.answer,
        Answer::Number {
            expected: 33_554_432.0,
            tolerance: 0.0
        }
    );
}
