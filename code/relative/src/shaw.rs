//! Shaw, Uszkoreit and Vaswani, *Self-Attention with Relative Position Representations*
//! (2018, arXiv:1803.02155): learned vectors for each clipped offset `clip(j − i, k)`, added to the
//! keys (`a^K_ij`) and to the values (`a^V_ij`).
//!
//! Three ways to compute the key term, all tested equal:
//! - explicit: build the `n × n × d` tensor `A^K` and take `q_i · a^K_ij` (the paper's equation);
//! - gather: `S = Q W_Kᵀ` is `n × (2k + 1)`, and `q_i · a^K_ij = S[i, clip(j − i) + k]`;
//! - skew (Huang et al., *Music Transformer*, 2018, arXiv:1809.04281): for causal attention with one
//!   embedding per distance, `Q Eᵀ` is `n × n` and a pad-reshape-slice lines it up with the logits.

use ndarray::{Array2, Array3, ArrayView2, Axis, s};

use errors::bad;

use crate::Error;

/// `clip(j − i, k) + k`: the row of the `(2k + 1)`-row tables that the pair `(i, j)` uses.
///
/// ```
/// use relative::shaw::clipped_index;
/// assert_eq!(clipped_index(5, 5, 2), 2); // offset 0 → the middle row
/// assert_eq!(clipped_index(0, 9, 2), 4); // offset +9 clips to +2
/// assert_eq!(clipped_index(9, 0, 2), 0); // offset −9 clips to −2
/// ```
pub fn clipped_index(i: usize, j: usize, k: usize) -> usize {
    // Offsets beyond ±k all clip to the end rows; no signed casts, so any usize works.
    if j >= i {
        k.saturating_add((j - i).min(k))
    } else {
        k - (i - j).min(k)
    }
}

/// `2k + 1`, the number of offsets `−k … k`, if it fits.
fn rows_for(k: usize) -> Result<usize, Error> {
    k.checked_mul(2)
        .and_then(|r| r.checked_add(1))
        .ok_or_else(|| bad("k", k, "2k + 1 must fit in a usize"))
}

/// The relative key terms of a set of queries, from [`Shaw::key_terms`].
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTerms {
    s: Array2<f64>,
    k: usize,
}

impl KeyTerms {
    /// `q_i · w_K[clip(p_j − p_i, k)]` for query row `i` at position `p_i` and a key at `p_j`.
    ///
    /// # Panics
    /// When `i` is not a row of the queries the terms were computed from (an index, not input).
    pub fn at(&self, i: usize, p_i: usize, p_j: usize) -> f64 {
        self.s[[i, clipped_index(p_i, p_j, self.k)]]
    }
}

/// The learned relative representations of one layer: `2k + 1` vectors for the keys and `2k + 1`
/// for the values (the paper shares them across heads).
#[derive(Debug, Clone, PartialEq)]
pub struct Shaw {
    k: usize,
    w_k: Array2<f64>,
    w_v: Array2<f64>,
}

impl Shaw {
    /// Checks the tables: both `(2k + 1) × d`, finite.
    ///
    /// # Errors
    /// Tables of the wrong shape, or non-finite entries.
    pub fn new(k: usize, w_k: Array2<f64>, w_v: Array2<f64>) -> Result<Self, Error> {
        let rows = rows_for(k)?;
        for (what, w) in [("w_k", &w_k), ("w_v", &w_v)] {
            if w.nrows() != rows || w.ncols() == 0 {
                return Err(errors::shape(
                    "each table needs 2k + 1 rows (offsets −k … k) and at least one column",
                    vec![rows, w.ncols().max(1)],
                    w.shape().to_vec(),
                ));
            }
            if let Some(x) = w.iter().find(|x| !x.is_finite()) {
                return Err(bad(what, x, "every entry must be finite"));
            }
        }
        if w_k.ncols() != w_v.ncols() {
            return Err(errors::shape(
                "the key and value tables must have the same width",
                w_k.shape().to_vec(),
                w_v.shape().to_vec(),
            ));
        }
        Ok(Shaw { k, w_k, w_v })
    }

