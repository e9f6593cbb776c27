//! Prints every table of chapter 1, "Why position?".
//!
//! ```text
//! cargo run -p order --example why_position
//! cargo run -p order --example why_position -- --first "cats like John" --second "John likes cats"
//! ```

use clap::Parser;
use std::process::ExitCode;

/// Prints every table of chapter 1 for two sentences that hold the same words (John, like/likes,
/// cats) in some order.
#[derive(Parser)]
struct Args {
    /// The first sentence.
    #[arg(long, value_name = "SENTENCE", default_value = "John likes cats")]
    first: String,
    /// The second sentence: the same words in another order.
    #[arg(long, value_name = "SENTENCE", default_value = "cats like John")]
    second: String,
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| order::report::all(&args.first, &args.second))
}
