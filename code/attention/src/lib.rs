//! The shared core every chapter builds on: a numerically stable softmax and scaled dot-product
//! attention with an optional additive bias and an optional causal mask.
//!
//! The book introduces these in chapter 1, "Why position?" (`src/order.md`). Later chapters add
//! position information *around* this core (to the inputs, to the logits through `bias`, or to the
//! queries and keys) and never change it. Apart from the optional causal mask, which treats earlier
//! and later keys differently, the core itself knows nothing about position.
//!
//! Everything here is `f64`: the point is to show the mathematics exactly. Chapters that care about
//! speed or lower precision keep their own fast forms and test them against these.
//!
//! ```
//! use attention::{scaled_dot_product, Options};
//! use ndarray::array;
//!
//! let q = array![[1.0, 0.0], [0.0, 1.0]];
//! let k = array![[1.0, 0.0], [0.0, 1.0]];
//! let v = array![[1.0, 2.0], [3.0, 4.0]];
//! let out = scaled_dot_product(q.view(), k.view(), v.view(), &Options::default())?;
//! // Every row of the weights is a probability distribution.
//! for row in out.weights.rows() {
//!     assert!((row.sum() - 1.0).abs() < 1e-12);
//! }
//! # Ok::<(), attention::Error>(())
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used))]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

pub mod scheme;

pub use errors::{Error, Result};

/// Returns an error naming the first non-finite entry of `a`, if any.
///
/// # Errors
/// [`Error::NonFinite`] with the row and column of the first NaN or infinity.
pub fn ensure_finite(what: &'static str, a: ArrayView2<'_, f64>) -> Result<(), Error> {
    match a.indexed_iter().find(|(_, x)| !x.is_finite()) {
        Some((at, &value)) => Err(Error::NonFinite {
            what,
            at: Some(at),
            value,
        }),
        None => Ok(()),
    }
}

fn ensure_nonempty(what: &'static str, a: ArrayView2<'_, f64>) -> Result<(), Error> {
    if a.is_empty() {
        Err(Error::Empty { what })
    } else {
        Ok(())
    }
}

/// Softmax of one vector, computed stably by subtracting the largest entry first.
///
/// `-inf` entries are allowed (they are how a mask says "never attend here") and get weight
/// exactly zero; `+inf` and NaN are refused.
///
/// # Errors
/// [`Error::Empty`] for an empty vector, [`Error::NonFinite`] for NaN or `+inf`,
/// [`Error::FullyMasked`] when every entry is `-inf`.
///
/// ```
/// use ndarray::array;
/// // Shifting every logit by the same amount does not change the softmax, which is why
/// // subtracting the maximum is safe; without it, exp(1000) would overflow.
/// let a = attention::softmax(array![1000.0, 1001.0].view())?;
/// let b = attention::softmax(array![0.0, 1.0].view())?;
/// assert!((a[1] - b[1]).abs() < 1e-15);
/// assert!((b[1] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
/// # Ok::<(), attention::Error>(())
/// ```
pub fn softmax(x: ArrayView1<'_, f64>) -> Result<Array1<f64>, Error> {
    let row = x.insert_axis(Axis(0));
    Ok(softmax_rows(row)?.remove_axis(Axis(0)))
}

/// Row-wise softmax of a matrix of logits (each row is one query's distribution over keys).
///
/// # Errors
/// As [`softmax`], with the row of the offending entry.
///
/// ```
/// use ndarray::array;
/// let w = attention::softmax_rows(array![[0.0, 0.0], [0.0, f64::NEG_INFINITY]].view())?;
/// assert_eq!(w, array![[0.5, 0.5], [1.0, 0.0]]);
/// # Ok::<(), attention::Error>(())
/// ```
pub fn softmax_rows(logits: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
    ensure_nonempty("logits", logits)?;
    if let Some((at, &value)) = logits
        .indexed_iter()
        .find(|(_, x)| x.is_nan() || **x == f64::INFINITY)
    {
        return Err(Error::NonFinite {
            what: "logits",
            at: Some(at),
            value,
        });
    }
    let mut out = logits.to_owned();
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        if max == f64::NEG_INFINITY {
            return Err(Error::FullyMasked { row: i });
        }
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    Ok(out)
}

/// The additive causal mask: `0` where key `j ≤ i` may be seen by query `i`, `-inf` above the
/// diagonal.
///
/// ```
/// let m = attention::causal_mask(3);
/// assert_eq!(m[[0, 0]], 0.0);
/// assert_eq!(m[[0, 1]], f64::NEG_INFINITY);
/// assert_eq!(m[[2, 1]], 0.0);
/// ```
pub fn causal_mask(n: usize) -> Array2<f64> {
    Array2::from_shape_fn(
        (n, n),
        |(i, j)| if j <= i { 0.0 } else { f64::NEG_INFINITY },
    )
}

