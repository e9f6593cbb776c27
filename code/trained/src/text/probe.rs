//! Experiment 2, *perplexity is not retrieval*: a repeated-phrase probe inside held-out text.
//!
//! A phrase of `P` characters taken from one half of the held-out block is written twice into a
//! window of held-out text from the other half: once after a short prefix and again `d`
//! characters later, so that the window ends with the second copy. A model that can look `d`
//! characters back and copy predicts the second copy far better than the phrase's own text
//! allows; the control is the same window with the first copy left out (the original text stays
//! there). The probe reports, per distance, the mean bits per character on the second copy's
//! characters after its first (the first cannot be foreseen), with and without the first copy.
//! Distances up to `L − prefix − P` keep the whole window within the training length; longer
//! ones test what a model does with context it was never trained on.

use bookkit::rng::SplitMix64;
use errors::bad;

use super::Scorer;
use crate::Error;

/// The probe's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Characters in the phrase, `P`.
    pub phrase: usize,
    /// Characters of text before the first copy.
    pub prefix: usize,
    /// Distances `d` from the start of the first copy to the start of the second (each at least
    /// `P`, so the copies do not overlap).
    pub distances: Vec<usize>,
    /// Windows per distance (the same draws of text and phrase at every distance).
    pub trials: usize,
    /// Seed of the draws.
    pub seed: u64,
}

/// One distance's result, in bits per character on the second copy (mean over trials).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The distance `d`.
    pub distance: usize,
    /// With the first copy in the window.
    pub repeated: f64,
    /// Without it (the control).
    pub control: f64,
}

impl Point {
    /// What the first copy saves: `control − repeated`, in bits per character.
    pub fn gain(&self) -> f64 {
        self.control - self.repeated
    }
}

/// One distance's answer: the distance and its point, or the scorer's refusal.
pub type Answer = (usize, Result<Point, String>);

impl Probe {
    /// The length of the window at distance `d`: prefix, `d`, and the second copy.
    pub fn window_len(&self, d: usize) -> usize {
        self.prefix + d + self.phrase
    }

    fn check(&self, held_out: &[u16]) -> Result<(), Error> {
        if self.phrase < 2 {
            return Err(bad(
                "phrase",
                self.phrase,
                "the phrase needs 2 characters or more",
            ));
        }
        if self.trials == 0 || self.distances.is_empty() {
            return Err(bad(
                "trials × distances",
                format!("{} × {}", self.trials, self.distances.len()),
                "the probe needs at least one of each",
            ));
        }
        if let Some(&d) = self.distances.iter().find(|&&d| d < self.phrase) {
            return Err(bad(
                "distance",
                d,
                format!(
                    "it must be at least the phrase's {} characters",
                    self.phrase
                ),
            ));
        }
        let longest = self
            .distances
            .iter()
            .map(|&d| self.window_len(d))
            .max()
            .unwrap_or(0);
        if 2 * longest > held_out.len() {
            return Err(bad(
                "held-out text",
                held_out.len(),
                format!("each half must hold the longest window, {longest} characters"),
            ));
        }
        Ok(())
    }

    /// The draws: for each trial, where its window starts (first half of `held_out`) and where
    /// its phrase starts (second half).
    fn draws(&self, held_out: &[u16]) -> Vec<(usize, usize)> {
        let half = held_out.len() / 2;
        let longest = self
            .distances
            .iter()
            .map(|&d| self.window_len(d))
            .max()
            .unwrap_or(0);
        let mut rng = SplitMix64(self.seed);
        (0..self.trials)
            .map(|_| {
                let start = (rng.next_u64() % (half - longest + 1) as u64) as usize;
                let phrase = half
                    + (rng.next_u64() % (held_out.len() - half - self.phrase + 1) as u64) as usize;
                (start, phrase)
            })
            .collect()
    }

    /// The probe's window for one draw at distance `d`, with or without the first copy.
    ///
    /// # Errors
    /// Settings or a text the probe refuses.
    pub fn window(
        &self,
        held_out: &[u16],
        trial: usize,
        d: usize,
        first_copy: bool,
    ) -> Result<Vec<u16>, Error> {
        self.check(held_out)?;
        let Some(&(start, at)) = self.draws(held_out).get(trial) else {
            return Err(bad(
                "trial",
                trial,
                format!("the probe draws {} trials", self.trials),
            ));
        };
        let phrase = &held_out[at..at + self.phrase];
        let mut w = held_out[start..start + self.window_len(d)].to_vec();
        if first_copy {
            w[self.prefix..self.prefix + self.phrase].copy_from_slice(phrase);
        }
        w[self.prefix + d..].copy_from_slice(phrase);
        Ok(w)
    }

    /// Runs the probe on `scorer` at every distance; `tick` is called once per window scored.
    ///
    /// # Errors
    /// Settings or a text the probe refuses, or the scorer's refusal (a learned table past its
    /// length).
    pub fn run(
        &self,
        scorer: &dyn Scorer,
        held_out: &[u16],
        tick: impl FnMut(),
    ) -> Result<Vec<Point>, Error> {
        self.run_each(scorer, held_out, tick)?
            .into_iter()
            .map(|(d, p)| p.map_err(|e| bad("probe distance", d, e)))
            .collect()
    }

    /// [`Probe::run`] with the scorer's refusal recorded per distance (its message) instead of
    /// ending the run: a learned table answers within `L` and refuses past it.
    ///
    /// # Errors
    /// Settings or a text the probe refuses.
    pub fn run_each(
        &self,
        scorer: &dyn Scorer,
        held_out: &[u16],
        mut tick: impl FnMut(),
    ) -> Result<Vec<Answer>, Error> {
        self.check(held_out)?;
        let mut out = Vec::new();
        for &d in &self.distances {
            let point = self
                .at(scorer, held_out, d, &mut tick)
                .map_err(|e| e.to_string());
            out.push((d, point));
        }
        Ok(out)
    }

