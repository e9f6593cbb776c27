//! The rotation `R_{Θ,m}`: its settings, its frequencies `θ_j`, and the textbook form that
//! rotates each pair by `m θ_j`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use errors::bad;

use crate::{Error, Layout};

/// A rotary embedding for heads of width `head_dim`, rotating the first `rotary_dim` of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rope {
    head_dim: usize,
    rotary_dim: usize,
    base: f64,
    layout: Layout,
}

impl Rope {
    /// RoPE on every dimension of the head.
    ///
    /// # Errors
    /// A zero or odd `head_dim`; a base that is not a finite number above 1.
    ///
    /// ```
    /// use rope::{Layout, Rope};
    /// assert!(Rope::new(128, 10000.0, Layout::HalfSplit).is_ok());
    /// let e = Rope::new(7, 10000.0, Layout::HalfSplit).unwrap_err();
    /// assert_eq!(e.to_string(), "head_dim = 7 is not allowed: it must be even and positive \
    ///     (coordinates are rotated in pairs)");
    /// assert!(Rope::new(64, f64::INFINITY, Layout::Interleaved).is_err());
    /// ```
    pub fn new(head_dim: usize, base: f64, layout: Layout) -> Result<Self, Error> {
        Rope::partial(head_dim, head_dim, base, layout)
    }

    /// RoPE on the first `rotary_dim` dimensions only; the rest pass through unchanged (GPT-NeoX
    /// and Pythia rotate 25%). The frequencies are spread over `rotary_dim`, as they do.
    ///
    /// # Errors
    /// A zero or odd `head_dim` or `rotary_dim`, `rotary_dim > head_dim`, or a bad base.
    pub fn partial(
        head_dim: usize,
        rotary_dim: usize,
        base: f64,
        layout: Layout,
    ) -> Result<Self, Error> {
        if head_dim == 0 || !head_dim.is_multiple_of(2) {
            return Err(bad(
                "head_dim",
                head_dim,
                "it must be even and positive (coordinates are rotated in pairs)",
            ));
        }
        if rotary_dim == 0 || !rotary_dim.is_multiple_of(2) || rotary_dim > head_dim {
            return Err(bad(
                "rotary_dim",
                rotary_dim,
                "it must be even, positive and at most head_dim",
            ));
        }
        if !(base.is_finite() && base > 1.0) {
            return Err(bad(
                "base",
                base,
                "it must be a finite number above 1 (so that frequencies fall from θ_0 = 1)",
            ));
        }
        Ok(Rope {
            head_dim,
            rotary_dim,
            base,
            layout,
        })
    }

