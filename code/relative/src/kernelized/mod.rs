//! Kernelized (linear) attention with a relative bias, without the `n × n` matrix.
//!
//! Katharopoulos et al. (2020, arXiv:2006.16236) replace `e^{q_i·k_j}` by `φ(q_i)·φ(k_j)` with
//! `φ(x) = elu(x) + 1`. A relative bias `b_{j−i}` multiplies each pair by `c_{j−i} = e^{b_{j−i}}`:
//!
//! `o_i = Σ_j c_{j−i} φ(q_i)·φ(k_j) v_j / Σ_j c_{j−i} φ(q_i)·φ(k_j)`.
//!
//! Regrouped as `φ(q_i)ᵀ (Σ_j c_{j−i} φ(k_j) v_jᵀ)`, every entry of the inner sum is a Toeplitz
//! product `T u` with `T[i][j] = c_{j−i}`, which [`fft::toeplitz`] computes in `O(n log n)`
//! (Luo et al., *Stable, Fast and Accurate: Kernelized Attention with Relative Positional
//! Encoding*, NeurIPS 2021, arXiv:2106.12566, who use Performer's random features for `φ`; the
//! Toeplitz step does not depend on `φ`). [`kernelized`] is that form, [`kernelized_slow`] the sum
//! as written, and `tests::fft_form_equals_the_explicit_sum` holds them equal.
//!
//! Where `c` is a sum of `R` exponentials in the offset, `R` running sums do instead: symmetric
//! ALiBi, `c_Δ = e^{−m|Δ|}`, is one decaying sum scanned forward and one scanned backward
//! ([`kernelized_symmetric_alibi`], held equal to the explicit sum by
//! `tests::two_scans_equal_the_explicit_sum_for_symmetric_alibi`).

pub mod fft;

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::{Error, Result};

/// `elu(x) + 1`: `x + 1` for `x > 0`, `e^x` otherwise; always positive (Katharopoulos et al.,
/// §3.2).
///
/// ```
/// assert_eq!(relative::kernelized::feature(2.0), 3.0);
/// assert_eq!(relative::kernelized::feature(0.0), 1.0);
/// ```
pub fn feature(x: f64) -> f64 {
    if x > 0.0 { x + 1.0 } else { x.exp() }
}

/// The checks the three forms share; returns `n`.
fn check(q: ArrayView2<'_, f64>, k: ArrayView2<'_, f64>, v: ArrayView2<'_, f64>) -> Result<usize> {
    let n = q.nrows();
    if n == 0 || q.ncols() == 0 || v.ncols() == 0 {
        return Err(Error::Empty { what: "q, k and v" });
    }
    if k.dim() != q.dim() {
        return Err(errors::shape("k must have q's shape", q.shape(), k.shape()));
    }
    if v.nrows() != n {
        return Err(errors::shape(
            "v needs one row per key",
            vec![n],
            vec![v.nrows()],
        ));
    }
    for (what, m) in [("q", q), ("k", k), ("v", v)] {
        if let Some(((r, c), &value)) = m.indexed_iter().find(|(_, x)| !x.is_finite()) {
            return Err(Error::NonFinite {
                what,
                at: Some((r, c)),
                value,
            });
        }
    }
    Ok(n)
}

/// The factors `c[Δ + n − 1] = e^{b_Δ}` of a bias given per offset `Δ = j − i`, after its checks:
/// `2n − 1` entries, each finite or `−∞` (a masked offset), and every row with one reachable
/// offset that is not masked.
fn factors(bias: &[f64], n: usize) -> Result<Vec<f64>> {
    if bias.len() != 2 * n - 1 {
        return Err(errors::shape(
            "the bias needs one entry per offset j − i from −(n − 1) to n − 1",
            vec![2 * n - 1],
            vec![bias.len()],
        ));
    }
    if let Some(&value) = bias.iter().find(|b| b.is_nan() || **b == f64::INFINITY) {
        return Err(Error::NonFinite {
            what: "bias",
            at: None,
            value,
        });
    }
    // Row i reaches the offsets −i ..= n − 1 − i, entries n − 1 − i ..= 2n − 2 − i.
    if let Some(row) = (0..n).find(|i| {
        bias[n - 1 - i..2 * n - 1 - i]
            .iter()
            .all(|b| b.is_infinite())
    }) {
        return Err(Error::FullyMasked { row });
    }
    Ok(bias.iter().map(|b| b.exp()).collect())
}

