//! Attention computed block by block with an online softmax: the running maximum and normaliser
//! of Milakov and Gimelshein (*Online normalizer calculation for softmax*, 2018, arXiv:1805.02867),
//! extended with a running output as in Rabe and Staats (2021, arXiv:2112.05682) and FlashAttention
//! (Dao et al., 2022, arXiv:2205.14135). The `n × n` score matrix never exists: each query
//! keeps a running maximum, a running sum and a running output while key blocks stream past.
//!
//! A position bias fits if it can be computed for a pair `(i, j)` on the fly as one number: ALiBi
//! and T5 do. Shaw et al.'s value term adds a *vector* per pair to the output, which does not fit
//! the `P · V` product a tile is built around.

use ndarray::{Array1, Array2, ArrayView2, s};

use errors::bad;

use crate::Error;

/// A per-pair additive bias, computed on demand: `bias(i, j)` for query `i` and key `j`.
pub type Bias<'a> = &'a dyn Fn(usize, usize) -> f64;

fn check(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
) -> Result<(), Error> {
    if q.ncols() != k.ncols()
        || k.nrows() != v.nrows()
        || q.is_empty()
        || k.is_empty()
        || v.ncols() == 0
    {
        return Err(errors::shape(
            "q is n_q × d and k is n_k × d, v is n_k × d_v, none empty",
            vec![k.nrows(), q.ncols()],
            k.shape().to_vec(),
        ));
    }
    for (what, m) in [("q", q), ("k", k), ("v", v)] {
        if let Some(x) = m.iter().find(|x| !x.is_finite()) {
            return Err(bad(what, x, "every entry must be finite"));
        }
    }
    Ok(())
}

/// Naive attention through the shared core: materialises the full `n × n` bias and scores.
///
/// # Errors
/// Shapes that do not fit, non-finite inputs, or a non-finite bias value.
pub fn naive(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    causal: bool,
    bias: Option<Bias<'_>>,
) -> Result<Array2<f64>, Error> {
    check(q, k, v)?;
    let matrix = bias.map(|b| Array2::from_shape_fn((q.nrows(), k.nrows()), |(i, j)| b(i, j)));
    let options = attention::Options {
        bias: matrix.as_ref().map(|m| m.view()),
        causal,
        scale: None,
    };
    Ok(attention::scaled_dot_product(q, k, v, &options)?.output)
}

/// Shaw et al.'s value term for tiled attention: the `(2k + 1) × d_v` table `w^V` and the
/// clipping distance `k`. Each pair adds the vector `w^V[clip(j − i, k)]` to what it contributes.
#[derive(Debug, Clone, Copy)]
pub struct PairValues<'a> {
    /// The value table, row `r` for offset `r − k`.
    pub table: ArrayView2<'a, f64>,
    /// The clipping distance `k`.
    pub clip: usize,
}

/// Tiled attention: queries and keys in blocks of `block`, an online softmax across key blocks.
/// Holds `block × block` scores at a time, never `n × n`.
///
/// # Errors
/// `block = 0`, shapes that do not fit, non-finite inputs, bias values or logits, or a causal
/// problem with different numbers of queries and keys.
pub fn tiled(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: Option<Bias<'_>>,
) -> Result<Array2<f64>, Error> {
    tiled_with_pair_values(q, k, v, block, causal, bias, None)
}

