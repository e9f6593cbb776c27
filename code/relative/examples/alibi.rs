//! Prints ALiBi's slopes for a head count and how each head's attention decays with distance.
//!
//! ```text
//! cargo run -p relative --example alibi -- --heads 12 --window 1024
//! ```

use bookkit::Flags;
use std::process::ExitCode;

const USAGE: &str = "usage: alibi [--heads H] [--window N]
  H: 1 to 256 (default 8); N: keys in the causal window, 2 to 1000000 (default 512)";

fn parse(args: &[String]) -> Result<(usize, usize), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let heads = f.get(
        "--heads",
        8,
        |h| (1..=256).contains(h),
        "a whole number from 1 to 256",
    )?;
    let window = f.get(
        "--window",
        512,
        |n| (2..=1_000_000).contains(n),
        "a whole number from 2 to 1000000",
    )?;
    f.finish()?;
    Ok((heads, window))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(heads, window)| {
            let distances: Vec<usize> = [1, 8, 64, 256, 4096]
                .into_iter()
                .filter(|&k| k < window)
                .collect();
            let slopes = relative::report::alibi_slopes(&[heads]).map_err(|e| e.to_string())?;
            let decay = relative::report::alibi_decay(heads, window, &distances)
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "## Slopes\n\n{slopes}\n## Weight by distance\n\n{decay}"
            ))
        })
    })
}