/// The explicit form: the `n × n` matrix `A[i][j] = c_{j−i} φ(q_i)·φ(k_j)`, then `A v` over the
/// row sums of `A`. `bias[Δ + n − 1]` is `b_Δ` for `Δ = j − i`; `−∞` masks an offset (a causal
/// model masks every `Δ > 0`).
///
/// # Errors
/// Empty inputs, shapes that do not fit, a NaN or infinite entry (a `−∞` bias aside), a row with
/// every reachable offset masked.
///
/// ```
/// use ndarray::array;
/// use relative::kernelized::kernelized_slow;
/// let (q, k) = (array![[0.0], [0.0]], array![[0.0], [0.0]]); // φ = 1 everywhere
/// let v = array![[1.0], [3.0]];
/// // A bias of ln 3 on the key one step to the right: row 0 weighs v_0 once and v_1 three times.
/// let out = kernelized_slow(q.view(), k.view(), v.view(), &[0.0, 0.0, 3f64.ln()])?;
/// assert!((out[[0, 0]] - 2.5).abs() < 1e-12 && (out[[1, 0]] - 2.0).abs() < 1e-12);
/// # Ok::<(), relative::Error>(())
/// ```
pub fn kernelized_slow(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    bias: &[f64],
) -> Result<Array2<f64>> {
    let n = check(q, k, v)?;
    let c = factors(bias, n)?;
    let (pq, pk) = (q.mapv(feature), k.mapv(feature)); // [n, d] each
    let a = Array2::from_shape_fn((n, n), |(i, j)| {
        c[j + n - 1 - i] * pq.row(i).dot(&pk.row(j))
    });
    let num = a.dot(&v); // [n, d_v]
    let den = a.sum_axis(Axis(1)); // [n]
    Ok(num / &den.insert_axis(Axis(1)))
}

/// How many transforms of length `fft::size(n)` one call of [`kernelized`] runs for `d`
/// features and `d_v` value columns: one for the bias's circulant and, per feature, a forward
/// and an inverse transform for each pair of its `d_v + 1` sequences (the value columns and the
/// denominator's), `2 d ⌈(d_v + 1)/2⌉ + 1`. A unit test counts the calls.
///
/// ```
/// assert_eq!(relative::kernelized::transforms(4, 4), 25);
/// assert_eq!(relative::kernelized::transforms(1, 1), 3);
/// ```
pub fn transforms(d: usize, dv: usize) -> usize {
    2 * d * (dv + 1).div_ceil(2) + 1
}

/// The same output through Toeplitz products: for every feature `a` and value column `b`, the
/// sequence `u_j = φ(k_j)_a v_{j,b}` goes through [`fft::toeplitz`]'s circulant product
/// (two sequences per complex transform), and `φ(q_i)_a` weighs the result; the denominator is
/// the same with `v = 1`. `O(d (d_v + 1) n log n)` time and `O(n (d + d_v))` memory: no `n × n`
/// matrix. Same arguments as [`kernelized_slow`].
///
/// # Errors
/// As [`kernelized_slow`].
///
/// ```
/// use ndarray::array;
/// use relative::kernelized::{kernelized, kernelized_slow};
/// let q = array![[0.3, -1.0], [1.2, 0.4], [-0.7, 0.1]];
/// let k = array![[0.5, 0.2], [-0.3, 0.9], [0.8, -0.6]];
/// let v = array![[1.0], [2.0], [4.0]];
/// let causal = [0.0, -0.5, -0.25, f64::NEG_INFINITY, f64::NEG_INFINITY]; // offsets −2..=2
/// let (fast, slow) = (kernelized(q.view(), k.view(), v.view(), &causal)?,
///                     kernelized_slow(q.view(), k.view(), v.view(), &causal)?);
/// assert!((&fast - &slow).iter().all(|x| x.abs() < 1e-12));
/// assert!((fast[[0, 0]] - 1.0).abs() < 1e-12); // the first query sees only v_0
/// # Ok::<(), relative::Error>(())
/// ```
pub fn kernelized(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    bias: &[f64],
) -> Result<Array2<f64>> {
    let n = check(q, k, v)?;
    let c = factors(bias, n)?;
    let (pq, pk) = (q.mapv(feature), k.mapv(feature)); // [n, d] each
    let (d, dv) = (q.ncols(), v.ncols());
    // ANCHOR: kernelized
    let c_hat = fft::circulant(&c, n, fft::size(n))?; // FFT of T's circulant, length L ≥ 2n − 1
    let mut num = Array2::<f64>::zeros((n, dv)); // [n, d_v]
    let mut den = Array1::<f64>::zeros(n); // [n]
    let mut buf = Vec::new();
    for a in 0..d {
        let ka = pk.column(a); // φ(k_j)_a, [n]
        // Sequence b < d_v is u_j = φ(k_j)_a v_{j,b}; sequence d_v is φ(k_j)_a (the denominator).
        let seq = |b: usize| -> Vec<f64> {
            if b < dv {
                (&ka * &v.column(b)).to_vec()
            } else {
                ka.to_vec()
            }
        };
        for b in (0..=dv).step_by(2) {
            let second = if b < dv { seq(b + 1) } else { vec![0.0; n] };
            fft::toeplitz_pair(&c_hat, &seq(b), &second, &mut buf)?; // T u for two sequences
            for i in 0..n {
                let w = pq[[i, a]]; // φ(q_i)_a
                for (col, part) in [(b, buf[i].re), (b + 1, buf[i].im)] {
                    match col.cmp(&dv) {
                        std::cmp::Ordering::Less => num[[i, col]] += w * part,
                        std::cmp::Ordering::Equal => den[i] += w * part,
                        std::cmp::Ordering::Greater => {} // the padding sequence
                    }
                }
            }
        }
    }
    // ANCHOR_END: kernelized
    Ok(num / &den.insert_axis(Axis(1)))
}

