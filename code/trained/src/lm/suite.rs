//! The language models' experiments in one run: experiment 1's models are trained once, scored
//! at `L` to `16L` (experiment 1), probed for retrieval (experiment 2, the repeated-phrase probe
//! of [`crate::text::probe`] at distances within and beyond `L`), and the RoPE ones fine-tuned at
//! `4L` ([`super::finetune`], experiment 3). Beside them, the size step (one scheme pair one step
//! up in depth, scored as experiment 1 is) and experiment 4 ([`super::task`]). Every job is
//! deterministic and results are put back in job order, so the thread count never changes a
//! number.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use errors::bad;

use super::finetune::Sweep;
use super::params::Model;
use super::runs::{Outcome, Setup, scored, spread, trained};
use super::task::TaskSetup;
use crate::text::Corpus;
use crate::text::probe::{Answer, Point, Probe};
use crate::{Result, Scheme};

/// Runs `f` on every job on up to `threads` threads and returns the results in job order.
///
/// # Errors
/// The first job's error, in job order.
///
/// ```
/// let squares = trained::lm::suite::pool(&[1, 2, 3], 2, |&x| Ok(x * x))?;
/// assert_eq!(squares, [1, 4, 9]);
/// # Ok::<(), trained::Error>(())
/// ```
pub fn pool<J: Sync, R: Send>(
    jobs: &[J],
    threads: usize,
    f: impl Fn(&J) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<R>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else {
                        break;
                    };
                    let out = f(job);
                    if let Ok(mut d) = done.lock() {
                        d[i] = Some(out);
                    }
                }
            });
        }
    });
    let done = done
        .into_inner()
        .map_err(|_| bad("suite", "a worker", "a worker thread panicked"))?;
    done.into_iter()
        .map(|o| o.unwrap_or_else(|| Err(bad("suite", "a job", "a job did not finish"))))
        .collect()
}

/// A part of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Experiment 1: every scheme trained at `L`, scored at `L` to `16L`.
    Lm,
    /// Experiment 2: the repeated-phrase probe on experiment 1's models.
    Probe,
    /// Experiment 3: experiment 1's RoPE models fine-tuned at `4L`.
    Finetune,
    /// The size step: one scheme pair trained one step up in size.
    Size,
    /// Experiment 4: the Reverse task of Kazemnejad et al.
    Task,
}

impl Part {
    /// Every part, in the order a run does them.
    pub const ALL: [Part; 5] = [
        Part::Lm,
        Part::Probe,
        Part::Finetune,
        Part::Task,
        Part::Size,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Part::Lm => "lm",
            Part::Probe => "probe",
            Part::Finetune => "finetune",
            Part::Size => "size",
            Part::Task => "task",
        }
    }

    /// The results files' stem.
    pub fn stem(self) -> &'static str {
        match self {
            Part::Lm => "lm-experiment",
            Part::Probe => "lm-probe",
            Part::Finetune => "lm-finetune",
            Part::Size => "lm-size",
            Part::Task => "lm-task",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Part {
    type Err = String;

    /// ```
    /// use trained::lm::suite::Part;
    /// assert_eq!("probe".parse::<Part>(), Ok(Part::Probe));
    /// assert!("probes".parse::<Part>().unwrap_err().contains("lm, probe, finetune, task, size"));
    /// ```
    fn from_str(s: &str) -> std::result::Result<Part, String> {
        Part::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a part: the parts are lm, probe, finetune, task, size")
            })
    }
}

/// Everything the run trains and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// Experiment 1.
    pub lm: Setup,
    /// Experiment 2's probe.
    pub probe: Probe,
    /// Experiment 3 (its base is `lm`).
    pub sweep: Sweep,
    /// The size step.
    pub size: Setup,
    /// Experiment 4.
    pub task: TaskSetup,
}

impl Suite {
    /// The book's run: experiment 1 as [`Setup::full`]; the probe of the bigram baseline
    /// (`crate::text::baseline::Config::book`, phrase 16 after a prefix of 8, windows of 40 and
    /// 64 characters within `L` and `2L` to `16L` beyond, 32 trials); [`Sweep::full`]; the size
    /// step as experiment 1 with 6 blocks instead of 4, RoPE and ALiBi; [`TaskSetup::full`].
    pub fn full() -> Suite {
        let lm = Setup::full();
        Suite {
            probe: crate::text::baseline::Config::book().probe,
            sweep: Sweep::full(),
            size: Setup {
                shape: super::Config {
                    layers: 6,
                    ..lm.shape
                },
                schemes: vec![Scheme::Alibi, Scheme::Rope],
                ..lm.clone()
            },
            task: TaskSetup::full(),
            lm,
        }
    }

