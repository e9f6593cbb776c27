//! The tables of the RoPE chapter, as Markdown.

use bookkit::{Table, fixed, tuple};
use ndarray::{Array1, array};

use crate::decay::{bound, mean_cos};
use crate::precision::{Format, errors_at, round};
use crate::{BASE, Error, Layout, Rope, half_from_interleaved, permute};
use errors::bad;

/// `q = (1, 0)` rotated by `m π/4` for `m = 0 … 8`.
pub fn quarter_turns() -> Result<String, Error> {
    // With d = 2 the single frequency is θ_0 = 1, so "position" m·π/4 rotates by m·π/4.
    let rope = Rope::new(2, BASE, Layout::Interleaved)?;
    let q = array![1.0, 0.0];
    let mut t = Table::new(["m", "angle m·π/4", "R(m·π/4) q"]);
    for m in 0..=8 {
        let angle = m as f64 * std::f64::consts::FRAC_PI_4;
        let r = rope.rotate(q.view(), angle)?;
        t.row([
            m.to_string(),
            format!("{m}π/4"),
            tuple(r.iter().copied(), 4),
        ]);
    }
    Ok(t.to_string())
}

/// Scores `q_m · k_n` for pairs with the same and different offsets.
///
/// # Errors
/// Never for the fixed settings; kept for uniformity.
pub fn equal_offsets(pairs: &[(usize, usize)]) -> Result<String, Error> {
    let rope = Rope::new(8, BASE, Layout::HalfSplit)?;
    let mut rng = bookkit::rng::SplitMix64(12);
    let mut draw = || Array1::from_shape_fn(8, |_| rng.next_gaussian());
    let (q, k) = (draw(), draw());
    let mut t = Table::new(["m", "n", "m − n", "q_m · k_n"]);
    for &(m, n) in pairs {
        let s = rope
            .rotate(q.view(), m as f64)?
            .dot(&rope.rotate(k.view(), n as f64)?);
        t.row([
            m.to_string(),
            n.to_string(),
            (m as i64 - n as i64).to_string(),
            fixed(s, 6),
        ]);
    }
    Ok(format!(
        "{t}\nd_head = 8, base 10000, one random q and k.\n"
    ))
}

/// The decay curve and the average cosine at selected distances.
///
/// # Errors
/// A bad head width or base.
pub fn decay(head_dim: usize, base: f64, distances: &[f64]) -> Result<String, Error> {
    let rope = Rope::new(head_dim, base, Layout::HalfSplit)?;
    let mut t = Table::new([
        "distance",
        "bound curve: mean of the magnitudes of S_j",
        "average: mean of cos(Δθⱼ)",
    ]);
    for &delta in distances {
        t.row([
            format!("{delta}"),
            fixed(bound(&rope, delta), 3),
            fixed(mean_cos(&rope, delta), 3),
        ]);
    }
    Ok(format!("{t}\nd_head = {head_dim}, base {base}.\n"))
}

/// What happens when checkpoints and code disagree on the layout: scores for pairs with offset 3.
///
/// # Errors
/// Never for the fixed settings.
pub fn layout_mix(pairs: &[(usize, usize)]) -> Result<String, Error> {
    let d = 8;
    let inter = Rope::new(d, BASE, Layout::Interleaved)?;
    let split = inter.with_layout(Layout::HalfSplit);
    let mut rng = bookkit::rng::SplitMix64(21);
    let mut draw = || Array1::from_shape_fn(d, |_| rng.next_gaussian());
    // q and k as produced by projection weights laid out for the interleaved convention.
    let (q, k) = (draw(), draw());
    let mut t = Table::new([
        "m",
        "n",
        "correct: interleaved on both",
        "wrong layout on both",
        "interleaved q, half-split k",
    ]);
    for &(m, n) in pairs {
        let score = |rq: &Rope, rk: &Rope| -> Result<f64, Error> {
            Ok(rq
                .rotate(q.view(), m as f64)?
                .dot(&rk.rotate(k.view(), n as f64)?))
        };
        t.row([
            m.to_string(),
            n.to_string(),
            fixed(score(&inter, &inter)?, 4),
            fixed(score(&split, &split)?, 4),
            fixed(score(&inter, &split)?, 4),
        ]);
    }
    let perm = half_from_interleaved(d)?;
    let fixed_q = permute(q.view(), &perm)?;
    let fixed_k = permute(k.view(), &perm)?;
    let (m, n) = pairs.first().copied().unwrap_or((3, 0));
    let repaired = split
        .rotate(fixed_q.view(), m as f64)?
        .dot(&split.rotate(fixed_k.view(), n as f64)?);
    Ok(format!(
        "{t}\nd_head = 8. Permuting q and k by {perm:?} first (what checkpoint converters do to the \
         projection weights) makes the half-split code give the correct score again: {} at \
         (m, n) = ({m}, {n}).\n",
        fixed(repaired, 4)
    ))
}

