//! Properties every scheme must have, and checks against independent computations.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::f64::consts::PI;

use proptest::prelude::*;
use scaling::{Base, Scheme, YarnParams, compute, correction_dim};

fn schemes(s: f64, l: usize) -> Vec<Scheme> {
    vec![
        Scheme::Linear { factor: s },
        Scheme::Ntk { factor: s },
        Scheme::Dynamic { factor: s },
        Scheme::Yarn(YarnParams::with_factor(s)),
        Scheme::Llama3 {
            factor: s,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: l,
        },
    ]
}

/// LongRoPE with long factors rising from 1 to s (the shape searched factors have).
fn longrope(s: f64, half: usize) -> Scheme {
    Scheme::LongRope {
        short_factor: vec![1.0; half],
        long_factor: (0..half)
            .map(|j| 1.0 + (s - 1.0) * j as f64 / (half - 1).max(1) as f64)
            .collect(),
        factor: Some(s),
        original_max_position_embeddings: None,
        attention_factor: None,
    }
}

proptest! {
    /// With s ≥ 1 no scheme speeds a pair up, none slows it by more than s (dynamic NTK aside,
    /// whose effective factor at 4L is 3s + 1), and the fastest pair is never slowed by NTK,
    /// YaRN, Llama 3 or this LongRoPE.
    #[test]
    fn frequencies_only_slow_down_and_by_at_most_s(
        half in 2usize..80, theta in 100.0..1e7f64, l in 256usize..65536, s in 1.0..64.0f64,
    ) {
        let base = Base::new(2 * half, theta, l).unwrap();
        let original = base.inv_freq();
        let mut all = schemes(s, l);
        all.push(longrope(s, half));
        for scheme in all {
            // Evaluated at 4L, where dynamic NTK and LongRoPE's long list are in play.
            let scaled = compute(&base, &scheme, 4 * l).unwrap();
            for (j, (a, b)) in original.iter().zip(&scaled.inv_freq).enumerate() {
                let ratio = b / a;
                prop_assert!(ratio <= 1.0 + 1e-12, "{} pair {}: {}", scheme.name(), j, ratio);
                if !matches!(scheme, Scheme::Dynamic { .. }) {
                    prop_assert!(ratio >= 1.0 / s - 1e-12, "{} pair {}: {}", scheme.name(), j, ratio);
                }
            }
            if matches!(scheme, Scheme::Ntk { .. } | Scheme::Yarn(_) | Scheme::Llama3 { .. } | Scheme::LongRope { .. }) {
                prop_assert!((scaled.inv_freq[0] - 1.0).abs() < 1e-12, "{}", scheme.name());
            }
        }
    }

    /// A factor of 1 changes nothing, for every scheme.
    #[test]
    fn factor_one_is_the_identity(half in 2usize..80, theta in 100.0..1e7f64, l in 256usize..65536) {
        let base = Base::new(2 * half, theta, l).unwrap();
        let mut all = schemes(1.0, l);
        all.push(longrope(1.0, half));
        // Dynamic NTK is the exception: with factor 1 it still stretches inputs longer than L
        // (α = n / L), so it is checked within L only.
        for scheme in all {
            let at = if matches!(scheme, Scheme::Dynamic { .. }) { l } else { 4 * l };
            let scaled = compute(&base, &scheme, at).unwrap();
            for (a, b) in base.inv_freq().iter().zip(&scaled.inv_freq) {
                prop_assert!((a - b).abs() <= 1e-12 * a, "{}", scheme.name());
            }
            prop_assert_eq!(scaled.attention_factor, 1.0);
        }
    }
}

/// YaRN's correction dimension inverts the wavelength: pair j = correction_dim(r) turns exactly r
/// times in L positions.
#[test]
fn correction_dim_inverts_the_turn_count() {
    let (dim, theta, l) = (128usize, 10000f64, 4096usize);
    for r in [1.0, 4.0, 32.0] {
        let j = correction_dim(r, dim, theta, l);
        let turns = l as f64 * theta.powf(-2.0 * j / dim as f64) / (2.0 * PI);
        assert!((turns - r).abs() < 1e-9, "{r}: {turns}");
    }
}

#[test]
fn yarn_defaults_follow_the_reference() {
    // factor from the length ratio when null; attention 0.1 ln s + 1; DeepSeek's mscale ratio.
    let base = Base::new(64, 10000.0, 16384).unwrap();
    let implied = Scheme::Yarn(YarnParams {
        original_max_position_embeddings: Some(4096),
        ..YarnParams::default()
    });
    let a = compute(&base, &implied, 16384).unwrap();
    assert!((a.attention_factor - (0.1 * 4f64.ln() + 1.0)).abs() < 1e-15);
    let deepseek = Scheme::Yarn(YarnParams {
        original_max_position_embeddings: Some(4096),
        mscale: Some(1.0),
        mscale_all_dim: Some(1.0),
        ..YarnParams::with_factor(40.0)
    });
    // Equal mscale and mscale_all_dim cancel: attention factor 1.
    assert_eq!(
        compute(&base, &deepseek, 16384).unwrap().attention_factor,
        1.0
    );
}
