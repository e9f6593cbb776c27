//! The experiment: every scheme trained on the copy task at length `L` over several seeds, then
//! scored at `L`, `2L`, `4L` and `8L`; its configuration, its fingerprint and its results file.

use ndarray::Array2;

use errors::bad;

use crate::model::{Dims, Model};
use crate::train::{Schedule, Score, evaluate, train, train_all};
use crate::{Error, RopeScaling, Scheme, Variant};

/// Everything that decides the experiment's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The model's sizes.
    pub dims: Dims,
    /// The task and optimiser settings.
    pub schedule: Schedule,
    /// One training run per scheme per seed.
    pub seeds: Vec<u64>,
    /// Evaluation lengths as multiples of `L`.
    pub multiples: Vec<usize>,
    /// Sequences scored per length.
    pub eval_sequences: usize,
}

/// The model every run of the chapter uses: 16 tokens (one the marker), width 32, 4 heads of 8,
/// 2 attention layers, trained at `L = 16`, RoPE base 10000.
pub const DIMS: Dims = Dims {
    vocab: 16,
    d_model: 32,
    heads: 4,
    layers: 2,
    train_len: 16,
    rope_base: 10_000.0,
};

impl Config {
    /// The experiment the book reports: 600 steps of 16 sequences, copying the token 3 back,
    /// seeds 0, 1, 2, scored on 32 sequences at each length.
    pub fn full() -> Config {
        Config {
            dims: DIMS,
            schedule: Schedule {
                delta: 3,
                steps: 600,
                batch: 16,
                lr: 0.01,
            },
            seeds: vec![0, 1, 2],
            multiples: vec![1, 2, 4, 8],
            eval_sequences: 32,
        }
    }

    /// The reduced run the test command makes: the same model and task, one seed, fewer steps
    /// and smaller batches, scored at `L` and `2L`.
    pub fn reduced() -> Config {
        Config {
            dims: DIMS,
            schedule: Schedule {
                delta: 3,
                steps: 250,
                batch: 8,
                lr: 0.01,
            },
            seeds: vec![0],
            multiples: vec![1, 2, 4],
            eval_sequences: 8,
        }
    }

    /// The evaluation lengths.
    pub fn lengths(&self) -> Vec<usize> {
        self.multiples
            .iter()
            .map(|m| m * self.dims.train_len)
            .collect()
    }

    /// A fingerprint of every setting (64-bit FNV-1a of the configuration's debug text, which
    /// prints every field and every float exactly), in hex. Any change to the configuration
    /// changes it, so a results file can say which configuration made it.
    ///
    /// ```
    /// use trained::experiment::Config;
    /// assert_eq!(Config::full().hash(), Config::full().hash());
    /// assert_ne!(Config::full().hash(), Config::reduced().hash());
    /// ```
    pub fn hash(&self) -> String {
        crate::text::record::fingerprint(&format!("{self:?}"))
    }

    /// How many optimiser steps the whole run takes (what the progress bar counts).
    ///
    /// ```
    /// use trained::experiment::Config;
    /// assert_eq!(Config::full().total_steps(), 6 * 3 * 600);
    /// assert_eq!(Config::reduced().total_steps(), 6 * 250);
    /// ```
    pub fn total_steps(&self) -> u64 {
        (Scheme::ALL.len() * self.seeds.len() * self.schedule.steps) as u64
    }

    /// The command that runs this configuration and writes the results file.
    pub fn command(&self) -> String {
        "cargo run -p trained --example experiment".to_string()
    }
}

/// One scored cell: a variant, a seed, a length; `None` where the model refused the length.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// What was evaluated.
    pub variant: Variant,
    /// The training seed.
    pub seed: u64,
    /// The length.
    pub n: usize,
    /// The score, or `None` if the model refused the sequence.
    pub score: Option<Score>,
}

/// What a run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The fingerprint of the configuration that produced these results.
    pub hash: String,
    /// Every cell, variants in [`Variant::ALL`] order, then seeds, then lengths.
    pub cells: Vec<Cell>,
    /// The error the learned model gave past its table.
    pub refusal: String,
    /// The trained RoPE head shown in the figure: layer, head.
    pub head: (usize, usize),
    /// Its attention weights on the first evaluation sequence at `L` and at `4L`.
    pub maps: Vec<Array2<f64>>,
    /// [`canary`]'s losses, as computed by the code that made these results.
    pub canary: String,
}

