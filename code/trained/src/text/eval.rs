//! Bits per character on held-out text, at the training length `L` and at `2L` to `16L`.
//!
//! **Protocol: non-overlapping windows.** The held-out text is cut into windows of `n` tokens
//! that follow each other, each scored on its own from its first token, as Press et al. score
//! their extrapolation curves (*Train Short, Test Long*, 2022, arXiv:2108.12409, Figure 1; the
//! sliding window of their Appendix B is the alternative). Consecutive windows share one token:
//! window `k` starts at `k (n − 1)`, so every token after the text's first is predicted exactly
//! once, and the last window is shorter when `n − 1` does not divide the text. The same
//! characters are therefore scored at every length, and only the context they get changes: on
//! average `n / 2` tokens, so a model that uses context well gets better as `n` grows, and one
//! that breaks past `L` gets worse. A sliding window (stride 1) gives every token the longest
//! context but costs one forward pass of `n` tokens per character, `n` times the work: at
//! `16L = 1024` on this machine's two cores, that is what decides it.

use std::ops::Range;

use errors::bad;

use super::Scorer;
use crate::Error;

/// The evaluation lengths as multiples of the training length.
pub const MULTIPLES: [usize; 5] = [1, 2, 4, 8, 16];

/// The windows that cover a text of `len` tokens at length `n`: starts `0, n − 1, 2(n − 1), …`,
/// each `n` tokens long (the last one up to the end), consecutive windows sharing one token.
///
/// # Errors
/// A text of fewer than 2 tokens, or `n` below 2 (a window of one token predicts nothing).
///
/// ```
/// let w = trained::text::eval::windows(10, 4)?;
/// assert_eq!(w, [0..4, 3..7, 6..10]);
/// assert_eq!(trained::text::eval::windows(11, 4)?.last(), Some(&(9..11)));
/// # Ok::<(), trained::Error>(())
/// ```
pub fn windows(len: usize, n: usize) -> Result<Vec<Range<usize>>, Error> {
    if n < 2 {
        return Err(bad(
            "n",
            n,
            "a window needs 2 tokens or more to predict one",
        ));
    }
    if len < 2 {
        return Err(bad("text length", len, "the text needs 2 tokens or more"));
    }
    Ok((0..len - 1)
        .step_by(n - 1)
        .map(|start| start..(start + n).min(len))
        .collect())
}

/// The mean loss in bits per character of `scorer` on `text` at length `n`, by the protocol
/// above. `tick` is called once per window (for a progress bar).
///
/// # Errors
/// Whatever the scorer refuses (a learned table past its length, say), a scorer that returns
/// the wrong number of losses or a loss that is not finite, or a bad `n` or text
/// ([`windows`]).
pub fn bits_per_char(
    scorer: &dyn Scorer,
    text: &[u16],
    n: usize,
    mut tick: impl FnMut(),
) -> Result<f64, Error> {
    let mut nats = 0.0f64;
    let mut count = 0usize;
    for w in windows(text.len(), n)? {
        let window = &text[w];
        let losses = scorer.token_losses(window)?;
        if losses.len() != window.len() - 1 {
            return Err(errors::shape(
                "a scorer returns one loss per predicted token",
                vec![window.len() - 1],
                vec![losses.len()],
            ));
        }
        for &l in &losses {
            if !l.is_finite() {
                return Err(errors::Error::NonFinite {
                    what: "token loss",
                    at: None,
                    value: f64::from(l),
                });
            }
            nats += f64::from(l);
        }
        count += losses.len();
        tick();
    }
    Ok(nats / count as f64 / std::f64::consts::LN_2)
}

/// The textbook form of [`bits_per_char`]: for each character `t ≥ 1` on its own, the window
/// that predicts it (number `(t − 1) / (n − 1)`) is scored afresh and its loss for `t` taken.
/// Scores each window once per character it predicts: for tests only.
///
/// # Errors
/// As [`bits_per_char`].
pub fn bits_per_char_slow(scorer: &dyn Scorer, text: &[u16], n: usize) -> Result<f64, Error> {
    let spans = windows(text.len(), n)?;
    let mut nats = 0.0;
    for t in 1..text.len() {
        let w = spans[(t - 1) / (n - 1)].clone();
        let losses = scorer.token_losses(&text[w.clone()])?;
        nats += f64::from(losses[t - 1 - w.start]);
    }
    Ok(nats / (text.len() - 1) as f64 / std::f64::consts::LN_2)
}

/// One line of the curve: bits per character at each length, or the scorer's refusal.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The scorer's name.
    pub name: String,
    /// `(n, bits per character or the refusal's message)`, one per length.
    pub points: Vec<(usize, Result<f64, String>)>,
}

