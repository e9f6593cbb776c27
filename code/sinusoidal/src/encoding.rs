//! The encoding itself: [`Sinusoid`] holds the width, base, layout and frequency schedule, and
//! computes one position
//! ([`Sinusoid::encode`]), many ([`Sinusoid::matrix`]), the textbook form
//! ([`Sinusoid::encode_slow`]) and the `f32` form ([`Sinusoid::encode_f32`]); and fairseq's
//! `f32` table as it builds it ([`fairseq_f32`]).

use ndarray::{Array1, Array2};

use crate::{BASE, Error, Layout, Schedule};

/// A sinusoidal encoding: width `d`, base `b`, layout and frequency schedule (two independent
/// choices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sinusoid {
    d: usize,
    base: f64,
    layout: Layout,
    schedule: Schedule,
}

impl Sinusoid {
    /// Checks and holds the parameters.
    ///
    /// # Errors
    /// [`Error::Bad`] for a zero or odd `d`; [`Error::Bad`] for a base that is not
    /// positive and finite.
    ///
    /// ```
    /// use sinusoidal::{Layout, Schedule, Sinusoid};
    /// assert!(Sinusoid::new(512, 10000.0, Layout::Interleaved, Schedule::Paper).is_ok());
    /// let e = Sinusoid::new(7, 10000.0, Layout::Interleaved, Schedule::Paper).unwrap_err();
    /// assert_eq!(e.to_string(), "d = 7 is not allowed: d must be even and positive \
    ///     (each frequency takes a sine and a cosine)");
    /// assert!(Sinusoid::new(8, f64::NAN, Layout::Concatenated, Schedule::Paper).is_err());
    /// ```
    pub fn new(d: usize, base: f64, layout: Layout, schedule: Schedule) -> Result<Self, Error> {
        crate::check_width_and_base(d, base)?;
        Ok(Sinusoid {
            d,
            base,
            layout,
            schedule,
        })
    }

    /// The paper's encoding: interleaved, base 10000.
    ///
    /// # Errors
    /// As [`Sinusoid::new`].
    ///
    /// ```
    /// let enc = sinusoidal::Sinusoid::paper(8)?;
    /// assert_eq!((enc.d(), enc.base()), (8, 10000.0));
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn paper(d: usize) -> Result<Self, Error> {
        Sinusoid::new(d, BASE, Layout::Interleaved, Schedule::Paper)
    }

    /// tensor2tensor's and fairseq's encoding: half-split `[sin | cos]`, frequencies
    /// `b^(−i/(d/2 − 1))`, base 10000.
    ///
    /// # Errors
    /// As [`Sinusoid::new`].
    ///
    /// ```
    /// use sinusoidal::{Layout, Schedule, Sinusoid};
    /// let t2t = Sinusoid::tensor2tensor(8)?;
    /// assert_eq!((t2t.layout(), t2t.schedule()), (Layout::Concatenated, Schedule::Tensor2Tensor));
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn tensor2tensor(d: usize) -> Result<Self, Error> {
        Sinusoid::new(d, BASE, Layout::Concatenated, Schedule::Tensor2Tensor)
    }

    /// The width.
    pub fn d(&self) -> usize {
        self.d
    }

