//! RoPE in a model: cached decoding equals recomputation, tiled attention composes unchanged,
//! and RoPE passes the relative chapter's translation test.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use attention::scheme::{PositionScheme, translation_gap};
use ndarray::Array2;
use proptest::prelude::*;
use relative::invariance::all_schemes;
use rope::model::{KvCache, RopeScheme, attend};
use rope::{BASE, Layout, Rope};

fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(-2.0..2.0f64, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
}

// ANCHOR: cache_test
proptest! {
    /// Decoding token by token with a KV cache gives exactly the rows of full causal attention
    /// (up to the order of floating-point sums).
    #[test]
    fn cached_decoding_equals_recomputation(
        (q, k, v) in (1usize..12).prop_flat_map(|n| (matrix(n, 8), matrix(n, 8), matrix(n, 8))),
        split in any::<bool>(),
    ) {
        let layout = if split { Layout::HalfSplit } else { Layout::Interleaved };
        let rope = Rope::new(8, BASE, layout).unwrap();
        let full = attend(&rope, q.view(), k.view(), v.view()).unwrap();
        let mut cache = KvCache::new(rope);
        for t in 0..q.nrows() {
            let out = cache.step(q.row(t), k.row(t), v.row(t)).unwrap();
            prop_assert!((&out - &full.row(t)).iter().all(|x| x.abs() < 1e-12));
        }
        prop_assert_eq!(cache.len(), q.nrows());
    }
}
// ANCHOR_END: cache_test

proptest! {
    /// Rotate q and k, then any attention kernel: the tiled one gives the same answer as the
    /// naive one, with no change to either.
    #[test]
    fn rope_composes_with_tiled_attention(
        (q, k, v) in (1usize..30).prop_flat_map(|n| (matrix(n, 8), matrix(n, 8), matrix(n, 8))),
        block in 1usize..9,
    ) {
        let rope = Rope::new(8, BASE, Layout::HalfSplit).unwrap();
        let positions: Vec<usize> = (0..q.nrows()).collect();
        let rq = rope.rotate_rows(q.view(), &positions).unwrap();
        let rk = rope.rotate_rows(k.view(), &positions).unwrap();
        let tiled = relative::tiled::tiled(rq.view(), rk.view(), v.view(), block, true, None).unwrap();
        let reference = attend(&rope, q.view(), k.view(), v.view()).unwrap();
        prop_assert!((&tiled - &reference).iter().all(|x| x.abs() < 1e-12));
    }

    /// RoPE joins the translation test: like the relative schemes, a shift changes no logit
    /// beyond rounding (the angles themselves change, so the numbers are not bit-identical),
    /// while the absolute schemes move.
    #[test]
    fn rope_is_translation_invariant(
        x in matrix(5, 8), start in 0usize..500, c in 1usize..500, seed in any::<u64>(),
    ) {
        let positions: Vec<usize> = (start..start + 5).collect();
        let schemes = all_schemes(8, seed).unwrap();
        let head = attention::Head::new(
            Array2::eye(8), Array2::from_shape_fn((8, 8), |(i, j)| ((i * 3 + j) % 5) as f64 / 5.0),
            Array2::eye(8),
        ).unwrap();
        let rope = RopeScheme { head, rope: Rope::new(8, BASE, Layout::Interleaved).unwrap() };
        let gap = translation_gap(&rope, x.view(), &positions, c).unwrap();
        // Angles up to ~1000 rad: rounding of ~1e-13 per angle, logits of size ≲ 20.
        prop_assert!(gap < 1e-10, "{}", gap);
        for scheme in schemes.iter().filter(|s| s.name().contains("absolute")) {
            prop_assert!(translation_gap(scheme.as_ref(), x.view(), &positions, c).unwrap() > 1e-9);
        }
        prop_assert_eq!(rope.name(), "RoPE (relative)");
    }
}

#[test]
fn values_are_never_rotated() {
    // attend() must equal attention over rotated q and k with the *unrotated* v, at every row
    // (rows past 0 would differ if v were rotated too).
    let rope = Rope::new(4, BASE, Layout::HalfSplit).unwrap();
    let q = Array2::from_shape_fn((5, 4), |(i, j)| ((i * 4 + j) as f64).sin());
    let v = Array2::from_shape_fn((5, 4), |(i, j)| (i * 4 + j) as f64);
    let out = attend(&rope, q.view(), q.view(), v.view()).unwrap();
    let positions: Vec<usize> = (0..5).collect();
    let rq = rope.rotate_rows(q.view(), &positions).unwrap();
    let causal = attention::Options {
        causal: true,
        ..attention::Options::default()
    };
    let plain = attention::scaled_dot_product(rq.view(), rq.view(), v.view(), &causal).unwrap();
    assert_eq!(out, plain.output);
    let rv = rope.rotate_rows(v.view(), &positions).unwrap();
    let wrong = attention::scaled_dot_product(rq.view(), rq.view(), rv.view(), &causal).unwrap();
    assert!((&out - &wrong.output).iter().any(|d| d.abs() > 1e-3));
}

#[test]
fn cache_refuses_bad_widths() {
    let rope = Rope::new(4, BASE, Layout::HalfSplit).unwrap();
    let mut cache = KvCache::new(rope);
    let x = ndarray::Array1::<f64>::ones(4);
    assert!(cache.is_empty());
    cache.step(x.view(), x.view(), x.view()).unwrap();
    let narrow = ndarray::Array1::<f64>::ones(3);
    assert!(cache.step(x.view(), x.view(), narrow.view()).is_err());
    assert!(cache.step(narrow.view(), x.view(), x.view()).is_err());
    // A refused step leaves the cache as it was, also when the logits overflow in the softmax.
    assert_eq!(cache.len(), 1);
    let huge = ndarray::Array1::<f64>::from_elem(4, 1e200);
    assert!(cache.step(huge.view(), huge.view(), x.view()).is_err());
    assert_eq!(cache.len(), 1);
    // And the cache still works afterwards.
    cache.step(x.view(), x.view(), x.view()).unwrap();
    assert_eq!(cache.len(), 2);
}
