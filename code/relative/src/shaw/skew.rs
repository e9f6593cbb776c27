//! Huang et al.'s skewing (*Music Transformer*, 2018, arXiv:1809.04281): for causal attention with
//! one embedding per distance, `Q Eᵀ` is `n × n`, and a pad-reshape-slice lines it up with the
//! logits.

use ndarray::{Array2, ArrayView2, Axis, s};

use crate::Error;

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

#[cfg(test)]
mod tests {
    use super::super::Shaw;
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    proptest! {
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
}
