//! Experiment 1, *train short, test long* (Press et al., 2022, arXiv:2108.12409, Figure 1, in
//! miniature): every scheme trained at one length `L` on the corpus's training part, then scored
//! on held-out text at `L` to `16L` by `crate::text::eval`, RoPE also under each test-time
//! change. Jobs (one per scheme and seed) run on up to `threads` threads; each job is
//! deterministic and the results are put back in job order, so the thread count never changes a
//! number.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use errors::bad;

use super::Scaled;
use super::config::Config;
use super::params::Model;
use super::positions::TestScaling;
use super::train::{TrainConfig, train};
use crate::text::Corpus;
use crate::text::eval::{Curve, curve};
use crate::{Result, Scheme};

/// The command that writes the committed results (`results/lm-experiment.md` and `.csv`, and the
/// other parts' files, `super::suite::Part::stem`).
pub const COMMAND: &str = "cargo run --release -p trained --example lm_experiment";

/// What experiment 1 trains and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The model's shape (its `scheme` is replaced by each of [`Setup::schemes`]).
    pub shape: Config,
    /// Windows of `L` tokens per step.
    pub batch: usize,
    /// Optimiser steps (`steps · batch · L` characters seen per run).
    pub steps: usize,
    /// The training seeds (model initialisation and batches).
    pub seeds: Vec<u64>,
    /// The schemes trained.
    pub schemes: Vec<Scheme>,
    /// Held-out tokens scored at each length (the first ones of the held-out block).
    pub eval_tokens: usize,
    /// Evaluation lengths as multiples of `L`.
    pub multiples: Vec<usize>,
}

impl Setup {
    /// The book's configuration: 4 blocks of width 128 (4 heads, feed-forward 256), `L = 64`,
    /// 16 windows a step for 1000 steps (1 024 000 characters per run), 3 seeds, every scheme,
    /// the first `1 + 16 · 1023` held-out characters (16 whole windows at `16L`, 256 at `L`)
    /// scored at `L` to `16L`.
    pub fn full() -> Setup {
        Setup {
            shape: Config {
                scheme: Scheme::NoPe,
                vocab: crate::text::corpus::VOCAB,
                d_model: 128,
                heads: 4,
                layers: 4,
                ff: 256,
                train_len: 64,
                rope_base: 10_000.0,
            },
            batch: 16,
            steps: 1000,
            seeds: vec![0, 1, 2],
            schemes: Scheme::ALL.to_vec(),
            eval_tokens: 1 + 16 * 1023,
            multiples: vec![1, 2, 4, 8, 16],
        }
    }

    /// The test command's configuration: 2 blocks of width 64, `L = 32`, 120 steps of 8 windows,
    /// 2 seeds, `1 + 8 · 511` held-out characters (8 whole windows at `16L`) at `L`, `4L` and
    /// `16L`.
    pub fn reduced() -> Setup {
        Setup {
            shape: Config {
                d_model: 64,
                heads: 2,
                layers: 2,
                ff: 256,
                train_len: 32,
                ..Setup::full().shape
            },
            batch: 8,
            steps: 120,
            seeds: vec![0, 1],
            eval_tokens: 1 + 8 * 511,
            multiples: vec![1, 4, 16],
            ..Setup::full()
        }
    }

    /// The configuration's fingerprint (`crate::text::record::fingerprint` of its debug text).
    pub fn fingerprint(&self) -> String {
        crate::text::record::fingerprint(&format!("{self:?}"))
    }

    /// The evaluation lengths in tokens.
    pub fn lengths(&self) -> Vec<usize> {
        self.multiples
            .iter()
            .map(|m| m * self.shape.train_len)
            .collect()
    }

    /// The test-time changes a scheme is scored under: all of them for RoPE, none otherwise.
    pub fn scalings(scheme: Scheme) -> &'static [TestScaling] {
        if scheme == Scheme::Rope {
            &TestScaling::ALL
        } else {
            &[TestScaling::None]
        }
    }

    /// Progress ticks of a whole run: one per training step and one per scored window.
    pub fn ticks(&self) -> u64 {
        let per_model: usize = self
            .lengths()
            .iter()
            .map(|&n| self.eval_tokens.div_ceil(n - 1))
            .sum();
        let variants: usize = self.schemes.iter().map(|&s| Setup::scalings(s).len()).sum();
        (self.seeds.len() * (self.schemes.len() * self.steps + variants * per_model)) as u64
    }
}