/// Bidirectional ALiBi, `b_Δ = −m|Δ|`, in `O(n d d_v)` with no transform: `e^{−m|i−j|}` is
/// `e^{−m(i−j)}` for the keys at or before `i` and `e^{−m(j−i)}` for those after, so one running
/// state decays by `e^{−m}` per step scanning forward and a second one scanning backward. (A
/// single state would do for the causal half alone; a bias that is a sum of `R` exponentials in
/// the offset needs `R` such states.)
///
/// # Errors
/// As [`kernelized_slow`], and a slope that is negative or not finite.
///
/// ```
/// use ndarray::array;
/// use relative::kernelized::{kernelized_slow, kernelized_symmetric_alibi};
/// let q = array![[0.3, -1.0], [1.2, 0.4], [-0.7, 0.1]];
/// let k = array![[0.5, 0.2], [-0.3, 0.9], [0.8, -0.6]];
/// let v = array![[1.0, 0.0], [2.0, -1.0], [4.0, 1.0]];
/// let m = 0.5;
/// let bias: Vec<f64> = (-2..=2).map(|d: i32| -m * f64::from(d.abs())).collect();
/// let scans = kernelized_symmetric_alibi(q.view(), k.view(), v.view(), m)?;
/// let slow = kernelized_slow(q.view(), k.view(), v.view(), &bias)?;
/// assert!((&scans - &slow).iter().all(|x| x.abs() < 1e-12));
/// # Ok::<(), relative::Error>(())
/// ```
pub fn kernelized_symmetric_alibi(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    slope: f64,
) -> Result<Array2<f64>> {
    let n = check(q, k, v)?;
    if !(slope.is_finite() && slope >= 0.0) {
        return Err(errors::bad(
            "slope",
            slope,
            "it must be a finite number ≥ 0",
        ));
    }
    let (pq, pk) = (q.mapv(feature), k.mapv(feature)); // [n, d] each
    let (d, dv) = (q.ncols(), v.ncols());
    let decay = (-slope).exp();
    let mut num = Array2::<f64>::zeros((n, dv)); // [n, d_v]
    let mut den = Array1::<f64>::zeros(n); // [n]
    // ANCHOR: two_scans
    let mut s = Array2::<f64>::zeros((d, dv)); // Σ decay^{|i−j|} φ(k_j) v_jᵀ over one side
    let mut z = Array1::<f64>::zeros(d); // Σ decay^{|i−j|} φ(k_j) over the same side
    for i in 0..n {
        // Forward: keys j ≤ i, the state decays once per step, then takes key i at weight 1.
        s *= decay;
        z *= decay;
        s += &outer(pk.row(i), v.row(i));
        z += &pk.row(i);
        num.row_mut(i).assign(&pq.row(i).dot(&s));
        den[i] = pq.row(i).dot(&z);
    }
    s.fill(0.0);
    z.fill(0.0);
    for i in (0..n.saturating_sub(1)).rev() {
        // Backward: keys j > i, key i + 1 enters at weight decay, older ones decay further.
        s += &outer(pk.row(i + 1), v.row(i + 1));
        z += &pk.row(i + 1);
        s *= decay;
        z *= decay;
        num.row_mut(i).scaled_add(1.0, &pq.row(i).dot(&s));
        den[i] += pq.row(i).dot(&z);
    }
    // ANCHOR_END: two_scans
    Ok(num / &den.insert_axis(Axis(1)))
}

