//! The chapter's worked examples as text: the example programs print them, the snapshot tests
//! check them, the page includes the snapshots.

use bookkit::{Table, fixed};

use crate::cache::Positions;
use crate::cope::{Cope, positions};
use crate::fire::{Fire, Input, Mlp};
use crate::layers::{Rule, rotates, temperature};
use crate::remap::{Plain, Remap, largest, matrix};
use crate::{Cache, Dca, Error, Kerple, ReRope, SelfExtend};

/// The training length the chapter's tables assume: chapter 7's model is trained at 16 tokens.
pub const TRAIN: usize = 16;

/// A scheme and the name of its snapshot.
pub type Named = (String, Box<dyn Remap>);

/// The schemes of the matrix tables and figure at their settings: Self-Extend with `G = 4` and
/// `w = 4`, ReRoPE with `w = 4`, and DCA with the settings of the paper's Figure 2 (`s = 6`,
/// `c = 10`, so ceiling 9).
///
/// # Errors
/// None for these settings; the constructors' errors otherwise.
pub fn matrix_schemes() -> Result<Vec<Named>, Error> {
    Ok(vec![
        (
            "self-extend".into(),
            Box::new(SelfExtend::new(4, 4)?) as Box<dyn Remap>,
        ),
        ("rerope".into(), Box::new(ReRope::new(4, TRAIN)?)),
        ("dca".into(), Box::new(Dca::paper(6, 10)?)),
        (
            "cache".into(),
            Box::new(Cache::new(2, 4, Positions::InCache)?),
        ),
    ])
}

/// A relative-position matrix as a table: one row per query, `·` where the query sees no key.
pub fn relative_matrix(scheme: &dyn Remap, n: usize) -> String {
    let m = matrix(scheme, n);
    let mut t =
        Table::new(std::iter::once("i \\ j".to_string()).chain((0..n).map(|j| j.to_string())));
    for i in 0..n {
        let row = (0..n).map(|j| {
            let v = m[[i, j]];
            if v.is_nan() {
                "·".to_string()
            } else if v.fract() == 0.0 {
                fixed(v, 0)
            } else {
                fixed(v, 2)
            }
        });
        t.row(std::iter::once(i.to_string()).chain(row));
    }
    format!("{}\n{}", scheme.name(), t)
}

/// The keys the last query of a `len`-token stream sees in a cache of `sinks` + `window`: each
/// key's place in the text, its slot, and its distance from the query in the cache and in the
/// text.
///
/// # Errors
/// A window of 0.
pub fn cache_table(sinks: usize, window: usize, len: usize) -> Result<String, Error> {
    let shifted = Cache::new(sinks, window, Positions::InCache)?;
    let text = Cache::new(sinks, window, Positions::InText)?;
    let i = len.saturating_sub(1);
    let mut t = Table::new([
        "key (text position)",
        "slot in the cache",
        "distance in the cache",
        "distance in the text",
    ]);
    let (mut far_cache, mut far_text) = (0.0f64, 0.0f64);
    for j in shifted.kept(len) {
        let (a, b) = (shifted.relative(i, j), text.relative(i, j));
        far_cache = far_cache.max(a.unwrap_or(0.0));
        far_text = far_text.max(b.unwrap_or(0.0));
        let show = |x: Option<f64>| x.map_or("·".to_string(), |v| fixed(v, 0));
        t.row([
            j.to_string(),
            shifted.slot(len, j).map_or("·".into(), |s| s.to_string()),
            show(a),
            show(b),
        ]);
    }
    Ok(format!(
        "{sinks} sinks + window {window}, query at text position {i}\n{t}\nlargest distance from this query: {} in the cache, {} in the text\n",
        fixed(far_cache, 0),
        fixed(far_text, 0)
    ))
}

/// The smallest Self-Extend group `G` that keeps `n` tokens within a model trained on `train`,
/// with neighbour window `w`: the largest relative position `⌊(n − 1)/G⌋ + w − w/G` must stay at
/// most `train − 1`.
pub fn self_extend_group(n: usize, train: usize, w: usize) -> Option<usize> {
    (1..=n.max(1))
        .find(|&g| SelfExtend::new(g, w).is_ok_and(|s| largest(&s, n) <= (train - 1) as f64))
}

