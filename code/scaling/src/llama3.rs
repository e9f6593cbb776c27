//! Llama 3's frequency-dependent scaling (Meta's `apply_scaling` in meta-llama/llama-models,
//! `models/llama3/model.py` at commit `43e87a3`; `rope_type: "llama3"`, `_compute_llama3_parameters`
//! in transformers 5.24.0): frequencies sorted by wavelength against the pretraining length.

use std::f64::consts::PI;

use errors::key;

use crate::base::{check_factor, check_length};
use crate::{Base, Result, Scaled};

/// Llama 3: wavelengths shorter than `L / high_freq_factor` are kept, longer than
/// `L / low_freq_factor` divided by `s`, and in between blended by how many times the pair turns
/// in `L`.
///
/// # Errors
/// A factor or length that is not positive and finite, or `high_freq_factor ≤ low_freq_factor`;
/// each names its key.
///
/// ```
/// // Llama 3.1: 500000, L = 8192, factor 8, low 1, high 4.
/// let base = scaling::Base::new(128, 500000.0, 131072)?;
/// let scaled = scaling::llama3(&base, 8.0, 1.0, 4.0, 8192)?;
/// let theta = base.inv_freq();
/// assert_eq!(scaled.inv_freq[0], theta[0]); // wavelength 2π: kept
/// assert_eq!(scaled.inv_freq[63], theta[63] / 8.0); // wavelength far beyond 8192: divided
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn llama3(
    base: &Base,
    factor: f64,
    low_freq_factor: f64,
    high_freq_factor: f64,
    original: usize,
) -> Result<Scaled> {
    let s = check_factor("factor", factor)?;
    let l = check_length("original_max_position_embeddings", original)? as f64;
    check_factor("low_freq_factor", low_freq_factor)?;
    check_factor("high_freq_factor", high_freq_factor)?;
    // `high_freq_factor <= low_freq_factor` is computed, as transformers 5.24.0 does (its
    // validator only warns; the config reader warns too): then no wavelength lies strictly
    // between the two limits, and each is divided or kept, in the reference's order.
    // ANCHOR: llama3
    let (low_wavelen, high_wavelen) = (l / low_freq_factor, l / high_freq_factor);
    let inv_freq: Vec<f64> = base
        .inv_freq()
        .iter()
        .map(|&theta| {
            let wavelen = 2.0 * PI / theta;
            if wavelen > low_wavelen {
                theta / s // turns fewer than low_freq_factor times in L: interpolated
            } else if wavelen < high_wavelen {
                theta // turns more than high_freq_factor times: kept
            } else {
                let smooth = (l / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
                (1.0 - smooth) * theta / s + smooth * theta
            }
        })
        .collect();
    // ANCHOR_END: llama3
    if inv_freq.iter().any(|t| !t.is_finite()) {
        return Err(key(
            "high_freq_factor",
            high_freq_factor,
            "it equals low_freq_factor and a wavelength falls exactly on L / low_freq_factor, where the smoothing divides 0 by 0",
        ));
    }
    Ok(Scaled {
        inv_freq,
        attention_factor: 1.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // high_freq_factor below low_freq_factor: computed, each pair kept or divided.
        let odd = llama3(&b, 8.0, 4.0, 1.0, 8192).unwrap();
        for (&t, &t2) in b.inv_freq().iter().zip(&odd.inv_freq) {
            assert!(t2 == t || t2 == t / 8.0, "{t} {t2}");
        }
        // Equal factors with a wavelength exactly on the limit: 0 / 0 in the reference, refused.
        let one = Base::new(2, 10000.0, 64).unwrap(); // θ_0 = 1: wavelength 2π
        let l = 8usize;
        let f = l as f64 / (2.0 * PI);
        assert_eq!(l as f64 / f, 2.0 * PI, "the limit lands on the wavelength");
        let e = llama3(&one, 8.0, f, f, l).unwrap_err().to_string();
        assert!(e.starts_with("`high_freq_factor` ="), "{e}");
    }
}
