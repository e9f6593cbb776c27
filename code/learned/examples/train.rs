//! Trains a toy position table on short sequences and shows which rows learned.
//!
//! ```text
//! cargo run -p learned --example train -- --max-len 16 --dim 8 --lengths 4,8,12 --steps 60
//! ```

use bookkit::Flags;
use std::process::ExitCode;

const USAGE: &str = "usage: train [--max-len L] [--dim D] [--lengths N,N,...] [--steps S]
  L: rows in the table, 1 to 256 (default 16); D: even width, at most 1024 (default 8);
  N: training lengths, each 1 to L (default 4,8,12); S: steps (default 60, at most 100000)";

struct Args {
    max_len: usize,
    dim: usize,
    lengths: Vec<usize>,
    steps: usize,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let out = Args {
        max_len: f.get(
            "--max-len",
            16,
            |n| *n <= 256,
            "a whole number of rows up to 256",
        )?,
        dim: f.get("--dim", 8, |d| *d <= 1024, "a whole number up to 1024")?,
        lengths: f.list(
            "--lengths",
            vec![4, 8, 12],
            |_| true,
            "whole numbers separated by commas",
        )?,
        steps: f.get(
            "--steps",
            60,
            |n| *n <= 100_000,
            "a whole number up to 100000",
        )?,
    };
    f.finish()?;
    Ok(out)
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|a| {
            learned::report::training(a.max_len, a.dim, &a.lengths, a.steps)
                .map_err(|e| e.to_string())
        })
    })
}
