//! Prints Transformer-XL's four terms of one logit, in the absolute form they come from and in the
//! relative form, and DeBERTa's three terms of the same pair.
//!
//! ```text
//! cargo run -p relative --example xl -- --n 6 --i 4 --j 1
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use relative::{Error, report};

/// Prints the four terms of Transformer-XL (Dai et al., 2019, §3.3) for the pair (i, j), j ≤ i,
/// of n random tokens, and DeBERTa's three terms (He et al., 2020, §3.1) for the same pair.
#[derive(Parser)]
#[command(name = "xl")]
struct Args {
    /// Tokens: 1 to 512.
    #[arg(long, value_name = "N", default_value_t = 6,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=512))]
    n: usize,
    /// The query, 0-indexed (below n).
    #[arg(long, value_name = "I", default_value_t = 4)]
    i: usize,
    /// The key, 0-indexed (at most i: the model is causal).
    #[arg(long, value_name = "J", default_value_t = 1)]
    j: usize,
    /// DeBERTa's clipping distance k: 1 to 512.
    #[arg(long, value_name = "K", default_value_t = 2,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=512))]
    k: usize,
}

fn run(args: Args) -> Result<String, Error> {
    report::xl_terms(args.n, (8, 4), (args.i, args.j), args.k)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
