//! Prints the score of a fixed query against a fixed key at every offset (Δrow, Δcol) of a grid
//! under axial 2-D RoPE (or RoPE-Mixed with the pairs turned by an angle), and checks that moving
//! both cells changes nothing.
//!
//! ```text
//! cargo run -p grid --example axial -- --grid 4x6
//! cargo run -p grid --example axial -- --grid 5x5 --head-dim 32 --mixed-degrees 30
//! ```

use std::process::ExitCode;

use clap::Parser;
use grid::{Grid, report};

/// Prints the 2-D RoPE score of a fixed query and key at every offset of a grid.
#[derive(Parser)]
#[command(name = "axial")]
struct Args {
    /// The offsets to print: ROWSxCOLS (each side 1 to 4096).
    #[arg(long, value_name = "ROWSxCOLS", default_value = "4x6", value_parser = str::parse::<Grid>)]
    grid: Grid,
    /// The head width: a multiple of 4, up to 4096.
    #[arg(long, value_name = "D", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    head_dim: u32,
    /// The base (rope-vit's axial models use 100): a finite number above 1.
    #[arg(
        long,
        value_name = "B",
        default_value_t = 100.0,
        allow_negative_numbers = true
    )]
    base: f64,
    /// Use RoPE-Mixed instead, its pairs pointing at this angle and 90° more (0 is axial).
    #[arg(long, value_name = "DEGREES", allow_negative_numbers = true)]
    mixed_degrees: Option<f64>,
}

fn run(a: Args) -> Result<String, grid::Error> {
    if let Some(d) = a.mixed_degrees.filter(|d| !d.is_finite()) {
        return Err(errors::bad("mixed-degrees", d, "it must be a finite angle"));
    }
    report::score_grid(a.grid, a.head_dim as usize, a.base, a.mixed_degrees)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
