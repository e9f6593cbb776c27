//! KERPLE (Chi, Fan, Ramadge and Rudnicky, *KERPLE: Kernelized Relative Positional Embedding for
//! Length Extrapolation*, 2022, arXiv:2205.09921): a bias that is a conditionally positive
//! definite kernel of the distance, with two learned parameters per head. Read in
//! `chijames/KERPLE`, `megatron/mpu/layers.py` (`ParallelKerpleLog.forward`: `-p·log(1 + a·diff)`;
//! `ParallelKerplePower`: `-a·|m − n|^p`, with `p` clamped to at most 2), at commit
//! `25be3d712e96a3353b374f1f8e36b97d86f97ffa`.

use ndarray::Array2;

use errors::bad;

use crate::Error;

/// One head's KERPLE kernel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kerple {
    /// `−a·d^p`, `0 < p ≤ 2`: ALiBi when `p = 1`.
    Power {
        /// The scale `a > 0`.
        a: f64,
        /// The power `p` in `(0, 2]`.
        p: f64,
    },
    /// `−p·ln(1 + a·d)`.
    Log {
        /// The scale `p > 0`.
        p: f64,
        /// The rate `a > 0`.
        a: f64,
    },
}

fn positive(what: &'static str, x: f64) -> Result<(), Error> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(bad(
            what,
            x,
            "KERPLE's parameters are positive finite numbers",
        ))
    }
}

impl Kerple {
    /// The power kernel.
    ///
    /// # Errors
    /// `a` not positive, or `p` outside `(0, 2]` (beyond 2 the kernel is no longer conditionally
    /// positive definite; the code clamps at 2).
    ///
    /// ```
    /// let k = runtime::Kerple::power(0.5, 1.0)?;
    /// assert_eq!(k.bias(4), -2.0);
    /// assert!(runtime::Kerple::power(0.5, 2.5).is_err());
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn power(a: f64, p: f64) -> Result<Self, Error> {
        positive("a", a)?;
        positive("p", p)?;
        if p > 2.0 {
            return Err(bad("p", p, "the power kernel needs 0 < p ≤ 2"));
        }
        Ok(Kerple::Power { a, p })
    }

    /// The logarithmic kernel.
    ///
    /// # Errors
    /// `p` or `a` not positive.
    ///
    /// ```
    /// let k = runtime::Kerple::log(2.0, 1.0)?;
    /// assert!((k.bias(3) + 2.0 * 4f64.ln()).abs() < 1e-15);
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn log(p: f64, a: f64) -> Result<Self, Error> {
        positive("p", p)?;
        positive("a", a)?;
        Ok(Kerple::Log { p, a })
    }

    // ANCHOR: bias
    /// The bias at distance `d = i − j`.
    pub fn bias(&self, d: usize) -> f64 {
        let d = d as f64;
        match *self {
            Kerple::Power { a, p } => -a * d.powf(p),
            Kerple::Log { p, a } => -p * (a * d).ln_1p(),
        }
    }
    // ANCHOR_END: bias

    /// The causal bias matrix; 0 above the diagonal (the code's `torch.tril` of the distances),
    /// which the causal mask removes.
    pub fn matrix(&self, n: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, n), |(i, j)| if j <= i { self.bias(i - j) } else { 0.0 })
    }
}
