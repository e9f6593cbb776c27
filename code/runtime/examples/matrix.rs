//! Prints the relative-position matrix a test-time scheme gives a trained RoPE model: which
//! distance each query sees each key at.
//!
//! ```text
//! cargo run -p runtime --example matrix -- --scheme dca
//! cargo run -p runtime --example matrix -- --scheme self-extend --group 3 --window 5 --tokens 16
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use runtime::cache::Positions;
use runtime::{Cache, Dca, ReRope, Remap, SelfExtend, report};

/// Which scheme to print.
#[derive(Clone, Copy, ValueEnum)]
enum Scheme {
    /// Self-Extend: group size --group beyond a neighbour window --window.
    SelfExtend,
    /// ReRoPE: distances clipped at --window.
    Rerope,
    /// Dual Chunk Attention: chunks of --chunk tokens, largest position --ceiling.
    Dca,
    /// A rolling cache of --sinks first tokens and a --window of recent ones, positions in the cache.
    Cache,
}

/// Prints a test-time scheme's relative-position matrix.
#[derive(Parser)]
#[command(name = "matrix")]
struct Args {
    /// The scheme.
    #[arg(long, value_enum, default_value = "dca")]
    scheme: Scheme,
    /// Tokens on each side (1 to 64).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=64))]
    tokens: u32,
    /// Self-Extend's group size.
    #[arg(long, default_value_t = 4)]
    group: usize,
    /// The window of Self-Extend, ReRoPE or the cache.
    #[arg(long, default_value_t = 4)]
    window: usize,
    /// DCA's chunk length s.
    #[arg(long, default_value_t = 6)]
    chunk: usize,
    /// DCA's largest position (the paper's c − 1, the code's chunk_size).
    #[arg(long, default_value_t = 9)]
    ceiling: usize,
    /// The cache's sink count.
    #[arg(long, default_value_t = 2)]
    sinks: usize,
}

fn run(a: Args) -> Result<String, runtime::Error> {
    let scheme: Box<dyn Remap> = match a.scheme {
        Scheme::SelfExtend => Box::new(SelfExtend::new(a.group, a.window)?),
        Scheme::Rerope => Box::new(ReRope::new(a.window, report::TRAIN)?),
        Scheme::Dca => {
            if a.chunk == 0 || a.chunk > a.ceiling {
                return Err(errors::bad(
                    "chunk",
                    a.chunk,
                    format!("a chunk holds 1 to the ceiling, {}, tokens", a.ceiling),
                ));
            }
            Box::new(Dca::code(a.ceiling, a.ceiling - a.chunk)?)
        }
        Scheme::Cache => Box::new(Cache::new(a.sinks, a.window, Positions::InCache)?),
    };
    Ok(report::relative_matrix(scheme.as_ref(), a.tokens as usize))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
