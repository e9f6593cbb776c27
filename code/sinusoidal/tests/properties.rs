//! The chapter's claims as property tests over random positions, offsets and widths.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use proptest::prelude::*;
use sinusoidal::report::concat_frequencies_interleaved;
use sinusoidal::{BASE, Layout, Schedule, Sinusoid, concat_from_interleaved, sin_only};

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![Just(Layout::Interleaved), Just(Layout::Concatenated)]
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![Just(Schedule::Paper), Just(Schedule::Tensor2Tensor)]
}

fn max_abs(a: &ndarray::Array1<f64>, b: &ndarray::Array1<f64>) -> f64 {
    (a - b).iter().fold(0.0, |m, v| m.max(v.abs()))
}

// ANCHOR: shift_property
proptest! {
    /// PE(p + k) = M_k PE(p), with M_k built from k alone. The tolerance: angles up to ~2·10^5
    /// carry a rounding error of ~2·10^5 · 2^-53 ≈ 3·10^-11 each, in both the direct encoding and
    /// the rotated one.
    #[test]
    fn shifting_is_a_fixed_rotation(
        half in 1usize..64, p in 0usize..100_000, k in 0usize..100_000, layout in layout(),
        schedule in schedule(),
    ) {
        let enc = Sinusoid::new(2 * half, BASE, layout, schedule).unwrap();
        let moved = enc.shift_matrix(k as i64).dot(&enc.encode(p));
        prop_assert!(max_abs(&moved, &enc.encode(p + k)) < 1e-9);
    }
}
// ANCHOR_END: shift_property

proptest! {
    /// M_j M_k = M_{j+k}, M_k is orthogonal, and M_{-k} is its inverse (and its transpose).
    #[test]
    fn shift_matrices_compose(half in 1usize..32, j in -500i64..500, k in -500i64..500) {
        let enc = Sinusoid::paper(2 * half).unwrap();
        let (mj, mk) = (enc.shift_matrix(j), enc.shift_matrix(k));
        let d = &mj.dot(&mk) - &enc.shift_matrix(j + k);
        prop_assert!(d.iter().all(|v| v.abs() < 1e-12));
        let eye = Array2::<f64>::eye(2 * half);
        prop_assert!((&mk.t().dot(&mk) - &eye).iter().all(|v| v.abs() < 1e-12));
        prop_assert!((&enc.shift_matrix(-k) - &mk.t()).iter().all(|v| v.abs() < 1e-15));
    }

    /// PE(p)·PE(p + k) = Σ cos(k ω_i) for every p: it depends on the offset only, and is the same
    /// for -k.
    #[test]
    fn dot_product_depends_only_on_the_offset(
        half in 1usize..256, p in 0usize..50_000, k in 0usize..50_000, base in 2.0..1e6f64,
    ) {
        let enc = Sinusoid::new(2 * half, base, Layout::Interleaved, Schedule::Paper).unwrap();
        let direct = enc.encode(p).dot(&enc.encode(p + k));
        // Each of the d/2 terms carries ~1e-11 of angle rounding; the sum stays below 1e-8.
        prop_assert!((direct - enc.dot_at_offset(k as f64)).abs() < 1e-8);
        prop_assert!((enc.dot_at_offset(k as f64) - enc.dot_at_offset(-(k as f64))).abs() < 1e-12);
        // The norm is the same at every position: sin² + cos² = 1 for each pair.
        prop_assert!((enc.encode(p).dot(&enc.encode(p)) - half as f64).abs() < 1e-9);
    }

    /// The layouts are a fixed permutation apart *when built with the same frequencies*.
    #[test]
    fn layouts_are_a_permutation_plus_a_frequency_change(half in 1usize..64, p in 0usize..10_000) {
        let d = 2 * half;
        let concat = Sinusoid::tensor2tensor(d).unwrap().encode(p);
        let same = concat_frequencies_interleaved(d, p).unwrap();
        let perm = concat_from_interleaved(d).unwrap();
        for j in 0..d {
            prop_assert_eq!(concat[j], same[perm[j]]);
        }
    }

    /// …and they are not the same function: for d ≥ 4 the frequencies differ (for d = 2 both
    /// layouts have the single frequency 1 and coincide).
    #[test]
    fn the_layouts_differ_for_d_at_least_4(half in 2usize..64, p in 1usize..10_000) {
        let d = 2 * half;
        let paper = Sinusoid::paper(d).unwrap();
        let concat = Sinusoid::tensor2tensor(d).unwrap();
        let w_paper = paper.frequencies();
        let w_concat = concat.frequencies();
        prop_assert_eq!(w_paper[0], w_concat[0]);
        prop_assert!((w_paper[half - 1] - w_concat[half - 1]).abs() > 1e-6 * w_concat[half - 1]);
        let perm = concat_from_interleaved(d).unwrap();
        let permuted: ndarray::Array1<f64> = perm.iter().map(|&k| paper.encode(p)[k]).collect();
        prop_assert!(max_abs(&permuted, &concat.encode(p)) > 1e-9);
    }
}

