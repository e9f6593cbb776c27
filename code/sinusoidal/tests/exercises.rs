//! Solutions to the chapter's exercises.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use sinusoidal::{BASE, Layout, Sinusoid};

// ANCHOR: exercise1
/// Exercise 1: every position's encoding has the same length, √(d/2).
#[test]
fn every_encoding_has_norm_sqrt_half_d() {
    for d in [2, 8, 64, 512] {
        let enc = Sinusoid::paper(d).unwrap();
        for p in [0, 1, 17, 4096, 1_000_000] {
            let pe = enc.encode(p);
            // Each (sin, cos) pair contributes sin² + cos² = 1, up to rounding.
            assert!((pe.dot(&pe) - d as f64 / 2.0).abs() < 1e-9);
        }
    }
}
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: moving back is the transpose. M_{-k} undoes M_k, and M_{-k} = M_kᵀ, because
/// each block is a rotation.
#[test]
fn moving_back_is_the_transpose() {
    let enc = Sinusoid::paper(16).unwrap();
    let (p, k) = (40, 25);
    let back = enc.shift_matrix(-(k as i64)).dot(&enc.encode(p + k));
    assert!((&back - &enc.encode(p)).iter().all(|v| v.abs() < 1e-12));
    let mk = enc.shift_matrix(k as i64);
    assert!(
        (&enc.shift_matrix(-(k as i64)) - &mk.t())
            .iter()
            .all(|v| v.abs() < 1e-15)
    );
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: in f32, positions stop being distinct integers at 2^24 = 16 777 216: the next
/// integer rounds back down, so two positions get the very same encoding.
#[test]
fn f32_positions_collide_at_two_to_the_24() {
    let p = 16_777_216usize;
    assert_eq!((p as f32) + 1.0, p as f32);
    assert_eq!((p + 1) as f32, p as f32);
    assert_ne!((p - 1) as f32, p as f32);
    let enc = Sinusoid::paper(64).unwrap();
    assert_eq!(enc.encode_f32(p), enc.encode_f32(p + 1));
    assert_ne!(enc.encode(p), enc.encode(p + 1));
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: with base 1 every frequency is 1, so PE(p)·PE(p + k) = (d/2) cos k: it returns to
/// its maximum every 2π positions, and offsets 0 and 44 look almost alike.
#[test]
fn base_one_repeats_every_two_pi() {
    let enc = Sinusoid::new(512, 1.0, Layout::Interleaved).unwrap();
    for k in [0.0, 1.0, 5.0, 44.0] {
        assert!((enc.dot_at_offset(k) - 256.0 * f64::cos(k)).abs() < 1e-9);
    }
    // cos(44) ≈ 0.9998: offset 44 is nearly indistinguishable from offset 0.
    assert!(enc.dot_at_offset(44.0) > 0.99 * 256.0);
    // The paper's base keeps them apart.
    let paper = Sinusoid::new(512, BASE, Layout::Interleaved).unwrap();
    assert!(paper.dot_at_offset(44.0) < 0.6 * 256.0);
}
// ANCHOR_END: exercise4
