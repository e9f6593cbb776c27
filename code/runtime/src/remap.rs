//! What every test-time scheme of this chapter changes: the positions a trained RoPE model's query
//! and key are rotated by. RoPE's score depends on the two positions only through their difference
//! (chapter 5), so each scheme is its relative-position matrix `M[i][j] = P_q(i, j) − P_k(i, j)`;
//! the references compute it as a few rotated copies of the queries and keys and pick one per
//! entry, which [`logits`] does, while [`logits_by_offset`] rotates each key by `−M[i][j]` alone.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rope::Rope;

use errors::shape;

use crate::Error;

/// A way of choosing, at test time, the positions a causal RoPE model rotates query `i` and key
/// `j ≤ i` by.
pub trait Remap {
    /// A short name for tables and figures.
    fn name(&self) -> String;

    /// The positions `(P_q, P_k)` that query `i` and key `j` are rotated by for this pair. Called
    /// only with `j ≤ i` and [`Remap::visible`] true.
    fn pair(&self, i: usize, j: usize) -> (f64, f64);

    /// Whether query `i` sees key `j ≤ i` at all (a rolling cache evicts keys); true by default.
    fn visible(&self, _i: usize, _j: usize) -> bool {
        true
    }

    /// A factor on query `i` before the dot product (ReRoPE's length scaling); 1 by default.
    fn query_scale(&self, _i: usize) -> f64 {
        1.0
    }

    /// The relative position `P_q − P_k` of query `i` and key `j`, or `None` where the query does
    /// not see the key (`j > i`, or evicted).
    fn relative(&self, i: usize, j: usize) -> Option<f64> {
        (j <= i && self.visible(i, j)).then(|| {
            let (q, k) = self.pair(i, j);
            q - k
        })
    }
}

/// The `n × n` relative-position matrix of a scheme, `NaN` where the query does not see the key.
///
/// ```
/// use runtime::{ReRope, remap::matrix};
/// let m = matrix(&ReRope::new(3, 8).unwrap(), 5);
/// assert_eq!(m.row(4).to_vec()[..5], [3.0, 3.0, 2.0, 1.0, 0.0]); // clipped at the window
/// assert!(m[[0, 1]].is_nan()); // a later key: masked
/// ```
pub fn matrix(scheme: &dyn Remap, n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(i, j)| scheme.relative(i, j).unwrap_or(f64::NAN))
}

/// The largest relative position the scheme uses on `n` tokens (0 for `n = 0`).
///
/// ```
/// use runtime::{ReRope, remap::largest};
/// assert_eq!(largest(&ReRope::new(3, 8).unwrap(), 100), 3.0);
/// ```
pub fn largest(scheme: &dyn Remap, n: usize) -> f64 {
    (0..n)
        .flat_map(|i| (0..=i).filter_map(move |j| scheme.relative(i, j)))
        .fold(0.0, f64::max)
}

fn check(rope: &Rope, q: ArrayView2<'_, f64>, k: ArrayView2<'_, f64>) -> Result<(), Error> {
    let d = rope.head_dim();
    if q.ncols() != d || k.dim() != q.dim() {
        return Err(shape(
            "queries and keys are [n, head_dim] each",
            [q.nrows(), d],
            if q.ncols() != d { q.shape() } else { k.shape() },
        ));
    }
    errors::ensure_finite("q", q.iter().copied())?;
    errors::ensure_finite("k", k.iter().copied())
}

fn dot(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.dot(&b)
}

// ANCHOR: logits
/// The causal attention logits of one head under a scheme, as the references compute them:
/// query `i` rotated by `P_q`, key `j` by `P_k`, the dot product times the query's scale over
/// `√d`. `−∞` where the query does not see the key.
///
/// # Errors
/// Queries and keys that are not both `[n, head_dim]`, or hold a non-finite value.
///
/// ```
/// use ndarray::array;
/// use rope::{Layout, Rope};
/// use runtime::{SelfExtend, remap::{logits, logits_by_offset}};
/// let rope = Rope::new(2, 10000.0, Layout::HalfSplit)?;
/// let q = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, -1.0]];
/// let s = SelfExtend::new(2, 2)?;
/// let a = logits(&s, &rope, q.view(), q.view())?;
/// let b = logits_by_offset(&s, &rope, q.view(), q.view())?;
/// assert!((a[[3, 0]] - b[[3, 0]]).abs() < 1e-12);
/// assert_eq!(a[[0, 1]], f64::NEG_INFINITY);
/// # Ok::<(), runtime::Error>(())
/// ```
pub fn logits(
    scheme: &dyn Remap,
    rope: &Rope,
    q: ArrayView2<'_, f64>, // [n, d]
    k: ArrayView2<'_, f64>, // [n, d]
) -> Result<Array2<f64>, Error> {
    check(rope, q, k)?;
    let (n, d) = q.dim();
    let mut out = Array2::from_elem((n, n), f64::NEG_INFINITY); // [n, n]
    for i in 0..n {
        for j in (0..=i).filter(|&j| scheme.visible(i, j)) {
            let (pq, pk) = scheme.pair(i, j);
            let qi = rope.rotate(q.row(i), pq)?; // [d]
            let kj = rope.rotate(k.row(j), pk)?; // [d]
            out[[i, j]] = scheme.query_scale(i) * dot(qi.view(), kj.view()) / (d as f64).sqrt();
        }
    }
    Ok(out)
}
// ANCHOR_END: logits

/// The same logits with only the key turned, by `−M[i][j]`: `q_i · R(−M[i][j]) k_j`, which RoPE's
/// rotations make equal to [`logits`] (the test `offset_form_agrees` holds them to 1e-12).
///
/// # Errors
/// As [`logits`].
pub fn logits_by_offset(
    scheme: &dyn Remap,
    rope: &Rope,
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
) -> Result<Array2<f64>, Error> {
    check(rope, q, k)?;
    let (n, d) = q.dim();
    let mut out = Array2::from_elem((n, n), f64::NEG_INFINITY);
    for i in 0..n {
        for j in 0..=i {
            if let Some(m) = scheme.relative(i, j) {
                let kj = rope.rotate(k.row(j), -m)?;
                out[[i, j]] = scheme.query_scale(i) * dot(q.row(i), kj.view()) / (d as f64).sqrt();
            }
        }
    }
    Ok(out)
}

/// The plain RoPE model: query `i` at `i`, key `j` at `j`, every key visible. The baseline every
/// test-time scheme changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Remap for Plain {
    fn name(&self) -> String {
        "RoPE".into()
    }
    fn pair(&self, i: usize, j: usize) -> (f64, f64) {
        (i as f64, j as f64)
    }
}
