//! Chapter 2 of the book, "Sinusoidal positional encoding" (`src/sinusoidal.md`).
//!
//! The encoding of Vaswani et al. (2017, arXiv:1706.03762, section 3.5) with its two independent
//! choices: the layout (the paper's interleaved pairs or the half-split `[sin | cos]` of
//! tensor2tensor and fairseq) and the frequency schedule (the paper's `b^(−2i/d)` or
//! tensor2tensor's `b^(−i/(d/2 − 1))`); the rotation
//! `M_k` that moves an encoding `k` positions on; the dot product as a function of the offset; and
//! what `f32` does to large positions.
//!
//! Run the chapter's examples with `cargo run -p sinusoidal --example encode -- --dim 8`.
//!
//! | module                   | what it holds                                                  |
//! |:-------------------------|:---------------------------------------------------------------|
//! | here                     | [`frequencies`], the paper's `ω_i = base^(−2i/d)`              |
//! | [`encoding`]             | [`Sinusoid`]: one position, many, the textbook form, `f32`     |
//! | [`layout`]               | [`Layout`] and the index map [`concat_from_interleaved`]       |
//! | [`schedule`]             | [`Schedule`], the frequencies, and the ratio between the two   |
//! | [`bilinear`]             | `PE(p) W PE(p′)ᵀ`: the commuting family, random `W` breaks it  |
//! | [`shift`]                | the rotation `M_k`, the dot product by offset, [`sin_only`]    |
//! | [`lstsq`]                | a small least-squares solver for the sine-only fit             |
//! | [`report`]               | every table the chapter prints (examples print, tests check)   |
//! | [`figures`](mod@figures) | the chapter's figures                                          |
//!
//! # Slow and fast forms
//!
//! | fast (plain name)       | slow (textbook)              | the test that ties them                      |
//! |:------------------------|:-----------------------------|:---------------------------------------------|
//! | [`Sinusoid::encode`]    | [`Sinusoid::encode_slow`]    | `encoding::tests::encode_matches_encode_slow` |
//! | [`Sinusoid::matrix`]    | rows of [`Sinusoid::encode`] | the same test, entry for entry, exactly      |
//!
//! [`Sinusoid::entry_slow`] is the one-entry textbook formula that `encode_slow` is built from; it
//! has no fast twin of its own (the fast forms compute whole rows).
//!
//! The frequencies `ω_i = base^(−2i/d)` are computed in one place, [`frequencies`]; the slow form
//! spells the same power out per entry on purpose, and the test above holds it to the fast one.
//! Chapter 1 previews the encoding before this crate exists (`order::fixed_encoding`); the test
//! `chapter_one_preview_is_the_same_encoding` in `tests/properties.rs` holds it equal, bit for
//! bit, to [`frequencies`] and [`Sinusoid::encode`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

use ndarray::{Array1, ArrayView1};

pub mod bilinear;
pub mod encoding;
pub mod figures;
pub mod layout;
pub mod lstsq;
pub mod report;
pub mod schedule;
pub mod shift;

pub use encoding::Sinusoid;
pub use errors::{Error, Result};
pub use figures::figures;
pub use layout::{Layout, concat_from_interleaved};
pub use schedule::Schedule;
pub use shift::sin_only;

/// The paper's base.
pub const BASE: f64 = 10000.0;

/// The error for a base that is not a positive finite number.
fn bad_base(base: f64) -> Error {
    errors::bad(
        "base",
        base,
        "it must be a positive finite number (the paper uses 10000)",
    )
}

/// Refuses a zero or odd width and a base that is not positive and finite.
fn check_width_and_base(d: usize, base: f64) -> Result<(), Error> {
    if d == 0 || d % 2 == 1 {
        return Err(errors::bad(
            "d",
            d,
            "d must be even and positive (each frequency takes a sine and a cosine)",
        ));
    }
    if !(base.is_finite() && base > 0.0) {
        return Err(bad_base(base));
    }
    Ok(())
}

/// The `d/2` angular frequencies of the paper, `ω_i = base^(−2i/d)` for `i = 0 … d/2 − 1`,
/// fastest first.
///
/// # Errors
/// [`Error::Bad`] for a zero or odd `d`, or a base that is not positive and finite.
///
/// ```
/// let w = sinusoidal::frequencies(4, 10000.0)?;
/// assert_eq!(w.to_vec(), vec![1.0, 0.01]);
/// assert!(sinusoidal::frequencies(3, 10000.0).is_err());
/// # Ok::<(), sinusoidal::Error>(())
/// ```
// ANCHOR: frequencies
pub fn frequencies(d: usize, base: f64) -> Result<Array1<f64>, Error> {
    check_width_and_base(d, base)?;
    Ok(paper_frequencies(d, base))
}

/// `ω_i = base^(−2i/d)` for `i = 0 … d/2 − 1`, on a width and base already checked.
pub(crate) fn paper_frequencies(d: usize, base: f64) -> Array1<f64> {
    Array1::from_shape_fn(d / 2, |i| base.powf(-(2.0 * i as f64 / d as f64)))
}
// ANCHOR_END: frequencies

/// Largest absolute entry of `a - b`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ.
///
/// ```
/// use ndarray::array;
/// assert_eq!(sinusoidal::max_abs_diff(array![1.0, 2.0].view(), array![1.5, 1.0].view())?, 1.0);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn max_abs_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64, Error> {
    if a.len() != b.len() {
        return Err(errors::shape(
            "the two vectors must have the same length",
            [a.len()],
            [b.len()],
        ));
    }
    Ok(a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_widths_and_bases_are_errors() {
        assert_eq!(frequencies(4, 0.0), Err(bad_base(0.0)));
        assert!(frequencies(0, BASE).is_err());
        assert!(frequencies(4, f64::INFINITY).is_err());
        assert!(max_abs_diff(Array1::zeros(2).view(), Array1::zeros(3).view()).is_err());
    }
}
