//! Invariants, for random inputs: NoPE's counter always counts, the T5 head's weight is its
//! closed form at every length, and every model is causal (a token never changes an earlier
//! prediction).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use proptest::prelude::*;
use trained::heads::{HeadSpec, offset_head, t5_weight};
use trained::model::{Dims, Model, Positions};
use trained::nope::{counter, decode};
use trained::train::copy_task;
use trained::{Scheme, Variant};

const DIMS: Dims = Dims {
    vocab: 6,
    d_model: 8,
    heads: 2,
    layers: 2,
    train_len: 12,
    rope_base: 10_000.0,
};

proptest! {
    #[test]
    fn the_counter_recovers_every_position(rest in proptest::collection::vec(1usize..50, 0..600)) {
        let mut tokens = vec![0];
        tokens.extend(rest);
        let out = counter(&tokens, 0).unwrap();
        for (t, &c) in out.iter().enumerate() {
            prop_assert_eq!(decode(c).unwrap(), t);
        }
    }

    #[test]
    fn the_t5_head_weight_is_its_closed_form(delta in 1usize..16, c in 2.0f64..20.0, n in 16usize..200) {
        let spec = HeadSpec { delta, sharpness: c, ..HeadSpec::CHAPTER };
        let w = offset_head(Scheme::T5, &spec, n).unwrap();
        for i in delta..n {
            // exp(c) up to e^20 against sums of up to 200 terms: 1e-12 relative.
            prop_assert!((w[[i, i - delta]] - t5_weight(c, i)).abs() < 1e-12);
        }
    }

}

proptest! {
    // 64 cases: each builds and runs a model twice; a model that looks ahead fails on almost any
    // input, so more cases add time, not power.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn models_are_causal(scheme in 0usize..6, seed in 0u64..1000, p in 1usize..12) {
        let scheme = Scheme::ALL[scheme];
        let model = Model::new(scheme, DIMS, seed).unwrap();
        let positions = Positions::new(Variant::plain(scheme), &DIMS, 12).unwrap();
        let (tokens, _) = copy_task(12, DIMS.vocab, 2, seed);
        let mut changed = tokens.clone();
        changed[p] = 1 + tokens[p] % (DIMS.vocab - 1);
        let a = model.forward(&tokens, &positions).unwrap().logits;
        let b = model.forward(&changed, &positions).unwrap().logits;
        for t in 0..p {
            for v in 0..DIMS.vocab {
                prop_assert_eq!(a[[t, v]], b[[t, v]]);
            }
        }
        prop_assert!((0..DIMS.vocab).any(|v| a[[p, v]] != b[[p, v]]));
    }
}
