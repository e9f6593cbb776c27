//! The tables of the relative-position chapter, as Markdown.

use bookkit::{Table, fixed};
use ndarray::Array2;

use crate::alibi::{slopes, weight_at_distance};
use crate::invariance::{all_schemes, translation_gap};
use crate::shaw::{Shaw, memory_floats, skew};
use crate::t5::{Buckets, bucket, bucket_slow};
use crate::tiled::{score_floats, tiled, tiled_slow};
use errors::bad;

use crate::Error;

fn mib(floats: usize) -> String {
    fixed(floats as f64 * 4.0 / (1024.0 * 1024.0), 1)
}

/// Floats (and MiB in `f32`) that each form of Shaw's key term holds, per head.
pub fn shaw_memory(ns: &[usize], d: usize, k: usize) -> String {
    let mut t = Table::new([
        "n".to_string(),
        format!("explicit Aᴷ, n²·d_head (d_head = {d})"),
        format!("gather, n·(2Δ_max + 1) (Δ_max = {k})"),
        "skew, n·d_head + n·(n + 1)".to_string(),
    ]);
    for &n in ns {
        let (explicit, gather, skewed) = memory_floats(n, d, k);
        t.row([
            n.to_string(),
            format!("{explicit} ({} MiB)", mib(explicit)),
            format!("{gather} ({} MiB)", mib(gather)),
            format!("{skewed} ({} MiB)", mib(skewed)),
        ]);
    }
    format!("{t}\nMiB at 4 bytes a float (f32), for one head of one layer.\n")
}

/// The three forms of the key term computed on one random problem, and how far apart they are.
///
/// # Errors
/// Zero `n` or `d`.
pub fn shaw_agreement(n: usize, d: usize, k: usize) -> Result<String, Error> {
    if n == 0 || d == 0 {
        return Err(bad("n and d", format!("{n}, {d}"), "both must be positive"));
    }
    let mut rng = bookkit::rng::SplitMix64(31);
    let mut draw = || Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
    let (q, keys) = (draw(), draw());
    let shaw = Shaw::seeded(k.max(n - 1), d, 5)?;
    let explicit = shaw.logits_explicit(q.view(), keys.view())?;
    let gather = shaw.logits_gather(q.view(), keys.view())?;
    let worst = |a: &Array2<f64>, b: &Array2<f64>, causal_only: bool| {
        a.indexed_iter()
            .filter(|((i, j), _)| !causal_only || j <= i)
            .map(|((i, j), x)| (x - b[[i, j]]).abs())
            .fold(0.0f64, f64::max)
    };
    // Skewing covers the relative part for j ≤ i: add the content part back for the comparison.
    let kk = shaw.k();
    let e = shaw
        .w_k()
        .slice(ndarray::s![kk + 1 - n..=kk, ..])
        .to_owned();
    let skewed = (skew(q.dot(&e.t()).view())? + q.dot(&keys.t())) / (d as f64).sqrt();
    let say = |x: f64| {
        if x < 1e-12 {
            "below 1e-12".to_string()
        } else {
            format!("{x:.1e}")
        }
    };
    let mut t = Table::new(["comparison", "largest difference"]);
    t.row([
        "explicit A^K vs gather (all pairs)".to_string(),
        say(worst(&explicit, &gather, false)),
    ]);
    t.row([
        "explicit A^K vs skewing (pairs with j ≤ i)".to_string(),
        say(worst(&explicit, &skewed, true)),
    ]);
    Ok(format!(
        "{t}\nn = {n}, d_head = {d}, no clipping (Δ_max = {}).\n",
        shaw.k()
    ))
}

/// T5 buckets for selected offsets, bidirectional and causal.
///
/// # Errors
/// Invalid bucket settings.
pub fn t5_buckets(
    num_buckets: usize,
    max_distance: usize,
    offsets: &[i64],
) -> Result<String, Error> {
    let both = Buckets::new(true, num_buckets, max_distance)?;
    let causal = Buckets::new(false, num_buckets, max_distance)?;
    let mut t = Table::new(["offset j − i", "bidirectional bucket", "causal bucket"]);
    for &r in offsets {
        t.row([
            r.to_string(),
            bucket(r, both).to_string(),
            bucket(r, causal).to_string(),
        ]);
    }
    Ok(t.to_string())
}

