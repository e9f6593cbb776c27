//! RoPE on a 2-D grid: axial (half the pairs turn with the column, half with the row) and mixed
//! (every pair turns with a learned direction), after Heo et al., *Rotary Position Embedding for
//! Vision Transformer* (2024, arXiv:2403.13298), and their code `naver-ai/rope-vit`
//! (`models/vit_rope.py`, commit `04a2ad8c`: `compute_axial_cis`, `init_random_2d_freqs`,
//! `compute_mixed_cis`).
//!
//! As in that code, pairs are interleaved (`(x_0, x_1), (x_2, x_3), …`), the first `d/4` pairs
//! turn with the column `x` and the last `d/4` with the row `y`, and both halves use the same
//! `d/4` frequencies `θ_j = base^(−4j/d)`: chapter 2's frequencies for a width of `d/2`,
//! `sinusoidal::frequencies(d/2, base)`.

use ndarray::{Array1, ArrayView1, s};

use errors::bad;
use rope::{Layout, Rope};

use crate::Error;

/// Axial 2-D RoPE for heads of width `head_dim` (a multiple of 4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axial {
    half: Rope,
}

/// A position on the grid: `(row, col)`.
pub type Cell = (f64, f64);

impl Axial {
    /// Axial RoPE with base `base` (rope-vit uses 100 for its axial models).
    ///
    /// # Errors
    /// A `head_dim` that is not a positive multiple of 4 (each axis needs whole pairs), or a
    /// base that is not a finite number above 1.
    ///
    /// ```
    /// use grid::Axial;
    /// assert_eq!(Axial::new(64, 100.0)?.head_dim(), 64);
    /// let e = Axial::new(6, 100.0).unwrap_err();
    /// assert_eq!(e.to_string(), "head_dim = 6 is not allowed: it must be a positive multiple \
    ///     of 4 (half the pairs for the row, half for the column)");
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn new(head_dim: usize, base: f64) -> Result<Axial, Error> {
        if head_dim == 0 || !head_dim.is_multiple_of(4) {
            return Err(bad(
                "head_dim",
                head_dim,
                "it must be a positive multiple of 4 (half the pairs for the row, half for the \
                 column)",
            ));
        }
        Ok(Axial {
            half: Rope::new(head_dim / 2, base, Layout::Interleaved)?,
        })
    }

    /// The head width.
    pub fn head_dim(&self) -> usize {
        2 * self.half.head_dim()
    }

    /// The `d/4` frequencies each axis uses, `θ_j = base^(−4j/d)`.
    ///
    /// ```
    /// let a = grid::Axial::new(8, 100.0)?;
    /// assert_eq!(a.inv_freq().to_vec(), vec![1.0, 0.1]);
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn inv_freq(&self) -> Array1<f64> {
        self.half.inv_freq()
    }

    fn check(&self, x: ArrayView1<'_, f64>) -> Result<(), Error> {
        one_head(x, self.head_dim())
    }

    /// Rotates `x` to cell `(row, col)`: the first half of the head by 1-D RoPE at `col`, the
    /// second half at `row` (chapter 5's rotation, [`Rope::rotate`], on each half).
    ///
    /// # Errors
    /// A vector that is not one head wide, or a position that is not finite or beyond 2^53.
    ///
    /// ```
    /// use grid::Axial;
    /// use ndarray::array;
    /// let a = Axial::new(4, 100.0)?;
    /// let r = a.rotate(array![1.0, 0.0, 1.0, 0.0].view(), (0.0, std::f64::consts::PI))?;
    /// assert!((r[0] + 1.0).abs() < 1e-15 && r[2] == 1.0); // column turned half a circle, row not
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn rotate(&self, x: ArrayView1<'_, f64>, (row, col): Cell) -> Result<Array1<f64>, Error> {
        self.check(x)?;
        // ANCHOR: axial
        let h = self.half.head_dim();
        let mut out = Array1::zeros(x.len()); // [d]
        out.slice_mut(s![..h])
            .assign(&self.half.rotate(x.slice(s![..h]), col)?); // [d/2] turns with x
        out.slice_mut(s![h..])
            .assign(&self.half.rotate(x.slice(s![h..]), row)?); // [d/2] turns with y
        // ANCHOR_END: axial
        Ok(out)
    }

