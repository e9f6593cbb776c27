//! What the page says about the toy table's principal components, checked on the run it shows.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use learned::pca::principal_components;
use learned::report::{TOY_DIM, toy_run};

/// Along the second and third components the trained rows go round a circle, one step per
/// position, because the run pulls them toward the sinusoidal encoding, whose fastest pair
/// `(sin p, cos p)` turns by ω_0 = 1 radian per position on a circle of radius 1.
///
/// The rows only move part of the way from their N(0, 0.02²) start (the rows reached least
/// often least of all), and the slower pairs add a little to the same plane, so the turns and
/// distances are near the target's, not equal to it: each turn within a quarter radian of one
/// radian, all the same way, and each distance from the centre between 0.7 and 1.1.
#[test]
fn trained_rows_turn_by_the_fastest_angle() {
    let run = toy_run().unwrap();
    let target = sinusoidal::Sinusoid::paper(TOY_DIM).unwrap();
    assert_eq!(
        target.frequencies()[0],
        1.0,
        "the fastest pair turns by one radian"
    );
    let pcs = principal_components(run.trained.rows()).unwrap();
    let reached: Vec<usize> = (0..run.updates.len())
        .filter(|&p| run.updates[p] > 0)
        .collect();
    assert!(reached.len() >= 3, "enough trained rows to see a turn");
    let plane: Vec<(f64, f64)> = reached
        .iter()
        .map(|&p| {
            let c = pcs.project(run.trained.rows().row(p)).unwrap();
            (c[1], c[2])
        })
        .collect();
    let mut turns = Vec::new();
    for w in plane.windows(2) {
        let (a, b) = (w[0].1.atan2(w[0].0), w[1].1.atan2(w[1].0));
        // The signed turn from one row to the next, in (−π, π].
        let mut turn = b - a;
        while turn <= -std::f64::consts::PI {
            turn += 2.0 * std::f64::consts::PI;
        }
        while turn > std::f64::consts::PI {
            turn -= 2.0 * std::f64::consts::PI;
        }
        turns.push(turn);
    }
    let sign = turns[0].signum();
    for (k, t) in turns.iter().enumerate() {
        assert!(
            (t.abs() - 1.0).abs() < 0.25 && t.signum() == sign,
            "turn {k}: {t} rad ({turns:?})"
        );
    }
    for (k, (x, y)) in plane.iter().enumerate() {
        let r = x.hypot(*y);
        assert!((0.7..1.1).contains(&r), "row {k}: distance {r}");
    }
}

/// The page on the shares: random rows this few and this narrow already put more of their
/// variance in three components than an even spread over the width would (3/d), and the trained
/// table puts more still.
#[test]
fn random_rows_already_fill_three_components_beyond_an_even_spread() {
    let run = toy_run().unwrap();
    let before = principal_components(run.initial.rows()).unwrap();
    let after = principal_components(run.trained.rows()).unwrap();
    let even = 3.0 / TOY_DIM as f64;
    assert!(before.share(3) > even, "{} vs {even}", before.share(3));
    assert!(after.share(3) > before.share(3));
}
