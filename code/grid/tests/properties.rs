//! The chapter's invariants, over random inputs.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use grid::mrope::{Mrope, Sections};
use grid::positions::{Kind, Model, Release, Segment, Setup, position_ids};
use grid::{Align, Axial, Grid, Mixed, resample, resample_slow};
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use rope::{Layout, Rope};

fn vector(d: usize, lo: f64, hi: f64) -> impl Strategy<Value = Array1<f64>> {
    proptest::collection::vec(lo..hi, d).prop_map(Array1::from)
}

/// An axial RoPE of width 4 … 64 with a base from 2 to 10^4, and a query and key.
fn axial() -> impl Strategy<Value = (Axial, Array1<f64>, Array1<f64>)> {
    (1usize..17, 2.0..1e4f64).prop_flat_map(|(quarter, base)| {
        let a = Axial::new(4 * quarter, base).unwrap();
        (
            Just(a),
            vector(4 * quarter, -2.0, 2.0),
            vector(4 * quarter, -2.0, 2.0),
        )
    })
}

fn cell() -> impl Strategy<Value = (f64, f64)> {
    (0u32..2000, 0u32..2000).prop_map(|(r, c)| (r as f64, c as f64))
}

// ANCHOR: properties
proptest! {
    /// Axial RoPE: moving both cells by the same (a, b) keeps every score. Angles reach ~4000
    /// radians, each rounded to ~4000 · 2^-53 ≈ 4.4e-13, times |q||k| ≤ 4 · 64 = 256 summed over
    /// at most 32 pairs: 1e-9 leaves room.
    #[test]
    fn axial_scores_depend_only_on_the_offset(
        (a, q, k) in axial(), m in cell(), n in cell(), shift in cell(),
    ) {
        let moved = |p: (f64, f64)| (p.0 + shift.0, p.1 + shift.1);
        let before = a.score(q.view(), k.view(), m, n).unwrap();
        let after = a.score(q.view(), k.view(), moved(m), moved(n)).unwrap();
        prop_assert!((before - after).abs() < 1e-9, "{before} vs {after}");
    }

    /// The two forms of axial RoPE are the same arithmetic in the same order: equal to the bit.
    #[test]
    fn axial_forms_agree((a, q, _k) in axial(), m in cell()) {
        prop_assert_eq!(a.rotate(q.view(), m).unwrap(), a.rotate_slow(q.view(), m).unwrap());
    }

    /// Mixing the axes inside a pair breaks the offset rule: among a few moves of both cells,
    /// one changes the score by far more than rounding. Entries are kept in [0.5, 2] so that no
    /// pair is silent.
    #[test]
    fn mixing_axes_inside_a_pair_breaks_it(
        quarter in 1usize..9, q in vector(32, 0.5, 2.0), k in vector(32, 0.5, 2.0),
        m in cell(), n in cell(),
    ) {
        let d = 4 * quarter;
        let a = Axial::new(d, 100.0).unwrap();
        let (q, k) = (q.slice(ndarray::s![..d]), k.slice(ndarray::s![..d]));
        let score = |m: (f64, f64), n: (f64, f64)| {
            a.rotate_axes_mixed_in_pairs(q, m).unwrap().dot(&a.rotate_axes_mixed_in_pairs(k, n).unwrap())
        };
        let base = score(m, n);
        let largest = [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (2.0, 3.0)]
            .iter()
            .map(|s| (score((m.0 + s.0, m.1 + s.1), (n.0 + s.0, n.1 + s.1)) - base).abs())
            .fold(0.0, f64::max);
        prop_assert!(largest > 1e-3, "every move kept the score: {largest}");
    }

    /// RoPE-Mixed with any directions is still relative: one angle per pair, linear in the cell.
    #[test]
    fn mixed_scores_depend_only_on_the_offset(
        freqs in proptest::collection::vec((-1.0..1.0f64, -1.0..1.0f64), 1..12),
        q in vector(24, -2.0, 2.0), k in vector(24, -2.0, 2.0),
        m in cell(), n in cell(), shift in cell(),
    ) {
        let d = 2 * freqs.len();
        let mixed = Mixed::new(freqs).unwrap();
        let (q, k) = (q.slice(ndarray::s![..d]), k.slice(ndarray::s![..d]));
        let moved = |p: (f64, f64)| (p.0 + shift.0, p.1 + shift.1);
        let before = mixed.score(q, k, m, n).unwrap();
        let after = mixed.score(q, k, moved(m), moved(n)).unwrap();
        // Angles up to ~8000 radians: ~1e-12 each, times |q||k| ≤ 4 · 24 over 12 pairs.
        prop_assert!((before - after).abs() < 1e-9, "{before} vs {after}");
    }

    /// M-RoPE: the score depends on (Δt, Δh, Δw) only, in both layouts; and a text token
    /// (t = h = w) is rotated exactly as chapter 5's 1-D RoPE rotates it.
    #[test]
    fn mrope_scores_depend_only_on_the_offset(
        interleaved in any::<bool>(), q in vector(24, -2.0, 2.0), k in vector(24, -2.0, 2.0),
        m in (0u64..5000, 0u64..5000, 0u64..5000), n in (0u64..5000, 0u64..5000, 0u64..5000),
        shift in (0u64..5000, 0u64..5000, 0u64..5000), text in 0u64..100_000,
    ) {
        let layout = if interleaved { Sections::Interleaved } else { Sections::Chunked };
        let mrope = Mrope::new(24, 10000.0, [4, 4, 4], layout).unwrap();
        let at = |p: (u64, u64, u64)| [p.0, p.1, p.2];
        let moved = |p: (u64, u64, u64)| [p.0 + shift.0, p.1 + shift.1, p.2 + shift.2];
        let score = |a: [u64; 3], b: [u64; 3]| {
            mrope.rotate(q.view(), a).unwrap().dot(&mrope.rotate(k.view(), b).unwrap())
        };
        let (before, after) = (score(at(m), at(n)), score(moved(m), moved(n)));
        // Angles up to 10^4 radians: ~1e-12 each, times |q||k| ≤ 4 · 24 over 12 pairs.
        prop_assert!((before - after).abs() < 1e-9, "{before} vs {after}");
        let one_d = Rope::new(24, 10000.0, Layout::HalfSplit).unwrap();
        prop_assert_eq!(
            mrope.rotate(q.view(), [text; 3]).unwrap(),
            one_d.rotate(q.view(), text as f64).unwrap()
        );
    }
}
// ANCHOR_END: properties

