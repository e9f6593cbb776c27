//! AdamW (Loshchilov and Hutter, 2019, arXiv:1711.05101, Algorithm 2, with the learning rate
//! multiplying the decay as PyTorch's `AdamW` does) and the training loop over windows of bytes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use errors::bad;
use ndarray::Array2;

use super::config::Config;
use super::forward::Trace;
use super::params::Model;
use super::positions::{Tables, TestScaling};
use crate::Result;

/// The optimiser and schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Optimiser steps.
    pub steps: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Steps of linear warm-up from 0 to `lr`; after them the [`Schedule`].
    pub warmup: usize,
    /// What the rate does after the warm-up.
    pub schedule: Schedule,
    /// AdamW's decoupled weight decay (on the matrices [`Model::decays`] names).
    pub weight_decay: f64,
    /// Adam's `β₁`.
    pub beta1: f64,
    /// Adam's `β₂`.
    pub beta2: f64,
    /// Adam's `ε`.
    pub eps: f64,
    /// The gradient's global norm is scaled down to this when it is larger.
    pub clip: f64,
}

/// The learning rate after the warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// A cosine decay from the peak to a tenth of it at the last step.
    Cosine,
    /// The peak rate to the end: a run stopped after any number of steps is the same run as a
    /// longer one stopped there (the fine-tune's budgets are checkpoints of one run).
    Constant,
}

impl TrainConfig {
    /// The settings the experiments use for `steps` steps: peak rate `2·10⁻³`, 10 % warm-up,
    /// then a cosine decay, `β = (0.9, 0.95)`, decay 0.1, clipping at norm 1.
    pub fn with_steps(steps: usize) -> TrainConfig {
        TrainConfig {
            steps,
            lr: 2e-3,
            warmup: steps / 10,
            schedule: Schedule::Cosine,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            clip: 1.0,
        }
    }

    /// The learning rate of step `t` (counted from 0).
    ///
    /// ```
    /// let c = trained::lm::TrainConfig::with_steps(100);
    /// assert_eq!(c.rate(0), 2e-4); // warm-up: (0 + 1) / 10 of the peak
    /// assert_eq!(c.rate(9), 2e-3);
    /// assert!((c.rate(99) - 2e-4).abs() < 1e-9); // the end of the cosine: a tenth of the peak
    /// let flat = trained::lm::TrainConfig { schedule: trained::lm::train::Schedule::Constant, ..c };
    /// assert_eq!((flat.rate(9), flat.rate(99)), (2e-3, 2e-3));
    /// ```
    pub fn rate(&self, t: usize) -> f64 {
        if t < self.warmup {
            return self.lr * (t + 1) as f64 / self.warmup as f64;
        }
        if self.schedule == Schedule::Constant {
            return self.lr;
        }
        let span = (self.steps - self.warmup).max(2) - 1;
        let done = ((t - self.warmup) as f64 / span as f64).min(1.0);
        self.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * done).cos()))
    }

    fn check(&self) -> Result<()> {
        if self.steps == 0 || self.warmup > self.steps {
            return Err(bad(
                "steps / warmup",
                format!("{} / {}", self.steps, self.warmup),
                "at least one step, and no more warm-up than steps",
            ));
        }
        let finite = [self.lr, self.weight_decay, self.eps, self.clip]
            .iter()
            .all(|x| x.is_finite() && *x >= 0.0);
        if !finite
            || !(0.0..1.0).contains(&self.beta1)
            || !(0.0..1.0).contains(&self.beta2)
            || self.lr == 0.0
        {
            return Err(bad(
                "optimiser settings",
                format!("{self:?}"),
                "rates, decay, ε and clip finite and non-negative, rate above 0, β in [0, 1)",
            ));
        }
        Ok(())
    }
}

/// What the progress callback sees after each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Steps done.
    pub step: usize,
    /// Steps in all.
    pub steps: usize,
    /// The batch's mean loss in nats.
    pub loss: f32,
}

/// AdamW's moments, one pair per parameter.
#[derive(Debug, Clone)]
struct AdamW {
    m: Model,
    v: Model,
    t: i32,
}

impl AdamW {
    fn new(model: &Model) -> AdamW {
        AdamW {
            m: model.zeros_like(),
            v: model.zeros_like(),
            t: 0,
        }
    }

