//! Linear (kernelized) attention (Katharopoulos, Vyas, Pappas and Fleuret, *Transformers are RNNs:
//! Fast Autoregressive Transformers with Linear Attention*, 2020, arXiv:2006.16236) with the
//! feature map `φ(x) = elu(x) + 1`, and RoPE applied to `φ(q)` and `φ(k)` as RoFormer does
//! (Su et al. 2021, arXiv:2104.09864, §3.3): the rotation enters the numerator only, the
//! denominator keeps the unrotated features, so it stays positive.
//!
//! Row `i` of the output is
//! `Σ_j (R_{m_i} φ(q_i))·(R_{m_j} φ(k_j)) v_j / Σ_j φ(q_i)·φ(k_j)`, over all `j` or, causal, over
//! `j ≤ i`. [`linear_attention_slow`] computes that sum as written, with an `n × n` matrix of
//! weights; [`linear_attention`] regroups it as `(R φ(q_i))ᵀ (Σ_j R φ(k_j) v_jᵀ)`, so it keeps one
//! `d_head × d_v` state and never holds anything `n × n`. Both use plain loops (no matrix library),
//! so the bytes they allocate are exact and the memory table can be checked.

use ndarray::{Array1, Array2, ArrayView2};

use errors::bad;

use crate::{Error, Rope};

/// `elu(x) + 1`: `x + 1` for `x > 0`, `e^x` otherwise; always positive.
pub fn feature(x: f64) -> f64 {
    if x > 0.0 { x + 1.0 } else { x.exp() }
}

/// φ of every row, and the same rows rotated by their positions (or not, without RoPE).
fn features(
    x: ArrayView2<'_, f64>,
    positions: &[usize],
    rope: Option<&Rope>,
) -> Result<(Array2<f64>, Array2<f64>), Error> {
    let phi = x.mapv(feature); // (n, d_head)
    let rotated = match rope {
        Some(r) => r.rotate_rows(phi.view(), positions)?, // (n, d_head)
        None => phi.clone(),
    };
    Ok((phi, rotated))
}

fn check(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    positions: &[usize],
) -> Result<(), Error> {
    if k.dim() != q.dim() {
        return Err(errors::shape(
            "k must have q's shape",
            q.shape().to_vec(),
            k.shape().to_vec(),
        ));
    }
    if v.nrows() != q.nrows() || positions.len() != q.nrows() {
        return Err(errors::shape(
            "v and positions need one row per query",
            vec![q.nrows()],
            vec![v.nrows(), positions.len()],
        ));
    }
    if let Some(x) = q
        .iter()
        .chain(k.iter())
        .chain(v.iter())
        .find(|x| !x.is_finite())
    {
        return Err(bad(
            "an entry of q, k or v",
            x,
            "every entry must be finite",
        ));
    }
    Ok(())
}

fn divide(num: f64, den: f64, i: usize) -> Result<f64, Error> {
    if den > 0.0 {
        Ok(num / den)
    } else {
        Err(bad(
            "denominator",
            format!("{den} in row {i}"),
            "it must be positive (φ underflowed to 0: entries of q or k below about −745)",
        ))
    }
}

// ANCHOR: slow
/// Linear attention as its defining sum: the `n × n` matrix of weights
/// `w_ij = (R φ(q_i))·(R φ(k_j))` (zero above the diagonal if causal), divided row by row by
/// `Σ_j φ(q_i)·φ(k_j)`, then times `v`. O(n²) memory.
///
/// # Errors
/// Mismatched shapes, a position count that is not `n`, non-finite entries, a `rope` whose
/// `head_dim` is not the rows' width, or a denominator that underflowed to 0.
pub fn linear_attention_slow(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    positions: &[usize],
    rope: Option<&Rope>,
    causal: bool,
) -> Result<Array2<f64>, Error> {
    check(q, k, v, positions)?;
    let (n, d) = q.dim();
    let ((pq, rq), (pk, rk)) = (features(q, positions, rope)?, features(k, positions, rope)?);
    let mut w = Array2::<f64>::zeros((n, n)); // (n, n) numerator weights
    let mut den = Array1::<f64>::zeros(n); // (n,) denominators
    for i in 0..n {
        for j in 0..if causal { i + 1 } else { n } {
            w[[i, j]] = (0..d).map(|t| rq[[i, t]] * rk[[j, t]]).sum();
            den[i] += (0..d).map(|t| pq[[i, t]] * pk[[j, t]]).sum::<f64>();
        }
    }
    let mut out = Array2::zeros((n, v.ncols())); // (n, d_v)
    for i in 0..n {
        for c in 0..v.ncols() {
            let num: f64 = (0..n).map(|j| w[[i, j]] * v[[j, c]]).sum();
            out[[i, c]] = divide(num, den[i], i)?;
        }
    }
    Ok(out)
}
// ANCHOR_END: slow

