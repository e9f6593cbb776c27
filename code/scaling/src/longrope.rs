//! LongRoPE (Ding et al., *LongRoPE: Extending LLM Context Window Beyond 2 Million Tokens*, 2024,
//! arXiv:2402.13753), as in Phi-3 (`rope_type: "longrope"`, first called `"su"`): a searched
//! factor per frequency, one list for inputs within the pretraining length and one beyond it.

use errors::key;

use crate::base::{check_factor, check_length};
use crate::{Base, Result, Scaled};

/// LongRoPE's default attention factor for a stretch `s` over a pretraining length `l`:
/// `sqrt(1 + ln s / ln l)` for `s > 1`, else 1.
///
/// ```
/// // s = 4096 / 1024 = 4: sqrt(1 + ln 4 / ln 1024) = sqrt(1.2).
/// assert_eq!(format!("{:.6}", scaling::longrope::default_attention(4.0, 1024)), "1.095445");
/// assert_eq!(scaling::longrope::default_attention(1.0, 1024), 1.0);
/// ```
pub fn default_attention(s: f64, l: usize) -> f64 {
    if s <= 1.0 {
        1.0
    } else {
        (1.0 + s.ln() / (l as f64).ln()).sqrt()
    }
}

/// LongRoPE: divide each frequency by its own searched factor, the long list for sequences beyond
/// the pretraining length `L`, the short list otherwise; scale attention by `sqrt(1 + ln s / ln L)`.
/// This is `_compute_longrope_parameters` of transformers 5.24.0. Earlier releases replaced an
/// explicit `factor` by the length ratio whenever the config had a top-level
/// `original_max_position_embeddings` (4.53.0; 4.46.3 did too, and measured the ratio from the
/// input's length when it was shorter); a config without `factor`, as our Phi-3-shaped fixture
/// is, gets the same numbers from all of them beyond the pretraining length.
///
/// # Errors
/// A list without one positive finite factor per rotated pair, a length below 2 (the attention
/// factor divides by `ln L`), or a factor or attention factor that is not positive and finite;
/// each names its key.
///
/// ```
/// let base = scaling::Base::new(8, 10000.0, 4096)?;
/// let (short, long) = ([1.0, 2.0, 3.0, 4.0], [5.0; 4]);
/// let within = scaling::longrope(&base, &short, &long, None, Some(1024), None, 10)?;
/// assert_eq!(within.inv_freq[1], base.inv_freq()[1] / 2.0);
/// let beyond = scaling::longrope(&base, &short, &long, None, Some(1024), None, 2048)?;
/// assert_eq!(beyond.inv_freq[0], 1.0 / 5.0);
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn longrope(
    base: &Base,
    short_factor: &[f64],
    long_factor: &[f64],
    factor: Option<f64>,
    original: Option<usize>,
    attention_factor: Option<f64>,
    seq_len: usize,
) -> Result<Scaled> {
    let half = base.dim / 2;
    for (name, list) in [("short_factor", short_factor), ("long_factor", long_factor)] {
        if list.len() != half {
            return Err(key(
                name,
                format!("a list of {}", list.len()),
                format!("it needs one factor per rotated pair: {half}"),
            ));
        }
        if let Some(x) = list.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
            return Err(key(
                name,
                x,
                "every factor must be a positive finite number",
            ));
        }
    }
    let l = check_length(
        "original_max_position_embeddings",
        original.unwrap_or(base.max_position_embeddings),
    )?;
    let given = factor.map(|f| check_factor("factor", f)).transpose()?;
    if l < 2 {
        return Err(key(
            "original_max_position_embeddings",
            l,
            "LongRoPE's attention factor divides by ln L: L must be at least 2",
        ));
    }
    // ANCHOR: longrope
    // `factor` when given, else the ratio of the context length to the pretraining length.
    let s = given.unwrap_or(base.max_position_embeddings as f64 / l as f64);
    let attention = check_factor(
        "attention_factor",
        attention_factor.unwrap_or_else(|| default_attention(s, l)),
    )?;
    // The list is chosen by the length of the input, not by the context length of the config.
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
    // ANCHOR_END: longrope
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_pretraining_length_below_two_is_refused() {
        let eight = Base::new(8, 10000.0, 4096).unwrap();
        assert!(longrope(&eight, &[1.0; 4], &[2.0; 4], None, Some(1), None, 10).is_err());
    }
}
