//! YaRN (Peng, Quesnelle, Fan and Shippole, *YaRN: Efficient Context Window Extension of Large
//! Language Models*, 2023, arXiv:2309.00071): keep the pairs that turn often in the training
//! length, interpolate the ones that turn rarely, blend in between, and scale attention.
//!
//! The paper and its reference code ramp differently, so both are here: [`yarn`] as the code
//! (the YaRN authors' `scaled_rope/LlamaYaRNScaledRotaryEmbedding.py` in jquesnelle/yarn at commit
//! `a18e549`, and `_compute_yarn_parameters` in transformers 5.24.0) computes it, which is what
//! trained checkpoints used, and [`yarn_paper`] as the paper writes it. They are two formulas, not
//! a slow and a fast form of one: they agree exactly on the pairs both keep or both interpolate,
//! and differ in between.

use std::f64::consts::PI;

use errors::key;

use crate::base::{check_factor, check_length};
use crate::{Base, Result, Scaled};

/// YaRN's parameters, as a config's scaling table gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct YarnParams {
    /// `s`; `None` (JSON `null`) means `max_position_embeddings /
    /// original_max_position_embeddings`. In a config the key itself is required.
    pub factor: Option<f64>,
    /// The pretraining length (defaults to `max_position_embeddings`).
    pub original_max_position_embeddings: Option<usize>,
    /// Rotations in the training length above which a pair is left alone (default 32).
    pub beta_fast: Option<f64>,
    /// Rotations below which a pair is fully interpolated (default 1).
    pub beta_slow: Option<f64>,
    /// An explicit attention factor, overriding `0.1 ln s + 1`.
    pub attention_factor: Option<f64>,
    /// DeepSeek's variant of the attention factor.
    pub mscale: Option<f64>,
    /// DeepSeek's variant of the attention factor.
    pub mscale_all_dim: Option<f64>,
    /// Round the correction range outward to whole dimensions (default true).
    pub truncate: bool,
}

impl Default for YarnParams {
    /// Every optional key absent, `truncate` on, as the reference reads an empty table.
    fn default() -> Self {
        YarnParams {
            factor: None,
            original_max_position_embeddings: None,
            beta_fast: None,
            beta_slow: None,
            attention_factor: None,
            mscale: None,
            mscale_all_dim: None,
            truncate: true,
        }
    }
}

impl YarnParams {
    /// The defaults with a factor `s`.
    pub fn with_factor(s: f64) -> Self {
        YarnParams {
            factor: Some(s),
            ..YarnParams::default()
        }
    }
}

/// YaRN's `find_correction_dim`: the (fractional) dimension index whose pair turns `rotations`
/// times over `length` positions, `dim · ln(length / (2π · rotations)) / (2 ln theta)`.
///
/// ```
/// // d = 128, base 10000, L = 4096: pair 45.03 turns once in L, pair 20.94 turns 32 times.
/// assert_eq!(format!("{:.2}", scaling::correction_dim(1.0, 128, 10000.0, 4096)), "45.03");
/// assert_eq!(format!("{:.2}", scaling::correction_dim(32.0, 128, 10000.0, 4096)), "20.94");
/// ```
pub fn correction_dim(rotations: f64, dim: usize, theta: f64, length: usize) -> f64 {
    dim as f64 * (length as f64 / (rotations * 2.0 * PI)).ln() / (2.0 * theta.ln())
}

// ANCHOR: correction_range
/// YaRN's correction range `(low, high)` in pair indices: pairs below `low` turn more than
/// `beta_fast` times in `length` and are left alone, pairs above `high` turn fewer than
/// `beta_slow` times and are fully interpolated. Rounded outward when `truncate`.
///
/// This is the reference's formula and nothing else, so the page can show it whole: it checks
/// nothing (a NaN `beta` gives a meaningless range). [`yarn`] and the config reader refuse
/// non-finite or out-of-order settings before they call it.
pub fn correction_range(
    beta_fast: f64,
    beta_slow: f64,
    dim: usize,
    theta: f64,
    length: usize,
    truncate: bool,
) -> (f64, f64) {
    let mut low = correction_dim(beta_fast, dim, theta, length);
    let mut high = correction_dim(beta_slow, dim, theta, length);
    if truncate {
        low = low.floor();
        high = high.ceil();
    }
    (low.max(0.0), high.min(dim as f64 - 1.0))
}
// ANCHOR_END: correction_range

/// `0.1 · mscale · ln(s) + 1` for `s > 1`, else 1 (YaRN's `get_mscale`).
///
/// ```
/// assert_eq!(scaling::get_mscale(1.0, 1.0), 1.0);
/// assert_eq!(scaling::get_mscale(std::f64::consts::E, 1.0), 1.1);
/// ```
pub fn get_mscale(scale: f64, mscale: f64) -> f64 {
    if scale <= 1.0 {
        1.0
    } else {
        0.1 * mscale * scale.ln() + 1.0
    }
}

/// YaRN's settings once the reference's defaults are filled in and every value is checked.
struct Checked {
    /// The factor `s`.
    s: f64,
    /// The correction range, in pair indices.
    low: f64,
    high: f64,
    /// The factor `cos` and `sin` are multiplied by.
    attention: f64,
}

