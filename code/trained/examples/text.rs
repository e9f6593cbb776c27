//! Scores the bigram baseline on the held-out King James text at 64 to 1024 characters and runs
//! the repeated-phrase probe on it; writes the results file the chapter includes.
//!
//! ```text
//! cargo run -p trained --example text
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use trained::text::Corpus;
use trained::text::baseline::{Config, report, run, total_windows};

/// Counts a bigram model of bytes on the training part of the shipped corpus
/// (`code/trained/data/kjv.txt`), scores it in bits per character on the held-out block at
/// L = 64 to 16L, runs the repeated-phrase probe, and writes `text.md` into `--out`.
#[derive(Parser)]
#[command(name = "text")]
struct Args {
    /// Directory for the results file (the chapter includes the committed one).
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results"))]
    out: PathBuf,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| -> Result<String, String> {
        let config = Config::book();
        let corpus = Corpus::kjv().map_err(|e| e.to_string())?;
        let total = total_windows(&config, &corpus).map_err(|e| e.to_string())?;
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(total)
        };
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} windows")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        let baseline = run(&config, &corpus, || bar.inc(1)).map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        let text = report(&config, &baseline);
        let path = args.out.join("text.md");
        std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(format!("{text}\nWrote {}.\n", path.display()))
    })
}
