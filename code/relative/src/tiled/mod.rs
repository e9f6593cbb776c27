//! Attention computed block by block with an online softmax: the running maximum and normaliser
//! of Milakov and Gimelshein (*Online normalizer calculation for softmax*, 2018, arXiv:1805.02867),
//! extended with a running output as in Rabe and Staats (2021, arXiv:2112.05682) and FlashAttention
//! (Dao et al., 2022, arXiv:2205.14135). The `n × n` score matrix never exists: each query
//! keeps a running maximum, a running sum and a running output while key blocks stream past.
//!
//! Two steps, as the chapter takes them:
//! - [`online`] is the plain algorithm, with no position terms at all;
//! - [`tiled`] and [`tiled_with_pair_values`] extend it with a causal mask, a bias computed per
//!   pair `(i, j)` on the fly (ALiBi and T5 fit there, and so does Shaw et al.'s key term), and
//!   Shaw et al.'s value term, a *vector* per pair that does not fit the tile's `P · V` product and
//!   is carried as running sums per clipped offset instead.
//!
//! [`tiled_slow`] is the explicit form every one of them is tested against.

use ndarray::{Array2, ArrayView2};

use errors::bad;

use crate::Error;

mod backward;
mod online;
mod positions;

pub use backward::{BucketTable, bias_grad, bias_grad_slow, forward_with_lse};
pub use online::online;
pub use positions::{PairValues, tiled, tiled_with_pair_values};

/// A per-pair additive bias, computed on demand: `bias(i, j)` for query `i` and key `j`.
pub type Bias<'a> = &'a dyn Fn(usize, usize) -> f64;

pub(crate) fn check(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
) -> Result<(), Error> {
    // One rule per check, each naming the array it is about and the shape it needed.
    for (what, m) in [("q", q), ("k", k), ("v", v)] {
        if m.is_empty() {
            return Err(Error::Empty { what });
        }
    }
    if k.ncols() != q.ncols() {
        return Err(errors::shape(
            "k must be n_k × d, as wide as q",
            [k.nrows(), q.ncols()],
            k.shape(),
        ));
    }
    if v.nrows() != k.nrows() {
        return Err(errors::shape(
            "v must be n_k × d_v, one row per key",
            [k.nrows(), v.ncols()],
            v.shape(),
        ));
    }
    for (what, m) in [("q", q), ("k", k), ("v", v)] {
        if let Some(x) = m.iter().find(|x| !x.is_finite()) {
            return Err(bad(what, x, "every entry must be finite"));
        }
    }
    Ok(())
}

/// Refuses a zero tile and clamps one larger than the problem (it would hold nothing more).
pub(crate) fn check_block(block: usize, n: usize) -> Result<usize, Error> {
    if block == 0 {
        return Err(bad("block", 0, "a tile holds at least one row"));
    }
    Ok(block.min(n))
}

/// Refuses a causal mask on a problem with different numbers of queries and keys.
pub(crate) fn check_causal(causal: bool, n_q: usize, n_k: usize) -> Result<(), Error> {
    if causal && n_q != n_k {
        return Err(bad(
            "n_q",
            n_q,
            "a causal mask needs as many queries as keys",
        ));
    }
    Ok(())
}

