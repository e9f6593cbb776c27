//! RoPE on `f32` tensors, in two forms with one signature.
//!
//! - [`apply`] (and [`apply_in_place`]) is the fast form: half-split layout, cosines and sines
//!   computed once per (position, frequency) in `f64` and stored as `f32` in [`Tables`], no
//!   trigonometry in the hot loop, and each row's two halves read and written as contiguous slices
//!   that the compiler turns into vector instructions.
//! - [`apply_slow`] is the textbook form: the rotation formula pair by pair, angles and products
//!   in `f64`, one sine and cosine per pair per row. The test `apply_matches_apply_slow` holds
//!   the two equal, and `cargo bench -p rope` measures both.
//!
//! Tensors are flat `[batch, heads, seq, head_dim]` buffers, row-major, as frameworks store them.

use errors::bad;

use crate::{Error, Layout, Rope};

/// The dimensions of a `[batch, heads, seq, head_dim]` tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Batch size.
    pub batch: usize,
    /// Heads.
    pub heads: usize,
    /// Sequence length (positions `0 … seq − 1`).
    pub seq: usize,
    /// Width of one head.
    pub head_dim: usize,
}

impl Shape {
    /// The number of elements, if it fits in a `usize`.
    pub fn len(&self) -> Option<usize> {
        self.batch
            .checked_mul(self.heads)?
            .checked_mul(self.seq)?
            .checked_mul(self.head_dim)
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// Cosines and sines for positions `0 … seq − 1`, `[seq, rotary_dim / 2]` each.
#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    rope: Rope,
    seq: usize,
    half: usize,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Tables {
    /// Precomputes the tables. Angles are computed in `f64` (see the precision section of the
    /// chapter) and only the results are stored as `f32`.
    ///
    /// # Errors
    /// An interleaved `rope` (the fast kernel is for the half-split layout), or a table too big
    /// to allocate (more than 2^30 entries).
    pub fn new(rope: &Rope, seq: usize) -> Result<Self, Error> {
        if rope.layout() != Layout::HalfSplit {
            return Err(bad(
                "layout",
                "interleaved",
                "the fast kernel reads each half of a row contiguously: use the half-split \
                 layout (permute the projection weights once, see half_from_interleaved)",
            ));
        }
        let half = rope.rotary_dim() / 2;
        let entries = seq.checked_mul(half).filter(|&n| n <= 1 << 30);
        let Some(entries) = entries else {
            return Err(bad("seq", seq, "the tables may hold at most 2^30 entries"));
        };
        let inv_freq = rope.inv_freq();
        let (mut cos, mut sin) = (Vec::new(), Vec::new());
        for table in [&mut cos, &mut sin] {
            table
                .try_reserve_exact(entries)
                .map_err(|_| bad("seq", seq, "not enough memory for the cos/sin tables"))?;
        }
        for m in 0..seq {
            for &theta in &inv_freq {
                let (s, c) = (m as f64 * theta).sin_cos();
                cos.push(c as f32);
                sin.push(s as f32);
            }
        }
        Ok(Tables {
            rope: *rope,
            seq,
            half,
            cos,
            sin,
        })
    }

    /// The positions covered.
    pub fn seq(&self) -> usize {
        self.seq
    }

    fn check(&self, shape: Shape, len: usize) -> Result<(), Error> {
        if shape.head_dim != self.rope.head_dim() {
            return Err(bad(
                "head_dim",
                shape.head_dim,
                "the tensor's head width must match the rotary embedding's",
            ));
        }
        if shape.seq > self.seq {
            return Err(bad(
                "seq",
                shape.seq,
                "the tables must cover every position of the tensor",
            ));
        }
        match shape.len() {
            Some(n) if n == len => Ok(()),
            _ => Err(errors::shape(
                "the buffer must hold batch × heads × seq × head_dim values",
                vec![shape.batch, shape.heads, shape.seq, shape.head_dim],
                vec![len],
            )),
        }
    }
}

// ANCHOR: kernel
/// Rotates one row of one position, out of place: `o1 = x1 cos − x2 sin`, `o2 = x2 cos + x1 sin`.
#[inline(always)]
fn rotate_row(x: &[f32], out: &mut [f32], cos: &[f32], sin: &[f32], half: usize) {
    // Slicing everything to `half` up front lets the compiler drop the bounds checks and
    // vectorise the loop.
    let (x1, x2) = (&x[..half], &x[half..2 * half]);
    let (o1, rest) = out.split_at_mut(half);
    let o2 = &mut rest[..half];
    let (cos, sin) = (&cos[..half], &sin[..half]);
    for j in 0..half {
        o1[j] = x1[j] * cos[j] - x2[j] * sin[j];
        o2[j] = x2[j] * cos[j] + x1[j] * sin[j];
    }
    // Partial rotary: the rest passes through.
    out[2 * half..].copy_from_slice(&x[2 * half..]);
}

/// Applies RoPE to a `[batch, heads, seq, head_dim]` tensor, writing into `out`.
///
/// # Errors
/// Buffers whose length does not match `shape`, a head width other than the tables', or more
/// positions than the tables cover.
pub fn apply(x: &[f32], out: &mut [f32], shape: Shape, tables: &Tables) -> Result<(), Error> {
    tables.check(shape, x.len())?;
    tables.check(shape, out.len())?;
    let (d, half) = (shape.head_dim, tables.half);
    for (r, (xr, or)) in x.chunks_exact(d).zip(out.chunks_exact_mut(d)).enumerate() {
        let m = r % shape.seq; // rows run over positions fastest; xr, or: [head_dim]
        let t = m * half..(m + 1) * half; // row m of the [seq, half] tables
        rotate_row(xr, or, &tables.cos[t.clone()], &tables.sin[t], half);
    }
    Ok(())
}
// ANCHOR_END: kernel

/// Applies RoPE in place.
///
/// # Errors
/// As [`apply`].
pub fn apply_in_place(x: &mut [f32], shape: Shape, tables: &Tables) -> Result<(), Error> {
    tables.check(shape, x.len())?;
    let (d, half) = (shape.head_dim, tables.half);
    for (r, row) in x.chunks_exact_mut(d).enumerate() {
        let m = r % shape.seq;
        let (cos, sin) = (
            &tables.cos[m * half..(m + 1) * half],
            &tables.sin[m * half..(m + 1) * half],
        );
        let (x1, rest) = row.split_at_mut(half);
        let x2 = &mut rest[..half];
        for j in 0..half {
            let (a, b) = (x1[j], x2[j]);
            x1[j] = a * cos[j] - b * sin[j];
            x2[j] = b * cos[j] + a * sin[j];
        }
    }
    Ok(())
}

// ANCHOR: slow
/// The textbook form of [`apply`], with the same signature: for the row at position `m` and each
/// pair `(a, b)` with frequency `θ_j`, compute the angle `m θ_j` in `f64` and rotate,
/// `(x_a cos − x_b sin, x_a sin + x_b cos)`, rounding to `f32` only at the end. It reads the
/// embedding from `tables` but not their cosines and sines: a sine and a cosine for every pair of
/// every row, the reference the fast kernels are tested against. Each row equals
/// [`Rope::rotate`] of the row, rounded to `f32`.
///
/// # Errors
/// As [`apply`].
pub fn apply_slow(x: &[f32], out: &mut [f32], shape: Shape, tables: &Tables) -> Result<(), Error> {
    tables.check(shape, x.len())?;
    tables.check(shape, out.len())?;
    let pairs = tables.rope.pairs(); // (a, b, θ_j) for j = 0 … rotary_dim/2 − 1
    let d = shape.head_dim;
    for (r, (xr, or)) in x.chunks_exact(d).zip(out.chunks_exact_mut(d)).enumerate() {
        let m = (r % shape.seq) as f64; // xr, or: [head_dim], the row at position m
        or.copy_from_slice(xr); // partial rotary: the rest passes through
        for &(a, b, theta) in &pairs {
            let (sin, cos) = (m * theta).sin_cos();
            let (xa, xb) = (f64::from(xr[a]), f64::from(xr[b]));
            or[a] = (xa * cos - xb * sin) as f32;
            or[b] = (xa * sin + xb * cos) as f32;
        }
    }
    Ok(())
}
// ANCHOR_END: slow

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shape() -> impl Strategy<Value = (Shape, usize)> {
        (1usize..3, 1usize..4, 1usize..40, 1usize..17, 0usize..3).prop_map(
            |(batch, heads, seq, half, quarter)| {
                let head_dim = 2 * half;
                // Sometimes a partial rotary width: half, a quarter, or all of the head.
                let rotary = match quarter {
                    0 => head_dim,
                    1 => (head_dim / 2).max(2) & !1,
                    _ => 2,
                };
                (
                    Shape {
                        batch,
                        heads,
                        seq,
                        head_dim,
                    },
                    rotary,
                )
            },
        )
    }

    proptest! {
        /// `apply`, `apply_in_place` and `apply_slow` agree. Inputs lie in [−2, 2]; each f32
        /// output of the fast forms is x1·cos − x2·sin with two rounded products and a rounded
        /// sum (≤ 1.5 ulp of values ≤ 4, ~4e-7) against the slow form's single rounding, and the
        /// f32 tables add half an ulp of cos and sin: 1e-6 covers it (the worst seen is ~2.4e-7).
        /// The slow form, in turn, is the textbook `Rope::rotate` of each row, rounded to f32:
        /// the same operations in the same order, so equal to the bit.
        #[test]
        fn apply_matches_apply_slow((shape, rotary) in shape(), seed in any::<u64>()) {
            let rope = Rope::partial(shape.head_dim, rotary, crate::BASE, Layout::HalfSplit).unwrap();
            let tables = Tables::new(&rope, shape.seq).unwrap();
            let mut rng = bookkit::rng::SplitMix64(seed);
            let x: Vec<f32> = (0..shape.len().unwrap()).map(|_| (4.0 * rng.next_f64() - 2.0) as f32).collect();
            let mut out = vec![0.0; x.len()];
            apply(&x, &mut out, shape, &tables).unwrap();
            let mut inplace = x.clone();
            apply_in_place(&mut inplace, shape, &tables).unwrap();
            prop_assert_eq!(&out, &inplace);
            let mut slow = vec![0.0; x.len()];
            apply_slow(&x, &mut slow, shape, &tables).unwrap();
            for (a, b) in out.iter().zip(&slow) {
                prop_assert!((a - b).abs() < 1e-6, "{} vs {}", a, b);
            }
            let rows = x.chunks_exact(shape.head_dim).zip(slow.chunks_exact(shape.head_dim));
            for (r, (row, got)) in rows.enumerate() {
                let v: ndarray::Array1<f64> = row.iter().map(|&a| f64::from(a)).collect();
                let want = rope.rotate(v.view(), (r % shape.seq) as f64).unwrap();
                let want: Vec<f32> = want.iter().map(|&a| a as f32).collect();
                prop_assert_eq!(got, &want[..]);
            }
        }
    }

    #[test]
    fn tables_are_computed_in_f64_at_long_positions() {
        // Angles computed in f32 would be off by ~1e-4 rad at position 4000; the tables must hold
        // the f64 values, rounded once.
        let rope = Rope::new(8, crate::BASE, Layout::HalfSplit).unwrap();
        let tables = Tables::new(&rope, 8192).unwrap();
        let theta = rope.inv_freq();
        for m in [4095usize, 8191] {
            for (j, t) in theta.iter().enumerate() {
                let (s, c) = (m as f64 * t).sin_cos();
                assert_eq!(tables.cos[m * 4 + j], c as f32);
                assert_eq!(tables.sin[m * 4 + j], s as f32);
            }
        }
    }

    #[test]
    fn bad_buffers_are_errors() {
        let rope = Rope::new(8, crate::BASE, Layout::HalfSplit).unwrap();
        let tables = Tables::new(&rope, 4).unwrap();
        let shape = Shape {
            batch: 1,
            heads: 2,
            seq: 4,
            head_dim: 8,
        };
        let x = vec![0.0f32; 64];
        let mut short = vec![0.0f32; 63];
        let e = apply(&x, &mut short, shape, &tables).unwrap_err();
        assert!(e.to_string().contains("got [63]"), "{e}");
        let long = Shape { seq: 5, ..shape };
        assert!(apply_in_place(&mut vec![0.0; 80], long, &tables).is_err());
        let wide = Shape {
            head_dim: 16,
            seq: 2,
            ..shape
        };
        assert!(apply_in_place(&mut vec![0.0; 64], wide, &tables).is_err());
        let inter = rope.with_layout(Layout::Interleaved);
        assert!(
            Tables::new(&inter, 4)
                .unwrap_err()
                .to_string()
                .contains("half-split")
        );
        assert!(Tables::new(&rope, usize::MAX).is_err());
        let huge = Shape {
            batch: usize::MAX,
            heads: 2,
            seq: 4,
            head_dim: 8,
        };
        assert!(apply_in_place(&mut vec![0.0; 64], huge, &tables).is_err());
        let mut out = vec![0.0f32; 64];
        assert!(apply_slow(&x, &mut out, Shape { seq: 0, ..shape }, &tables).is_err());
        let e = apply_slow(&x, &mut short, shape, &tables).unwrap_err();
        assert!(e.to_string().contains("got [63]"), "{e}");
    }
}