    fn at(
        &self,
        scorer: &dyn Scorer,
        held_out: &[u16],
        d: usize,
        tick: &mut impl FnMut(),
    ) -> Result<Point, Error> {
        let mut sums = [0.0f64; 2];
        for trial in 0..self.trials {
            for (k, first) in [true, false].into_iter().enumerate() {
                let w = self.window(held_out, trial, d, first)?;
                let losses = scorer.token_losses(&w)?;
                // Loss t predicts token t + 1: the copy's characters 1..P are tokens
                // prefix + d + 1 ..= prefix + d + P − 1.
                let copy = &losses[self.prefix + d..self.prefix + d + self.phrase - 1];
                sums[k] += copy.iter().map(|&l| f64::from(l)).sum::<f64>() / copy.len() as f64;
                tick();
            }
        }
        let bits = |s: f64| s / self.trials as f64 / std::f64::consts::LN_2;
        Ok(Point {
            distance: d,
            repeated: bits(sums[0]),
            control: bits(sums[1]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Bigram;

    /// A scorer that copies: where the last `order` tokens occurred before within `reach`
    /// tokens, it bets 0.9 on the token that followed them; elsewhere it is a bigram.
    struct Copier {
        order: usize,
        reach: usize,
        base: Bigram,
    }

    impl Scorer for Copier {
        fn token_losses(&self, w: &[u16]) -> crate::Result<Vec<f32>> {
            let base = self.base.token_losses(w)?;
            Ok((0..w.len() - 1)
                .map(|t| {
                    let found = (t + 1 >= self.order)
                        .then(|| {
                            (t.saturating_sub(self.reach)..t).rev().find(|&j| {
                                j + 1 >= self.order
                                    && w[j + 1 - self.order..=j] == w[t + 1 - self.order..=t]
                            })
                        })
                        .flatten();
                    match found {
                        Some(j) if w[j + 1] == w[t + 1] => -(0.9f32 + 0.1 / 256.0).ln(),
                        Some(_) => -(0.1f32 / 256.0).ln(),
                        None => base[t],
                    }
                })
                .collect())
        }
        fn name(&self) -> String {
            "copier".into()
        }
    }

    fn held_out() -> Vec<u16> {
        // Varied text: a bigram of it is far from certain, and long repeats are rare.
        let mut rng = SplitMix64(11);
        (0..6000)
            .map(|_| u16::from(b'a' + (rng.next_u64() % 20) as u8))
            .collect()
    }

    fn probe() -> Probe {
        Probe {
            phrase: 12,
            prefix: 4,
            distances: vec![12, 40, 100, 400, 1000],
            trials: 6,
            seed: 3,
        }
    }

    #[test]
    fn the_windows_hold_the_phrase_twice_or_once() {
        let h = held_out();
        let p = probe();
        for &d in &p.distances {
            let w = p.window(&h, 2, d, true).unwrap();
            let c = p.window(&h, 2, d, false).unwrap();
            assert_eq!(w.len(), p.window_len(d));
            assert_eq!(w[4..16], w[4 + d..]);
            assert_eq!(c[4 + d..], w[4 + d..]);
            assert_ne!(c[4..16], w[4..16]);
            assert_eq!(c[..4], w[..4]);
            assert_eq!(c[16..4 + d], w[16..4 + d]);
        }
        assert!(p.window(&h, 6, 12, true).is_err());
        for bad_probe in [
            Probe {
                phrase: 1,
                ..probe()
            },
            Probe {
                trials: 0,
                ..probe()
            },
            Probe {
                distances: vec![],
                ..probe()
            },
            Probe {
                distances: vec![11],
                ..probe()
            },
            Probe {
                distances: vec![3000],
                ..probe()
            },
        ] {
            assert!(
                bad_probe
                    .run(&Bigram::fit(&h, 1.0).unwrap(), &h, || {})
                    .is_err()
            );
        }
    }

    #[test]
    fn a_bigram_gains_nothing_and_a_copier_gains_within_its_reach() {
        let h = held_out();
        let p = probe();
        let bigram = Bigram::fit(&h, 1.0).unwrap();
        let mut ticks = 0;
        for point in p.run(&bigram, &h, || ticks += 1).unwrap() {
            // One token of context: the second copy's characters after its first see the same
            // previous character with or without the first copy.
            assert_eq!(point.gain(), 0.0, "{point:?}");
            assert!(point.control > 3.0, "{point:?}"); // about log2 20 ≈ 4.3
        }
        assert_eq!(ticks, 2 * p.trials * p.distances.len());
        let copier = Copier {
            order: 3,
            reach: 150,
            base: bigram,
        };
        let points = p.run(&copier, &h, || {}).unwrap();
        for point in &points {
            if point.distance + p.phrase <= copier.reach {
                // Found: most of the 11 characters at −log2(0.9 + 0.1/256) ≈ 0.15 bits; the first
                // two need `order` characters of the copy, and a chance match of three
                // characters nearer than the first copy costs a wrong bet now and then.
                assert!(point.gain() > 2.0, "{point:?}");
                assert!(point.repeated < point.control / 2.0, "{point:?}");
            } else {
                // Out of reach: the first copy is never seen, so nothing changes.
                assert_eq!(point.gain(), 0.0, "{point:?}");
            }
        }
        assert_eq!(
            points.iter().map(|p| p.distance).collect::<Vec<_>>(),
            p.distances
        );
    }
}
