//! Trains a toy position table on short sequences and shows which rows learned.
//!
//! ```text
//! cargo run -p learned --example train -- --max-len 16 --dim 8 --lengths 4,8,12 --steps 60
//! ```

use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;

/// Trains a toy position table, one sequence per step with lengths cycling through `--lengths`,
/// and prints, per row, the updates it received, how far it moved and how far it is from its
/// target.
#[derive(Parser)]
#[command(name = "train")]
struct Args {
    /// Rows in the table: up to 256.
    #[arg(long, value_name = "L", default_value_t = learned::report::TOY_ROWS,
          value_parser = RangedU64ValueParser::<usize>::new().range(..=256))]
    max_len: usize,
    /// Width of the table: even, up to 1024.
    #[arg(long, value_name = "D", default_value_t = learned::report::TOY_DIM,
          value_parser = RangedU64ValueParser::<usize>::new().range(..=1024))]
    dim: usize,
    /// Training lengths, whole numbers separated by commas, each 1 to L.
    // Spelled `::std::vec::Vec` so that clap's derive reads one comma list, not a repeated flag.
    #[arg(long, value_name = "N,N,...", default_value = "4,8,12",
          value_parser = bookkit::cli::list::<usize>)]
    lengths: ::std::vec::Vec<usize>,
    /// Training steps: up to 100000.
    #[arg(long, value_name = "S", default_value_t = learned::report::TOY_STEPS,
          value_parser = RangedU64ValueParser::<usize>::new().range(..=100_000))]
    steps: usize,
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| learned::report::training(a.max_len, a.dim, &a.lengths, a.steps))
}