/// The explicit form of [`tiled`], with the same signature: the full `n × n` bias and scores,
/// through the shared core ([`attention::scaled_dot_product`]). `block` is checked as [`tiled`]
/// checks it and otherwise unused: here the whole matrix is one block.
///
/// # Errors
/// As [`tiled`].
///
/// ```
/// use ndarray::array;
/// use relative::tiled::{tiled, tiled_slow};
/// let x = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
/// let slow = tiled_slow(x.view(), x.view(), x.view(), 2, true, None)?;
/// let fast = tiled(x.view(), x.view(), x.view(), 2, true, None)?;
/// assert_eq!(slow.row(0).to_vec(), [1.0, 0.0]); // the first query sees only the first key
/// assert!((&slow - &fast).iter().all(|d| d.abs() < 1e-15));
/// # Ok::<(), relative::Error>(())
/// ```
pub fn tiled_slow(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: Option<Bias<'_>>,
) -> Result<Array2<f64>, Error> {
    check(q, k, v)?;
    check_block(block, q.nrows().max(k.nrows()))?;
    check_causal(causal, q.nrows(), k.nrows())?;
    // Masked pairs are never read, as in [`tiled`]: their bias need not even be finite.
    let hidden = |i: usize, j: usize| causal && j > i;
    let matrix = bias.map(|b| {
        Array2::from_shape_fn((q.nrows(), k.nrows()), |(i, j)| {
            if hidden(i, j) { 0.0 } else { b(i, j) }
        })
    });
    let options = attention::Options {
        bias: matrix.as_ref().map(|m| m.view()),
        causal,
        scale: None,
    };
    Ok(attention::scaled_dot_product(q, k, v, &options)?.output)
}

/// Floats of score storage each form needs at once for `n` queries and keys with a bias: the
/// naive form holds the bias, the scaled scores and the weights (`3 n²`; `2 n²` without a bias),
/// the tiled form one `block × block` tile.
pub fn score_floats(n: usize, block: usize) -> (usize, usize) {
    // Saturating, like `memory_floats`: a count past usize::MAX is reported as usize::MAX, not
    // a panic.
    let b = block.min(n);
    (n.saturating_mul(n).saturating_mul(3), b.saturating_mul(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_counts_saturate_and_each_shape_error_names_its_array() {
        assert_eq!(score_floats(4, 2), (48, 4));
        assert_eq!(score_floats(3, 8), (27, 9));
        assert_eq!(score_floats(usize::MAX, 2), (usize::MAX, 4));
        let q = Array2::<f64>::ones((3, 2));
        let k = Array2::<f64>::ones((3, 2));
        let v_short = Array2::<f64>::ones((2, 2));
        let e = check(q.view(), k.view(), v_short.view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shape mismatch: v must be n_k × d_v, one row per key; expected [3, 2], got [2, 2]"
        );
        let k_wide = Array2::<f64>::ones((3, 5));
        let e = check(q.view(), k_wide.view(), k.view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shape mismatch: k must be n_k × d, as wide as q; expected [3, 2], got [3, 5]"
        );
        let empty = Array2::<f64>::ones((0, 2));
        assert_eq!(
            check(empty.view(), k.view(), k.view()),
            Err(Error::Empty { what: "q" })
        );
    }

    #[test]
    fn the_slow_form_checks_as_the_fast_one_does() {
        let x = Array2::<f64>::ones((4, 2));
        assert!(tiled_slow(x.view(), x.view(), x.view(), 0, false, None).is_err());
        let short = Array2::<f64>::ones((2, 2));
        let e = tiled_slow(x.view(), short.view(), short.view(), 2, true, None).unwrap_err();
        assert!(e.to_string().contains("n_q = 4"), "{e}");
        let wide = Array2::<f64>::ones((4, 3));
        assert!(tiled_slow(x.view(), wide.view(), x.view(), 2, false, None).is_err());
        assert!(tiled_slow(x.view(), x.view(), x.view(), usize::MAX, false, None).is_ok());
        let nan_bias = |_: usize, _: usize| f64::NAN;
        assert!(tiled_slow(x.view(), x.view(), x.view(), 2, false, Some(&nan_bias)).is_err());
        let upper_nan = |i: usize, j: usize| if j > i { f64::NAN } else { 0.0 };
        assert!(tiled_slow(x.view(), x.view(), x.view(), 2, true, Some(&upper_nan)).is_ok());
    }

    #[test]
    fn score_storage() {
        assert_eq!(score_floats(200, 32), (120_000, 1024));
        assert_eq!(score_floats(8, 32), (192, 64));
    }
}
