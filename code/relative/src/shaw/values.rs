//! The relative value term, two ways: the explicit `n × n × d` tensor `A^V`, and the attention
//! weights summed per clipped offset times the value table.

use ndarray::{Array2, Array3, ArrayView2, s};

use super::{Shaw, clipped_index};
use crate::Error;

impl Shaw {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn explicit_and_bucketed_outputs_agree(
            (q, k, v) in (1usize..9, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d), matrix(n, d))),
            clip in 0usize..5, seed in any::<u64>(),
        ) {
            let shaw = Shaw::seeded(clip, q.ncols(), seed).unwrap();
            let za = shaw.outputs_explicit(q.view(), k.view(), v.view()).unwrap();
            let zb = shaw.outputs_bucketed(q.view(), k.view(), v.view()).unwrap();
            prop_assert!((&za - &zb).iter().all(|x| x.abs() < 1e-12));
        }
    }
}
