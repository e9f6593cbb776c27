//! Measures the peak memory of linear attention's explicit O(n²) form and its regrouped form as
//! n grows, and prints the table committed as `code/rope/benches/linear_memory.md`.
//!
//! ```text
//! cargo run --release -p rope --example linear_memory -- --max-n 4096
//! ```

use std::process::ExitCode;

use bookkit::meter::Meter;
use clap::Parser;

#[global_allocator]
static METER: Meter = Meter;

/// Measures peak bytes allocated by the explicit and the regrouped form of causal linear
/// attention with RoPE, for n = 256, 512, … up to `--max-n`, and prints a Markdown table.
#[derive(Parser)]
#[command(name = "linear_memory")]
struct Args {
    /// Largest length: a power of two from 256 to 16384.
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = max_n)]
    max_n: usize,
}

/// A power of two from 256 to 16384.
fn max_n(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n.is_power_of_two() && (256..=16_384).contains(&n) => Ok(n),
        _ => Err("expected a power of two from 256 to 16384".into()),
    }
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| rope::report::linear_memory(a.max_n))
}
