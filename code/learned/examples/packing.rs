//! Packs documents into fixed contexts and prints the position each token gets.
//!
//! ```text
//! cargo run -p learned --example packing -- --docs 5,3,7 --context 8
//! ```

use bookkit::Flags;
use std::process::ExitCode;

const USAGE: &str = "usage: packing [--docs N,N,...] [--context L]
  document lengths: positive whole numbers, at most 200 tokens in all (default 5,3,7);
  L: context length, positive (default 8)";

fn parse(args: &[String]) -> Result<(Vec<usize>, usize), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let docs = f.list(
        "--docs",
        vec![5, 3, 7],
        |d| {
            d.iter()
                .try_fold(0usize, |a, &n| a.checked_add(n))
                .is_some_and(|t| t <= 200)
        },
        "whole numbers separated by commas, at most 200 tokens in all",
    )?;
    let context = f.get("--context", 8, |_| true, "a whole number")?;
    f.finish()?;
    Ok((docs, context))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(docs, context)| {
            learned::report::packing(&docs, context).map_err(|e| e.to_string())
        })
    })
}
