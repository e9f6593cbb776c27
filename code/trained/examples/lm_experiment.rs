//! Chapter 7's language-model experiments in one run: every scheme trained at `L` on the KJV
//! corpus and scored on held-out text at `L` to `16L` (experiment 1; RoPE also under PI,
//! NTK-aware, dynamic NTK and YaRN), the same models probed for retrieval (experiment 2), the
//! RoPE ones fine-tuned at `4L` (experiment 3), the Reverse task (experiment 4) and the size step.
//!
//! ```text
//! cargo run --release -p trained --example lm_experiment
//! cargo run --release -p trained --example lm_experiment -- --part task,size
//! ```
//!
//! Writes `results/lm-experiment`, `lm-probe`, `lm-finetune`, `lm-task` and `lm-size` (`.md`:
//! the tables, their provenance on the first line; `.csv`: every seed's number), each as soon as
//! its part is done.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use trained::lm::runs::{COMMAND, Outcome, canary, csv, run, table};
use trained::lm::suite::{
    Part, Suite, Trained, experiment_one, probe_csv, probe_table, probe_ticks,
};
use trained::lm::{finetune, task};
use trained::text::Corpus;
use trained::text::record::Provenance;

/// Trains the language models of chapter 7 and scores them: experiment 1 (every scheme at L to
/// 16L, bits per character on held-out text, non-overlapping windows), experiment 2 (the
/// repeated-phrase probe on the same models), experiment 3 (the RoPE models fine-tuned at 4L
/// under PI, NTK-aware and YaRN), experiment 4 (the Reverse task) and the size step.
#[derive(Parser)]
#[command(name = "lm_experiment")]
struct Args {
    /// Directory for the results files.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results"))]
    out: PathBuf,
    /// The test command's reduced configuration (its files are named `*-reduced`, not the
    /// chapter's).
    #[arg(long)]
    reduced: bool,
    /// Worker threads (each trains whole models; the numbers do not depend on it).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Hide the progress bars.
    #[arg(long)]
    quiet: bool,
    /// The parts to run, comma-separated, from lm, probe, finetune, task, size (probe and
    /// finetune use lm's models, so they need lm).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "lm,probe,finetune,task,size"
    )]
    part: Vec<Part>,
}

struct Writer {
    out: PathBuf,
    reduced: bool,
    canary: String,
    threads: usize,
}

impl Writer {
    fn command(&self) -> String {
        if self.reduced {
            format!("{COMMAND} -- --reduced")
        } else {
            COMMAND.to_string()
        }
    }

    fn head(&self, suite: &Suite, part: Part, seeds: &[u64]) -> String {
        Provenance {
            command: self.command(),
            seeds: seeds.to_vec(),
            fingerprint: suite.fingerprint(part),
            canary: self.canary.clone(),
        }
        .line()
    }

    fn write(&self, part: Part, md: &str, data: &str) -> Result<String, String> {
        let stem = if self.reduced {
            format!("{}-reduced", part.stem())
        } else {
            part.stem().to_string()
        };
        let write = |p: &Path, text: &str| {
            std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))
        };
        let (m, c) = (
            self.out.join(format!("{stem}.md")),
            self.out.join(format!("{stem}.csv")),
        );
        write(&m, md)?;
        write(&c, data)?;
        Ok(format!(
            "{md}\nWrote {} and {}.\n\n",
            m.display(),
            c.display()
        ))
    }

    fn wall(&self, start: Instant) -> String {
        format!(
            "Wall time of this part: {:.0} s on {} threads.",
            start.elapsed().as_secs_f64(),
            self.threads
        )
    }
}

fn bar(quiet: bool, len: u64, what: &str) -> Result<ProgressBar, String> {
    let b = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(len)
    };
    b.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what}, ETA {{eta}}"
        ))
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    Ok(b)
}

