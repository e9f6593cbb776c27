//! A radix-2 fast Fourier transform and the Toeplitz product it makes cheap.
//!
//! A relative factor `c_{j−i}` forms a Toeplitz matrix `T[i][j] = c_{j−i}`: constant along every
//! diagonal. Embedded in a circulant of size `L ≥ 2n − 1` (a power of two), `T x` is a circular
//! convolution, which the discrete Fourier transform turns into a pointwise product: three
//! transforms of length `L` instead of `n²` multiplications. [`toeplitz`] is that form,
//! [`toeplitz_slow`] the sum as written, and `tests::toeplitz_equals_slow` holds them equal.

use std::f64::consts::PI;

use errors::{bad, ensure_finite};

use crate::{Error, Result};

/// A complex number as two `f64`s: all the transform needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    fn mul(self, o: Complex) -> Complex {
        Complex {
            re: self.re * o.re - self.im * o.im,
            im: self.re * o.im + self.im * o.re,
        }
    }
}

/// The discrete Fourier transform of `x` in place, `X_k = Σ_t x_t e^{∓2πi k t / L}` (the minus
/// sign forward, the plus sign with `inverse`, which also divides by `L`), by the iterative
/// Cooley–Tukey radix-2 algorithm: `O(L log L)`.
///
/// # Errors
/// A length that is not a power of two.
///
/// ```
/// use relative::kernelized::fft::{Complex, fft};
/// let mut x = [1.0, 2.0, 3.0, 4.0].map(|re| Complex { re, im: 0.0 });
/// fft(&mut x, false)?;
/// assert!((x[0].re - 10.0).abs() < 1e-12 && (x[2].re + 2.0).abs() < 1e-12);
/// fft(&mut x, true)?;
/// assert!((x[3].re - 4.0).abs() < 1e-12 && x[3].im.abs() < 1e-12);
/// assert!(fft(&mut [Complex::default(); 3], false).is_err());
/// # Ok::<(), relative::Error>(())
/// ```
// ANCHOR: fft
pub fn fft(x: &mut [Complex], inverse: bool) -> Result<()> {
    #[cfg(test)]
    CALLS.with(|c| c.set(c.get() + 1));
    let l = x.len();
    if !l.is_power_of_two() {
        return Err(bad("the transform length", l, "it must be a power of two"));
    }
    if l == 1 {
        return Ok(()); // the transform of one value is that value, forward and back
    }
    // Bit-reversal permutation: afterwards every butterfly reads neighbouring blocks.
    let bits = l.trailing_zeros();
    for t in 0..l {
        let r = t.reverse_bits() >> (usize::BITS - bits);
        if t < r {
            x.swap(t, r);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= l {
        for k in 0..len / 2 {
            // Each twiddle from its own sin_cos, not a running product, so errors do not pile up.
            let (s, c) = (sign * 2.0 * PI * k as f64 / len as f64).sin_cos();
            let w = Complex { re: c, im: s };
            for start in (0..l).step_by(len) {
                let (a, b) = (x[start + k], x[start + k + len / 2].mul(w));
                x[start + k] = Complex {
                    re: a.re + b.re,
                    im: a.im + b.im,
                };
                x[start + k + len / 2] = Complex {
                    re: a.re - b.re,
                    im: a.im - b.im,
                };
            }
        }
        len *= 2;
    }
    if inverse {
        for z in x.iter_mut() {
            z.re /= l as f64;
            z.im /= l as f64;
        }
    }
    Ok(())
}
// ANCHOR_END: fft

/// The checks both Toeplitz forms share: `c` has `2n − 1` finite entries for `n = x.len() ≥ 1`.
fn check(c: &[f64], x: &[f64]) -> Result<usize> {
    let n = x.len();
    if n == 0 {
        return Err(Error::Empty { what: "x" });
    }
    if c.len() != 2 * n - 1 {
        return Err(errors::shape(
            "c needs one factor per offset j − i from −(n − 1) to n − 1",
            vec![2 * n - 1],
            vec![c.len()],
        ));
    }
    ensure_finite("c", c.iter().copied())?;
    ensure_finite("x", x.iter().copied())?;
    Ok(n)
}

/// `y_i = Σ_j c_{j−i} x_j` as written: `n²` multiplications. `c[Δ + n − 1]` is the factor of
/// offset `Δ = j − i`.
///
/// # Errors
/// An empty `x`, a `c` of the wrong length, a non-finite entry.
///
/// ```
/// use relative::kernelized::fft::toeplitz_slow;
/// // Offsets −1, 0, 1 weigh 1, 10, 100: y_0 = 10·1 + 100·2, y_1 = 1·1 + 10·2.
/// assert_eq!(toeplitz_slow(&[1.0, 10.0, 100.0], &[1.0, 2.0])?, vec![210.0, 21.0]);
/// # Ok::<(), relative::Error>(())
/// ```
pub fn toeplitz_slow(c: &[f64], x: &[f64]) -> Result<Vec<f64>> {
    let n = check(c, x)?;
    Ok((0..n)
        .map(|i| (0..n).map(|j| c[j + n - 1 - i] * x[j]).sum())
        .collect())
}

/// The transform of the circulant's first column for factors `c` and size `l`: column entry `m`
/// is `T[m][0] = c_{−m}` for `m < n` and `T[l−m][0] = c_m` wrapped round from the end.
pub(crate) fn circulant(c: &[f64], n: usize, l: usize) -> Result<Vec<Complex>> {
    let mut col = vec![Complex::default(); l];
    for m in 0..n {
        col[m].re = c[n - 1 - m]; // offset −m
    }
    for m in 1..n {
        col[l - m].re = c[n - 1 + m]; // offset +m
    }
    fft(&mut col, false)?;
    Ok(col)
}

#[cfg(test)]
thread_local! {
    /// How many transforms this thread has run: the tests count a call's transforms with it.
    pub(crate) static CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The smallest power of two that holds the circulant of an `n × n` Toeplitz matrix.
pub(crate) fn size(n: usize) -> usize {
    (2 * n - 1).next_power_of_two()
}

/// Two Toeplitz products at once: `T a` and `T b` for real `a` and `b`, as the real and
/// imaginary parts of `T (a + i b)` (the factors are real, so the product keeps the parts apart).
/// `c_hat` is [`circulant`]'s output for size `c_hat.len()`.
pub(crate) fn toeplitz_pair(
    c_hat: &[Complex],
    a: &[f64],
    b: &[f64],
    buf: &mut Vec<Complex>,
) -> Result<()> {
    buf.clear();
    buf.extend(a.iter().zip(b).map(|(&re, &im)| Complex { re, im }));
    buf.resize(c_hat.len(), Complex::default());
    fft(buf, false)?;
    for (z, w) in buf.iter_mut().zip(c_hat) {
        *z = z.mul(*w);
    }
    fft(buf, true)
}

/// `y_i = Σ_j c_{j−i} x_j` through the circulant embedding and three transforms of length
/// `L = (2n − 1).next_power_of_two()`: `O(n log n)`. Same arguments as [`toeplitz_slow`].
///
/// # Errors
/// As [`toeplitz_slow`].
///
/// ```
/// use relative::kernelized::fft::{toeplitz, toeplitz_slow};
/// let (c, x) = ([1.0, 10.0, 100.0], [1.0, 2.0]);
/// let (fast, slow) = (toeplitz(&c, &x)?, toeplitz_slow(&c, &x)?);
/// assert!(fast.iter().zip(&slow).all(|(a, b)| (a - b).abs() < 1e-12));
/// # Ok::<(), relative::Error>(())
/// ```
// ANCHOR: toeplitz
pub fn toeplitz(c: &[f64], x: &[f64]) -> Result<Vec<f64>> {
    let n = check(c, x)?;
    let c_hat = circulant(c, n, size(n))?; // the transform of T's circulant, length L
    let mut buf = Vec::new();
    toeplitz_pair(&c_hat, x, &vec![0.0; n], &mut buf)?; // FFT, pointwise product, inverse FFT
    Ok(buf[..n].iter().map(|z| z.re).collect())
}
// ANCHOR_END: toeplitz

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fft_matches_the_defining_sum() {
        let x: Vec<Complex> = (0..8)
            .map(|t| Complex {
                re: (t as f64).sin() + 0.5,
                im: (t * t) as f64 / 10.0,
            })
            .collect();
        let mut fast = x.clone();
        fft(&mut fast, false).unwrap();
        for (k, f) in fast.iter().enumerate() {
            let mut s = Complex::default();
            for (t, xt) in x.iter().enumerate() {
                let (sn, cs) = (-2.0 * PI * (k * t) as f64 / 8.0).sin_cos();
                let z = xt.mul(Complex { re: cs, im: sn });
                s.re += z.re;
                s.im += z.im;
            }
            // Eight terms of size below 7: the two orders of summation differ by a few ulps of 50.
            assert!(
                (s.re - f.re).abs() < 1e-12 && (s.im - f.im).abs() < 1e-12,
                "k = {k}"
            );
        }
        let mut back = fast;
        fft(&mut back, true).unwrap();
        for (a, b) in back.iter().zip(&x) {
            assert!((a.re - b.re).abs() < 1e-13 && (a.im - b.im).abs() < 1e-13);
        }
    }

    #[test]
    fn the_inverse_divides_by_the_length() {
        let mut x = [Complex { re: 1.0, im: 0.0 }; 4];
        fft(&mut x, true).unwrap(); // the sum of four ones over 4 at k = 0
        assert_eq!(x[0], Complex { re: 1.0, im: 0.0 });
        assert!(
            x[1..]
                .iter()
                .all(|z| z.re.abs() < 1e-15 && z.im.abs() < 1e-15)
        );
    }

    #[test]
    fn length_one_is_the_identity_and_bad_inputs_are_named() {
        let mut x = [Complex { re: 3.0, im: -1.0 }];
        fft(&mut x, false).unwrap();
        assert_eq!(x[0], Complex { re: 3.0, im: -1.0 });
        let e = fft(&mut [Complex::default(); 6], false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the transform length = 6 is not allowed: it must be a power of two"
        );
        assert!(matches!(toeplitz(&[1.0], &[]), Err(Error::Empty { .. })));
        assert!(matches!(
            toeplitz(&[1.0, 2.0], &[1.0, 2.0]),
            Err(Error::Shape { .. })
        ));
        assert!(toeplitz(&[1.0, f64::NAN, 1.0], &[1.0, 2.0]).is_err());
        assert!(toeplitz_slow(&[1.0, 1.0, 1.0], &[1.0, f64::INFINITY]).is_err());
    }

    #[test]
    fn the_circulant_puts_each_offset_on_its_diagonal() {
        // n = 3, L = 8: column m holds c_{−m} for m < 3 and c_{m} at L − m.
        let c = [1.0, 2.0, 3.0, 4.0, 5.0]; // offsets −2..=2
        let mut col = circulant(&c, 3, 8).unwrap();
        fft(&mut col, true).unwrap();
        let got: Vec<f64> = col.iter().map(|z| (z.re * 1e9).round() / 1e9).collect();
        assert_eq!(got, [3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 5.0, 4.0]);
        assert_eq!((size(1), size(2), size(3), size(5)), (1, 4, 8, 16));
    }

    proptest! {
        #[test]
        fn toeplitz_equals_slow(n in 1usize..70, seed in any::<u64>()) {
            let mut rng = bookkit::rng::SplitMix64(seed);
            let c: Vec<f64> = (0..2 * n - 1).map(|_| rng.next_f64() * 4.0 - 2.0).collect();
            let x: Vec<f64> = (0..n).map(|_| rng.next_gaussian()).collect();
            let (fast, slow) = (toeplitz(&c, &x).unwrap(), toeplitz_slow(&c, &x).unwrap());
            // The FFT's error is absolute: about log2 L · ε · Σ|c||x| ≤ 8 · 2.2e-16 · 2 · 70 · 4,
            // far below 1e-11.
            for (a, b) in fast.iter().zip(&slow) {
                prop_assert!((a - b).abs() < 1e-11, "{a} vs {b}");
            }
        }
    }
}