/// A fingerprint of the code rather than the configuration: for each scheme, the loss on a fixed
/// batch after three training steps from the first seed, to 12 decimals. Any change to the
/// initialisation, the task, the forward or backward pass or the optimiser changes it, and it
/// takes well under a second, so a test can recompute it and compare it with the results file.
///
/// # Errors
/// A configuration the model refuses.
pub fn canary(config: &Config) -> Result<String, Error> {
    let seed = config.seeds.first().copied().unwrap_or(0);
    let schedule = Schedule {
        steps: 3,
        ..config.schedule
    };
    let n = config.dims.train_len;
    let batch: Vec<_> = (0..4)
        .map(|b| {
            crate::train::copy_task(
                n,
                config.dims.vocab,
                schedule.delta,
                crate::train::mix(seed, u64::MAX - 1, b),
            )
        })
        .collect();
    let mut parts = Vec::new();
    for scheme in Scheme::ALL {
        let mut model = Model::new(scheme, config.dims, seed)?;
        train(&mut model, &schedule, seed, || {})?;
        let positions = crate::model::Positions::new(Variant::plain(scheme), &config.dims, n)?;
        parts.push(format!(
            "{}={:.12}",
            scheme.name(),
            crate::train::loss(&model, &batch, &positions)?
        ));
    }
    Ok(parts.join(";"))
}

/// The head of the first layer-and-head order that puts the most weight on the key `Δ` back.
fn offset_head(weights: &[Vec<Array2<f64>>], delta: usize) -> (usize, usize) {
    let mut best = ((0, 0), f64::NEG_INFINITY);
    for (l, heads) in weights.iter().enumerate() {
        for (h, w) in heads.iter().enumerate() {
            let n = w.nrows();
            let mean =
                (delta..n).map(|i| w[[i, i - delta]]).sum::<f64>() / (n - delta).max(1) as f64;
            if mean > best.1 {
                best = ((l, h), mean);
            }
        }
    }
    best.0
}

// ANCHOR: run
/// Runs the experiment: for each scheme and seed, train at `L`, then score every variant of
/// that scheme at every length (the models train on up to two threads, see [`train_all`]).
/// `tick` is called after every optimiser step.
///
/// # Errors
/// A configuration the model or the schedule refuses, or no seeds or lengths.
pub fn run(config: &Config, tick: &(dyn Fn() + Sync)) -> Result<Results, Error> {
    if config.seeds.is_empty() || config.multiples.is_empty() || config.multiples.contains(&0) {
        return Err(bad(
            "seeds / multiples",
            format!("{:?} / {:?}", config.seeds, config.multiples),
            "the experiment needs a seed and positive length multiples",
        ));
    }
    let mut results = Results {
        hash: config.hash(),
        cells: Vec::new(),
        refusal: String::new(),
        head: (0, 0),
        maps: Vec::new(),
        canary: canary(config)?,
    };
    let jobs: Vec<(Scheme, u64)> = Scheme::ALL
        .into_iter()
        .flat_map(|scheme| config.seeds.iter().map(move |&seed| (scheme, seed)))
        .collect();
    let trained = train_all(&jobs, config.dims, &config.schedule, tick)?;
    for variant in Variant::ALL {
        let models = trained.iter().filter(|m| m.scheme == variant.scheme);
        for (model, &seed) in models.zip(&config.seeds) {
            for n in config.lengths() {
                let eval = evaluate(
                    model,
                    variant,
                    config.schedule.delta,
                    n,
                    config.eval_sequences,
                    seed,
                );
                let score = match eval {
                    Ok((score, weights)) => {
                        if variant == Variant::plain(Scheme::Rope) && seed == config.seeds[0] {
                            if n == config.dims.train_len {
                                results.head = offset_head(&weights, config.schedule.delta);
                            }
                            if n == config.dims.train_len || n == 4 * config.dims.train_len {
                                results
                                    .maps
                                    .push(weights[results.head.0][results.head.1].clone());
                            }
                        }
                        Some(score)
                    }
                    Err(e) if variant.scheme == Scheme::Learned => {
                        results.refusal = e.to_string();
                        None
                    }
                    Err(e) => return Err(e),
                };
                results.cells.push(Cell {
                    variant,
                    seed,
                    n,
                    score,
                });
            }
        }
    }
    Ok(results)
}
// ANCHOR_END: run