fn main() -> ExitCode {
    bookkit::cli::run(|a: Args| -> Result<String, String> {
        if a.threads == 0 || a.threads > 64 {
            return Err(format!("--threads {}: it must be 1 to 64", a.threads));
        }
        let has = |p: Part| a.part.contains(&p);
        if (has(Part::Probe) || has(Part::Finetune)) && !has(Part::Lm) {
            return Err(format!(
                "--part {}: probe and finetune read experiment 1's models, so they need lm as well",
                a.part
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        let suite = if a.reduced {
            Suite::reduced()
        } else {
            Suite::full()
        };
        let corpus = Corpus::kjv().map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
        let w = Writer {
            out: a.out.clone(),
            reduced: a.reduced,
            canary: canary().map_err(|e| e.to_string())?,
            threads: a.threads,
        };
        let mut report = String::new();
        let mut models: Vec<Trained> = Vec::new();
        if has(Part::Lm) {
            let start = Instant::now();
            let probe_per_model = if has(Part::Probe) {
                probe_ticks(&suite.probe)
            } else {
                0
            };
            let models_n = (suite.lm.seeds.len() * suite.lm.schemes.len()) as u64;
            let b = bar(
                a.quiet,
                suite.lm.ticks() + models_n * probe_per_model,
                "steps and windows (experiments 1 and 2)",
            )?;
            models = experiment_one(
                &suite,
                &corpus,
                a.threads,
                has(Part::Probe),
                has(Part::Finetune),
                &|| b.inc(1),
            )
            .map_err(|e| e.to_string())?;
            b.finish_and_clear();
            let outcomes: Vec<Outcome> = models.iter().map(|m| m.outcome.clone()).collect();
            let s = &suite.lm;
            let sh = &s.shape;
            let md = format!(
                "{}\n\nBits per character on the first {} held-out characters (non-overlapping windows), mean over the seeds \
                 (lowest–highest). Models: {} blocks, width {}, {} heads, feed-forward {}, trained at L = {} for {} steps of {} \
                 windows ({} characters per run). {}\n\n{}",
                w.head(&suite, Part::Lm, &s.seeds),
                s.eval_tokens,
                sh.layers,
                sh.d_model,
                sh.heads,
                sh.ff,
                sh.train_len,
                s.steps,
                s.batch,
                s.steps * s.batch * sh.train_len,
                w.wall(start),
                table(s, &outcomes)
            );
            report += &w.write(Part::Lm, &md, &csv(&outcomes))?;
            if has(Part::Probe) {
                let p = &suite.probe;
                let md = format!(
                    "{}\n\nRepeated-phrase probe on experiment 1's models ({} trials, a phrase of {} held-out characters written \
                     twice into held-out text after a prefix of {}, the second copy d characters after the first and ending \
                     the window of n characters): what the first copy saves on the second copy's characters after its first, \
                     in bits per character (the control, the same window without the first copy, minus the window with it), \
                     mean over the seeds (lowest–highest). Windows up to n = {} lie within the training length L = {}.\n\n{}",
                    w.head(&suite, Part::Probe, &s.seeds),
                    p.trials,
                    p.phrase,
                    p.prefix,
                    sh.train_len,
                    sh.train_len,
                    probe_table(p, &models)
                );
                report += &w.write(Part::Probe, &md, &probe_csv(p, &models))?;
            }
        }
        if has(Part::Finetune) {
            let start = Instant::now();
            let sw = &suite.sweep;
            let bases: Vec<(u64, trained::lm::Model)> = models
                .iter()
                .filter_map(|m| m.model.clone().map(|x| (m.outcome.seed, x)))
                .collect();
            let b = bar(
                a.quiet,
                sw.ticks_per_run() * (bases.len() * sw.scalings.len()) as u64,
                "steps and windows (experiment 3)",
            )?;
            let runs = finetune::run(sw, &corpus, &bases, a.threads, &|| b.inc(1))
                .map_err(|e| e.to_string())?;
            b.finish_and_clear();
            let l = sw.base.shape.train_len;
            let md = format!(
                "{}\n\nExperiment 1's RoPE models fine-tuned at {f}L = {n} with the frequency change of each row at the fixed \
                 factor {f} (plain RoPE: none), {} training windows of {n} characters a step, AdamW at a constant \
                 rate {} after {} steps of warm-up; each budget is a checkpoint of one run per seed. Bits per character on the \
                 first {} held-out characters, mean over the seeds (lowest–highest), read with the same frequencies at {f}L and \
                 at L. {}\n\nAt {f}L = {n}:\n\n{}\nAt L = {l}:\n\n{}",
                w.head(&suite, Part::Finetune, &sw.base.seeds),
                sw.windows_per_step(),
                sw.lr,
                sw.warmup,
                sw.base.eval_tokens,
                w.wall(start),
                finetune::table(sw, &runs, true),
                finetune::table(sw, &runs, false),
                f = sw.factor,
                n = sw.factor * l,
            );
            report += &w.write(Part::Finetune, &md, &finetune::csv(sw, &runs))?;
        }
        if has(Part::Task) {
            let start = Instant::now();
            let t = &suite.task;
            let b = bar(a.quiet, t.ticks(), "steps (experiment 4)")?;
            let outcomes = task::run(t, a.threads, &|| b.inc(1)).map_err(|e| e.to_string())?;
            b.finish_and_clear();
            let sh = &t.shape;
            let md = format!(
                "{}\n\nReverse (Kazemnejad et al., 2023, arXiv:2305.19466, §4): k tokens from {} symbols, a separator, the k \
                 tokens reversed, an end token. Trained on k = {} to {} ({} sequences a step, {} steps); {} test sequences per \
                 k, the same for every model, scored with the answer fed in. Models: {} blocks, width {}, {} heads, \
                 feed-forward {}. Mean over the seeds (lowest–highest). {}\n\nExact match (every answer token and the end \
                 token right):\n\n{}\nToken accuracy (answer tokens and the end token):\n\n{}",
                w.head(&suite, Part::Task, &t.seeds),
                t.symbols,
                t.train_min,
                t.train_max,
                t.batch,
                t.steps,
                t.tests,
                sh.layers,
                sh.d_model,
                sh.heads,
                sh.ff,
                w.wall(start),
                task::table(t, &outcomes, true),
                task::table(t, &outcomes, false),
            );
            report += &w.write(Part::Task, &md, &task::csv(&outcomes))?;
        }
        if has(Part::Size) {
            let start = Instant::now();
            let s = &suite.size;
            let b = bar(a.quiet, s.ticks(), "steps and windows (the size step)")?;
            let outcomes = run(s, &corpus, a.threads, &|| b.inc(1)).map_err(|e| e.to_string())?;
            b.finish_and_clear();
            let sh = &s.shape;
            let md = format!(
                "{}\n\nThe size step: experiment 1's setup one step up in depth ({} blocks instead of {}, width {}, {} heads, \
                 feed-forward {}, L = {}, {} steps of {} windows), for one scheme pair. Bits per character on the first {} \
                 held-out characters, mean over the seeds (lowest–highest). {}\n\n{}",
                w.head(&suite, Part::Size, &s.seeds),
                sh.layers,
                suite.lm.shape.layers,
                sh.d_model,
                sh.heads,
                sh.ff,
                sh.train_len,
                s.steps,
                s.batch,
                s.eval_tokens,
                w.wall(start),
                table(s, &outcomes)
            );
            report += &w.write(Part::Size, &md, &csv(&outcomes))?;
        }
        Ok(report)
    })
}
