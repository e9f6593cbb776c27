//! The chapter's exercises: a stub for each answer, the solution, and the check both are put
//! through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use runtime::cache::Positions;
use runtime::{Cache, Remap, SelfExtend};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p runtime --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    // Everything the solutions use is in scope here too.
    #[allow(unused_imports)]
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: the text positions a cache of `sinks` first tokens and a `window` of recent
    /// ones (the newest included) holds once `len` tokens have been seen, in cache order.
    pub fn kept(sinks: usize, window: usize, len: usize) -> Vec<usize> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: Self-Extend's relative position for query `i` and key `j ≤ i`, group size
    /// `g` and neighbour window `w`, as its code computes it.
    pub fn self_extend(i: usize, j: usize, g: usize, w: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the CoPE positions of keys `0 ..= i` seen from query `i`, given the query's
    /// gates on those keys (`gates[j]` for key `j`), with no clamp.
    pub fn cope_positions(gates: &[f64]) -> Vec<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub
}

mod solutions {
    // ANCHOR: exercise1
    /// Exercise 1: everything while it fits; then the sinks and the last `window` tokens.
    pub fn kept(sinks: usize, window: usize, len: usize) -> Vec<usize> {
        if len <= sinks + window {
            return (0..len).collect();
        }
        (0..sinks).chain(len - window..len).collect()
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: neighbours keep `i − j`; beyond the window, the grouped query position
    /// `⌊i/g⌋ + w − w/g` minus the grouped key position `⌊j/g⌋`.
    pub fn self_extend(i: usize, j: usize, g: usize, w: usize) -> f64 {
        if i - j < w {
            return (i - j) as f64;
        }
        (i / g) as f64 + w as f64 - w as f64 / g as f64 - (j / g) as f64
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: a running sum of the gates from the query back to each key.
    pub fn cope_positions(gates: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; gates.len()];
        let mut sum = 0.0;
        for j in (0..gates.len()).rev() {
            sum += gates[j];
            out[j] = sum;
        }
        out
    }
    // ANCHOR_END: exercise3
}

fn check_exercise1(f: fn(usize, usize, usize) -> Vec<usize>) {
    assert_eq!(f(2, 3, 4), [0, 1, 2, 3]);
    assert_eq!(f(2, 3, 9), [0, 1, 6, 7, 8]);
    assert_eq!(f(0, 1, 5), [4]);
    for (s, w) in [(0, 4), (1, 1), (4, 8)] {
        let cache = Cache::new(s, w, Positions::InCache).unwrap();
        for len in 0..30 {
            assert_eq!(
                f(s, w, len),
                cache.kept(len),
                "sinks {s}, window {w}, {len} tokens"
            );
        }
    }
}

fn check_exercise2(f: fn(usize, usize, usize, usize) -> f64) {
    assert_eq!(f(20, 0, 4, 8), 11.0);
    assert_eq!(f(9, 2, 3, 5), 3.0 + 5.0 - 5.0 / 3.0 - 0.0); // a fractional shift: 5/3
    for (g, w) in [(4, 4), (3, 5), (8, 16), (1, 1)] {
        let s = SelfExtend::new(g, w).unwrap();
        for i in 0..40 {
            for j in 0..=i {
                assert_eq!(
                    Some(f(i, j, g, w)),
                    s.relative(i, j),
                    "G {g}, w {w}, ({i}, {j})"
                );
            }
        }
    }
}

fn check_exercise3(f: fn(&[f64]) -> Vec<f64>) {
    assert_eq!(f(&[1.0, 0.0, 1.0, 1.0]), [3.0, 2.0, 2.0, 1.0]);
    let gates = [0.25, 0.5, 0.125, 1.0, 0.0];
    // The same positions as the crate's, from logits whose sigmoids are those gates (a gate of 0
    // is a logit of −∞, which the crate refuses; −40 gives 4e-18, below any gate here).
    let logits: Vec<f64> = gates
        .iter()
        .map(|&g: &f64| {
            if g == 0.0 {
                -40.0
            } else if g == 1.0 {
                40.0
            } else {
                (g / (1.0 - g)).ln()
            }
        })
        .collect();
    let n = gates.len();
    let z = ndarray::Array2::from_shape_fn((n, n), |(_, k)| logits[k]);
    let p = runtime::cope::positions(z.view(), 100).unwrap();
    for (j, got) in f(&gates).iter().enumerate() {
        // Sigmoids of ±40 and of logits: sums of 5 terms of size ≤ 1, rounding at 1e-15.
        assert!(
            (got - p[[n - 1, j]]).abs() < 1e-12,
            "key {j}: {got} vs {}",
            p[[n - 1, j]]
        );
    }
}

#[test]
fn exercise1() {
    check_exercise1(solutions::kept);
}

#[test]
#[ignore = "your answer: cargo test -p runtime --test exercises -- --ignored exercise1_yours"]
fn exercise1_yours() {
    check_exercise1(answers::kept);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::self_extend);
}

#[test]
#[ignore = "your answer: cargo test -p runtime --test exercises -- --ignored exercise2_yours"]
fn exercise2_yours() {
    check_exercise2(answers::self_extend);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::cope_positions);
}

#[test]
#[ignore = "your answer: cargo test -p runtime --test exercises -- --ignored exercise3_yours"]
fn exercise3_yours() {
    check_exercise3(answers::cope_positions);
}