/// The largest relative position each scheme gives on `n = k·L` tokens for `L` = [`TRAIN`]:
/// plain RoPE, ReRoPE (`w = L/2`), Self-Extend (`w = L/4` and the smallest group that fits), DCA
/// (the code's defaults `3L/4` and `L/8`), and the cache (4 sinks + a window of `L − 4`).
///
/// # Errors
/// A multiple of 0.
pub fn largest_positions(multiples: &[usize]) -> Result<String, Error> {
    let l = TRAIN;
    let mut t = Table::new([
        "tokens",
        "RoPE",
        "ReRoPE",
        "Self-Extend (G)",
        "DCA",
        "cache, 4 sinks",
    ]);
    for &k in multiples {
        if k == 0 {
            return Err(errors::bad("multiple", 0, "lengths are 1 × L or more"));
        }
        let n = k * l;
        let se = self_extend_group(n, l, l / 4)
            .map(|g| {
                Ok::<_, Error>(format!(
                    "{} ({g})",
                    fixed(largest(&SelfExtend::new(g, l / 4)?, n), 2)
                ))
            })
            .transpose()?
            .unwrap_or_else(|| "none fits".into());
        t.row([
            format!("{k}L = {n}"),
            fixed(largest(&Plain, n), 0),
            fixed(largest(&ReRope::new(l / 2, l)?, n), 0),
            se,
            fixed(largest(&Dca::code(3 * l / 4, l / 8)?, n), 0),
            fixed(largest(&Cache::new(4, l - 4, Positions::InCache)?, n), 0),
        ]);
    }
    Ok(format!(
        "trained on L = {l} tokens: largest relative position used\n{t}"
    ))
}

/// A short text split into tokens of a few letters, with the tokens that end a word marked
/// (what the gates learn to pick out in the paper's word-counting examples).
pub const WORDS: [(&str, bool); 12] = [
    ("the", true),
    ("cat", true),
    ("sat", true),
    ("up", false),
    ("on", true),
    ("a", true),
    ("win", false),
    ("dow", false),
    ("sill", true),
    ("to", true),
    ("sle", false),
    ("ep", true),
];

/// CoPE with gates that open on word ends: the logit is `+gap` for a key that ends a word and
/// `−gap` for one that does not. For the last token, each key's distance in tokens and its CoPE
/// position, which counts the word ends from that key to the query.
///
/// # Errors
/// A `gap` that is not finite.
pub fn cope_words(gap: f64) -> Result<String, Error> {
    errors::ensure_finite("gap", [gap])?;
    let n = WORDS.len();
    let z = ndarray::Array2::from_shape_fn((n, n), |(_, k)| if WORDS[k].1 { gap } else { -gap });
    let p = positions(z.view(), 64)?;
    let i = n - 1;
    let mut t = Table::new(["key", "ends a word", "distance in tokens", "CoPE position"]);
    for j in 0..n {
        t.row([
            WORDS[j].0.to_string(),
            if WORDS[j].1 { "yes" } else { "no" }.to_string(),
            (i - j).to_string(),
            fixed(p[[i, j]], 3),
        ]);
    }
    Ok(format!(
        "gates σ(±{}) from the last token, {:?}\n{t}",
        fixed(gap, 0),
        WORDS[i].0
    ))
}

/// The CoPE term for a query that wants the word `target − 1` words before its own: a position
/// table that rewards position `target` alone (`e[target] = 1`, the others 0) and the gates of
/// [`cope_words`]. The bias falls on every token of that word, however many tokens it has.
///
/// # Errors
/// As [`cope_words`], and a target beyond the table's 8 positions.
pub fn cope_target(gap: f64, target: usize) -> Result<String, Error> {
    errors::ensure_finite("gap", [gap])?;
    if target >= 8 {
        return Err(errors::bad(
            "target",
            target,
            "the example's table holds positions 0 to 7",
        ));
    }
    let n = WORDS.len();
    let table =
        ndarray::Array2::from_shape_fn((8, 1), |(p, _)| if p == target { 1.0 } else { 0.0 });
    let cope = Cope::new(table)?;
    let z = ndarray::Array2::from_shape_fn((n, n), |(_, k)| if WORDS[k].1 { gap } else { -gap });
    let q = ndarray::Array2::from_elem((n, 1), 1.0);
    let bias = cope.bias(q.view(), z.view())?;
    let mut t = Table::new([
        "key".to_string(),
        format!("CoPE bias from the last token, e[{target}] = 1"),
    ]);
    for j in 0..n {
        t.row([WORDS[j].0.to_string(), fixed(bias[[n - 1, j]], 3)]);
    }
    Ok(t.to_string())
}

/// The settings of the distance table and figure: ALiBi's slope, KERPLE's parameters, FIRE's
/// network, `c` and threshold.
pub struct Family {
    /// ALiBi's slope, 2⁻² (head 2 of 8).
    pub slope: f64,
    /// KERPLE power `(a, p)`.
    pub power: (f64, f64),
    /// KERPLE log `(p, a)`.
    pub log: (f64, f64),
    /// FIRE's log transform `c` and threshold `T` (the paper's `L`).
    pub fire: (f64, f64),
    /// FIRE's network is `−fire_slope·relu(x)`.
    pub fire_slope: f64,
}

