//! Throughput against the machine: the floating-point work of a training step counted from the
//! model's shapes, and the same machine's single-thread `f32` matrix-product rate.

use std::time::Instant;

use bookkit::rng::SplitMix64;
use ndarray::Array2;

use super::config::Config;
use super::params::Model;
use super::positions::TestScaling;
use super::train::{TrainConfig, fit};
use crate::Result;

/// The multiply-adds of the matrix products of one forward pass over `batch` windows of `n`
/// tokens, counted as 2 operations each: per block `3 · 2nd²` (queries, keys, values),
/// `2 · 2n²d` (scores and weighted values, every head, the full `n × n` square that is
/// computed), `2nd²` (output projection) and `2 · 2nd·ff` (feed-forward); then `2nd·vocab`
/// (unembedding). Norms, softmax and GELU are not counted.
///
/// ```
/// use trained::{Scheme, lm::{Config, bench::forward_flops}};
/// let c = Config { scheme: Scheme::Rope, vocab: 256, d_model: 128, heads: 4, layers: 4,
///                  ff: 512, train_len: 64, rope_base: 10_000.0 };
/// let per_token = forward_flops(&c, 1, 64) / 64.0;
/// assert_eq!(per_token, 4.0 * (8.0 * 128.0 * 128.0 + 4.0 * 64.0 * 128.0 + 4.0 * 128.0 * 512.0) + 2.0 * 128.0 * 256.0);
/// ```
pub fn forward_flops(cfg: &Config, batch: usize, n: usize) -> f64 {
    let (n, d, ff, v) = (
        n as f64,
        cfg.d_model as f64,
        cfg.ff as f64,
        cfg.vocab as f64,
    );
    let block =
        3.0 * 2.0 * n * d * d + 2.0 * 2.0 * n * n * d + 2.0 * n * d * d + 2.0 * 2.0 * n * d * ff;
    batch as f64 * (cfg.layers as f64 * block + 2.0 * n * d * v)
}

/// A training step's matrix products: the forward pass and, for every product, the two
/// products of its backward pass (`3 ×` [`forward_flops`]).
pub fn step_flops(cfg: &Config, batch: usize, n: usize) -> f64 {
    3.0 * forward_flops(cfg, batch, n)
}

/// The best rate, in GFLOP/s, of `reps` products of two `size × size` `f32` matrices through
/// ndarray's `dot` (matrixmultiply, one thread), after one product to warm up.
pub fn gemm_gflops(size: usize, reps: usize) -> f64 {
    let mut rng = SplitMix64(1);
    let a = Array2::from_shape_fn((size, size), |_| rng.next_gaussian() as f32);
    let b = Array2::from_shape_fn((size, size), |_| rng.next_gaussian() as f32);
    let mut sink = a.dot(&b)[[0, 0]];
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let c = a.dot(&b);
        best = best.min(t.elapsed().as_secs_f64());
        sink += c[[0, 0]];
    }
    std::hint::black_box(sink);
    2.0 * (size as f64).powi(3) / best / 1e9
}

/// One throughput measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Seconds per training step, the fastest of the timed steps (the GEMM rate is also the
    /// best of its repetitions: the same statistic on both sides, the least disturbed by other
    /// jobs on the machine).
    pub step_seconds: f64,
    /// The median over the timed steps.
    pub median_seconds: f64,
    /// Tokens trained on per second.
    pub tokens_per_second: f64,
    /// Counted GFLOP per second of the training step.
    pub step_gflops: f64,
    /// The single-thread GEMM rate of the same run.
    pub gemm_gflops: f64,
}

/// Times `steps` training steps (after `warm` untimed ones) of a model of shape `cfg` on random
/// tokens, `batch` windows of `n` tokens a step, and measures the GEMM rate in the same run.
///
/// # Errors
/// A configuration the model refuses.
pub fn measure(
    cfg: &Config,
    batch: usize,
    n: usize,
    warm: usize,
    steps: usize,
    gemm_size: usize,
) -> Result<Throughput> {
    let mut model = Model::new(*cfg, 1)?;
    let vocab = cfg.vocab as u64;
    let batches = |step: usize| -> Vec<Vec<u16>> {
        let mut rng = SplitMix64(step as u64);
        (0..batch)
            .map(|_| (0..n).map(|_| (rng.next_u64() % vocab) as u16).collect())
            .collect()
    };
    let gemm = gemm_gflops(gemm_size, 5);
    let mut times = Vec::with_capacity(steps);
    let mut last = Instant::now();
    let total = warm + steps;
    fit(
        &mut model,
        &TrainConfig::with_steps(total),
        TestScaling::None,
        batches,
        |p| {
            let now = Instant::now();
            if p.step > warm {
                times.push((now - last).as_secs_f64());
            }
            last = now;
        },
    )?;
    times.sort_by(f64::total_cmp);
    let step = times.first().copied().unwrap_or(f64::NAN);
    Ok(Throughput {
        step_seconds: step,
        median_seconds: times.get(times.len() / 2).copied().unwrap_or(f64::NAN),
        tokens_per_second: (batch * n) as f64 / step,
        step_gflops: step_flops(cfg, batch, n) / step / 1e9,
        gemm_gflops: gemm.max(gemm_gflops(gemm_size, 5)),
    })
}
