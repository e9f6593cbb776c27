//! Experiment 3, *extending with a short fine-tune* (Chen et al., 2023, arXiv:2306.15595; Peng
//! et al., 2023, arXiv:2309.00071), in miniature: a RoPE model trained at `L` is fine-tuned at
//! `4L` for a sweep of step budgets with its frequencies changed by PI, NTK-aware or YaRN (factor
//! 4), against plain RoPE fine-tuned the same way, and scored on held-out text at `4L`.

use std::sync::Mutex;

use errors::bad;

use super::Scaled;
use super::config::Config;
use super::params::Model;
use super::positions::TestScaling;
use super::runs::{Setup, spread};
use super::train::{TrainConfig, fit, train};
use crate::text::Corpus;
use crate::text::eval::bits_per_char;
use crate::{Result, Scheme};

/// What experiment 3 trains and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The base models: experiment 1's setup (its RoPE runs are retrained from the same seeds).
    pub base: Setup,
    /// The extension factor (the fine-tune and the evaluation read `factor · L` tokens).
    pub factor: usize,
    /// Fine-tuning budgets in steps (0: the change at test time only).
    pub budgets: Vec<usize>,
    /// Peak learning rate of the fine-tune.
    pub lr: f64,
    /// The frequency changes compared.
    pub scalings: Vec<TestScaling>,
}

impl Sweep {
    /// The book's sweep: experiment 1's RoPE models extended to `4L` with 0, 50 and 200 steps of
    /// 4 windows of `4L` (the same characters per step as the base training).
    pub fn full() -> Sweep {
        Sweep {
            base: Setup::full(),
            factor: 4,
            budgets: vec![0, 50, 200],
            lr: 5e-4,
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
}

/// Bits per character at `factor · L` for each (scaling, budget, seed), in that nesting.
pub type Grid = Vec<(TestScaling, Vec<(usize, Vec<f64>)>)>;

/// One score: seed, frequency change, budget, bits per character.
type Scored = (u64, TestScaling, usize, Result<f64>);

/// Runs the sweep, one seed per thread up to `threads`.
///
/// # Errors
/// A corpus too short, a refusal of the model or the harness.
pub fn sweep(s: &Sweep, corpus: &Corpus, threads: usize, tick: &(dyn Fn() + Sync)) -> Result<Grid> {
    let setup = &s.base;
    let cfg = Config {
        scheme: Scheme::Rope,
        ..setup.shape
    };
    let l = cfg.train_len;
    let n = s.factor * l;
    let per_step = (setup.batch * l / n).max(1);
    let text = corpus.held_out().get(..setup.eval_tokens).ok_or_else(|| {
        bad(
            "eval_tokens",
            setup.eval_tokens,
            "longer than the held-out block",
        )
    })?;
    let results: Mutex<Vec<Scored>> = Mutex::new(Vec::new());
    let one_seed = |seed: u64| -> Result<()> {
        let batches = |step: usize| {
            corpus
                .train_batch(seed, step as u64, setup.batch, l)
                .unwrap_or_default()
        };
        let (base, _): (Model, _) = train(
            &cfg,
            seed,
            &TrainConfig::with_steps(setup.steps),
            batches,
            |_| tick(),
        )?;
        for &scaling in &s.scalings {
            for &budget in &s.budgets {
                let mut m = base.clone();
                if budget > 0 {
                    let opts = TrainConfig {
                        lr: s.lr,
                        ..TrainConfig::with_steps(budget)
                    };
                    // Fine-tuning batches from another stream than the base training's.
                    let long = |step: usize| {
                        corpus
                            .train_batch(seed + 1000, step as u64, per_step, n)
                            .unwrap_or_default()
                    };
                    fit(&mut m, &opts, scaling, long, |_| tick())?;
                }
                let b = bits_per_char(&Scaled { model: &m, scaling }, text, n, || {});
                if let Ok(mut r) = results.lock() {
                    r.push((seed, scaling, budget, b));
                }
            }
        }
        Ok(())
    };
    let errors: Mutex<Vec<crate::Error>> = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, setup.seeds.len().max(1)) {
            scope.spawn(|| {
                while let Some(&seed) = setup
                    .seeds
                    .get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    if let (Err(e), Ok(mut v)) = (one_seed(seed), errors.lock()) {
                        v.push(e);
                    }
                }
            });
        }
    });
    if let Some(e) = errors.into_inner().ok().and_then(|mut v| v.pop()) {
        return Err(e);
    }
    let mut all = results
        .into_inner()
        .map_err(|_| bad("sweep", "a worker", "a worker thread panicked"))?;
    all.sort_by_key(|(seed, _, _, _)| *seed);
    let mut grid: Grid = Vec::new();
    for &scaling in &s.scalings {
        let mut row = Vec::new();
        for &budget in &s.budgets {
            let mut v = Vec::new();
            for (_, sc, b, r) in &all {
                if *sc == scaling && *b == budget {
                    v.push(
                        *r.as_ref()
                            .map_err(|e| bad("score", e.to_string(), "the harness refused"))?,
                    );
                }
            }
            row.push((budget, v));
        }
        grid.push((scaling, row));
    }
    Ok(grid)
}

/// The sweep as a Markdown table: one row per frequency change, one column per budget.
pub fn sweep_table(s: &Sweep, grid: &Grid) -> String {
    let mut out = String::from("| RoPE at 4L |");
    for b in &s.budgets {
        out.push_str(&format!(" {b} steps |"));
    }
    out.push_str("\n|:--|");
    out.push_str(&"--:|".repeat(s.budgets.len()));
    out.push('\n');
    for (scaling, row) in grid {
        let name = match scaling {
            TestScaling::None => "plain".to_string(),
            other => other.to_string(),
        };
        out.push_str(&format!("| {name} |"));
        for (_, v) in row {
            out.push_str(&format!(" {} |", spread(v)));
        }
        out.push('\n');
    }
    out
}
