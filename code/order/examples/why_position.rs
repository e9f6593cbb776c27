//! Prints every table of chapter 1, "Why position?".
//!
//! ```text
//! cargo run -p order --example why_position
//! cargo run -p order --example why_position -- --first "cats like John" --second "John likes cats"
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage: why_position [--first SENTENCE] [--second SENTENCE]
  the two sentences must hold the same words (John, like/likes, cats) in some order";

fn parse(args: &[String]) -> Result<(String, String), String> {
    let mut first = "John likes cats".to_string();
    let mut second = "cats like John".to_string();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let slot = match arg.as_str() {
            "--first" => &mut first,
            "--second" => &mut second,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        };
        *slot = it
            .next()
            .ok_or_else(|| format!("{arg} needs a sentence\n{USAGE}"))?
            .clone();
    }
    Ok((first, second))
}

fn main() -> ExitCode {
    bookkit::run_example(|args| {
        parse(args).and_then(|(a, b)| order::report::all(&a, &b).map_err(|e| e.to_string()))
    })
}
