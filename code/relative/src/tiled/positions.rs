//! Step two: the online softmax with position terms: a causal mask, a scalar bias per pair, and
//! Shaw et al.'s value vectors carried as running sums per clipped offset.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use errors::bad;

use super::{Bias, check, check_block, check_causal};
use crate::Error;
use crate::shaw::clipped_index;

/// Shaw et al.'s value term for tiled attention: the `(2k + 1) × d_v` table `w^V` and the
/// clipping distance `k`. Each pair adds the vector `w^V[clip(j − i, k)]` to what it contributes.
#[derive(Debug, Clone, Copy)]
pub struct PairValues<'a> {
    /// The value table, row `r` for offset `r − k`.
    pub table: ArrayView2<'a, f64>,
    /// The clipping distance `k`.
    pub clip: usize,
}

/// Tiled attention with position terms: [`online`](super::online) plus an optional causal mask and a bias
/// computed per pair on the fly. Holds `block × block` scores at a time, never `n × n`.
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

/// The first pair of a logit tile that is neither finite nor masked, as an error naming the bias
/// if the bias made it so, and the overflowing product otherwise.
fn check_tile(
    tile: ArrayView2<'_, f64>,
    (q0, k0): (usize, usize),
    causal: bool,
    bias: Option<Bias<'_>>,
) -> Result<(), Error> {
    for ((r, c), &x) in tile.indexed_iter() {
        let (i, j) = (q0 + r, k0 + c);
        if x.is_finite() || (causal && j > i) {
            continue;
        }
        if let Some(value) = bias.map(|b| b(i, j)).filter(|b| !b.is_finite()) {
            return Err(bad("bias", value, "a bias value must be finite"));
        }
        return Err(bad("logit", x, "q · k overflowed: scale the inputs down"));
    }
    Ok(())
}

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
    let block = check_block(block, q.nrows().max(k.nrows()))?;
    check_causal(causal, q.nrows(), k.nrows())?;
    if let Some(pv) = pair_values {
        let rows = pv.clip.checked_mul(2).and_then(|r| r.checked_add(1));
        if rows != Some(pv.table.nrows()) || pv.table.ncols() != v.ncols() {
            return Err(errors::shape(
                "the pair-value table must be (2k + 1) × d_v",
                vec![rows.unwrap_or(usize::MAX), v.ncols()],
                pv.table.shape().to_vec(),
            ));
        }
    }
    // The loop of `online`, with the position terms added.
    let (n_q, n_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    let offsets = pair_values.map_or(0, |pv| pv.table.nrows());
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut out = Array2::<f64>::zeros((n_q, d_v));
    let mut scores = Array2::<f64>::zeros((block, block)); // the only score storage
    for q0 in (0..n_q).step_by(block) {
        let q1 = (q0 + block).min(n_q);
        let qb = q.slice(s![q0..q1, ..]);
        let mut m = Array1::from_elem(q1 - q0, f64::NEG_INFINITY); // running max per query
        let mut l = Array1::<f64>::zeros(q1 - q0); // running Σ e^(s − m)
        let mut o = Array2::<f64>::zeros((q1 - q0, d_v)); // running Σ e^(s − m) v
        let mut per_offset = Array2::<f64>::zeros((q1 - q0, offsets)); // Σ e^(s − m) per clipped offset
        // With a causal mask, key blocks after the last query of this block are all hidden.
        let k_end = if causal { q1 } else { n_k };
        for k0 in (0..k_end).step_by(block) {
            let k1 = (k0 + block).min(k_end);
            let mut tile = scores.slice_mut(s![..q1 - q0, ..k1 - k0]);
            tile.assign(&(qb.dot(&k.slice(s![k0..k1, ..]).t()) * scale));
            // ANCHOR: tiled_logits
            for ((r, c), x) in tile.indexed_iter_mut() {
                let (i, j) = (q0 + r, k0 + c);
                if causal && j > i {
                    *x = f64::NEG_INFINITY; // the mask: weight e^(−∞) = 0
                } else if let Some(b) = bias {
                    *x += b(i, j); // one number per pair: ALiBi, T5, Shaw's key term
                }
            }
            // ANCHOR_END: tiled_logits
            check_tile(tile.view(), (q0, k0), causal, bias)?;
            for (r, row) in tile.rows().into_iter().enumerate() {
                let m_new = row.fold(m[r], |a, &x| a.max(x));
                if m_new == f64::NEG_INFINITY {
                    continue; // every key so far is masked for this query
                }
                let correction = (m[r] - m_new).exp();
                let p = row.mapv(|x| (x - m_new).exp());
                l[r] = l[r] * correction + p.sum();
                let mut o_r = o.row_mut(r);
                o_r *= correction;
                o_r += &p.dot(&v.slice(s![k0..k1, ..]));
                // ANCHOR: tiled_values
                if let Some(pv) = pair_values {
                    let mut sums = per_offset.row_mut(r); // one running sum per clipped offset
                    sums *= correction; // rescaled like ℓ and o
                    for (c, &p_c) in p.iter().enumerate() {
                        sums[clipped_index(q0 + r, k0 + c, pv.clip)] += p_c; // a scatter per pair
                    }
                }
                // ANCHOR_END: tiled_values
                m[r] = m_new;
            }
        }
        // ANCHOR: tiled_finish
        if let Some(pv) = pair_values {
            o += &per_offset.dot(&pv.table); // Σ_r (weight at offset r) · w^V_r, once per query
        }
        // ANCHOR_END: tiled_finish
        let o = o / &l.insert_axis(Axis(1)); // o / ℓ, row by row
        out.slice_mut(s![q0..q1, ..]).assign(&o);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tiled_slow;
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tiled_equals_slow(
            (q, k, v) in (1usize..40, 1usize..6).prop_flat_map(|(n, d)| (matrix(n, d), matrix(n, d), matrix(n, d))),
            block in 1usize..9, causal in any::<bool>(), slope in 0.0..1.0f64,
        ) {
            let alibi = move |i: usize, j: usize| -slope * (i as f64 - j as f64).abs();
            let t5_table = crate::t5::T5Bias::seeded(crate::t5::Buckets::T5, 1, 3).unwrap();
            let t5 = |i: usize, j: usize| t5_table.at(0, i, j).unwrap_or(f64::NAN);
            for bias in [None, Some(&alibi as Bias<'_>), Some(&t5 as Bias<'_>)] {
                let a = tiled_slow(q.view(), k.view(), v.view(), block, causal, bias).unwrap();
                let b = tiled(q.view(), k.view(), v.view(), block, causal, bias).unwrap();
                // Only the order of summation differs; in f64 that costs far less than 1e-12 here.
                prop_assert!((&a - &b).iter().all(|x| x.abs() < 1e-12));
            }
        }

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
        // Masked pairs may hold anything: a bias that is NaN above the diagonal is never read.
        let upper_nan = |i: usize, j: usize| if j > i { f64::NAN } else { 0.0 };
        assert!(tiled(x.view(), x.view(), x.view(), 2, true, Some(&upper_nan)).is_ok());
        let e = tiled(big.view(), big.view(), big.view(), 2, false, None).unwrap_err();
        assert!(e.to_string().contains("logit = inf"), "{e}");
    }
}
