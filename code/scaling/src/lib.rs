//! Chapter 6 of the book, "Beyond the training length" (`src/scaling.md`): how each published
//! RoPE scaling scheme changes the inverse frequencies `θ_j` (and, for some, the attention scale),
//! computed as Hugging Face transformers' `modeling_rope_utils.py` computes them.
//!
//! We follow the current form of that file (transformers 5, `rope_parameters`). Where older
//! releases computed something else, the function says so.
//!
//! Run the chapter's inspector with
//! `cargo run -p scaling --example inspect -- code/scaling/tests/fixtures/llama-3.1-8b.json`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::f64::consts::PI;
use std::fmt;

pub mod config;
pub mod figures;
pub mod report;

pub use figures::figures;

/// Why a call into this crate was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A setting that breaks the rule stated; `what` names the config key where there is one.
    Bad {
        /// The key or setting.
        what: String,
        /// Its value, as text.
        value: String,
        /// The rule.
        rule: String,
    },
    /// A required key is absent.
    Missing {
        /// The key.
        key: String,
        /// Why it is needed.
        why: String,
    },
    /// The file is not JSON.
    Json(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bad { what, value, rule } => {
                write!(f, "`{what}` = {value} is not allowed: {rule}")
            }
            Error::Missing { key, why } => write!(f, "missing key `{key}`: {why}"),
            Error::Json(e) => write!(f, "not valid JSON: {e}"),
        }
    }
}

impl std::error::Error for Error {}

pub(crate) fn bad(
    what: impl Into<String>,
    value: impl fmt::Display,
    rule: impl Into<String>,
) -> Error {
    Error::Bad {
        what: what.into(),
        value: value.to_string(),
        rule: rule.into(),
    }
}

/// The unscaled rotary setup of a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Base {
    /// The number of rotated dimensions (`head_dim × partial_rotary_factor`).
    pub dim: usize,
    /// `rope_theta`.
    pub theta: f64,
    /// `max_position_embeddings` of the config.
    pub max_position_embeddings: usize,
}

impl Base {
    /// Checks the setup.
    ///
    /// # Errors
    /// An odd or zero `dim`, a `theta` that is not finite and above 1, or a zero length.
    pub fn new(dim: usize, theta: f64, max_position_embeddings: usize) -> Result<Self, Error> {
        if dim < 2 || !dim.is_multiple_of(2) || dim > 1 << 16 {
            return Err(bad("rotary dim", dim, "it must be even, 2 to 65536"));
        }
        if !(theta.is_finite() && theta > 1.0) {
            return Err(bad(
                "rope_theta",
                theta,
                "it must be a finite number above 1",
            ));
        }
        if max_position_embeddings == 0 {
            return Err(bad("max_position_embeddings", 0, "it must be positive"));
        }
        Ok(Base {
            dim,
            theta,
            max_position_embeddings,
        })
    }

    /// The unscaled inverse frequencies `θ_j = theta^(−2j/dim)`, as the reference computes them
    /// (`1 / theta^(arange(0, dim, 2) / dim)`).
    pub fn inv_freq(&self) -> Vec<f64> {
        inv_freq(self.dim, self.theta)
    }
}

fn inv_freq(dim: usize, theta: f64) -> Vec<f64> {
    (0..dim / 2)
        .map(|j| 1.0 / theta.powf((2 * j) as f64 / dim as f64))
        .collect()
}

