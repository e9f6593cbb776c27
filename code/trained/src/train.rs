//! The task, the optimiser and the training loop.

use ndarray::Array2;

use bookkit::rng::SplitMix64;
use errors::bad;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::model::{Dims, Model, Positions};
use crate::{Error, Scheme, Variant};

/// The marker every sequence starts with (NoPE's counter needs it; every scheme gets it).
pub const MARKER: usize = 0;

// ANCHOR: task
/// One sequence of the copy task: the marker, then `n − 1` tokens drawn uniformly from
/// `1..vocab`; the target at position `t` is the token `Δ` back, for every `t` with `t − Δ ≥ 1`.
///
/// ```
/// let (tokens, targets) = trained::train::copy_task(6, 5, 2, 7);
/// assert_eq!(tokens[0], 0);
/// assert_eq!(targets[..3], [None, None, None]);
/// assert_eq!(targets[3], Some(tokens[1]));
/// assert_eq!(targets[5], Some(tokens[3]));
/// ```
pub fn copy_task(
    n: usize,
    vocab: usize,
    delta: usize,
    seed: u64,
) -> (Vec<usize>, Vec<Option<usize>>) {
    let mut rng = SplitMix64(seed);
    let tokens: Vec<usize> = (0..n)
        .map(|t| {
            if t == 0 {
                MARKER
            } else {
                1 + (rng.next_u64() % (vocab as u64 - 1)) as usize
            }
        })
        .collect();
    let targets = (0..n)
        .map(|t| (t > delta).then(|| tokens[t - delta]))
        .collect();
    (tokens, targets)
}
// ANCHOR_END: task

/// A seed for item `b` of step `step` of run `seed`, far apart for different items (SplitMix64 of
/// the three mixed by exclusive or). The committed results depend on these exact values.
///
/// ```
/// assert_eq!(trained::train::mix(1, 2, 3), 1807621880085013122);
/// assert_eq!(trained::train::mix(0, 0, 0), 16294208416658607535);
/// ```
pub fn mix(seed: u64, step: u64, b: u64) -> u64 {
    let mut r = SplitMix64(
        seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F),
    );
    r.next_u64()
}

/// Adam's moments for every parameter (Kingma and Ba, 2015, arXiv:1412.6980, Algorithm 1).
#[derive(Debug, Clone)]
pub struct Adam {
    m: Model,
    v: Model,
    t: i32,
}

impl Adam {
    /// Zero moments shaped like `model`.
    pub fn new(model: &Model) -> Adam {
        Adam {
            m: model.zeros_like(),
            v: model.zeros_like(),
            t: 0,
        }
    }

    // ANCHOR: adam
    /// One step with learning rate `lr`, `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-8`.
    pub fn step(&mut self, model: &mut Model, grad: &Model, lr: f64) {
        let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        self.t += 1;
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t)); // bias corrections
        let params = model.tensors_mut().into_iter();
        let moments = self.m.tensors_mut().into_iter().zip(self.v.tensors_mut());
        for ((p, (m, v)), g) in params.zip(moments).zip(grad.tensors()) {
            ndarray::Zip::from(p)
                .and(m)
                .and(v)
                .and(g)
                .for_each(|p, m, v, &g| {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                });
        }
    }
    // ANCHOR_END: adam
}

/// Attention weights per layer and head, `[n, n]` each.
pub type Weights = Vec<Vec<Array2<f64>>>;

/// A sequence and its targets (`None` where there is nothing to predict).
pub type Example = (Vec<usize>, Vec<Option<usize>>);

/// The training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// The offset to copy from.
    pub delta: usize,
    /// Optimiser steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch: usize,
    /// Peak learning rate (held, then decayed linearly to a tenth over the last half).
    pub lr: f64,
}

impl Schedule {
    /// The learning rate at `step`.
    ///
    /// ```
    /// let s = trained::train::Schedule { delta: 3, steps: 100, batch: 1, lr: 0.01 };
    /// assert_eq!(s.lr_at(0), 0.01);
    /// assert!((s.lr_at(99) - 0.001).abs() < 2e-4);
    /// ```
    pub fn lr_at(&self, step: usize) -> f64 {
        let half = self.steps / 2;
        if step < half {
            return self.lr;
        }
        let frac = (step - half) as f64 / (self.steps - half).max(1) as f64;
        self.lr * (1.0 - 0.9 * frac)
    }
}