// ANCHOR: tiled
/// [`tiled`], optionally with a per-pair value vector (Shaw et al.'s `a^V`). That vector cannot join
/// the tile's `P V` product, because it depends on the query as well as the key; it is carried as
/// `2k + 1` running weight sums per query (one per clipped offset), rescaled like the normaliser,
/// and multiplied by the table once at the end.
///
/// # Errors
/// As [`tiled`], and a value table that is not `(2k + 1) × d_v`.
#[allow(clippy::too_many_arguments)]
pub fn tiled_with_pair_values(
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
    block: usize,
    causal: bool,
    bias: Option<Bias<'_>>,
    pair_values: Option<PairValues<'_>>,
) -> Result<Array2<f64>, Error> {
    check(q, k, v)?;
    if block == 0 {
        return Err(bad("block", 0, "a tile holds at least one row"));
    }
    let (n_q, n_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    if causal && n_q != n_k {
        return Err(bad(
            "n_q",
            n_q,
            "a causal mask needs as many queries as keys",
        ));
    }
    let offsets = match pair_values {
        Some(pv) => {
            let rows = pv.clip.checked_mul(2).and_then(|r| r.checked_add(1));
            if rows != Some(pv.table.nrows()) || pv.table.ncols() != d_v {
                return Err(errors::shape(
                    "the pair-value table must be (2k + 1) × d_v",
                    vec![rows.unwrap_or(usize::MAX), d_v],
                    pv.table.shape().to_vec(),
                ));
            }
            pv.table.nrows()
        }
        None => 0,
    };
    // A tile larger than the problem holds nothing more: clamp before allocating.
    let block = block.min(n_q.max(n_k));
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut out = Array2::<f64>::zeros((n_q, d_v));
    let mut scores = Array2::<f64>::zeros((block, block)); // the only score storage
    for q0 in (0..n_q).step_by(block) {
        let q1 = (q0 + block).min(n_q);
        let qb = q.slice(s![q0..q1, ..]);
        let mut m = Array1::from_elem(q1 - q0, f64::NEG_INFINITY); // running max per query
        let mut l = Array1::<f64>::zeros(q1 - q0); // running sum of exp(s − m)
        let mut acc = Array2::<f64>::zeros((q1 - q0, d_v)); // running Σ exp(s − m) v
        let mut hist = Array2::<f64>::zeros((q1 - q0, offsets)); // Σ exp(s − m) per offset
        // With a causal mask, key blocks after the last query of this block are all hidden.
        let k_end = if causal { q1 } else { n_k };
        for k0 in (0..k_end).step_by(block) {
            let k1 = (k0 + block).min(k_end);
            let mut tile = scores.slice_mut(s![..q1 - q0, ..k1 - k0]);
            tile.assign(&(qb.dot(&k.slice(s![k0..k1, ..]).t()) * scale));
            for ((r, c), x) in tile.indexed_iter_mut() {
                let (i, j) = (q0 + r, k0 + c);
                if causal && j > i {
                    *x = f64::NEG_INFINITY;
                } else {
                    if let Some(b) = bias {
                        let value = b(i, j);
                        if !value.is_finite() {
                            return Err(bad("bias", value, "a bias value must be finite"));
                        }
                        *x += value;
                    }
                    if !x.is_finite() {
                        return Err(bad("logit", *x, "q · k overflowed: scale the inputs down"));
                    }
                }
            }
            for r in 0..q1 - q0 {
                let row = tile.row(r);
                let m_new = row.fold(m[r], |a, &b| a.max(b));
                if m_new == f64::NEG_INFINITY {
                    continue; // nothing visible yet in this row
                }
                // Rescale what was accumulated under the old maximum.
                let correction = (m[r] - m_new).exp();
                l[r] *= correction;
                acc.row_mut(r).mapv_inplace(|a| a * correction);
                hist.row_mut(r).mapv_inplace(|a| a * correction);
                for (c, &x) in row.iter().enumerate() {
                    let p = (x - m_new).exp();
                    l[r] += p;
                    acc.row_mut(r).scaled_add(p, &v.row(k0 + c));
                    if let Some(pv) = pair_values {
                        hist[[r, crate::shaw::clipped_index(q0 + r, k0 + c, pv.clip)]] += p;
                    }
                }
                m[r] = m_new;
            }
        }
        if let Some(pv) = pair_values {
            acc += &hist.dot(&pv.table); // the per-pair vectors, once per query
        }
        for r in 0..q1 - q0 {
            let total = l[r];
            out.row_mut(q0 + r).assign(&acc.row(r).mapv(|a| a / total));
        }
    }
    Ok(out)
}
// ANCHOR_END: tiled

/// Floats of score storage each form needs at once for `n` queries and keys with a bias: the
/// naive form holds the bias, the scaled scores and the weights (`3 n²`; `2 n²` without a bias),
/// the tiled form one `block × block` tile.
pub fn score_floats(n: usize, block: usize) -> (usize, usize) {
    (3 * n * n, block.min(n) * block.min(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(-2.0..2.0f64, rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
    }

    proptest! {
        #[test]
        fn tiled_equals_naive(
            (q, k, v) in (1usize..40, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d), matrix(n, d))),
            block in 1usize..9, causal in any::<bool>(), slope in 0.0..1.0f64,
        ) {
            let alibi = move |i: usize, j: usize| -slope * (i as f64 - j as f64).abs();
            let t5_table = crate::t5::T5Bias::seeded(crate::t5::Buckets::T5, 1, 3).unwrap();
            let t5 = |i: usize, j: usize| t5_table.at(0, i, j).unwrap_or(f64::NAN);
            for bias in [None, Some(&alibi as Bias<'_>), Some(&t5 as Bias<'_>)] {
                let a = naive(q.view(), k.view(), v.view(), causal, bias).unwrap();
                let b = tiled(q.view(), k.view(), v.view(), block, causal, bias).unwrap();
                // Only the order of summation differs; in f64 that costs far less than 1e-12 here.
                prop_assert!((&a - &b).iter().all(|x| x.abs() < 1e-12));
            }
        }
    }

    proptest! {
        /// All of Shaw et al. in tiled form: the key term as a per-pair scalar bias (gathered from
        /// Q W_Kᵀ), the value term as running per-offset sums. Equal to the explicit form.
        #[test]
        fn shaw_fits_tiled_attention_with_running_offset_sums(
            (q, k, v) in (1usize..25, 1usize..5).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d), matrix(n, d))),
            clip in 0usize..4, block in 1usize..7, seed in any::<u64>(),
        ) {
            let d = q.ncols();
            let shaw = crate::shaw::Shaw::seeded(clip, d, seed).unwrap();
            let want = shaw.outputs_explicit(q.view(), k.view(), v.view()).unwrap();
            let terms = shaw.key_terms(q.view()).unwrap();
            let scale = 1.0 / (d as f64).sqrt();
            let key_term = |i: usize, j: usize| terms.at(i, i, j) * scale;
            let values = PairValues { table: shaw.w_v(), clip };
            let got = tiled_with_pair_values(
                q.view(), k.view(), v.view(), block, false, Some(&key_term), Some(values),
            ).unwrap();
            prop_assert!((&got - &want).iter().all(|x| x.abs() < 1e-12));
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::<f64>::ones((4, 2));
        assert!(tiled(x.view(), x.view(), x.view(), 0, false, None).is_err());
        let wide = Array2::<f64>::ones((4, 3));
        assert!(tiled(x.view(), wide.view(), x.view(), 2, false, None).is_err());
        let nan_bias = |_: usize, _: usize| f64::NAN;
        let e = tiled(x.view(), x.view(), x.view(), 2, false, Some(&nan_bias)).unwrap_err();
        assert!(e.to_string().contains("bias = NaN"), "{e}");
        let short = Array2::<f64>::ones((2, 2));
        assert!(tiled(x.view(), short.view(), short.view(), 2, true, None).is_err());
        assert!(tiled(short.view(), x.view(), x.view(), 2, true, None).is_err());
        // A huge tile is clamped, not allocated.
        assert!(tiled(x.view(), x.view(), x.view(), usize::MAX, false, None).is_ok());
        let table = Array2::<f64>::zeros((2, 2));
        let pv = PairValues {
            table: table.view(),
            clip: 1,
        };
        assert!(
            tiled_with_pair_values(x.view(), x.view(), x.view(), 2, false, None, Some(pv)).is_err()
        );
        let big = Array2::<f64>::from_elem((2, 2), 1e200);
        assert!(tiled(big.view(), big.view(), big.view(), 2, false, None).is_err());
    }
}
