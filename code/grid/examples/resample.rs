//! Resamples a made-up learned 2-D position table (cell (i, j) holds 2i + j + ij) to a larger
//! grid, corners aligned (big_vision's scipy.ndimage.zoom) and half-pixel (PyTorch's
//! align_corners=False), as ViT does to fine-tune at a higher resolution.
//!
//! ```text
//! cargo run -p grid --example resample -- --from 2x2 --to 4x4
//! cargo run -p grid --example resample -- --from 3x3 --to 5x7
//! ```

use std::process::ExitCode;

use clap::Parser;
use grid::{Grid, report};

/// Resamples a learned 2-D position table to a larger grid in both conventions.
#[derive(Parser)]
#[command(name = "resample")]
struct Args {
    /// The grid the table was learned on: ROWSxCOLS.
    #[arg(long, value_name = "ROWSxCOLS", default_value = "2x2", value_parser = str::parse::<Grid>)]
    from: Grid,
    /// The new grid, at least as large on both axes (at most 64 per side, to print).
    #[arg(long, value_name = "ROWSxCOLS", default_value = "4x4", value_parser = small)]
    to: Grid,
}

/// A grid small enough to print: each side 1 to 64.
fn small(text: &str) -> Result<Grid, String> {
    let g: Grid = text.parse()?;
    if g.rows() > 64 || g.cols() > 64 {
        return Err(format!("{g} is too large to print: each side at most 64"));
    }
    Ok(g)
}

fn run(a: Args) -> Result<String, grid::Error> {
    report::resample_example(a.from, a.to)
}

fn main() -> ExitCode {
    bookkit::cli::run(run)
}
