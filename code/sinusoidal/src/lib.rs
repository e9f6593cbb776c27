//! Chapter 2 of the book, "Sinusoidal positional encoding" (`src/sinusoidal.md`).
//!
//! The encoding of Vaswani et al. (2017, arXiv:1706.03762, section 3.5) in the paper's interleaved
//! layout and in the concatenated `[sin | cos]` layout of tensor2tensor and fairseq; the rotation
//! `M_k` that moves an encoding `k` positions on; the dot product as a function of the offset; and
//! what `f32` does to large positions.
//!
//! Run the chapter's examples with `cargo run -p sinusoidal --example encode -- --dim 8`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use ndarray::{Array1, Array2, ArrayView1};

pub mod figures;
pub mod lstsq;
pub mod report;

pub use figures::figures;

pub use errors::{Error, Result};

/// The error for a base that is not a positive finite number.
fn bad_base(base: f64) -> Error {
    errors::bad(
        "base",
        base,
        "it must be a positive finite number (the paper uses 10000)",
    )
}

/// Where the sine and cosine of each frequency sit in the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The paper: `PE(p)_{2i} = sin(p ω_i)`, `PE(p)_{2i+1} = cos(p ω_i)`, `ω_i = b^{-2i/d}`.
    Interleaved,
    /// tensor2tensor's `get_timing_signal_1d` and fairseq's `SinusoidalPositionalEmbedding`:
    /// `[sin(p ω_0) … sin(p ω_{d/2-1}) | cos(p ω_0) … cos(p ω_{d/2-1})]` with
    /// `ω_i = b^{-i/(d/2-1)}` (tensor2tensor uses `max(d/2 - 1, 1)` in the denominator).
    Concatenated,
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interleaved" => Ok(Layout::Interleaved),
            "concatenated" | "concat" => Ok(Layout::Concatenated),
            other => Err(format!(
                "unknown layout `{other}`: use `interleaved` (the paper) or `concatenated` \
                 (tensor2tensor, fairseq)"
            )),
        }
    }
}

/// A sinusoidal encoding: width `d`, base `b` and layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sinusoid {
    d: usize,
    base: f64,
    layout: Layout,
}

/// The paper's base.
pub const BASE: f64 = 10000.0;

impl Sinusoid {
    /// Checks and holds the parameters.
    ///
    /// # Errors
    /// [`Error::Bad`] for a zero or odd `d`; [`Error::Bad`] for a base that is not
    /// positive and finite.
    ///
    /// ```
    /// use sinusoidal::{Layout, Sinusoid};
    /// assert!(Sinusoid::new(512, 10000.0, Layout::Interleaved).is_ok());
    /// let e = Sinusoid::new(7, 10000.0, Layout::Interleaved).unwrap_err();
    /// assert_eq!(e.to_string(), "d = 7 is not allowed: d must be even and positive \
    ///     (each frequency takes a sine and a cosine)");
    /// assert!(Sinusoid::new(8, f64::NAN, Layout::Interleaved).is_err());
    /// ```
    pub fn new(d: usize, base: f64, layout: Layout) -> Result<Self, Error> {
        if d == 0 || d % 2 == 1 {
            return Err(errors::bad(
                "d",
                d,
                "d must be even and positive (each frequency takes a sine and a cosine)",
            ));
        }
        if !(base.is_finite() && base > 0.0) {
            return Err(bad_base(base));
        }
        Ok(Sinusoid { d, base, layout })
    }

