//! Long-term decay (RoFormer, Su et al. 2021, arXiv:2104.09864, §3.4.3). Write the score of `q`
//! at `m` and `k` at `n` in complex form, `Re Σ_j h_j e^{iΔθ_j}` with `Δ = m − n` and
//! `h_j = q_j conj(k_j)` (pair `j` of each vector read as one complex number); summation by parts
//! (Abel) turns the sum into `−Σ_{j=1}^{d/2} (h_j − h_{j−1}) S_j` with `S_j = Σ_{l<j} e^{iΔθ_l}`,
//! `S_0 = 0` and `h_{d/2} = 0`, which bounds its size by `(max_j |h_{j+1} − h_j|) · Σ_j |S_j|`.
//! The paper plots `(1/(d/2)) Σ_j |S_j|` against the distance.
//!
//! The bound holds for every `q` and `k` but says nothing about a typical score: for independent
//! zero-mean `q` and `k` the expected score is 0 at every distance ([`monte_carlo`] shows it).
//! The average cosine [`mean_cos`] is the score of aligned vectors, `q = k` with equal pair norms.

use ndarray::{Array1, ArrayView1};

use crate::derive::{Complex, cis, conj, mul, to_complex};
use crate::{Error, Rope};

// ANCHOR: bound
/// The paper's decay curve at distance `Δ`: `(1 / (d/2)) Σ_{j=1}^{d/2} |S_j(Δ)|`, with
/// `S_j(Δ) = Σ_{l=0}^{j−1} e^{iΔθ_l}` (a running sum of unit vectors).
pub fn bound(rope: &Rope, delta: f64) -> f64 {
    let (mut re, mut im, mut total) = (0.0f64, 0.0f64, 0.0f64);
    let inv_freq = rope.inv_freq();
    for &theta in &inv_freq {
        let (s, c) = (delta * theta).sin_cos();
        re += c;
        im += s;
        total += re.hypot(im); // |S_j| for j = 1 … d/2
    }
    total / inv_freq.len() as f64
}
// ANCHOR_END: bound

/// The average `(1 / (d/2)) Σ_j cos(Δθ_j)`: the score at distance `Δ` of any `q = k` whose pairs
/// all have length 1 (for example ones in each pair's first coordinate), divided by `d/2`.
pub fn mean_cos(rope: &Rope, delta: f64) -> f64 {
    let inv_freq = rope.inv_freq();
    inv_freq.iter().map(|t| (delta * t).cos()).sum::<f64>() / inv_freq.len() as f64
}

// ANCHOR: abel
/// `h_j = q_j conj(k_j)`, pair `j` of each vector read as one complex number.
///
/// # Errors
/// Vectors that are not `head_dim` long.
pub fn h(
    rope: &Rope,
    q: ArrayView1<'_, f64>,
    k: ArrayView1<'_, f64>,
) -> Result<Vec<Complex>, Error> {
    let (zq, zk) = (to_complex(rope, q)?, to_complex(rope, k)?);
    Ok(zq.iter().zip(&zk).map(|(&a, &b)| mul(a, conj(b))).collect())
}

/// The sum `Σ_j h_j e^{iΔθ_j}` after summation by parts: `−Σ_{j=1}^{J} (h_j − h_{j−1}) S_j`,
/// with `J = rotary_dim/2`, `S_j = Σ_{l<j} e^{iΔθ_l}` and `h_J = 0`. Returns the sum and the
/// bound `(max_j |h_{j+1} − h_j|) · Σ_{j=1}^{J} |S_j|` on its size.
pub fn abel(rope: &Rope, h: &[Complex], delta: f64) -> (Complex, f64) {
    let (mut s, mut sum, mut max_step, mut total) = ((0.0, 0.0), (0.0, 0.0), 0.0f64, 0.0);
    for (j, &theta) in rope.inv_freq().iter().enumerate() {
        let e = cis(delta * theta);
        s = (s.0 + e.0, s.1 + e.1); // S_{j+1}
        let next = h.get(j + 1).copied().unwrap_or((0.0, 0.0)); // h_{j+1}, 0 past the end
        let step = (next.0 - h[j].0, next.1 - h[j].1); // h_{j+1} − h_j
        let term = mul(step, s);
        sum = (sum.0 - term.0, sum.1 - term.1);
        max_step = max_step.max(step.0.hypot(step.1));
        total += s.0.hypot(s.1);
    }
    (sum, max_step * total)
}
// ANCHOR_END: abel

