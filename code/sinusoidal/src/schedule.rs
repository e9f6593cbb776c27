//! The frequency schedule, chosen independently of the layout: the paper's `ω_i = b^(−2i/d)` or
//! tensor2tensor's and fairseq's `ω_i = b^(−i/(d/2 − 1))`.

use ndarray::Array1;

use crate::Error;

/// Which frequencies the `d/2` pairs get. Independent of [`crate::Layout`]: every combination of
/// the two exists in code (see the chapter's table of sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Vaswani et al. 2017 (arXiv:1706.03762), section 3.5: `ω_i = b^(−2i/d)`, `i = 0 … d/2 − 1`.
    /// The slowest pair stops at `b^(−(d−2)/d)`, short of `1/b`.
    Paper,
    /// tensor2tensor's `get_timing_signal_1d` and fairseq's `SinusoidalPositionalEmbedding.
    /// get_embedding`: `ω_i = b^(−i/(d/2 − 1))`, so the slowest pair is exactly `1/b`.
    /// tensor2tensor guards the denominator with `max(d/2 − 1, 1)`; so does this crate.
    Tensor2Tensor,
}

impl Schedule {
    /// The `d/2` frequencies, fastest first.
    ///
    /// # Errors
    /// [`Error::Bad`] for a zero or odd `d`, or a base that is not positive and finite.
    ///
    /// ```
    /// use sinusoidal::Schedule;
    /// assert_eq!(Schedule::Paper.frequencies(4, 10000.0)?.to_vec(), vec![1.0, 0.01]);
    /// assert_eq!(Schedule::Tensor2Tensor.frequencies(4, 10000.0)?.to_vec(), vec![1.0, 1e-4]);
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn frequencies(self, d: usize, base: f64) -> Result<Array1<f64>, Error> {
        crate::check_width_and_base(d, base)?;
        Ok(self.frequencies_unchecked(d, base))
    }

    /// [`Schedule::frequencies`] on a width and base already checked.
    pub(crate) fn frequencies_unchecked(self, d: usize, base: f64) -> Array1<f64> {
        match self {
            Schedule::Paper => crate::paper_frequencies(d, base),
            Schedule::Tensor2Tensor => {
                let steps = t2t_steps(d) as f64;
                Array1::from_shape_fn(d / 2, |i| base.powf(-(i as f64 / steps)))
            }
        }
    }

    /// The exponent of `b` in the textbook form `pos / b^e` of pair `i`: `2i/d` for the paper,
    /// `i/(d/2 − 1)` for tensor2tensor.
    pub(crate) fn exponent(self, d: usize, i: usize) -> f64 {
        match self {
            Schedule::Paper => (2 * i) as f64 / d as f64,
            Schedule::Tensor2Tensor => i as f64 / t2t_steps(d) as f64,
        }
    }
}

/// tensor2tensor's denominator `max(d/2 − 1, 1)`.
fn t2t_steps(d: usize) -> usize {
    (d / 2).saturating_sub(1).max(1)
}

impl std::str::FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "paper" => Ok(Schedule::Paper),
            "t2t" | "tensor2tensor" | "fairseq" => Ok(Schedule::Tensor2Tensor),
            other => Err(format!(
                "unknown schedule `{other}`: use `paper` (b^(-2i/d)) or `t2t` \
                 (b^(-i/(d/2-1)), tensor2tensor and fairseq)"
            )),
        }
    }
}

/// The ratio `ω_i(t2t) / ω_i(paper) = b^(−2i/(d(d/2 − 1)))`, in closed form: 1 at `i = 0`,
/// falling to `b^(−2/d)` at the last pair, `i = d/2 − 1`.
///
/// # Errors
/// [`Error::Bad`] for a zero or odd `d`, a bad base, or `i ≥ d/2`.
///
/// ```
/// let r = sinusoidal::schedule::ratio(8, 10000.0, 3)?;
/// assert!((r - 0.1).abs() < 1e-15); // b^(-1/4) = 10000^(-1/4)
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn ratio(d: usize, base: f64, i: usize) -> Result<f64, Error> {
    crate::check_width_and_base(d, base)?;
    let h = d / 2;
    if i >= h {
        return Err(errors::bad("i", i, "pairs are numbered 0 to d/2 − 1"));
    }
    if h == 1 {
        return Ok(1.0);
    }
    Ok(base.powf(-(i as f64) / (h * (h - 1)) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_with_clear_errors() {
        assert_eq!("fairseq".parse::<Schedule>(), Ok(Schedule::Tensor2Tensor));
        assert_eq!("paper".parse::<Schedule>(), Ok(Schedule::Paper));
        let e = "linear".parse::<Schedule>().unwrap_err();
        assert!(e.contains("`linear`"), "{e}");
        assert!(ratio(8, 10000.0, 4).is_err());
        assert!(ratio(7, 10000.0, 0).is_err());
        assert_eq!(ratio(2, 10000.0, 0), Ok(1.0));
    }

    #[test]
    fn exponents_are_the_textbook_ones() {
        assert_eq!(Schedule::Paper.exponent(8, 3), 0.75);
        assert_eq!(Schedule::Tensor2Tensor.exponent(8, 3), 1.0);
        assert_eq!(Schedule::Tensor2Tensor.exponent(2, 0), 0.0);
    }
}
