//! Prints RoPE's long-term decay curve and average cosine at growing distances.
//!
//! ```text
//! cargo run -p rope --example decay -- --head-dim 128 --base 500000
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;

/// Prints RoPE's long-term decay curve (RoFormer's bound) and the average cosine at distances
/// 0, 1, 10, … 100000.
#[derive(Parser)]
#[command(name = "decay")]
struct Args {
    /// The head width: even, 2 to 4096.
    #[arg(long, value_name = "D", default_value_t = 128,
          value_parser = RangedU64ValueParser::<usize>::new().range(..=4096))]
    head_dim: usize,
    /// The base: a finite number above 1.
    #[arg(long, value_name = "B", default_value_t = rope::BASE, allow_negative_numbers = true)]
    base: f64,
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| {
        let distances = [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0];
        rope::report::decay(a.head_dim, a.base, &distances)
    })
}
