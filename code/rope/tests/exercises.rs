//! Solutions to the chapter's exercises.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::{Array1, array};
use rope::precision::{Format, round};
use rope::{BASE, Layout, Rope, half_from_interleaved, permute};

// ANCHOR: exercise1
/// Exercise 1: in complex form, rotating the pair (a, b) by φ is multiplying a + ib by e^{iφ},
/// and Re[(q e^{imθ}) conj(k e^{inθ})] = Re[q conj(k) e^{i(m−n)θ}] depends on m − n only.
#[test]
fn complex_form_agrees() {
    let rope = Rope::new(2, BASE, Layout::Interleaved).unwrap();
    let (q, k) = (array![0.3, -1.2], array![2.0, 0.5]);
    let (m, n) = (7.0, 3.0);
    let dot = rope
        .rotate(q.view(), m)
        .unwrap()
        .dot(&rope.rotate(k.view(), n).unwrap());
    // q conj(k) = (q0 + i q1)(k0 − i k1) = (q0 k0 + q1 k1) + i (q1 k0 − q0 k1)
    let (re, im) = (q[0] * k[0] + q[1] * k[1], q[1] * k[0] - q[0] * k[1]);
    let phi = m - n; // θ_0 = 1 for d = 2
    let complex = re * phi.cos() - im * phi.sin();
    assert!((dot - complex).abs() < 1e-14);
}
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: to run interleaved weights with half-split code, permute the output rows of W_q
/// and W_k (equivalently, q and k) once by half_from_interleaved; scores are then unchanged.
#[test]
fn converting_a_checkpoint() {
    let d = 16;
    let inter = Rope::new(d, BASE, Layout::Interleaved).unwrap();
    let split = inter.with_layout(Layout::HalfSplit);
    let perm = half_from_interleaved(d).unwrap();
    let q = Array1::from_shape_fn(d, |j| (j as f64 * 0.7).sin());
    let k = Array1::from_shape_fn(d, |j| (j as f64 * 1.3).cos());
    for (m, n) in [(0.0, 0.0), (5.0, 2.0), (400.0, 17.0)] {
        let want = inter
            .rotate(q.view(), m)
            .unwrap()
            .dot(&inter.rotate(k.view(), n).unwrap());
        let (pq, pk) = (
            permute(q.view(), &perm).unwrap(),
            permute(k.view(), &perm).unwrap(),
        );
        let got = split
            .rotate(pq.view(), m)
            .unwrap()
            .dot(&split.rotate(pk.view(), n).unwrap());
        assert!((want - got).abs() < 1e-12);
    }
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: in bf16, positions 256 and 257 are the same number, so RoPE gives tokens 256 and
/// 257 the same rotation; in f32 they differ.
#[test]
fn bf16_positions_collide() {
    assert_eq!(round(256.0, Format::Bf16), round(257.0, Format::Bf16));
    assert_ne!(round(256.0, Format::F32), round(257.0, Format::F32));
    // The first position bf16 cannot represent exactly is 257.
    let first = (0..1000usize).find(|&m| round(m as f64, Format::Bf16) != m as f64);
    assert_eq!(first, Some(257));
    let first_f16 = (0..100_000usize).find(|&m| round(m as f64, Format::F16) != m as f64);
    assert_eq!(first_f16, Some(2049));
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: the fastest pair (θ_0 = 1) turns by one radian per token, so it repeats after
/// 2π ≈ 6.28 tokens; the slowest pair of a 128-wide head with base 10000 takes about 54 000.
#[test]
fn wavelengths_of_the_pairs() {
    let rope = Rope::new(128, BASE, Layout::HalfSplit).unwrap();
    let theta = rope.inv_freq();
    let wavelength = |t: f64| std::f64::consts::TAU / t;
    assert!((wavelength(theta[0]) - std::f64::consts::TAU).abs() < 1e-12);
    let slowest = wavelength(theta[63]);
    assert!((54_000.0..54_500.0).contains(&slowest), "{slowest}");
}
// ANCHOR_END: exercise4