/// A scaling scheme with its parameters, as `rope_parameters` / `rope_scaling` give them.
#[derive(Debug, Clone, PartialEq)]
pub enum Scheme {
    /// No scaling (`rope_type: "default"`).
    Default,
    /// Position interpolation (Chen et al., 2023, arXiv:2306.15595): every `θ_j / factor`.
    Linear {
        /// The interpolation factor `s`.
        factor: f64,
    },
    /// NTK-aware scaling (bloc97, 2023): a larger base, `theta · s^(dim/(dim−2))`. The reference
    /// had it as `rope_type: "ntk"` in mid-2024 releases; current ones keep only the dynamic form.
    Ntk {
        /// `s`.
        factor: f64,
    },
    /// Dynamic NTK (emozilla, 2023): the NTK base recomputed from the current length, measured
    /// against `max_position_embeddings` (the reference ignores `original_max_position_embeddings`
    /// here; a TODO in its source says so).
    Dynamic {
        /// `s`.
        factor: f64,
    },
    /// YaRN (Peng et al., 2023, arXiv:2309.00071).
    Yarn(YarnParams),
    /// Llama 3's frequency-dependent scaling.
    Llama3 {
        /// `s` (8 in Llama 3.1).
        factor: f64,
        /// Wavelengths above `L / low_freq_factor` are divided by `s` (1 in Llama 3.1).
        low_freq_factor: f64,
        /// Wavelengths below `L / high_freq_factor` are kept (4 in Llama 3.1).
        high_freq_factor: f64,
        /// `L`, the pretraining length (8192 in Llama 3.1).
        original_max_position_embeddings: usize,
    },
    /// LongRoPE (Ding et al., 2024, arXiv:2402.13753), as in Phi-3: a searched factor per frequency.
    LongRope {
        /// Per-frequency factors for sequences within the pretraining length.
        short_factor: Vec<f64>,
        /// Per-frequency factors for longer sequences.
        long_factor: Vec<f64>,
        /// `s`; when absent, `max_position_embeddings / original_max_position_embeddings`.
        factor: Option<f64>,
        /// The pretraining length.
        original_max_position_embeddings: Option<usize>,
        /// An explicit attention factor, overriding `sqrt(1 + ln s / ln L)`.
        attention_factor: Option<f64>,
    },
}

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

impl Scheme {
    /// The `rope_type` string.
    pub fn name(&self) -> &'static str {
        match self {
            Scheme::Default => "default",
            Scheme::Linear { .. } => "linear",
            Scheme::Ntk { .. } => "ntk",
            Scheme::Dynamic { .. } => "dynamic",
            Scheme::Yarn(_) => "yarn",
            Scheme::Llama3 { .. } => "llama3",
            Scheme::LongRope { .. } => "longrope",
        }
    }
}

/// The outcome: the scaled inverse frequencies and the factor the reference multiplies `cos` and
/// `sin` by (1 where the scheme has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Scaled {
    /// `θ'_j`, one per rotated pair.
    pub inv_freq: Vec<f64>,
    /// The attention factor (`attention_scaling` in Hugging Face).
    pub attention_factor: f64,
}

fn check_factor(key: &str, factor: f64) -> Result<f64, Error> {
    if !(factor.is_finite() && factor > 0.0) {
        return Err(bad(
            key,
            factor,
            "a scaling factor must be a positive finite number",
        ));
    }
    Ok(factor)
}

fn check_length(key: &str, n: usize) -> Result<usize, Error> {
    if n == 0 {
        return Err(bad(key, 0, "a context length must be positive"));
    }
    Ok(n)
}

// ANCHOR: linear
/// Position interpolation: squeeze `s·L` positions into the trained range by dividing every
/// frequency by `s` (equivalently, every position).
pub fn linear(base: &Base, factor: f64) -> Result<Scaled, Error> {
    let s = check_factor("factor", factor)?;
    Ok(Scaled {
        inv_freq: base.inv_freq().iter().map(|t| t / s).collect(),
        attention_factor: 1.0,
    })
}
// ANCHOR_END: linear

