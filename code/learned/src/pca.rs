//! Principal components of a position table: the directions along which its rows vary most, and
//! each row's coordinates along them. Wang and Chen (*What Do Position Embeddings Learn? An
//! Empirical Study of Pre-Trained Language Model Positional Encoding*, 2020, arXiv:2010.04903)
//! study the learned tables of pre-trained models; the chapter looks at its own toy-trained table.
//!
//! The covariance of the rows is diagonalised by Jacobi's method (plane rotations that zero one
//! off-diagonal entry at a time, swept until none is left), which needs nothing beyond ndarray.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::Error;

/// The principal components of a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Components {
    /// The mean row.
    pub mean: Array1<f64>,
    /// The variance along each component, largest first.
    pub variances: Vec<f64>,
    /// The components as unit columns, in the order of [`Components::variances`]; each is
    /// signed so that its entry of largest magnitude is positive.
    pub axes: Array2<f64>,
}

impl Components {
    /// The coordinates of `row` along the components: `(row − mean)ᵀ axes`.
    ///
    /// # Errors
    /// A row of the wrong width.
    pub fn project(&self, row: ArrayView1<'_, f64>) -> Result<Array1<f64>, Error> {
        if row.len() != self.mean.len() {
            return Err(errors::shape(
                "a row to project has the table's width",
                vec![self.mean.len()],
                vec![row.len()],
            ));
        }
        Ok((&row - &self.mean).dot(&self.axes))
    }

    /// The share of the total variance along the first `k` components (1 when the rows do not
    /// vary at all).
    pub fn share(&self, k: usize) -> f64 {
        let total: f64 = self.variances.iter().sum();
        if total <= 0.0 {
            return 1.0;
        }
        self.variances.iter().take(k).sum::<f64>() / total
    }
}

