//! A small least-squares solver (Householder QR), enough to ask: is there one linear map that
//! moves *every* encoding `k` positions on?

use ndarray::{Array2, ArrayView2, Axis, s};

use crate::Error;

/// Solves `min_X ‖A X − B‖_F` for `A` of shape `[n, m]` (`n ≥ m`, full column rank) and `B` of
/// shape `[n, r]`, by Householder QR (no normal equations, so the conditioning is not squared).
///
/// # Errors
/// [`Error::Bad`] when `A` has fewer rows than columns or `B` a different row count;
/// [`Error::NonFinite`] for a NaN or infinite entry; [`Error::Singular`] naming the first column
/// of `A` that is (numerically) a combination of the earlier ones.
///
/// ```
/// use ndarray::array;
/// // Fit y = 2x + 1 through three exact points.
/// let a = array![[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]];
/// let b = array![[1.0], [3.0], [5.0]];
/// let x = sinusoidal::lstsq::solve(a.view(), b.view())?;
/// assert!((x[[0, 0]] - 2.0).abs() < 1e-12 && (x[[1, 0]] - 1.0).abs() < 1e-12);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn solve(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
    let (n, m) = a.dim();
    if n < m || m == 0 {
        return Err(errors::bad(
            "rows of A",
            n,
            "least squares needs at least as many equations as unknowns (and one unknown)",
        ));
    }
    if b.nrows() != n {
        return Err(errors::bad(
            "rows of B",
            b.nrows(),
            "B needs one row per row of A",
        ));
    }
    for (what, m) in [("A", a), ("B", b)] {
        if let Some(&value) = m.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what,
                at: None,
                value,
            });
        }
    }
    let mut r = a.to_owned();
    let mut qtb = b.to_owned();
    let scale = a.iter().fold(0.0f64, |acc, x| acc.max(x.abs())).max(1.0);
    for j in 0..m {
        // Householder vector v for column j below the diagonal.
        let x = r.slice(s![j.., j]).to_owned();
        let norm = x.dot(&x).sqrt();
        if norm <= 1e-13 * scale {
            return Err(Error::Singular { column: j });
        }
        let alpha = if x[0] > 0.0 { -norm } else { norm };
        let mut v = x;
        v[0] -= alpha;
        let vv = v.dot(&v);
        if vv == 0.0 {
            continue;
        }
        // Apply I − 2 v vᵀ / (vᵀ v) to the trailing columns of R and to B.
        for mut col in r.slice_mut(s![j.., j..]).axis_iter_mut(Axis(1)) {
            let f = 2.0 * v.dot(&col) / vv;
            col.scaled_add(-f, &v);
        }
        for mut col in qtb.slice_mut(s![j.., ..]).axis_iter_mut(Axis(1)) {
            let f = 2.0 * v.dot(&col) / vv;
            col.scaled_add(-f, &v);
        }
    }
    // Back substitution on the upper triangle.
    let r_cols = b.ncols();
    let mut x = Array2::<f64>::zeros((m, r_cols));
    for c in 0..r_cols {
        for i in (0..m).rev() {
            let mut acc = qtb[[i, c]];
            for k in i + 1..m {
                acc -= r[[i, k]] * x[[k, c]];
            }
            if r[[i, i]].abs() <= 1e-13 * scale {
                return Err(Error::Singular { column: i });
            }
            x[[i, c]] = acc / r[[i, i]];
        }
    }
    Ok(x)
}

/// Root-mean-square of the entries of `A X − B`.
///
/// # Errors
/// [`Error::Bad`] when the shapes do not chain (`A` is `n × m`, `X` is `m × r`, `B` is
/// `n × r`).
pub fn rms_residual(
    a: ArrayView2<'_, f64>,
    x: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
) -> Result<f64, Error> {
    if a.ncols() != x.nrows() || a.nrows() != b.nrows() || x.ncols() != b.ncols() {
        return Err(errors::bad(
            "columns of A",
            a.ncols(),
            "A (n × m), X (m × r) and B (n × r) must chain",
        ));
    }
    let r = a.dot(&x) - b;
    Ok((r.iter().map(|v| v * v).sum::<f64>() / r.len().max(1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn recovers_an_exact_linear_map() {
        let a = array![[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [2.0, 0.0]];
        let m = array![[1.0, -2.0, 0.5], [3.0, 0.0, 1.0]];
        let b = a.dot(&m);
        let x = solve(a.view(), b.view()).unwrap();
        assert!((&x - &m).iter().all(|d| d.abs() < 1e-12));
        assert!(rms_residual(a.view(), x.view(), b.view()).unwrap() < 1e-12);
        assert!(rms_residual(a.view(), b.view(), b.view()).is_err());
    }

    #[test]
    fn refuses_singular_and_short_systems() {
        let a = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
        let b = array![[1.0], [2.0], [3.0]];
        assert_eq!(
            solve(a.view(), b.view()),
            Err(Error::Singular { column: 1 })
        );
        let mut nan = a.clone();
        nan[[0, 0]] = f64::NAN;
        assert!(matches!(
            solve(nan.view(), b.view()),
            Err(Error::NonFinite { what: "A", .. })
        ));
        let short = array![[1.0, 2.0]];
        assert!(solve(short.view(), array![[1.0]].view()).is_err());
        assert!(solve(a.view(), array![[1.0]].view()).is_err());
    }

    #[test]
    fn matches_the_normal_equations_on_an_overdetermined_fit() {
        // Line through (0,0), (1,1), (2,3): slope 1.5, intercept -1/6 (by hand).
        let a = array![[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]];
        let b = array![[0.0], [1.0], [3.0]];
        let x = solve(a.view(), b.view()).unwrap();
        assert!((x[[0, 0]] - 1.5).abs() < 1e-12);
        assert!((x[[1, 0]] + 1.0 / 6.0).abs() < 1e-12);
    }
}
