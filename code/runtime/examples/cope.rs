//! Prints CoPE's positions for a short text whose gates open on word ends, and the bias of a
//! query that looks for the word two before its own.
//!
//! ```text
//! cargo run -p runtime --example cope -- --gap 8 --target 3
//! ```

use std::process::ExitCode;

use clap::Parser;

/// Prints CoPE positions counted in words.
#[derive(Parser)]
#[command(name = "cope")]
struct Args {
    /// The gate logit: +gap on a word end, −gap elsewhere.
    #[arg(long, default_value_t = 8.0, allow_negative_numbers = true)]
    gap: f64,
    /// The position the query's table rewards (0 to 7).
    #[arg(long, default_value_t = 3)]
    target: usize,
}

fn run(a: Args) -> Result<String, runtime::Error> {
    let words = runtime::report::cope_words(a.gap)?;
    let target = runtime::report::cope_target(a.gap, a.target)?;
    Ok(format!("{words}\n{target}"))
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
