//! Experiment 4, *NoPE with a feed-forward layer*: the length-generalisation comparison of
//! Kazemnejad et al. (2023, "The Impact of Positional Encoding on Length Generalization in
//! Transformers", arXiv:2305.19466, §4) on one of their task families, Reverse, with small
//! models of this crate's decoder.
//!
//! The task as their reference code builds it (McGill-NLP/length-generalization, commit
//! d06170e, `scripts/dataset_builders/make_reverse_dataset.py`, split `mc_tr20_ts40`): a
//! sequence of `k` tokens drawn uniformly from a fixed set, then a separator, then the same
//! tokens in reverse order; training lengths `k` from 4 to 20, test lengths 21 to 40. Here: a
//! set of [`TaskSetup::symbols`] tokens instead of their 100, an end token after the answer,
//! training windows padded to the longest (the padding comes after the end token, so causal
//! attention never sees it), and the loss counted on the answer and the end token only. Scored
//! with the correct answer fed in (teacher forcing): *token accuracy* is the share of the answer's
//! tokens and end token whose most likely prediction is right, *exact match* the share of
//! sequences with every one right, which is exactly what greedy decoding gets right (the first
//! wrong token is where greedy decoding would leave the answer).

use bookkit::rng::SplitMix64;
use errors::bad;
use ndarray::Array2;

use super::config::Config;
use super::forward::Trace;
use super::params::Model;
use super::positions::{Tables, TestScaling};
use super::runs::spread;
use super::suite::pool;
use super::train::{TrainConfig, fit_with};
use crate::{Result, Scheme};

/// What experiment 4 trains and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSetup {
    /// The model's shape (its scheme is replaced by each of [`TaskSetup::schemes`]; its
    /// vocabulary is `symbols + 3` and its training length `2 · train_max + 2`).
    pub shape: Config,
    /// Distinct tokens a sequence is drawn from.
    pub symbols: usize,
    /// The shortest training sequence, `k` tokens.
    pub train_min: usize,
    /// The longest training sequence.
    pub train_max: usize,
    /// The lengths `k` scored.
    pub test_lengths: Vec<usize>,
    /// Sequences scored per length (the same ones for every model).
    pub tests: usize,
    /// Sequences per training step.
    pub batch: usize,
    /// Optimiser steps.
    pub steps: usize,
    /// The training seeds.
    pub seeds: Vec<u64>,
    /// The schemes trained.
    pub schemes: Vec<Scheme>,
}

/// The separator after the sequence, as a token after the symbols.
fn sep(symbols: usize) -> u16 {
    symbols as u16
}

/// The end token after the answer.
fn end(symbols: usize) -> u16 {
    symbols as u16 + 1
}

/// The padding after the end token.
fn pad(symbols: usize) -> u16 {
    symbols as u16 + 2
}

impl TaskSetup {
    /// The book's run: 4 blocks of width 64 (2 heads, feed-forward 256), 16 symbols, training
    /// lengths 4 to 20 (windows of up to 42 tokens), 32 sequences a step for 1500 steps, 3 seeds,
    /// NoPE, sinusoidal, T5 buckets, ALiBi and RoPE, 100 sequences at each of k = 10, 20, 25, 30
    /// and 40. The learned table is left out: it has no row past the training window.
    pub fn full() -> TaskSetup {
        let (symbols, train_max) = (16, 20);
        TaskSetup {
            shape: Config {
                scheme: Scheme::NoPe,
                vocab: symbols + 3,
                d_model: 64,
                heads: 2,
                layers: 4,
                ff: 256,
                train_len: 2 * train_max + 2,
                rope_base: 10_000.0,
            },
            symbols,
            train_min: 4,
            train_max,
            test_lengths: vec![10, 20, 25, 30, 40],
            tests: 100,
            batch: 32,
            steps: 1500,
            seeds: vec![0, 1, 2],
            schemes: vec![
                Scheme::NoPe,
                Scheme::Sinusoidal,
                Scheme::T5,
                Scheme::Alibi,
                Scheme::Rope,
            ],
        }
    }

    /// The test command's run: 2 blocks of width 32, 6 symbols, lengths 2 to 6, 250 steps of 16,
    /// two seeds, NoPE and ALiBi, 32 sequences at k = 6 and 12.
    pub fn reduced() -> TaskSetup {
        let (symbols, train_max) = (6, 6);
        TaskSetup {
            shape: Config {
                vocab: symbols + 3,
                d_model: 32,
                heads: 2,
                layers: 2,
                ff: 64,
                train_len: 2 * train_max + 2,
                ..TaskSetup::full().shape
            },
            symbols,
            train_min: 2,
            train_max,
            test_lengths: vec![6, 12],
            tests: 32,
            batch: 16,
            steps: 250,
            seeds: vec![0, 1],
            schemes: vec![Scheme::NoPe, Scheme::Alibi],
        }
    }