    /// Partial rotary from a fraction, as GPT-NeoX's `rotary_pct`: `rotary_dim = ⌊head_dim · f⌋`.
    ///
    /// # Errors
    /// A fraction outside `(0, 1]`, or one that gives an odd or zero width.
    pub fn with_fraction(
        head_dim: usize,
        fraction: f64,
        base: f64,
        layout: Layout,
    ) -> Result<Self, Error> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(bad("fraction", fraction, "it must lie in (0, 1]"));
        }
        Rope::partial(
            head_dim,
            (head_dim as f64 * fraction) as usize,
            base,
            layout,
        )
    }

    /// The head width.
    pub fn head_dim(&self) -> usize {
        self.head_dim
    }

    /// How many leading dimensions are rotated.
    pub fn rotary_dim(&self) -> usize {
        self.rotary_dim
    }

    /// The base.
    pub fn base(&self) -> f64 {
        self.base
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The same embedding in the other layout.
    pub fn with_layout(&self, layout: Layout) -> Rope {
        Rope { layout, ..*self }
    }

    /// `θ_j = base^(−2j / rotary_dim)`, `j = 0 … rotary_dim/2 − 1` (the inverse frequencies):
    /// chapter 2's `ω_i`, equal to the bit to `sinusoidal::frequencies(rotary_dim, base)` (the
    /// test `inv_freq_is_the_sinusoidal_frequencies` holds them together).
    pub fn inv_freq(&self) -> Array1<f64> {
        let r = self.rotary_dim as f64;
        Array1::from_shape_fn(self.rotary_dim / 2, |j| self.base.powf(-2.0 * j as f64 / r))
    }

    /// For each frequency: the two coordinates it rotates and `θ_j`.
    pub fn pairs(&self) -> Vec<(usize, usize, f64)> {
        let half = self.rotary_dim / 2;
        self.inv_freq()
            .iter()
            .enumerate()
            .map(|(j, &theta)| match self.layout {
                Layout::Interleaved => (2 * j, 2 * j + 1, theta),
                Layout::HalfSplit => (j, j + half, theta),
            })
            .collect()
    }

    /// A vector must be one head wide; a position finite and at most 2^53 in size (beyond it `f64`
    /// no longer counts every integer).
    fn check(&self, x: ArrayView1<'_, f64>, m: f64) -> Result<(), Error> {
        if x.len() != self.head_dim {
            return Err(errors::shape(
                "a vector to rotate must be one head wide",
                vec![self.head_dim],
                vec![x.len()],
            ));
        }
        if !(m.is_finite() && m.abs() <= 9_007_199_254_740_992.0) {
            return Err(bad(
                "position",
                m,
                "it must be finite and at most 2^53 in size",
            ));
        }
        Ok(())
    }

    // ANCHOR: textbook
    /// `R_{Θ,m} x`, the textbook form: for each pair `(a, b)` with frequency `θ_j`, compute the
    /// angle `m θ_j` and rotate, `(x_a cos − x_b sin, x_a sin + x_b cos)`. Coordinates past
    /// `rotary_dim` pass through.
    ///
    /// # Errors
    /// A vector that is not `head_dim` long, or a position that is not finite or beyond 2^53
    /// (where `f64` no longer counts every integer).
    pub fn rotate(&self, x: ArrayView1<'_, f64>, m: f64) -> Result<Array1<f64>, Error> {
        self.check(x, m)?;
        let mut out = x.to_owned(); // [head_dim]
        for (a, b, theta) in self.pairs() {
            let (sin, cos) = (m * theta).sin_cos();
            out[a] = x[a] * cos - x[b] * sin;
            out[b] = x[a] * sin + x[b] * cos;
        }
        Ok(out)
    }
    // ANCHOR_END: textbook

    /// The matrix `R_{Θ,m}`: a 2×2 rotation by `m θ_j` on each pair, the identity elsewhere.
    pub fn matrix(&self, m: f64) -> Array2<f64> {
        let mut r = Array2::eye(self.head_dim);
        for (a, b, theta) in self.pairs() {
            let (sin, cos) = (m * theta).sin_cos();
            r[[a, a]] = cos;
            r[[a, b]] = -sin;
            r[[b, a]] = sin;
            r[[b, b]] = cos;
        }
        r
    }

    /// Rotates row `i` of `x` by `positions[i]`.
    ///
    /// # Errors
    /// Rows that are not `head_dim` wide, or a position count that differs from the row count.
    pub fn rotate_rows(
        &self,
        x: ArrayView2<'_, f64>,
        positions: &[usize],
    ) -> Result<Array2<f64>, Error> {
        if positions.len() != x.nrows() {
            return Err(errors::shape(
                "one position per row",
                vec![x.nrows()],
                vec![positions.len()],
            ));
        }
        let mut out = Array2::zeros(x.dim());
        for ((row, mut dst), &m) in x.rows().into_iter().zip(out.rows_mut()).zip(positions) {
            dst.assign(&self.rotate(row, m as f64)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BASE;
    use ndarray::array;
    use proptest::prelude::*;

    /// θ_j is computed in four chapters; chapter 5's must be chapter 2's ω_i, to the bit
    /// (`sinusoidal::frequencies` is the canonical copy; `scaling/tests/frequencies.rs` pins
    /// chapter 6 to this one, and `sinusoidal/tests/properties.rs` pins chapter 1's preview).
    #[test]
    fn inv_freq_is_the_sinusoidal_frequencies() {
        for (head_dim, rotary_dim) in [(2, 2), (8, 8), (64, 32), (128, 128), (256, 64)] {
            for base in [100.0, BASE, 500_000.0, 1_000_000.0] {
                let rope = Rope::partial(head_dim, rotary_dim, base, Layout::HalfSplit).unwrap();
                let want = sinusoidal::frequencies(rotary_dim, base).unwrap();
                assert_eq!(rope.inv_freq(), want, "head_dim {head_dim}, base {base}");
            }
        }
    }

    #[test]
    fn two_d_rotation_by_quarter_turns() {
        // d = 2: θ_0 = 1, so position m rotates by m radians.
        let r = Rope::new(2, BASE, Layout::Interleaved).unwrap();
        let half_pi = std::f64::consts::FRAC_PI_2;
        let out = r.rotate(array![1.0, 0.0].view(), half_pi).unwrap();
        assert!((out[0]).abs() < 1e-15 && (out[1] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn settings_are_checked() {
        assert!(Rope::new(0, BASE, Layout::Interleaved).is_err());
        assert!(Rope::partial(64, 18, BASE, Layout::HalfSplit).is_ok());
        assert!(Rope::partial(64, 66, BASE, Layout::HalfSplit).is_err());
        assert!(Rope::partial(64, 15, BASE, Layout::HalfSplit).is_err());
        assert!(Rope::new(64, -1.0, Layout::HalfSplit).is_err());
        assert!(Rope::with_fraction(64, 0.0, BASE, Layout::HalfSplit).is_err());
        assert_eq!(
            Rope::with_fraction(64, 0.25, BASE, Layout::HalfSplit)
                .unwrap()
                .rotary_dim(),
            16
        );
        // 0.3 × 10 = 3: odd.
        assert!(Rope::with_fraction(10, 0.3, BASE, Layout::HalfSplit).is_err());
        let r = Rope::new(4, BASE, Layout::HalfSplit).unwrap();
        let e = r.rotate(array![1.0, 2.0].view(), 1.0).unwrap_err();
        assert!(e.to_string().contains("expected [4], got [2]"), "{e}");
        assert!(r.rotate_rows(Array2::zeros((2, 4)).view(), &[0]).is_err());
        assert!(Rope::new(4, 1.0, Layout::HalfSplit).is_err());
        let x = array![1.0, 2.0, 3.0, 4.0];
        assert!(r.rotate(x.view(), f64::NAN).is_err());
        assert!(r.rotate(x.view(), 1e300).is_err());
    }

    fn vector(d: usize) -> impl Strategy<Value = Array1<f64>> {
        proptest::collection::vec(-3.0..3.0f64, d).prop_map(Array1::from)
    }

    fn setup() -> impl Strategy<Value = (Rope, Array1<f64>, Array1<f64>)> {
        (1usize..33, any::<bool>(), 2.0..1e6f64).prop_flat_map(|(half, split, base)| {
            let layout = if split {
                Layout::HalfSplit
            } else {
                Layout::Interleaved
            };
            let rope = Rope::new(2 * half, base, layout).expect("valid");
            (Just(rope), vector(2 * half), vector(2 * half))
        })
    }

    // ANCHOR: properties
    proptest! {
        /// q_m · k_n depends on m − n only. Angles reach ~2·10^5 radians here; each carries a
        /// rounding error of ~2·10^5 · 2^-53 ≈ 2e-11, times |q||k| (at most ~600 here): 1e-9
        /// leaves room (the worst of thousands of draws was ~1.5e-10).
        #[test]
        fn scores_depend_only_on_the_offset(
            (rope, q, k) in setup(), m in 0usize..100_000, n in 0usize..100_000, c in 0usize..100_000,
        ) {
            let score = |a: usize, b: usize| {
                rope.rotate(q.view(), a as f64).unwrap().dot(&rope.rotate(k.view(), b as f64).unwrap())
            };
            prop_assert!((score(m, n) - score(m + c, n + c)).abs() < 1e-9);
        }

        /// Rotations keep lengths, compose by adding angles, and position 0 changes nothing.
        #[test]
        fn rotations_are_rotations((rope, q, _k) in setup(), m in 0usize..10_000, n in 0usize..10_000) {
            let rq = rope.rotate(q.view(), m as f64).unwrap();
            prop_assert!((rq.dot(&rq) - q.dot(&q)).abs() < 1e-9);
            let rmn = rope.matrix(m as f64).dot(&rope.matrix(n as f64));
            prop_assert!((&rmn - &rope.matrix((m + n) as f64)).iter().all(|v| v.abs() < 1e-9));
            prop_assert_eq!(rope.rotate(q.view(), 0.0).unwrap(), q);
        }
    }
    // ANCHOR_END: properties

    proptest! {
        /// Partial rotary leaves the last head_dim − rotary_dim coordinates alone.
        #[test]
        fn partial_rotary_passes_the_rest_through(q in vector(64), m in 0usize..5000) {
            let rope = Rope::with_fraction(64, 0.25, BASE, Layout::HalfSplit).unwrap();
            let out = rope.rotate(q.view(), m as f64).unwrap();
            prop_assert_eq!(out.slice(ndarray::s![16..]), q.slice(ndarray::s![16..]));
            let full = Rope::new(16, BASE, Layout::HalfSplit).unwrap();
            let head = full.rotate(q.slice(ndarray::s![..16]), m as f64).unwrap();
            prop_assert_eq!(out.slice(ndarray::s![..16]), head.view());
        }
    }
}
