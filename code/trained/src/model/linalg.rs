//! The model's matrix products as plain loops over slices (single-threaded, so every run gives
//! the same bits), and RoPE's rotation of every head in place.

use ndarray::{Array2, ArrayView2};

/// `a b` for `[m, k]` and `[k, n]`.
pub(super) fn matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let n = b.ncols();
    let mut out = Array2::zeros((m, n));
    for i in 0..m {
        for r in 0..k {
            let x = a[[i, r]];
            if x == 0.0 {
                continue;
            }
            let mut row = out.row_mut(i);
            for (o, &y) in row.iter_mut().zip(b.row(r)) {
                *o += x * y;
            }
        }
    }
    out
}

/// `aᵀ b` for `[k, m]` and `[k, n]`.
pub(super) fn matmul_tn(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    matmul(a.t(), b)
}

/// `a bᵀ` for `[m, k]` and `[n, k]`.
pub(super) fn matmul_nt(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut out = Array2::zeros((a.nrows(), b.nrows()));
    for (i, ra) in a.rows().into_iter().enumerate() {
        for (j, rb) in b.rows().into_iter().enumerate() {
            out[[i, j]] = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
        }
    }
    out
}

/// Rotates every head of `x` (`[n, d_model]`) in place: pair `(2j, 2j+1)` of each head at
/// position `t` by `t θ_j` (`inverse`: by `−t θ_j`), scaled by the table's factor.
pub(super) fn rotate(
    x: &mut Array2<f64>,
    cos: &Array2<f64>,
    sin: &Array2<f64>,
    head_dim: usize,
    inverse: bool,
) {
    let half = head_dim / 2;
    let sign = if inverse { -1.0 } else { 1.0 };
    for (t, mut row) in x.rows_mut().into_iter().enumerate() {
        for h0 in (0..row.len()).step_by(head_dim) {
            for j in 0..half {
                let (c, s) = (cos[[t, j]], sign * sin[[t, j]]);
                let (a, b) = (row[h0 + 2 * j], row[h0 + 2 * j + 1]);
                row[h0 + 2 * j] = a * c - b * s; // [n, d]: x_a cos − x_b sin
                row[h0 + 2 * j + 1] = a * s + b * c; // x_a sin + x_b cos
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::rng::SplitMix64;

    #[test]
    fn matmuls_agree_with_ndarray() {
        let mut rng = SplitMix64(2);
        let a = Array2::from_shape_fn((3, 4), |_| rng.next_gaussian());
        let b = Array2::from_shape_fn((4, 5), |_| rng.next_gaussian());
        let c = Array2::from_shape_fn((5, 4), |_| rng.next_gaussian());
        let close = |x: &Array2<f64>, y: &Array2<f64>| (x - y).iter().all(|d| d.abs() < 1e-12);
        assert!(close(&matmul(a.view(), b.view()), &a.dot(&b)));
        assert!(close(&matmul_tn(b.view(), c.t()), &b.t().dot(&c.t())));
        assert!(close(&matmul_nt(a.view(), c.view()), &a.dot(&c.t())));
    }
}