    fn check(&self) -> Result<()> {
        if self.symbols < 2
            || self.shape.vocab != self.symbols + 3
            || self.train_min == 0
            || self.train_min > self.train_max
            || self.shape.train_len != 2 * self.train_max + 2
        {
            return Err(bad(
                "task setup",
                format!(
                    "{} symbols, vocab {}, lengths {} to {}, L = {}",
                    self.symbols,
                    self.shape.vocab,
                    self.train_min,
                    self.train_max,
                    self.shape.train_len
                ),
                "2 symbols or more, vocab = symbols + 3, 1 ≤ train_min ≤ train_max, L = 2 · train_max + 2",
            ));
        }
        if self.tests == 0 || self.test_lengths.contains(&0) || self.test_lengths.is_empty() {
            return Err(bad(
                "test lengths × tests",
                format!("{:?} × {}", self.test_lengths, self.tests),
                "at least one length, each 1 or more, and one sequence",
            ));
        }
        Ok(())
    }

    /// The sequence of `k` symbols `rng` draws, written as the task's window: the sequence, the
    /// separator, the sequence reversed, the end token (`2k + 2` tokens).
    ///
    /// ```
    /// use trained::lm::task::TaskSetup;
    /// let t = TaskSetup::reduced(); // 6 symbols: separator 6, end 7
    /// let w = t.instance(&mut bookkit::rng::SplitMix64(1), 3);
    /// assert_eq!(w.len(), 8);
    /// assert_eq!((w[3], w[7]), (6, 7));
    /// assert_eq!((w[4], w[5], w[6]), (w[2], w[1], w[0]));
    /// ```
    pub fn instance(&self, rng: &mut SplitMix64, k: usize) -> Vec<u16> {
        let x: Vec<u16> = (0..k)
            .map(|_| (rng.next_u64() % self.symbols as u64) as u16)
            .collect();
        let mut w = x.clone();
        w.push(sep(self.symbols));
        w.extend(x.iter().rev());
        w.push(end(self.symbols));
        w
    }

    /// Step `step`'s training batch for `seed`: each sequence drawn from its own generator, its
    /// length uniform in `train_min..=train_max`, padded to `L`.
    pub fn batch(&self, seed: u64, step: usize) -> Vec<Vec<u16>> {
        (0..self.batch as u64)
            .map(|b| {
                let mut rng = SplitMix64(crate::train::mix(seed, step as u64, b));
                let span = (self.train_max - self.train_min + 1) as u64;
                let k = self.train_min + (rng.next_u64() % span) as usize;
                let mut w = self.instance(&mut rng, k);
                w.resize(self.shape.train_len, pad(self.symbols));
                w
            })
            .collect()
    }

    /// The scored sequences of length `k` (the same for every model and seed).
    pub fn tests_of(&self, k: usize) -> Vec<Vec<u16>> {
        (0..self.tests as u64)
            .map(|i| self.instance(&mut SplitMix64(crate::train::mix(1 << 40, k as u64, i)), k))
            .collect()
    }

    /// The configuration's fingerprint.
    pub fn fingerprint(&self) -> String {
        crate::text::record::fingerprint(&format!("{self:?}"))
    }

    /// Progress ticks: one per training step.
    pub fn ticks(&self) -> u64 {
        (self.seeds.len() * self.schemes.len() * self.steps) as u64
    }
}

/// The mean loss over the answer's predictions (the rows from the separator to the token before
/// the end token) and its gradient with respect to the logits; every other row is left out.
pub fn answer_loss(trace: &Trace, sep_token: u16) -> (f32, Array2<f32>) {
    let n = trace.n;
    let mut rows = Vec::new();
    for w in 0..trace.batch {
        let toks = &trace.tokens[w * n..(w + 1) * n];
        if let Some(k) = toks.iter().position(|&t| t == usize::from(sep_token)) {
            rows.extend((k..(2 * k + 1).min(n - 1)).map(|t| w * n + t));
        }
    }
    let mut grad = Array2::zeros(trace.logits.dim());
    let count = rows.len().max(1) as f32;
    let mut loss = 0.0;
    for r in rows {
        let y = trace.tokens[r + 1];
        let row = trace.logits.row(r);
        let max = row.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        let mut out = grad.row_mut(r);
        out.zip_mut_with(&row, |e, &x| *e = (x - max).exp());
        let z: f32 = out.sum();
        loss += (z.ln() + max - row[y]) / count;
        out.mapv_inplace(|e| e / (z * count));
        out[y] -= 1.0 / count;
    }
    (loss, grad)
}

/// One length's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The sequence length `k`.
    pub k: usize,
    /// Share of sequences with every answer token and the end token right.
    pub exact: f64,
    /// Share of answer and end tokens right.
    pub token: f64,
}