    /// Tables drawn from `N(0, 1/d)` by a seeded generator (for examples and tests).
    ///
    /// # Errors
    /// A zero width.
    pub fn seeded(k: usize, d: usize, seed: u64) -> Result<Self, Error> {
        if d == 0 {
            return Err(bad("d", 0, "the vectors need at least one component"));
        }
        if rows_for(k)?.checked_mul(d).is_none_or(|n| n > 1 << 26) {
            return Err(bad("k", k, "the tables may hold at most 2^26 entries"));
        }
        let mut rng = bookkit::rng::SplitMix64(seed);
        let scale = 1.0 / (d as f64).sqrt();
        let mut draw = || Array2::from_shape_fn((2 * k + 1, d), |_| scale * rng.next_gaussian());
        let (w_k, w_v) = (draw(), draw());
        Shaw::new(k, w_k, w_v)
    }

    /// The clipping distance `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The key table, row `r` for offset `r − k`.
    pub fn w_k(&self) -> ArrayView2<'_, f64> {
        self.w_k.view()
    }

    /// The value table, row `r` for offset `r − k`.
    pub fn w_v(&self) -> ArrayView2<'_, f64> {
        self.w_v.view()
    }

    fn check(&self, q: ArrayView2<'_, f64>, k: ArrayView2<'_, f64>) -> Result<(), Error> {
        let d = self.w_k.ncols();
        if q.ncols() != d || k.ncols() != d || q.nrows() != k.nrows() || q.nrows() == 0 {
            return Err(errors::shape(
                "q and k must both be n × d, with d the tables' width and n ≥ 1",
                vec![q.nrows().max(1), d],
                if q.ncols() != d { q.shape() } else { k.shape() }.to_vec(),
            ));
        }
        Ok(())
    }

    /// `A^K`, the explicit `n × n × d` tensor with `A^K[i, j] = w_K[clip(j − i, k)]`.
    pub fn a_k(&self, n: usize) -> Array3<f64> {
        let d = self.w_k.ncols();
        Array3::from_shape_fn((n, n, d), |(i, j, c)| {
            self.w_k[[clipped_index(i, j, self.k), c]]
        })
    }

    /// The logits `e_ij = q_i · (k_j + a^K_ij) / √d`, with `A^K` materialised.
    ///
    /// # Errors
    /// `q` and `k` not both `n × d`.
    pub fn logits_explicit(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        self.check(q, k)?;
        // ANCHOR: explicit
        let (n, d) = q.dim();
        let a_k = self.a_k(n); // A^K[i, j] = w_K[clip(j − i, k)]: n × n × d floats
        let mut e = Array2::zeros((n, n));
        for i in 0..n {
            for j in 0..n {
                let key = &k.row(j) + &a_k.slice(s![i, j, ..]); // k_j + a^K_ij
                e[[i, j]] = q.row(i).dot(&key) / (d as f64).sqrt();
            }
        }
        // ANCHOR_END: explicit
        Ok(e)
    }

    /// Every query's products with the key table, `S = Q W_Kᵀ` (`n × (2k + 1)`): the relative key
    /// term of any pair is then a lookup, `S[i, clip(p_j − p_i, k) + k]`.
    ///
    /// # Errors
    /// `q` not as wide as the tables.
    pub fn key_terms(&self, q: ArrayView2<'_, f64>) -> Result<KeyTerms, Error> {
        if q.ncols() != self.w_k.ncols() {
            return Err(errors::shape(
                "queries must be as wide as the relative tables",
                vec![q.nrows(), self.w_k.ncols()],
                q.shape().to_vec(),
            ));
        }
        Ok(KeyTerms {
            s: q.dot(&self.w_k.t()), // S = Q W_Kᵀ: n × (2k + 1)
            k: self.k,
        })
    }

    /// The same logits as [`Shaw::logits_explicit`] without the 3-D tensor: the content term
    /// `Q Kᵀ` plus a lookup in [`Shaw::key_terms`] per pair.
    ///
    /// # Errors
    /// `q` and `k` not both `n × d`.
    pub fn logits_gather(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        self.check(q, k)?;
        // ANCHOR: gather
        let terms = self.key_terms(q)?; // S = Q W_Kᵀ, n × (2k + 1): every q_i · w_K[r] once
        let scale = 1.0 / (q.ncols() as f64).sqrt();
        let mut e = q.dot(&k.t()); // the content term, n × n
        for ((i, j), v) in e.indexed_iter_mut() {
            *v = (*v + terms.at(i, i, j)) * scale; // + S[i, clip(j − i, k) + k]
        }
        // ANCHOR_END: gather
        Ok(e)
    }

    /// The outputs `z_i = Σ_j α_ij (v_j + a^V_ij)` with `A^V` materialised (`n × n × d`).
    ///
    /// # Errors
    /// Shapes that do not fit, or a softmax failure.
    pub fn outputs_explicit(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        let alpha = self.weights(q, k, v)?;
        let n = q.nrows();
        let a_v = Array3::from_shape_fn((n, n, v.ncols()), |(i, j, c)| {
            self.w_v[[clipped_index(i, j, self.k), c]]
        });
        let mut z = Array2::zeros((n, v.ncols()));
        for i in 0..n {
            for j in 0..n {
                let value = &v.row(j) + &a_v.slice(s![i, j, ..]);
                z.row_mut(i).scaled_add(alpha[[i, j]], &value);
            }
        }
        Ok(z)
    }

    /// The same outputs without `A^V`: `α V` plus, for each query, the attention weight summed
    /// per clipped offset (`n × (2k + 1)`) times the value table.
    ///
    /// # Errors
    /// Shapes that do not fit, or a softmax failure.
    pub fn outputs_bucketed(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        // ANCHOR: values
        let alpha = self.weights(q, k, v)?; // softmax of the logits, n × n
        let n = q.nrows();
        let mut per_offset = Array2::<f64>::zeros((n, 2 * self.k + 1));
        for ((i, j), &a) in alpha.indexed_iter() {
            per_offset[[i, clipped_index(i, j, self.k)]] += a; // Σ of α_ij per clipped offset
        }
        Ok(alpha.dot(&v) + per_offset.dot(&self.w_v)) // α V + (n × (2k + 1)) · w_V
        // ANCHOR_END: values
    }

    fn weights(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        if v.nrows() != k.nrows() || v.ncols() != self.w_v.ncols() {
            return Err(errors::shape(
                "v must be n × d, one row per key, as wide as the value table",
                vec![k.nrows(), self.w_v.ncols()],
                v.shape().to_vec(),
            ));
        }
        attention::softmax_rows(self.logits_gather(q, k)?.view())
    }
}

