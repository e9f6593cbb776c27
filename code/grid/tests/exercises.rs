//! The chapter's exercises: a stub for each answer, the solution, and the check both are put
//! through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use grid::mrope::{Axis, Mrope, Sections};
use grid::positions::{Release, Segment, Setup, position_ids};
use grid::{Align, Axial};
use ndarray::{Array1, ArrayView1};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p grid --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    // Everything the solutions use is in scope here too.
    #[allow(unused_imports)]
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: where new row (or column) `o` of `n_out` reads in the old `n_in` rows when
    /// the corner cells are aligned, as a fractional index.
    pub fn corners_source(o: usize, n_in: usize, n_out: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: which position component frequency `j` reads in Qwen3-VL's interleaved
    /// layout with `mrope_section = section`.
    pub fn interleaved_axis(j: usize, section: [usize; 3]) -> Axis {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the `[t, h, w]` ids of an image of `rows × cols` tokens (after merging) that
    /// starts at position `start`, in token order, and where the next text token starts, as
    /// transformers 5.24.0 computes them.
    pub fn image_ids(start: u64, rows: u64, cols: u64) -> (Vec<[u64; 3]>, u64) {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: the axial RoPE score of `q` at cell `m` against `k` at cell `n`, computed from
    /// the offset `(Δrow, Δcol) = m − n` alone, without rotating anything.
    pub fn axial_score_from_offset(
        q: ArrayView1<'_, f64>,
        k: ArrayView1<'_, f64>,
        offset: (f64, f64),
        base: f64,
    ) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

mod solutions {
    use super::*;

    // ANCHOR: exercise1
    /// Exercise 1: the first and last cells land on the first and last cells, and the steps in
    /// between are equal: `o · (n_in − 1) / (n_out − 1)` (a single new cell reads cell 0).
    pub fn corners_source(o: usize, n_in: usize, n_out: usize) -> f64 {
        if n_out == 1 {
            return 0.0;
        }
        o as f64 * (n_in as f64 - 1.0) / (n_out as f64 - 1.0)
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: the h section takes the slots j ≡ 1 (mod 3) below 3·h, the w section the
    /// slots j ≡ 2 (mod 3) below 3·w; every other frequency reads t.
    pub fn interleaved_axis(j: usize, section: [usize; 3]) -> Axis {
        match j % 3 {
            1 if j < 3 * section[1] => Axis::H,
            2 if j < 3 * section[2] => Axis::W,
            _ => Axis::T,
        }
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: every token has t = start; row r and column c add to start; text resumes at
    /// start + max(rows, cols) (5.24.0 advances by the larger side of the merged grid).
    pub fn image_ids(start: u64, rows: u64, cols: u64) -> (Vec<[u64; 3]>, u64) {
        let mut ids = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                ids.push([start, start + r, start + c]);
            }
        }
        (ids, start + rows.max(cols))
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: pair (a, b) turned by α for q and β for k scores
    /// (q_a k_a + q_b k_b) cos(α − β) − (q_b k_a − q_a k_b) sin(α − β), and α − β is the offset
    /// on the pair's axis times its frequency: column pairs first, row pairs after.
    pub fn axial_score_from_offset(
        q: ArrayView1<'_, f64>,
        k: ArrayView1<'_, f64>,
        offset: (f64, f64),
        base: f64,
    ) -> f64 {
        let d = q.len();
        let theta = sinusoidal::frequencies(d / 2, base).unwrap();
        let quarter = d / 4;
        (0..d / 2)
            .map(|p| {
                let delta = if p < quarter { offset.1 } else { offset.0 };
                let phi = delta * theta[p % quarter];
                let (a, b) = (2 * p, 2 * p + 1);
                (q[a] * k[a] + q[b] * k[b]) * phi.cos() - (q[b] * k[a] - q[a] * k[b]) * phi.sin()
            })
            .sum()
    }
    // ANCHOR_END: exercise4
}

fn check_exercise1(corners_source: fn(usize, usize, usize) -> f64) {
    for (n_in, n_out) in [(14, 24), (2, 4), (7, 7), (1, 5), (3, 1000)] {
        for o in 0..n_out {
            let want = grid::vit::source(o, n_in, n_out, Align::Corners);
            let yours = corners_source(o, n_in, n_out);
            assert!(
                (yours - want).abs() < 1e-12,
                "o = {o}, {n_in} → {n_out}: {yours} vs {want}"
            );
        }
    }
    // 14 → 24 (ViT-B/16 from 224 px to 384 px): new row 12 reads old row 12 · 13/23.
    assert!((corners_source(12, 14, 24) - 156.0 / 23.0).abs() < 1e-12);
    assert_eq!(corners_source(23, 14, 24), 13.0);
}

fn check_exercise2(interleaved_axis: fn(usize, [usize; 3]) -> Axis) {
    for section in [[24, 20, 20], [22, 21, 21], [40, 12, 12], [4, 2, 2]] {
        let d = 2 * section.iter().sum::<usize>();
        let m = Mrope::new(d, 5e5, section, Sections::Interleaved).unwrap();
        let yours: Vec<Axis> = (0..d / 2).map(|j| interleaved_axis(j, section)).collect();
        assert_eq!(yours, m.axes(), "{section:?}");
    }
    assert_eq!(interleaved_axis(61, [24, 20, 20]), Axis::T);
}

/// An answer to exercise 3: the ids of the image and where the next run starts.
type ImageIds = fn(u64, u64, u64) -> (Vec<[u64; 3]>, u64);

fn check_exercise3(image_ids: ImageIds) {
    let setup = Setup {
        model: grid::Model::Qwen2Vl,
        release: Release::V5_24,
        merge: 2,
        limit: 1 << 20,
    };
    for (start, rows, cols) in [(3, 4, 6), (0, 1, 1), (10, 5, 2), (1, 3, 3)] {
        let seq = [
            Segment::Text(start as usize),
            Segment::Image {
                h: 2 * rows as usize,
                w: 2 * cols as usize,
            },
            Segment::Text(1),
        ];
        let seq = if start == 0 { &seq[1..] } else { &seq[..] };
        let all = position_ids(seq, &setup).unwrap().ids;
        let n = (rows * cols) as usize;
        let from = start as usize;
        let (ids, next) = image_ids(start, rows, cols);
        assert_eq!(ids, all[from..from + n], "start {start}, {rows} × {cols}");
        assert_eq!(next, all[from + n][0], "start {start}, {rows} × {cols}");
    }
}

/// An answer to exercise 4: the score from q, k, the offset and the base.
type OffsetScore = fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>, (f64, f64), f64) -> f64;

fn check_exercise4(axial_score_from_offset: OffsetScore) {
    for (d, base) in [(4, 100.0), (16, 100.0), (64, 10.0)] {
        let a = Axial::new(d, base).unwrap();
        let q = Array1::from_shape_fn(d, |i| (0.9 * i as f64 + 0.3).sin());
        let k = Array1::from_shape_fn(d, |i| (0.4 * i as f64 - 0.2).cos());
        for (m, n) in [
            ((3.0, 5.0), (1.0, 4.0)),
            ((0.0, 0.0), (7.0, -2.0)),
            ((40.0, 1.0), (40.0, 1.0)),
        ] {
            let want = a.score(q.view(), k.view(), m, n).unwrap();
            let yours = axial_score_from_offset(q.view(), k.view(), (m.0 - n.0, m.1 - n.1), base);
            // Two ways of summing the same d/2 terms of size ≤ 2: 1e-12 is thousands of ulps.
            assert!(
                (yours - want).abs() < 1e-12,
                "d {d}, {m:?} vs {n:?}: {yours} vs {want}"
            );
        }
    }
}

#[test]
fn exercise1() {
    check_exercise1(solutions::corners_source);
}

#[test]
#[ignore = "your answer: fill in answers::corners_source"]
fn exercise1_yours() {
    check_exercise1(answers::corners_source);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::interleaved_axis);
}

#[test]
#[ignore = "your answer: fill in answers::interleaved_axis"]
fn exercise2_yours() {
    check_exercise2(answers::interleaved_axis);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::image_ids);
}

#[test]
#[ignore = "your answer: fill in answers::image_ids"]
fn exercise3_yours() {
    check_exercise3(answers::image_ids);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::axial_score_from_offset);
}

#[test]
#[ignore = "your answer: fill in answers::axial_score_from_offset"]
fn exercise4_yours() {
    check_exercise4(answers::axial_score_from_offset);
}
