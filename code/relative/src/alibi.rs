//! ALiBi (Press, Smith and Lewis, *Train Short, Test Long: Attention with Linear Biases Enables
//! Input Length Extrapolation*, 2022, arXiv:2108.12409): no position vectors at all; each head
//! adds `−m_h · (i − j)` to the logit of query `i` and key `j ≤ i`, with a fixed slope `m_h`.

use ndarray::Array2;

use errors::bad;

use crate::Error;

/// The per-head slopes of the paper's code. For a power of two `n`, a geometric sequence that
/// starts at `2^(−8/n)` with that same ratio: `m_h = 2^(−8(h+1)/n)`. Otherwise the slopes of the
/// largest power of two below `n`, followed by every other slope of the next power of two.
///
/// # Errors
/// Zero heads, or more than 65536.
///
/// ```
/// let m = relative::alibi::slopes(8)?;
/// assert_eq!(m, [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]);
/// # Ok::<(), relative::Error>(())
/// ```
pub fn slopes(heads: usize) -> Result<Vec<f64>, Error> {
    if heads == 0 || heads > 1 << 16 {
        return Err(bad("heads", heads, "ALiBi needs 1 to 65536 heads"));
    }
    // ANCHOR: slopes
    // n a power of two: 2^(−8/n), 2^(−16/n), …, 2^(−8): start at 2^(−8/n), ratio 2^(−8/n).
    let power_of_two = |n: usize| -> Vec<f64> {
        let start = 2f64.powf(-8.0 / n as f64);
        (1..=n).map(|h| start.powf(h as f64)).collect()
    };
    if heads.is_power_of_two() {
        return Ok(power_of_two(heads));
    }
    let below = 1usize << heads.ilog2();
    let mut out = power_of_two(below);
    // Every other slope of the next power of two (indices 0, 2, 4, …) fills the gaps.
    out.extend(
        power_of_two(2 * below)
            .into_iter()
            .step_by(2)
            .take(heads - below),
    );
    Ok(out)
    // ANCHOR_END: slopes
}

// ANCHOR: bias
/// The causal bias of one head: `−m (i − j)` for keys `j ≤ i`; later keys are left to the causal
/// mask (the entries above the diagonal are `+m (j − i)` and never survive it). The formula alone:
/// slopes come from [`slopes`], which are always finite; a NaN slope gives NaN entries, which the
/// attention core refuses.
pub fn bias(slope: f64, n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(i, j)| -slope * (i as f64 - j as f64))
}
// ANCHOR_END: bias

/// The form the paper's code adds: `m · j`, the same for every query row. A softmax does not
/// change when a row is shifted by a constant, so with a causal mask this gives the same weights
/// as [`bias`] (row `i` differs from it by `m · i`).
pub fn bias_key_only(slope: f64, n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(_, j)| slope * j as f64)
}

/// The symmetric variant used by some bidirectional models: `−m |i − j|`.
pub fn bias_symmetric(slope: f64, n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(i, j)| -slope * (i as f64 - j as f64).abs())
}

/// The attention weight a query puts on the key `distance` tokens back when every logit is equal
/// apart from the bias, in a causal window of `n` keys: `e^(−m k) / Σ_{t<n} e^(−m t)`.
///
/// # Errors
/// `n = 0`, a distance outside the window, or a slope that is negative or not finite.
pub fn weight_at_distance(slope: f64, distance: usize, n: usize) -> Result<f64, Error> {
    if n == 0 || distance >= n {
        return Err(bad(
            "distance",
            distance,
            "it must lie inside the window of n ≥ 1 keys (0 … n − 1)",
        ));
    }
    if !(slope.is_finite() && slope >= 0.0) {
        return Err(bad(
            "slope",
            slope,
            "ALiBi slopes are finite and not negative",
        ));
    }
    let z: f64 = (0..n).map(|t| (-slope * t as f64).exp()).sum();
    Ok((-slope * distance as f64).exp() / z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attention::softmax_rows;

    #[test]
    fn non_powers_of_two_interleave_the_next_power() {
        // 12 heads: the 8 slopes of 8 heads, then slopes 1, 3, 5, 7 (1-based) of 16 heads.
        let m = slopes(12).unwrap();
        let eight = slopes(8).unwrap();
        let sixteen = slopes(16).unwrap();
        assert_eq!(&m[..8], &eight[..]);
        assert_eq!(&m[8..], &[sixteen[0], sixteen[2], sixteen[4], sixteen[6]]);
        // The 16-head slopes are 2^(−k/2): the first is 1/√2.
        assert!((sixteen[0] - 0.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(slopes(1).unwrap(), [2f64.powi(-8)]);
        assert_eq!(slopes(3).unwrap().len(), 3);
        assert!(slopes(0).is_err());
        assert!(slopes(usize::MAX).is_err());
    }

    #[test]
    fn key_only_bias_gives_the_same_causal_weights() {
        let n = 7;
        for m in slopes(4).unwrap() {
            let with = |b: Array2<f64>| {
                let logits = b + attention::causal_mask(n);
                softmax_rows(logits.view()).unwrap()
            };
            let (a, b) = (with(bias(m, n)), with(bias_key_only(m, n)));
            assert!((&a - &b).iter().all(|d| d.abs() < 1e-15));
        }
    }

    #[test]
    fn weights_decay_geometrically() {
        let w0 = weight_at_distance(0.5, 0, 10).unwrap();
        let w3 = weight_at_distance(0.5, 3, 10).unwrap();
        assert!((w3 / w0 - (-1.5f64).exp()).abs() < 1e-15);
        let total: f64 = (0..10)
            .map(|k| weight_at_distance(0.5, k, 10).unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-15);
        assert!(weight_at_distance(0.5, 10, 10).is_err());
        assert!(weight_at_distance(-1.0, 0, 10).is_err());
    }
}
