//! The translation-invariance test, run over every scheme with random tokens, positions and
//! shifts: relative schemes leave every logit unchanged, absolute ones do not.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use proptest::prelude::*;
use relative::invariance::{all_schemes, translation_gap};

fn tokens(n: usize, d: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(-2.0..2.0f64, n * d)
        .prop_map(move |v| Array2::from_shape_vec((n, d), v).expect("sized"))
}

// ANCHOR: property
proptest! {
    #[test]
    fn relative_schemes_ignore_shifts_and_absolute_ones_do_not(
        x in (2usize..7).prop_flat_map(|n| tokens(n, 8)),
        start in 0usize..200, gaps in proptest::collection::vec(1usize..20, 6),
        c in 1usize..300, seed in any::<u64>(),
    ) {
        // Increasing positions with random gaps, as in a real sequence with some tokens dropped.
        let positions: Vec<usize> = (0..x.nrows())
            .scan(start, |p, i| { let here = *p; *p += gaps[i]; Some(here) })
            .collect();
        for scheme in all_schemes(8, seed).unwrap() {
            let gap = translation_gap(scheme.as_ref(), x.view(), &positions, c).unwrap();
            if scheme.name().contains("(relative)") {
                // The same offsets give the very same numbers: nothing to round differently.
                prop_assert_eq!(gap, 0.0, "{}", scheme.name());
            } else {
                // In thousands of draws the smallest gap seen was ~0.1: 1e-9 only rules out
                // "did not move at all".
                prop_assert!(gap > 1e-9, "{} barely moved: {}", scheme.name(), gap);
            }
        }
    }
}
// ANCHOR_END: property
