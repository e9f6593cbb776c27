//! The chapter's exercises: a stub for each answer, the solution, and the check both are put
//! through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use relative::t5::bucket;
use sinusoidal::Sinusoid;
use std::cmp::Ordering;
use trained::experiment::{Config, Results, spread};
use trained::heads::causal_buckets;
use trained::lm_results::LmResults;
use trained::{RopeScaling, Scheme, Variant};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p trained --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    // Everything the solutions use is in scope here too.
    #[allow(unused_imports)]
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: T5's bias table for one causal head (one entry per bucket of
    /// `causal_buckets()`) that makes every query read the token `delta` back with a logit
    /// margin `c` over every other key.
    pub fn t5_offset_table(delta: usize, c: f64) -> Vec<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: the logit the hand-built sinusoidal head (width `d`, base 10000, margin `c`,
    /// offset `delta`) gives query `i` and key `j`, in closed form, without building any vector.
    pub fn sinusoidal_logit(d: usize, c: f64, delta: usize, i: usize, j: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: before looking at the results, which variant that runs at twice the training
    /// length does worst there? (Learned refuses; it does not count.)
    pub fn fails_first() -> Variant {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: the rule this chapter ranks by. `a` and `b` are two variants' bits per
    /// character, one value per seed: `Some(Less)` when every value of `a` is below every value
    /// of `b`, `Some(Greater)` the other way round, `None` when their ranges overlap.
    pub fn rank(a: &[f64], b: &[f64]) -> Option<Ordering> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

mod solutions {
    use super::*;

    // ANCHOR: exercise1
    /// Exercise 1: only the bucket of offset −Δ gets the margin. Offsets below 16 have buckets of
    /// their own, so for Δ < 16 no other key shares it, at any length.
    pub fn t5_offset_table(delta: usize, c: f64) -> Vec<f64> {
        let cfg = causal_buckets();
        let target = bucket(-(delta as i64), cfg);
        (0..cfg.num_buckets())
            .map(|b| if b == target { c } else { 0.0 })
            .collect()
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: q_i · k_j = c PE(i) · PE(j + Δ) = c Σ_r cos((i − j − Δ) ω_r): chapter 2's dot
    /// product at offset i − j − Δ.
    pub fn sinusoidal_logit(d: usize, c: f64, delta: usize, i: usize, j: usize) -> f64 {
        let offset = i as f64 - j as f64 - delta as f64;
        c * Sinusoid::paper(d).unwrap().dot_at_offset(offset)
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: RoPE with position interpolation. Squeezing 2L positions into L halves every
    /// angle, so the offset-3 head the model learned now fires at offset 6: the one thing the
    /// task needs is moved. The others only meet unseen positions far back, or dilution.
    pub fn fails_first() -> Variant {
        Variant {
            scheme: Scheme::Rope,
            scaling: RopeScaling::Pi,
        }
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    pub fn rank(a: &[f64], b: &[f64]) -> Option<Ordering> {
        let hi = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        if hi(a) < lo(b) {
            Some(Ordering::Less)
        } else if hi(b) < lo(a) {
            Some(Ordering::Greater)
        } else {
            None
        }
    }
    // ANCHOR_END: exercise4
}

fn check_exercise1(f: fn(usize, f64) -> Vec<f64>) {
    for (delta, n) in [(3, 16), (1, 64), (7, 128)] {
        let table = f(delta, 10.0);
        let cfg = causal_buckets();
        assert_eq!(table.len(), cfg.num_buckets());
        let bias = Array2::from_shape_fn((n, n), |(i, j)| table[bucket(j as i64 - i as i64, cfg)]);
        let zero = Array2::<f64>::zeros((n, 1));
        let options = attention::Options {
            bias: Some(bias.view()),
            causal: true,
            scale: Some(1.0),
        };
        let w = attention::scaled_dot_product(zero.view(), zero.view(), zero.view(), &options)
            .unwrap()
            .weights;
        for i in delta..n {
            // Margin 10 over i other keys, exactly e^10/(e^10 + i): within 1e-12 of it.
            let want = 10f64.exp() / (10f64.exp() + i as f64);
            assert!(
                (w[[i, i - delta]] - want).abs() < 1e-12,
                "Δ = {delta}, i = {i}"
            );
        }
    }
}

fn check_exercise2(f: fn(usize, f64, usize, usize, usize) -> f64) {
    use trained::heads::{HeadSpec, offset_head};
    let spec = HeadSpec::CHAPTER;
    let n = 40;
    let w = offset_head(Scheme::Sinusoidal, &spec, n).unwrap();
    for i in [5usize, 20, 39] {
        // Softmax of the closed-form logits over keys 0..=i equals the head's weights (1e-12).
        let logits: Vec<f64> = (0..=i)
            .map(|j| f(spec.d, spec.sharpness, spec.delta, i, j))
            .collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = logits.iter().map(|l| (l - max).exp()).sum();
        for j in 0..=i {
            assert!(
                ((logits[j] - max).exp() / z - w[[i, j]]).abs() < 1e-12,
                "{i} {j}"
            );
        }
        assert!(
            (f(spec.d, spec.sharpness, spec.delta, i, i - 3) - spec.sharpness * 8.0).abs() < 1e-12
        );
    }
}

fn check_exercise3(f: fn() -> Variant) {
    let results = Results::from_csv(trained::figures::RESULTS).unwrap();
    let n = 2 * Config::full().dims.train_len;
    let worst = Variant::ALL
        .into_iter()
        .filter_map(|v| spread(&results, v, n, |s| s.accuracy).map(|(m, _, _)| (v, m)))
        .fold(
            (Variant::plain(Scheme::NoPe), f64::INFINITY),
            |b, (v, m)| if m < b.1 { (v, m) } else { b },
        );
    assert_eq!(
        f(),
        worst.0,
        "the committed results say {} (accuracy {:.2})",
        worst.0.name(),
        worst.1
    );
}

fn check_exercise4(f: fn(&[f64], &[f64]) -> Option<Ordering>) {
    // Ranges that touch overlap: nothing is ranked.
    assert_eq!(f(&[1.0, 2.0], &[2.0, 3.0]), None);
    assert_eq!(f(&[1.0, 1.5], &[1.6, 3.0]), Some(Ordering::Less));
    assert_eq!(f(&[3.0, 2.9], &[1.0, 2.0]), Some(Ordering::Greater));
    // On the committed results, at 2L: ALiBi below plain RoPE, NTK-aware and YaRN not ranked,
    // PI above sinusoidal.
    let r = LmResults::committed().unwrap();
    let at = |name: &str| r.values(name, 128).unwrap();
    assert_eq!(f(at("ALiBi"), at("RoPE")), Some(Ordering::Less));
    assert_eq!(f(at("RoPE + NTK"), at("RoPE + YaRN")), None);
    assert_eq!(
        f(at("RoPE + PI"), at("sinusoidal")),
        Some(Ordering::Greater)
    );
}

#[test]
fn exercise1() {
    check_exercise1(solutions::t5_offset_table);
}

#[test]
#[ignore = "your answer: remove the todo!() in answers::t5_offset_table"]
fn exercise1_yours() {
    check_exercise1(answers::t5_offset_table);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::sinusoidal_logit);
}

#[test]
#[ignore = "your answer: remove the todo!() in answers::sinusoidal_logit"]
fn exercise2_yours() {
    check_exercise2(answers::sinusoidal_logit);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::fails_first);
}

#[test]
#[ignore = "your answer: remove the todo!() in answers::fails_first"]
fn exercise3_yours() {
    check_exercise3(answers::fails_first);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::rank);
}

#[test]
#[ignore = "your answer: remove the todo!() in answers::rank"]
fn exercise4_yours() {
    check_exercise4(answers::rank);
}