/// One trained model's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The scheme trained.
    pub scheme: Scheme,
    /// The seed.
    pub seed: u64,
    /// The mean training loss (nats) of the last tenth of the steps.
    pub final_loss: f32,
    /// One curve per test-time change ([`Setup::scalings`]).
    pub curves: Vec<(TestScaling, Curve)>,
}

/// Trains and scores one scheme with one seed.
///
/// # Errors
/// A corpus too short for the windows, a shape the model refuses.
pub fn run_one(
    setup: &Setup,
    corpus: &Corpus,
    scheme: Scheme,
    seed: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome> {
    let (model, final_loss) = trained(setup, corpus, scheme, seed, tick)?;
    scored(setup, corpus, &model, seed, final_loss, tick)
}

/// One scheme trained with one seed, with the mean training loss (nats) of the last tenth of
/// the steps; `tick` is called once per step.
///
/// # Errors
/// A corpus too short for the windows, a shape the model refuses.
pub fn trained(
    setup: &Setup,
    corpus: &Corpus,
    scheme: Scheme,
    seed: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<(Model, f32)> {
    let cfg = Config {
        scheme,
        ..setup.shape
    };
    let opts = TrainConfig::with_steps(setup.steps);
    let l = cfg.train_len;
    let batches = |step: usize| {
        corpus
            .train_batch(seed, step as u64, setup.batch, l)
            .unwrap_or_default()
    };
    let (model, losses): (Model, Vec<f32>) = train(&cfg, seed, &opts, batches, |_| tick())?;
    let tail = &losses[losses.len() - (losses.len() / 10).max(1)..];
    Ok((model, tail.iter().sum::<f32>() / tail.len() as f32))
}

/// A trained model scored on the held-out text at every length of `setup` under each of its
/// scheme's test-time changes; `tick` is called once per window.
///
/// # Errors
/// More held-out tokens asked for than the block has.
pub fn scored(
    setup: &Setup,
    corpus: &Corpus,
    model: &Model,
    seed: u64,
    final_loss: f32,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome> {
    let scheme = model.cfg.scheme;
    let text = eval_text(setup, corpus)?;
    let mut curves = Vec::new();
    for &scaling in Setup::scalings(scheme) {
        let scored = Scaled { model, scaling };
        curves.push((scaling, curve(&scored, text, &setup.lengths(), tick)?));
    }
    Ok(Outcome {
        scheme,
        seed,
        final_loss,
        curves,
    })
}

/// The held-out text every model is scored on: the block's first `setup.eval_tokens` tokens.
///
/// # Errors
/// More tokens asked for than the block has.
pub fn eval_text<'c>(setup: &Setup, corpus: &'c Corpus) -> Result<&'c [u16]> {
    let held = corpus.held_out();
    held.get(..setup.eval_tokens).ok_or_else(|| {
        bad(
            "eval_tokens",
            setup.eval_tokens,
            format!("the held-out block has {} tokens", held.len()),
        )
    })
}

/// Every scheme with every seed, on up to `threads` threads.
///
/// # Errors
/// The first job's error, in job order.
pub fn run(
    setup: &Setup,
    corpus: &Corpus,
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Outcome>> {
    let jobs: Vec<(Scheme, u64)> = setup
        .seeds
        .iter()
        .flat_map(|&seed| setup.schemes.iter().map(move |&s| (s, seed)))
        .collect();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<Outcome>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(scheme, seed)) = jobs.get(i) else {
                        break;
                    };
                    let out = run_one(setup, corpus, scheme, seed, tick);
                    if let Ok(mut d) = done.lock() {
                        d[i] = Some(out);
                    }
                }
            });
        }
    });
    let done = done
        .into_inner()
        .map_err(|_| bad("experiment", "a worker", "a worker thread panicked"))?;
    done.into_iter()
        .map(|o| o.unwrap_or_else(|| Err(bad("experiment", "a job", "a job did not finish"))))
        .collect()
}

