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

// ANCHOR: boosted
/// A counter that leans on the marker: the marker's logit is `boost` and every other logit 0,
/// so with the marker at position 0 only, the output at `t` is `e^b / (e^b + t) = 1/(1 + c t)`
/// with `c = e^{−b}`. With `boost = 0` it is [`counter`]. Heads with different boosts give a
/// later layer several count features `1/(1 + c_h t)` instead of one.
///
/// # Errors
/// No tokens, or a boost that is not finite.
///
/// ```
/// let out = trained::nope::boosted_counter(&[0, 5, 7, 5], 0, 16f64.ln())?;
/// assert!((out[2] - 1.0 / (1.0 + 2.0 / 16.0)).abs() < 1e-15);
/// # Ok::<(), trained::Error>(())
/// ```
pub fn boosted_counter(tokens: &[usize], marker: usize, boost: f64) -> Result<Vec<f64>, Error> {
    let n = tokens.len();
    if n == 0 {
        return Err(bad("tokens", "[]", "the counter needs at least one token"));
    }
    if !boost.is_finite() {
        return Err(bad("boost", boost, "it must be a finite logit"));
    }
    let is_marker = |j: usize| f64::from(u8::from(tokens[j] == marker));
    let q = Array2::<f64>::ones((n, 1)); // [n, 1]: every query asks for the marker
    let k = Array2::from_shape_fn((n, 1), |(j, _)| boost * is_marker(j)); // [n, 1]; d_k = 1
    let v = Array2::from_shape_fn((n, 1), |(j, _)| is_marker(j));
    let causal = Options {
        causal: true,
        ..Options::default()
    };
    let head = scaled_dot_product(q.view(), k.view(), v.view(), &causal)?;
    Ok(head.output.column(0).to_vec())
}
// ANCHOR_END: boosted

/// Where the difference of two count features, `1/(1 + c_slow j) − 1/(1 + c_fast j)` with
/// `c_slow < c_fast`, peaks: it is 0 at `j = 0`, tends to 0 as `j` grows, and its derivative
/// vanishes once, at `j* = 1/√(c_slow c_fast)`. One feature is monotone in `j`; two are not.
///
/// # Errors
/// Rates that are not finite, positive and ordered `c_slow < c_fast`.
///
/// ```
/// assert_eq!(trained::nope::peak_of_difference(1.0 / 16.0, 1.0)?, 4.0);
/// # Ok::<(), trained::Error>(())
/// ```
pub fn peak_of_difference(c_slow: f64, c_fast: f64) -> Result<f64, Error> {
    if !(c_slow > 0.0 && c_slow.is_finite()) {
        return Err(bad("c_slow", c_slow, "it must be finite and positive"));
    }
    if !(c_fast > c_slow && c_fast.is_finite()) {
        return Err(bad("c_fast", c_fast, "it must be finite and above c_slow"));
    }
    Ok(1.0 / (c_slow * c_fast).sqrt())
}

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
    fn argmax(xs: &[f64]) -> usize {
        (0..xs.len()).fold(0, |best, j| if xs[j] > xs[best] { j } else { best })
    }

    #[test]
    fn two_count_features_have_an_interior_maximum() {
        let n = 64;
        let mut tokens = vec![1usize; n];
        tokens[0] = 0;
        let (c_slow, c_fast): (f64, f64) = (1.0 / 16.0, 1.0);
        let slow = boosted_counter(&tokens, 0, -c_slow.ln()).unwrap(); // 1/(1 + j/16)
        let fast = boosted_counter(&tokens, 0, -c_fast.ln()).unwrap(); // 1/(1 + j)
        assert_eq!(fast, counter(&tokens, 0).unwrap());
        for (j, &got) in slow.iter().enumerate() {
            let want = 1.0 / (1.0 + c_slow * j as f64);
            // A softmax of two distinct logits over j + 1 keys: a few ulps.
            assert!((got - want).abs() < 1e-14, "{j}: {got} vs {want}");
        }
        // One feature alone is monotone: a logit w·f(j) peaks at j = 0 (w > 0) or j = i (w < 0).
        assert!(slow.windows(2).all(|w| w[1] < w[0]));
        assert!(fast.windows(2).all(|w| w[1] < w[0]));
        // Their difference rises then falls: a peak inside the sequence, at 1/√(c_slow c_fast) = 4,
        // where it is 1/(1 + 1/4) − 1/5 = 0.6.
        let diff: Vec<f64> = (0..n).map(|j| slow[j] - fast[j]).collect();
        let peak = argmax(&diff);
        assert_eq!(peak, 4);
        assert_eq!(peak as f64, peak_of_difference(c_slow, c_fast).unwrap());
        assert!((diff[peak] - 0.6).abs() < 1e-14, "{}", diff[peak]);
        assert!(
            diff[0].abs() < 1e-15 && diff[peak - 1] < diff[peak] && diff[peak + 1] < diff[peak]
        );
        assert!(diff[n - 1] < diff[peak] / 2.0);
        // A query that weighs the two features differently moves the peak: 1·slow − 2·fast has
        // its stationary point at (√2 − 1/4)/(1/4 − √2/16) ≈ 7.2, so it peaks at j = 7.
        let moved: Vec<f64> = (0..n).map(|j| slow[j] - 2.0 * fast[j]).collect();
        assert_eq!(argmax(&moved), 7);
    }

    #[test]
    fn bad_boosts_and_rates_are_refused() {
        assert!(boosted_counter(&[], 0, 1.0).is_err());
        assert!(boosted_counter(&[0, 1], 0, f64::INFINITY).is_err());
        assert!(boosted_counter(&[0, 1], 0, f64::NAN).is_err());
        assert!(peak_of_difference(0.0, 1.0).is_err());
        assert!(peak_of_difference(1.0, 1.0).is_err());
        assert!(peak_of_difference(0.5, f64::INFINITY).is_err());
        assert!(peak_of_difference(f64::NAN, 1.0).is_err());
        assert_eq!(peak_of_difference(0.25, 1.0).unwrap(), 2.0);
    }
}