    /// The test command's run: experiment 1 as [`Setup::reduced`], a probe of 4 trials at
    /// distances whose windows are `L` and `4L`, a fine-tune to `4L` with checkpoints after 0
    /// and 20 steps, the size step at 3 blocks for ALiBi, and [`TaskSetup::reduced`].
    pub fn reduced() -> Suite {
        let lm = Setup::reduced();
        let l = lm.shape.train_len;
        Suite {
            probe: Probe {
                phrase: 8,
                prefix: 4,
                distances: vec![l - 12, 4 * l - 12],
                trials: 4,
                seed: 0,
            },
            sweep: Sweep::on(lm.clone(), vec![0, 20]),
            size: Setup {
                shape: super::Config {
                    layers: 3,
                    ..lm.shape
                },
                schemes: vec![Scheme::Alibi],
                seeds: vec![0],
                ..lm.clone()
            },
            task: TaskSetup::reduced(),
            lm,
        }
    }

    /// The fingerprint of the configuration a part's numbers depend on: experiment 1's setup for
    /// `lm` (the committed file's), with the probe for `probe`, the sweep (which holds its base)
    /// for `finetune`, the size step's setup, the task's setup.
    pub fn fingerprint(&self, part: Part) -> String {
        let text = match part {
            Part::Lm => return self.lm.fingerprint(),
            Part::Probe => format!("{:?} {:?}", self.lm, self.probe),
            Part::Finetune => return self.sweep.fingerprint(),
            Part::Size => return self.size.fingerprint(),
            Part::Task => format!("{:?}", self.task),
        };
        crate::text::record::fingerprint(&text)
    }
}

/// One of experiment 1's models after the run: its scores, its probe, and the model itself if it
/// is kept for the fine-tune.
#[derive(Debug, Clone)]
pub struct Trained {
    /// Experiment 1's outcome.
    pub outcome: Outcome,
    /// The probe per distance (a refusal's message where the scheme cannot read the window).
    pub probe: Vec<Answer>,
    /// The model, for RoPE when the fine-tune follows.
    pub model: Option<Model>,
}

/// Experiment 1's jobs (seed-major, schemes in order, as [`super::runs::run`] orders them),
/// each trained, scored, probed when `probe` is set, and kept when it is RoPE and `keep` is set.
///
/// # Errors
/// The first job's error, in job order.
pub fn experiment_one(
    suite: &Suite,
    corpus: &Corpus,
    threads: usize,
    probe: bool,
    keep: bool,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Trained>> {
    let setup = &suite.lm;
    let jobs: Vec<(Scheme, u64)> = setup
        .seeds
        .iter()
        .flat_map(|&seed| setup.schemes.iter().map(move |&s| (s, seed)))
        .collect();
    pool(&jobs, threads, |&(scheme, seed)| {
        let (model, loss) = trained(setup, corpus, scheme, seed, tick)?;
        let outcome = scored(setup, corpus, &model, seed, loss, tick)?;
        let probe = if probe {
            suite.probe.run_each(&model, corpus.held_out(), tick)?
        } else {
            Vec::new()
        };
        let model = (keep && scheme == Scheme::Rope).then_some(model);
        Ok(Trained {
            outcome,
            probe,
            model,
        })
    })
}

/// Progress ticks of the probe on one model.
pub fn probe_ticks(p: &Probe) -> u64 {
    (2 * p.trials * p.distances.len()) as u64
}

/// The probe as Markdown: one row per scheme, one column per distance `d` (with its window's
/// length), each cell what the first copy saves (control − with it, bits per character) as the
/// seeds' mean (lowest–highest); a refused distance says so.
pub fn probe_table(p: &Probe, runs: &[Trained]) -> String {
    let mut out = String::from("| model |");
    for &d in &p.distances {
        out.push_str(&format!(" d = {d} (n = {}) |", p.window_len(d)));
    }
    out.push_str("\n|:--|");
    out.push_str(&"--:|".repeat(p.distances.len()));
    out.push('\n');
    let mut schemes: Vec<Scheme> = Vec::new();
    for r in runs {
        if !schemes.contains(&r.outcome.scheme) {
            schemes.push(r.outcome.scheme);
        }
    }
    for s in schemes {
        out.push_str(&format!("| {} |", s.name()));
        for &d in &p.distances {
            let cell: std::result::Result<Vec<f64>, ()> = runs
                .iter()
                .filter(|r| r.outcome.scheme == s)
                .map(|r| {
                    r.probe
                        .iter()
                        .find(|(at, _)| *at == d)
                        .and_then(|(_, pt)| pt.as_ref().ok())
                        .map(Point::gain)
                        .ok_or(())
                })
                .collect();
            match cell {
                Ok(v) => out.push_str(&format!(" {} |", spread(&v))),
                Err(()) => out.push_str(" refused |"),
            }
        }
        out.push('\n');
    }
    out
}

/// The probe as CSV: `scheme,seed,distance,window,repeated,control` in bits per character (a
/// refused distance has empty values).
pub fn probe_csv(p: &Probe, runs: &[Trained]) -> String {
    let mut out = String::from("scheme,seed,distance,window,repeated,control\n");
    for r in runs {
        for (d, pt) in &r.probe {
            let (a, b) = match pt {
                Ok(pt) => (format!("{:.6}", pt.repeated), format!("{:.6}", pt.control)),
                Err(_) => (String::new(), String::new()),
            };
            out.push_str(&format!(
                "{},{},{d},{},{a},{b}\n",
                r.outcome.scheme.name(),
                r.outcome.seed,
                p.window_len(*d)
            ));
        }
    }
    out
}
