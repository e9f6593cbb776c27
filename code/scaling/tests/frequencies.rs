//! θ_j is computed in several chapters; this test pins chapter 6's copy to chapter 5's.
//!
//! Chapter 6 (this crate) computes `1 / theta^(2j/d)`, the form Hugging Face's
//! `_compute_default_rope_parameters` uses; chapter 5 (`rope::Rope::inv_freq`) computes
//! `base^(−2j/d)`, the form of the RoFormer paper. They are the same number up to rounding: one
//! `powf` each (within 1 ulp in the platform's libm) plus one division here (0.5 ulp), so they may
//! differ by at most 2 ulp, and they do differ by 1 ulp on some pairs (25 of 64 at d = 128).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use rope::{Layout, Rope};
use scaling::Base;

#[test]
fn scaling_and_rope_compute_the_same_frequencies() {
    let mut differ = 0;
    for dim in [2, 8, 64, 128, 256] {
        for theta in [10_000.0, 500_000.0, 1_000_000.0] {
            let here = Base::new(dim, theta, 4096).unwrap().inv_freq();
            let there = Rope::new(dim, theta, Layout::HalfSplit).unwrap().inv_freq();
            assert_eq!(here.len(), there.len());
            for (j, (a, b)) in here.iter().zip(there.iter()).enumerate() {
                let ulp = f64::EPSILON * a.abs().max(b.abs());
                assert!(
                    (a - b).abs() <= 2.0 * ulp,
                    "d = {dim}, base {theta}, pair {j}: {a} vs {b}"
                );
                differ += usize::from(a != b);
            }
        }
    }
    // The tolerance is needed: the two forms really do round differently somewhere.
    assert!(differ > 0);
}

/// Raising the base from b to b' multiplies pair j's wavelength by (b'/b)^(2j/d): checked on the
/// base-change section's numbers (d = 128, 10⁴ → 5·10⁵) against the crate's frequencies.
#[test]
fn raising_the_base_stretches_pair_j_by_a_power() {
    let before = scaling::Base::new(128, 1e4, 1).unwrap().inv_freq();
    let after = scaling::Base::new(128, 5e5, 1).unwrap().inv_freq();
    for (j, (a, b)) in before.iter().zip(&after).enumerate() {
        let want = 50f64.powf(2.0 * j as f64 / 128.0);
        // Relative 1e-12: two powf calls and a division, each within an ulp or two.
        assert!((a / b - want).abs() <= 1e-12 * want, "pair {j}");
    }
    // The slowest pair: 50^(126/128) = 47.04…, the snapshot's "47.0".
    assert_eq!(format!("{:.1}", before[63] / after[63]), "47.0");
}