/// The first distance (looking back) whose bucket in `f32`, as the reference computes it, differs
/// from the same formula in `f64`, as a phrase for the page.
///
/// # Errors
/// `up_to` outside `1 … 10^7`, or no such distance up to it.
///
/// ```
/// use relative::{report::t5_precision, t5::Buckets};
/// let cfg = Buckets::new(true, 20, 160)?;
/// assert_eq!(t5_precision(cfg, 200)?, "distance 10 goes to bucket 6 in `f32` and to bucket 5 in `f64`");
/// assert!(t5_precision(Buckets::T5, 20_000).is_err()); // T5's defaults never differ
/// # Ok::<(), relative::Error>(())
/// ```
pub fn t5_precision(cfg: Buckets, up_to: i64) -> Result<String, Error> {
    if !(1..=10_000_000).contains(&up_to) {
        return Err(bad("up_to", up_to, "search distances up to 1 … 10^7"));
    }
    (1..=up_to)
        .find(|&n| bucket(-n, cfg) != bucket_slow(-n, cfg))
        .map(|n| {
            format!(
                "distance {n} goes to bucket {} in `f32` and to bucket {} in `f64`",
                bucket(-n, cfg),
                bucket_slow(-n, cfg)
            )
        })
        .ok_or_else(|| {
            bad(
                "up_to",
                up_to,
                "no distance up to it has a different bucket in f64",
            )
        })
}

