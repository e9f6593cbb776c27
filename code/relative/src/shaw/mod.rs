//! Shaw, Uszkoreit and Vaswani, *Self-Attention with Relative Position Representations*
//! (2018, arXiv:1803.02155): learned vectors for each clipped offset `clip(j − i, k)`, added to the
//! keys (`a^K_ij`) and to the values (`a^V_ij`).
//!
//! Three ways to compute the key term, all tested equal:
//! - explicit: build the `n × n × d` tensor `A^K` and take `q_i · a^K_ij` (the paper's equation);
//! - gather: `S = Q W_Kᵀ` is `n × (2k + 1)`, and `q_i · a^K_ij = S[i, clip(j − i) + k]`;
//! - skew (Huang et al., *Music Transformer*, 2018, arXiv:1809.04281): for causal attention with one
//!   embedding per distance, `Q Eᵀ` is `n × n` and a pad-reshape-slice lines it up with the logits.

use ndarray::{Array2, ArrayView2};

use errors::bad;

use crate::Error;

mod keys;
mod skew;
mod values;

pub use skew::skew;

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
