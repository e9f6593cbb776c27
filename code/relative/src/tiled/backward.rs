//! Step three: the backward pass of a learned bias table (T5's), tile by tile.
//!
//! The forward pass of tiled attention can add any scalar computable from `(i, j)`. Training a
//! *learned* table needs more: the gradient of every table entry, which is the sum of the logit
//! gradients `dS_ij` over all pairs whose offset falls in that entry's bucket. The FlashAttention
//! backward (Dao et al., 2022, arXiv:2205.14135, Algorithm 4; Dao, *FlashAttention-2*, 2023,
//! arXiv:2307.08691, Algorithm 2) never holds `dS` either: it recomputes each tile's weights from
//! `q`, `k` and the per-row log-sum-exp saved by the forward pass, forms `dS = P ∘ (dP − D)`
//! with `D_i = rowsum(dO_i ∘ O_i)` (computed once, before the loops) for the tile, and uses it
//! for `dQ` and `dK` (and `P` for `dV`). The table's
//! gradient is one more use of the same tile: a scatter-add of `dS` into the buckets.
//!
//! [`bias_grad`] does exactly that; [`bias_grad_slow`] is the textbook form, the full softmax
//! Jacobian of every row, and the tests hold both to finite differences of the loss.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

use errors::bad;

use super::{check, check_block, check_causal};
use crate::Error;
use crate::t5::{Buckets, bucket};

/// A learned bias table of one head: one scalar per bucket of offsets, as T5 has.
#[derive(Debug, Clone, Copy)]
pub struct BucketTable<'a> {
    /// The table, one entry per bucket.
    pub table: ArrayView1<'a, f64>,
    /// How offsets map to buckets.
    pub cfg: Buckets,
}

impl BucketTable<'_> {
    /// The bucket of the pair `(i, j)` (offset `j − i`).
    fn bucket_of(&self, i: usize, j: usize) -> usize {
        let offset = if j >= i {
            i64::try_from(j - i).unwrap_or(i64::MAX)
        } else {
            -i64::try_from(i - j).unwrap_or(i64::MAX)
        };
        bucket(offset, self.cfg)
    }

    /// The bias of the pair `(i, j)`.
    fn at(&self, i: usize, j: usize) -> f64 {
        self.table[self.bucket_of(i, j)]
    }
}

/// Checks the shapes and values a backward pass needs.
fn check_backward(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    d_out: ArrayView2<'_, f64>,
    bias: BucketTable<'_>,
    causal: bool,
) -> Result<(), Error> {
    check(q, k, v)?;
    check_causal(causal, q.nrows(), k.nrows())?;
    if d_out.dim() != (q.nrows(), v.ncols()) {
        return Err(errors::shape(
            "the output gradient dO must be n_q × d_v, like the output",
            vec![q.nrows(), v.ncols()],
            d_out.shape().to_vec(),
        ));
    }
    if bias.table.len() != bias.cfg.num_buckets() {
        return Err(errors::shape(
            "the bias table needs one entry per bucket",
            vec![bias.cfg.num_buckets()],
            vec![bias.table.len()],
        ));
    }
    errors::ensure_finite("dO", d_out.iter().copied())?;
    errors::ensure_finite("bias table", bias.table.iter().copied())?;
    Ok(())
}

