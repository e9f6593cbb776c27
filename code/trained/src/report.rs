//! The chapter's worked examples as text: the example programs print them, the snapshot tests
//! check them, the page includes the snapshots.

use bookkit::{Table, fixed};
use rope::precision::Format;

use crate::experiment::{Config, Results, spread};
use crate::heads::{HeadSpec, hits, offset_head, worst_target_weight};
use crate::nope::{counter, decode, first_collision, gap};
use crate::train::{MARKER, Score};
use crate::{Error, Scheme, Variant};

/// NoPE's counter on a sequence that starts with the marker: the output at each of `positions`,
/// the position read back, and the gap to the next position.
///
/// # Errors
/// No positions.
pub fn nope_counter(positions: &[usize]) -> Result<String, Error> {
    let n = positions.iter().max().map_or(0, |m| m + 1);
    let tokens: Vec<usize> = (0..n)
        .map(|t| if t == 0 { MARKER } else { 1 + t % 7 })
        .collect();
    let out = counter(&tokens, MARKER)?;
    let mut table = Table::new([
        "position t",
        "output 1/(t+1)",
        "t read back",
        "gap to t + 1",
    ]);
    for &t in positions {
        table.row([
            t.to_string(),
            fixed(out[t], 6),
            decode(out[t])?.to_string(),
            format!("{:.2e}", gap(t)),
        ]);
    }
    Ok(table.to_string())
}

/// The first position at which the counter can no longer tell `t` from `t + 1` when its output
/// is stored in each format.
pub fn nope_precision() -> String {
    let limit = 1usize << 25;
    let mut table = Table::new(["format", "first t that merges with t + 1"]);
    for format in [Format::Bf16, Format::F16, Format::F32] {
        let cell = first_collision(format, limit)
            .map_or_else(|| "none below 2^25".to_string(), |t| t.to_string());
        table.row([format.name().to_string(), cell]);
    }
    table.to_string()
}

/// What each hand-built head does at the length it was built for and at `long`: the smallest
/// weight any query puts on the key `Δ` back, and how many queries attend most to it.
///
/// # Errors
/// A bad specification.
pub fn heads(spec: &HeadSpec, long: usize) -> Result<String, Error> {
    let (l, d) = (spec.built_len, spec.delta);
    let mut table = Table::new([
        "scheme".to_string(),
        format!("worst weight on i − {d}, n = {l} (c = {})", spec.sharpness),
        format!("queries reading i − {d}, n = {l}"),
        format!("worst weight, n = {long}"),
        format!("queries reading i − {d}, n = {long}"),
    ]);
    for scheme in Scheme::ALL {
        let at = |n: usize| -> Result<(String, String), Error> {
            let w = offset_head(scheme, spec, n)?;
            let worst = worst_target_weight(w.view(), d).map_or("—".into(), |x| fixed(x, 4));
            Ok((worst, format!("{} of {}", hits(w.view(), d), n - d)))
        };
        let (a, b) = at(l)?;
        let (c, e) = match at(long) {
            Ok(x) => x,
            Err(_) => ("refused".into(), "refused".into()),
        };
        table.row([scheme.name().to_string(), a, b, c, e]);
    }
    Ok(table.to_string())
}

/// The weight the T5 head and the sinusoidal head put on their key at a few query positions.
///
/// # Errors
/// A bad specification.
pub fn dilution(spec: &HeadSpec, queries: &[usize]) -> Result<String, Error> {
    let n = queries.iter().max().map_or(1, |m| m + 1);
    let t5 = offset_head(Scheme::T5, spec, n)?;
    let sin = offset_head(Scheme::Sinusoidal, spec, n)?;
    let mut table = Table::new([
        "query i",
        "T5 head: e^c / (e^c + i)",
        "sinusoidal and RoPE heads",
    ]);
    for &i in queries {
        let j = i
            .checked_sub(spec.delta)
            .ok_or_else(|| errors::bad("query", i, "it must be at least Δ"))?;
        table.row([i.to_string(), fixed(t5[[i, j]], 6), fixed(sin[[i, j]], 6)]);
    }
    Ok(table.to_string())
}

fn cell(
    results: &Results,
    v: Variant,
    n: usize,
    metric: fn(&Score) -> f64,
    decimals: usize,
) -> String {
    match spread(results, v, n, metric) {
        None => "refused".to_string(),
        Some((mean, lo, hi)) if fixed(lo, decimals) == fixed(hi, decimals) => fixed(mean, decimals),
        Some((mean, lo, hi)) => format!(
            "{} ({}–{})",
            fixed(mean, decimals),
            fixed(lo, decimals),
            fixed(hi, decimals)
        ),
    }
}

