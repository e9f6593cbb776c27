//! Prints ALiBi's slopes for a head count and how each head's attention decays with distance.
//!
//! ```text
//! cargo run -p relative --example alibi -- --heads 12 --window 1024
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use relative::{Error, report};

/// Prints ALiBi's per-head slopes and the weight each head puts on keys 1, 8, 64, 256 and 4096
/// tokens back (those inside the window), with every content logit equal.
#[derive(Parser)]
#[command(name = "alibi")]
struct Args {
    /// Heads: 1 to 256.
    #[arg(long, value_name = "H", default_value_t = 8,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=256))]
    heads: usize,
    /// Keys in the causal window: 2 to 1000000.
    #[arg(long, value_name = "N", default_value_t = 512,
          value_parser = RangedU64ValueParser::<usize>::new().range(2..=1_000_000))]
    window: usize,
}

fn run(args: Args) -> Result<String, Error> {
    let distances: Vec<usize> = [1, 8, 64, 256, 4096]
        .into_iter()
        .filter(|&k| k < args.window)
        .collect();
    let slopes = report::alibi_slopes(&[args.heads])?;
    let decay = report::alibi_decay(args.heads, args.window, &distances)?;
    Ok(format!(
        "## Slopes\n\n{slopes}\n## Weight by distance\n\n{decay}"
    ))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
