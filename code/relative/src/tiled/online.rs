//! Step one: the online softmax alone, with no mask and no position terms.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use errors::bad;

use super::{check, check_block};
use crate::Error;

/// Plain tiled attention, `softmax(q kᵀ / √d) v`, with an online softmax: queries and keys in
/// blocks of `block`, never more than `block × block` scores at a time. No mask, no position
/// terms: the algorithm alone. Tested equal to [`attention::scaled_dot_product`].
///
/// # Errors
/// `block = 0`, shapes that do not fit, non-finite inputs, or logits that overflow.
///
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
/// let out = relative::tiled::online(x.view(), x.view(), x.view(), 2)?;
/// let explicit = attention::scaled_dot_product(x.view(), x.view(), x.view(), &Default::default())?;
/// assert!((&out - &explicit.output).iter().all(|d| d.abs() < 1e-15));
/// # Ok::<(), relative::Error>(())
/// ```
pub fn online(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
) -> Result<Array2<f64>, Error> {
    check(q, k, v)?;
    let block = check_block(block, q.nrows().max(k.nrows()))?;
    let out = online_softmax(q, k, v, block);
    // Finite inputs can still overflow q · k; the running maximum then turns into NaN.
    if let Some(x) = out.iter().find(|x| !x.is_finite()) {
        return Err(bad("output", x, "q · k overflowed: scale the inputs down"));
    }
    Ok(out)
}

// ANCHOR: online
/// The loop of [`online`], on checked inputs (`1 ≤ block ≤ max(n_q, n_k)`).
fn online_softmax(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
) -> Array2<f64> {
    let (n_q, n_k) = (q.nrows(), k.nrows());
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut out = Array2::<f64>::zeros((n_q, v.ncols()));
    for q0 in (0..n_q).step_by(block) {
        let qb = q.slice(s![q0..(q0 + block).min(n_q), ..]); // b × d
        let mut m = Array1::from_elem(qb.nrows(), f64::NEG_INFINITY); // running max
        let mut l = Array1::<f64>::zeros(qb.nrows()); // running Σ e^(s − m)
        let mut o = Array2::<f64>::zeros((qb.nrows(), v.ncols())); // running Σ e^(s − m) v
        for k0 in (0..n_k).step_by(block) {
            let k1 = (k0 + block).min(n_k);
            let scores = qb.dot(&k.slice(s![k0..k1, ..]).t()) * scale; // b_q × b_k logits
            for (r, row) in scores.rows().into_iter().enumerate() {
                let m_new = row.fold(m[r], |a, &x| a.max(x)); // m'
                let correction = (m[r] - m_new).exp(); // e^(m − m')
                let p = row.mapv(|x| (x - m_new).exp()); // e^(s_j − m')
                l[r] = l[r] * correction + p.sum();
                let mut o_r = o.row_mut(r);
                o_r *= correction;
                o_r += &p.dot(&v.slice(s![k0..k1, ..]));
                m[r] = m_new;
            }
        }
        let o = o / &l.insert_axis(Axis(1)); // o / ℓ, row by row
        out.slice_mut(s![q0..q0 + o.nrows(), ..]).assign(&o);
    }
    out
}
// ANCHOR_END: online

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    proptest! {
        /// The plain online softmax against the explicit softmax attention of the shared core,
        /// over random shapes (as many keys as queries or not) and tile sizes.
        #[test]
        fn online_equals_explicit_attention(
            (q, k, v) in (1usize..30, 1usize..30, 1usize..6, 1usize..5).prop_flat_map(
                |(n_q, n_k, d, d_v)| (matrix(n_q, d), matrix(n_k, d), matrix(n_k, d_v)),
            ),
            block in 1usize..9,
        ) {
            let want = attention::scaled_dot_product(
                q.view(), k.view(), v.view(), &attention::Options::default(),
            ).unwrap().output;
            let got = online(q.view(), k.view(), v.view(), block).unwrap();
            // Only the order of summation differs; in f64 that costs far less than 1e-12 here.
            prop_assert!((&got - &want).iter().all(|x| x.abs() < 1e-12));
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::<f64>::ones((4, 2));
        let e = online(x.view(), x.view(), x.view(), 0).unwrap_err();
        assert!(e.to_string().contains("block = 0"), "{e}");
        let wide = Array2::<f64>::ones((4, 3));
        assert!(online(x.view(), wide.view(), x.view(), 2).is_err());
        let mut nan = x.clone();
        nan[[1, 1]] = f64::NAN;
        assert!(online(x.view(), x.view(), nan.view(), 2).is_err());
        // A huge tile is clamped, not allocated.
        assert!(online(x.view(), x.view(), x.view(), usize::MAX).is_ok());
        let big = Array2::<f64>::from_elem((2, 2), 1e200);
        let e = online(big.view(), big.view(), big.view(), 2).unwrap_err();
        assert!(e.to_string().contains("overflowed"), "{e}");
    }
}
