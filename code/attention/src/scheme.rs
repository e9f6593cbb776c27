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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// A toy scheme whose logit for query i, key j is `w · p_i + p_j` (no content at all).
    struct Toy {
        w: f64,
    }

    impl PositionScheme for Toy {
        fn name(&self) -> String {
            format!("toy w = {}", self.w)
        }

        fn logits(
            &self,
            x: ArrayView2<'_, f64>,
            positions: &[usize],
        ) -> Result<Array2<f64>, Error> {
            let n = x.nrows();
            Ok(Array2::from_shape_fn((n, n), |(i, j)| {
                self.w * positions[i] as f64 + positions[j] as f64
            }))
        }
    }

    #[test]
    fn the_gap_is_the_largest_logit_change_under_a_shift() {
        let x = array![[0.0], [0.0], [0.0]];
        let positions = [0, 2, 5];
        // w = −1: the logit is p_j − p_i, a function of the offset only: no gap at any shift.
        for c in [1, 7, 1000] {
            let gap = translation_gap(&Toy { w: -1.0 }, x.view(), &positions, c).unwrap();
            assert_eq!(gap, 0.0);
        }
        // w = 2: every logit moves by (2 + 1)·c, so the gap is exactly 3c.
        for c in [1, 7, 1000] {
            let gap = translation_gap(&Toy { w: 2.0 }, x.view(), &positions, c).unwrap();
            assert_eq!(gap, 3.0 * c as f64);
        }
        // w = −3: every logit moves by (−3 + 1)·c = −2c; the gap is its size.
        let gap = translation_gap(&Toy { w: -3.0 }, x.view(), &positions, 4).unwrap();
        assert_eq!(gap, 8.0);
    }
}
