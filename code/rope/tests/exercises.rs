//! The chapter's exercises: a stub for each answer, the solution, and the check both are put
//! through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::{Array1, ArrayView1, array};
use rope::precision::{Format, round};
use rope::{BASE, Layout, Rope, half_from_interleaved, permute};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p rope --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    // Everything the solutions use is in scope here too.
    #[allow(unused_imports)]
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: the score of `q` rotated to position `m` and `k` rotated to position `n`
    /// (`d = 2`, so `θ_0 = 1`), computed with complex numbers from `q conj(k)`.
    pub fn complex_score(q: [f64; 2], k: [f64; 2], m: f64, n: f64) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: a query or key laid out for interleaved RoPE, rearranged so that half-split
    /// RoPE gives every score the interleaved one gave.
    pub fn to_half_split(x: ArrayView1<'_, f64>) -> Array1<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the first position below `limit` that `format` cannot represent exactly, if
    /// there is one.
    pub fn first_inexact_position(format: Format, limit: usize) -> Option<usize> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: how many tokens the fastest and the slowest pair take to turn full circle,
    /// for a head of width `head_dim` and base `base`.
    pub fn full_turns(head_dim: usize, base: f64) -> (f64, f64) {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

mod solutions {
    use ndarray::{Array1, ArrayView1};
    use rope::precision::{Format, round};
    use rope::{Layout, Rope, half_from_interleaved, permute};

    // ANCHOR: exercise1
    /// Exercise 1: in complex form, rotating the pair (a, b) by φ is multiplying a + ib by e^{iφ},
    /// and Re[(q e^{imθ}) conj(k e^{inθ})] = Re[q conj(k) e^{i(m−n)θ}] depends on m − n only.
    pub fn complex_score(q: [f64; 2], k: [f64; 2], m: f64, n: f64) -> f64 {
        // q conj(k) = (q0 + i q1)(k0 − i k1) = (q0 k0 + q1 k1) + i (q1 k0 − q0 k1)
        let (re, im) = (q[0] * k[0] + q[1] * k[1], q[1] * k[0] - q[0] * k[1]);
        let phi = m - n; // θ_0 = 1 for d = 2
        re * phi.cos() - im * phi.sin()
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: to run interleaved weights with half-split code, permute the output rows of W_q
    /// and W_k (equivalently, q and k) once by half_from_interleaved; scores are then unchanged.
    pub fn to_half_split(x: ArrayView1<'_, f64>) -> Array1<f64> {
        let perm = half_from_interleaved(x.len()).unwrap();
        permute(x, &perm).unwrap()
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: a position is representable when rounding it to the format changes nothing;
    /// bf16 (8 significant bits) first fails at 257, f16 (11 bits) at 2049.
    pub fn first_inexact_position(format: Format, limit: usize) -> Option<usize> {
        (0..limit).find(|&m| round(m as f64, format) != m as f64)
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: pair j turns by θ_j per token, so it comes full circle after 2π / θ_j tokens:
    /// 2π ≈ 6.28 for the fastest (θ_0 = 1), 2π · base^((d − 2)/d) for the slowest.
    pub fn full_turns(head_dim: usize, base: f64) -> (f64, f64) {
        let rope = Rope::new(head_dim, base, Layout::HalfSplit).unwrap();
        let theta = rope.inv_freq();
        let wavelength = |t: f64| std::f64::consts::TAU / t;
        (wavelength(theta[0]), wavelength(theta[theta.len() - 1]))
    }
    // ANCHOR_END: exercise4
}

fn check_exercise1(complex_score: fn([f64; 2], [f64; 2], f64, f64) -> f64) {
    let rope = Rope::new(2, BASE, Layout::Interleaved).unwrap();
    for (q, k, m, n) in [
        ([0.3, -1.2], [2.0, 0.5], 7.0, 3.0),
        ([1.0, 0.0], [0.0, 1.0], 0.0, 0.0),
        ([-0.7, 0.4], [1.1, -2.0], 2.0, 9.0),
    ] {
        let dot = rope
            .rotate(Array1::from(q.to_vec()).view(), m)
            .unwrap()
            .dot(&rope.rotate(Array1::from(k.to_vec()).view(), n).unwrap());
        let complex = complex_score(q, k, m, n);
        assert!((dot - complex).abs() < 1e-14, "{dot} vs {complex}");
    }
}

fn check_exercise2(to_half_split: fn(ArrayView1<'_, f64>) -> Array1<f64>) {
    let d = 16;
    let inter = Rope::new(d, BASE, Layout::Interleaved).unwrap();
    let split = inter.with_layout(Layout::HalfSplit);
    let q = Array1::from_shape_fn(d, |j| (j as f64 * 0.7).sin());
    let k = Array1::from_shape_fn(d, |j| (j as f64 * 1.3).cos());
    // The rearrangement is the layouts' index map, and it keeps every score.
    let perm = half_from_interleaved(d).unwrap();
    assert_eq!(to_half_split(q.view()), permute(q.view(), &perm).unwrap());
    let (pq, pk) = (to_half_split(q.view()), to_half_split(k.view()));
    for (m, n) in [(0.0, 0.0), (5.0, 2.0), (400.0, 17.0)] {
        let want = inter
            .rotate(q.view(), m)
            .unwrap()
            .dot(&inter.rotate(k.view(), n).unwrap());
        let got = split
            .rotate(pq.view(), m)
            .unwrap()
            .dot(&split.rotate(pk.view(), n).unwrap());
        assert!((want - got).abs() < 1e-12);
    }
    assert_eq!(
        to_half_split(array![0.0, 1.0, 2.0, 3.0].view()),
        array![0.0, 2.0, 1.0, 3.0]
    );
}

fn check_exercise3(first_inexact_position: fn(Format, usize) -> Option<usize>) {
    // In bf16, positions 256 and 257 are the same number, so RoPE gives tokens 256 and 257 the
    // same rotation; in f32 they differ.
    assert_eq!(round(256.0, Format::Bf16), round(257.0, Format::Bf16));
    assert_ne!(round(256.0, Format::F32), round(257.0, Format::F32));
    assert_eq!(first_inexact_position(Format::Bf16, 1000), Some(257));
    assert_eq!(first_inexact_position(Format::F16, 100_000), Some(2049));
    assert_eq!(first_inexact_position(Format::F32, 100_000), None);
}

fn check_exercise4(full_turns: fn(usize, f64) -> (f64, f64)) {
    let (fastest, slowest) = full_turns(128, BASE);
    assert!((fastest - std::f64::consts::TAU).abs() < 1e-12);
    assert!((54_000.0..54_500.0).contains(&slowest), "{slowest}");
    let want = std::f64::consts::TAU * BASE.powf(126.0 / 128.0);
    assert!((slowest / want - 1.0).abs() < 1e-12, "{slowest} vs {want}");
}

#[test]
fn exercise1() {
    check_exercise1(solutions::complex_score);
}

#[test]
#[ignore = "your answer: fill in answers::complex_score"]
fn exercise1_yours() {
    check_exercise1(answers::complex_score);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::to_half_split);
}

#[test]
#[ignore = "your answer: fill in answers::to_half_split"]
fn exercise2_yours() {
    check_exercise2(answers::to_half_split);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::first_inexact_position);
}

#[test]
#[ignore = "your answer: fill in answers::first_inexact_position"]
fn exercise3_yours() {
    check_exercise3(answers::first_inexact_position);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::full_turns);
}

#[test]
#[ignore = "your answer: fill in answers::full_turns"]
fn exercise4_yours() {
    check_exercise4(answers::full_turns);
}