/// Fills in the reference's defaults for `p` and checks every value, naming its key.
fn check(base: &Base, p: &YarnParams) -> Result<Checked> {
    let l = check_length(
        "original_max_position_embeddings",
        p.original_max_position_embeddings
            .unwrap_or(base.max_position_embeddings),
    )?;
    let s = match p.factor {
        Some(f) => check_factor("factor", f)?,
        None => base.max_position_embeddings as f64 / l as f64,
    };
    // `or`: a zero or absent beta means the default, as `get("beta_fast") or 32` does.
    let beta_fast = p.beta_fast.filter(|b| *b != 0.0).unwrap_or(32.0);
    let beta_slow = p.beta_slow.filter(|b| *b != 0.0).unwrap_or(1.0);
    for (name, b) in [("beta_fast", beta_fast), ("beta_slow", beta_slow)] {
        if !(b.is_finite() && b > 0.0) {
            return Err(key(
                name,
                b,
                "a number of rotations must be positive and finite",
            ));
        }
    }
    // `beta_fast <= beta_slow` is not refused: transformers 5.24.0 computes it (equal values give
    // `low == high`, which the ramp below widens by 0.001; a smaller `beta_fast` runs the ramp
    // backwards) and only warns when `beta_fast < beta_slow`, as the config reader does.
    let attention = match (p.attention_factor, p.mscale, p.mscale_all_dim) {
        (Some(a), _, _) => a,
        (None, Some(m), Some(all)) if m != 0.0 && all != 0.0 => {
            get_mscale(s, m) / get_mscale(s, all)
        }
        _ => get_mscale(s, 1.0),
    };
    let attention = check_factor("attention_factor", attention)?;
    let (low, high) = correction_range(beta_fast, beta_slow, base.dim, base.theta, l, p.truncate);
    if !(low.is_finite() && high.is_finite()) {
        return Err(key(
            "beta_fast",
            beta_fast,
            "the correction range must be finite (rotations too small for this length)",
        ));
    }
    Ok(Checked {
        s,
        low,
        high,
        attention,
    })
}

/// YaRN as the reference code computes it: interpolate the slow pairs by `s`, leave the fast
/// pairs alone, blend linearly in the pair index over the [`correction_range`] (the "ramp"), and
/// scale attention by `0.1 ln s + 1` (or the explicit or DeepSeek-style factor).
///
/// # Errors
/// A factor, length or attention factor that is not positive and finite; betas that are not
/// positive and finite; rotations so small that the correction range is infinite. Each names
/// its key. (`beta_fast ≤ beta_slow` is computed, as in the reference.)
///
/// ```
/// let base = scaling::Base::new(128, 10000.0, 4096)?;
/// let y = scaling::yarn(&base, &scaling::YarnParams::with_factor(16.0))?;
/// let theta = base.inv_freq();
/// assert_eq!(y.inv_freq[20], theta[20]); // turns more than 32 times in L: kept
/// assert_eq!(y.inv_freq[46], theta[46] / 16.0); // turns less than once: interpolated
/// assert_eq!(format!("{:.4}", y.attention_factor), "1.2773"); // 0.1 ln 16 + 1
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn yarn(base: &Base, p: &YarnParams) -> Result<Scaled> {
    let Checked {
        s,
        low,
        high,
        attention,
    } = check(base, p)?;
    // ANCHOR: yarn
    // `linear_ramp_factor`: 0 up to `low`, 1 from `high` on, linear in the pair index between.
    let high = if low == high { high + 0.001 } else { high }; // no 0/0, as in the reference
    let inv_freq = base
        .inv_freq()
        .iter()
        .enumerate()
        .map(|(j, &extrapolation)| {
            let ramp = ((j as f64 - low) / (high - low)).clamp(0.0, 1.0);
            let keep = 1.0 - ramp; // "extrapolation factor": 1 = unchanged
            let interpolation = extrapolation / s;
            interpolation * (1.0 - keep) + extrapolation * keep
        })
        .collect();
    // ANCHOR_END: yarn
    Ok(Scaled {
        inv_freq,
        attention_factor: attention,
    })
}