    /// The textbook form of [`Axial::rotate`]: pair `p = (2p, 2p + 1)` reads axis `x` for
    /// `p < d/4` and `y` after, with frequency `θ_{p mod d/4}`, and turns by position × frequency.
    ///
    /// # Errors
    /// As [`Axial::rotate`].
    ///
    /// ```
    /// use grid::Axial;
    /// use ndarray::array;
    /// let a = Axial::new(8, 100.0)?;
    /// let x = array![0.3, -1.0, 2.0, 0.5, 1.5, 0.0, -0.2, 0.8];
    /// let (fast, slow) = (a.rotate(x.view(), (2.0, 5.0))?, a.rotate_slow(x.view(), (2.0, 5.0))?);
    /// assert_eq!(fast, slow);
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn rotate_slow(
        &self,
        x: ArrayView1<'_, f64>,
        (row, col): Cell,
    ) -> Result<Array1<f64>, Error> {
        // Pair p reads the column in the first half of the head, the row in the second.
        self.by_pairs(
            x,
            |first_half| if first_half { (col, col) } else { (row, row) },
        )
    }

    /// Turns every pair `p` with frequency `θ_{p mod d/4}`, its first coordinate by the position
    /// `pick(p < d/4).0` and its second by `pick(p < d/4).1`, after checking the vector and both
    /// positions.
    fn by_pairs(
        &self,
        x: ArrayView1<'_, f64>,
        pick: impl Fn(bool) -> (f64, f64),
    ) -> Result<Array1<f64>, Error> {
        self.check(x)?;
        let theta = self.inv_freq();
        let quarter = theta.len();
        let mut out = x.to_owned();
        for p in 0..2 * quarter {
            let (pos_a, pos_b) = pick(p < quarter);
            check_position(pos_a)?;
            check_position(pos_b)?;
            let (a, b) = (pos_a * theta[p % quarter], pos_b * theta[p % quarter]);
            turn_pair(&mut out, x, p, a.sin_cos(), b.sin_cos());
        }
        Ok(out)
    }

    /// A rotation with the axes mixed *inside* each pair, to show what breaks: the first
    /// coordinate of pair `p` turns by the column angle and the second by the row angle (what
    /// a cos/sin table built for one pairing does when applied with another). It is no rotation
    /// at all unless row = column, and scores stop depending on the offset alone.
    ///
    /// # Errors
    /// As [`Axial::rotate`].
    pub fn rotate_axes_mixed_in_pairs(
        &self,
        x: ArrayView1<'_, f64>,
        (row, col): Cell,
    ) -> Result<Array1<f64>, Error> {
        // The first coordinate of every pair reads the column, the second the row.
        self.by_pairs(x, |_| (col, row))
    }

    /// `q` at cell `m` against `k` at cell `n`: the dot product of the two rotated vectors.
    ///
    /// # Errors
    /// As [`Axial::rotate`].
    ///
    /// ```
    /// use grid::Axial;
    /// use ndarray::array;
    /// let a = Axial::new(4, 100.0)?;
    /// let q = array![1.0, 2.0, -1.0, 0.5];
    /// let s1 = a.score(q.view(), q.view(), (3.0, 1.0), (1.0, 0.0))?;
    /// let s2 = a.score(q.view(), q.view(), (13.0, 8.0), (11.0, 7.0))?; // same offset (2, 1)
    /// assert!((s1 - s2).abs() < 1e-12);
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn score(
        &self,
        q: ArrayView1<'_, f64>,
        k: ArrayView1<'_, f64>,
        m: Cell,
        n: Cell,
    ) -> Result<f64, Error> {
        Ok(self.rotate(q, m)?.dot(&self.rotate(k, n)?))
    }
}

/// A vector must be one head wide.
pub(crate) fn one_head(x: ArrayView1<'_, f64>, head_dim: usize) -> Result<(), Error> {
    if x.len() != head_dim {
        return Err(errors::shape(
            "a vector to rotate must be one head wide",
            vec![head_dim],
            vec![x.len()],
        ));
    }
    Ok(())
}

/// Turns interleaved pair `p`, `(x_2p, x_2p+1)`: the first coordinate by the angle whose
/// `(sin, cos)` is `first`, the second by `second` (the same angle for a rotation).
fn turn_pair(
    out: &mut Array1<f64>,
    x: ArrayView1<'_, f64>,
    p: usize,
    (sin_a, cos_a): (f64, f64),
    (sin_b, cos_b): (f64, f64),
) {
    let (a, b) = (2 * p, 2 * p + 1);
    out[a] = x[a] * cos_a - x[b] * sin_a;
    out[b] = x[a] * sin_b + x[b] * cos_b;
}

/// Chapter 5's rule for a position: finite and at most 2^53 in size.
fn check_position(m: f64) -> Result<(), Error> {
    if m.is_finite() && m.abs() <= 9_007_199_254_740_992.0 {
        Ok(())
    } else {
        Err(bad(
            "position",
            m,
            "it must be finite and at most 2^53 in size",
        ))
    }
}

