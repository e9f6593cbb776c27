//! Experiment 3, *extending with a short fine-tune* (Chen et al., 2023, arXiv:2306.15595; Peng
//! et al., 2023, arXiv:2309.00071), in miniature: experiment 1's RoPE models, trained at `L`, are
//! fine-tuned at `4L` with their frequencies changed by PI, NTK-aware or YaRN (factor 4, chapter
//! 6's formulas through [`super::positions::rope_frequencies_at`]), against plain RoPE
//! fine-tuned the same way. One fine-tune run per (change, seed), at a constant learning rate
//! after a short warm-up, so that the budgets are checkpoints of that one run: the model after
//! 25 steps is the 25th step of the run that goes on to 200. Each checkpoint is scored on the
//! held-out text at `4L` and at `L`, both read with the extended frequencies (what the fine-tune
//! costs at the length the model was trained at).

use errors::bad;

use super::Extended;
use super::params::Model;
use super::positions::{Tables, TestScaling};
use super::runs::{Setup, eval_text, spread};
use super::suite::pool;
use super::train::{Schedule, TrainConfig, fit_with};
use crate::text::Corpus;
use crate::text::eval::bits_per_char;
use crate::{Result, Scheme};

/// What experiment 3 trains and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The base models: experiment 1's setup (its RoPE models are the ones extended).
    pub base: Setup,
    /// The extension factor: the fine-tune reads windows of `factor · L` tokens.
    pub factor: usize,
    /// The checkpoints, in steps of the one fine-tune run (0: the change at test time only).
    pub budgets: Vec<usize>,
    /// The learning rate after the warm-up (held to the end).
    pub lr: f64,
    /// Steps of linear warm-up.
    pub warmup: usize,
    /// The frequency changes compared (plain RoPE first).
    pub scalings: Vec<TestScaling>,
}

impl Sweep {
    /// The book's sweep: experiment 1's RoPE models extended to `4L`, checkpoints after 0, 25,
    /// 50, 100 and 200 steps of `batch · L / 4L` = 4 windows of `4L` (the base training's
    /// characters per step), rate `5·10⁻⁴` after 10 steps of warm-up.
    pub fn full() -> Sweep {
        Sweep::on(Setup::full(), vec![0, 25, 50, 100, 200])
    }

    /// The sweep on other base models with other checkpoints.
    pub fn on(base: Setup, budgets: Vec<usize>) -> Sweep {
        Sweep {
            base,
            factor: 4,
            budgets,
            lr: 5e-4,
            warmup: 10,
            scalings: vec![
                TestScaling::None,
                TestScaling::Pi,
                TestScaling::Ntk,
                TestScaling::Yarn,
            ],
        }
    }

    /// The configuration's fingerprint.
    pub fn fingerprint(&self) -> String {
        crate::text::record::fingerprint(&format!("{self:?}"))
    }

    /// The fine-tune's optimiser settings.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            lr: self.lr,
            warmup: self.warmup,
            schedule: Schedule::Constant,
            ..TrainConfig::with_steps(self.budgets.iter().copied().max().unwrap_or(0))
        }
    }

    /// Windows of `factor · L` per fine-tuning step.
    pub fn windows_per_step(&self) -> usize {
        (self.base.batch / self.factor).max(1)
    }

    /// Progress ticks of one fine-tune run: a step each, and a window per checkpoint's score.
    pub fn ticks_per_run(&self) -> u64 {
        let l = self.base.shape.train_len;
        let per = |n: usize| self.base.eval_tokens.div_ceil(n - 1);
        let steps = self.budgets.iter().copied().max().unwrap_or(0);
        (steps + self.budgets.len() * (per(l) + per(self.factor * l))) as u64
    }
}

/// One checkpoint's scores, in bits per character on the held-out text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checkpoint {
    /// Fine-tuning steps done.
    pub budget: usize,
    /// At `factor · L`.
    pub long: f64,
    /// At `L`.
    pub short: f64,
}

/// One fine-tune run's checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    /// The frequency change.
    pub scaling: TestScaling,
    /// The base model's seed.
    pub seed: u64,
    /// In budget order.
    pub checkpoints: Vec<Checkpoint>,
}