fn grids() -> impl Strategy<Value = (Grid, Grid, usize)> {
    (1usize..7, 1usize..7, 0usize..6, 0usize..6, 1usize..4).prop_map(|(r, c, dr, dc, d)| {
        (
            Grid::new(r, c).unwrap(),
            Grid::new(r + dr, c + dc).unwrap(),
            d,
        )
    })
}

fn align() -> impl Strategy<Value = Align> {
    prop_oneof![Just(Align::Corners), Just(Align::HalfPixel)]
}

proptest! {
    /// The separable and the four-neighbour forms give the same table. Entries are below 10 in
    /// size; the two forms round their weighted sums in different orders, a few ulps of 10
    /// apart: 1e-12 is hundreds of ulps.
    #[test]
    fn resample_forms_agree((old, new, d) in grids(), align in align(), seed in any::<u64>()) {
        let mut rng = bookkit::rng::SplitMix64(seed);
        let table = Array2::from_shape_fn((old.len(), d), |_| 20.0 * rng.next_f64() - 10.0);
        let fast = resample(table.view(), old, new, align).unwrap();
        let slow = resample_slow(table.view(), old, new, align).unwrap();
        prop_assert!((&fast - &slow).iter().all(|e| e.abs() < 1e-12));
    }

    /// DeiT's reason for bicubic interpolation: a bilinear cell is a convex mix of old rows, so
    /// by the triangle inequality no new row is longer than the longest old one. Norms below
    /// ~20 summed in a few terms: 1e-12 covers the rounding.
    #[test]
    fn bilinear_rows_are_never_longer_than_the_longest_old_row(
        (old, new, d) in grids(), align in align(), seed in any::<u64>(),
    ) {
        let mut rng = bookkit::rng::SplitMix64(seed);
        let table = Array2::from_shape_fn((old.len(), d), |_| 20.0 * rng.next_f64() - 10.0);
        let norm = |r: ndarray::ArrayView1<'_, f64>| r.dot(&r).sqrt();
        let longest = table.rows().into_iter().map(norm).fold(0.0, f64::max);
        let out = resample(table.view(), old, new, align).unwrap();
        for row in out.rows() {
            prop_assert!(norm(row) <= longest + 1e-12, "{} > {longest}", norm(row));
        }
    }

    /// Corner-aligned resampling keeps a table that is affine in (row, col) affine, the same
    /// plane sampled at the new points (bilinear interpolation is exact on planes). Values below
    /// ~60: 1e-12 is a few thousand ulps.
    #[test]
    fn corners_keep_planes((old, new, _d) in grids(), a in -3.0..3.0f64, b in -3.0..3.0f64) {
        let plane = |y: f64, x: f64| 1.0 + a * y + b * x;
        let table = Array2::from_shape_fn((old.len(), 1), |(i, _)| {
            plane((i / old.cols()) as f64, (i % old.cols()) as f64)
        });
        let out = resample(table.view(), old, new, Align::Corners).unwrap();
        for r in 0..new.rows() {
            for c in 0..new.cols() {
                let y = grid::vit::source(r, old.rows(), new.rows(), Align::Corners);
                let x = grid::vit::source(c, old.cols(), new.cols(), Align::Corners);
                prop_assert!((out[[new.index(r, c), 0]] - plane(y, x)).abs() < 1e-12);
            }
        }
    }

    /// Resampling to the same grid changes nothing, in both conventions, to the bit.
    #[test]
    fn same_size_is_the_identity((old, _new, d) in grids(), align in align(), seed in any::<u64>()) {
        let mut rng = bookkit::rng::SplitMix64(seed);
        let table = Array2::from_shape_fn((old.len(), d), |_| rng.next_f64());
        prop_assert_eq!(resample(table.view(), old, old, align).unwrap(), table.clone());
        prop_assert_eq!(resample_slow(table.view(), old, old, align).unwrap(), table);
    }
}

