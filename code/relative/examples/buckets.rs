//! Prints T5's bucket ranges for any settings.
//!
//! ```text
//! cargo run -p relative --example buckets
//! cargo run -p relative --example buckets -- --num-buckets 64 --max-distance 512 --causal
//! ```

use std::process::ExitCode;

use bookkit::Flags;
use relative::t5::Buckets;

const USAGE: &str = "usage: buckets [--num-buckets B] [--max-distance D] [--causal]
  B: 4 to 1024 (default 32); D: beyond the exact range, at most 1000000 (default 128)";

fn parse(args: &[String]) -> Result<(usize, usize, bool), String> {
    let mut f = Flags::new(args, USAGE, &["--causal"])?;
    let buckets = f.get(
        "--num-buckets",
        32,
        |b| (4..=1024).contains(b),
        "a whole number from 4 to 1024",
    )?;
    let distance = f.get(
        "--max-distance",
        128,
        |d| *d <= 1_000_000,
        "a whole number up to 1000000",
    )?;
    let causal = f.switch("--causal");
    f.finish()?;
    Ok((buckets, distance, causal))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(b, d, causal)| {
            let cfg = Buckets::new(!causal, b, d).map_err(|e| e.to_string())?;
            relative::report::t5_ranges(cfg, 2 * d as i64).map_err(|e| e.to_string())
        })
    })
}