/// RoPE-Mixed: pair `p` turns by `θx_p · col + θy_p · row`, with a direction of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixed {
    freqs: Vec<(f64, f64)>,
}

impl Mixed {
    /// Mixed RoPE with the given `(θx, θy)` per interleaved pair (learned, in Heo et al.).
    ///
    /// # Errors
    /// No pairs, or a frequency that is not finite.
    ///
    /// ```
    /// let m = grid::Mixed::new(vec![(1.0, 0.5)])?;
    /// assert_eq!(m.head_dim(), 2);
    /// assert!(grid::Mixed::new(vec![]).is_err());
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn new(freqs: Vec<(f64, f64)>) -> Result<Mixed, Error> {
        if freqs.is_empty() {
            return Err(Error::Empty { what: "freqs" });
        }
        if let Some(&(x, y)) = freqs
            .iter()
            .find(|(x, y)| !(x.is_finite() && y.is_finite()))
        {
            let value = if x.is_finite() { y } else { x };
            return Err(Error::NonFinite {
                what: "freqs",
                at: None,
                value,
            });
        }
        Ok(Mixed { freqs })
    }

    /// The starting point of RoPE-Mixed in rope-vit's `init_random_2d_freqs` with its random
    /// angle fixed to `angle`: the axial magnitudes `base^(−4j/d)`, the first `d/4` pairs
    /// pointing at `angle` and the last `d/4` at `angle + π/2`. At `angle = 0` this is
    /// [`Axial`] exactly.
    ///
    /// # Errors
    /// As [`Axial::new`].
    ///
    /// ```
    /// use grid::{Axial, Mixed};
    /// assert_eq!(Mixed::heo(8, 10.0, 0.0)?, Mixed::from_axial(&Axial::new(8, 10.0)?));
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn heo(head_dim: usize, base: f64, angle: f64) -> Result<Mixed, Error> {
        let mag = Axial::new(head_dim, base)?.inv_freq();
        let (sin, cos) = angle.sin_cos();
        // rope-vit writes the second direction as (cos(α + π/2), sin(α + π/2)) = (−sin α, cos α);
        // written so, the axis-aligned case gives exact zeros.
        let first = mag.iter().map(|&m| (m * cos, m * sin));
        let second = mag.iter().map(|&m| (-m * sin, m * cos));
        Mixed::new(first.chain(second).collect())
    }

    /// Axial RoPE written as mixed frequencies: `(θ_j, 0)` for the column pairs, `(0, θ_j)` for
    /// the row pairs.
    pub fn from_axial(axial: &Axial) -> Mixed {
        let theta = axial.inv_freq();
        let first = theta.iter().map(|&t| (t, 0.0));
        let second = theta.iter().map(|&t| (0.0, t));
        Mixed {
            freqs: first.chain(second).collect(),
        }
    }

    /// The head width, two coordinates per pair.
    pub fn head_dim(&self) -> usize {
        2 * self.freqs.len()
    }

    /// The `(θx, θy)` of every pair.
    pub fn freqs(&self) -> &[(f64, f64)] {
        &self.freqs
    }

    /// Rotates `x` to cell `(row, col)`: pair `p` by `θx_p · col + θy_p · row`.
    ///
    /// # Errors
    /// A vector that is not one head wide, or a position that is not finite.
    ///
    /// ```
    /// use grid::{Axial, Mixed};
    /// use ndarray::array;
    /// let axial = Axial::new(4, 100.0)?;
    /// let x = array![1.0, 2.0, 3.0, 4.0];
    /// let mixed = Mixed::from_axial(&axial).rotate(x.view(), (2.0, 7.0))?;
    /// let want = axial.rotate(x.view(), (2.0, 7.0))?;
    /// assert!((&mixed - &want).iter().all(|e| e.abs() < 1e-15));
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn rotate(&self, x: ArrayView1<'_, f64>, (row, col): Cell) -> Result<Array1<f64>, Error> {
        one_head(x, self.head_dim())?;
        if !(row.is_finite() && col.is_finite()) {
            return Err(bad(
                "position",
                format!("({row}, {col})"),
                "it must be finite",
            ));
        }
        // ANCHOR: mixed
        let mut out = x.to_owned(); // [d]
        for (p, &(fx, fy)) in self.freqs.iter().enumerate() {
            let turn = (fx * col + fy * row).sin_cos(); // one angle, both axes
            turn_pair(&mut out, x, p, turn, turn);
        }
        // ANCHOR_END: mixed
        Ok(out)
    }

