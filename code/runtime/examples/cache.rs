//! Prints the keys the last token of a stream sees in a rolling KV cache with attention sinks,
//! and the distance at which it sees each: within the cache (StreamingLLM) and within the text.
//!
//! ```text
//! cargo run -p runtime --example cache -- --sinks 4 --window 8 --len 40
//! ```

use std::process::ExitCode;

use clap::Parser;

/// Prints what a sink-and-window cache keeps and the distances it gives.
#[derive(Parser)]
#[command(name = "cache")]
struct Args {
    /// First tokens kept for good (the sinks).
    #[arg(long, default_value_t = 2)]
    sinks: usize,
    /// Recent tokens kept, the newest included (at least 1).
    #[arg(long, default_value_t = 4)]
    window: usize,
    /// Tokens in the stream so far (1 to 100000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    len: u32,
}

fn run(a: Args) -> Result<String, runtime::Error> {
    runtime::report::cache_table(a.sinks, a.window, a.len as usize)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
