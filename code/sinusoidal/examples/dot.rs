//! Prints PE(p)·PE(p + k) at growing offsets and where it first rises, for any width and base.
//!
//! ```text
//! cargo run -p sinusoidal --example dot -- --dim 512 --base 10000 --max-offset 1000
//! ```

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use std::process::ExitCode;

use sinusoidal::{Error, Layout, Schedule, Sinusoid, report};

/// Prints PE(p)·PE(p + k) at growing offsets k, and the first offset at which it rises again.
#[derive(Parser)]
struct Args {
    /// The width d: even, 2 to 65536.
    // (Sinusoid::new refuses an odd or zero width and names the rule.)
    #[arg(long, value_name = "D", default_value_t = 512, value_parser = RangedU64ValueParser::<usize>::new().range(..=65_536))]
    dim: usize,
    /// The base b: positive and finite (the paper uses 10000).
    #[arg(long, value_name = "B", default_value_t = sinusoidal::BASE)]
    base: f64,
    /// The largest offset to search for the first rise: 2 to 1000000.
    #[arg(long, value_name = "K", default_value_t = 10_000, value_parser = RangedU64ValueParser::<usize>::new().range(2..=1_000_000))]
    max_offset: usize,
}

fn run(args: &Args) -> Result<String, Error> {
    let offsets: Vec<usize> = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        .into_iter()
        .filter(|&k| k <= args.max_offset)
        .collect();
    let enc = Sinusoid::new(args.dim, args.base, Layout::Interleaved, Schedule::Paper)?;
    let mut out = format!("At the paper's base {}:\n\n", sinusoidal::BASE);
    out.push_str(&report::dot_offsets(args.dim, &offsets, args.max_offset)?);
    if args.base != sinusoidal::BASE {
        // dot_offsets uses the paper's base; show the chosen base's first rise too.
        let rise = report::first_rises(args.dim, &[enc.base()], args.max_offset)?;
        out.push_str(&format!("\nWith base {}:\n\n{rise}", args.base));
    }
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| run(&args))
}