/// The forward pass that a backward pass needs: tiled attention with the table's bias, returning
/// the output `O` and each query's log-sum-exp `L_i = m_i + ln ℓ_i` (the only per-row statistic
/// FlashAttention-2 saves).
///
/// # Errors
/// As [`bias_grad`].
///
/// ```
/// use ndarray::{array, Array1};
/// use relative::t5::Buckets;
/// use relative::tiled::{BucketTable, forward_with_lse};
/// let x = array![[1.0, 0.0], [0.0, 1.0]];
/// let table = Array1::zeros(32);
/// let bias = BucketTable { table: table.view(), cfg: Buckets::T5 };
/// let (o, lse) = forward_with_lse(x.view(), x.view(), x.view(), 1, true, bias)?;
/// assert_eq!(o.row(0).to_vec(), [1.0, 0.0]); // the first query sees only the first key
/// assert!((lse[0] - 1.0 / 2f64.sqrt()).abs() < 1e-15); // one logit, q·k/√2
/// # Ok::<(), relative::Error>(())
/// ```
pub fn forward_with_lse(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: BucketTable<'_>,
) -> Result<(Array2<f64>, Array1<f64>), Error> {
    let zeros = Array2::zeros((q.nrows(), v.ncols()));
    check_backward(q, k, v, zeros.view(), bias, causal)?;
    let block = check_block(block, q.nrows().max(k.nrows()))?;
    let (n_q, n_k) = (q.nrows(), k.nrows());
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut out = Array2::<f64>::zeros((n_q, v.ncols()));
    let mut lse = Array1::<f64>::zeros(n_q);
    for q0 in (0..n_q).step_by(block) {
        let q1 = (q0 + block).min(n_q);
        let mut m = Array1::from_elem(q1 - q0, f64::NEG_INFINITY);
        let mut l = Array1::<f64>::zeros(q1 - q0);
        let mut o = Array2::<f64>::zeros((q1 - q0, v.ncols()));
        let k_end = if causal { q1 } else { n_k };
        for k0 in (0..k_end).step_by(block) {
            let k1 = (k0 + block).min(k_end);
            let tile = logit_tile(q, k, (q0, q1), (k0, k1), scale, causal, bias);
            for (r, row) in tile.rows().into_iter().enumerate() {
                let m_new = row.fold(m[r], |a, &x| a.max(x));
                if m_new == f64::NEG_INFINITY {
                    continue;
                }
                let correction = (m[r] - m_new).exp();
                let p = row.mapv(|x| (x - m_new).exp());
                l[r] = l[r] * correction + p.sum();
                let mut o_r = o.row_mut(r);
                o_r *= correction;
                o_r += &p.dot(&v.slice(s![k0..k1, ..]));
                m[r] = m_new;
            }
        }
        out.slice_mut(s![q0..q1, ..])
            .assign(&(o / l.view().insert_axis(Axis(1))));
        lse.slice_mut(s![q0..q1]).assign(&(&m + &l.mapv(f64::ln)));
    }
    if let Some(x) = out.iter().chain(lse.iter()).find(|x| !x.is_finite()) {
        return Err(bad("output", x, "q · k overflowed: scale the inputs down"));
    }
    Ok((out, lse))
}

/// One tile of logits `q_i · k_j / √d_head + b(bucket(j − i))`, masked pairs at `−∞`.
fn logit_tile(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    (q0, q1): (usize, usize),
    (k0, k1): (usize, usize),
    scale: f64,
    causal: bool,
    bias: BucketTable<'_>,
) -> Array2<f64> {
    let mut tile = q.slice(s![q0..q1, ..]).dot(&k.slice(s![k0..k1, ..]).t()) * scale; // b × b
    for ((r, c), x) in tile.indexed_iter_mut() {
        let (i, j) = (q0 + r, k0 + c);
        *x = if causal && j > i {
            f64::NEG_INFINITY
        } else {
            *x + bias.at(i, j)
        };
    }
    tile
}

