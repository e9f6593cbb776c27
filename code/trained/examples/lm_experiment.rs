//! Experiment 1 of chapter 7: every scheme trained at `L` on the KJV corpus and scored on
//! held-out text at `L` to `16L`; RoPE also under PI, NTK-aware, dynamic NTK and YaRN.
//!
//! ```text
//! cargo run --release -p trained --example lm_experiment
//! ```
//!
//! Writes `results/lm-experiment.md` (the table, its provenance on the first line) and
//! `results/lm-experiment.csv` (every seed's number).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use trained::lm::finetune::{Sweep, sweep, sweep_table};
use trained::lm::runs::{COMMAND, Setup, canary, csv, run, table};
use trained::text::Corpus;
use trained::text::record::Provenance;

/// Trains every position scheme with each seed on the corpus's training part and scores each
/// on held-out text at L to 16L (bits per character, non-overlapping windows).
#[derive(Parser)]
#[command(name = "lm_experiment")]
struct Args {
    /// Directory for the results files.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results"))]
    out: PathBuf,
    /// The test command's reduced configuration (its files are not the chapter's).
    #[arg(long)]
    reduced: bool,
    /// Worker threads (each trains whole models; the numbers do not depend on it).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Run experiment 3 instead (RoPE fine-tuned at 4L under PI, NTK-aware and YaRN against
    /// plain RoPE), writing `lm-finetune.md`.
    #[arg(long)]
    finetune: bool,
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| -> Result<String, String> {
        if a.threads == 0 || a.threads > 64 {
            return Err(format!("--threads {}: it must be 1 to 64", a.threads));
        }
        let setup = if a.reduced {
            Setup::reduced()
        } else {
            Setup::full()
        };
        let corpus = Corpus::kjv().map_err(|e| e.to_string())?;
        if a.finetune {
            return finetune(&a, &corpus);
        }
        let bar = if a.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(setup.ticks())
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} steps and windows, ETA {eta}",
            )
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
        );
        let start = Instant::now();
        let stem = if a.reduced {
            "lm-experiment-reduced"
        } else {
            "lm-experiment"
        };
        let command = if a.reduced {
            format!("{COMMAND} -- --reduced")
        } else {
            COMMAND.to_string()
        };
        std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
        let md = a.out.join(format!("{stem}.md"));
        let data = a.out.join(format!("{stem}.csv"));
        let code = canary().map_err(|e| e.to_string())?;
        // One seed at a time, the files rewritten after each: an interrupted run keeps the seeds
        // it finished, and its first line names them.
        let mut outcomes = Vec::new();
        let mut text = String::new();
        for (i, &seed) in setup.seeds.iter().enumerate() {
            let one = Setup {
                seeds: vec![seed],
                ..setup.clone()
            };
            outcomes
                .extend(run(&one, &corpus, a.threads, &|| bar.inc(1)).map_err(|e| e.to_string())?);
            let done = Setup {
                seeds: setup.seeds[..=i].to_vec(),
                ..setup.clone()
            };
            let head = Provenance {
                command: command.clone(),
                seeds: done.seeds.clone(),
                fingerprint: done.fingerprint(),
                canary: code.clone(),
            };
            let s = &setup.shape;
            text = format!(
                "{}\n\nBits per character on the first {} held-out characters (non-overlapping windows), mean over the seeds \
                 (lowest–highest). Models: {} blocks, width {}, {} heads, feed-forward {}, trained at L = {} for {} steps of {} \
                 windows ({} characters per run). Wall time of this run: {:.0} s on {} threads.\n\n{}",
                head.line(),
                setup.eval_tokens,
                s.layers,
                s.d_model,
                s.heads,
                s.ff,
                s.train_len,
                setup.steps,
                setup.batch,
                setup.steps * setup.batch * s.train_len,
                start.elapsed().as_secs_f64(),
                a.threads,
                table(&done, &outcomes)
            );
            std::fs::write(&md, &text).map_err(|e| format!("{}: {e}", md.display()))?;
            std::fs::write(&data, csv(&outcomes))
                .map_err(|e| format!("{}: {e}", data.display()))?;
        }
        bar.finish_and_clear();
        Ok(format!(
            "{text}\nWrote {} and {}.\n",
            md.display(),
            data.display()
        ))
    })
}

fn finetune(a: &Args, corpus: &Corpus) -> Result<String, String> {
    let s = Sweep::full();
    let start = Instant::now();
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::no_length()
    };
    let grid = sweep(&s, corpus, a.threads, &|| bar.inc(1)).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let head = Provenance {
        command: format!("{COMMAND} -- --finetune"),
        seeds: s.base.seeds.clone(),
        fingerprint: s.fingerprint(),
        canary: canary().map_err(|e| e.to_string())?,
    };
    let text = format!(
        "{}\n\nBits per character at {}L = {} on the first {} held-out characters, mean over the seeds (lowest–highest), \
         after fine-tuning experiment 1's RoPE models at {}L for each budget (4 windows a step, peak rate {}) with the \
         frequency change of each row (factor {}), then scoring with the same change. Wall time: {:.0} s on {} threads.\n\n{}",
        head.line(),
        s.factor,
        s.factor * s.base.shape.train_len,
        s.base.eval_tokens,
        s.factor,
        s.lr,
        s.factor,
        start.elapsed().as_secs_f64(),
        a.threads,
        sweep_table(&s, &grid)
    );
    let md = a.out.join("lm-finetune.md");
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    std::fs::write(&md, &text).map_err(|e| format!("{}: {e}", md.display()))?;
    Ok(format!("{text}\nWrote {}.\n", md.display()))
}
