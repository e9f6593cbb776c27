//! The tables of the scaling chapter, as Markdown.

use std::f64::consts::PI;

use bookkit::{Table, fixed};
use errors::key;

use crate::base::inv_freq;
use crate::config::ModelRope;
use crate::ntk::scaled_base;
use crate::{Base, Result, Scheme, compute, correction_dim, correction_range, get_mscale};

mod json;
mod models;
mod readings;

pub use json::json;
pub use models::{models, models_rope};
pub use readings::{fixtures, logits, per_pair, reading, summary};

fn sci(x: f64) -> String {
    format!("{x:.4e}")
}

/// Per selected pair: wavelength, turns within the training length, largest angle seen in
/// training, and the largest angle at the target length.
///
/// # Errors
/// Bad base parameters.
pub fn why_it_fails(base: &Base, target: usize, pairs: &[usize]) -> Result<String> {
    let theta = base.inv_freq();
    let l = base.max_position_embeddings as f64;
    let mut t = Table::new([
        "pair j".to_string(),
        "wavelength 2π/θⱼ".to_string(),
        format!("turns in L = {}", base.max_position_embeddings),
        "largest angle in training (rad)".to_string(),
        format!("largest angle at {target} (rad)"),
    ]);
    for &j in pairs.iter().filter(|&&j| j < theta.len()) {
        let th = theta[j];
        let turns = (l - 1.0) * th / (2.0 * PI);
        t.row([
            j.to_string(),
            fixed(2.0 * PI / th, 1),
            fixed(turns, 3),
            // Positions 0 … L − 1: the largest angle is (L − 1) θ_j, wrapped or not.
            fixed(((l - 1.0) * th).min(2.0 * PI), 3)
                + if turns >= 1.0 { " (full turn)" } else { "" },
            fixed(((target as f64 - 1.0) * th).min(2.0 * PI), 3),
        ]);
    }
    Ok(format!(
        "{t}\ndim {}, base {}. A pair that never completes a turn in training has only seen angles \
         up to its training maximum; a longer input shows it larger ones.\n",
        base.dim, base.theta
    ))
}

/// Counts of frequencies Llama 3 keeps, divides and smooths, with the wavelength limits.
///
/// # Errors
/// A model that does not use Llama 3 scaling.
pub fn llama3_counts(model: &ModelRope) -> Result<String> {
    let Scheme::Llama3 {
        factor,
        low_freq_factor,
        high_freq_factor,
        original_max_position_embeddings: l,
    } = model.scheme
    else {
        return Err(key(
            "rope_type",
            model.scheme.name(),
            "this table needs llama3",
        ));
    };
    let (low, high) = (l as f64 / low_freq_factor, l as f64 / high_freq_factor);
    let (mut kept, mut divided, mut smoothed) = (0, 0, 0);
    for th in model.base.inv_freq() {
        let w = 2.0 * PI / th;
        if w < high {
            kept += 1;
        } else if w > low {
            divided += 1;
        } else {
            smoothed += 1;
        }
    }
    let mut t = Table::new(["frequencies", "rule", "how many"]);
    t.row([
        "kept".to_string(),
        format!(
            "wavelength below {} (= L / high_freq_factor)",
            fixed(high, 0)
        ),
        kept.to_string(),
    ]);
    t.row([
        "divided by the factor".to_string(),
        format!("wavelength above {} (= L / low_freq_factor)", fixed(low, 0)),
        divided.to_string(),
    ]);
    t.row([
        "smoothed".to_string(),
        "in between".to_string(),
        smoothed.to_string(),
    ]);
    Ok(format!(
        "{t}\n{} frequencies in all (head_dim {}, rope_theta {}, factor {factor}, L = {l}).\n",
        model.base.dim / 2,
        model.base.dim,
        model.base.theta
    ))
}

/// YaRN's correction range for several `(dim, base, L)`, before and after rounding outward.
pub fn yarn_ranges(cases: &[(usize, f64, usize, &str)]) -> String {
    let mut t = Table::new([
        "model shape",
        "dim",
        "base",
        "L",
        "low (β_fast = 32)",
        "high (β_slow = 1)",
        "range used (pairs)",
    ]);
    for &(dim, theta, l, name) in cases {
        let (lo, hi) = (
            correction_dim(32.0, dim, theta, l),
            correction_dim(1.0, dim, theta, l),
        );
        let (a, b) = correction_range(32.0, 1.0, dim, theta, l, true);
        t.row([
            name.to_string(),
            dim.to_string(),
            format!("{theta}"),
            l.to_string(),
            fixed(lo, 3),
            fixed(hi, 3),
            format!("{} – {}", fixed(a, 0), fixed(b, 0)),
        ]);
    }
    t.to_string()
}

/// The NTK-aware base for several factors, with the slowest wavelength before and after.
///
/// # Errors
/// Bad base parameters, or a factor whose scaled base overflows.
pub fn ntk_bases(dim: usize, theta: f64, factors: &[f64]) -> Result<String> {
    let mut t = Table::new([
        "factor s",
        "new base theta · s^(d/(d−2))",
        "slowest wavelength before → after",
    ]);
    let base = Base::new(dim, theta, 1)?;
    // The wavelength 2π/θ_j of the last pair, j = dim/2 − 1.
    let slowest = |b: f64| 2.0 * PI / inv_freq(dim, b).last().copied().unwrap_or(f64::NAN);
    for &s in factors {
        let new = scaled_base(&base, s)?;
        t.row([
            format!("{s}"),
            fixed(new, 1),
            format!("{} → {}", fixed(slowest(theta), 0), fixed(slowest(new), 0)),
        ]);
    }
    Ok(format!("{t}\ndim {dim}, base {theta}.\n"))
}