/// Looking back: how many buckets hold a single distance, and the first distance of the last
/// bucket (the one every larger distance shares).
///
/// ```
/// use relative::{report::t5_back, t5::Buckets};
/// assert_eq!(t5_back(Buckets::T5), (8, 91)); // 16 buckets a direction, 8 exact
/// assert_eq!(t5_back(Buckets::new(false, 32, 128)?), (16, 113)); // causal: 32 buckets look back
/// # Ok::<(), relative::Error>(())
/// ```
pub fn t5_back(cfg: Buckets) -> (usize, i64) {
    let last = bucket(i64::MIN + 1, cfg);
    // Buckets are non-decreasing in the distance, so the last one starts where the search ends.
    let (mut lo, mut hi) = (0i64, i64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if bucket(-mid, cfg) == last {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let exact = (0..lo)
        .take_while(|&n| {
            let b = bucket(-n, cfg);
            (n == 0 || bucket(-(n - 1), cfg) != b) && bucket(-(n + 1), cfg) != b
        })
        .count();
    (exact, lo)
}

/// Which distances (looking back) share each bucket, for distances `0 … up_to`.
///
/// # Errors
/// `up_to` outside `1 … 10^7` (the table lists every bucket boundary below it).
pub fn t5_ranges(cfg: Buckets, up_to: i64) -> Result<String, Error> {
    if !(1..=10_000_000).contains(&up_to) {
        return Err(bad("up_to", up_to, "list distances up to 1 … 10^7"));
    }
    let mut t = Table::new(["bucket", "distances i − j", "how many"]);
    let mut start = 0i64;
    let mut current = bucket(0, cfg);
    for n in 1..=up_to + 1 {
        let b = if n <= up_to {
            bucket(-n, cfg)
        } else {
            usize::MAX
        };
        if b != current {
            let range = if n - 1 == start {
                start.to_string()
            } else if n > up_to && current == bucket(-up_to, cfg) {
                format!("{start} and beyond")
            } else {
                format!("{start} – {}", n - 1)
            };
            let count = if n > up_to {
                "∞".to_string()
            } else {
                (n - start).to_string()
            };
            t.row([current.to_string(), range, count]);
            start = n;
            current = b;
        }
    }
    Ok(t.to_string())
}

/// A slope written as a power of two in Unicode, as a reader would write it: `2⁻³` for an
/// integer exponent, `2^(−0.5)` for a half one (ALiBi's head counts that are not powers of two).
///
/// ```
/// assert_eq!(relative::report::power_of_two(0.125), "2⁻³");
/// assert_eq!(relative::report::power_of_two(0.5f64.sqrt()), "2^(−0.5)");
/// assert_eq!(relative::report::power_of_two(2.0f64.powf(-2.5)), "2^(−2.5)");
/// ```
pub fn power_of_two(slope: f64) -> String {
    let x = slope.log2();
    // Slopes are exact powers of two or of √2, so the exponent is a multiple of 1/2 up to
    // rounding in `log2` (1e-9 is far above that and far below 1/2).
    if (x - x.round()).abs() < 1e-9 {
        format!("2{}", bookkit::format::superscript(x.round() as i64))
    } else {
        format!("2^({})", fixed(x, 1).replace('-', "−"))
    }
}

/// ALiBi slopes for several head counts, as powers of two.
///
/// # Errors
/// Zero heads.
pub fn alibi_slopes(head_counts: &[usize]) -> Result<String, Error> {
    let mut t = Table::new(["heads", "slopes m₁ … m_H"]);
    for &h in head_counts {
        let m = slopes(h)?;
        let exps: Vec<String> = m.iter().map(|s| power_of_two(*s)).collect();
        t.row([h.to_string(), exps.join(", ")]);
    }
    Ok(t.to_string())
}

/// The causal window of the chapter's ALiBi decay table and figure: both take it from here, so
/// that the figure's title and the table's caption cannot disagree with the data.
pub const ALIBI_DECAY_WINDOW: usize = 512;

/// The distances the chapter's ALiBi decay table shows.
pub const ALIBI_DECAY_DISTANCES: [usize; 4] = [1, 8, 64, 256];

/// One row of the causal ALiBi bias, 0-indexed as the crate is: query `i` and keys `j = 0 … i`,
/// with the bias `−m (i − j)` of one head of `heads`.
///
/// # Errors
/// Zero heads, a head index past them, or `i` beyond 64 (the row is printed in full).
pub fn alibi_row(heads: usize, head: usize, i: usize) -> Result<String, Error> {
    let m = slopes(heads)?;
    let slope = *m.get(head).ok_or_else(|| {
        bad(
            "head",
            head,
            "heads are numbered from 0 below the head count",
        )
    })?;
    if i > 64 {
        return Err(bad("i", i, "the row is printed in full: at most 64"));
    }
    let bias = crate::alibi::bias(slope, i + 1);
    let mut header = vec!["key j".to_string()];
    header.extend((0..=i).map(|j| j.to_string()));
    let mut t = Table::new(header);
    let mut units = vec!["i − j".to_string()];
    units.extend((0..=i).map(|j| (i - j).to_string()));
    t.row(units);
    let mut row = vec![format!("bias −mₕ(i − j), mₕ = {}", power_of_two(slope))];
    row.extend((0..=i).map(|j| fixed(bias[[i, j]], 3)));
    t.row(row);
    Ok(format!(
        "{t}\nQuery i = {i}, counting positions from 0; head {} of {heads}.\n",
        head + 1
    ))
}

/// With equal content logits, the weight each head puts on a key `Δ` tokens back, in a causal
/// window of `n` keys.
///
/// # Errors
/// Zero heads, or a distance outside the window.
pub fn alibi_decay(heads: usize, n: usize, distances: &[usize]) -> Result<String, Error> {
    let mut header = vec!["head".to_string(), "slope".to_string()];
    header.extend(distances.iter().map(|k| format!("Δ = {k}")));
    let mut t = Table::new(header);
    for (h, m) in slopes(heads)?.into_iter().enumerate() {
        let mut row = vec![(h + 1).to_string(), power_of_two(m)];
        for &k in distances {
            row.push(format!("{:.2e}", weight_at_distance(m, k, n)?));
        }
        t.row(row);
    }
    Ok(format!(
        "{t}\nWindow of n = {n} keys; every content logit equal.\n"
    ))
}

/// Every scheme through the translation test: the largest logit change for several shifts.
///
/// # Errors
/// As the schemes.
pub fn invariance(n: usize, d: usize, shifts: &[usize]) -> Result<String, Error> {
    let mut rng = bookkit::rng::SplitMix64(77);
    let x = Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
    let positions: Vec<usize> = (0..n).collect();
    let mut header = vec!["scheme".to_string()];
    header.extend(shifts.iter().map(|c| format!("shift {c}")));
    let mut t = Table::new(header);
    for scheme in all_schemes(d, 3)? {
        let mut row = vec![scheme.name()];
        for &c in shifts {
            row.push(fixed(
                translation_gap(scheme.as_ref(), x.view(), &positions, c)?,
                4,
            ));
        }
        t.row(row);
    }
    Ok(format!(
        "{t}\n{n} random tokens of width d_model = {d} at positions 0 to {}.\n",
        n - 1
    ))
}

/// Tiled against naive attention on random inputs, with and without a causal mask and an ALiBi
/// bias; and the score storage each needs.
///
/// # Errors
/// Zero sizes.
pub fn tiled_agreement(n: usize, d: usize, block: usize) -> Result<String, Error> {
    let mut rng = bookkit::rng::SplitMix64(8);
    let mut draw = || Array2::from_shape_fn((n, d), |_| rng.next_gaussian());
    let (q, k, v) = (draw(), draw(), draw());
    let m = slopes(8)?[2];
    let alibi = move |i: usize, j: usize| -m * (i as f64 - j as f64);
    let t5_table = crate::t5::T5Bias::seeded(crate::t5::Buckets::T5, 1, 3)?;
    let t5 = |i: usize, j: usize| t5_table.at(0, i, j).unwrap_or(f64::NAN);
    let mut t = Table::new(["mask", "bias", "largest difference, tiled vs naive"]);
    for causal in [false, true] {
        for (name, bias) in [
            ("none", None),
            ("ALiBi, mₕ = 2⁻³", Some(&alibi as crate::tiled::Bias<'_>)),
            ("T5 buckets (one head)", Some(&t5 as crate::tiled::Bias<'_>)),
        ] {
            let a = tiled_slow(q.view(), k.view(), v.view(), block, causal, bias)?;
            let b = tiled(q.view(), k.view(), v.view(), block, causal, bias)?;
            let worst = (&a - &b).iter().fold(0.0f64, |w, x| w.max(x.abs()));
            t.row([
                if causal { "causal" } else { "none" }.to_string(),
                name.to_string(),
                if worst < 1e-12 {
                    "below 1e-12".to_string()
                } else {
                    format!("{worst:.1e}")
                },
            ]);
        }
    }
    // Shaw et al. in full: the key term as a gathered bias, the value term as running sums.
    let shaw = Shaw::seeded(8, d, 6)?;
    let terms = shaw.key_terms(q.view())?;
    let scale = 1.0 / (d as f64).sqrt();
    let key_term = |i: usize, j: usize| terms.at(i, i, j) * scale;
    let values = crate::tiled::PairValues {
        table: shaw.w_v(),
        clip: 8,
    };
    let want = shaw.outputs_bucketed(q.view(), k.view(), v.view())?;
    let got = crate::tiled::tiled_with_pair_values(
        q.view(),
        k.view(),
        v.view(),
        block,
        false,
        Some(&key_term),
        Some(values),
    )?;
    let worst = (&got - &want).iter().fold(0.0f64, |w, x| w.max(x.abs()));
    t.row([
        "none".to_string(),
        "Shaw et al., Δ_max = 8: key term as bias, value term as per-offset sums".to_string(),
        if worst < 1e-12 {
            "below 1e-12".to_string()
        } else {
            format!("{worst:.1e}")
        },
    ]);
    let (naive_floats, tile_floats) = score_floats(n, block);
    Ok(format!(
        "{t}\nn = {n}, d_head = {d}, blocks of {block}: the naive form holds {naive_floats} score \
         floats, the tiled form {tile_floats}.\n"
    ))
}

/// Transformer-XL's four terms for one pair `(i, j)`, `j ≤ i`, in the absolute form they come from
/// and in the relative form, each summed and set beside the logit computed in one piece; then
/// DeBERTa's three terms for the same pair.
///
/// # Errors
/// `j > i`, `i ≥ n`, an odd `d_model`, or zero sizes.
pub fn xl_terms(
    n: usize,
    (d_model, d_head): (usize, usize),
    (i, j): (usize, usize),
    deberta_k: usize,
) -> Result<String, Error> {
    if j > i || i >= n {
        return Err(bad(
            "(i, j)",
            format!("({i}, {j})"),
            "need j ≤ i < n: Transformer-XL is causal",
        ));
    }
    let mut rng = bookkit::rng::SplitMix64(1901);
    let x = Array2::from_shape_fn((n, d_model), |_| rng.next_gaussian());
    let pos = sinusoidal::Sinusoid::paper(d_model)?.matrix(n); // U: absolute sinusoids
    let xl = crate::xl::XlAttention::seeded(d_model, d_head, 1902)?;
    let abs =
        crate::xl::absolute_terms(x.view(), pos.view(), xl.w_q.view(), xl.w_ke.view(), (i, j))?;
    let h = &x + &pos;
    let abs_logit = h.row(i).dot(&xl.w_q).dot(&h.row(j).dot(&xl.w_ke));
    let rel = xl.terms_slow(x.view())?[i][j];
    let skewed = xl.logits(x.view())?;
    let slow = xl.logits_slow(x.view())?;
    let worst = (&skewed - &slow).iter().fold(0.0f64, |w, d| w.max(d.abs()));
    let mut t = Table::new([
        "term".to_string(),
        "absolute: (x_i + U_i) W_q, (x_j + U_j) W_k".to_string(),
        "relative: Transformer-XL".to_string(),
    ]);
    for (name, a, r) in [
        ("(a) content–content", abs.a, rel.a),
        ("(b) content–position", abs.b, rel.b),
        ("(c) global content bias", abs.c, rel.c),
        ("(d) global positional bias", abs.d, rel.d),
        ("sum of the four", abs.sum(), rel.sum()),
    ] {
        t.row([name.to_string(), fixed(a, 4), fixed(r, 4)]);
    }
    t.row([
        "logit computed in one piece".to_string(),
        fixed(abs_logit, 4),
        fixed(skewed[[i, j]], 4),
    ]);
    let say = if worst < 1e-12 {
        "below 1e-12".to_string()
    } else {
        format!("{worst:.1e}")
    };
    let deberta = crate::deberta::DeBerta::seeded(deberta_k, d_model, d_head, 2006)?;
    let dt = deberta.terms(x.view())?[i][j];
    let dl = deberta.logits(x.view())?[[i, j]];
    let mut d = Table::new(["DeBERTa term", "value"]);
    d.row(["content-to-content".to_string(), fixed(dt.c2c, 4)]);
    d.row([
        format!(
            "content-to-position, row δ(i, j) = {}",
            crate::deberta::delta(i, j, deberta_k)
        ),
        fixed(dt.c2p, 4),
    ]);
    d.row([
        format!(
            "position-to-content, row δ(j, i) = {}",
            crate::deberta::delta(j, i, deberta_k)
        ),
        fixed(dt.p2c, 4),
    ]);
    d.row([
        format!("sum / √(3 d_head), d_head = {d_head}"),
        fixed((dt.c2c + dt.c2p + dt.p2c) / (3.0 * d_head as f64).sqrt(), 4),
    ]);
    d.row(["logit from the gathered form".to_string(), fixed(dl, 4)]);
    Ok(format!(
        "{t}\nPair (i, j) = ({i}, {j}) of n = {n} random tokens, d_model = {d_model}, \
         d_head = {d_head}; U and R are the paper's sinusoids. Over all pairs j ≤ i, the \
         grouped and skewed form differs from the four terms summed pair by pair by {say}.\n\n\
         {d}\nDeBERTa on the same tokens, clipping distance Δ_max = {deberta_k} (2Δ_max = {} table rows).\n",
        2 * deberta_k
    ))
}

/// The command that writes `code/relative/bench/memory.md`, the measured table the page includes.
pub const MEMORY_COMMAND: &str =
    "cargo run --release -p relative --example memory -- --max-n 16384";
/// The head width and tile size of that measurement (the example's defaults).
pub const MEMORY_D_HEAD: usize = 64;
/// See [`MEMORY_D_HEAD`].
pub const MEMORY_BLOCK: usize = 128;
/// The header of the measured table.
pub const MEMORY_HEADER: &str = "| n | naive peak (MiB) | tiled peak (MiB) | memory ratio | naive time (s) | tiled time (s) | time ratio |\n|:--|--:|--:|--:|--:|--:|--:|\n";

/// The caption under the measured table, from the settings it was measured with.
///
/// ```
/// let c = relative::report::memory_caption(64, 128);
/// assert_eq!(c, "Causal attention, f64, d_head = 64, tiles of 128; peak bytes allocated during the call.");
/// ```
pub fn memory_caption(d_head: usize, block: usize) -> String {
    format!(
        "Causal attention, f64, d_head = {d_head}, tiles of {block}; peak bytes allocated during \
         the call."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_are_errors() {
        let e = xl_terms(6, (8, 4), (1, 3), 2).unwrap_err();
        assert!(e.to_string().contains("(1, 3)"), "{e}");
        assert!(xl_terms(6, (8, 4), (6, 3), 2).is_err());
        assert!(xl_terms(6, (8, 4), (5, 5), 2).is_ok());
        assert!(xl_terms(6, (7, 4), (4, 1), 2).is_err());
        assert!(alibi_row(8, 8, 4).is_err());
        assert!(alibi_row(8, 7, 64).is_ok());
        let e = alibi_row(8, 0, 65).unwrap_err();
        assert!(e.to_string().contains("i = 65"), "{e}");
        // The row is 0-indexed: query 2 has keys 0, 1, 2 and a zero bias on itself.
        let row = alibi_row(8, 1, 2).unwrap();
        assert!(row.contains("| key j | 0 | 1 | 2 |"), "{row}");
        assert!(row.contains("| i − j | 2 | 1 | 0 |"), "{row}");
        assert!(row.contains("| -0.500 | -0.250 | 0.000 |"), "{row}");
    }
}