/// Linear attention regrouped: `S = Σ_j R φ(k_j) v_jᵀ` and `z = Σ_j φ(k_j)`, over all rows or,
/// causal, as running sums; then row `i` is `(R φ(q_i))ᵀ S / φ(q_i)·z`. O(d_head · d_v) state.
///
/// # Errors
/// As [`linear_attention_slow`].
// ANCHOR: fast
pub fn linear_attention(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    positions: &[usize],
    rope: Option<&Rope>,
    causal: bool,
) -> Result<Array2<f64>, Error> {
    check(q, k, v, positions)?;
    let (n, d) = q.dim();
    let ((pq, rq), (pk, rk)) = (features(q, positions, rope)?, features(k, positions, rope)?);
    let mut s = Array2::<f64>::zeros((d, v.ncols())); // (d_head, d_v) state
    let mut z = Array1::<f64>::zeros(d); // (d_head,) normaliser
    let add = |j: usize, s: &mut Array2<f64>, z: &mut Array1<f64>| {
        for t in 0..d {
            z[t] += pk[[j, t]];
            for c in 0..v.ncols() {
                s[[t, c]] += rk[[j, t]] * v[[j, c]];
            }
        }
    };
    if !causal {
        (0..n).for_each(|j| add(j, &mut s, &mut z));
    }
    let mut out = Array2::zeros((n, v.ncols())); // (n, d_v)
    for i in 0..n {
        if causal {
            add(i, &mut s, &mut z);
        }
        let den: f64 = (0..d).map(|t| pq[[i, t]] * z[t]).sum();
        for c in 0..v.ncols() {
            let num: f64 = (0..d).map(|t| rq[[i, t]] * s[[t, c]]).sum();
            out[[i, c]] = divide(num, den, i)?;
        }
    }
    Ok(out)
}
// ANCHOR_END: fast

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BASE, Layout};
    use proptest::prelude::*;

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(-2.0..2.0f64, rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
    }

    fn inputs() -> impl Strategy<Value = (Array2<f64>, Array2<f64>, Array2<f64>)> {
        (1usize..10).prop_flat_map(|n| (matrix(n, 6), matrix(n, 6), matrix(n, 3)))
    }

    fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) -> bool {
        a.dim() == b.dim() && (a - b).iter().all(|x| x.abs() < tol)
    }

    proptest! {
        /// The regrouped form is the defining sum, causal or not, with or without RoPE. The two
        /// add the same products in a different order; outputs are weighted averages of entries
        /// of v below 2 in size with a positive denominator ≥ ~e^-24: 1e-9 is rounding.
        #[test]
        fn fast_equals_the_defining_sum(
            (q, k, v) in inputs(), causal in any::<bool>(), with_rope in any::<bool>(), start in 0usize..1000,
        ) {
            let rope = Rope::new(6, BASE, Layout::HalfSplit).unwrap();
            let rope = with_rope.then_some(&rope);
            let pos: Vec<usize> = (start..start + q.nrows()).collect();
            let slow = linear_attention_slow(q.view(), k.view(), v.view(), &pos, rope, causal).unwrap();
            let fast = linear_attention(q.view(), k.view(), v.view(), &pos, rope, causal).unwrap();
            prop_assert!(close(&slow, &fast, 1e-9));
        }

        /// With RoPE, shifting every position by c leaves the output unchanged (the numerator
        /// sees only m_i − m_j, the denominator no position): rounding of angles up to ~1e5
        /// rad, ~1e-11 each, is what the 1e-8 allows for.
        #[test]
        fn with_rope_outputs_are_shift_invariant(
            (q, k, v) in inputs(), causal in any::<bool>(), c in 0usize..100_000,
        ) {
            let rope = Rope::new(6, BASE, Layout::Interleaved).unwrap();
            let pos: Vec<usize> = (0..q.nrows()).collect();
            let shifted: Vec<usize> = pos.iter().map(|p| p + c).collect();
            let a = linear_attention(q.view(), k.view(), v.view(), &pos, Some(&rope), causal).unwrap();
            let b = linear_attention(q.view(), k.view(), v.view(), &shifted, Some(&rope), causal).unwrap();
            prop_assert!(close(&a, &b, 1e-8));
        }

        /// Without a position signal, non-causal linear attention is permutation-equivariant:
        /// shuffling the tokens shuffles the output rows the same way.
        #[test]
        fn without_rope_outputs_are_permutation_equivariant(
            (q, k, v) in inputs(), seed in any::<u64>(),
        ) {
            let n = q.nrows();
            let mut perm: Vec<usize> = (0..n).collect();
            let mut rng = bookkit::rng::SplitMix64(seed);
            for i in (1..n).rev() {
                perm.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
            let pos: Vec<usize> = (0..n).collect();
            let out = linear_attention(q.view(), k.view(), v.view(), &pos, None, false).unwrap();
            let (pq, pk, pv) = (q.select(ndarray::Axis(0), &perm), k.select(ndarray::Axis(0), &perm), v.select(ndarray::Axis(0), &perm));
            let permuted = linear_attention(pq.view(), pk.view(), pv.view(), &pos, None, false).unwrap();
            prop_assert!(close(&permuted, &out.select(ndarray::Axis(0), &perm), 1e-12));
        }
    }

    /// Without RoPE the weights φ(q_i)·φ(k_j) / Σ_j φ(q_i)·φ(k_j) are positive and sum to 1, so
    /// values that are all 1 come out as 1 (to rounding), and one token returns its own value.
    #[test]
    fn without_rope_outputs_are_weighted_means_of_v() {
        let mut rng = bookkit::rng::SplitMix64(9);
        let mut draw = |r, c| Array2::from_shape_fn((r, c), |_| rng.next_gaussian());
        let (q, k) = (draw(6, 4), draw(6, 4));
        let pos: Vec<usize> = (0..6).collect();
        for causal in [false, true] {
            let ones = Array2::from_elem((6, 3), 1.0);
            let out =
                linear_attention(q.view(), k.view(), ones.view(), &pos, None, causal).unwrap();
            assert!(out.iter().all(|x| (x - 1.0).abs() < 1e-12), "{out}");
            let slow = linear_attention_slow(q.view(), k.view(), ones.view(), &pos, None, causal);
            assert!(slow.unwrap().iter().all(|x| (x - 1.0).abs() < 1e-12));
        }
        let v = draw(1, 3);
        let one = |x: &Array2<f64>| x.slice(ndarray::s![..1, ..]).to_owned();
        let out = linear_attention(one(&q).view(), one(&k).view(), v.view(), &[0], None, true);
        assert!(close(&out.unwrap(), &v, 1e-12));
    }

    /// With RoPE, the same shuffle changes the output: position now matters.
    #[test]
    fn with_rope_order_matters() {
        let mut rng = bookkit::rng::SplitMix64(3);
        let mut draw = |c| Array2::from_shape_fn((5, c), |_| rng.next_gaussian());
        let (q, k, v) = (draw(6), draw(6), draw(3));
        let rope = Rope::new(6, BASE, Layout::Interleaved).unwrap();
        let perm = [4, 2, 0, 3, 1];
        let pos: Vec<usize> = (0..5).collect();
        let out = linear_attention(q.view(), k.view(), v.view(), &pos, Some(&rope), false).unwrap();
        let sel = |x: &Array2<f64>| x.select(ndarray::Axis(0), &perm);
        let permuted = linear_attention(
            sel(&q).view(),
            sel(&k).view(),
            sel(&v).view(),
            &pos,
            Some(&rope),
            false,
        )
        .unwrap();
        assert!(!close(&permuted, &sel(&out), 1e-3));
    }

    #[test]
    fn inputs_are_checked() {
        let (a, b) = (Array2::<f64>::zeros((3, 4)), Array2::<f64>::zeros((2, 4)));
        let pos = [0, 1, 2];
        assert!(linear_attention(a.view(), b.view(), a.view(), &pos, None, true).is_err());
        assert!(linear_attention_slow(a.view(), a.view(), b.view(), &pos, None, true).is_err());
        assert!(linear_attention(a.view(), a.view(), a.view(), &pos[..2], None, true).is_err());
        let mut bad_q = a.clone();
        bad_q[[0, 0]] = f64::NAN;
        assert!(linear_attention(bad_q.view(), a.view(), a.view(), &pos, None, true).is_err());
        let tiny = Array2::from_elem((3, 4), -800.0);
        let e = linear_attention(tiny.view(), tiny.view(), a.view(), &pos, None, true).unwrap_err();
        assert!(e.to_string().contains("denominator"), "{e}");
        assert!(
            linear_attention_slow(tiny.view(), tiny.view(), a.view(), &pos, None, true).is_err()
        );
        let rope = Rope::new(6, BASE, Layout::Interleaved).unwrap();
        assert!(linear_attention(a.view(), a.view(), a.view(), &pos, Some(&rope), true).is_err());
        assert_eq!(feature(1.0), 2.0);
        assert_eq!(feature(0.0), 1.0);
        assert!((feature(-1.0) - (-1.0f64).exp()).abs() < 1e-15);
    }
}