/// Rotated and pass-through widths for some partial-rotary settings.
///
/// # Errors
/// A setting that gives an odd or zero rotary width.
pub fn partial(settings: &[(usize, f64)]) -> Result<String, Error> {
    let mut t = Table::new([
        "head_dim",
        "fraction",
        "rotated dims",
        "frequencies",
        "passed through",
        "slowest wavelength",
    ]);
    for &(d, f) in settings {
        let rope = Rope::with_fraction(d, f, BASE, Layout::HalfSplit)?;
        let slowest = rope
            .inv_freq()
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        t.row([
            d.to_string(),
            format!("{f}"),
            rope.rotary_dim().to_string(),
            (rope.rotary_dim() / 2).to_string(),
            (d - rope.rotary_dim()).to_string(),
            fixed(2.0 * std::f64::consts::PI / slowest, 0),
        ]);
    }
    Ok(t.to_string())
}

/// Angle and output errors of low-precision angles at selected positions.
///
/// # Errors
/// Positions past 2^53.
pub fn precision(head_dim: usize, positions: &[usize]) -> Result<String, Error> {
    let rope = Rope::new(head_dim, BASE, Layout::HalfSplit)?;
    let formats = [Format::Bf16, Format::F16, Format::F32];
    let mut header = vec!["position m".to_string()];
    for f in formats {
        header.push(format!("m in {}", f.name()));
        header.push(format!("angle error, {}", f.name()));
    }
    header.push("output error, bf16 / f16 / f32".to_string());
    let mut t = Table::new(header);
    for &m in positions {
        let mut row = vec![m.to_string()];
        let mut outs = Vec::new();
        for f in formats {
            let stored = round(m as f64, f);
            row.push(if stored.is_infinite() {
                "overflow".to_string()
            } else {
                format!("{stored}")
            });
            let (angle, out) = errors_at(&rope, m, f)?;
            row.push(if angle.is_finite() {
                format!("{angle:.1e}")
            } else {
                "—".to_string()
            });
            outs.push(if out.is_finite() {
                format!("{out:.1e}")
            } else {
                "NaN".to_string()
            });
        }
        row.push(outs.join(" / "));
        t.row(row);
    }
    Ok(format!(
        "{t}\nhead_dim {head_dim}, base 10000. Angle error: largest over all frequencies, in \
         radians, with the position, θ_j and their product each stored in the format. Output \
         error: largest coordinate error of a rotated unit vector.\n"
    ))
}

/// RoPE and the sinusoidal encoding share their frequencies: rotating `(1, 0)` in every pair by
/// `m θ_j` gives `(cos, sin)`, the sinusoidal encoding of `m` with each pair swapped.
///
/// # Errors
/// A zero or odd `d`.
pub fn sinusoidal_link(d: usize, m: usize) -> Result<String, Error> {
    let rope = Rope::new(d, BASE, Layout::Interleaved)?;
    let ones = Array1::from_shape_fn(d, |j| if j % 2 == 0 { 1.0 } else { 0.0 });
    let rotated = rope.rotate(ones.view(), m as f64)?;
    let pe = sinusoidal::Sinusoid::paper(d)
        .map_err(|e| bad("d", e, "the encoding needs an even width"))?
        .encode(m);
    let swapped: Vec<f64> = (0..d).map(|j| pe[j ^ 1]).collect();
    let mut t = Table::new(["vector", "value"]);
    t.row([
        format!("R_{m} (1, 0, 1, 0, …)"),
        tuple(rotated.iter().copied(), 4),
    ]);
    t.row([format!("PE({m}), pairs swapped"), tuple(swapped, 4)]);
    Ok(t.to_string())
}

/// Head width of the linear-attention memory table.
pub const LINEAR_MEMORY_D_HEAD: usize = 32;
/// Value width of the linear-attention memory table.
pub const LINEAR_MEMORY_D_V: usize = 32;
/// The smallest length of the linear-attention memory table; each row doubles it.
pub const LINEAR_MEMORY_MIN_N: usize = 256;

/// The command that writes `benches/linear_memory.md`.
pub fn linear_memory_command(max_n: usize) -> String {
    format!("cargo run --release -p rope --example linear_memory -- --max-n {max_n}")
}