/// One line of the results: a variant (scheme and test-time change) over the seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The variant's name.
    pub name: String,
    /// Per length: the seeds' bits per character (in seed order), or the refusal's message.
    pub cells: Vec<(usize, std::result::Result<Vec<f64>, String>)>,
}

/// The outcomes gathered per variant, in the order of the schemes and test-time changes.
pub fn rows(outcomes: &[Outcome]) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    for o in outcomes {
        for (scaling, c) in &o.curves {
            let name = format!("{}{}", o.scheme.name(), scaling.suffix());
            let at = match out.iter().position(|r| r.name == name) {
                Some(i) => i,
                None => {
                    out.push(Row {
                        name,
                        cells: c.points.iter().map(|(n, _)| (*n, Ok(Vec::new()))).collect(),
                    });
                    out.len() - 1
                }
            };
            for ((_, cell), (_, point)) in out[at].cells.iter_mut().zip(&c.points) {
                match (cell.as_mut(), point) {
                    (Ok(v), Ok(b)) => v.push(*b),
                    (_, Err(e)) => *cell = Err(e.clone()),
                    (Err(_), Ok(_)) => {}
                }
            }
        }
    }
    out
}

/// `mean (min–max)` of the seeds' values, 3 decimals.
///
/// ```
/// assert_eq!(trained::lm::runs::spread(&[1.0, 1.5, 2.0]), "1.500 (1.000–2.000)");
/// ```
pub fn spread(v: &[f64]) -> String {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{mean:.3} ({lo:.3}–{hi:.3})")
}

/// The results as a Markdown table: one row per variant, one column per length, each cell the
/// mean bits per character over the seeds with their range; a refused length says so.
pub fn table(setup: &Setup, outcomes: &[Outcome]) -> String {
    let l = setup.shape.train_len;
    let mut s = String::from("| model |");
    for m in &setup.multiples {
        s.push_str(&format!(" {}L = {} |", m, m * l));
    }
    s.push_str("\n|:--|");
    s.push_str(&"--:|".repeat(setup.multiples.len()));
    s.push('\n');
    for row in rows(outcomes) {
        s.push_str(&format!("| {} |", row.name));
        for (_, cell) in &row.cells {
            match cell {
                Ok(v) => s.push_str(&format!(" {} |", spread(v))),
                Err(_) => s.push_str(" refused |"),
            }
        }
        s.push('\n');
    }
    s
}

/// The results as CSV: `scheme,scaling,seed,n,bits_per_char,final_loss` (a refused length has an
/// empty value).
pub fn csv(outcomes: &[Outcome]) -> String {
    let mut s = String::from("scheme,scaling,seed,n,bits_per_char,final_loss\n");
    for o in outcomes {
        for (scaling, c) in &o.curves {
            for (n, p) in &c.points {
                let v = p.as_ref().map(|b| format!("{b:.6}")).unwrap_or_default();
                s.push_str(&format!(
                    "{},{scaling:?},{},{n},{v},{:.6}\n",
                    o.scheme.name(),
                    o.seed,
                    o.final_loss
                ));
            }
        }
    }
    s
}

/// A digest of numbers the model computes quickly: the losses of a tiny model over five
/// training steps on fixed bytes, 4 decimals (enough to change with the code, not with the
/// rounding of another machine's matrix kernel).
///
/// # Errors
/// None in practice (the tiny shape is valid); a refusal is passed on.
pub fn canary() -> Result<String> {
    let cfg = Config {
        scheme: Scheme::Rope,
        vocab: 16,
        d_model: 16,
        heads: 2,
        layers: 2,
        ff: 32,
        train_len: 8,
        rope_base: 10_000.0,
    };
    let batches = |step: usize| -> Vec<Vec<u16>> {
        (0..2)
            .map(|w| (0..8).map(|t| ((t * 3 + w + step) % 16) as u16).collect())
            .collect()
    };
    let (_, losses) = train(&cfg, 1, &TrainConfig::with_steps(5), batches, |_| {})?;
    Ok(losses
        .iter()
        .map(|l| format!("{l:.4}"))
        .collect::<Vec<_>>()
        .join(" "))
}
