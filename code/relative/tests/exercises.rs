//! The chapter's exercises: a stub for each answer (in `answers`), the book's solution (in
//! `solutions`), and a check that holds either to the same assertions.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::{Array2, ArrayView2};
use relative::alibi::{bias, bias_symmetric, slopes};
use relative::shaw::{Shaw, clipped_index};
use relative::t5::{Buckets, T5Bias, bucket};
use relative::tiled::{tiled, tiled_slow};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p relative --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: the row of Shaw's `(2k + 1)`-row tables that the offset `j − i` uses.
    pub fn table_row(offset: i64, k: usize) -> usize {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: how many different buckets the distances `from..=to` (looking back) fall in.
    pub fn distinct_buckets(cfg: Buckets, from: i64, to: i64) -> usize {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the attention weights of a causal head whose logits are `bias` alone.
    pub fn causal_weights(bias: ArrayView2<'_, f64>) -> Array2<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: causal tiled attention of `q`, `k`, `v` for each tile size in `blocks`.
    pub fn tiled_outputs(
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
        blocks: &[usize],
    ) -> Vec<Array2<f64>> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

mod solutions {
    use super::*;

    // ANCHOR: exercise1
    /// Exercise 1: the row of Shaw's `(2k + 1)`-row tables that the offset `j − i` uses.
    pub fn table_row(offset: i64, k: usize) -> usize {
        // clip(offset, k) + k, without casting a huge k or offset into the wrong sign.
        let k_signed = i64::try_from(k).unwrap_or(i64::MAX);
        let clipped = offset.clamp(-k_signed, k_signed);
        (clipped + k_signed) as usize
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: how many different buckets the distances `from..=to` (looking back) fall in.
    pub fn distinct_buckets(cfg: Buckets, from: i64, to: i64) -> usize {
        let buckets: std::collections::BTreeSet<usize> =
            (from..=to).map(|n| bucket(-n, cfg)).collect();
        buckets.len()
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: the attention weights of a causal head whose logits are `bias` alone.
    pub fn causal_weights(bias: ArrayView2<'_, f64>) -> Array2<f64> {
        let masked = &bias + &attention::causal_mask(bias.nrows());
        attention::softmax_rows(masked.view()).unwrap()
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: causal tiled attention of `q`, `k`, `v` for each tile size in `blocks`.
    pub fn tiled_outputs(
        q: ArrayView2<'_, f64>,
        k: ArrayView2<'_, f64>,
        v: ArrayView2<'_, f64>,
        blocks: &[usize],
    ) -> Vec<Array2<f64>> {
        blocks
            .iter()
            .map(|&block| tiled(q, k, v, block, true, None).unwrap())
            .collect()
    }
    // ANCHOR_END: exercise4
}

/// With clipping distance k, offsets beyond ±k share a vector, so Shaw's model cannot tell
/// distance k + 1 from distance 1000.
fn check_exercise1(table_row: fn(i64, usize) -> usize) {
    for k in [0, 1, 4, 9] {
        for offset in -30i64..=30 {
            let (i, j) = if offset >= 0 {
                (0, offset as usize)
            } else {
                (offset.unsigned_abs() as usize, 0)
            };
            assert_eq!(
                table_row(offset, k),
                clipped_index(i, j, k),
                "offset {offset}, k {k}"
            );
        }
    }
    let k = 4;
    assert_eq!(table_row(k as i64 + 1, k), table_row(1000, k));
    assert_eq!(table_row(-1000, k), 0);
    assert_eq!(clipped_index(0, 5, k), clipped_index(0, 1000, k));
    assert_ne!(clipped_index(0, 3, k), clipped_index(0, 4, k));
    // Hence the relative part of the logits is the same for a key 5 and a key 40 tokens ahead
    // (the keys themselves are equal, so only position could tell them apart).
    let shaw = Shaw::seeded(k, 3, 1).unwrap();
    let n = 41;
    let q = Array2::from_shape_fn((n, 3), |(i, c)| ((i + c) as f64).sin());
    let keys = Array2::from_elem((n, 3), 0.5);
    let logits = shaw.logits_gather(q.view(), keys.view()).unwrap();
    assert_eq!(logits[[0, 5]], logits[[0, 40]]);
    assert_ne!(logits[[0, 3]], logits[[0, 4]]);
}

/// One T5 head can apply only one bias to keys more than 128 tokens back: they all share the
/// last bucket, which starts at distance 91.
fn check_exercise2(distinct_buckets: fn(Buckets, i64, i64) -> usize) {
    assert_eq!(distinct_buckets(Buckets::T5, 128, 5000), 1);
    assert_eq!(distinct_buckets(Buckets::T5, 91, 5000), 1);
    assert_eq!(distinct_buckets(Buckets::T5, 90, 5000), 2);
    assert_eq!(distinct_buckets(Buckets::T5, 0, 7), 8); // the exact buckets
    assert_eq!(distinct_buckets(Buckets::T5, 0, 5000), 16);
    let causal = Buckets::new(false, 32, 128).unwrap();
    assert_eq!(distinct_buckets(causal, 0, 5000), 32);
    let far: std::collections::BTreeSet<usize> =
        (128..5000).map(|n| bucket(-n, Buckets::T5)).collect();
    assert_eq!(far.len(), 1);
    let bias = T5Bias::seeded(Buckets::T5, 4, 2).unwrap();
    for head in 0..4 {
        assert_eq!(bias.at(head, 1000, 0), bias.at(head, 200, 0));
    }
}

/// The symmetric ALiBi bias −m|i − j| equals the causal one on and below the diagonal, and
/// mirrors it above, so with a causal mask they give the same attention.
fn check_exercise3(causal_weights: fn(ArrayView2<'_, f64>) -> Array2<f64>) {
    let m = slopes(8).unwrap()[4];
    let (causal, symmetric) = (bias(m, 9), bias_symmetric(m, 9));
    let weights = causal_weights(causal.view());
    assert_eq!(weights, causal_weights(symmetric.view()));
    // Each row is a distribution over the keys at or before the query.
    for (i, row) in weights.rows().into_iter().enumerate() {
        assert!((row.sum() - 1.0).abs() < 1e-12, "row {i}");
        assert!(row.iter().skip(i + 1).all(|&w| w == 0.0), "row {i}");
    }
    assert_eq!(weights[[0, 0]], 1.0);
    // The last key is the nearest: it gets the most weight, e^m times the one before it.
    assert!((weights[[8, 8]] / weights[[8, 7]] - m.exp()).abs() < 1e-12);
    // Without the mask they differ: the symmetric form also penalises looking ahead.
    let free = |b: Array2<f64>| attention::softmax_rows(b.view()).unwrap();
    assert_ne!(free(bias(m, 9)), free(bias_symmetric(m, 9)));
}

/// The signature of exercise 4's answer.
type TiledOutputs =
    fn(ArrayView2<'_, f64>, ArrayView2<'_, f64>, ArrayView2<'_, f64>, &[usize]) -> Vec<Array2<f64>>;

/// The tiled form is exact for every tile size, including tiles of one row and tiles larger
/// than the whole sequence.
fn check_exercise4(tiled_outputs: TiledOutputs) {
    let n = 23;
    let mut rng = bookkit::rng::SplitMix64(4);
    let mut draw = || Array2::from_shape_fn((n, 5), |_| rng.next_gaussian());
    let (q, k, v) = (draw(), draw(), draw());
    let reference = tiled_slow(q.view(), k.view(), v.view(), 1, true, None).unwrap();
    let blocks = [1, 2, 7, 23, 64];
    let outputs = tiled_outputs(q.view(), k.view(), v.view(), &blocks);
    assert_eq!(outputs.len(), blocks.len());
    for (out, block) in outputs.iter().zip(blocks) {
        assert!(
            (out - &reference).iter().all(|x| x.abs() < 1e-12),
            "block {block}"
        );
    }
}

#[test]
fn exercise1() {
    check_exercise1(solutions::table_row);
}

#[test]
#[ignore = "your answer: fill in answers::table_row"]
fn exercise1_yours() {
    check_exercise1(answers::table_row);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::distinct_buckets);
}

#[test]
#[ignore = "your answer: fill in answers::distinct_buckets"]
fn exercise2_yours() {
    check_exercise2(answers::distinct_buckets);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::causal_weights);
}

#[test]
#[ignore = "your answer: fill in answers::causal_weights"]
fn exercise3_yours() {
    check_exercise3(answers::causal_weights);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::tiled_outputs);
}

#[test]
#[ignore = "your answer: fill in answers::tiled_outputs"]
fn exercise4_yours() {
    check_exercise4(answers::tiled_outputs);
}
