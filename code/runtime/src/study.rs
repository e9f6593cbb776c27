//! The chapter's measurement: chapter 7's RoPE models, trained by chapter 7's own code on its copy
//! task at `L`, scored at `L` to `8L` on chapter 7's held-out sequences with no fine-tuning, read
//! plainly, with chapter 7's PI and YaRN, and with this chapter's test-time schemes; and where their
//! attention mass goes.

use bookkit::{Table, fixed};
use trained::RopeScaling;
use trained::experiment::Config;
use trained::train::{Score, train_all};

use crate::cache::Positions;
use crate::experiment::{chapter_7_variant, evaluate, first_key_mass};
use crate::remap::{Plain, Remap};
use crate::report::self_extend_group;
use crate::{Cache, Dca, Error, ReRope, SelfExtend};

/// The schemes scored at `n` tokens for a model trained on `l`: their names and positions. Every
/// setting is a fraction of `L`, so the schemes scale with the model; Self-Extend takes the
/// smallest group that keeps `n` tokens within `L`.
///
/// # Errors
/// Settings a constructor refuses (an `L` below 8).
pub fn schemes(l: usize, n: usize) -> Result<Vec<crate::report::Named>, Error> {
    let g = self_extend_group(n, l, l / 4).unwrap_or(n);
    Ok(vec![
        ("RoPE".into(), Box::new(Plain) as Box<dyn Remap>),
        ("ReRoPE, w = L/2".into(), Box::new(ReRope::new(l / 2, l)?)),
        (
            "Self-Extend, w = L/4, smallest G".into(),
            Box::new(SelfExtend::new(g, l / 4)?),
        ),
        (
            "DCA, chunk_size 3L/4, local_window L/8".into(),
            Box::new(Dca::code(3 * l / 4, l / 8)?),
        ),
        (
            "window 3L/4, no sinks".into(),
            Box::new(Cache::new(0, 3 * l / 4, Positions::InCache)?),
        ),
        (
            "4 sinks + window L/2".into(),
            Box::new(Cache::new(4, l / 2, Positions::InCache)?),
        ),
        (
            "4 sinks + window L/2, text positions".into(),
            Box::new(Cache::new(4, l / 2, Positions::InText)?),
        ),
    ])
}

/// One row of the results: a scheme's mean score over the seeds at each length, with the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The scheme's name.
    pub name: String,
    /// Per length, one score per seed.
    pub scores: Vec<Vec<Score>>,
}

/// What [`run`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The lengths scored.
    pub lengths: Vec<usize>,
    /// One row per scheme.
    pub rows: Vec<Row>,
    /// Per length: per layer, the mean weight on the first key (the marker) from the queries past
    /// `L/2`, and what uniform attention would put there, for plain RoPE and the first seed.
    pub sinks: Vec<(usize, Vec<(f64, f64)>)>,
}

/// Trains chapter 7's RoPE model for each seed of `config` with chapter 7's `train` (its `train_all`, on up to two threads), then scores
/// every scheme at every length.
///
/// # Errors
/// A configuration chapter 7's code refuses.
pub fn run(config: &Config, tick: &(dyn Fn() + Sync)) -> Result<Results, Error> {
    let l = config.dims.train_len;
    let lengths = config.lengths();
    let jobs: Vec<_> = config
        .seeds
        .iter()
        .map(|&seed| (trained::Scheme::Rope, seed))
        .collect();
    let models = train_all(&jobs, config.dims, &config.schedule, tick)?;
    let names: Vec<String> = ["RoPE + PI (chapter 7)", "RoPE + YaRN (chapter 7)"]
        .into_iter()
        .map(String::from)
        .chain(schemes(l, l)?.into_iter().map(|(n, _)| n))
        .collect();
    let mut rows: Vec<Row> = names
        .into_iter()
        .map(|name| Row {
            name,
            scores: vec![Vec::new(); lengths.len()],
        })
        .collect();
    let mut sinks = Vec::new();
    let delta = config.schedule.delta;
    for (model, &seed) in models.iter().zip(&config.seeds) {
        for (c, &n) in lengths.iter().enumerate() {
            for (r, scaling) in [RopeScaling::Pi, RopeScaling::Yarn].into_iter().enumerate() {
                let (s, _) = trained::train::evaluate(
                    model,
                    chapter_7_variant(scaling),
                    delta,
                    n,
                    config.eval_sequences,
                    seed,
                )?;
                rows[r].scores[c].push(s);
            }
            for (r, (_, scheme)) in schemes(l, n)?.into_iter().enumerate() {
                let (s, w) = evaluate(
                    model,
                    scheme.as_ref(),
                    delta,
                    n,
                    config.eval_sequences,
                    seed,
                )?;
                if r == 0 && seed == config.seeds[0] {
                    sinks.push((n, first_key_mass(&w, 1, l / 2)));
                }
                rows[r + 2].scores[c].push(s);
                tick();
            }
        }
    }
    Ok(Results {
        lengths,
        rows,
        sinks,
    })
}