/// The table's closing line, built from the same constants as the measurement.
pub fn linear_memory_caption() -> String {
    format!(
        "Causal linear attention (φ = elu + 1) with RoPE on φ(q) and φ(k), f64, \
         d_head = {LINEAR_MEMORY_D_HEAD}, d_v = {LINEAR_MEMORY_D_V}; peak bytes allocated during \
         the call, counted by `bookkit::meter` (exact: neither form calls a matrix library).\n"
    )
}

/// One row of the memory table: `(n, explicit peak bytes, linear peak bytes)`. Meaningful only in
/// a binary that installs `bookkit::meter::Meter` as its global allocator (otherwise both are 0).
///
/// # Errors
/// Never for the fixed settings; the two forms are also checked to agree to 1e-9.
pub fn linear_memory_row(n: usize) -> Result<(usize, usize, usize), Error> {
    use crate::linear::{linear_attention, linear_attention_slow};
    let rope = Rope::new(LINEAR_MEMORY_D_HEAD, BASE, Layout::HalfSplit)?;
    let mut rng = bookkit::rng::SplitMix64(n as u64);
    let mut draw = |c| ndarray::Array2::from_shape_fn((n, c), |_| rng.next_gaussian());
    let (q, k, v) = (
        draw(LINEAR_MEMORY_D_HEAD),
        draw(LINEAR_MEMORY_D_HEAD),
        draw(LINEAR_MEMORY_D_V),
    );
    let pos: Vec<usize> = (0..n).collect();
    let (slow, slow_peak) = bookkit::meter::measure(|| {
        linear_attention_slow(q.view(), k.view(), v.view(), &pos, Some(&rope), true)
    });
    let (fast, fast_peak) = bookkit::meter::measure(|| {
        linear_attention(q.view(), k.view(), v.view(), &pos, Some(&rope), true)
    });
    let worst = (&slow? - &fast?).iter().fold(0.0f64, |w, x| w.max(x.abs()));
    if worst > 1e-9 {
        return Err(bad("difference", worst, "the two forms must agree to 1e-9"));
    }
    Ok((n, slow_peak, fast_peak))
}

/// The memory table for n = `LINEAR_MEMORY_MIN_N`, doubling, up to `max_n`, with its command and
/// caption.
///
/// # Errors
/// A `max_n` below the first length.
pub fn linear_memory(max_n: usize) -> Result<String, Error> {
    if max_n < LINEAR_MEMORY_MIN_N {
        return Err(bad(
            "max_n",
            max_n,
            "it must be at least the first length, 256",
        ));
    }
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    let mut t = Table::new([
        "n",
        "explicit peak (bytes)",
        "explicit (MiB)",
        "linear peak (bytes)",
        "linear (MiB)",
        "ratio",
    ]);
    let mut n = LINEAR_MEMORY_MIN_N;
    while n <= max_n {
        let (_, slow, fast) = linear_memory_row(n)?;
        t.row([
            n.to_string(),
            slow.to_string(),
            fixed(mib(slow), 2),
            fast.to_string(),
            fixed(mib(fast), 3),
            fixed(slow as f64 / fast.max(1) as f64, 1),
        ]);
        n *= 2;
    }
    Ok(format!(
        "Measured: output of `{}`.\n\n{t}\n{}",
        linear_memory_command(max_n),
        linear_memory_caption()
    ))
}

/// Monte Carlo means of the score at several distances: independent standard normal `q` and `k`
/// against `q = k` with every pair of length 1, beside the average cosine.
///
/// # Errors
/// A bad head width, or fewer than 2 samples.
pub fn decay_monte_carlo(
    head_dim: usize,
    samples: usize,
    distances: &[f64],
) -> Result<String, Error> {
    let rope = Rope::new(head_dim, BASE, Layout::HalfSplit)?;
    let half = (head_dim / 2) as f64;
    let mut t = Table::new([
        "distance",
        "independent q, k: mean score ± s.e.",
        "q = k, pair norms 1: mean score / (d_head/2)",
        "average cosine",
    ]);
    for &delta in distances {
        let [(mean, se), (aligned, _)] = crate::decay::monte_carlo(&rope, delta, samples, 7)?;
        t.row([
            format!("{delta}"),
            format!("{} ± {}", fixed(mean, 3), fixed(se, 3)),
            fixed(aligned / half, 3),
            fixed(mean_cos(&rope, delta), 3),
        ]);
    }
    Ok(format!(
        "{t}\nd_head = {head_dim}, base 10000, {samples} draws per distance (seed 7). Independent \
         q and k have entries drawn from N(0, 1); the aligned vectors have every pair of length 1 \
         in a random direction.\n"
    ))
}
