//! What every scheme starts from and returns: the unscaled rotary setup [`Base`], its inverse
//! frequencies `θ_j`, and the outcome [`Scaled`]. The checks the schemes share live here too.

use errors::key;

use crate::Result;

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
    /// An odd or zero `dim` (or one above 65536), a `theta` that is not finite and above 1, or a
    /// zero length.
    ///
    /// ```
    /// let b = scaling::Base::new(128, 10000.0, 4096)?;
    /// assert_eq!(b.inv_freq().len(), 64);
    /// let e = scaling::Base::new(7, 10000.0, 4096).unwrap_err();
    /// assert_eq!(e.to_string(), "`rotary dim` = 7 is not allowed: it must be even, 2 to 65536");
    /// # Ok::<(), scaling::Error>(())
    /// ```
    pub fn new(dim: usize, theta: f64, max_position_embeddings: usize) -> Result<Self> {
        if dim < 2 || !dim.is_multiple_of(2) || dim > 1 << 16 {
            return Err(key("rotary dim", dim, "it must be even, 2 to 65536"));
        }
        if !(theta.is_finite() && theta > 1.0) {
            return Err(key(
                "rope_theta",
                theta,
                "it must be a finite number above 1",
            ));
        }
        if max_position_embeddings == 0 {
            return Err(key("max_position_embeddings", 0, "it must be positive"));
        }
        Ok(Base {
            dim,
            theta,
            max_position_embeddings,
        })
    }

    /// The unscaled inverse frequencies `θ_j = theta^(−2j/dim)`, as the reference computes them
    /// (`1 / theta^(arange(0, dim, 2) / dim)`).
    ///
    /// ```
    /// let b = scaling::Base::new(4, 100.0, 4096)?;
    /// assert_eq!(b.inv_freq(), [1.0, 0.1]);
    /// # Ok::<(), scaling::Error>(())
    /// ```
    pub fn inv_freq(&self) -> Vec<f64> {
        inv_freq(self.dim, self.theta)
    }
}

/// `θ_j = theta^(−2j/dim)` for `j < dim/2`: the one place this crate computes it (NTK-style
/// schemes call it with a larger `theta`).
pub(crate) fn inv_freq(dim: usize, theta: f64) -> Vec<f64> {
    (0..dim / 2)
        .map(|j| 1.0 / theta.powf((2 * j) as f64 / dim as f64))
        .collect()
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

/// `factor` if it is a positive finite number, else an error naming `name`.
pub(crate) fn check_factor(name: &str, factor: f64) -> Result<f64> {
    if !(factor.is_finite() && factor > 0.0) {
        return Err(key(
            name,
            factor,
            "a scaling factor must be a positive finite number",
        ));
    }
    Ok(factor)
}

/// `n` if it is a positive length, else an error naming `name`.
pub(crate) fn check_length(name: &str, n: usize) -> Result<usize> {
    if n == 0 {
        return Err(key(name, 0, "a context length must be positive"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_checked() {
        assert!(Base::new(7, 10000.0, 10).is_err());
        assert!(Base::new(8, 1.0, 10).is_err());
        assert!(Base::new(8, 10000.0, 0).is_err());
    }
}
