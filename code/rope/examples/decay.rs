//! Prints RoPE's long-term decay curve and average cosine at growing distances.
//!
//! ```text
//! cargo run -p rope --example decay -- --head-dim 128 --base 500000
//! ```

use bookkit::Flags;
use std::process::ExitCode;

const USAGE: &str = "usage: decay [--head-dim D] [--base B]
  D: even, 2 to 4096 (default 128); B: positive and finite (default 10000)";

fn parse(args: &[String]) -> Result<(usize, f64), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let d = f.get(
        "--head-dim",
        128,
        |d| *d <= 4096,
        "a whole number up to 4096",
    )?;
    let base = f.get("--base", rope::BASE, |_| true, "a number")?;
    f.finish()?;
    Ok((d, base))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        let distances = [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0];
        parse(args)
            .and_then(|(d, b)| rope::report::decay(d, b, &distances).map_err(|e| e.to_string()))
    })
}