/// [`bits_per_char`] at each of `lengths`; a length the scorer refuses is recorded with the
/// scorer's message instead of a number.
///
/// # Errors
/// A length or text that [`windows`] refuses (a scorer's refusal is not an error here).
pub fn curve(
    scorer: &dyn Scorer,
    text: &[u16],
    lengths: &[usize],
    mut tick: impl FnMut(),
) -> Result<Curve, Error> {
    let mut points = Vec::new();
    for &n in lengths {
        windows(text.len(), n)?;
        points.push((
            n,
            bits_per_char(scorer, text, n, &mut tick).map_err(|e| e.to_string()),
        ));
    }
    Ok(Curve {
        name: scorer.name(),
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Bigram;

    /// A scorer whose loss for a token is the number of tokens before it in the window, capped
    /// at `limit` tokens per window: the context it gets is visible in its score.
    struct Context {
        limit: usize,
    }

    impl Scorer for Context {
        fn token_losses(&self, window: &[u16]) -> crate::Result<Vec<f32>> {
            if window.len() > self.limit {
                return Err(bad("window", window.len(), "too long for this scorer"));
            }
            Ok((1..window.len()).map(|t| t as f32).collect())
        }
        fn name(&self) -> String {
            "context".into()
        }
    }

    #[test]
    fn every_character_after_the_first_is_predicted_once() {
        for len in 2..40 {
            for n in 2..12 {
                let w = windows(len, n).unwrap();
                assert_eq!(w[0].start, 0);
                assert_eq!(w.last().unwrap().end, len);
                let predicted: usize = w.iter().map(|r| r.len() - 1).sum();
                assert_eq!(predicted, len - 1, "{len} {n}");
                assert!(w.iter().all(|r| r.len() >= 2 && r.len() <= n));
                assert!(w.windows(2).all(|p| p[1].start == p[0].end - 1));
            }
        }
        assert!(windows(10, 1).is_err());
        assert!(windows(1, 4).is_err());
    }

    #[test]
    fn the_context_each_character_gets_grows_with_the_length() {
        // 1 + 8·3 = 25 tokens: at n = 4, every window predicts 3 tokens with 1, 2, 3 tokens of
        // context; mean 2 nats. At n = 25: one window, mean (1 + … + 24)/24 = 12.5 nats.
        let text = vec![1u16; 25];
        let s = Context { limit: 100 };
        let ln2 = std::f64::consts::LN_2;
        let mut ticks = 0;
        let four = bits_per_char(&s, &text, 4, || ticks += 1).unwrap();
        assert_eq!(ticks, 8);
        assert!((four * ln2 - 2.0).abs() < 1e-12, "{four}");
        assert!((bits_per_char(&s, &text, 25, || {}).unwrap() * ln2 - 12.5).abs() < 1e-12);
        for n in [2, 3, 4, 7, 25, 40] {
            let fast = bits_per_char(&s, &text, n, || {}).unwrap();
            let slow = bits_per_char_slow(&s, &text, n).unwrap();
            assert!((fast - slow).abs() < 1e-12, "{n}: {fast} {slow}");
        }
        // A refusal is a point of the curve, not an error.
        let c = curve(&Context { limit: 8 }, &text, &[4, 8, 16], || {}).unwrap();
        assert_eq!(c.name, "context");
        assert!(c.points[0].1.is_ok() && c.points[1].1.is_ok());
        assert!(c.points[2].1.as_ref().unwrap_err().contains("too long"));
        assert!(curve(&s, &text, &[1], || {}).is_err());
    }

    #[test]
    fn a_bigram_scores_the_same_at_every_length() {
        let text: Vec<u16> = b"in the beginning god created the heaven and the earth. and the earth was without form"
            .map(u16::from)
            .to_vec();
        let m = Bigram::fit(&text[..40], 1.0).unwrap();
        // By hand: the mean of −log2 p(next | previous) over the whole text.
        let direct: f64 = text
            .windows(2)
            .map(|p| -m.probability(p[0], p[1]).log2())
            .sum::<f64>()
            / (text.len() - 1) as f64;
        for n in [2, 5, 16, 64, 200] {
            let got = bits_per_char(&m, &text, n, || {}).unwrap();
            // f32 losses: a relative 1e-7 each.
            assert!((got - direct).abs() < 1e-6 * direct, "{n}: {got} {direct}");
            assert_eq!(got, bits_per_char(&m, &text, 2, || {}).unwrap());
        }
    }

    /// A scorer that breaks the trait's contract.
    struct Broken(usize);

    impl Scorer for Broken {
        fn token_losses(&self, window: &[u16]) -> crate::Result<Vec<f32>> {
            Ok(match self.0 {
                0 => vec![1.0; window.len()],
                _ => vec![f32::NAN; window.len() - 1],
            })
        }
        fn name(&self) -> String {
            "broken".into()
        }
    }

    #[test]
    fn a_scorer_that_breaks_the_contract_is_caught() {
        let text = [1u16; 10];
        assert!(bits_per_char(&Broken(0), &text, 4, || {}).is_err());
        assert!(bits_per_char(&Broken(1), &text, 4, || {}).is_err());
    }
}