    /// The paper's encoding: interleaved, base 10000.
    ///
    /// # Errors
    /// As [`Sinusoid::new`].
    pub fn paper(d: usize) -> Result<Self, Error> {
        Sinusoid::new(d, BASE, Layout::Interleaved)
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

    // ANCHOR: frequencies
    /// The `d/2` angular frequencies `ω_i`, fastest first.
    pub fn frequencies(&self) -> Array1<f64> {
        let half = self.d / 2;
        Array1::from_shape_fn(half, |i| {
            let exponent = match self.layout {
                // ω_i = b^(-2i/d)
                Layout::Interleaved => 2.0 * i as f64 / self.d as f64,
                // ω_i = b^(-i/(d/2 - 1)), guarded as tensor2tensor does for d = 2
                Layout::Concatenated => i as f64 / (half.saturating_sub(1).max(1)) as f64,
            };
            self.base.powf(-exponent)
        })
    }
    // ANCHOR_END: frequencies

    /// For each frequency `i`: the index of its sine, the index of its cosine, and `ω_i`.
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
    pub fn wavelengths(&self) -> Array1<f64> {
        self.frequencies().mapv(|w| 2.0 * std::f64::consts::PI / w)
    }

    /// The encoding of one position (fast form: frequencies computed once per call).
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
    /// The encodings of positions `0..n`, one per row (fast form: the frequencies once, then one
    /// `sin_cos` per entry pair).
    pub fn matrix(&self, n: usize) -> Array2<f64> {
        let pairs = self.pairs();
        let mut out = Array2::zeros((n, self.d));
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

    // ANCHOR: textbook
    /// The textbook form, entry by entry as the paper writes it:
    /// `PE(pos, 2i) = sin(pos / b^{2i/d})`, `PE(pos, 2i+1) = cos(pos / b^{2i/d})` (and the
    /// concatenated layout's own exponent). Slow on purpose: one `powf` per entry.
    ///
    /// # Errors
    /// [`Error::Bad`] when `j ≥ d`.
    pub fn encode_textbook(&self, pos: usize, j: usize) -> Result<f64, Error> {
        if j >= self.d {
            return Err(errors::bad("j", j, "entries are numbered 0 to d − 1"));
        }
        let (d, pos) = (self.d as f64, pos as f64);
        Ok(match self.layout {
            Layout::Interleaved => {
                let two_i = (j - j % 2) as f64;
                let angle = pos / self.base.powf(two_i / d);
                if j.is_multiple_of(2) {
                    angle.sin()
                } else {
                    angle.cos()
                }
            }
            Layout::Concatenated => {
                let half = self.d / 2;
                let i = (j % half) as f64;
                let denominator = (half.saturating_sub(1).max(1)) as f64;
                let angle = pos / self.base.powf(i / denominator);
                if j < half { angle.sin() } else { angle.cos() }
            }
        })
    }
    // ANCHOR_END: textbook

    // ANCHOR: shift
    /// `M_k`, the matrix with `PE(p + k) = M_k PE(p)` for every `p`: for each frequency, a 2×2
    /// rotation by the angle `k ω_i` acting on that frequency's (sin, cos) pair. It does not
    /// depend on `p`. `k` may be negative.
    pub fn shift_matrix(&self, k: i64) -> Array2<f64> {
        let mut m = Array2::zeros((self.d, self.d));
        for (s, c, w) in self.pairs() {
            let (sin, cos) = (k as f64 * w).sin_cos();
            // sin(a + b) = sin a cos b + cos a sin b
            m[[s, s]] = cos;
            m[[s, c]] = sin;
            // cos(a + b) = cos a cos b - sin a sin b
            m[[c, s]] = -sin;
            m[[c, c]] = cos;
        }
        m
    }
    // ANCHOR_END: shift

    // ANCHOR: dot
    /// `PE(p) · PE(p + k)`, which equals `Σ_i cos(k ω_i)` whatever `p` is.
    pub fn dot_at_offset(&self, k: f64) -> f64 {
        self.frequencies().iter().map(|w| (k * w).cos()).sum()
    }
    // ANCHOR_END: dot

    /// The first offset `k ≥ 1` within `0..=max_k` at which the dot product rises again
    /// (`f(k + 1) > f(k)`), if any.
    pub fn first_rise(&self, max_k: usize) -> Option<usize> {
        (1..max_k).find(|&k| self.dot_at_offset((k + 1) as f64) > self.dot_at_offset(k as f64))
    }

    /// The encoding computed in `f32`, as a framework does by default: the position and the
    /// frequencies are stored as `f32`, their product is rounded to `f32`, and the sine and cosine
    /// of that rounded angle (computed in `f64` by the platform's maths library) are rounded to
    /// `f32`. The error this measures comes from the first two roundings.
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

/// The index map between the layouts: entry `j` of the concatenated vector is entry `perm[j]` of
/// the interleaved vector *built with the same frequencies*.
///
/// # Errors
/// [`Error::Bad`] for a zero or odd `d`.
///
/// ```
/// assert_eq!(sinusoidal::concat_from_interleaved(6)?, vec![0, 2, 4, 1, 3, 5]);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn concat_from_interleaved(d: usize) -> Result<Vec<usize>, Error> {
    Sinusoid::new(d, BASE, Layout::Interleaved)?;
    let half = d / 2;
    Ok((0..d)
        .map(|j| if j < half { 2 * j } else { 2 * (j - half) + 1 })
        .collect())
}

/// The sine-only variant (every other entry dropped): `[sin(p ω_0), …, sin(p ω_{d/2-1})]`.
pub fn sin_only(enc: &Sinusoid, position: usize) -> Array1<f64> {
    let p = position as f64;
    enc.frequencies().mapv(|w| (p * w).sin())
}

/// Largest absolute entry of `a - b`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ.
pub fn max_abs_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64, Error> {
    if a.len() != b.len() {
        return Err(errors::shape(
            "the two vectors must have the same length",
            [a.len()],
            [b.len()],
        ));
    }
    Ok(a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max))
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
    fn concatenated_frequencies_reach_the_base_exactly() {
        let enc = Sinusoid::new(8, BASE, Layout::Concatenated).unwrap();
        let w = enc.frequencies();
        assert_eq!(w[0], 1.0);
        assert!((w[3] - 1e-4).abs() < 1e-18);
        // d = 2: one frequency, ω_0 = 1 (tensor2tensor's max(…, 1) guard).
        let two = Sinusoid::new(2, BASE, Layout::Concatenated).unwrap();
        assert_eq!(two.frequencies().to_vec(), vec![1.0]);
    }

    #[test]
    fn layouts_parse_with_clear_errors() {
        assert_eq!("concat".parse::<Layout>(), Ok(Layout::Concatenated));
        let e = "zigzag".parse::<Layout>().unwrap_err();
        assert!(e.contains("`zigzag`"), "{e}");
        assert_eq!(
            Sinusoid::new(4, 0.0, Layout::Interleaved),
            Err(bad_base(0.0))
        );
        assert!(Sinusoid::new(0, BASE, Layout::Interleaved).is_err());
        assert!(concat_from_interleaved(3).is_err());
        assert!(max_abs_diff(Array1::zeros(2).view(), Array1::zeros(3).view()).is_err());
        let enc = Sinusoid::paper(4).unwrap();
        let e = enc.encode_textbook(0, 4).unwrap_err();
        assert!(e.to_string().contains("j = 4"), "{e}");
    }

    proptest! {
        #[test]
        fn fast_matches_textbook(
            half in 1usize..40, p in 0usize..5000, concat in any::<bool>(), base in 2.0..1e5f64
        ) {
            let layout = if concat { Layout::Concatenated } else { Layout::Interleaved };
            let enc = Sinusoid::new(2 * half, base, layout).unwrap();
            let fast = enc.encode(p);
            let row = enc.matrix(p + 1);
            for j in 0..2 * half {
                // powf-then-divide and multiply-by-powf differ by a few ulps of the angle
                // (≤ 5000 here), which moves sin/cos by at most ~1e-12.
                prop_assert!((fast[j] - enc.encode_textbook(p, j).unwrap()).abs() < 1e-11);
                prop_assert_eq!(fast[j], row[[p, j]]);
            }
        }
    }
}
