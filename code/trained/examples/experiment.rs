//! Trains every scheme on the copy task and scores it past its training length; writes the
//! results the chapter includes.
//!
//! ```text
//! cargo run -p trained --example experiment
//! ```
//!
//! The crate is compiled with optimisations even in the dev profile (see the root `Cargo.toml`),
//! so no `--release` is needed. One thread, fixed seeds: the same numbers on every run on the
//! same machine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use trained::experiment::{Config, Results, run};
use trained::report;

/// Trains a tiny transformer per position scheme and seed on the copy task at length 16, scores
/// it at 16, 32, 64 and 128 tokens, and writes `experiment.csv` (the data, with the
/// configuration's fingerprint) and `experiment.md` (the tables) into `--out`.
#[derive(Parser)]
#[command(name = "experiment")]
struct Args {
    /// Directory for the results files (the chapter includes the committed ones).
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results"))]
    out: PathBuf,
    /// Run the test command's reduced configuration instead of the book's (fewer steps, one
    /// seed); its files are not the ones the chapter includes.
    #[arg(long)]
    reduced: bool,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Do not train: rewrite `experiment.md` from the `experiment.csv` already in `--out` (after
    /// a change to how the tables are laid out).
    #[arg(long)]
    rewrite: bool,
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| -> Result<String, String> {
        let config = if args.reduced {
            Config::reduced()
        } else {
            Config::full()
        };
        let csv = args.out.join("experiment.csv");
        let md = args.out.join("experiment.md");
        if args.rewrite {
            let data =
                std::fs::read_to_string(&csv).map_err(|e| format!("{}: {e}", csv.display()))?;
            let results = Results::from_csv(&data).map_err(|e| e.to_string())?;
            let text =
                report::experiment(&config, &results, args.reduced).map_err(|e| e.to_string())?;
            std::fs::write(&md, &text).map_err(|e| format!("{}: {e}", md.display()))?;
            return Ok(format!("{text}\nRewrote {}.\n", md.display()));
        }
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(config.total_steps())
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} steps, ETA {eta}",
            )
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
        );
        let start = Instant::now();
        let results = run(&config, &|| bar.inc(1)).map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        let seconds = start.elapsed().as_secs_f64();
        std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
        std::fs::write(&csv, results.to_csv()).map_err(|e| format!("{}: {e}", csv.display()))?;
        let text =
            report::experiment(&config, &results, args.reduced).map_err(|e| e.to_string())?;
        std::fs::write(&md, &text).map_err(|e| format!("{}: {e}", md.display()))?;
        Ok(format!(
            "{text}\nWrote {} and {} in {seconds:.0} s.\n",
            csv.display(),
            md.display()
        ))
    })
}