/// Huang et al.'s skewing. `rel` is `Q Eᵀ` (`n × n`), where row `r` of `E` embeds the distance
/// `r − (n − 1)` (from `−(n − 1)` up to `0`). Pad a zero column on the left, read the `n × (n + 1)`
/// buffer as `(n + 1) × n`, drop the first row: entry `(i, j)` of the result is
/// `rel[i, j − i + n − 1] = q_i · e_{j − i}` for every `j ≤ i`. Entries above the diagonal are
/// leftovers that the causal mask hides.
///
/// # Errors
/// A matrix that is not square, or empty.
pub fn skew(rel: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
    let (n, m) = rel.dim();
    if n != m || n == 0 {
        return Err(errors::shape(
            "skewing takes the square matrix Q Eᵀ (one embedding per distance)",
            vec![n.max(1), n.max(1)],
            vec![n, m],
        ));
    }
    // ANCHOR: skew
    // Pad: a zero column on the left of rel = Q Eᵀ, giving n × (n + 1).
    let mut padded = Array2::<f64>::zeros((n, n + 1));
    padded.slice_mut(s![.., 1..]).assign(&rel);
    // Reshape: the same n(n + 1) numbers, row-major, read as (n + 1) rows of n (no copy).
    let reshaped = padded
        .into_shape_with_order((n + 1, n))
        .expect("n(n + 1) numbers in standard layout reshape to (n + 1) × n");
    // Slice: drop the first row; entry (i, j ≤ i) is now q_i · e_{j − i}.
    Ok(reshaped.slice_axis(Axis(0), (1..).into()).to_owned())
    // ANCHOR_END: skew
}

