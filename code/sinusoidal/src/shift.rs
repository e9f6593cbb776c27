//! What the cosines buy: the rotation `M_Δ` that moves every encoding `Δ` positions on, the dot
//! product as a function of the offset alone, and the sine-only variant that has neither.

use ndarray::{Array1, Array2};

use crate::Sinusoid;

impl Sinusoid {
    // ANCHOR: shift
    /// `M_Δ`, the matrix with `PE(p + Δ) = M_Δ PE(p)` for every `p`: for each frequency, a 2×2
    /// rotation by the angle `Δ ω_i` acting on that frequency's (sin, cos) pair. It does not
    /// depend on `p`. The offset `delta` may be negative.
    pub fn shift_matrix(&self, delta: i64) -> Array2<f64> {
        let mut m = Array2::zeros((self.d(), self.d())); // [d_model, d_model]
        for (s, c, w) in self.pairs() {
            let (sin, cos) = (delta as f64 * w).sin_cos();
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
    /// `PE(p) · PE(p + Δ)`, which equals `Σ_i cos(Δ ω_i)` whatever `p` is.
    pub fn dot_at_offset(&self, delta: f64) -> f64 {
        self.frequencies().iter().map(|w| (delta * w).cos()).sum()
    }
    // ANCHOR_END: dot

    /// The first offset `Δ ≥ 1` below `max_k` at which the dot product rises again
    /// (`f(Δ + 1) > f(Δ)`), if any.
    ///
    /// ```
    /// let enc = sinusoidal::Sinusoid::new(512, 1.0, sinusoidal::Layout::Interleaved, sinusoidal::Schedule::Paper)?;
    /// assert_eq!(enc.first_rise(10), Some(3)); // (d_model/2) cos Δ turns up after π
    /// # Ok::<(), sinusoidal::Error>(())
    /// ```
    pub fn first_rise(&self, max_k: usize) -> Option<usize> {
        (1..max_k).find(|&k| self.dot_at_offset((k + 1) as f64) > self.dot_at_offset(k as f64))
    }
}

/// The sine-only variant (every other entry dropped): `[sin(p ω_0), …, sin(p ω_{d/2-1})]`.
///
/// ```
/// let enc = sinusoidal::Sinusoid::paper(4)?;
/// assert_eq!(sinusoidal::sin_only(&enc, 0).to_vec(), vec![0.0, 0.0]);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn sin_only(enc: &Sinusoid, position: usize) -> Array1<f64> {
    let p = position as f64;
    enc.frequencies().mapv(|w| (p * w).sin())
}