/// `model`'s scores on the test sequences of length `k`.
///
/// # Errors
/// A window the scheme cannot read (a learned table past `L`).
pub fn score(t: &TaskSetup, model: &Model, k: usize) -> Result<Score> {
    let tests = t.tests_of(k);
    let n = 2 * k + 2;
    let tables = Tables::new(&model.cfg, TestScaling::None, n)?;
    let (mut exact, mut right) = (0usize, 0usize);
    for chunk in tests.chunks(32) {
        let seqs: Vec<&[u16]> = chunk.iter().map(Vec::as_slice).collect();
        let trace = model.forward(&seqs, &tables)?;
        for (w, seq) in chunk.iter().enumerate() {
            let ok = (k..=2 * k)
                .filter(|&r| {
                    let row = trace.logits.row(w * n + r);
                    let best = (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                    best == usize::from(seq[r + 1])
                })
                .count();
            right += ok;
            exact += usize::from(ok == k + 1);
        }
    }
    Ok(Score {
        k,
        exact: exact as f64 / tests.len() as f64,
        token: right as f64 / (tests.len() * (k + 1)) as f64,
    })
}

/// One trained model's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome {
    /// The scheme.
    pub scheme: Scheme,
    /// The seed.
    pub seed: u64,
    /// The mean training loss on the answers over the last tenth of the steps (nats).
    pub final_loss: f32,
    /// Per test length, the scores or the refusal's message.
    pub scores: Vec<(usize, std::result::Result<Score, String>)>,
}

/// Trains and scores every scheme with every seed on up to `threads` threads (seed-major).
///
/// # Errors
/// A setup [`TaskSetup`] refuses, a refusal of the model (the first, in job order).
pub fn run(t: &TaskSetup, threads: usize, tick: &(dyn Fn() + Sync)) -> Result<Vec<TaskOutcome>> {
    t.check()?;
    let jobs: Vec<(Scheme, u64)> = t
        .seeds
        .iter()
        .flat_map(|&seed| t.schemes.iter().map(move |&s| (s, seed)))
        .collect();
    pool(&jobs, threads, |&(scheme, seed)| {
        let cfg = Config { scheme, ..t.shape };
        let mut model = Model::new(cfg, seed)?;
        let sep_token = sep(t.symbols);
        let losses = fit_with(
            &mut model,
            &TrainConfig::with_steps(t.steps),
            &|n| Tables::new(&cfg, TestScaling::None, n),
            &|trace: &Trace| answer_loss(trace, sep_token),
            |step| t.batch(seed, step),
            |_, _| {
                tick();
                Ok(())
            },
        )?;
        let tail = &losses[losses.len() - (losses.len() / 10).max(1)..];
        let scores = t
            .test_lengths
            .iter()
            .map(|&k| (k, score(t, &model, k).map_err(|e| e.to_string())))
            .collect();
        Ok(TaskOutcome {
            scheme,
            seed,
            final_loss: tail.iter().sum::<f32>() / tail.len() as f32,
            scores,
        })
    })
}

/// The seeds' values of one scheme at one length (`None` if any seed refused).
pub fn values(
    outcomes: &[TaskOutcome],
    scheme: Scheme,
    k: usize,
    pick: fn(&Score) -> f64,
) -> Option<Vec<f64>> {
    outcomes
        .iter()
        .filter(|o| o.scheme == scheme)
        .map(|o| {
            o.scores
                .iter()
                .find(|(at, _)| *at == k)
                .and_then(|(_, s)| s.as_ref().ok())
                .map(pick)
        })
        .collect()
}

/// One metric as a Markdown table: a row per scheme, a column per length (marked past the
/// training lengths), each cell the seeds' mean (lowest–highest).
pub fn table(t: &TaskSetup, outcomes: &[TaskOutcome], exact: bool) -> String {
    let mut out = String::from("| model |");
    for &k in &t.test_lengths {
        let past = if k > t.train_max {
            " (past training)"
        } else {
            ""
        };
        out.push_str(&format!(" k = {k}{past} |"));
    }
    out.push_str("\n|:--|");
    out.push_str(&"--:|".repeat(t.test_lengths.len()));
    out.push('\n');
    let pick: fn(&Score) -> f64 = if exact { |s| s.exact } else { |s| s.token };
    for &s in &t.schemes {
        out.push_str(&format!("| {} |", s.name()));
        for &k in &t.test_lengths {
            match values(outcomes, s, k, pick) {
                Some(v) => out.push_str(&format!(" {} |", spread(&v))),
                None => out.push_str(" refused |"),
            }
        }
        out.push('\n');
    }
    out
}

/// The outcomes as CSV: `scheme,seed,k,exact_match,token_accuracy,final_loss`.
pub fn csv(outcomes: &[TaskOutcome]) -> String {
    let mut out = String::from("scheme,seed,k,exact_match,token_accuracy,final_loss\n");
    for o in outcomes {
        for (k, s) in &o.scores {
            let (a, b) = match s {
                Ok(s) => (format!("{:.4}", s.exact), format!("{:.4}", s.token)),
                Err(_) => (String::new(), String::new()),
            };
            out.push_str(&format!(
                "{},{},{k},{a},{b},{:.6}\n",
                o.scheme.name(),
                o.seed,
                o.final_loss
            ));
        }
    }
    out
}
