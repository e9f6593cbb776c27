//! The chapter's exercises. Each one is a function: `answers` holds the stub the page shows under
//! the question (the reader replaces its `todo!()`), `solutions` holds the answer the page shows
//! in its collapsed block, and one check function holds either to the same assertions.
//!
//! `cargo test -p sinusoidal --test exercises` checks the solutions;
//! `cargo test -p sinusoidal --test exercises -- --ignored` checks the reader's answers.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use sinusoidal::{BASE, Layout, Schedule, Sinusoid};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p sinusoidal --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    use ndarray::Array2;
    use sinusoidal::Sinusoid;

    // ANCHOR: exercise1_stub
    /// Exercise 1: the length ‖PE(p)‖ of every encoding of width `d`.
    pub fn encoding_norm(d: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: the matrix that moves every encoding of `enc` `delta` positions back.
    pub fn move_back(enc: &Sinusoid, delta: usize) -> Array2<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the first position whose `f32` encoding equals the next position's.
    pub fn first_f32_collision() -> usize {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: PE(p) · PE(p + Δ) for width `d_model` and base 1, in closed form.
    pub fn base_one_dot(d_model: usize, delta: f64) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

/// The answers the page shows in its collapsed blocks.
mod solutions {
    use ndarray::Array2;
    use sinusoidal::Sinusoid;

    // ANCHOR: exercise1
    /// Exercise 1: the length ‖PE(p)‖ of every encoding of width `d`.
    pub fn encoding_norm(d: usize) -> f64 {
        // Each of the d/2 (sin, cos) pairs contributes sin² + cos² = 1, whatever p is.
        (d as f64 / 2.0).sqrt()
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: the matrix that moves every encoding of `enc` `delta` positions back.
    pub fn move_back(enc: &Sinusoid, delta: usize) -> Array2<f64> {
        // Each block of M_Δ is a rotation, so its inverse M_{-Δ} is its transpose.
        enc.shift_matrix(delta as i64).t().to_owned()
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: the first position whose `f32` encoding equals the next position's.
    pub fn first_f32_collision() -> usize {
        // f32 has 24 significant bits: 2^24 + 1 is the first integer it cannot hold, and it
        // rounds back down to 2^24.
        1 << 24
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: PE(p) · PE(p + Δ) for width `d_model` and base 1, in closed form.
    pub fn base_one_dot(d_model: usize, delta: f64) -> f64 {
        // Every ω_i = 1^(−2i/d_model) = 1, so the d_model/2 terms cos(Δ ω_i) are all cos Δ.
        (d_model / 2) as f64 * delta.cos()
    }
    // ANCHOR_END: exercise4
}

/// Every position's encoding has the same length, √(d/2).
fn check_exercise1(norm: fn(usize) -> f64) {
    for d in [2, 8, 64, 512] {
        let enc = Sinusoid::paper(d).unwrap();
        for p in [0, 1, 17, 4096, 1_000_000] {
            let pe = enc.encode(p);
            // Each (sin, cos) pair contributes sin² + cos² = 1, up to rounding.
            assert!((pe.dot(&pe) - d as f64 / 2.0).abs() < 1e-9);
            assert!((pe.dot(&pe).sqrt() - norm(d)).abs() < 1e-9, "d {d}, p {p}");
        }
    }
}

#[test]
fn exercise1() {
    check_exercise1(solutions::encoding_norm);
}

#[test]
#[ignore = "your answer: fill in answers::encoding_norm"]
fn exercise1_yours() {
    check_exercise1(answers::encoding_norm);
}

/// Moving back undoes M_k, and it is M_{-k} = M_kᵀ, because each block is a rotation.
fn check_exercise2(back: fn(&Sinusoid, usize) -> Array2<f64>) {
    let enc = Sinusoid::paper(16).unwrap();
    let (p, k) = (40, 25);
    let moved_back = enc.shift_matrix(-(k as i64)).dot(&enc.encode(p + k));
    assert!(
        (&moved_back - &enc.encode(p))
            .iter()
            .all(|v| v.abs() < 1e-12)
    );
    let mk = enc.shift_matrix(k as i64);
    assert!(
        (&enc.shift_matrix(-(k as i64)) - &mk.t())
            .iter()
            .all(|v| v.abs() < 1e-15)
    );
    // The answer moves every encoding back, and is M_{-k}.
    for (p, k) in [(40, 25), (0, 1), (1000, 999), (7, 0)] {
        let m = back(&enc, k);
        let moved = m.dot(&enc.encode(p + k));
        assert!(
            (&moved - &enc.encode(p)).iter().all(|v| v.abs() < 1e-12),
            "p {p}, k {k}"
        );
        let minus_k = enc.shift_matrix(-(k as i64));
        assert!((&m - &minus_k).iter().all(|v| v.abs() < 1e-15), "k {k}");
    }
}

#[test]
fn exercise2() {
    check_exercise2(solutions::move_back);
}

#[test]
#[ignore = "your answer: fill in answers::move_back"]
fn exercise2_yours() {
    check_exercise2(answers::move_back);
}

/// In f32, positions stop being distinct integers at 2^24 = 16 777 216: the next integer rounds
/// back down, so two positions get the very same encoding.
fn check_exercise3(first: fn() -> usize) {
    let p = first();
    assert_eq!(p, 16_777_216);
    assert_eq!((p as f32) + 1.0, p as f32);
    assert_eq!((p + 1) as f32, p as f32);
    assert_ne!((p - 1) as f32, p as f32);
    let enc = Sinusoid::paper(64).unwrap();
    assert_eq!(enc.encode_f32(p), enc.encode_f32(p + 1));
    assert_ne!(enc.encode(p), enc.encode(p + 1));
}

#[test]
fn exercise3() {
    check_exercise3(solutions::first_f32_collision);
}

#[test]
#[ignore = "your answer: fill in answers::first_f32_collision"]
fn exercise3_yours() {
    check_exercise3(answers::first_f32_collision);
}

/// With base 1 every frequency is 1, so PE(p)·PE(p + k) = (d/2) cos k: it returns to its maximum
/// every 2π positions, and offsets 0 and 44 look almost alike.
fn check_exercise4(dot: fn(usize, f64) -> f64) {
    let enc = Sinusoid::new(512, 1.0, Layout::Interleaved, Schedule::Paper).unwrap();
    for k in [0.0, 1.0, 5.0, 44.0] {
        assert!((enc.dot_at_offset(k) - 256.0 * f64::cos(k)).abs() < 1e-9);
        assert!((enc.dot_at_offset(k) - dot(512, k)).abs() < 1e-9, "k {k}");
    }
    let small = Sinusoid::new(8, 1.0, Layout::Interleaved, Schedule::Paper).unwrap();
    assert!((small.dot_at_offset(3.0) - dot(8, 3.0)).abs() < 1e-12);
    // cos(44) ≈ 0.9998: offset 44 is nearly indistinguishable from offset 0.
    assert!(enc.dot_at_offset(44.0) > 0.99 * 256.0);
    // The paper's base keeps them apart.
    let paper = Sinusoid::new(512, BASE, Layout::Interleaved, Schedule::Paper).unwrap();
    assert!(paper.dot_at_offset(44.0) < 0.6 * 256.0);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::base_one_dot);
}

#[test]
#[ignore = "your answer: fill in answers::base_one_dot"]
fn exercise4_yours() {
    check_exercise4(answers::base_one_dot);
}