/// YaRN's and LongRoPE's attention factors for several scale factors.
pub fn attention_factors(factors: &[f64], original: usize) -> String {
    let mut t = Table::new([
        "factor s".to_string(),
        "YaRN: 0.1 ln s + 1".to_string(),
        format!("LongRoPE: sqrt(1 + ln s / ln L), L = {original}"),
    ]);
    for &s in factors {
        t.row([
            format!("{s}"),
            fixed(get_mscale(s, 1.0), 4),
            fixed(crate::longrope::default_attention(s, original), 4),
        ]);
    }
    t.to_string()
}

/// Dynamic NTK's base as the sequence grows.
///
/// # Errors
/// Bad parameters.
pub fn dynamic_bases(base: &Base, factor: f64, seq_lens: &[usize]) -> Result<String> {
    let mut t = Table::new([
        "sequence length",
        "effective base",
        "slowest frequency θ'_last",
    ]);
    for &n in seq_lens {
        let s = compute(base, &Scheme::Dynamic { factor }, n)?;
        let last = s.inv_freq.last().copied().unwrap_or(f64::NAN);
        // Recover the base from the slowest frequency: θ_last = b^(−(d−2)/d).
        let d = base.dim as f64;
        let b = last.powf(-d / (d - 2.0));
        t.row([n.to_string(), fixed(b, 1), sci(last)]);
    }
    Ok(format!(
        "{t}\ndim {}, base {}, factor {factor}, L = {}.\n",
        base.dim, base.theta, base.max_position_embeddings
    ))
}

/// YaRN's ramp as the paper writes it (linear in turns) against the reference code (linear in the
/// pair index, range rounded outward), over the pairs where either blends.
///
/// # Errors
/// Bad parameters.
pub fn yarn_paper_vs_code(base: &Base, factor: f64) -> Result<String> {
    let l = base.max_position_embeddings;
    let paper = crate::yarn_paper(base, factor, l, 32.0, 1.0)?;
    let code = crate::yarn(base, &crate::YarnParams::with_factor(factor))?;
    let theta = base.inv_freq();
    let mut t = Table::new(["pair j", "turns in L", "paper: θ'/θ", "code: θ'/θ"]);
    let mut worst = 0.0f64;
    for (j, th) in theta.iter().enumerate() {
        let (p, c) = (paper.inv_freq[j] / th, code.inv_freq[j] / th);
        let blending = |r: f64| r < 1.0 - 1e-12 && r > 1.0 / factor + 1e-12;
        if blending(p) || blending(c) {
            t.row([
                j.to_string(),
                fixed(l as f64 * th / (2.0 * PI), 2),
                fixed(p, 4),
                fixed(c, 4),
            ]);
            worst = worst.max((p - c).abs());
        }
    }
    Ok(format!(
        "{t}\ndim {}, base {}, L = {l}, factor {factor}; outside these pairs both keep (fast) or \
         divide by the factor (slow). Largest difference in θ'/θ: {}.\n",
        base.dim,
        base.theta,
        fixed(worst, 4)
    ))
}

/// Raising the base (Xiong et al., 2023, arXiv:2309.16039, "RoPE ABF"): every pair's wavelength
/// before and after, for selected pairs, and how many pairs never complete a turn within each of
/// the given lengths.
///
/// # Errors
/// A bad dimension or base.
pub fn base_change(
    dim: usize,
    from: f64,
    to: f64,
    pairs: &[usize],
    lengths: &[usize],
) -> Result<String> {
    let before = Base::new(dim, from, 1)?.inv_freq();
    let after = Base::new(dim, to, 1)?.inv_freq();
    let wave = |t: f64| 2.0 * PI / t;
    let mut t = Table::new([
        "pair j".to_string(),
        format!("wavelength, base {from}"),
        format!("wavelength, base {to}"),
        "ratio".to_string(),
    ]);
    for &j in pairs.iter().filter(|&&j| j < before.len()) {
        let (a, b) = (wave(before[j]), wave(after[j]));
        t.row([j.to_string(), fixed(a, 1), fixed(b, 1), fixed(b / a, 2)]);
    }
    let mut counts = Table::new([
        "length L".to_string(),
        format!("pairs with wavelength > L, base {from}"),
        format!("pairs with wavelength > L, base {to}"),
    ]);
    for &l in lengths {
        let over = |th: &[f64]| th.iter().filter(|&&x| wave(x) > l as f64).count();
        counts.row([
            l.to_string(),
            over(&before).to_string(),
            over(&after).to_string(),
        ]);
    }
    Ok(format!(
        "{t}\n{counts}\ndim {dim}, {} pairs. Pair j's wavelength grows by (to/from)^(2j/dim): 1 for \
         the fastest pair, {} for the slowest.\n",
        dim / 2,
        fixed((to / from).powf((dim - 2) as f64 / dim as f64), 1)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_change_skips_pairs_the_head_does_not_have() {
        // d = 8 has pairs 0 to 3: pair 4 is skipped, not an index out of bounds.
        let t = base_change(8, 10000.0, 500000.0, &[0, 3, 4], &[10]).unwrap();
        assert!(t.contains("\n| 3 | "), "{t}");
        assert!(!t.contains("\n| 4 | "), "{t}");
    }
}
