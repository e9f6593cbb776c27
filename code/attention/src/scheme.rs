//! The position-scheme harness every chapter shares: a way of giving attention the positions of
//! its tokens, and the translation test that tells absolute schemes from relative ones. A scheme
//! is relative if shifting every position by the same `c` leaves every attention logit unchanged.
//! Chapter 4 (`relative::invariance`) implements it for every scheme of chapters 2 to 4; chapter 5
//! adds RoPE.

use ndarray::{Array2, ArrayView2};

use crate::Error;

// ANCHOR: trait
/// A way of giving attention the positions of its tokens.
pub trait PositionScheme {
    /// A short name for tables and messages.
    fn name(&self) -> String;

    /// The attention logits of one head for tokens `x` (one row each) at `positions`.
    ///
    /// # Errors
    /// Positions the scheme cannot represent, or inputs that do not fit the head.
    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error>;
}

/// The largest change in any logit when every position moves on by `c`.
///
/// # Errors
/// As the scheme's [`PositionScheme::logits`].
pub fn translation_gap(
    scheme: &dyn PositionScheme,
    x: ArrayView2<'_, f64>,
    positions: &[usize],
    c: usize,
) -> Result<f64, Error> {
    let before = scheme.logits(x, positions)?;
    let moved: Vec<usize> = positions.iter().map(|p| p + c).collect();
    let after = scheme.logits(x, &moved)?;
    Ok((&after - &before).iter().fold(0.0, |m, v| m.max(v.abs())))
}
// ANCHOR_END: trait
