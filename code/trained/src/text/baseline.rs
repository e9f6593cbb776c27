//! The baseline run on real text: the bigram's bits per character at `L` to `16L` and its
//! repeated-phrase probe, with the configuration and the results file the chapter includes.
//! The language models are scored by the same functions ([`super::eval::curve`],
//! [`super::probe::Probe::run`]) on the same characters.

use super::Bigram;
use super::corpus::Corpus;
use super::eval::{Curve, MULTIPLES, curve};
use super::probe::{Point, Probe};
use super::record::{Provenance, fingerprint};
use crate::Error;

/// Everything that decides the baseline's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The training length `L` the evaluation lengths are multiples of.
    pub train_len: usize,
    /// Evaluation lengths as multiples of `L`.
    pub multiples: Vec<usize>,
    /// The bigram's smoothing `α`.
    pub alpha: f64,
    /// Held-out tokens scored (the first ones of the block).
    pub eval_tokens: usize,
    /// The repeated-phrase probe.
    pub probe: Probe,
}

/// The chapter's training length for models of real text, in characters.
pub const TRAIN_LEN: usize = 64;

impl Config {
    /// The configuration the chapter reports: `L = 64`, lengths `L` to `16L`, add-one smoothing,
    /// the first `1 + 64 · 1023` held-out characters (64 windows at `16L`), and a probe with a
    /// phrase of 16 characters after a prefix of 8 at distances whose windows are 40 and 64
    /// characters (within `L`) and `2L` to `16L`, 32 trials.
    pub fn book() -> Config {
        let (prefix, phrase) = (8, 16);
        let mut distances = vec![16, TRAIN_LEN - prefix - phrase];
        distances.extend([2, 4, 8, 16].map(|m| m * TRAIN_LEN - prefix - phrase));
        Config {
            train_len: TRAIN_LEN,
            multiples: MULTIPLES.to_vec(),
            alpha: 1.0,
            eval_tokens: 1 + 64 * (16 * TRAIN_LEN - 1),
            probe: Probe {
                phrase,
                prefix,
                distances,
                trials: 32,
                seed: 0,
            },
        }
    }

    /// The evaluation lengths.
    pub fn lengths(&self) -> Vec<usize> {
        self.multiples.iter().map(|m| m * self.train_len).collect()
    }

    /// The results file's first line for this configuration and `canary`.
    pub fn provenance(&self, canary: String) -> Provenance {
        Provenance {
            command: "cargo run -p trained --example text".into(),
            seeds: Vec::new(),
            fingerprint: fingerprint(&format!("{self:?}")),
            canary,
        }
    }
}

/// What the baseline run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// Bits per character at each length.
    pub curve: Curve,
    /// The probe at each distance.
    pub probe: Vec<Point>,
    /// [`canary`]'s value for the code that ran.
    pub canary: String,
}

/// A digest of the code: the bigram's bits per character on the first 4097 held-out
/// characters at `L`, to 12 decimals.
///
/// # Errors
/// A corpus or configuration the harness refuses.
pub fn canary(config: &Config, corpus: &Corpus, bigram: &Bigram) -> Result<String, Error> {
    let text = &corpus.held_out()[..4097.min(corpus.held_out().len())];
    let bits = super::eval::bits_per_char(bigram, text, config.train_len, || {})?;
    Ok(format!("bigram={bits:.12}"))
}

/// Counts the bigram on the training part, scores it at every length and runs the probe;
/// `tick` is called once per window scored.
///
/// # Errors
/// A configuration or corpus the harness refuses.
pub fn run(config: &Config, corpus: &Corpus, mut tick: impl FnMut()) -> Result<Baseline, Error> {
    let bigram = Bigram::fit(corpus.train(), config.alpha)?;
    let held = corpus.held_out();
    let text = &held[..config.eval_tokens.min(held.len())];
    Ok(Baseline {
        curve: curve(&bigram, text, &config.lengths(), &mut tick)?,
        probe: config.probe.run(&bigram, held, &mut tick)?,
        canary: canary(config, corpus, &bigram)?,
    })
}

/// How many windows [`run`] scores (what a progress bar counts).
///
/// # Errors
/// Lengths [`super::eval::windows`] refuses.
pub fn total_windows(config: &Config, corpus: &Corpus) -> Result<u64, Error> {
    let n = config.eval_tokens.min(corpus.held_out().len());
    let mut total = 2 * config.probe.trials * config.probe.distances.len();
    for len in config.lengths() {
        total += super::eval::windows(n, len)?.len();
    }
    Ok(total as u64)
}

/// The results file: provenance, the bits-per-character table, the probe's table.
pub fn report(config: &Config, baseline: &Baseline) -> String {
    let mut out = config.provenance(baseline.canary.clone()).line();
    out.push_str(&format!(
        "\n\nBits per character on the first {} characters of the held-out text (windows of n characters that follow each other; lower is better):\n\n| model |",
        config.eval_tokens
    ));
    for n in config.lengths() {
        out.push_str(&format!(" n = {n} |"));
    }
    out.push_str("\n|:--|");
    out.push_str(&"--:|".repeat(config.lengths().len()));
    out.push_str(&format!("\n| {} |", baseline.curve.name));
    for (_, point) in &baseline.curve.points {
        match point {
            Ok(bits) => out.push_str(&format!(" {bits:.4} |")),
            Err(_) => out.push_str(" refused |"),
        }
    }
    let p = &config.probe;
    out.push_str(&format!(
        "\n\nRepeated-phrase probe ({} trials, a phrase of {} characters written twice into held-out text after a prefix of {}): bits per character on the second copy with the first copy d characters before it, then without it (the control), and the window's length:\n\n| d | window | with the first copy | control | gain |\n|--:|--:|--:|--:|--:|\n",
        p.trials, p.phrase, p.prefix
    ));
    for point in &baseline.probe {
        out.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} | {:.4} |\n",
            point.distance,
            p.window_len(point.distance),
            point.repeated,
            point.control,
            point.gain()
        ));
    }
    out
}