/// The family's settings used on the page.
pub const FAMILY: Family = Family {
    slope: 0.25,
    power: (0.5, 0.5),
    log: (2.0, 0.5),
    fire: (1.0, 16.0),
    fire_slope: 4.0,
};

/// FIRE's network in the table and figure: `−fire_slope·relu(x)`, from 0 at distance 0 to
/// `−fire_slope` at the oldest key.
///
/// # Errors
/// None; the constructors' errors otherwise.
pub fn fire_example() -> Result<Fire, Error> {
    Fire::new(
        Mlp::line(FAMILY.fire_slope)?,
        Input::Progressive {
            c: FAMILY.fire.0,
            threshold: FAMILY.fire.1,
        },
    )
}

/// The bias of each learned function of distance at a few distances, beside chapter 4's T5
/// bucket (causal, 32 buckets, max distance 128) and ALiBi. FIRE's depends on the query too:
/// shown for the query at the distance itself (key 0) and at 4 times the largest distance.
///
/// # Errors
/// None for [`FAMILY`].
pub fn distance_family(distances: &[usize]) -> Result<String, Error> {
    let power = Kerple::power(FAMILY.power.0, FAMILY.power.1)?;
    let log = Kerple::log(FAMILY.log.0, FAMILY.log.1)?;
    let fire = fire_example()?;
    let far = 4 * distances.iter().copied().max().unwrap_or(0);
    let t5 = relative::t5::Buckets::new(false, 32, 128)?;
    let mut t = Table::new([
        "i − j".to_string(),
        "T5 bucket".to_string(),
        format!("ALiBi m = {}", fixed(FAMILY.slope, 2)),
        format!(
            "KERPLE power a = {}, p = {}",
            fixed(FAMILY.power.0, 1),
            fixed(FAMILY.power.1, 1)
        ),
        format!(
            "KERPLE log p = {}, a = {}",
            fixed(FAMILY.log.0, 1),
            fixed(FAMILY.log.1, 1)
        ),
        format!(
            "FIRE −{}·relu, c = {}, T = {}, key 0",
            fixed(FAMILY.fire_slope, 0),
            fixed(FAMILY.fire.0, 0),
            fixed(FAMILY.fire.1, 0)
        ),
        format!("FIRE, query at {far}"),
    ]);
    for &d in distances {
        t.row([
            d.to_string(),
            relative::t5::bucket(-(d as i64), t5).to_string(),
            fixed(-FAMILY.slope * d as f64, 3),
            fixed(power.bias(d), 3),
            fixed(log.bias(d), 3),
            fixed(fire.bias(d, 0), 3),
            fixed(fire.bias(far, far - d), 3),
        ]);
    }
    Ok(t.to_string())
}

/// Which of `n` layers rotate under each family's rule: `R` with RoPE, `N` without.
///
/// # Errors
/// None for these rules.
pub fn layer_pattern(n: usize) -> Result<String, Error> {
    let mut t = Table::new(
        std::iter::once("model (rule)".to_string()).chain((0..n).map(|i| i.to_string())),
    );
    for (name, rule) in [
        (
            "Llama 4 (no_rope_layer_interval 4)",
            Rule::NoRopeInterval(4),
        ),
        (
            "SmolLM3 (no_rope_layers, every 4th 0)",
            Rule::NoRopeInterval(4),
        ),
        (
            "Command A (sliding_window_pattern 4)",
            Rule::SlidingPattern(4),
        ),
    ] {
        let flags = rotates(rule, n)?;
        t.row(
            std::iter::once(name.to_string())
                .chain(flags.iter().map(|&r| if r { "R" } else { "N" }.to_string())),
        );
    }
    Ok(t.to_string())
}

/// Llama 4's query temperature on its NoPE layers at a few positions (`attn_scale` 0.1,
/// `floor_scale` 8192, the defaults).
///
/// # Errors
/// None for the defaults.
pub fn temperatures(positions: &[usize]) -> Result<String, Error> {
    let mut t = Table::new(["position p", "query temperature"]);
    for &p in positions {
        t.row([p.to_string(), fixed(temperature(p, 0.1, 8192)?, 4)]);
    }
    Ok(t.to_string())
}

/// A few draws of randomized positions for a sequence of `n` tokens from a range of `max_len`,
/// seeded.
///
/// # Errors
/// `n` larger than `max_len`.
pub fn random_draws(n: usize, max_len: usize, draws: usize, seed: u64) -> Result<String, Error> {
    let mut rng = bookkit::rng::SplitMix64(seed);
    let mut t = Table::new(["draw", "positions"]);
    for k in 0..draws {
        let p = crate::random::sample(n, max_len, &mut rng)?;
        t.row([
            (k + 1).to_string(),
            p.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    Ok(format!(
        "{n} tokens, positions from 0 … {}\n{t}",
        max_len.saturating_sub(1)
    ))
}