/// `theta · α^(dim/(dim−2))`, the NTK-style base for a stretch `α`; refuses `dim = 2` (the
/// exponent divides by zero, as in the reference) and a base that overflows.
fn scaled_base(base: &Base, alpha: f64) -> Result<f64, Error> {
    if base.dim < 4 {
        return Err(bad(
            "rotary dim",
            base.dim,
            "NTK-style scaling needs at least 4 rotated dimensions (the exponent is d/(d − 2))",
        ));
    }
    let d = base.dim as f64;
    let theta = base.theta * alpha.powf(d / (d - 2.0));
    if !(theta.is_finite() && theta > 1.0) {
        return Err(bad(
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
pub fn ntk(base: &Base, factor: f64) -> Result<Scaled, Error> {
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
pub fn dynamic(base: &Base, factor: f64, seq_len: usize) -> Result<Scaled, Error> {
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

/// YaRN's `find_correction_dim`: the (fractional) dimension index whose pair turns `rotations`
/// times over `length` positions, `dim · ln(length / (2π · rotations)) / (2 ln theta)`.
pub fn correction_dim(rotations: f64, dim: usize, theta: f64, length: usize) -> f64 {
    dim as f64 * (length as f64 / (rotations * 2.0 * PI)).ln() / (2.0 * theta.ln())
}

/// YaRN's correction range `(low, high)` in pair indices: pairs below `low` turn more than
/// `beta_fast` times in `length` and are left alone, pairs above `high` turn fewer than
/// `beta_slow` times and are fully interpolated. Rounded outward when `truncate`.
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

/// `0.1 · mscale · ln(s) + 1` for `s > 1`, else 1 (YaRN's `get_mscale`).
pub fn get_mscale(scale: f64, mscale: f64) -> f64 {
    if scale <= 1.0 {
        1.0
    } else {
        0.1 * mscale * scale.ln() + 1.0
    }
}

// ANCHOR: yarn
/// YaRN: interpolate the slow pairs by `s`, leave the fast pairs alone, blend linearly in between
/// (the "ramp" over the correction range), and scale attention by `0.1 ln s + 1`.
pub fn yarn(base: &Base, p: &YarnParams) -> Result<Scaled, Error> {
    let YarnParams {
        factor,
        original_max_position_embeddings: original,
        beta_fast,
        beta_slow,
        attention_factor,
        mscale,
        mscale_all_dim,
        truncate,
    } = p.clone();
    let l = check_length(
        "original_max_position_embeddings",
        original.unwrap_or(base.max_position_embeddings),
    )?;
    let s = match factor {
        Some(f) => check_factor("factor", f)?,
        None => base.max_position_embeddings as f64 / l as f64,
    };
    // `or`: a zero or absent beta means the default, as `get("beta_fast") or 32` does.
    let beta_fast = beta_fast.filter(|b| *b != 0.0).unwrap_or(32.0);
    let beta_slow = beta_slow.filter(|b| *b != 0.0).unwrap_or(1.0);
    for (key, b) in [("beta_fast", beta_fast), ("beta_slow", beta_slow)] {
        if !(b.is_finite() && b > 0.0) {
            return Err(bad(
                key,
                b,
                "a number of rotations must be positive and finite",
            ));
        }
    }
    if beta_fast <= beta_slow {
        return Err(bad(
            "beta_fast",
            beta_fast,
            "it must exceed beta_slow (fast pairs turn more often than slow ones)",
        ));
    }
    let attention = match (attention_factor, mscale, mscale_all_dim) {
        (Some(a), _, _) => a,
        (None, Some(m), Some(all)) if m != 0.0 && all != 0.0 => {
            get_mscale(s, m) / get_mscale(s, all)
        }
        _ => get_mscale(s, 1.0),
    };
    let attention = check_factor("attention_factor", attention)?;
    let (low, high) = correction_range(beta_fast, beta_slow, base.dim, base.theta, l, truncate);
    if !(low.is_finite() && high.is_finite()) {
        return Err(bad(
            "beta_fast",
            beta_fast,
            "the correction range must be finite (rotations too small for this length)",
        ));
    }
    // `linear_ramp_factor`: 0 below `low`, 1 above `high`, linear in between.
    let high = if low == high { high + 0.001 } else { high };
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
    Ok(Scaled {
        inv_freq,
        attention_factor: attention,
    })
}
// ANCHOR_END: yarn

// ANCHOR: yarn_paper
/// YaRN as the paper writes it: with `r_j = L θ_j / 2π` the number of turns pair `j` makes in the
/// training length, `γ = clamp((r_j − α) / (β − α), 0, 1)` (α = `beta_slow`, β = `beta_fast`) and
/// `θ'_j = (1 − γ) θ_j / s + γ θ_j`. The ramp is linear in `r`; the reference code's is linear in
/// the pair index (so logarithmic in `r`) and rounds the range outward.
///
/// # Errors
/// A bad factor or length, or `beta_fast ≤ beta_slow`.
pub fn yarn_paper(
    base: &Base,
    factor: f64,
    original: usize,
    beta_fast: f64,
    beta_slow: f64,
) -> Result<Scaled, Error> {
    let s = check_factor("factor", factor)?;
    let l = check_length("original_max_position_embeddings", original)? as f64;
    if !(beta_fast > beta_slow && beta_slow > 0.0 && beta_fast.is_finite()) {
        return Err(bad(
            "beta_fast",
            beta_fast,
            "it must exceed beta_slow, both positive and finite",
        ));
    }
    let inv_freq = base
        .inv_freq()
        .iter()
        .map(|&theta| {
            let r = l * theta / (2.0 * PI);
            let gamma = ((r - beta_slow) / (beta_fast - beta_slow)).clamp(0.0, 1.0);
            (1.0 - gamma) * theta / s + gamma * theta
        })
        .collect();
    Ok(Scaled {
        inv_freq,
        attention_factor: get_mscale(s, 1.0),
    })
}
// ANCHOR_END: yarn_paper

// ANCHOR: llama3
/// Llama 3: wavelengths shorter than `L / high_freq_factor` are kept, longer than
/// `L / low_freq_factor` divided by `s`, and in between blended by how many times the pair turns
/// in `L`.
pub fn llama3(
    base: &Base,
    factor: f64,
    low_freq_factor: f64,
    high_freq_factor: f64,
    original: usize,
) -> Result<Scaled, Error> {
    let s = check_factor("factor", factor)?;
    let l = check_length("original_max_position_embeddings", original)? as f64;
    check_factor("low_freq_factor", low_freq_factor)?;
    check_factor("high_freq_factor", high_freq_factor)?;
    if high_freq_factor <= low_freq_factor {
        return Err(bad(
            "high_freq_factor",
            high_freq_factor,
            "it must exceed low_freq_factor",
        ));
    }
    let (low_wavelen, high_wavelen) = (l / low_freq_factor, l / high_freq_factor);
    let inv_freq = base
        .inv_freq()
        .iter()
        .map(|&theta| {
            let wavelen = 2.0 * PI / theta;
            if wavelen < high_wavelen {
                theta
            } else if wavelen > low_wavelen {
                theta / s
            } else {
                let smooth = (l / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
                (1.0 - smooth) * theta / s + smooth * theta
            }
        })
        .collect();
    Ok(Scaled {
        inv_freq,
        attention_factor: 1.0,
    })
}
// ANCHOR_END: llama3

// ANCHOR: longrope
/// LongRoPE: divide each frequency by its own searched factor, the long list for sequences beyond
/// the pretraining length `L`, the short list otherwise; scale attention by `sqrt(1 + ln s / ln L)`.
/// (Mid-2024 releases of the reference replaced an explicit `factor` by the length ratio whenever
/// a top-level `original_max_position_embeddings` was present; Phi-3's configs give no `factor`,
/// so both forms agree on them.)
pub fn longrope(
    base: &Base,
    short_factor: &[f64],
    long_factor: &[f64],
    factor: Option<f64>,
    original: Option<usize>,
    attention_factor: Option<f64>,
    seq_len: usize,
) -> Result<Scaled, Error> {
    let half = base.dim / 2;
    for (key, list) in [("short_factor", short_factor), ("long_factor", long_factor)] {
        if list.len() != half {
            return Err(bad(
                key,
                format!("a list of {}", list.len()),
                format!("it needs one factor per rotated pair: {half}"),
            ));
        }
        if let Some(x) = list.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
            return Err(bad(key, x, "every factor must be a positive finite number"));
        }
    }
    let l = check_length(
        "original_max_position_embeddings",
        original.unwrap_or(base.max_position_embeddings),
    )?;
    let s = match factor {
        Some(f) => check_factor("factor", f)?,
        None => base.max_position_embeddings as f64 / l as f64,
    };
    if l < 2 {
        return Err(bad(
            "original_max_position_embeddings",
            l,
            "LongRoPE's attention factor divides by ln L: L must be at least 2",
        ));
    }
    let attention = match attention_factor {
        Some(a) => a,
        None if s <= 1.0 => 1.0,
        None => (1.0 + s.ln() / (l as f64).ln()).sqrt(),
    };
    let attention = check_factor("attention_factor", attention)?;
    let list = if seq_len > l {
        long_factor
    } else {
        short_factor
    };
    Ok(Scaled {
        inv_freq: base
            .inv_freq()
            .iter()
            .zip(list)
            .map(|(theta, f)| theta / f)
            .collect(),
        attention_factor: attention,
    })
}
// ANCHOR_END: longrope

/// Computes any scheme for a sequence of `seq_len` tokens (which only dynamic NTK and LongRoPE
/// look at).
///
/// # Errors
/// Parameters that break the scheme's rules, each naming its key.
pub fn compute(base: &Base, scheme: &Scheme, seq_len: usize) -> Result<Scaled, Error> {
    match scheme {
        Scheme::Default => Ok(Scaled {
            inv_freq: base.inv_freq(),
            attention_factor: 1.0,
        }),
        Scheme::Linear { factor } => linear(base, *factor),
        Scheme::Ntk { factor } => ntk(base, *factor),
        Scheme::Dynamic { factor } => dynamic(base, *factor, seq_len),
        Scheme::Yarn(p) => yarn(base, p),
        Scheme::Llama3 {
            factor,
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
        } => llama3(
            base,
            *factor,
            *low_freq_factor,
            *high_freq_factor,
            *original_max_position_embeddings,
        ),
        Scheme::LongRope {
            short_factor,
            long_factor,
            factor,
            original_max_position_embeddings,
            attention_factor,
        } => longrope(
            base,
            short_factor,
            long_factor,
            *factor,
            *original_max_position_embeddings,
            *attention_factor,
            seq_len,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Base {
        Base::new(128, 10000.0, 4096).unwrap()
    }

    #[test]
    fn linear_divides_every_frequency() {
        let b = base();
        let s = linear(&b, 4.0).unwrap();
        for (a, t) in s.inv_freq.iter().zip(b.inv_freq()) {
            assert_eq!(*a, t / 4.0);
        }
        assert!(linear(&b, 0.0).is_err());
        assert!(linear(&b, f64::NAN).is_err());
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

    #[test]
    fn llama3_thresholds() {
        let b = Base::new(128, 500000.0, 131072).unwrap();
        let l = llama3(&b, 8.0, 1.0, 4.0, 8192).unwrap();
        for (&t, &t2) in b.inv_freq().iter().zip(&l.inv_freq) {
            let wavelen = 2.0 * PI / t;
            if wavelen < 2048.0 {
                assert_eq!(t2, t);
            } else if wavelen > 8192.0 {
                assert_eq!(t2, t / 8.0);
            }
        }
        assert!(llama3(&b, 8.0, 4.0, 1.0, 8192).is_err());
    }

    #[test]
    fn longrope_checks_its_lists() {
        let b = Base::new(8, 10000.0, 4096).unwrap();
        let e = longrope(&b, &[1.0; 3], &[1.0; 4], Some(32.0), None, None, 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`short_factor` = a list of 3 is not allowed: it needs one factor per rotated pair: 4"
        );
        assert!(longrope(&b, &[1.0; 4], &[0.0; 4], Some(32.0), None, None, 10).is_err());
        let short = longrope(
            &b,
            &[1.0, 2.0, 3.0, 4.0],
            &[5.0; 4],
            None,
            Some(1024),
            None,
            10,
        )
        .unwrap();
        assert_eq!(short.inv_freq[1], b.inv_freq()[1] / 2.0);
        let long = longrope(&b, &[1.0; 4], &[5.0; 4], None, Some(1024), None, 2048).unwrap();
        assert_eq!(long.inv_freq[0], 1.0 / 5.0);
        // s = 4096 / 1024 = 4: sqrt(1 + ln 4 / ln 1024) = sqrt(1.2).
        assert!((long.attention_factor - 1.2f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn overflow_and_degenerate_settings_are_errors() {
        let b = base();
        assert!(ntk(&b, 1e300).is_err());
        let two = Base::new(2, 10000.0, 4096).unwrap();
        assert!(ntk(&two, 2.0).is_err());
        assert!(dynamic(&two, 2.0, 8192).is_err());
        // beta_fast must exceed beta_slow; tiny betas give an infinite range.
        let with = |p: YarnParams| yarn(&b, &p);
        let four = YarnParams::with_factor(4.0);
        assert!(
            with(YarnParams {
                beta_fast: Some(1.0),
                beta_slow: Some(32.0),
                ..four.clone()
            })
            .is_err()
        );
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
        let eight = Base::new(8, 10000.0, 4096).unwrap();
        assert!(longrope(&eight, &[1.0; 4], &[2.0; 4], None, Some(1), None, 10).is_err());
    }

    #[test]
    fn base_is_checked() {
        assert!(Base::new(7, 10000.0, 10).is_err());
        assert!(Base::new(8, 1.0, 10).is_err());
        assert!(Base::new(8, 10000.0, 0).is_err());
    }
}