/// `a bᵀ`.
fn outer(a: ndarray::ArrayView1<'_, f64>, b: ndarray::ArrayView1<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.len(), b.len()), |(r, c)| a[r] * b[c])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use ndarray::array;
    use proptest::prelude::*;

    fn worst(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0, |w, x| w.max(x.abs()))
    }

    /// A bias over offsets −(n−1)..=n−1 with entries in [−2, 2) and, if `causal`, −∞ after 0.
    fn bias(n: usize, seed: u64, causal: bool) -> Vec<f64> {
        let mut rng = bookkit::rng::SplitMix64(seed);
        (0..2 * n - 1)
            .map(|e| {
                let b = rng.next_f64() * 4.0 - 2.0;
                if causal && e > n - 1 {
                    f64::NEG_INFINITY
                } else {
                    b
                }
            })
            .collect()
    }

    /// `transforms` is what `kernelized` runs: counted on this thread, for several widths
    /// (an even and an odd number of sequences per feature) and lengths.
    #[test]
    fn transforms_counts_the_calls() {
        for (n, d, dv) in [(1, 1, 1), (5, 2, 3), (9, 3, 4), (16, 4, 4), (17, 1, 2)] {
            let mut rng = bookkit::rng::SplitMix64(n as u64);
            let mut draw = |c| Array2::from_shape_fn((n, c), |_| rng.next_gaussian());
            let (q, k, v) = (draw(d), draw(d), draw(dv));
            let before = fft::CALLS.with(std::cell::Cell::get);
            kernelized(q.view(), k.view(), v.view(), &bias(n, 7, false)).unwrap();
            let ran = fft::CALLS.with(std::cell::Cell::get) - before;
            assert_eq!(ran, transforms(d, dv), "n {n}, d {d}, d_v {dv}");
        }
    }

    proptest! {
        #[test]
        fn fft_form_equals_the_explicit_sum(
            n in 1usize..24, d in 1usize..4, dv in 1usize..4, seed in any::<u64>(),
            causal in any::<bool>(),
        ) {
            let mut rng = bookkit::rng::SplitMix64(seed);
            let mut draw = |cols| Array2::from_shape_fn((n, cols), |_| rng.next_gaussian());
            let (q, k, v) = (draw(d), draw(d), draw(dv));
            let b = bias(n, seed ^ 1, causal);
            let fast = kernelized(q.view(), k.view(), v.view(), &b).unwrap();
            let slow = kernelized_slow(q.view(), k.view(), v.view(), &b).unwrap();
            // Factors in [e^−2, e^2) and φ ≤ 1 + |x|: each row's denominator is at least
            // e^−2 · min φ·φ, and the FFT's absolute error is a few ε times the row's sum of
            // |terms|, so the ratio is good to far better than 1e-9.
            prop_assert!(worst(&fast, &slow) < 1e-9, "{}", worst(&fast, &slow));
        }

        #[test]
        fn two_scans_equal_the_explicit_sum_for_symmetric_alibi(
            n in 1usize..20, seed in any::<u64>(), slope in 0.0f64..2.0,
            q in matrix(19, 3), k in matrix(19, 3), v in matrix(19, 2),
        ) {
            let (q, k, v) = (q.slice(ndarray::s![..n, ..]), k.slice(ndarray::s![..n, ..]),
                             v.slice(ndarray::s![..n, ..]));
            let _ = seed;
            let n_i = n as i64;
            let b: Vec<f64> = (-(n_i - 1)..n_i).map(|o| -slope * o.abs() as f64).collect();
            let scans = kernelized_symmetric_alibi(q, k, v, slope).unwrap();
            let slow = kernelized_slow(q, k, v, &b).unwrap();
            let fast = kernelized(q, k, v, &b).unwrap();
            // Factors e^{−m|Δ|} ≥ e^{−2·19}: the smallest terms are tiny, but every row keeps its
            // own key at factor 1, so the denominators stay of order 1 and 1e-9 is loose.
            prop_assert!(worst(&scans, &slow) < 1e-12, "{}", worst(&scans, &slow));
            prop_assert!(worst(&fast, &slow) < 1e-9, "{}", worst(&fast, &slow));
        }
    }

    /// The FFT form's error is absolute: each Toeplitz product is off by a few ε times the
    /// largest factor times the sequence's size, whatever the size of the entry itself. A causal
    /// row 0 reaches only its own key; with that factor `e^{−20}` and a far-past factor `e^{20}`
    /// elsewhere in the table, row 0's sums (about `e^{−20}`) drown in an error of order
    /// `ε e^{20}`, while the explicit sum, which never mixes the factors, returns `v_0` exactly.
    #[test]
    fn the_fft_error_is_absolute_not_relative() {
        let n = 16;
        let zeros = Array2::<f64>::zeros((n, 1)); // φ = 1 for every query and key
        let v = Array2::from_shape_fn((n, 1), |(j, _)| 1.0 + j as f64);
        // Offsets −(n−1)..=n−1: −∞ after 0, −20 at 0, +20 at the farthest past, 0 between.
        let b: Vec<f64> = (0..2 * n - 1)
            .map(|e| match e {
                0 => 20.0,
                e if e == n - 1 => -20.0,
                e if e > n - 1 => f64::NEG_INFINITY,
                _ => 0.0,
            })
            .collect();
        let slow = kernelized_slow(zeros.view(), zeros.view(), v.view(), &b).unwrap();
        let fast = kernelized(zeros.view(), zeros.view(), v.view(), &b).unwrap();
        assert!((slow[[0, 0]] - 1.0).abs() < 1e-12, "{}", slow[[0, 0]]);
        assert!((fast[[0, 0]] - 1.0).abs() > 0.5, "{}", fast[[0, 0]]);
        // The last row reaches the large factor: its sums are of its size, and the forms agree.
        let last = (fast[[n - 1, 0]] - slow[[n - 1, 0]]).abs() / slow[[n - 1, 0]];
        assert!(last < 1e-12, "{last}");
    }

    #[test]
    fn a_zero_bias_is_plain_linear_attention() {
        // With every factor 1 the output is Katharopoulos et al.'s, computed here from its sums.
        let q = array![[0.2, -0.4], [1.0, 0.3], [-0.5, 0.8]];
        let k = array![[0.1, 0.7], [-0.9, 0.2], [0.4, -0.3]];
        let v = array![[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]];
        let (pq, pk) = (q.mapv(feature), k.mapv(feature));
        let s = pk.t().dot(&v); // Σ_j φ(k_j) v_jᵀ
        let z = pk.sum_axis(Axis(0)); // Σ_j φ(k_j)
        let out = kernelized(q.view(), k.view(), v.view(), &[0.0; 5]).unwrap();
        for i in 0..3 {
            let expected = pq.row(i).dot(&s) / pq.row(i).dot(&z);
            for c in 0..2 {
                assert!((out[[i, c]] - expected[c]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn bad_inputs_are_refused_with_their_names() {
        let x = array![[0.0], [1.0]];
        let e = |r: Result<Array2<f64>>| r.unwrap_err().to_string();
        assert!(
            e(kernelized(x.view(), x.view(), x.view(), &[0.0; 2])).contains("one entry per offset")
        );
        assert_eq!(
            e(kernelized_slow(
                x.view(),
                x.view(),
                x.view(),
                &[0.0, f64::NAN, 0.0]
            )),
            "`bias` holds NaN: every entry must be finite"
        );
        assert!(kernelized(x.view(), x.view(), x.view(), &[0.0, f64::INFINITY, 0.0]).is_err());
        // Row 0 reaches offsets 0 and 1, both masked.
        let masked = [0.0, f64::NEG_INFINITY, f64::NEG_INFINITY];
        assert!(matches!(
            kernelized(x.view(), x.view(), x.view(), &masked),
            Err(Error::FullyMasked { row: 0 })
        ));
        // Row 1 reaches offsets −1 and 0: masking only +1 and −1 leaves both rows their own key.
        let ok = [f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY];
        let out = kernelized(x.view(), x.view(), x.view(), &ok).unwrap();
        assert!((out[[0, 0]]).abs() < 1e-12 && (out[[1, 0]] - 1.0).abs() < 1e-12);
        let wide = array![[0.0, 1.0], [1.0, 0.0]];
        assert!(matches!(
            kernelized(x.view(), wide.view(), x.view(), &[0.0; 3]),
            Err(Error::Shape { .. })
        ));
        let short = array![[0.0]];
        assert!(matches!(
            kernelized(x.view(), x.view(), short.view(), &[0.0; 3]),
            Err(Error::Shape { .. })
        ));
        let empty = Array2::<f64>::zeros((0, 1));
        assert!(matches!(
            kernelized(empty.view(), empty.view(), empty.view(), &[]),
            Err(Error::Empty { .. })
        ));
        let nan = array![[0.0], [f64::NAN]];
        assert_eq!(
            e(kernelized(x.view(), nan.view(), x.view(), &[0.0; 3])),
            "`k` holds NaN at row 1, column 0: every entry must be finite"
        );
        assert!(
            e(kernelized_symmetric_alibi(
                x.view(),
                x.view(),
                x.view(),
                -1.0
            ))
            .contains("slope")
        );
        assert!(kernelized_symmetric_alibi(x.view(), x.view(), x.view(), f64::NAN).is_err());
    }
}
