//! The hand-written backward pass against finite differences, for every parameter of every
//! scheme: token embeddings, the learned table, each layer's projections and T5 bias table, the
//! unembedding; RoPE also through YaRN's scaled rotation at twice the training length.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use trained::model::{Dims, Model, Positions};
use trained::train::{copy_task, loss, loss_and_grad};
use trained::{RopeScaling, Scheme, Variant};

const DIMS: Dims = Dims {
    vocab: 5,
    d_model: 8,
    heads: 2,
    layers: 2,
    train_len: 6,
    rope_base: 100.0,
};

fn check(variant: Variant, n: usize) {
    let mut model = Model::new(variant.scheme, DIMS, 11).unwrap();
    // Start T5's table away from zero, so the buckets the sequence reaches (offsets below n) have
    // a gradient through a non-trivial softmax; the others must get exactly 0, which is checked too.
    let mut rng = bookkit::rng::SplitMix64(12);
    for l in &mut model.layers {
        l.t5.mapv_inplace(|_| 0.5 * rng.next_gaussian());
    }
    let positions = Positions::new(variant, &DIMS, n).unwrap();
    let seqs: Vec<_> = (0..3)
        .map(|s| copy_task(n, DIMS.vocab, 2, 100 + s))
        .collect();
    let (value, grad) = loss_and_grad(&model, &seqs, &positions).unwrap();
    assert!((value - loss(&model, &seqs, &positions).unwrap()).abs() < 1e-12);
    let h = 1e-5;
    let count = model.tensors().len();
    let mut checked = 0;
    for which in 0..count {
        let len = model.tensors()[which].len();
        for e in 0..len {
            let mut plus = model.clone();
            plus.tensors_mut()[which].as_slice_mut().unwrap()[e] += h;
            let mut minus = model.clone();
            minus.tensors_mut()[which].as_slice_mut().unwrap()[e] -= h;
            let numeric = (loss(&plus, &seqs, &positions).unwrap()
                - loss(&minus, &seqs, &positions).unwrap())
                / (2.0 * h);
            let analytic = grad.tensors()[which].as_slice().unwrap()[e];
            // Central differences: truncation error h²·f'''/6 ≈ 1e-10 for third derivatives of
            // order 1, rounding 1e-16/h ≈ 1e-11; 1e-7 absolute plus 1e-6 relative is ample and
            // still fails on any wrong term (those are of order 1e-3 and up).
            assert!(
                (numeric - analytic).abs() < 1e-7 + 1e-6 * numeric.abs(),
                "{} tensor {which} entry {e}: numeric {numeric}, analytic {analytic}",
                variant.name()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, model.parameter_count());
    // The scheme's own parameters have a gradient that is not zero.
    match variant.scheme {
        Scheme::Learned => assert!(grad.pos.iter().any(|g| g.abs() > 1e-6)),
        Scheme::T5 => assert!(
            grad.layers
                .iter()
                .all(|l| l.t5.iter().any(|g| g.abs() > 1e-6))
        ),
        _ => {}
    }
}

#[test]
fn every_gradient_matches_finite_differences() {
    for scheme in Scheme::ALL {
        check(Variant::plain(scheme), DIMS.train_len);
    }
}

#[test]
fn t5_gradients_reach_the_logarithmic_buckets() {
    // At n = 40 offsets 16 to 39 fall in the shared logarithmic buckets 16 to 19.
    check(Variant::plain(Scheme::T5), 40);
}

#[test]
fn rope_gradients_hold_under_test_time_scaling() {
    for scaling in [RopeScaling::Pi, RopeScaling::Yarn] {
        check(
            Variant {
                scheme: Scheme::Rope,
                scaling,
            },
            2 * DIMS.train_len,
        );
    }
}