/// The principal components of `rows` (one observation per row): the eigenvectors of their
/// covariance `(X − μ)ᵀ(X − μ) / n`, by variance.
///
/// # Errors
/// Fewer than two rows, no columns, or a non-finite entry.
///
/// ```
/// use ndarray::array;
/// // Four points on a circle of radius 2 in the (x, y) plane, z fixed: two equal variances of
/// // 2 (r²/2) and none along z.
/// let rows = array![[2.0, 0.0, 5.0], [0.0, 2.0, 5.0], [-2.0, 0.0, 5.0], [0.0, -2.0, 5.0]];
/// let c = learned::pca::principal_components(rows.view())?;
/// assert!((c.variances[0] - 2.0).abs() < 1e-12 && (c.variances[1] - 2.0).abs() < 1e-12);
/// assert!(c.variances[2].abs() < 1e-12);
/// assert!((c.share(2) - 1.0).abs() < 1e-12);
/// assert!(learned::pca::principal_components(rows.slice(ndarray::s![..1, ..])).is_err());
/// # Ok::<(), learned::Error>(())
/// ```
pub fn principal_components(rows: ArrayView2<'_, f64>) -> Result<Components, Error> {
    let (n, d) = rows.dim();
    if n < 2 || d == 0 {
        return Err(errors::bad(
            "rows × columns",
            format!("{n} × {d}"),
            "principal components need at least two rows and one column",
        ));
    }
    errors::ensure_finite("table entries", rows.iter().copied())?;
    let mean = rows.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
    let centred = &rows - &mean;
    let cov = centred.t().dot(&centred) / n as f64; // d × d
    let (values, vectors) = jacobi(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut axes = Array2::zeros((d, d));
    for (k, &j) in order.iter().enumerate() {
        let col = vectors.column(j);
        let big = col
            .iter()
            .copied()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        axes.column_mut(k).assign(&col.mapv(|v| sign * v));
    }
    // Rounding can leave a zero variance a hair below 0.
    let variances = order.iter().map(|&j| values[j].max(0.0)).collect();
    Ok(Components {
        mean,
        variances,
        axes,
    })
}

/// Eigenvalues and eigenvectors (columns) of the symmetric matrix `a`, by cyclic Jacobi sweeps.
fn jacobi(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let d = a.nrows();
    let mut v = Array2::eye(d);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    // Each sweep at least squares the off-diagonal mass once it is small; 64 sweeps is far more
    // than a table of a few dozen columns needs, and the loop stops as soon as it is done.
    for _ in 0..64 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[[p, q]] == 0.0 {
                    continue;
                }
                // The rotation in the (p, q) plane that zeroes a[p][q].
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                // signum(+0) is 1: a zero θ gives t = 1, the 45° turn.
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[[i, i]]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut rng = bookkit::rng::SplitMix64(seed);
        // Columns of different spreads, so that the variances are distinct.
        Array2::from_shape_fn((n, d), |(_, j)| (j + 1) as f64 * rng.next_gaussian())
    }

    proptest! {
        /// The axes are orthonormal, diagonalise the covariance with the variances in order,
        /// and the variances add up to its trace. Entries of size ≤ 10 over ≤ 12 columns: the
        /// rotations leave errors of a few 1e-14; 1e-9 is far from any real miss.
        #[test]
        fn components_diagonalise_the_covariance(n in 2usize..20, d in 1usize..12, seed in any::<u64>()) {
            let x = table(n, d, seed);
            let c = principal_components(x.view()).unwrap();
            let centred = &x - &c.mean;
            let cov = centred.t().dot(&centred) / n as f64;
            let eye = c.axes.t().dot(&c.axes);
            for i in 0..d {
                for j in 0..d {
                    let want = if i == j { 1.0 } else { 0.0 };
                    prop_assert!((eye[[i, j]] - want).abs() < 1e-9);
                }
            }
            let diag = c.axes.t().dot(&cov).dot(&c.axes);
            let scale = 1.0 + cov.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for i in 0..d {
                for j in 0..d {
                    let want = if i == j { c.variances[i] } else { 0.0 };
                    prop_assert!((diag[[i, j]] - want).abs() < 1e-9 * scale, "{i} {j}");
                }
            }
            prop_assert!(c.variances.windows(2).all(|w| w[0] >= w[1]));
            let trace: f64 = (0..d).map(|i| cov[[i, i]]).sum();
            prop_assert!((c.variances.iter().sum::<f64>() - trace).abs() < 1e-9 * scale);
            // Projections keep the centred row's length (the axes are a rotation).
            let p = c.project(x.row(0)).unwrap();
            let len = centred.row(0).dot(&centred.row(0));
            prop_assert!((p.dot(&p) - len).abs() < 1e-9 * (1.0 + len));
        }
    }

    /// A line through 3-D space: one component carries everything, pointing along the line.
    #[test]
    fn rows_on_a_line_have_one_component() {
        let dir = [1.0, 2.0, 2.0]; // length 3
        let x = Array2::from_shape_fn((5, 3), |(i, j)| 1.0 + i as f64 * dir[j]);
        let c = principal_components(x.view()).unwrap();
        assert!((c.share(1) - 1.0).abs() < 1e-12);
        for (j, &want) in dir.iter().enumerate() {
            assert!((c.axes[[j, 0]] - want / 3.0).abs() < 1e-12, "{j}");
        }
        // Positions 0..4 are 3 apart along the line, centred on position 2.
        let p = c.project(x.row(4)).unwrap();
        assert!((p[0] - 6.0).abs() < 1e-12, "{p}");
        assert_eq!(c.share(0), 0.0);
        // Variance of 0, 3, 6, 9, 12 about 6: (36 + 9 + 0 + 9 + 36) / 5 = 18.
        assert!((c.variances[0] - 18.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_refused() {
        let e = principal_components(Array2::<f64>::zeros((1, 3)).view()).unwrap_err();
        assert!(e.to_string().contains("1 × 3"), "{e}");
        assert!(principal_components(Array2::<f64>::zeros((3, 0)).view()).is_err());
        let mut x = Array2::<f64>::zeros((3, 2));
        x[[1, 1]] = f64::NAN;
        assert!(principal_components(x.view()).is_err());
        let c = principal_components(Array2::<f64>::zeros((3, 2)).view()).unwrap();
        assert_eq!(c.share(1), 1.0);
        assert_eq!(c.variances, vec![0.0, 0.0]);
        assert!(c.project(Array1::zeros(3).view()).is_err());
    }
}
