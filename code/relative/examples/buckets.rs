//! Prints T5's bucket ranges for any settings.
//!
//! ```text
//! cargo run -p relative --example buckets
//! cargo run -p relative --example buckets -- --num-buckets 64 --max-distance 512 --causal
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use relative::t5::Buckets;
use relative::{Error, report};

/// Prints which distances (looking back) share each of T5's buckets, up to twice
/// `--max-distance`.
#[derive(Parser)]
#[command(name = "buckets")]
struct Args {
    /// Buckets in all: 4 to 1024.
    #[arg(long, value_name = "B", default_value_t = 32,
          value_parser = RangedU64ValueParser::<usize>::new().range(4..=1024))]
    num_buckets: usize,
    /// Distances from here on share the last bucket: beyond the exact range (a quarter of the
    /// buckets when bidirectional, half when causal), at most 1000000.
    #[arg(long, value_name = "D", default_value_t = 128,
          value_parser = RangedU64ValueParser::<usize>::new().range(..=1_000_000))]
    max_distance: usize,
    /// Causal buckets (looking back only) instead of bidirectional ones.
    #[arg(long)]
    causal: bool,
}

fn run(args: Args) -> Result<String, Error> {
    let cfg = Buckets::new(!args.causal, args.num_buckets, args.max_distance)?;
    report::t5_ranges(cfg, 2 * args.max_distance as i64)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