/// A random sequence: text runs between images and videos, all sides multiples of 2.
fn sequence() -> impl Strategy<Value = Vec<Segment>> {
    let vision = prop_oneof![
        (1usize..5, 1usize..5).prop_map(|(h, w)| Segment::Image { h: 2 * h, w: 2 * w }),
        (1usize..5, 1usize..4, 1usize..4).prop_map(|(t, h, w)| Segment::Video {
            t,
            h: 2 * h,
            w: 2 * w
        }),
    ];
    proptest::collection::vec((1usize..4, vision), 1..4).prop_map(|runs| {
        let mut seq = Vec::new();
        for (text, v) in runs {
            seq.push(Segment::Text(text));
            seq.push(v);
        }
        seq.push(Segment::Text(1));
        seq
    })
}

fn model() -> impl Strategy<Value = Model> {
    prop_oneof![
        Just(Model::Qwen2Vl),
        (1u32..30, 1u32..8).prop_map(|(tokens_per_second, halves)| Model::Qwen25Vl {
            tokens_per_second,
            second_per_grid: halves as f32 / 2.0
        }),
        (1usize..4).prop_map(|timestamp_tokens| Model::Qwen3Vl { timestamp_tokens }),
    ]
}

proptest! {
    /// In 4.57.1 (and Qwen2-VL's paper) every text token lies past every id before it; in both
    /// releases the token count is the sum of the runs and the text ids count up by one.
    #[test]
    fn text_resumes_past_everything_in_4_57(seq in sequence(), model in model()) {
        let setup = Setup { model, release: Release::V4_57, merge: 2, limit: 1 << 20 };
        let ids = position_ids(&seq, &setup).unwrap();
        let mut largest: Option<u64> = None;
        for (p, kind) in ids.ids.iter().zip(&ids.kinds) {
            if *kind == Kind::Text {
                prop_assert!(p[0] == p[1] && p[1] == p[2]);
                prop_assert!(largest.is_none_or(|l| p[0] > l), "{p:?} after {largest:?}");
            }
            largest = Some(largest.map_or(p[0], |l| l.max(p[0]).max(p[1]).max(p[2])));
        }
        let v5 = position_ids(&seq, &Setup { release: Release::V5_24, ..setup }).unwrap();
        prop_assert_eq!(v5.kinds, ids.kinds);
    }

    /// The releases agree on every sequence whose videos keep their largest time id below their
    /// spatial extent max(h, w) / 2, and on no other: Qwen2-VL (time step 1), Qwen2.5-VL with
    /// whole seconds per patch (so that both releases step alike) and Qwen3-VL (frames of t = 1,
    /// always inside).
    #[test]
    fn releases_agree_where_time_stays_inside_the_frame(
        seq in sequence(), which in 0usize..3, tokens_per_second in 1u32..5, seconds in 1u32..4,
    ) {
        let (model, step) = match which {
            0 => (Model::Qwen2Vl, 1),
            1 => (Model::Qwen25Vl { tokens_per_second, second_per_grid: seconds as f32 },
                  (tokens_per_second * seconds) as usize),
            _ => (Model::Qwen3Vl { timestamp_tokens: 2 }, 0),
        };
        let inside = seq.iter().all(|s| match *s {
            Segment::Video { t, h, w } => step * (t - 1) < h.max(w) / 2,
            _ => true,
        });
        let v4 = Setup { model, release: Release::V4_57, merge: 2, limit: 1 << 20 };
        let v5 = Setup { release: Release::V5_24, ..v4 };
        let (a, b) = (position_ids(&seq, &v4).unwrap(), position_ids(&seq, &v5).unwrap());
        if inside {
            prop_assert_eq!(a, b);
        } else {
            prop_assert_ne!(a, b);
        }
    }
}

/// The shortening is strict for rows that point different ways: stretched from 1×2 to 1×3 with
/// corners aligned, the middle cell of two orthogonal unit rows is their mean, of length 1/√2.
#[test]
fn the_mean_of_two_orthogonal_rows_is_shorter_than_both() {
    let table = ndarray::array![[1.0, 0.0], [0.0, 1.0]];
    let (old, new) = (Grid::new(1, 2).unwrap(), Grid::new(1, 3).unwrap());
    let out = resample(table.view(), old, new, Align::Corners).unwrap();
    let middle = out.row(1);
    assert_eq!(middle.to_vec(), vec![0.5, 0.5]);
    assert!((middle.dot(&middle).sqrt() - 0.5f64.sqrt()).abs() < 1e-15);
}
