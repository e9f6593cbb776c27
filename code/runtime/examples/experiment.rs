//! Trains chapter 7's RoPE model (chapter 7's code, its copy task, its seeds), then scores it at
//! `L` to `8L` read plainly, with chapter 7's PI and YaRN, and with this chapter's test-time
//! schemes, and measures where its attention goes; writes `results/experiment.md`, which the
//! chapter includes.
//!
//! ```text
//! cargo run --release -p runtime --example experiment
//! cargo run --release -p runtime --example experiment -- --reduced --out /tmp
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use trained::experiment::Config;

/// Scores chapter 7's RoPE models under the chapter's test-time position schemes.
#[derive(Parser)]
#[command(name = "experiment")]
struct Args {
    /// Directory for the results file.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results"))]
    out: std::path::PathBuf,
    /// Chapter 7's reduced configuration (one seed, fewer steps; what the test command runs).
    #[arg(long)]
    reduced: bool,
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| -> Result<String, String> {
        let config = if a.reduced {
            Config::reduced()
        } else {
            Config::full()
        };
        let start = Instant::now();
        let results = runtime::study::run(&config, &|| {}).map_err(|e| e.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        let text = runtime::study::report(&config, &results, secs);
        std::fs::create_dir_all(&a.out).map_err(|e| e.to_string())?;
        let path = a.out.join("experiment.md");
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(format!("{text}\nwrote {}\n", path.display()))
    })
}
