//! The count-based baseline: a bigram model of bytes with add-`α` smoothing. It sees one token
//! back whatever the window, so its bits per character do not depend on the evaluation length:
//! the flat line the language models are measured against, and a scorer whose every number the
//! tests can work out by hand.

use errors::bad;

use super::Scorer;
use super::corpus::VOCAB;
use crate::Error;

/// `p(b | a) = (count(a b) + α) / (count(a) + 256 α)`, counted on a training text.
#[derive(Debug, Clone, PartialEq)]
pub struct Bigram {
    /// `counts[a · 256 + b]`: how often `b` follows `a`.
    counts: Vec<u32>,
    /// `totals[a]`: how often `a` is followed by anything.
    totals: Vec<u32>,
    alpha: f64,
}

fn check_token(t: u16) -> Result<usize, Error> {
    let t = usize::from(t);
    if t >= VOCAB {
        return Err(bad("token", t, "byte tokens are 0 to 255"));
    }
    Ok(t)
}

impl Bigram {
    /// Counts every pair of neighbours in `train`.
    ///
    /// # Errors
    /// A token outside the byte alphabet, fewer than 2 tokens, or `α` not finite and positive.
    ///
    /// ```
    /// use trained::text::Bigram;
    /// let m = Bigram::fit(&[1, 2, 1, 2, 1], 1.0)?;
    /// assert_eq!(m.probability(1, 2), 3.0 / 258.0); // 1 is followed by 2 twice
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn fit(train: &[u16], alpha: f64) -> Result<Bigram, Error> {
        if !(alpha > 0.0 && alpha.is_finite()) {
            return Err(bad(
                "alpha",
                alpha,
                "the smoothing must be finite and positive",
            ));
        }
        if train.len() < 2 {
            return Err(bad(
                "training tokens",
                train.len(),
                "a bigram needs at least 2",
            ));
        }
        let mut counts = vec![0u32; VOCAB * VOCAB];
        let mut totals = vec![0u32; VOCAB];
        for pair in train.windows(2) {
            let (a, b) = (check_token(pair[0])?, check_token(pair[1])?);
            counts[a * VOCAB + b] += 1;
            totals[a] += 1;
        }
        Ok(Bigram {
            counts,
            totals,
            alpha,
        })
    }

    /// `p(b | a)`, for byte tokens `a` and `b` (any other value gets probability 0).
    pub fn probability(&self, a: u16, b: u16) -> f64 {
        let (a, b) = (usize::from(a), usize::from(b));
        if a >= VOCAB || b >= VOCAB {
            return 0.0;
        }
        (f64::from(self.counts[a * VOCAB + b]) + self.alpha)
            / (f64::from(self.totals[a]) + VOCAB as f64 * self.alpha)
    }
}

impl Scorer for Bigram {
    fn token_losses(&self, window: &[u16]) -> crate::Result<Vec<f32>> {
        if window.is_empty() {
            return Err(errors::Error::Empty { what: "window" });
        }
        for &t in window {
            check_token(t)?;
        }
        Ok(window
            .windows(2)
            .map(|pair| -self.probability(pair[0], pair[1]).ln() as f32)
            .collect())
    }

    fn name(&self) -> String {
        format!("bigram (add-{})", self.alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_smoothed_counts_that_sum_to_one() {
        let text: Vec<u16> = b"the cat sat on the mat".map(u16::from).to_vec();
        let m = Bigram::fit(&text, 0.5).unwrap();
        // 't' has 4 successors: "h" twice ("the" ×2) and a space twice ("cat ", "sat "); the
        // last "t" has none.
        let t = u16::from(b't');
        assert_eq!(m.probability(t, u16::from(b'h')), 2.5 / (4.0 + 128.0));
        assert_eq!(m.probability(t, u16::from(b' ')), 2.5 / (4.0 + 128.0));
        assert_eq!(m.probability(t, u16::from(b'z')), 0.5 / (4.0 + 128.0));
        for a in [t, u16::from(b'q'), 0, 255] {
            let sum: f64 = (0..256).map(|b| m.probability(a, b)).sum();
            assert!((sum - 1.0).abs() < 1e-12, "{a}: {sum}");
        }
        assert_eq!(m.probability(256, 1), 0.0);
        let losses = m.token_losses(&text[..4]).unwrap();
        assert_eq!(losses.len(), 3);
        assert_eq!(losses[0], -(m.probability(t, u16::from(b'h')).ln() as f32));
        assert_eq!(m.token_losses(&text[..1]).unwrap(), Vec::<f32>::new());
        assert!(m.name().contains("0.5"));
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert!(Bigram::fit(&[1, 2], 0.0).is_err());
        assert!(Bigram::fit(&[1, 2], f64::NAN).is_err());
        assert!(Bigram::fit(&[1], 1.0).is_err());
        assert!(Bigram::fit(&[1, 300], 1.0).is_err());
        let m = Bigram::fit(&[1, 2, 3], 1.0).unwrap();
        assert!(m.token_losses(&[]).is_err());
        assert!(m.token_losses(&[1, 256]).is_err());
        assert!(m.token_losses(&[256]).is_err());
    }
}