    // ANCHOR: adamw
    fn step(&mut self, model: &mut Model, grad: &Model, c: &TrainConfig, lr: f64) {
        self.t += 1;
        let (b1, b2) = (c.beta1 as f32, c.beta2 as f32);
        let fix1 = 1.0 - b1.powi(self.t); // bias corrections
        let fix2 = 1.0 - b2.powi(self.t);
        let norm = grad
            .tensors()
            .iter()
            .map(|g| g.iter().map(|x| x * x).sum::<f32>())
            .sum::<f32>()
            .sqrt();
        let clip = if norm > c.clip as f32 {
            c.clip as f32 / norm
        } else {
            1.0
        };
        let (lr, wd, eps) = (lr as f32, c.weight_decay as f32, c.eps as f32);
        let decays = model.decays();
        let params = model.tensors_mut().into_iter().zip(grad.tensors());
        let moments = self.m.tensors_mut().into_iter().zip(self.v.tensors_mut());
        for (((p, g), (m, v)), decay) in params.zip(moments).zip(decays) {
            let wd = if decay { wd } else { 0.0 };
            ndarray::Zip::from(p)
                .and(g)
                .and(m)
                .and(v)
                .for_each(|p, &g, m, v| {
                    let g = g * clip;
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p -= lr * ((*m / fix1) / ((*v / fix2).sqrt() + eps) + wd * *p);
                });
        }
    }
    // ANCHOR_END: adamw
}

/// Trains `model` further in place on the batches `batches(step)` returns (windows of one length
/// per batch), with RoPE's frequencies changed by `scaling` (for a fine-tune at a longer
/// length; [`TestScaling::None`] otherwise). Returns each step's mean loss. Deterministic: the
/// same model and batches give the same bits.
///
/// # Errors
/// Settings [`TrainConfig`] refuses, a batch of windows of unequal length, tokens outside the
/// vocabulary, windows a learned table cannot read.
pub fn fit(
    model: &mut Model,
    opts: &TrainConfig,
    scaling: TestScaling,
    batches: impl FnMut(usize) -> Vec<Vec<u16>>,
    mut progress: impl FnMut(&Progress),
) -> Result<Vec<f32>> {
    let cfg = model.cfg;
    fit_with(
        model,
        opts,
        &|n| Tables::new(&cfg, scaling, n),
        &Trace::loss_grad,
        batches,
        |p, _| {
            progress(p);
            Ok(())
        },
    )
}

/// The loss of a batch and its gradient with respect to the logits (a [`Trace`]'s own
/// [`Trace::loss_grad`], or one that counts only some of the predictions).
pub type Objective<'a> = &'a dyn Fn(&Trace) -> (f32, Array2<f32>);

/// [`fit`] with the position tables of each window length from `tables`, the loss from
/// `objective`, and `after` called with the model after each step (a checkpoint may score it; an
/// error stops the run and is returned).
///
/// # Errors
/// As [`fit`], and what `tables` or `after` return.
pub fn fit_with(
    model: &mut Model,
    opts: &TrainConfig,
    tables: &dyn Fn(usize) -> Result<Tables>,
    objective: Objective,
    mut batches: impl FnMut(usize) -> Vec<Vec<u16>>,
    mut after: impl FnMut(&Progress, &Model) -> Result<()>,
) -> Result<Vec<f32>> {
    opts.check()?;
    let mut adam = AdamW::new(model);
    let mut cache: HashMap<usize, Tables> = HashMap::new();
    let mut losses = Vec::with_capacity(opts.steps);
    let mut grad = model.zeros_like();
    let mut previous = None;
    for step in 0..opts.steps {
        let batch = batches(step);
        let n = batch.first().map_or(0, Vec::len);
        let t = match cache.entry(n) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(tables(n)?),
        };
        let seqs: Vec<&[u16]> = batch.iter().map(Vec::as_slice).collect();
        let trace = model.forward(&seqs, t)?;
        let (loss, dlogits) = objective(&trace);
        for g in grad.tensors_mut() {
            g.fill(0.0);
        }
        model.backward(&trace, &dlogits, t, &mut grad);
        adam.step(model, &grad, opts, opts.rate(step));
        // The last step's arrays are freed only now, after this step's were allocated: the
        // allocator hands their memory to the next step instead of returning it to the system
        // and faulting fresh pages in again (a sixth of the step's time when it did).
        previous = Some(trace);
        losses.push(loss);
        let p = Progress {
            step: step + 1,
            steps: opts.steps,
            loss,
        };
        after(&p, model)?;
    }
    drop(previous);
    Ok(losses)
}

// ANCHOR: train
/// A model initialised from `seed` and trained by [`fit`] with its frequencies as they are.
///
/// # Errors
/// As [`Model::new`] and [`fit`].
pub fn train(
    cfg: &Config,
    seed: u64,
    opts: &TrainConfig,
    batches: impl FnMut(usize) -> Vec<Vec<u16>>,
    progress: impl FnMut(&Progress),
) -> Result<(Model, Vec<f32>)> {
    let mut model = Model::new(*cfg, seed)?;
    let losses = fit(&mut model, opts, TestScaling::None, batches, progress)?;
    Ok((model, losses))
}
// ANCHOR_END: train