/// Knobs for [`scaled_dot_product`]; the default is plain attention with scale `1/√d_k`.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// An additive bias on the logits, shape `[n_q, n_k]` (relative-position schemes such as
    /// T5 and ALiBi live here).
    pub bias: Option<ArrayView2<'a, f64>>,
    /// Hide keys after each query (`j > i`). Needs `n_q == n_k`.
    pub causal: bool,
    /// Multiply the raw dot products by this instead of `1/√d_k` (T5 uses `1`).
    pub scale: Option<f64>,
}

/// The result of attention: the weights (one distribution per query) and the outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    /// `softmax(logits)`, shape `[n_q, n_k]`; row `i` says how much query `i` reads from each key.
    pub weights: Array2<f64>,
    /// `weights · v`, shape `[n_q, d_v]`.
    pub output: Array2<f64>,
}

/// The logits of attention before the softmax: `scale · q kᵀ + bias`, with `-inf` above the
/// diagonal when `causal`.
///
/// # Errors
/// Empty inputs, `q` and `k` with different widths, a bias that is not `[n_q, n_k]`, a causal
/// mask on a non-square problem, non-finite inputs or a scale that is not positive and finite.
///
/// ```
/// use attention::{logits, Options};
/// use ndarray::array;
/// let q = array![[2.0, 0.0]];
/// let k = array![[1.0, 1.0], [0.0, 3.0]];
/// let s = logits(q.view(), k.view(), &Options { scale: Some(1.0), ..Options::default() })?;
/// assert_eq!(s, array![[2.0, 0.0]]);
/// # Ok::<(), attention::Error>(())
/// ```
pub fn logits(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    options: &Options<'_>,
) -> Result<Array2<f64>, Error> {
    ensure_nonempty("q", q)?;
    ensure_nonempty("k", k)?;
    ensure_finite("q", q)?;
    ensure_finite("k", k)?;
    let (n_q, d_k) = q.dim();
    let n_k = k.nrows();
    if k.ncols() != d_k {
        return Err(Error::Shape {
            rule: "q and k must have the same number of columns (d_k)".into(),
            expected: vec![n_k, d_k],
            got: k.shape().to_vec(),
        });
    }
    let scale = match options.scale {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(errors::bad(
                "scale",
                s,
                "it must be a positive finite number",
            ));
        }
        Some(s) => s,
        None => 1.0 / (d_k as f64).sqrt(),
    };
    // Equation (1) of Vaswani et al. (2017): Q Kᵀ / √d_k.
    let mut s = q.dot(&k.t()) * scale;
    if let Some(bias) = options.bias {
        if bias.dim() != (n_q, n_k) {
            return Err(Error::Shape {
                rule: "the bias must have one entry per (query, key) pair".into(),
                expected: vec![n_q, n_k],
                got: bias.shape().to_vec(),
            });
        }
        ensure_finite("bias", bias)?;
        s += &bias;
    }
    if options.causal {
        if n_q != n_k {
            return Err(Error::Shape {
                rule: "a causal mask needs as many queries as keys".into(),
                expected: vec![n_k, d_k],
                got: vec![n_q, d_k],
            });
        }
        s += &causal_mask(n_q);
    }
    Ok(s)
}

/// Scaled dot-product attention, `softmax(scale · q kᵀ + bias + mask) v`.
///
/// # Errors
/// Everything [`logits`] refuses, plus `v` with a different number of rows than `k`, or a
/// non-finite `v`.
///
/// ```
/// use attention::{scaled_dot_product, Options};
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
/// let causal = Options { causal: true, ..Options::default() };
/// let out = scaled_dot_product(x.view(), x.view(), x.view(), &causal)?;
/// // The first query can only see the first key.
/// assert_eq!(out.weights.row(0).to_vec(), vec![1.0, 0.0, 0.0]);
/// assert_eq!(out.output.row(0).to_vec(), vec![1.0, 0.0]);
/// # Ok::<(), attention::Error>(())
/// ```
pub fn scaled_dot_product(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    options: &Options<'_>,
) -> Result<Attention, Error> {
    ensure_nonempty("v", v)?;
    ensure_finite("v", v)?;
    if v.nrows() != k.nrows() {
        return Err(Error::Shape {
            rule: "v must have one row per key".into(),
            expected: vec![k.nrows(), v.ncols()],
            got: v.shape().to_vec(),
        });
    }
    let weights = softmax_rows(logits(q, k, options)?.view())?;
    let output = weights.dot(&v);
    Ok(Attention { weights, output })
}

