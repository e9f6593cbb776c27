//! Prints every table of chapter 1, "Why position?".
//!
//! ```text
//! cargo run -p order --example why_position
//! cargo run -p order --example why_position -- --first "cats like John" --second "John likes cats"
//! ```

use bookkit::Flags;
use std::process::ExitCode;

const USAGE: &str = "usage: why_position [--first SENTENCE] [--second SENTENCE]
  the two sentences must hold the same words (John, like/likes, cats) in some order";

fn parse(args: &[String]) -> Result<(String, String), String> {
    let mut f = Flags::new(args, USAGE, &[])?;
    let first = f.get(
        "--first",
        "John likes cats".to_string(),
        |_| true,
        "a sentence",
    )?;
    let second = f.get(
        "--second",
        "cats like John".to_string(),
        |_| true,
        "a sentence",
    )?;
    f.finish()?;
    Ok((first, second))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(a, b)| order::report::all(&a, &b).map_err(|e| e.to_string()))
    })
}