fn cell(values: &[f64], decimals: usize) -> String {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (m, a, b) = (
        fixed(mean, decimals),
        fixed(lo, decimals),
        fixed(hi, decimals),
    );
    if a == b {
        m
    } else {
        format!("{m} ({a}–{b})")
    }
}

impl Results {
    /// The accuracy table, or the loss table, as chapter 7 prints them (mean over seeds, range in
    /// brackets).
    pub fn table(&self, loss: bool) -> String {
        let mut t = Table::new(
            std::iter::once("scheme".to_string())
                .chain(self.lengths.iter().map(|n| format!("n = {n}"))),
        );
        for row in &self.rows {
            let cells = row.scores.iter().map(|s| {
                let v: Vec<f64> = s
                    .iter()
                    .map(|x| if loss { x.loss } else { x.accuracy })
                    .collect();
                cell(&v, 2)
            });
            t.row(std::iter::once(row.name.clone()).chain(cells));
        }
        t.to_string()
    }

    /// The attention mass on the first key (the copy task's marker), per length and layer.
    pub fn sink_table(&self) -> String {
        let mut t = Table::new([
            "n",
            "layer",
            "mean weight on key 0",
            "uniform attention would give",
        ]);
        for (n, layers) in &self.sinks {
            for (i, (mass, uniform)) in layers.iter().enumerate() {
                t.row([
                    n.to_string(),
                    i.to_string(),
                    fixed(*mass, 3),
                    fixed(*uniform, 3),
                ]);
            }
        }
        t.to_string()
    }
}

/// The results file: what was run, the three tables, and how long it took.
pub fn report(config: &Config, results: &Results, seconds: f64) -> String {
    let seeds: Vec<String> = config.seeds.iter().map(u64::to_string).collect();
    format!(
        "Measured: output of `cargo run --release -p runtime --example experiment`, chapter 7's configuration `{}` (seeds {}), in {} s on this machine (one thread).\n\n\
Accuracy (fraction of positions whose most likely token is the one {} back; mean over seeds, range in brackets):\n\n{}\n\
Loss (cross-entropy in nats per position):\n\n{}\n\
Attention on the first token (the copy task's marker), plain RoPE, seed {}, queries from position {} on, mean over heads:\n\n{}",
        config.hash(),
        seeds.join(", "),
        fixed(seconds, 0),
        config.schedule.delta,
        results.table(false),
        results.table(true),
        seeds.first().cloned().unwrap_or_default(),
        config.dims.train_len / 2,
        results.sink_table()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(loss: f64, accuracy: f64) -> Score {
        Score { loss, accuracy }
    }

    /// The tables by hand: a mean with its range where the seeds differ, the mean alone where
    /// they agree; the sink table's rows per length and layer.
    #[test]
    fn tables_by_hand() {
        let r = Results {
            lengths: vec![16, 32],
            rows: vec![Row {
                name: "x".into(),
                scores: vec![vec![sc(1.0, 0.5), sc(3.0, 0.7)], vec![sc(0.2, 1.0)]],
            }],
            sinks: vec![(16, vec![(0.1, 0.05), (0.25, 0.5)])],
        };
        assert_eq!(
            r.table(false),
            "| scheme | n = 16 | n = 32 |\n|:--|--:|--:|\n| x | 0.60 (0.50–0.70) | 1.00 |\n"
        );
        assert!(
            r.table(true).contains("| x | 2.00 (1.00–3.00) | 0.20 |"),
            "{}",
            r.table(true)
        );
        let s = r.sink_table();
        assert!(s.contains("| 16 | 0 | 0.100 | 0.050 |"), "{s}");
        assert!(s.contains("| 16 | 1 | 0.250 | 0.500 |"), "{s}");
        assert_eq!(cell(&[2.0, 4.0, 6.0], 1), "4.0 (2.0–6.0)");
        assert_eq!(cell(&[3.0], 1), "3.0");
    }
}