/// Monte Carlo estimates of the mean score `q_m · k_n` at distance `Δ`, over `samples` draws:
/// `(mean, standard error)` for independent standard normal `q` and `k`, and for `q = k` drawn
/// with every pair of length 1 (equal pair norms, random directions), whose score is exactly
/// `(d/2) · mean_cos(Δ)` whatever the directions.
///
/// # Errors
/// Zero samples.
pub fn monte_carlo(
    rope: &Rope,
    delta: f64,
    samples: usize,
    seed: u64,
) -> Result<[(f64, f64); 2], Error> {
    if samples < 2 {
        return Err(errors::bad(
            "samples",
            samples,
            "a standard error needs at least 2",
        ));
    }
    let d = rope.head_dim();
    let mut rng = bookkit::rng::SplitMix64(seed);
    let (mut indep, mut aligned) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
    for _ in 0..samples {
        let q = Array1::from_shape_fn(d, |_| rng.next_gaussian());
        let k = Array1::from_shape_fn(d, |_| rng.next_gaussian());
        indep.push(
            rope.rotate(q.view(), delta)?
                .dot(&rope.rotate(k.view(), 0.0)?),
        );
        let mut u = Array1::zeros(d);
        for (a, b, _) in rope.pairs() {
            let angle = 2.0 * std::f64::consts::PI * rng.next_f64();
            (u[a], u[b]) = (angle.cos(), angle.sin());
        }
        aligned.push(rope.rotate(u.view(), delta)?.dot(&u));
    }
    Ok([mean_and_se(&indep), mean_and_se(&aligned)])
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BASE, Layout};
    use proptest::prelude::*;

    fn vector(d: usize) -> impl Strategy<Value = Array1<f64>> {
        proptest::collection::vec(-3.0..3.0f64, d).prop_map(Array1::from)
    }

    proptest! {
        /// Summation by parts changes nothing: the Abel form equals Σ_j h_j e^{iΔθ_j}, and the
        /// real part is the score. Its size is within the bound. (Sums of ≤ 32 terms of size
        /// ≤ ~300: 1e-9 is rounding with room.)
        #[test]
        fn abel_form_equals_the_sum_and_obeys_the_bound(
            half in 1usize..33, q in vector(64), k in vector(64), delta in -5000.0..5000.0f64,
        ) {
            let d = 2 * half;
            let rope = Rope::new(d, BASE, Layout::Interleaved).unwrap();
            let (q, k) = (q.slice(ndarray::s![..d]), k.slice(ndarray::s![..d]));
            let h = h(&rope, q, k).unwrap();
            let direct = h.iter().zip(rope.inv_freq().iter()).fold((0.0, 0.0), |acc, (&hj, &t)| {
                let w = mul(hj, cis(delta * t));
                (acc.0 + w.0, acc.1 + w.1)
            });
            let (sum, bound) = abel(&rope, &h, delta);
            prop_assert!((sum.0 - direct.0).abs() < 1e-9 && (sum.1 - direct.1).abs() < 1e-9);
            let score = rope.rotate(q, delta).unwrap().dot(&rope.rotate(k, 0.0).unwrap());
            prop_assert!((sum.0 - score).abs() < 1e-9);
            prop_assert!(sum.0.hypot(sum.1) <= bound + 1e-9);
        }
    }

    // ANCHOR: monte_carlo_test
    /// Independent zero-mean q and k: the mean score is 0 at every distance, within 4 standard
    /// errors (a false alarm has probability ~6e-5 per distance). q = k with equal pair norms:
    /// the score is (d/2)·mean_cos(Δ) for every draw, so the mean equals it to rounding.
    #[test]
    fn decay_describes_aligned_vectors_not_independent_ones() {
        let rope = Rope::new(64, BASE, Layout::HalfSplit).unwrap();
        for delta in [0.0, 1.0, 10.0, 100.0, 1000.0] {
            let [(mean, se), (aligned, aligned_se)] = monte_carlo(&rope, delta, 4000, 7).unwrap();
            assert!(mean.abs() < 4.0 * se, "Δ = {delta}: {mean} ± {se}");
            // The score of independent N(0, I) vectors has variance d at every distance
            // (R is orthogonal), so se ≈ √(64/4000) ≈ 0.126: check it is that, within 10%.
            assert!(
                (se / (64.0f64 / 4000.0).sqrt() - 1.0).abs() < 0.1,
                "se {se}"
            );
            let want = 32.0 * mean_cos(&rope, delta);
            assert!(
                (aligned - want).abs() < 1e-9 && aligned_se < 1e-9,
                "{aligned} vs {want}"
            );
        }
        // And the aligned curve does fall: from 1 at Δ = 0 to under 0.3 by Δ = 1000.
        assert!(mean_cos(&rope, 0.0) == 1.0 && mean_cos(&rope, 1000.0) < 0.3);
    }
    // ANCHOR_END: monte_carlo_test

    /// The bound curve: at Δ = 0 every S_j is j, so the curve is (1/32) Σ_{j=1}^{32} j = 16.5;
    /// elsewhere it is the mean of |S_j| summed directly (1e-12: 32 terms of size ≤ 32).
    #[test]
    fn bound_curve_values() {
        let rope = Rope::new(64, BASE, Layout::HalfSplit).unwrap();
        assert_eq!(bound(&rope, 0.0), 16.5);
        for delta in [1.0, 10.0, 300.0] {
            let mut s = (0.0, 0.0);
            let mut total = 0.0;
            for &t in rope.inv_freq().iter() {
                let e = cis(delta * t);
                s = (s.0 + e.0, s.1 + e.1);
                total += s.0.hypot(s.1);
            }
            assert!((bound(&rope, delta) - total / 32.0).abs() < 1e-12);
            assert!(bound(&rope, delta) < 16.5);
        }
    }

    #[test]
    fn monte_carlo_needs_samples() {
        let rope = Rope::new(4, BASE, Layout::HalfSplit).unwrap();
        assert!(monte_carlo(&rope, 1.0, 1, 0).is_err());
        assert!(monte_carlo(&rope, 1.0, 2, 0).is_ok());
        // The sample standard error, with the n − 1 of the unbiased variance: for 1, 2, 3, 4 the
        // variance is 5/3 and the standard error √(5/12).
        let (mean, se) = mean_and_se(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(mean, 2.5);
        assert!((se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15, "{se}");
        assert!(
            h(
                &rope,
                ndarray::array![1.0].view(),
                ndarray::array![1.0].view()
            )
            .is_err()
        );
    }
}