    /// `q` at cell `m` against `k` at cell `n`.
    ///
    /// # Errors
    /// As [`Mixed::rotate`].
    pub fn score(
        &self,
        q: ArrayView1<'_, f64>,
        k: ArrayView1<'_, f64>,
        m: Cell,
        n: Cell,
    ) -> Result<f64, Error> {
        Ok(self.rotate(q, m)?.dot(&self.rotate(k, n)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn frequencies_are_chapter_twos() {
        for (d, base) in [(4, 100.0), (64, 100.0), (128, 10.0), (256, 10000.0)] {
            let a = Axial::new(d, base).unwrap();
            assert_eq!(a.inv_freq(), sinusoidal::frequencies(d / 2, base).unwrap());
            assert_eq!(a.head_dim(), d);
        }
    }

    #[test]
    fn bad_settings_and_inputs_are_refused() {
        assert!(Axial::new(0, 100.0).is_err());
        assert!(Axial::new(2, 100.0).is_err());
        assert!(Axial::new(4, 1.0).is_err());
        let a = Axial::new(8, 100.0).unwrap();
        let short = array![1.0, 2.0];
        for e in [
            a.rotate(short.view(), (0.0, 0.0)).unwrap_err(),
            a.rotate_slow(short.view(), (0.0, 0.0)).unwrap_err(),
            a.rotate_axes_mixed_in_pairs(short.view(), (0.0, 0.0))
                .unwrap_err(),
        ] {
            assert!(e.to_string().contains("expected [8], got [2]"), "{e}");
        }
        let x = Array1::ones(8);
        assert!(a.rotate(x.view(), (f64::NAN, 0.0)).is_err());
        assert!(a.rotate_slow(x.view(), (f64::INFINITY, 0.0)).is_err());
        assert!(a.rotate_slow(x.view(), (0.0, 1e300)).is_err());
        assert!(
            a.rotate_axes_mixed_in_pairs(x.view(), (f64::NAN, 0.0))
                .is_err()
        );
        assert!(
            a.rotate_axes_mixed_in_pairs(x.view(), (0.0, 1e300))
                .is_err()
        );
        assert!(
            a.rotate_axes_mixed_in_pairs(x.view(), (0.0, 2f64.powi(53)))
                .is_ok()
        );
        let m = Mixed::from_axial(&a);
        assert_eq!(m.freqs().len(), 4);
        assert!(m.rotate(short.view(), (0.0, 0.0)).is_err());
        let e = m.rotate(x.view(), (0.0, f64::NAN)).unwrap_err();
        assert!(e.to_string().starts_with("position = (0, NaN)"), "{e}");
        assert!(m.rotate(x.view(), (f64::NAN, 0.0)).is_err());
        let e = Mixed::new(vec![(1.0, 0.0), (f64::INFINITY, 1.0)]).unwrap_err();
        assert!(e.to_string().contains("inf"), "{e}");
        let e = Mixed::new(vec![(1.0, f64::NAN)]).unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
    }

    #[test]
    fn mixed_in_pairs_is_no_rotation() {
        let a = Axial::new(4, 100.0).unwrap();
        let x = array![1.0, 0.0, 0.0, 1.0];
        // Column angle π/2 on the first coordinate, row angle 0 on the second: (cos, sin) =
        // (0, 0) instead of (0, 1) — the length is not kept.
        let r = a
            .rotate_axes_mixed_in_pairs(x.view(), (0.0, std::f64::consts::FRAC_PI_2))
            .unwrap();
        assert!(r[0].abs() < 1e-15 && r[1] == 0.0, "{r}");
        // Where row = column it is the ordinary rotation by that angle.
        let same = a.rotate_axes_mixed_in_pairs(x.view(), (0.7, 0.7)).unwrap();
        assert_eq!(same, a.rotate(x.view(), (0.7, 0.7)).unwrap());
        let pairs = Mixed::new(vec![(1.0, 0.0), (1.0, 0.0)]).unwrap();
        assert_eq!(same, pairs.rotate(x.view(), (3.0, 0.7)).unwrap());
    }

    #[test]
    fn heo_at_an_angle_points_the_pairs_that_way() {
        let m = Mixed::heo(8, 10.0, std::f64::consts::FRAC_PI_4).unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let f = m.freqs();
        assert!((f[0].0 - h).abs() < 1e-15 && (f[0].1 - h).abs() < 1e-15);
        assert!((f[2].0 + h).abs() < 1e-15 && (f[2].1 - h).abs() < 1e-15);
        assert!((f[1].0 - 10f64.powf(-0.5) * h).abs() < 1e-15);
    }
}