/// Floats each form holds for the relative key term of one head (`n` tokens, width `d`, clipping
/// `k`): explicit `A^K` (`n² d`), gather (`n (2k + 1)`), skew (`n d` for `E` plus the `n (n + 1)`
/// padded buffer).
///
/// Saturates at `usize::MAX` rather than overflowing.
pub fn memory_floats(n: usize, d: usize, k: usize) -> (usize, usize, usize) {
    let mul = |a: usize, b: usize| a.saturating_mul(b);
    (
        mul(mul(n, n), d),
        mul(n, mul(2, k).saturating_add(1)),
        mul(n, d).saturating_add(mul(n, n.saturating_add(1))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(-2.0..2.0f64, rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
    }

    proptest! {
        #[test]
        fn explicit_and_gather_agree(
            (q, k, v) in (1usize..9, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d), matrix(n, d))),
            clip in 0usize..5, seed in any::<u64>(),
        ) {
            let shaw = Shaw::seeded(clip, q.ncols(), seed).unwrap();
            let a = shaw.logits_explicit(q.view(), k.view()).unwrap();
            let b = shaw.logits_gather(q.view(), k.view()).unwrap();
            // Same products, summed in a different order: a few ulps of values below ~50.
            prop_assert!((&a - &b).iter().all(|x| x.abs() < 1e-12));
            let za = shaw.outputs_explicit(q.view(), k.view(), v.view()).unwrap();
            let zb = shaw.outputs_bucketed(q.view(), k.view(), v.view()).unwrap();
            prop_assert!((&za - &zb).iter().all(|x| x.abs() < 1e-12));
        }

        #[test]
        fn skewing_lines_up_with_the_explicit_form(
            (q, e) in (1usize..10, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d))),
        ) {
            let n = q.nrows();
            let skewed = skew(q.dot(&e.t()).view()).unwrap();
            for i in 0..n {
                for j in 0..=i {
                    // Distance j − i, stored in row (j − i) + n − 1 of E.
                    let want = q.row(i).dot(&e.row(j + n - 1 - i));
                    prop_assert!((skewed[[i, j]] - want).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn skewing_matches_shaw_with_a_large_clip() {
        // With k ≥ n − 1 nothing is clipped, and E is the lower half of Shaw's key table.
        let (n, d) = (6, 3);
        let shaw = Shaw::seeded(n - 1, d, 9).unwrap();
        let q = Array2::from_shape_fn((n, d), |(i, c)| (i as f64 - c as f64) / 3.0);
        let zero_k = Array2::zeros((n, d));
        let explicit = shaw.logits_explicit(q.view(), zero_k.view()).unwrap();
        let e = shaw.w_k().slice(s![..n, ..]).to_owned(); // offsets −(n−1) … 0
        let skewed = skew(q.dot(&e.t()).view()).unwrap() / (d as f64).sqrt();
        for i in 0..n {
            for j in 0..=i {
                assert!((skewed[[i, j]] - explicit[[i, j]]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(Shaw::new(1, Array2::zeros((2, 4)), Array2::zeros((3, 4))).is_err());
        assert!(Shaw::new(1, Array2::zeros((3, 4)), Array2::zeros((3, 5))).is_err());
        let mut nan = Array2::zeros((3, 2));
        nan[[1, 1]] = f64::NAN;
        assert!(Shaw::new(1, nan, Array2::zeros((3, 2))).is_err());
        assert!(Shaw::seeded(2, 0, 1).is_err());
        assert!(Shaw::seeded(usize::MAX, 4, 1).is_err());
        // A transposed (non-contiguous) NaN table is still caught.
        let mut t = Array2::zeros((2, 3));
        t[[0, 1]] = f64::NAN;
        assert!(Shaw::new(1, t.reversed_axes(), Array2::zeros((3, 2))).is_err());
        assert_eq!(clipped_index(0, 1, usize::MAX), usize::MAX);
        assert_eq!(memory_floats(usize::MAX, 2, 2).0, usize::MAX);
        let shaw = Shaw::seeded(2, 4, 1).unwrap();
        let q = Array2::zeros((3, 4));
        assert!(
            shaw.logits_gather(q.view(), Array2::zeros((3, 5)).view())
                .is_err()
        );
        assert!(
            shaw.logits_gather(q.view(), Array2::zeros((2, 4)).view())
                .is_err()
        );
        let e = shaw
            .outputs_bucketed(q.view(), q.view(), Array2::zeros((3, 2)).view())
            .unwrap_err();
        assert!(e.to_string().contains("expected [3, 4], got [3, 2]"), "{e}");
        assert!(skew(Array2::zeros((2, 3)).view()).is_err());
    }

    #[test]
    fn memory_grows_as_claimed() {
        assert_eq!(memory_floats(1024, 64, 16), (67_108_864, 33_792, 1_115_136));
    }
}
