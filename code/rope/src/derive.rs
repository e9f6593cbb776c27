//! The derivation of RoPE (RoFormer, Su et al. 2021, arXiv:2104.09864, §3.4.1), step by step, as
//! functions the tests can check: each pair of coordinates as one complex number, a rotation by an
//! arbitrary phase `φ(m)` (so that a non-linear phase can be shown to break relativity), and the
//! score written as the real part of a sum of complex products.

use ndarray::{Array1, ArrayView1};

use crate::{Error, Rope};

/// A complex number as `(re, im)`: enough arithmetic for the derivation, no dependency.
pub type Complex = (f64, f64);

/// `a · b`.
pub fn mul(a: Complex, b: Complex) -> Complex {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// `conj(a)`.
pub fn conj(a: Complex) -> Complex {
    (a.0, -a.1)
}

/// `e^{iφ} = (cos φ, sin φ)`.
pub fn cis(phi: f64) -> Complex {
    let (s, c) = phi.sin_cos();
    (c, s)
}

/// Pair `j` of `x` as the complex number `x_a + i x_b`, for the pairs `(a, b)` of `rope`'s layout.
///
/// # Errors
/// A vector that is not `head_dim` long.
pub fn to_complex(rope: &Rope, x: ArrayView1<'_, f64>) -> Result<Vec<Complex>, Error> {
    if x.len() != rope.head_dim() {
        return Err(errors::shape(
            "a vector to read as complex pairs must be one head wide",
            vec![rope.head_dim()],
            vec![x.len()],
        ));
    }
    Ok(rope.pairs().iter().map(|&(a, b, _)| (x[a], x[b])).collect())
}

// ANCHOR: complex_form
/// `f(x, m)` in complex form: pair `j`, read as `x_a + i x_b`, is multiplied by `e^{i φ_j}` with
/// the phase `φ_j = phase(j, θ_j, m)`. RoPE is the phase `m θ_j`; the tests pass others to show
/// what breaks. Coordinates past `rotary_dim` pass through.
///
/// # Errors
/// A vector that is not `head_dim` long.
pub fn rotate_with_phase(
    rope: &Rope,
    x: ArrayView1<'_, f64>,
    m: f64,
    phase: impl Fn(usize, f64, f64) -> f64,
) -> Result<Array1<f64>, Error> {
    let z = to_complex(rope, x)?; // [rotary_dim / 2] complex pairs
    let mut out = x.to_owned(); // [head_dim]
    for (j, (&(a, b, theta), &zj)) in rope.pairs().iter().zip(&z).enumerate() {
        let w = mul(zj, cis(phase(j, theta, m))); // x_j e^{i φ_j(m)}
        out[a] = w.0;
        out[b] = w.1;
    }
    Ok(out)
}
// ANCHOR_END: complex_form

/// The score `⟨f(q, m), f(k, n)⟩` in complex form: `Re Σ_j q_j conj(k_j) e^{i(m−n)θ_j}`, which
/// sees the positions only through `Δ = m − n` (the pass-through coordinates add their plain dot
/// product).
///
/// # Errors
/// Vectors that are not `head_dim` long.
pub fn score_complex(
    rope: &Rope,
    q: ArrayView1<'_, f64>,
    k: ArrayView1<'_, f64>,
    delta: f64,
) -> Result<f64, Error> {
    let (zq, zk) = (to_complex(rope, q)?, to_complex(rope, k)?);
    let pairs = rope.pairs();
    let rotated: f64 = pairs
        .iter()
        .zip(zq.iter().zip(&zk))
        .map(|(&(_, _, theta), (&a, &b))| mul(mul(a, conj(b)), cis(delta * theta)).0)
        .sum();
    let rest: f64 = (rope.rotary_dim()..rope.head_dim())
        .map(|t| q[t] * k[t])
        .sum();
    Ok(rotated + rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BASE, Layout};
    use proptest::prelude::*;

    fn vector(d: usize) -> impl Strategy<Value = Array1<f64>> {
        proptest::collection::vec(-3.0..3.0f64, d).prop_map(Array1::from)
    }

    fn setup() -> impl Strategy<Value = (Rope, Array1<f64>, Array1<f64>)> {
        (1usize..17, 0usize..17, any::<bool>()).prop_flat_map(|(half, extra, split)| {
            let layout = if split {
                Layout::HalfSplit
            } else {
                Layout::Interleaved
            };
            let d = 2 * (half + extra);
            let rope = Rope::partial(d, 2 * half, BASE, layout).expect("valid");
            (Just(rope), vector(d), vector(d))
        })
    }

    fn score(
        rope: &Rope,
        q: &Array1<f64>,
        k: &Array1<f64>,
        m: f64,
        n: f64,
        phase: fn(usize, f64, f64) -> f64,
    ) -> f64 {
        let fq = rotate_with_phase(rope, q.view(), m, phase).unwrap();
        let fk = rotate_with_phase(rope, k.view(), n, phase).unwrap();
        fq.dot(&fk)
    }

    proptest! {
        /// The complex form with the phase m θ_j is the block-diagonal rotation, to rounding
        /// (both compute the same products, in a different order: 1e-12 on entries below ~10).
        #[test]
        fn complex_form_is_the_block_diagonal_form((rope, q, _k) in setup(), m in 0usize..5000) {
            let z = rotate_with_phase(&rope, q.view(), m as f64, |_, t, m| m * t).unwrap();
            let r = rope.matrix(m as f64).dot(&q);
            prop_assert!((&z - &r).iter().all(|v| v.abs() < 1e-12));
            prop_assert!((&z - &rope.rotate(q.view(), m as f64).unwrap()).iter().all(|v| v.abs() < 1e-12));
        }

        /// The real dot product of the rotated vectors is Re Σ_j q_j conj(k_j) e^{iΔθ_j}
        /// (angles up to 5000 rad carry ~1e-12 rounding each, times |q||k| ≤ ~300: 1e-8).
        #[test]
        fn score_is_the_real_part_of_the_complex_sum(
            (rope, q, k) in setup(), m in 0usize..5000, n in 0usize..5000,
        ) {
            let direct = score(&rope, &q, &k, m as f64, n as f64, |_, t, m| m * t);
            let complex = score_complex(&rope, q.view(), k.view(), m as f64 - n as f64).unwrap();
            prop_assert!((direct - complex).abs() < 1e-8, "{direct} vs {complex}");
        }

        /// The radial equation: the rotation keeps every pair's length, so |f(x, m)| = |x|.
        #[test]
        fn every_pair_keeps_its_length((rope, q, _k) in setup(), m in 0usize..5000) {
            let z = to_complex(&rope, rope.rotate(q.view(), m as f64).unwrap().view()).unwrap();
            let z0 = to_complex(&rope, q.view()).unwrap();
            for (a, b) in z.iter().zip(&z0) {
                prop_assert!((a.0.hypot(a.1) - b.0.hypot(b.1)).abs() < 1e-12);
            }
        }

        /// A phase m θ_j + γ_j (an affine angle) is still relative: the constant cancels in
        /// q_j conj(k_j). The derivation's initial condition f(x, 0) = x is what sets γ = 0.
        #[test]
        fn a_constant_phase_offset_cancels(
            (rope, q, k) in setup(), m in 0usize..1000, n in 0usize..1000, c in 0usize..1000,
        ) {
            let affine: fn(usize, f64, f64) -> f64 = |j, t, m| m * t + 0.7 * j as f64 + 0.3;
            let a = score(&rope, &q, &k, m as f64, n as f64, affine);
            let b = score(&rope, &q, &k, (m + c) as f64, (n + c) as f64, affine);
            prop_assert!((a - b).abs() < 1e-9);
        }
    }

    /// The angular equation forces φ(m) − φ(n) to depend on m − n only, so φ is linear. A
    /// non-linear phase, here φ(m) = θ m², breaks relativity: searching small positions finds
    /// (m, n, c) where shifting both by c changes the score by more than 0.1 (a difference of
    /// order |q||k|, far above rounding).
    #[test]
    fn a_non_linear_phase_breaks_relativity() {
        let rope = Rope::new(8, BASE, Layout::Interleaved).unwrap();
        let mut rng = bookkit::rng::SplitMix64(5);
        let mut draw = || Array1::from_shape_fn(8, |_| rng.next_gaussian());
        let (q, k) = (draw(), draw());
        let square: fn(usize, f64, f64) -> f64 = |_, t, m| t * m * m;
        let linear: fn(usize, f64, f64) -> f64 = |_, t, m| t * m;
        let mut found = None;
        'search: for m in 0..6 {
            for n in 0..6 {
                for c in 1..6 {
                    let (m, n, c) = (m as f64, n as f64, c as f64);
                    let gap = (score(&rope, &q, &k, m, n, square)
                        - score(&rope, &q, &k, m + c, n + c, square))
                    .abs();
                    if gap > 0.1 {
                        found = Some((m, n, c));
                        break 'search;
                    }
                }
            }
        }
        let (m, n, c) = found.expect("a shift that changes the score");
        // The same triple leaves the linear phase's score alone.
        let gap = score(&rope, &q, &k, m, n, linear) - score(&rope, &q, &k, m + c, n + c, linear);
        assert!(gap.abs() < 1e-12, "{gap}");
    }

    /// The radial equation forces |f(x, m)| to be the same at every m. A position-dependent
    /// length, f(x, m) = (1 + m/10) R(mθ) x, breaks relativity: scores at (0, 0) and (5, 5)
    /// differ by the factor 1.5² exactly.
    #[test]
    fn a_position_dependent_length_breaks_relativity() {
        let rope = Rope::new(4, BASE, Layout::Interleaved).unwrap();
        let (q, k) = (
            ndarray::array![1.0, 2.0, -0.5, 0.3],
            ndarray::array![0.4, -1.0, 2.0, 1.0],
        );
        let f = |x: &Array1<f64>, m: f64| rope.rotate(x.view(), m).unwrap() * (1.0 + m / 10.0);
        let (a, b) = (f(&q, 0.0).dot(&f(&k, 0.0)), f(&q, 5.0).dot(&f(&k, 5.0)));
        assert!((b - 2.25 * a).abs() < 1e-12 && a.abs() > 0.1, "{a} {b}");
    }

    #[test]
    fn inputs_are_checked() {
        let rope = Rope::new(4, BASE, Layout::Interleaved).unwrap();
        let short = ndarray::array![1.0, 2.0];
        assert!(to_complex(&rope, short.view()).is_err());
        assert!(score_complex(&rope, short.view(), short.view(), 1.0).is_err());
        assert_eq!(mul((1.0, 2.0), (3.0, -1.0)), (5.0, 5.0));
        assert_eq!(conj((1.0, 2.0)), (1.0, -2.0));
    }
}