/// One results table: a metric per variant and length, mean over seeds with the range.
pub fn results_table(
    config: &Config,
    results: &Results,
    metric: fn(&Score) -> f64,
    decimals: usize,
) -> String {
    let lengths = config.lengths();
    let mut header = vec!["scheme".to_string()];
    header.extend(lengths.iter().map(|n| format!("n = {n}")));
    let mut table = Table::new(header);
    for v in Variant::ALL {
        let mut row = vec![v.name()];
        row.extend(
            lengths
                .iter()
                .map(|&n| cell(results, v, n, metric, decimals)),
        );
        table.row(row);
    }
    table.to_string()
}

/// The first line of a results file: what made it.
pub fn provenance(config: &Config, results: &Results, reduced: bool) -> String {
    let seeds: Vec<String> = config.seeds.iter().map(u64::to_string).collect();
    let flag = if reduced { " -- --reduced" } else { "" };
    format!(
        "Measured: output of `{}{flag}`, seeds {}, configuration `{}`.\n",
        config.command(),
        seeds.join(", "),
        results.hash
    )
}

/// The whole results file: provenance, accuracy and loss tables, the refusal.
///
/// # Errors
/// Results made by a different configuration than `config`.
pub fn experiment(config: &Config, results: &Results, reduced: bool) -> Result<String, Error> {
    if results.hash != config.hash() {
        return Err(errors::bad(
            "results",
            &results.hash,
            format!(
                "they were made by another configuration than {}",
                config.hash()
            ),
        ));
    }
    let s = &config.schedule;
    Ok(format!(
        "{}\nAccuracy (fraction of positions whose most likely token is the one {} back; mean over seeds, range in brackets):\n\n{}\nLoss (cross-entropy in nats per position):\n\n{}\nTrained at L = {} for {} steps of {} sequences (Adam, learning rate {} for the first half, then decayed linearly to a tenth of it); scored on {} fresh sequences per length; RoPE + PI and RoPE + YaRN use the factor s = n / L of each column. The learned model past L: `{}`.\n",
        provenance(config, results, reduced),
        s.delta,
        results_table(config, results, |x| x.accuracy, 2),
        results_table(config, results, |x| x.loss, 2),
        config.dims.train_len,
        s.steps,
        s.batch,
        s.lr,
        config.eval_sequences,
        results.refusal,
    ))
}

/// The models of the experiment: how many numbers each learns, and which of them belong to its
/// position scheme.
///
/// # Errors
/// Sizes the model refuses.
pub fn models(dims: &crate::model::Dims) -> Result<String, Error> {
    let mut table = Table::new([
        "scheme",
        "parameters",
        "of which position",
        "where position enters",
    ]);
    for scheme in Scheme::ALL {
        let m = crate::model::Model::new(scheme, *dims, 0)?;
        let own = m.pos.len() + m.layers.iter().map(|l| l.t5.len()).sum::<usize>();
        let place = match scheme {
            Scheme::NoPe => "nowhere (causal mask only)",
            Scheme::Sinusoidal => "added to the input, fixed",
            Scheme::Learned => "added to the input, one row per position < L",
            Scheme::T5 => "a logit bias per bucket, per head and layer",
            Scheme::Alibi => "a fixed logit bias −m(i − j) per head",
            Scheme::Rope => "queries and keys rotated, every layer",
        };
        table.row([
            scheme.name().to_string(),
            m.parameter_count().to_string(),
            own.to_string(),
            place.to_string(),
        ]);
    }
    Ok(table.to_string())
}

/// The experiment's settings in one sentence, for the page's prose.
pub fn setup(config: &Config) -> String {
    let (d, s) = (&config.dims, &config.schedule);
    format!(
        "{} attention layers of width {} with {} heads of {} (RoPE base {}), a vocabulary of {} tokens (token 0 the marker), trained at L = {} to copy the token Δ = {} back, for {} steps of {} sequences, seeds {}; scored at n = {}.\n",
        d.layers,
        d.d_model,
        d.heads,
        d.head_dim(),
        d.rope_base,
        d.vocab,
        d.train_len,
        s.delta,
        s.steps,
        s.batch,
        config
            .seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        config
            .lengths()
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    )
}
