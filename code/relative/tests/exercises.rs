//! Solutions to the chapter's exercises.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use relative::alibi::{bias, bias_symmetric, slopes};
use relative::shaw::{Shaw, clipped_index};
use relative::t5::{Buckets, T5Bias, bucket};
use relative::tiled::{tiled, tiled_slow};

// ANCHOR: exercise1
/// Exercise 1: with clipping distance k, offsets beyond ±k share a vector, so Shaw's model cannot
/// tell distance k + 1 from distance 1000.
#[test]
fn clipping_merges_far_offsets() {
    let k = 4;
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
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: how many distinct biases can one T5 head apply to keys more than 128 tokens back?
/// One: they all share the last bucket, so beyond max_distance T5 cannot tell distances apart.
#[test]
fn t5_is_flat_beyond_max_distance() {
    let far: std::collections::BTreeSet<usize> =
        (128..5000).map(|n| bucket(-n, Buckets::T5)).collect();
    assert_eq!(far.len(), 1);
    let bias = T5Bias::seeded(Buckets::T5, 4, 2).unwrap();
    for head in 0..4 {
        assert_eq!(bias.at(head, 1000, 0), bias.at(head, 200, 0));
    }
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: the symmetric ALiBi bias −m|i − j| equals the causal one on and below the diagonal,
/// and mirrors it above, so with a causal mask they give the same attention.
#[test]
fn symmetric_and_causal_alibi_agree_under_the_mask() {
    let m = slopes(8).unwrap()[4];
    let weights =
        |b: Array2<f64>| attention::softmax_rows((b + attention::causal_mask(9)).view()).unwrap();
    assert_eq!(weights(bias(m, 9)), weights(bias_symmetric(m, 9)));
    // Without the mask they differ: the symmetric form also penalises looking ahead.
    let free = |b: Array2<f64>| attention::softmax_rows(b.view()).unwrap();
    assert_ne!(free(bias(m, 9)), free(bias_symmetric(m, 9)));
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: the tiled form is exact for every tile size, including tiles of one row and tiles
/// larger than the whole sequence.
#[test]
fn every_tile_size_gives_the_same_answer() {
    let n = 23;
    let mut rng = bookkit::rng::SplitMix64(4);
    let mut draw = || Array2::from_shape_fn((n, 5), |_| rng.next_gaussian());
    let (q, k, v) = (draw(), draw(), draw());
    let reference = tiled_slow(q.view(), k.view(), v.view(), 1, true, None).unwrap();
    for block in [1, 2, 7, 23, 64] {
        let out = tiled(q.view(), k.view(), v.view(), block, true, None).unwrap();
        assert!(
            (&out - &reference).iter().all(|x| x.abs() < 1e-12),
            "block {block}"
        );
    }
}
// ANCHOR_END: exercise4