/// Fine-tunes `base` (a RoPE model of `s.base`, trained with `seed`) under `scaling`, scoring it
/// at every checkpoint; `tick` is called once per step and per window scored.
///
/// # Errors
/// A base model that is not RoPE, budgets out of order, a corpus too short, a refusal of the
/// model or chapter 6's code.
pub fn extend(
    s: &Sweep,
    corpus: &Corpus,
    base: &Model,
    seed: u64,
    scaling: TestScaling,
    tick: &(dyn Fn() + Sync),
) -> Result<Extension> {
    if base.cfg.scheme != Scheme::Rope {
        return Err(bad(
            "base model",
            base.cfg.scheme,
            "only RoPE models are extended",
        ));
    }
    if s.budgets.first() != Some(&0) || !s.budgets.is_sorted() || s.factor < 2 {
        return Err(bad(
            "budgets / factor",
            format!("{:?} / {}", s.budgets, s.factor),
            "budgets start at 0 and rise, and the factor is 2 or more",
        ));
    }
    let cfg = base.cfg;
    let l = cfg.train_len;
    let n = s.factor * l;
    let text = eval_text(&s.base, corpus)?;
    let factor = s.factor as f64;
    let score = |m: &Model, budget: usize| -> Result<Checkpoint> {
        let read = Extended {
            model: m,
            scaling,
            factor,
        };
        Ok(Checkpoint {
            budget,
            long: bits_per_char(&read, text, n, tick)?,
            short: bits_per_char(&read, text, l, tick)?,
        })
    };
    let mut model = base.clone();
    let mut checkpoints = vec![score(&model, 0)?];
    if s.budgets.len() > 1 {
        let per_step = s.windows_per_step();
        // Fine-tuning windows from another stream than the base training's.
        let long = |step: usize| {
            corpus
                .train_batch(seed + 1000, step as u64, per_step, n)
                .unwrap_or_default()
        };
        let tables = |len: usize| Tables::extended(&cfg, scaling, factor, len);
        fit_with(
            &mut model,
            &s.train_config(),
            &tables,
            &super::Trace::loss_grad,
            long,
            |p, m| {
                tick();
                if s.budgets[1..].contains(&p.step) {
                    checkpoints.push(score(m, p.step)?);
                }
                Ok(())
            },
        )?;
    }
    Ok(Extension {
        scaling,
        seed,
        checkpoints,
    })
}

/// Every frequency change on every base model (`(seed, model)` pairs), on up to `threads`
/// threads, in (seed, change) order.
///
/// # Errors
/// The first job's error, in job order.
pub fn run(
    s: &Sweep,
    corpus: &Corpus,
    bases: &[(u64, Model)],
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Extension>> {
    let jobs: Vec<(&(u64, Model), TestScaling)> = bases
        .iter()
        .flat_map(|b| s.scalings.iter().map(move |&sc| (b, sc)))
        .collect();
    pool(&jobs, threads, |&((seed, model), scaling)| {
        extend(s, corpus, model, *seed, scaling, tick)
    })
}

fn label(scaling: TestScaling) -> String {
    match scaling {
        TestScaling::None => "plain RoPE".to_string(),
        other => format!("RoPE + {other}"),
    }
}

/// The seeds' values of one change at one budget.
pub fn values(
    runs: &[Extension],
    scaling: TestScaling,
    budget: usize,
    pick: fn(&Checkpoint) -> f64,
) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.scaling == scaling)
        .filter_map(|r| r.checkpoints.iter().find(|c| c.budget == budget))
        .map(pick)
        .collect()
}

/// The sweep as a Markdown table of one length (`long`: `factor · L`, else `L`): a row per
/// frequency change, a column per budget, each cell the seeds' mean (lowest–highest).
pub fn table(s: &Sweep, runs: &[Extension], long: bool) -> String {
    let l = s.base.shape.train_len;
    let n = if long { s.factor * l } else { l };
    let mut out = format!("| at n = {n} |");
    for b in &s.budgets {
        out.push_str(&format!(" {b} steps |"));
    }
    out.push_str("\n|:--|");
    out.push_str(&"--:|".repeat(s.budgets.len()));
    out.push('\n');
    let pick: fn(&Checkpoint) -> f64 = if long { |c| c.long } else { |c| c.short };
    for &scaling in &s.scalings {
        out.push_str(&format!("| {} |", label(scaling)));
        for &b in &s.budgets {
            out.push_str(&format!(" {} |", spread(&values(runs, scaling, b, pick))));
        }
        out.push('\n');
    }
    out
}

/// The sweep as CSV: `scaling,seed,budget,n,bits_per_char`.
pub fn csv(s: &Sweep, runs: &[Extension]) -> String {
    let l = s.base.shape.train_len;
    let mut out = String::from("scaling,seed,budget,n,bits_per_char\n");
    for r in runs {
        for c in &r.checkpoints {
            for (n, v) in [(s.factor * l, c.long), (l, c.short)] {
                out.push_str(&format!(
                    "{:?},{},{},{n},{v:.6}\n",
                    r.scaling, r.seed, c.budget
                ));
            }
        }
    }
    out
}