    /// The base.
    pub fn base(&self) -> f64 {
        self.base
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The frequency schedule.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// The `d/2` angular frequencies `ω_i`, fastest first, from the schedule alone (the layout
    /// does not change them): [`crate::frequencies`] for [`Schedule::Paper`], and
    /// `ω_i = b^(-i/(d/2 - 1))` for [`Schedule::Tensor2Tensor`].
    ///
    /// ```
    /// use sinusoidal::{Layout, Schedule, Sinusoid};
    /// let paper = Sinusoid::paper(8)?;
    /// assert_eq!(paper.frequencies(), sinusoidal::frequencies(8, 10000.0)?);
    /// let t2t = Sinusoid::tensor2tensor(8)?;
    /// assert!((t2t.frequencies()[3] - 1e-4).abs() < 1e-18); // reaches 1/base exactly
    /// let mixed = Sinusoid::new(8, 10000.0, Layout::Concatenated, Schedule::Paper)?;
    /// assert_eq!(mixed.frequencies(), paper.frequencies());
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn frequencies(&self) -> Array1<f64> {
        self.schedule.frequencies_unchecked(self.d, self.base)
    }

    /// For each frequency `i`: the index of its sine, the index of its cosine, and `ω_i`.
    ///
    /// ```
    /// use sinusoidal::{Layout, Sinusoid};
    /// let paper = Sinusoid::paper(4)?;
    /// assert_eq!(paper.pairs(), vec![(0, 1, 1.0), (2, 3, 0.01)]);
    /// let t2t = Sinusoid::tensor2tensor(4)?;
    /// let (sin, cos, _) = t2t.pairs()[1];
    /// assert_eq!((sin, cos), (1, 3)); // [sin sin | cos cos]
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn pairs(&self) -> Vec<(usize, usize, f64)> {
        let half = self.d / 2;
        self.frequencies()
            .iter()
            .enumerate()
            .map(|(i, &w)| match self.layout {
                Layout::Interleaved => (2 * i, 2 * i + 1, w),
                Layout::Concatenated => (i, i + half, w),
            })
            .collect()
    }

    /// The wavelengths `2π/ω_i` in positions, shortest first.
    ///
    /// ```
    /// let lambda = sinusoidal::Sinusoid::paper(4)?.wavelengths();
    /// assert_eq!(lambda[0], 2.0 * std::f64::consts::PI); // ω_0 = 1
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn wavelengths(&self) -> Array1<f64> {
        self.frequencies().mapv(|w| 2.0 * std::f64::consts::PI / w)
    }

    /// The encoding of one position, `[d]` (fast form: the frequencies once, then one `sin_cos`
    /// per pair). [`Sinusoid::encode_slow`] is the textbook form.
    ///
    /// ```
    /// use sinusoidal::Sinusoid;
    /// let pe = Sinusoid::paper(4)?.encode(1);
    /// assert_eq!(pe.to_vec(), vec![1f64.sin(), 1f64.cos(), 0.01f64.sin(), 0.01f64.cos()]);
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn encode(&self, position: usize) -> Array1<f64> {
        let mut out = Array1::zeros(self.d);
        let p = position as f64;
        for (s, c, w) in self.pairs() {
            let (sin, cos) = (p * w).sin_cos();
            out[s] = sin;
            out[c] = cos;
        }
        out
    }

    // ANCHOR: matrix
    /// The encodings of positions `0..n`, one per row, `[n, d]` (fast form: the frequencies once,
    /// then one `sin_cos` per entry pair).
    ///
    /// # Panics
    /// Only if `n × d` entries cannot be addressed at all (more than `isize::MAX` bytes), where
    /// ndarray refuses to allocate; every size a machine can hold works.
    pub fn matrix(&self, n: usize) -> Array2<f64> {
        let pairs = self.pairs(); // (index of sin, index of cos, ω_i)
        let mut out = Array2::zeros((n, self.d)); // [n, d]
        for (p, mut row) in out.rows_mut().into_iter().enumerate() {
            for &(s, c, w) in &pairs {
                let (sin, cos) = (p as f64 * w).sin_cos();
                row[s] = sin;
                row[c] = cos;
            }
        }
        out
    }
    // ANCHOR_END: matrix

    // ANCHOR: slow
    /// The textbook form of [`Sinusoid::encode`], entry by entry as the paper writes it. Slow on
    /// purpose: one `powf` per entry.
    pub fn encode_slow(&self, position: usize) -> Array1<f64> {
        Array1::from_shape_fn(self.d, |j| self.textbook_entry(position as f64, j))
    }

    /// `PE(pos, 2i) = sin(pos / b^{2i/d})`, `PE(pos, 2i+1) = cos(pos / b^{2i/d})` for the paper;
    /// the layout picks the pair `i` and the function of entry `j < d`, the schedule the exponent.
    fn textbook_entry(&self, pos: f64, j: usize) -> f64 {
        let half = self.d / 2;
        let (i, is_sine) = match self.layout {
            Layout::Interleaved => (j / 2, j.is_multiple_of(2)),
            Layout::Concatenated => (j % half, j < half),
        };
        let angle = pos / self.base.powf(self.schedule.exponent(self.d, i));
        if is_sine { angle.sin() } else { angle.cos() }
    }
    // ANCHOR_END: slow

    /// Entry `j` of the textbook form [`Sinusoid::encode_slow`] alone.
    ///
    /// # Errors
    /// [`Error::Bad`] when `j ≥ d`.
    ///
    /// ```
    /// let enc = sinusoidal::Sinusoid::paper(4)?;
    /// assert_eq!(enc.entry_slow(1, 0)?, 1f64.sin());
    /// assert!(enc.entry_slow(1, 4).is_err());
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn entry_slow(&self, position: usize, j: usize) -> Result<f64, Error> {
        if j >= self.d {
            return Err(errors::bad("j", j, "entries are numbered 0 to d − 1"));
        }
        Ok(self.textbook_entry(position as f64, j))
    }

    /// The encoding computed in `f32`, as a framework does by default: the position and the
    /// frequencies are stored as `f32`, their product is rounded to `f32`, and the sine and cosine
    /// of that rounded angle (computed in `f64` by the platform's maths library) are rounded to
    /// `f32`. The error this measures comes from the first two roundings.
    ///
    /// ```
    /// let enc = sinusoidal::Sinusoid::paper(4)?;
    /// assert_eq!(enc.encode_f32(0), vec![0.0, 1.0, 0.0, 1.0]);
    /// // At 2^24 + 1 the position itself is no longer an f32: it rounds to 2^24.
    /// assert_eq!(enc.encode_f32(16_777_217), enc.encode_f32(16_777_216));
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn encode_f32(&self, position: usize) -> Vec<f32> {
        let mut out = vec![0f32; self.d];
        let p = position as f32;
        for (s, c, w) in self.pairs() {
            let angle = p * (w as f32);
            let (sin, cos) = f64::from(angle).sin_cos();
            out[s] = sin as f32;
            out[c] = cos as f32;
        }
        out
    }
}

/// Row `position` of fairseq's sinusoidal table as `get_embedding` builds it, every step in `f32`
/// (`SinusoidalPositionalEmbedding.get_embedding` in facebookresearch/fairseq,
/// `fairseq/modules/sinusoidal_positional_embedding.py`, commit `0491f26`): the step
/// `ln 10000 / (d/2 − 1)` is a Python double that meets an `f32` tensor and is rounded to `f32`;
/// `arange(d/2) · −step` is rounded to `f32`; its exponential, the frequencies, is rounded to
/// `f32`; the position times a frequency is rounded to `f32`; the sines fill the first half and
/// the cosines the second. The exponential, sine and cosine are computed here in `f64` and
/// rounded once, so they are correctly rounded nearly always. A framework's `f32` maths library
/// need not be: an exponential one unit in the last place off moves the angle at position `p` by
/// about `p ω 2^−24` more, the same order as the errors this path is used to measure, so this is
/// the path's own rounding with exact functions, not any one machine's table.
///
/// # Errors
/// [`Error::Bad`] for a `d` that is odd or below 4 (fairseq pads an odd width with a zero and
/// divides by `d/2 − 1`, which is 0 at `d = 2`).
///
/// ```
/// let row = sinusoidal::encoding::fairseq_f32(4, 0)?;
/// assert_eq!(row, vec![0.0, 0.0, 1.0, 1.0]); // sines, then cosines
/// // Half-split, the frequencies 1 and 10000^(−1): entry 1 is sin(p / 10000).
/// let row = sinusoidal::encoding::fairseq_f32(4, 3)?;
/// assert!((f64::from(row[1]) - (3e-4f64).sin()).abs() < 1e-9);
/// assert!(sinusoidal::encoding::fairseq_f32(2, 3).is_err());
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn fairseq_f32(d: usize, position: usize) -> Result<Vec<f32>, Error> {
    if d < 4 || !d.is_multiple_of(2) {
        return Err(errors::bad(
            "d",
            d,
            "fairseq's table needs an even width of at least 4 (it divides by d/2 − 1)",
        ));
    }
    let half = d / 2;
    let step = (BASE.ln() / (half - 1) as f64) as f32; // the scalar, rounded to the tensor's type
    let p = position as f32;
    let mut out = vec![0f32; d];
    for i in 0..half {
        let exponent = (i as f32) * -step; // rounded to f32
        let w = f64::from(exponent).exp() as f32; // the frequency, rounded to f32
        let angle = p * w; // rounded to f32
        let (sin, cos) = f64::from(angle).sin_cos();
        out[i] = sin as f32;
        out[half + i] = cos as f32;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paper_frequencies_and_wavelengths() {
        let enc = Sinusoid::paper(512).unwrap();
        let w = enc.frequencies();
        assert_eq!(w[0], 1.0);
        // ω_255 = 10000^(-510/512); its wavelength is 2π·10000^(510/512), just short of 10000·2π.
        let last = enc.wavelengths()[255];
        let want = 2.0 * std::f64::consts::PI * 10000f64.powf(510.0 / 512.0);
        assert!((last - want).abs() / want < 1e-14);
        assert!(last < 2.0 * std::f64::consts::PI * 10000.0);
    }

    #[test]
    fn t2t_frequencies_reach_the_base_exactly() {
        let enc = Sinusoid::tensor2tensor(8).unwrap();
        let w = enc.frequencies();
        assert_eq!(w[0], 1.0);
        assert!((w[3] - 1e-4).abs() < 1e-18);
        // d = 2: one frequency, ω_0 = 1 (tensor2tensor's max(…, 1) guard).
        let two = Sinusoid::tensor2tensor(2).unwrap();
        assert_eq!(two.frequencies().to_vec(), vec![1.0]);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert_eq!(
            Sinusoid::new(4, 0.0, Layout::Interleaved, Schedule::Paper),
            Err(crate::bad_base(0.0))
        );
        assert!(Sinusoid::new(0, BASE, Layout::Interleaved, Schedule::Tensor2Tensor).is_err());
        let enc = Sinusoid::paper(4).unwrap();
        let e = enc.entry_slow(0, 4).unwrap_err();
        assert!(e.to_string().contains("j = 4"), "{e}");
    }

    #[test]
    fn fairseq_widths_are_checked() {
        for d in [0, 2, 5] {
            let e = fairseq_f32(d, 1).unwrap_err().to_string();
            assert!(
                e.contains(&format!("d = {d}")) && e.contains("at least 4"),
                "{e}"
            );
        }
        assert_eq!(
            fairseq_f32(6, 0).unwrap(),
            vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
        );
    }

    #[test]
    fn fairseq_rounds_its_own_way() {
        // Rounding the step, then the exponent, then the exponential is not rounding each
        // frequency once: at position 10^5 some entry differs from the tensor2tensor encoding
        // computed by `encode_f32` (same schedule and layout, ω rounded once).
        let once = Sinusoid::tensor2tensor(512).unwrap().encode_f32(100_000);
        let fairseq = fairseq_f32(512, 100_000).unwrap();
        assert!(once.iter().zip(&fairseq).any(|(a, b)| a != b));
    }

    proptest! {
        /// fairseq's table is tensor2tensor's encoding up to its f32 roundings: the frequency
        /// ω = e^x with |x| ≤ ln 10000 carries a relative error of at most (2|x| + 1)·2^−24
        /// (step, exponent, exponential) < 1.2e-6, the product one of 2^−24 more, and the output
        /// one of 2^−24 absolute, so entry errors stay below 1.3e-6 · p + 1e-7.
        #[test]
        fn fairseq_is_tensor2tensor_in_f32(half in 2usize..64, p in 0usize..20_000) {
            let exact = Sinusoid::tensor2tensor(2 * half).unwrap().encode(p);
            let single = fairseq_f32(2 * half, p).unwrap();
            for (j, (&s, &e)) in single.iter().zip(exact.iter()).enumerate() {
                let err = (f64::from(s) - e).abs();
                prop_assert!(err < 1.3e-6 * p as f64 + 1e-7, "entry {}: {}", j, err);
            }
        }

        /// The tie between the fast and the slow form (listed in the crate doc).
        #[test]
        fn encode_matches_encode_slow(
            half in 1usize..40, p in 0usize..5000, concat in any::<bool>(), t2t in any::<bool>(),
            base in 2.0..1e5f64
        ) {
            let layout = if concat { Layout::Concatenated } else { Layout::Interleaved };
            let schedule = if t2t { Schedule::Tensor2Tensor } else { Schedule::Paper };
            let enc = Sinusoid::new(2 * half, base, layout, schedule).unwrap();
            let (fast, slow) = (enc.encode(p), enc.encode_slow(p));
            let row = enc.matrix(p + 1);
            for j in 0..2 * half {
                // powf-then-divide and multiply-by-powf differ by a few ulps of the angle
                // (≤ 5000 here), which moves sin/cos by at most ~1e-12.
                prop_assert!((fast[j] - slow[j]).abs() < 1e-11);
                prop_assert_eq!(slow[j], enc.entry_slow(p, j).unwrap());
                prop_assert_eq!(fast[j], row[[p, j]]);
            }
        }
    }
}
