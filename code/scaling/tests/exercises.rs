//! Solutions to the chapter's exercises.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::{Base, Scheme, compute, correction_dim, linear, ntk};

// ANCHOR: exercise1
/// Exercise 1: after position interpolation by s, the largest angle at length s·L is
/// (sL − 1)·θ/s = (L − 1/s)·θ: past the training maximum (L − 1)·θ by less than one step θ, so it
/// stays below L·θ. Without interpolation it would be (sL − 1)·θ, about s times the range.
#[test]
fn interpolation_keeps_angles_in_range() {
    let (l, s) = (4096usize, 8.0);
    let base = Base::new(128, 10000.0, l).unwrap();
    let scaled = linear(&base, s).unwrap();
    for (t, t2) in base.inv_freq().iter().zip(&scaled.inv_freq) {
        let target = (s * l as f64 - 1.0) * t2;
        assert!((target - (l as f64 - 1.0 / s) * t).abs() <= 1e-12 * target);
        assert!(target < l as f64 * t);
        let unscaled = (s * l as f64 - 1.0) * t;
        assert!(unscaled > (s - 0.01) * (l as f64 - 1.0) * t);
    }
}
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: NTK-aware scaling leaves the fastest pair exactly as it was and slows the slowest
/// by exactly s: θ'_j / θ_j = s^(−2j/(d−2)).
#[test]
fn ntk_ends() {
    let base = Base::new(128, 10000.0, 4096).unwrap();
    for s in [2.0, 4.0, 16.0] {
        let scaled = ntk(&base, s).unwrap();
        assert_eq!(scaled.inv_freq[0], 1.0);
        let last = base.inv_freq()[63] / scaled.inv_freq[63];
        assert!((last - s).abs() < 1e-9 * s);
        for j in [10, 40] {
            let ratio = scaled.inv_freq[j] / base.inv_freq()[j];
            assert!((ratio - s.powf(-2.0 * j as f64 / 126.0)).abs() < 1e-12);
        }
    }
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: for d = 128, base 10000, L = 4096, which pair turns exactly 32 times in L tokens
/// (YaRN's β_fast boundary), and which exactly once (β_slow)?
#[test]
fn yarn_boundaries_for_llama2() {
    let (low, high) = (
        correction_dim(32.0, 128, 10000.0, 4096),
        correction_dim(1.0, 128, 10000.0, 4096),
    );
    assert!((20.9..21.0).contains(&low), "{low}");
    assert!((45.0..45.1).contains(&high), "{high}");
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: at what length does dynamic NTK (factor s) reach the base of static NTK with the
/// same s? When s·n/L − (s − 1) = s, that is n = L (2s − 1) / s.
#[test]
fn dynamic_meets_static() {
    let (l, s) = (4096usize, 4.0);
    let base = Base::new(128, 10000.0, l).unwrap();
    let n = (l as f64 * (2.0 * s - 1.0) / s) as usize; // 7168, exact here
    let dynamic = compute(&base, &Scheme::Dynamic { factor: s }, n).unwrap();
    let fixed = ntk(&base, s).unwrap();
    for (a, b) in dynamic.inv_freq.iter().zip(&fixed.inv_freq) {
        assert!((a - b).abs() <= 1e-14 * b);
    }
}
// ANCHOR_END: exercise4