/// Loss, accuracy and the number of predictions scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Mean cross-entropy per scored position (nats).
    pub loss: f64,
    /// Fraction of scored positions whose most likely token is the target.
    pub accuracy: f64,
}

/// Mean loss and gradient over a batch of sequences, added into `grad`.
fn batch_grad(
    model: &Model,
    seqs: &[Example],
    positions: &Positions,
    grad: &mut Model,
) -> Result<f64, Error> {
    let mut total = 0.0;
    for (tokens, targets) in seqs {
        let trace = model.forward(tokens, positions)?;
        let (loss, mut dlogits, _, _) = model.loss_grad(&trace, targets);
        dlogits /= seqs.len() as f64;
        model.backward(&trace, &dlogits, positions, grad);
        total += loss / seqs.len() as f64;
    }
    Ok(total)
}

/// The mean loss of a batch and its gradient with respect to every parameter (a model of the
/// same shape), as training uses it; the tests hold it against finite differences.
///
/// # Errors
/// Sequences the model refuses.
pub fn loss_and_grad(
    model: &Model,
    seqs: &[Example],
    positions: &Positions,
) -> Result<(f64, Model), Error> {
    let mut grad = model.zeros_like();
    let loss = batch_grad(model, seqs, positions, &mut grad)?;
    Ok((loss, grad))
}

/// The mean loss of a batch alone.
///
/// # Errors
/// Sequences the model refuses.
pub fn loss(model: &Model, seqs: &[Example], positions: &Positions) -> Result<f64, Error> {
    let mut total = 0.0;
    for (tokens, targets) in seqs {
        let trace = model.forward(tokens, positions)?;
        total += model.loss_grad(&trace, targets).0 / seqs.len() as f64;
    }
    Ok(total)
}

// ANCHOR: train
/// Trains `model` on the copy task at its training length; calls `tick` after every step.
///
/// # Errors
/// A schedule with no steps or an empty batch, or `Δ` not below the training length.
pub fn train(
    model: &mut Model,
    schedule: &Schedule,
    seed: u64,
    mut tick: impl FnMut(),
) -> Result<(), Error> {
    let (n, vocab) = (model.dims.train_len, model.dims.vocab);
    if schedule.steps == 0 || schedule.batch == 0 || schedule.delta + 1 >= n {
        return Err(bad(
            "steps / batch / delta",
            format!(
                "{} / {} / {}",
                schedule.steps, schedule.batch, schedule.delta
            ),
            "training needs steps, a batch, and Δ + 1 below the training length",
        ));
    }
    let positions = Positions::new(Variant::plain(model.scheme), &model.dims, n)?;
    let mut adam = Adam::new(model);
    for step in 0..schedule.steps {
        let seqs: Vec<_> = (0..schedule.batch)
            .map(|b| copy_task(n, vocab, schedule.delta, mix(seed, step as u64, b as u64)))
            .collect();
        let (_, grad) = loss_and_grad(model, &seqs, &positions)?;
        adam.step(model, &grad, schedule.lr_at(step));
        tick();
    }
    Ok(())
}
// ANCHOR_END: train

/// Trains one fresh model per `(scheme, seed)` job, as [`train`] would one after another, on up
/// to two threads (the machine this book is checked on has two cores). Each model depends only on
/// its own scheme and seed, so the models are the same bits whatever the thread count; they come
/// back in the order of `jobs`. `tick` is called after every step of every model.
///
/// # Errors
/// The first job's refusal (from [`Model::new`] or [`train`]).
pub fn train_all(
    jobs: &[(Scheme, u64)],
    dims: Dims,
    schedule: &Schedule,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Model>, Error> {
    let one = |&(scheme, seed): &(Scheme, u64)| -> Result<Model, Error> {
        let mut model = Model::new(scheme, dims, seed)?;
        train(&mut model, schedule, seed, tick)?;
        Ok(model)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 2)
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<Model, Error>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let done = one(job);
                    *slots[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or_else(|| Err(bad("jobs", "a job", "every job runs to an outcome")))
        })
        .collect()
}

