//! The relative key term, two ways: the paper's explicit `n × n × d` tensor, and a gather from
//! the `n × (2k + 1)` products of the queries with the key table.

use ndarray::{Array2, Array3, ArrayView2, s};

use super::{KeyTerms, Shaw, clipped_index};
use crate::Error;

impl Shaw {
    /// `A^K`, the explicit `n × n × d` tensor with `A^K[i, j] = w_K[clip(j − i, k)]`.
    ///
    /// # Panics
    /// Only if `n² d` entries cannot be addressed at all (more than `isize::MAX` bytes), where
    /// ndarray refuses to allocate: this is the form whose memory the chapter measures.
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn explicit_and_gather_agree(
            (q, k) in (1usize..9, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d))),
            clip in 0usize..5, seed in any::<u64>(),
        ) {
            let shaw = Shaw::seeded(clip, q.ncols(), seed).unwrap();
            let a = shaw.logits_explicit(q.view(), k.view()).unwrap();
            let b = shaw.logits_gather(q.view(), k.view()).unwrap();
            // Same products, summed in a different order: a few ulps of values below ~50.
            prop_assert!((&a - &b).iter().all(|x| x.abs() < 1e-12));
        }
    }
}
