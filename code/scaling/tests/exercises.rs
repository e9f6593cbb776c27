//! The chapter's exercises: a stub for each answer, the solution, and the check both are put
//! through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::f64::consts::PI;

use scaling::{Base, Scheme, compute, correction_dim, linear, ntk};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p scaling --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    // Everything the solutions use is in scope here too.
    #[allow(unused_imports)]
    use super::*;
    // ANCHOR: exercise1_stub
    /// Exercise 1: the largest angle pair `j` (frequency `theta_j`) reaches on a sequence of
    /// `s·l` tokens, after position interpolation by `s`.
    pub fn largest_angle(theta_j: f64, l: usize, s: f64) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: `θ'_j / θ_j` under NTK-aware scaling by `s`, for pair `j` of `dim` rotated
    /// dimensions.
    pub fn ntk_ratio(j: usize, dim: usize, s: f64) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the (fractional) index of the pair that turns exactly `turns` times in `l`
    /// tokens, for `dim` rotated dimensions and base `theta`.
    pub fn pair_turning(turns: f64, dim: usize, theta: f64, l: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: the sequence length at which dynamic NTK with factor `s`, trained on `l`
    /// tokens, reaches the base of static NTK with the same `s`.
    pub fn dynamic_meets_static(l: usize, s: f64) -> usize {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub

    // ANCHOR: exercise5_stub
    /// Exercise 5: how many of the `dim / 2` frequencies Llama 3 keeps, divides and smooths
    /// (in that order), found without testing each pair.
    pub fn llama3_split(
        dim: usize,
        theta: f64,
        original: usize,
        low_freq_factor: f64,
        high_freq_factor: f64,
    ) -> [usize; 3] {
        todo!("your answer")
    }
    // ANCHOR_END: exercise5_stub
}

mod solutions {
    use std::f64::consts::PI;

    // ANCHOR: exercise1
    /// Exercise 1: the last position is `s·l − 1` and the frequency is `θ_j / s`, so the angle is
    /// `(s·l − 1)·θ_j / s = (l − 1/s)·θ_j`: past the training maximum `(l − 1)·θ_j` by less than
    /// one step `θ_j`, so still below `l·θ_j`. Without interpolation it would be about `s` times
    /// the trained range.
    pub fn largest_angle(theta_j: f64, l: usize, s: f64) -> f64 {
        (s * l as f64 - 1.0) * (theta_j / s)
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: `θ'_j / θ_j = (b·s^(d/(d−2)))^(−2j/d) / b^(−2j/d) = s^(−2j/(d−2))`: 1 for
    /// the fastest pair (`j = 0`), `1/s` for the slowest (`j = d/2 − 1`).
    pub fn ntk_ratio(j: usize, dim: usize, s: f64) -> f64 {
        s.powf(-2.0 * j as f64 / (dim as f64 - 2.0))
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: pair `j` turns `l·θ_j / 2π` times in `l` tokens; set that to `turns` with
    /// `θ_j = theta^(−2j/d)` and solve for `j` (YaRN's `find_correction_dim`).
    pub fn pair_turning(turns: f64, dim: usize, theta: f64, l: usize) -> f64 {
        dim as f64 * (l as f64 / (2.0 * PI * turns)).ln() / (2.0 * theta.ln())
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: at length `n` dynamic NTK stretches the base as static NTK would with the
    /// factor `s·n/l − (s − 1)`; that equals `s` when `n = l·(2s − 1)/s`.
    pub fn dynamic_meets_static(l: usize, s: f64) -> usize {
        (l as f64 * (2.0 * s - 1.0) / s).round() as usize
    }
    // ANCHOR_END: exercise4

    // ANCHOR: exercise5
    /// Exercise 5: pair `j` has wavelength `2π·theta^(2j/d)`; solve `= l / high_freq_factor` and
    /// `= l / low_freq_factor` for `j`. Pairs below the first limit are kept, pairs above the
    /// second divided, the rest smoothed.
    pub fn llama3_split(
        dim: usize,
        theta: f64,
        original: usize,
        low_freq_factor: f64,
        high_freq_factor: f64,
    ) -> [usize; 3] {
        let half = dim / 2;
        let solve = |wavelength: f64| half as f64 * (wavelength / (2.0 * PI)).ln() / theta.ln();
        let j_high = solve(original as f64 / high_freq_factor);
        let j_low = solve(original as f64 / low_freq_factor);
        let kept = j_high.ceil() as usize; // j = 0 … ⌈j_high⌉ − 1
        let divided = half - (j_low.floor() as usize + 1); // j = ⌊j_low⌋ + 1 … half − 1
        [kept, divided, half - kept - divided]
    }
    // ANCHOR_END: exercise5
}

fn check_exercise1(largest_angle: fn(f64, usize, f64) -> f64) {
    let (l, s) = (4096usize, 8.0);
    let base = Base::new(128, 10000.0, l).unwrap();
    let scaled = linear(&base, s).unwrap();
    for (t, t2) in base.inv_freq().iter().zip(&scaled.inv_freq) {
        // The angle the crate's scaled frequency reaches at position sL − 1 is (L − 1/s)·θ:
        // within one step of training, below L·θ; unscaled, it would be about s times more.
        let target = (s * l as f64 - 1.0) * t2;
        assert!((target - (l as f64 - 1.0 / s) * t).abs() <= 1e-12 * target);
        assert!(target < l as f64 * t);
        let unscaled = (s * l as f64 - 1.0) * t;
        assert!(unscaled > (s - 0.01) * (l as f64 - 1.0) * t);
        let yours = largest_angle(*t, l, s);
        assert!(
            (yours - target).abs() <= 1e-12 * target,
            "{yours} vs {target}"
        );
    }
}

fn check_exercise2(ntk_ratio: fn(usize, usize, f64) -> f64) {
    let base = Base::new(128, 10000.0, 4096).unwrap();
    for s in [2.0, 4.0, 16.0] {
        let scaled = ntk(&base, s).unwrap();
        assert_eq!(scaled.inv_freq[0], 1.0);
        assert_eq!(ntk_ratio(0, 128, s), 1.0);
        let last = base.inv_freq()[63] / scaled.inv_freq[63];
        assert!((last - s).abs() < 1e-9 * s);
        assert!((ntk_ratio(63, 128, s) - 1.0 / s).abs() < 1e-12);
        for j in [10, 40] {
            let ratio = scaled.inv_freq[j] / base.inv_freq()[j];
            assert!((ratio - s.powf(-2.0 * j as f64 / 126.0)).abs() < 1e-12);
            assert!((ratio - ntk_ratio(j, 128, s)).abs() < 1e-12);
        }
    }
}

fn check_exercise3(pair_turning: fn(f64, usize, f64, usize) -> f64) {
    let (low, high) = (
        correction_dim(32.0, 128, 10000.0, 4096),
        correction_dim(1.0, 128, 10000.0, 4096),
    );
    assert!((20.9..21.0).contains(&low), "{low}");
    assert!((45.0..45.1).contains(&high), "{high}");
    let (yours_low, yours_high) = (
        pair_turning(32.0, 128, 10000.0, 4096),
        pair_turning(1.0, 128, 10000.0, 4096),
    );
    assert!((yours_low - low).abs() < 1e-9, "{yours_low}");
    assert!((yours_high - high).abs() < 1e-9, "{yours_high}");
}

fn check_exercise4(dynamic_meets_static: fn(usize, f64) -> usize) {
    let (l, s) = (4096usize, 4.0);
    let base = Base::new(128, 10000.0, l).unwrap();
    let n = dynamic_meets_static(l, s);
    assert_eq!(n, 7168); // 4096 · 7 / 4, exact here
    let dynamic = compute(&base, &Scheme::Dynamic { factor: s }, n).unwrap();
    let fixed = ntk(&base, s).unwrap();
    for (a, b) in dynamic.inv_freq.iter().zip(&fixed.inv_freq) {
        assert!((a - b).abs() <= 1e-14 * b);
    }
}

fn check_exercise5(llama3_split: fn(usize, f64, usize, f64, f64) -> [usize; 3]) {
    // Llama 3.1: base 500000, L = 8192, low 1, high 4.
    let [kept, divided, smoothed] = llama3_split(128, 500000.0, 8192, 1.0, 4.0);
    assert_eq!([kept, divided, smoothed], [29, 29, 6]);
    // The same counts as the crate's table, which tests every pair.
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/llama-3.1-8b.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let model = scaling::config::parse(&text).unwrap();
    let table = scaling::report::llama3_counts(&model).unwrap();
    for (rule, n) in [
        ("kept", kept),
        ("divided by the factor", divided),
        ("smoothed", smoothed),
    ] {
        // The rule and its count must sit in the same row.
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| {rule} |")))
            .unwrap();
        assert!(row.ends_with(&format!("| {n} |")), "{row}");
    }
    // And pair by pair: the kept ones have wavelengths below L/4, the divided ones above L.
    let theta = model.base.inv_freq();
    assert!(2.0 * PI / theta[kept - 1] < 2048.0 && 2.0 * PI / theta[kept] >= 2048.0);
    assert!(2.0 * PI / theta[63 - divided] <= 8192.0 && 2.0 * PI / theta[64 - divided] > 8192.0);
}

#[test]
fn exercise1() {
    check_exercise1(solutions::largest_angle);
}

#[test]
#[ignore = "your answer: fill in answers::largest_angle"]
fn exercise1_yours() {
    check_exercise1(answers::largest_angle);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::ntk_ratio);
}

#[test]
#[ignore = "your answer: fill in answers::ntk_ratio"]
fn exercise2_yours() {
    check_exercise2(answers::ntk_ratio);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::pair_turning);
}

#[test]
#[ignore = "your answer: fill in answers::pair_turning"]
fn exercise3_yours() {
    check_exercise3(answers::pair_turning);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::dynamic_meets_static);
}

#[test]
#[ignore = "your answer: fill in answers::dynamic_meets_static"]
fn exercise4_yours() {
    check_exercise4(answers::dynamic_meets_static);
}

#[test]
fn exercise5() {
    check_exercise5(solutions::llama3_split);
}

#[test]
#[ignore = "your answer: fill in answers::llama3_split"]
fn exercise5_yours() {
    check_exercise5(answers::llama3_split);
}