/// The gradient of a loss with respect to the bias table, given the gradient `dO` of the loss
/// with respect to the attention output, computed tile by tile as the FlashAttention backward
/// computes `dQ` and `dK`: the forward pass keeps only `O` and each row's log-sum-exp; each tile
/// recomputes its weights `P = exp(S − L)`, forms `dS = P ∘ (dP − D)` with `dP = dO Vᵀ` and
/// `D_i = rowsum(dO_i ∘ O_i)`, and scatter-adds `dS` into the buckets. Never more than one
/// `block × block` tile of logits, weights or gradients at a time.
///
/// The logits are `q_i · k_j / √d_head + b(bucket(j − i))`, the crate's tiled attention with the
/// table as its bias. (T5 itself does not divide by `√d_head`. The formula does not depend on it:
/// the bias is added after the scale, so a table entry's gradient is the sum of `dS` over its
/// pairs whatever the scale.)
///
/// # Errors
/// `block = 0`; shapes that do not fit (`dO` must be `n_q × d_v`, the table must have one entry per
/// bucket); non-finite inputs; a causal problem with different numbers of queries and keys.
///
/// ```
/// use ndarray::{array, Array1};
/// use relative::t5::Buckets;
/// use relative::tiled::{BucketTable, bias_grad, bias_grad_slow};
/// let x = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
/// let d_out = array![[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]];
/// let table = Array1::linspace(-1.0, 1.0, 32);
/// let bias = BucketTable { table: table.view(), cfg: Buckets::T5 };
/// let fast = bias_grad(x.view(), x.view(), x.view(), d_out.view(), 2, false, bias)?;
/// let slow = bias_grad_slow(x.view(), x.view(), x.view(), d_out.view(), 2, false, bias)?;
/// assert!((&fast - &slow).iter().all(|d| d.abs() < 1e-15));
/// // A softmax ignores a constant added to a whole row, so the gradients sum to zero.
/// assert!(fast.sum().abs() < 1e-15);
/// # Ok::<(), relative::Error>(())
/// ```
pub fn bias_grad(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    d_out: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: BucketTable<'_>,
) -> Result<Array1<f64>, Error> {
    check_backward(q, k, v, d_out, bias, causal)?;
    let (o, lse) = forward_with_lse(q, k, v, block, causal, bias)?;
    let block = check_block(block, q.nrows().max(k.nrows()))?;
    let (n_q, n_k) = (q.nrows(), k.nrows());
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    // ANCHOR: bias_grad
    let d = (&d_out * &o).sum_axis(Axis(1)); // D_i = rowsum(dO ∘ O), (n_q)
    let mut grad = Array1::<f64>::zeros(bias.table.len()); // one entry per bucket
    for q0 in (0..n_q).step_by(block) {
        let q1 = (q0 + block).min(n_q);
        let k_end = if causal { q1 } else { n_k };
        for k0 in (0..k_end).step_by(block) {
            let k1 = (k0 + block).min(k_end);
            let s = logit_tile(q, k, (q0, q1), (k0, k1), scale, causal, bias); // b × b
            let lse_b = lse.slice(s![q0..q1]).insert_axis(Axis(1)); // b × 1
            let p = (s - lse_b).mapv(f64::exp); // P = exp(S − L), recomputed; masked → 0
            let dp = d_out
                .slice(s![q0..q1, ..])
                .dot(&v.slice(s![k0..k1, ..]).t()); // dO Vᵀ
            let ds = p * (dp - d.slice(s![q0..q1]).insert_axis(Axis(1))); // P ∘ (dP − D)
            for ((r, c), &g) in ds.indexed_iter() {
                grad[bias.bucket_of(q0 + r, k0 + c)] += g; // scatter-add into the buckets
            }
        }
    }
    // ANCHOR_END: bias_grad
    Ok(grad)
}

