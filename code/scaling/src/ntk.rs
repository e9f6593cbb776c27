//! NTK-aware scaling (bloc97, 2023) and its dynamic form (emozilla, 2023): a larger base instead
//! of smaller positions, so the fastest pair keeps its frequency and the slowest is slowed by `s`.

use errors::key;

use crate::base::{check_factor, inv_freq};
use crate::{Base, Result, Scaled};

/// `theta · α^(dim/(dim−2))`, the NTK-style base for a stretch `α`.
///
/// # Errors
/// `dim = 2` (the exponent divides by zero, as in the reference) and a base that overflows.
///
/// ```
/// let b = scaling::Base::new(4, 100.0, 4096)?;
/// assert_eq!(scaling::ntk::scaled_base(&b, 3.0)?, 900.0); // 100 · 3^(4/2)
/// assert!(scaling::ntk::scaled_base(&b, 1e300).is_err());
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn scaled_base(base: &Base, alpha: f64) -> Result<f64> {
    if base.dim < 4 {
        return Err(key(
            "rotary dim",
            base.dim,
            "NTK-style scaling needs at least 4 rotated dimensions (the exponent is d/(d − 2))",
        ));
    }
    let d = base.dim as f64;
    let theta = base.theta * alpha.powf(d / (d - 2.0));
    if !(theta.is_finite() && theta > 1.0) {
        return Err(key(
            "factor",
            alpha,
            "the scaled base theta · factor^(d/(d−2)) must stay finite",
        ));
    }
    Ok(theta)
}

// ANCHOR: ntk
/// NTK-aware scaling: keep the fastest frequency, stretch the slowest by `s`, by raising the base
/// to `theta · s^(dim/(dim−2))`.
pub fn ntk(base: &Base, factor: f64) -> Result<Scaled> {
    let s = check_factor("factor", factor)?;
    let theta = scaled_base(base, s)?;
    Ok(Scaled {
        inv_freq: inv_freq(base.dim, theta),
        attention_factor: 1.0,
    })
}
// ANCHOR_END: ntk

// ANCHOR: dynamic
/// Dynamic NTK: for a sequence of `seq_len` tokens beyond `L = max_position_embeddings`, the
/// base `theta · (s·seq_len/L − (s − 1))^(dim/(dim−2))`; up to `L`, nothing changes.
pub fn dynamic(base: &Base, factor: f64, seq_len: usize) -> Result<Scaled> {
    let s = check_factor("factor", factor)?;
    let l = base.max_position_embeddings as f64;
    let seq = (seq_len as f64).max(l); // shorter sequences use L itself: no change
    let theta = scaled_base(base, s * seq / l - (s - 1.0))?;
    Ok(Scaled {
        inv_freq: inv_freq(base.dim, theta),
        attention_factor: 1.0,
    })
}
// ANCHOR_END: dynamic

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Base {
        Base::new(128, 10000.0, 4096).unwrap()
    }

    #[test]
    fn ntk_keeps_the_fastest_and_stretches_the_slowest_by_s() {
        let b = base();
        let s = ntk(&b, 8.0).unwrap();
        assert_eq!(s.inv_freq[0], 1.0);
        // Last pair: theta'^(-(d-2)/d) = theta^(-(d-2)/d) / s exactly, up to rounding.
        let ratio = b.inv_freq()[63] / s.inv_freq[63];
        assert!((ratio - 8.0).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn dynamic_changes_nothing_within_the_original_length() {
        let b = base();
        for seq in [1, 100, 4096] {
            assert_eq!(dynamic(&b, 4.0, seq).unwrap().inv_freq, b.inv_freq());
        }
        // At seq = 2L the base grows by α = s·2 − (s − 1) = s + 1: static NTK with factor 5.
        let at = dynamic(&b, 4.0, 2 * 4096).unwrap();
        let static_ntk = ntk(&b, 5.0).unwrap();
        for (a, c) in at.inv_freq.iter().zip(&static_ntk.inv_freq) {
            assert!((a - c).abs() <= 1e-14 * c.abs());
        }
    }

    #[test]
    fn overflow_and_degenerate_settings_are_errors() {
        assert!(ntk(&base(), 1e300).is_err());
        let two = Base::new(2, 10000.0, 4096).unwrap();
        assert!(ntk(&two, 2.0).is_err());
        assert!(dynamic(&two, 2.0, 8192).is_err());
    }
}
