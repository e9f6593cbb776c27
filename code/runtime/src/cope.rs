//! CoPE, contextual position encoding (Golovneva et al., *Contextual Position Encoding: Learning
//! to Count What's Important*, 2024, arXiv:2405.18719): each query decides which keys count, with
//! a gate `g_ij = σ(q_i · k_j)`; the position of key `j` seen from query `i` is the sum of the
//! gates from `j` to `i`, a fraction in general, and its embedding is interpolated between the two
//! integer positions around it. The paper prints its code as a listing; its authors' repository
//! (`facebookresearch/RAM`, `projects/cope/`) adds the position term before the `1/√d` scale by
//! default. The forms below follow the listing, in which the gates read the attention logits
//! after the `1/√d` scale and the causal mask, and positions are clamped at `npos_max − 1`.

use ndarray::{Array2, ArrayView2};

use errors::{bad, shape};

use crate::Error;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The CoPE position of every key `j ≤ i` from every query `i`, from the masked, scaled logits:
/// `p_ij = Σ_{k=j}^{i} σ(z_ik)`, clamped at `npos_max − 1`; 0 above the diagonal (the listing's
/// masked gates are 0 there).
///
/// # Errors
/// A logit matrix that is not square, a non-finite logit, or `npos_max` below 1.
///
/// ```
/// use ndarray::array;
/// // Gates of 0.5 everywhere (logits 0): positions count halves.
/// let p = runtime::cope::positions(array![[0.0, 0.0], [0.0, 0.0]].view(), 16)?;
/// assert_eq!(p, array![[0.5, 0.0], [1.0, 0.5]]);
/// # Ok::<(), runtime::Error>(())
/// ```
// ANCHOR: positions
pub fn positions(logits: ArrayView2<'_, f64>, npos_max: usize) -> Result<Array2<f64>, Error> {
    check_square(logits)?;
    if npos_max == 0 {
        return Err(bad(
            "npos_max",
            0,
            "CoPE needs at least one position embedding",
        ));
    }
    let n = logits.nrows();
    let mut p = Array2::zeros((n, n)); // [n, n]
    for i in 0..n {
        let mut sum = 0.0;
        for j in (0..=i).rev() {
            sum += sigmoid(logits[[i, j]]); // gates summed from the query back to key j
            p[[i, j]] = sum.min((npos_max - 1) as f64);
        }
    }
    Ok(p)
}
// ANCHOR_END: positions

fn check_square(logits: ArrayView2<'_, f64>) -> Result<(), Error> {
    if logits.nrows() != logits.ncols() {
        return Err(shape(
            "CoPE reads a square [n, n] logit matrix",
            [logits.nrows(), logits.nrows()],
            logits.shape(),
        ));
    }
    errors::ensure_finite("logits", logits.iter().copied())
}

/// One head's CoPE: a table of `npos_max` position embeddings, one row each.
#[derive(Debug, Clone, PartialEq)]
pub struct Cope {
    table: Array2<f64>, // [npos_max, d]
}

impl Cope {
    /// # Errors
    /// An empty or non-finite table.
    pub fn new(table: Array2<f64>) -> Result<Self, Error> {
        if table.is_empty() {
            return Err(bad(
                "table",
                "empty",
                "CoPE needs at least one position embedding of width 1 or more",
            ));
        }
        errors::ensure_finite("table", table.iter().copied())?;
        Ok(Cope { table })
    }

    /// The number of integer positions, `npos_max`.
    pub fn npos_max(&self) -> usize {
        self.table.nrows()
    }

    fn check_query(
        &self,
        q: ArrayView2<'_, f64>,
        logits: ArrayView2<'_, f64>,
    ) -> Result<(), Error> {
        check_square(logits)?;
        if q.ncols() != self.table.ncols() || q.nrows() != logits.nrows() {
            return Err(shape(
                "queries are [n, d], with d the table's width and n the logits' side",
                [logits.nrows(), self.table.ncols()],
                q.shape(),
            ));
        }
        errors::ensure_finite("q", q.iter().copied())
    }

    // ANCHOR: bias
    /// The position term added to each logit, the listing's way: the query against every
    /// integer embedding once (`z[i][p] = q_i · e[p]`), then interpolated,
    /// `(p − ⌊p⌋) z[i][⌈p⌉] + (1 − p + ⌊p⌋) z[i][⌊p⌋]`. `n·P·d` products instead of `n²·d`.
    ///
    /// # Errors
    /// As [`positions`], and queries that are not `[n, d]`.
    pub fn bias(
        &self,
        q: ArrayView2<'_, f64>,
        logits: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        self.check_query(q, logits)?;
        let p = positions(logits, self.npos_max())?; // [n, n]
        let z = q.dot(&self.table.t()); // [n, P]
        Ok(Array2::from_shape_fn(p.dim(), |(i, j)| {
            let (lo, hi) = (p[[i, j]].floor(), p[[i, j]].ceil());
            let w = p[[i, j]] - lo;
            w * z[[i, hi as usize]] + (1.0 - w) * z[[i, lo as usize]]
        }))
    }
    // ANCHOR_END: bias

    /// The same term, the paper's textbook way: interpolate the embedding vector `e[p_ij]` itself,
    /// then take its dot product with the query. Equal to [`Cope::bias`] (the test
    /// `cope_forms_agree`, to 1e-12).
    ///
    /// # Errors
    /// As [`Cope::bias`].
    pub fn bias_slow(
        &self,
        q: ArrayView2<'_, f64>,
        logits: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        self.check_query(q, logits)?;
        let p = positions(logits, self.npos_max())?;
        Ok(Array2::from_shape_fn(p.dim(), |(i, j)| {
            let (lo, hi) = (p[[i, j]].floor() as usize, p[[i, j]].ceil() as usize);
            let w = p[[i, j]] - lo as f64;
            let e = &self.table.row(hi) * w + &self.table.row(lo) * (1.0 - w); // [d]
            q.row(i).dot(&e)
        }))
    }

    /// The causal logits of one head with CoPE: `q·k/√d` masked, plus [`Cope::bias`]; `−∞` above
    /// the diagonal.
    ///
    /// # Errors
    /// Queries and keys that are not both `[n, d]`, or non-finite values.
    ///
    /// ```
    /// use ndarray::array;
    /// let cope = runtime::Cope::new(array![[0.0], [1.0], [2.0]])?; // e[p] = p: the bias is q·p
    /// let q = array![[2.0], [2.0]];
    /// let k = array![[0.0], [0.0]]; // every gate σ(0) = 0.5
    /// let z = cope.logits(q.view(), k.view())?;
    /// assert_eq!(z[[1, 0]], 2.0); // p = 1: the bias is 2 · 1
    /// assert_eq!(z[[0, 1]], f64::NEG_INFINITY);
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn logits(
        &self,
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, Error> {
        if k.dim() != q.dim() {
            return Err(shape(
                "keys are shaped as the queries",
                q.shape(),
                k.shape(),
            ));
        }
        let d = q.ncols() as f64;
        let n = q.nrows();
        let z = q.dot(&k.t()) / d.sqrt(); // [n, n]
        // The gates of masked keys are σ(−∞) = 0, and `positions` sums only keys j ≤ i: the
        // entries above the diagonal are never read.
        let bias = self.bias(q, z.view())?;
        Ok(Array2::from_shape_fn((n, n), |(i, j)| {
            if j > i {
                f64::NEG_INFINITY
            } else {
                z[[i, j]] + bias[[i, j]]
            }
        }))
    }
}
