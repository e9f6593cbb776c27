//! Times training steps of the chapter's language model and sets them beside this machine's
//! single-thread `f32` matrix-product rate, measured in the same run.
//!
//! ```text
//! cargo run --release -p trained --example throughput
//! ```
//!
//! Its output, with the command and the machine, is committed as `results/throughput.md`.

use std::process::ExitCode;

use clap::Parser;
use trained::Scheme;
use trained::lm::Config;
use trained::lm::bench::{forward_flops, measure, step_flops};

/// Trains a model of the experiments' shape on random bytes for a few steps, times each step,
/// and prints tokens per second, the step's counted GFLOP/s and the GEMM rate of ndarray's `dot`
/// on two square matrices, one thread each.
#[derive(Parser)]
#[command(name = "throughput")]
struct Args {
    /// Untimed steps first.
    #[arg(long, default_value_t = 3)]
    warm: usize,
    /// Timed steps (the fastest and the median are reported).
    #[arg(long, default_value_t = 15)]
    steps: usize,
    /// Windows per step.
    #[arg(long, default_value_t = 16)]
    batch: usize,
    /// Tokens per window (the training length L).
    #[arg(long, default_value_t = 64)]
    len: usize,
    /// Width of the residual stream.
    #[arg(long, default_value_t = 128)]
    width: usize,
    /// Decoder blocks.
    #[arg(long, default_value_t = 4)]
    layers: usize,
    /// Hidden width of the feed-forward layer (the experiments use twice the width).
    #[arg(long, default_value_t = 256)]
    ff: usize,
    /// Side of the square matrices of the GEMM measurement.
    #[arg(long, default_value_t = 1024)]
    gemm: usize,
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| -> Result<String, String> {
        if a.steps == 0 || a.batch == 0 || a.gemm == 0 {
            return Err("--steps, --batch and --gemm must be at least 1".to_string());
        }
        let mut out = String::new();
        out.push_str("| scheme | step (fastest) | step (median) | tokens/s | step GFLOP/s | GEMM GFLOP/s (1 thread) | ratio |\n|:--|--:|--:|--:|--:|--:|--:|\n");
        let mut cfg = None;
        for scheme in [Scheme::Rope, Scheme::Alibi] {
            let c = Config {
                scheme,
                vocab: 256,
                d_model: a.width,
                heads: (a.width / 32).max(1),
                layers: a.layers,
                ff: a.ff,
                train_len: a.len,
                rope_base: 10_000.0,
            };
            let t =
                measure(&c, a.batch, a.len, a.warm, a.steps, a.gemm).map_err(|e| e.to_string())?;
            out.push_str(&format!(
                "| {} | {:.1} ms | {:.1} ms | {:.0} | {:.1} | {:.1} | {:.0} % |\n",
                scheme.name(),
                t.step_seconds * 1e3,
                t.median_seconds * 1e3,
                t.tokens_per_second,
                t.step_gflops,
                t.gemm_gflops,
                100.0 * t.step_gflops / t.gemm_gflops
            ));
            cfg = Some(c);
        }
        if let Some(c) = cfg {
            out.push_str(&format!(
                "\nShape: {} blocks, width {}, {} heads, feed-forward {}, vocabulary {}; {} windows of {} tokens a step; \
                 {:.2} GFLOP a step counted ({:.2} forward, twice that backward); tokens/s and GFLOP/s from the fastest of {} timed steps after {} untimed, the GEMM rate the best of 10 products.\n",
                c.layers, c.d_model, c.heads, c.ff, c.vocab, a.batch, a.len,
                step_flops(&c, a.batch, a.len) / 1e9, forward_flops(&c, a.batch, a.len) / 1e9, a.steps, a.warm
            ));
        }
        Ok(out)
    })
}