/// YaRN as the paper writes it: with `r_j = L θ_j / 2π` the number of turns pair `j` makes in the
/// training length, `γ = clamp((r_j − α) / (β − α), 0, 1)` (α = `beta_slow`, β = `beta_fast`) and
/// `θ'_j = (1 − γ) θ_j / s + γ θ_j`. The ramp is linear in `r`; the reference code's is linear in
/// the pair index (so logarithmic in `r`) and rounds the range outward.
///
/// # Errors
/// A bad factor or length, or `beta_fast ≤ beta_slow`.
///
/// ```
/// let base = scaling::Base::new(128, 10000.0, 4096)?;
/// let paper = scaling::yarn_paper(&base, 16.0, 4096, 32.0, 1.0)?;
/// let code = scaling::yarn(&base, &scaling::YarnParams::with_factor(16.0))?;
/// assert_eq!(paper.inv_freq[0], code.inv_freq[0]); // both keep the fastest pair
/// assert!((paper.inv_freq[30] - code.inv_freq[30]).abs() > 1e-6); // they blend differently
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn yarn_paper(
    base: &Base,
    factor: f64,
    original: usize,
    beta_fast: f64,
    beta_slow: f64,
) -> Result<Scaled> {
    let s = check_factor("factor", factor)?;
    let l = check_length("original_max_position_embeddings", original)? as f64;
    if !(beta_fast > beta_slow && beta_slow > 0.0 && beta_fast.is_finite()) {
        return Err(key(
            "beta_fast",
            beta_fast,
            "it must exceed beta_slow, both positive and finite",
        ));
    }
    // ANCHOR: yarn_paper
    let inv_freq = base
        .inv_freq()
        .iter()
        .map(|&theta| {
            let r = l * theta / (2.0 * PI); // turns of this pair in the training length
            let gamma = ((r - beta_slow) / (beta_fast - beta_slow)).clamp(0.0, 1.0);
            (1.0 - gamma) * theta / s + gamma * theta
        })
        .collect();
    // ANCHOR_END: yarn_paper
    Ok(Scaled {
        inv_freq,
        attention_factor: get_mscale(s, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Base {
        Base::new(128, 10000.0, 4096).unwrap()
    }

    #[test]
    fn yarn_ramps_between_the_correction_range() {
        let b = base();
        let y = yarn(&b, &YarnParams::with_factor(16.0)).unwrap();
        let (low, high) = correction_range(32.0, 1.0, 128, 10000.0, 4096, true);
        for (j, (&t, &t2)) in b.inv_freq().iter().zip(&y.inv_freq).enumerate() {
            if (j as f64) <= low {
                assert_eq!(t2, t, "pair {j} kept");
            } else if (j as f64) >= high {
                assert!((t2 - t / 16.0).abs() < 1e-18, "pair {j} interpolated");
            } else {
                assert!(t2 < t && t2 > t / 16.0, "pair {j} blended");
            }
        }
        assert!((y.attention_factor - (0.1 * 16f64.ln() + 1.0)).abs() < 1e-15);
    }

    /// The paper's ramp and the code's are different formulas, so they are tied only where both
    /// must agree: every pair the code keeps (index up to ⌊low⌋, so at least β_fast turns) or
    /// fully interpolates (from ⌈high⌉ on, at most β_slow turns) comes out bit for bit the same
    /// from the paper's formula, and so does the attention factor. In between they differ.
    #[test]
    fn yarn_and_yarn_paper_agree_outside_both_ramps() {
        for (dim, theta, l, s) in [
            (128, 10000.0, 4096, 16.0),
            (128, 500000.0, 8192, 8.0),
            (64, 10000.0, 2048, 4.0),
            (128, 1000000.0, 32768, 4.0),
        ] {
            let b = Base::new(dim, theta, l).unwrap();
            let code = yarn(&b, &YarnParams::with_factor(s)).unwrap();
            let paper = yarn_paper(&b, s, l, 32.0, 1.0).unwrap();
            let (low, high) = correction_range(32.0, 1.0, dim, theta, l, true);
            let mut differ = 0;
            for (j, (c, p)) in code.inv_freq.iter().zip(&paper.inv_freq).enumerate() {
                if j as f64 <= low || j as f64 >= high {
                    assert_eq!(c, p, "dim {dim} base {theta} L {l}: pair {j}");
                } else if (c - p).abs() > 1e-3 * c {
                    differ += 1;
                }
            }
            assert!(
                differ > 0,
                "dim {dim} base {theta} L {l}: the ramps should differ"
            );
            assert_eq!(code.attention_factor, paper.attention_factor);
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let b = base();
        // beta_fast below beta_slow is computed, as the reference does (the ramp runs
        // backwards: fast pairs interpolated, slow pairs kept); tiny betas give an infinite range.
        let with = |p: YarnParams| yarn(&b, &p);
        let four = YarnParams::with_factor(4.0);
        let backwards = with(YarnParams {
            beta_fast: Some(1.0),
            beta_slow: Some(32.0),
            ..four.clone()
        })
        .unwrap();
        assert_eq!(backwards.inv_freq[0], b.inv_freq()[0] / 4.0);
        assert_eq!(backwards.inv_freq[63], b.inv_freq()[63]);
        // Equal betas: the range collapses to one pair and is widened by 0.001, no 0/0.
        let equal = with(YarnParams {
            beta_fast: Some(1.0),
            beta_slow: Some(1.0),
            ..four.clone()
        })
        .unwrap();
        assert!(equal.inv_freq.iter().all(|t| t.is_finite()));
        assert!(
            with(YarnParams {
                beta_fast: Some(5e-324),
                beta_slow: Some(1e-324),
                ..four.clone()
            })
            .is_err()
        );
        // A negative mscale would give a negative attention factor.
        assert!(
            with(YarnParams {
                mscale: Some(-100.0),
                mscale_all_dim: Some(1.0),
                ..four
            })
            .is_err()
        );
        assert!(yarn_paper(&b, 4.0, 4096, 1.0, 32.0).is_err());
    }
}