/// The mean, smallest and largest of a metric over seeds for one variant and length; `None` if
/// the model refused the length.
pub fn spread(
    results: &Results,
    variant: Variant,
    n: usize,
    metric: fn(&Score) -> f64,
) -> Option<(f64, f64, f64)> {
    let values: Vec<f64> = results
        .cells
        .iter()
        .filter(|c| c.variant == variant && c.n == n)
        .map(|c| c.score.as_ref().map(metric))
        .collect::<Option<Vec<f64>>>()?;
    if values.is_empty() {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((mean, min, max))
}

/// The variant a name in a results file stands for.
fn variant_named(name: &str) -> Option<Variant> {
    Variant::ALL.into_iter().find(|v| v.name() == name)
}

impl Results {
    /// The results as the data file stores them: the fingerprint, one line per cell
    /// (`variant,seed,n,accuracy,loss`, or `refused`), the refusal, then the two attention maps.
    pub fn to_csv(&self) -> String {
        let mut out = format!(
            "# config {}\n# canary {}\n# refusal {}\nvariant,seed,n,accuracy,loss\n",
            self.hash, self.canary, self.refusal
        );
        for c in &self.cells {
            match &c.score {
                Some(s) => out.push_str(&format!(
                    "{},{},{},{:.6},{:.6}\n",
                    c.variant.name(),
                    c.seed,
                    c.n,
                    s.accuracy,
                    s.loss
                )),
                None => out.push_str(&format!(
                    "{},{},{},refused,refused\n",
                    c.variant.name(),
                    c.seed,
                    c.n
                )),
            }
        }
        for map in &self.maps {
            out.push_str(&format!(
                "# map layer {} head {} n {} (layers and heads numbered from 0)\n",
                self.head.0,
                self.head.1,
                map.nrows()
            ));
            for row in map.rows() {
                let cells: Vec<String> = row.iter().map(|w| format!("{w:.4}")).collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
        }
        out
    }

    /// Reads what [`Results::to_csv`] wrote (attention weights to the 4 decimals stored).
    ///
    /// # Errors
    /// A line that does not parse, naming it.
    pub fn from_csv(text: &str) -> Result<Results, Error> {
        let broken = |line: &str| {
            bad(
                "results line",
                format!("{line:?}"),
                "it does not parse as the experiment's data",
            )
        };
        let mut r = Results {
            hash: String::new(),
            cells: Vec::new(),
            refusal: String::new(),
            head: (0, 0),
            maps: Vec::new(),
            canary: String::new(),
        };
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let flush = |rows: &mut Vec<Vec<f64>>, maps: &mut Vec<Array2<f64>>| -> Result<(), Error> {
            if !rows.is_empty() {
                let n = rows.len();
                let flat: Vec<f64> = rows.drain(..).flatten().collect();
                maps.push(
                    Array2::from_shape_vec((n, flat.len() / n), flat)
                        .map_err(|e| bad("attention map", e, "it must be square"))?,
                );
            }
            Ok(())
        };
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("# config ") {
                r.hash = h.to_string();
            } else if let Some(c) = line.strip_prefix("# canary ") {
                r.canary = c.to_string();
            } else if let Some(c) = line.strip_prefix("# canary ") {
                r.canary = c.to_string();
            } else if let Some(e) = line.strip_prefix("# refusal ") {
                r.refusal = e.to_string();
            } else if let Some(rest) = line.strip_prefix("# map layer ") {
                flush(&mut rows, &mut r.maps)?;
                let parts: Vec<&str> = rest.split(' ').collect();
                let (l, h) = (
                    parts.first().and_then(|x| x.parse().ok()),
                    parts.get(2).and_then(|x| x.parse().ok()),
                );
                r.head = (
                    l.ok_or_else(|| broken(line))?,
                    h.ok_or_else(|| broken(line))?,
                );
            } else if line.starts_with("variant,") || line.is_empty() {
                continue;
            } else if let Some(v) = line.split(',').next().and_then(variant_named) {
                let f: Vec<&str> = line.split(',').collect();
                let (seed, n) = (
                    f.get(1).and_then(|x| x.parse().ok()),
                    f.get(2).and_then(|x| x.parse().ok()),
                );
                let score = match (f.get(3), f.get(4)) {
                    (Some(&"refused"), _) => None,
                    (Some(a), Some(l)) => Some(Score {
                        accuracy: a.parse().map_err(|_| broken(line))?,
                        loss: l.parse().map_err(|_| broken(line))?,
                    }),
                    _ => return Err(broken(line)),
                };
                r.cells.push(Cell {
                    variant: v,
                    seed: seed.ok_or_else(|| broken(line))?,
                    n: n.ok_or_else(|| broken(line))?,
                    score,
                });
            } else {
                rows.push(
                    line.split(',')
                        .map(|x| x.parse::<f64>().map_err(|_| broken(line)))
                        .collect::<Result<_, _>>()?,
                );
            }
        }
        flush(&mut rows, &mut r.maps)?;
        Ok(r)
    }
}

/// Whether a variant is RoPE with test-time scaling (scored like the others, trained once).
pub fn is_scaled(v: Variant) -> bool {
    v.scaling != RopeScaling::None
}