/// Scores `model` on `count` fresh sequences of `n` tokens, read as `variant` (RoPE's test-time
/// scaling), returning the score and the attention weights of the first sequence.
///
/// # Errors
/// Whatever the model refuses: a learned table past its rows says which position has none.
pub fn evaluate(
    model: &Model,
    variant: Variant,
    delta: usize,
    n: usize,
    count: usize,
    seed: u64,
) -> Result<(Score, Weights), Error> {
    if count == 0 {
        return Err(bad("count", 0, "evaluation needs at least one sequence"));
    }
    let positions = Positions::new(variant, &model.dims, n)?;
    let (mut loss, mut correct, mut counted) = (0.0, 0, 0);
    let mut first = Vec::new();
    for i in 0..count {
        let (tokens, targets) =
            copy_task(n, model.dims.vocab, delta, mix(seed, u64::MAX, i as u64));
        let trace = model.forward(&tokens, &positions)?;
        let (l, _, c, k) = model.loss_grad(&trace, &targets);
        loss += l / count as f64;
        correct += c;
        counted += k;
        if i == 0 {
            first = trace.weights;
        }
    }
    Ok((
        Score {
            loss,
            accuracy: correct as f64 / counted.max(1) as f64,
        },
        first,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;
    use crate::model::{Dims, Model};

    const DIMS: Dims = Dims {
        vocab: 6,
        d_model: 8,
        heads: 2,
        layers: 1,
        train_len: 16,
        rope_base: 10_000.0,
    };

    #[test]
    fn t5_buckets_past_the_training_offsets_never_move() {
        // Training at L = 16 sees offsets 0 to 15 only, the exact causal buckets 0 to 15: the
        // buckets of longer offsets get no gradient, and Adam with a zero gradient moves nothing.
        let mut m = Model::new(Scheme::T5, DIMS, 1).unwrap();
        let schedule = Schedule {
            delta: 3,
            steps: 20,
            batch: 2,
            lr: 0.01,
        };
        train(&mut m, &schedule, 1, || {}).unwrap();
        let t5 = &m.layers[0].t5;
        assert!(t5.slice(ndarray::s![16.., ..]).iter().all(|&b| b == 0.0));
        assert!(t5.slice(ndarray::s![..16, ..]).iter().all(|&b| b != 0.0));
    }

    #[test]
    fn training_refuses_a_bad_schedule() {
        let m = Model::new(Scheme::NoPe, DIMS, 1).unwrap();
        let ok = Schedule {
            delta: 3,
            steps: 1,
            batch: 1,
            lr: 0.01,
        };
        assert!(train(&mut m.clone(), &ok, 0, || {}).is_ok());
        for bad in [
            Schedule { steps: 0, ..ok },
            Schedule { batch: 0, ..ok },
            Schedule { delta: 15, ..ok },
        ] {
            assert!(train(&mut m.clone(), &bad, 0, || {}).is_err(), "{bad:?}");
        }
        assert!(evaluate(&m, Variant::plain(Scheme::NoPe), 3, 16, 0, 0).is_err());
    }

    #[test]
    fn evaluation_returns_the_first_sequences_weights_and_its_score() {
        let m = Model::new(Scheme::Rope, DIMS, 2).unwrap();
        let v = Variant::plain(Scheme::Rope);
        let (score, weights) = evaluate(&m, v, 3, 16, 3, 7).unwrap();
        let positions = Positions::new(v, &DIMS, 16).unwrap();
        let (tokens, targets) = copy_task(16, DIMS.vocab, 3, mix(7, u64::MAX, 0));
        let trace = m.forward(&tokens, &positions).unwrap();
        assert_eq!(weights, trace.weights);
        // The score is the mean over the three sequences.
        let seqs: Vec<_> = (0..3)
            .map(|i| copy_task(16, DIMS.vocab, 3, mix(7, u64::MAX, i)))
            .collect();
        assert!((score.loss - loss(&m, &seqs, &positions).unwrap()).abs() < 1e-12);
        let (_, _, correct, counted) = m.loss_grad(&trace, &targets);
        assert!(counted == 12 && correct <= counted);
        assert!((0.0..=1.0).contains(&score.accuracy));
    }
}