/// The textbook form of [`bias_grad`], with the same signature: the full `n × n` logits and
/// weights, and for every row the softmax Jacobian `J = diag(p) − p pᵀ` applied to
/// `dP_i = V dO_i`, then summed per bucket. `block` is checked and otherwise unused.
///
/// # Errors
/// As [`bias_grad`].
pub fn bias_grad_slow(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    d_out: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: BucketTable<'_>,
) -> Result<Array1<f64>, Error> {
    check_backward(q, k, v, d_out, bias, causal)?;
    check_block(block, q.nrows().max(k.nrows()))?;
    let (n_q, n_k) = (q.nrows(), k.nrows());
    let s = logit_tile(
        q,
        k,
        (0, n_q),
        (0, n_k),
        1.0 / (q.ncols() as f64).sqrt(),
        causal,
        bias,
    );
    let p = attention::softmax_rows(s.view())?; // n_q × n_k
    let dp = d_out.dot(&v.t()); // ∂L/∂P = dO Vᵀ, n_q × n_k
    let mut grad = Array1::<f64>::zeros(bias.table.len());
    for i in 0..n_q {
        let p_i = p.row(i);
        // The Jacobian of softmax row i: J_jl = p_j (δ_jl − p_l).
        let jac = Array2::from_shape_fn((n_k, n_k), |(j, l)| {
            p_i[j] * (f64::from(u8::from(j == l)) - p_i[l])
        });
        let ds_i = jac.t().dot(&dp.row(i)); // ∂L/∂S_i = Jᵀ ∂L/∂P_i
        for (j, &g) in ds_i.iter().enumerate() {
            grad[bias.bucket_of(i, j)] += g;
        }
    }
    Ok(grad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    /// The scalar loss whose gradient the functions compute: `L = Σ dO ∘ O`.
    fn loss(
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
        d_out: ArrayView2<'_, f64>,
        causal: bool,
        bias: BucketTable<'_>,
    ) -> f64 {
        // The bias through T5's own table type, independent of `BucketTable`'s indexing.
        let t5 =
            crate::t5::T5Bias::new(bias.cfg, bias.table.to_owned().insert_axis(Axis(1))).unwrap();
        let b = |i: usize, j: usize| t5.at(0, i, j).unwrap();
        let o = super::super::tiled_slow(q, k, v, 4, causal, Some(&b)).unwrap();
        (&o * &d_out).sum()
    }

    #[test]
    fn pairs_index_the_bucket_of_their_offset() {
        let table = Array1::zeros(16);
        let bias = BucketTable {
            table: table.view(),
            cfg: small_cfg(),
        };
        for i in 0..30usize {
            for j in 0..30usize {
                let offset = j as i64 - i as i64;
                assert_eq!(
                    bias.bucket_of(i, j),
                    bucket(offset, small_cfg()),
                    "({i}, {j})"
                );
            }
        }
    }

    fn small_cfg() -> Buckets {
        // 8 buckets a side, 4 exact, max distance 12: short problems reach the log buckets.
        Buckets::new(true, 16, 12).unwrap()
    }

    proptest! {
        /// The tiled gradient equals the explicit Jacobian form over random shapes, tiles,
        /// masks and tables.
        #[test]
        fn bias_grad_equals_slow(
            (q, k, v, d_out) in (1usize..24, 1usize..5, 1usize..4).prop_flat_map(
                |(n, d, d_v)| (matrix(n, d), matrix(n, d), matrix(n, d_v), matrix(n, d_v)),
            ),
            table in proptest::collection::vec(-2.0..2.0f64, 16),
            block in 1usize..9, causal in any::<bool>(),
        ) {
            let table = Array1::from(table);
            let bias = BucketTable { table: table.view(), cfg: small_cfg() };
            let fast = bias_grad(q.view(), k.view(), v.view(), d_out.view(), block, causal, bias).unwrap();
            let slow = bias_grad_slow(q.view(), k.view(), v.view(), d_out.view(), block, causal, bias).unwrap();
            // Sums of at most 24² terms of size ≤ ~10 in a different order: far below 1e-11.
            prop_assert!((&fast - &slow).iter().all(|x| x.abs() < 1e-11));
            // Every row's weights sum to one, so a bias added to every pair changes nothing:
            // the entries of the gradient sum to zero.
            prop_assert!(fast.sum().abs() < 1e-11);
        }
    }

    #[test]
    fn bias_grad_matches_finite_differences() {
        let mut rng = bookkit::rng::SplitMix64(19);
        let (n, d) = (20, 4);
        let mut draw = |r: usize, c: usize| Array2::from_shape_fn((r, c), |_| rng.next_gaussian());
        let (q, k, v, d_out) = (draw(n, d), draw(n, d), draw(n, d), draw(n, d));
        let table = Array1::from_shape_fn(16, |b| (b as f64 * 0.7).sin());
        for causal in [false, true] {
            let bias = BucketTable {
                table: table.view(),
                cfg: small_cfg(),
            };
            let grad =
                bias_grad(q.view(), k.view(), v.view(), d_out.view(), 3, causal, bias).unwrap();
            let mut used = 0;
            for b in 0..16 {
                // Central differences: error h²·L'''/6 (L''' is O(1) here) plus rounding
                // ε·|L|/h ≈ 1e-16·10/1e-5 = 1e-10; 1e-7 leaves a wide margin for both.
                let h = 1e-5;
                let at = |delta: f64| {
                    let mut t = table.clone();
                    t[b] += delta;
                    let bias = BucketTable {
                        table: t.view(),
                        cfg: small_cfg(),
                    };
                    loss(q.view(), k.view(), v.view(), d_out.view(), causal, bias)
                };
                let numeric = (at(h) - at(-h)) / (2.0 * h);
                assert!(
                    (grad[b] - numeric).abs() < 1e-7,
                    "bucket {b}: {} vs {numeric}",
                    grad[b]
                );
                if grad[b].abs() > 1e-3 {
                    used += 1;
                }
            }
            // The test means something only if many buckets carry a gradient: both directions
            // (bidirectional) or looking back (causal) reach exact and logarithmic buckets.
            assert!(used >= if causal { 7 } else { 14 }, "{used}");
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::<f64>::ones((4, 2));
        let table = Array1::zeros(16);
        let bias = BucketTable {
            table: table.view(),
            cfg: small_cfg(),
        };
        let e = bias_grad(x.view(), x.view(), x.view(), x.view(), 0, false, bias).unwrap_err();
        assert!(e.to_string().contains("block = 0"), "{e}");
        let short = Array2::<f64>::ones((3, 2));
        let e = bias_grad(x.view(), x.view(), x.view(), short.view(), 2, false, bias).unwrap_err();
        assert!(e.to_string().contains("dO"), "{e}");
        let e =
            bias_grad_slow(x.view(), x.view(), x.view(), short.view(), 2, false, bias).unwrap_err();
        assert!(e.to_string().contains("dO"), "{e}");
        let wrong = Array1::zeros(15);
        let b = BucketTable {
            table: wrong.view(),
            cfg: small_cfg(),
        };
        assert!(bias_grad(x.view(), x.view(), x.view(), x.view(), 2, false, b).is_err());
        let mut nan = x.clone();
        nan[[0, 0]] = f64::NAN;
        assert!(bias_grad(x.view(), x.view(), x.view(), nan.view(), 2, false, bias).is_err());
        let mut nan_table = Array1::zeros(16);
        nan_table[3] = f64::INFINITY;
        let b = BucketTable {
            table: nan_table.view(),
            cfg: small_cfg(),
        };
        assert!(forward_with_lse(x.view(), x.view(), x.view(), 2, false, b).is_err());
        assert!(
            bias_grad(
                x.view(),
                short.view(),
                short.view(),
                x.view(),
                2,
                true,
                bias
            )
            .is_err()
        );
        let big = Array2::<f64>::from_elem((2, 2), 1e200);
        let e = forward_with_lse(big.view(), big.view(), big.view(), 2, false, bias).unwrap_err();
        assert!(e.to_string().contains("overflowed"), "{e}");
    }

    #[test]
    fn forward_agrees_with_tiled_and_its_lse_normalises() {
        let mut rng = bookkit::rng::SplitMix64(4);
        let (n, d) = (13, 3);
        let mut draw = || Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
        let (q, k, v) = (draw(), draw(), draw());
        let table = Array1::from_shape_fn(16, |b| b as f64 / 10.0);
        let bias = BucketTable {
            table: table.view(),
            cfg: small_cfg(),
        };
        for causal in [false, true] {
            let (o, lse) = forward_with_lse(q.view(), k.view(), v.view(), 4, causal, bias).unwrap();
            let b = |i: usize, j: usize| bias.at(i, j);
            let want =
                super::super::tiled(q.view(), k.view(), v.view(), 4, causal, Some(&b)).unwrap();
            assert!((&o - &want).iter().all(|x| x.abs() < 1e-13));
            // exp(S − L) must be the softmax: each row of weights sums to one.
            let s = logit_tile(
                q.view(),
                k.view(),
                (0, n),
                (0, n),
                1.0 / (d as f64).sqrt(),
                causal,
                bias,
            );
            let p = (s - lse.view().insert_axis(Axis(1))).mapv(f64::exp);
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-13);
            }
        }
    }
}