/// One self-attention head: the token matrix `x` (one row per token) is projected to queries,
/// keys and values by `w_q`, `w_k`, `w_v` and attends to itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Query projection, `[d_model, d_k]`.
    pub w_q: Array2<f64>,
    /// Key projection, `[d_model, d_k]`.
    pub w_k: Array2<f64>,
    /// Value projection, `[d_model, d_v]`.
    pub w_v: Array2<f64>,
}

impl Head {
    /// Checks the three projections fit together and holds them.
    ///
    /// # Errors
    /// Empty or non-finite matrices, projections with different input widths, or `w_q` and
    /// `w_k` with different output widths.
    pub fn new(w_q: Array2<f64>, w_k: Array2<f64>, w_v: Array2<f64>) -> Result<Self, Error> {
        for (what, w) in [("w_q", &w_q), ("w_k", &w_k), ("w_v", &w_v)] {
            ensure_nonempty(what, w.view())?;
            ensure_finite(what, w.view())?;
        }
        if w_k.dim() != w_q.dim() {
            return Err(Error::Shape {
                rule: "w_q and w_k must have the same shape [d_model, d_k]".into(),
                expected: w_q.shape().to_vec(),
                got: w_k.shape().to_vec(),
            });
        }
        if w_v.nrows() != w_q.nrows() {
            return Err(Error::Shape {
                rule: "w_v must take the same d_model as w_q".into(),
                expected: vec![w_q.nrows(), w_v.ncols()],
                got: w_v.shape().to_vec(),
            });
        }
        Ok(Head { w_q, w_k, w_v })
    }

