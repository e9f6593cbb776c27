//! NoPE: a causal transformer with no position information can still count. Kazemnejad et al.
//! (*The Impact of Positional Encoding on Length Generalization in Transformers*, 2023,
//! arXiv:2305.19466, Theorem 1 and its proof in Appendix C.1) build a first layer whose head
//! attends uniformly over the prefix and reads a marker that only the first token carries: the
//! output at position `t` is `1/(t + 1)`, from which `t` follows. Haviv et al. (*Transformer
//! Language Models without Positional Encodings Still Learn Positional Information*, 2022,
//! arXiv:2203.16634) observe the same effect in trained models: the causal mask alone lets a
//! model tell positions apart.

use ndarray::Array2;

use attention::{Options, scaled_dot_product};
use errors::bad;

use crate::Error;

// ANCHOR: counter
/// The counting head: queries are zero, so every logit is 0 and the causal softmax spreads
/// weight `1/(t + 1)` over the keys `0..=t`; the value is 1 on a `marker` token and 0 elsewhere.
/// With the marker at position 0 only, the output at `t` is exactly `1/(t + 1)`.
///
/// # Errors
/// No tokens.
///
/// ```
/// let out = trained::nope::counter(&[0, 5, 7, 5], 0)?;
/// assert_eq!(out, [1.0, 0.5, 1.0 / 3.0, 0.25]);
/// # Ok::<(), trained::Error>(())
/// ```
pub fn counter(tokens: &[usize], marker: usize) -> Result<Vec<f64>, Error> {
    let n = tokens.len();
    if n == 0 {
        return Err(bad("tokens", "[]", "the counter needs at least one token"));
    }
    let q = Array2::<f64>::zeros((n, 1)); // [n, 1]: no query looks for anything
    let k = Array2::<f64>::zeros((n, 1)); // [n, 1]
    let v = Array2::from_shape_fn((n, 1), |(j, _)| f64::from(u8::from(tokens[j] == marker)));
    let causal = Options {
        causal: true,
        ..Options::default()
    };
    let head = scaled_dot_product(q.view(), k.view(), v.view(), &causal)?; // weights 1/(t+1)
    Ok(head.output.column(0).to_vec())
}
// ANCHOR_END: counter

// ANCHOR: decode
/// Reads the position back from the counter's output `c = 1/(t + 1)`: `t = 1/c − 1`, rounded to
/// the nearest integer.
///
/// # Errors
/// An output that is not in `(0, 1]`.
///
/// ```
/// assert_eq!(trained::nope::decode(0.25)?, 3);
/// assert!(trained::nope::decode(0.0).is_err());
/// # Ok::<(), trained::Error>(())
/// ```
pub fn decode(c: f64) -> Result<usize, Error> {
    if !(c > 0.0 && c <= 1.0) {
        return Err(bad("counter output", c, "it must be in (0, 1]"));
    }
    Ok((1.0 / c - 1.0).round() as usize)
}
// ANCHOR_END: decode

/// How far apart the counter puts positions `t` and `t + 1`: `1/(t+1) − 1/(t+2) = 1/((t+1)(t+2))`,
/// shrinking like `1/t²`.
///
/// ```
/// assert_eq!(trained::nope::gap(0), 0.5);
/// assert_eq!(trained::nope::gap(1), 1.0 / 6.0);
/// ```
pub fn gap(t: usize) -> f64 {
    let t = t as f64;
    1.0 / ((t + 1.0) * (t + 2.0))
}

/// The first position whose counter output, rounded to `format`, equals its neighbour's, so that
/// it can no longer be told from `t + 1`; `None` if every position below `limit` stays distinct.
///
/// ```
/// use rope::precision::Format;
/// let t = trained::nope::first_collision(Format::Bf16, 1 << 20).unwrap();
/// assert!(t < 300);
/// ```
pub fn first_collision(format: rope::precision::Format, limit: usize) -> Option<usize> {
    use rope::precision::round;
    (0..limit)
        .find(|&t| round(1.0 / (t as f64 + 1.0), format) == round(1.0 / (t as f64 + 2.0), format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rope::precision::Format;

    #[test]
    fn every_position_is_recovered_exactly() {
        let n = 4096;
        let mut rng = bookkit::rng::SplitMix64(5);
        let mut tokens: Vec<usize> = (0..n).map(|_| 1 + (rng.next_u64() % 15) as usize).collect();
        tokens[0] = 0;
        let out = counter(&tokens, 0).unwrap();
        for (t, &c) in out.iter().enumerate() {
            assert_eq!(decode(c).unwrap(), t);
            // The softmax of equal logits and one marker: 1/(t+1) up to rounding (a sum of t+1
            // equal exponentials, divided: a few ulps).
            assert!((c - 1.0 / (t as f64 + 1.0)).abs() < 1e-15, "{t}: {c}");
        }
    }

    #[test]
    fn a_second_marker_breaks_the_count() {
        // The construction needs exactly one marker at position 0.
        let out = counter(&[0, 3, 0, 3], 0).unwrap();
        assert_eq!(decode(out[3]).unwrap(), 1); // 2/4 reads as position 1, not 3
        assert!(counter(&[], 0).is_err());
        assert!(decode(1.5).is_err());
        assert!(decode(f64::NAN).is_err());
        assert_eq!(decode(1.0).unwrap(), 0);
    }

    #[test]
    fn the_gap_shrinks_like_one_over_t_squared() {
        for t in [0usize, 1, 10, 100, 1000] {
            let direct = 1.0 / (t as f64 + 1.0) - 1.0 / (t as f64 + 2.0);
            assert!((gap(t) - direct).abs() < 1e-15);
        }
        assert!(gap(1000) * 1e6 > 0.99 && gap(1000) * 1e6 < 1.0);
    }

    #[test]
    fn low_precision_merges_neighbours_early() {
        let bf16 = first_collision(Format::Bf16, 1 << 20).unwrap();
        let f16 = first_collision(Format::F16, 1 << 20).unwrap();
        // bf16 keeps 8 significant bits, f16 11: neighbours 1/(t+1) and 1/(t+2) differ by about
        // 1/t of their size, so they merge near t = 2^8 and 2^11 (a little earlier, by rounding).
        assert!(bf16 < f16, "{bf16} {f16}");
        assert!((64..=256).contains(&bf16), "{bf16}");
        assert!((512..=2048).contains(&f16), "{f16}");
        assert_eq!(first_collision(Format::F64, 1000), None);
    }
}