proptest! {
    /// The four combinations. Same schedule, other layout: the fixed permutation
    /// `concat_from_interleaved`, exactly (the same sin/cos of the same angles, moved).
    #[test]
    fn same_schedule_other_layout_is_a_permutation(
        half in 1usize..64, p in 0usize..10_000, schedule in schedule(), base in 2.0..1e6f64,
    ) {
        let d = 2 * half;
        let a = Sinusoid::new(d, base, Layout::Interleaved, schedule).unwrap().encode(p);
        let b = Sinusoid::new(d, base, Layout::Concatenated, schedule).unwrap().encode(p);
        let perm = concat_from_interleaved(d).unwrap();
        for j in 0..d {
            prop_assert_eq!(b[j], a[perm[j]]);
        }
    }

    /// Same layout, other schedule: the layout keeps the slots, the frequencies move. The ratio
    /// of the frequencies is b^(−2i/(d(d/2 − 1))): 1 at i = 0 (so pair 0 is identical at every
    /// position), falling monotonically to b^(−2/d) at the last pair. Tolerance: two `powf`
    /// calls and a division, a few ulps relative.
    #[test]
    fn same_layout_other_schedule_changes_only_frequencies(
        half in 2usize..256, p in 0usize..10_000, layout in layout(), base in 2.0..1e6f64,
    ) {
        let d = 2 * half;
        let a = Sinusoid::new(d, base, layout, Schedule::Paper).unwrap();
        let b = Sinusoid::new(d, base, layout, Schedule::Tensor2Tensor).unwrap();
        let (wa, wb) = (a.frequencies(), b.frequencies());
        let mut last = f64::INFINITY;
        for i in 0..half {
            let ratio = wb[i] / wa[i];
            let want = sinusoidal::schedule::ratio(d, base, i).unwrap();
            prop_assert!((ratio - want).abs() <= 1e-13 * want, "i {} {} {}", i, ratio, want);
            prop_assert!(ratio <= last);
            last = ratio;
        }
        prop_assert_eq!(wa[0], wb[0]);
        prop_assert!((wb[half - 1] * base - 1.0).abs() < 1e-12);
        let end = base.powf(-1.0 / half as f64);
        prop_assert!((wb[half - 1] / wa[half - 1] - end).abs() < 1e-12);
        // The slots are the layout's: pair 0 sits in the same entries with the same values.
        let (ea, eb) = (a.encode(p), b.encode(p));
        for (s, c, _) in a.pairs().into_iter().take(1) {
            prop_assert_eq!((ea[s], ea[c]), (eb[s], eb[c]));
        }
        prop_assert_eq!(a.pairs().iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
                        b.pairs().iter().map(|x| (x.0, x.1)).collect::<Vec<_>>());
    }

    /// The dot product by offset depends on the schedule only, never on the layout.
    #[test]
    fn the_dot_product_ignores_the_layout(
        half in 1usize..128, k in 0usize..5_000, schedule in schedule(),
    ) {
        let d = 2 * half;
        let a = Sinusoid::new(d, BASE, Layout::Interleaved, schedule).unwrap();
        let b = Sinusoid::new(d, BASE, Layout::Concatenated, schedule).unwrap();
        prop_assert_eq!(a.dot_at_offset(k as f64), b.dot_at_offset(k as f64));
        // Direct dot products sum the same products in another order: ~d/2 ulps apart.
        let (da, db) = (a.encode(17).dot(&a.encode(17 + k)), b.encode(17).dot(&b.encode(17 + k)));
        prop_assert!((da - db).abs() < 1e-10);
    }
}

#[test]
fn sine_alone_has_no_shift_matrix() {
    // The direct argument: the sine-only encoding of position 0 is the zero vector, and every
    // linear map sends zero to zero, but the encoding of position k is not zero.
    let enc = Sinusoid::paper(8).unwrap();
    assert!(sin_only(&enc, 0).iter().all(|&v| v == 0.0));
    assert!(sin_only(&enc, 3).iter().any(|&v| v.abs() > 0.1));
    // And away from 0 the best linear map is still far off: its RMS error is a large part of
    // the size of what it predicts, while with cosines the fit is exact up to rounding.
    let (both, sin, target) = sinusoidal::report::sin_only_numbers(8, 1, 200).unwrap();
    assert!(both < 1e-12, "{both}");
    assert!(sin > 0.3 * target, "{sin} vs {target}");
}

#[test]
fn d_equal_2_layouts_coincide() {
    let a = Sinusoid::paper(2).unwrap();
    let b = Sinusoid::tensor2tensor(2).unwrap();
    for p in 0..100 {
        assert_eq!(a.encode(p), b.encode(p));
    }
}

/// Chapter 1 previews the encoding (`order::fixed_encoding`, written before this chapter's crate
/// exists, so it computes `ω_i` itself); it must be the very same function as the paper layout
/// here, built on the very same frequencies, bit for bit.
#[test]
fn chapter_one_preview_is_the_same_encoding() {
    for d in [2, 4, 8, 64] {
        let enc = Sinusoid::paper(d).unwrap();
        let w = sinusoidal::frequencies(d, BASE).unwrap();
        assert_eq!(enc.frequencies(), w, "d {d}");
        for p in [0, 1, 7, 1000, 123_456] {
            let preview = order::fixed_encoding(p, d).unwrap();
            assert_eq!(preview, enc.encode(p), "d {d}, p {p}");
            // Entry by entry against the one place the frequencies are computed.
            for (i, &w_i) in w.iter().enumerate() {
                let angle = p as f64 * w_i;
                assert_eq!(preview[2 * i], angle.sin(), "d {d}, p {p}, i {i}");
                assert_eq!(preview[2 * i + 1], angle.cos(), "d {d}, p {p}, i {i}");
            }
        }
    }
}

/// The schedules table prints only pairs that exist (0 to d/2 − 1) and finds the largest gap.
#[test]
fn schedules_table_skips_pairs_past_the_end() {
    let t = sinusoidal::report::schedules(8, BASE, &[0, 3, 4, 99]).unwrap();
    let rows: Vec<&str> = t.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 3, "{t}"); // the header and pairs 0 and 3
    assert!(rows[2].starts_with("| 3 |"), "{t}");
    // d = 8: the gaps ω_i(paper) − ω_i(t2t) are 0, 0.1 − 10^(-4/3), 0.01 − 10^(-8/3),
    // 0.001 − 0.0001; the largest is at pair 1.
    assert!(t.contains("at pair 1;"), "{t}");
}