    /// Runs the head on `x` (`[n, d_model]`).
    ///
    /// # Errors
    /// `x` empty, non-finite or not `d_model` wide, and anything [`scaled_dot_product`] refuses.
    ///
    /// ```
    /// use attention::{Head, Options};
    /// use ndarray::{array, Array2};
    /// let head = Head::new(Array2::eye(2), Array2::eye(2), Array2::eye(2))?;
    /// let x = array![[1.0, 0.0], [0.0, 1.0]];
    /// let out = head.forward(x.view(), &Options::default())?;
    /// assert_eq!(out.output.dim(), (2, 2));
    /// # Ok::<(), attention::Error>(())
    /// ```
    pub fn forward(
        &self,
        x: ArrayView2<'_, f64>,
        options: &Options<'_>,
    ) -> Result<Attention, Error> {
        ensure_nonempty("x", x)?;
        ensure_finite("x", x)?;
        if x.ncols() != self.w_q.nrows() {
            return Err(Error::Shape {
                rule: "x must have d_model columns, as many as the projections have rows".into(),
                expected: vec![x.nrows(), self.w_q.nrows()],
                got: x.shape().to_vec(),
            });
        }
        let q = x.dot(&self.w_q);
        let k = x.dot(&self.w_k);
        let v = x.dot(&self.w_v);
        scaled_dot_product(q.view(), k.view(), v.view(), options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    /// The textbook definition, entry by entry, with no max subtraction: the reference the fast
    /// path is held to (safe here because the test logits are small).
    fn softmax_textbook(x: &[f64]) -> Vec<f64> {
        let z: f64 = x.iter().map(|v| v.exp()).sum();
        x.iter().map(|v| v.exp() / z).collect()
    }

    #[test]
    fn softmax_known_values() {
        // softmax(0, ln 2, ln 5) = (1, 2, 5) / 8.
        let w = softmax(array![0.0, 2f64.ln(), 5f64.ln()].view()).unwrap();
        let want = [0.125, 0.25, 0.625];
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
    }

    #[test]
    fn softmax_survives_huge_logits() {
        let w = softmax(array![1e308, 1e308, -1e308].view()).unwrap();
        assert_eq!(w.to_vec(), vec![0.5, 0.5, 0.0]);
    }

    #[test]
    fn softmax_rejects_bad_rows() {
        assert_eq!(
            softmax_rows(array![[0.0], [f64::NEG_INFINITY]].view()),
            Err(Error::FullyMasked { row: 1 })
        );
        let e = softmax(array![0.0, f64::NAN].view()).unwrap_err();
        assert!(e.to_string().contains("row 0, column 1"), "{e}");
        let empty = Array1::<f64>::zeros(0);
        assert_eq!(softmax(empty.view()), Err(Error::Empty { what: "logits" }));
    }

    #[test]
    fn attention_matches_hand_computation() {
        // One query, two keys, scale 1: logits (1, 0), weights (e/(e+1), 1/(e+1)).
        let q = array![[1.0, 0.0]];
        let k = array![[1.0, 0.0], [0.0, 1.0]];
        let v = array![[10.0], [20.0]];
        let opts = Options {
            scale: Some(1.0),
            ..Options::default()
        };
        let out = scaled_dot_product(q.view(), k.view(), v.view(), &opts).unwrap();
        let e = 1f64.exp();
        let w0 = e / (e + 1.0);
        assert!((out.weights[[0, 0]] - w0).abs() < 1e-15);
        assert!((out.output[[0, 0]] - (10.0 * w0 + 20.0 * (1.0 - w0))).abs() < 1e-12);
    }

    #[test]
    fn default_scale_is_inverse_sqrt_dk() {
        let q = array![[1.0, 1.0, 1.0, 1.0]];
        let k = array![[1.0, 1.0, 1.0, 1.0]];
        let s = logits(q.view(), k.view(), &Options::default()).unwrap();
        assert_eq!(s[[0, 0]], 2.0); // 4 / √4
    }

    #[test]
    fn bias_is_added_and_checked() {
        let x = array![[1.0], [1.0]];
        let bias = array![[0.0, -1.0], [-1.0, 0.0]];
        let opts = Options {
            bias: Some(bias.view()),
            scale: Some(1.0),
            ..Options::default()
        };
        let s = logits(x.view(), x.view(), &opts).unwrap();
        assert_eq!(s, array![[1.0, 0.0], [0.0, 1.0]]);
        let wrong = array![[0.0, 1.0, 2.0]];
        let opts = Options {
            bias: Some(wrong.view()),
            ..Options::default()
        };
        let e = logits(x.view(), x.view(), &opts).unwrap_err();
        assert!(e.to_string().contains("expected [2, 2], got [1, 3]"), "{e}");
        let nan = array![[0.0, f64::NAN], [0.0, 0.0]];
        let opts = Options {
            bias: Some(nan.view()),
            ..Options::default()
        };
        assert!(matches!(
            logits(x.view(), x.view(), &opts),
            Err(Error::NonFinite { what: "bias", .. })
        ));
    }

    #[test]
    fn shape_and_scale_errors_are_clear() {
        let a = array![[1.0, 2.0]];
        let b = array![[1.0, 2.0, 3.0]];
        let e = logits(a.view(), b.view(), &Options::default()).unwrap_err();
        assert!(e.to_string().contains("same number of columns"), "{e}");
        let opts = Options {
            scale: Some(0.0),
            ..Options::default()
        };
        assert_eq!(
            logits(a.view(), a.view(), &opts),
            Err(errors::bad(
                "scale",
                0.0,
                "it must be a positive finite number"
            ))
        );
        let causal = Options {
            causal: true,
            ..Options::default()
        };
        let two = array![[1.0, 2.0], [3.0, 4.0]];
        assert!(logits(a.view(), two.view(), &causal).is_err());
        let v = array![[1.0]];
        let e = scaled_dot_product(a.view(), two.view(), v.view(), &Options::default());
        assert!(e.unwrap_err().to_string().contains("one row per key"));
        assert!(Head::new(Array2::eye(2), Array2::eye(3), Array2::eye(2)).is_err());
        let head = Head::new(Array2::eye(2), Array2::eye(2), Array2::eye(2)).unwrap();
        assert!(head.forward(b.view(), &Options::default()).is_err());
    }

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(-3.0..3.0f64, rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
    }

    proptest! {
        #[test]
        fn softmax_rows_are_distributions_and_match_textbook(m in matrix(4, 6)) {
            let w = softmax_rows(m.view()).unwrap();
            for (row, logits) in w.rows().into_iter().zip(m.rows()) {
                prop_assert!((row.sum() - 1.0).abs() < 1e-12);
                let slow = softmax_textbook(&logits.to_vec());
                for (a, b) in row.iter().zip(slow) {
                    prop_assert!((a - b).abs() < 1e-14);
                }
            }
        }

        #[test]
        fn causal_rows_ignore_the_future(x in matrix(5, 3), y in matrix(5, 3)) {
            // Changing tokens after position i must not change output i under a causal mask.
            let causal = Options { causal: true, ..Options::default() };
            let a = scaled_dot_product(x.view(), x.view(), x.view(), &causal).unwrap();
            let mut z = x.clone();
            z.slice_mut(ndarray::s![3.., ..]).assign(&y.slice(ndarray::s![3.., ..]));
            let b = scaled_dot_product(z.view(), z.view(), z.view(), &causal).unwrap();
            for i in 0..3 {
                for c in 0..3 {
                    prop_assert!((a.output[[i, c]] - b.output[[i, c]]).abs() < 1e-12);
                }
            }
        }
    }
}
