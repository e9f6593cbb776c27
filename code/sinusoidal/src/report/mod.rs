//! The tables of the sinusoidal chapter. Each returns Markdown; examples print it, snapshot tests
//! check it, the page includes the snapshots.

use bookkit::{Table, fixed, tuple};
use ndarray::Array2;

use crate::{
    BASE, Error, Layout, Schedule, Sinusoid, concat_from_interleaved, lstsq, max_abs_diff, sin_only,
};

mod precision;
pub use precision::{precision, precision_fairseq};

/// The encodings of positions `0..n` as a table, one row per position.
pub fn encoding_table(enc: &Sinusoid, n: usize, decimals: usize) -> String {
    let m = enc.matrix(n);
    let mut header = vec!["position".to_string()];
    header.extend((0..enc.d()).map(|j| format!("j = {j}")));
    let mut t = Table::new(header);
    for (p, row) in m.rows().into_iter().enumerate() {
        let mut cells = vec![p.to_string()];
        cells.extend(row.iter().map(|&v| fixed(v, decimals)));
        t.row(cells);
    }
    t.to_string()
}

/// Why not the raw position, a fraction of the length, or a binary counter: the candidates side
/// by side for positions `0..n`.
///
/// # Errors
/// `n` outside `2..=1024` (a fraction of the length needs two positions; the table is printed).
pub fn naive_schemes(n: usize) -> Result<String, Error> {
    if !(2..=1024).contains(&n) {
        return Err(errors::bad(
            "n",
            n,
            "the comparison prints 2 to 1024 positions",
        ));
    }
    let bits = usize::BITS - (n - 1).leading_zeros();
    let enc = Sinusoid::paper(4)?;
    let mut t = Table::new([
        "position p".to_string(),
        format!("p / (n − 1), n = {n}"),
        format!("p / (n − 1), n = {}", 2 * n),
        format!("binary, {bits} bits"),
        "sinusoidal, d_model = 4".to_string(),
    ]);
    for p in 0..n {
        t.row([
            p.to_string(),
            fixed(p as f64 / (n - 1) as f64, 3),
            fixed(p as f64 / (2 * n - 1) as f64, 3),
            format!("{p:0width$b}", width = bits as usize),
            tuple(enc.encode(p).iter().copied(), 2),
        ]);
    }
    Ok(t.to_string())
}

/// One position's encoding built up entry by entry: `i`, `ω_i`, the formula and its value.
pub fn worked_entries(enc: &Sinusoid, p: usize) -> String {
    let pe = enc.encode(p);
    let mut t = Table::new(["j", "pair i", "ωᵢ", "entry", "value"]);
    for (i, (s, c, w)) in enc.pairs().into_iter().enumerate() {
        for (j, f) in [(s, "sin"), (c, "cos")] {
            t.row([
                j.to_string(),
                i.to_string(),
                format!("{w:.6e}"),
                format!("{f}({p} · ω{})", bookkit::format::subscript(i as i64)),
                fixed(pe[j], 6),
            ]);
        }
    }
    let mut rows: Vec<_> = t.to_string().lines().map(str::to_string).collect();
    // Sort body rows by j so the concatenated layout also reads top to bottom.
    let (head, body) = rows.split_at_mut(2);
    body.sort_by_key(|r| {
        r.trim_start_matches("| ")
            .split(' ')
            .next()
            .and_then(|j| j.parse::<usize>().ok())
    });
    let mut out = head.join("\n");
    out.push('\n');
    out.push_str(&body.join("\n"));
    out.push('\n');
    out
}

/// Frequencies and wavelengths of selected pairs.
pub fn wavelengths(enc: &Sinusoid, pairs: &[usize]) -> String {
    let (w, lambda) = (enc.frequencies(), enc.wavelengths());
    let mut t = Table::new(["pair i", "ωᵢ", "wavelength 2π/ωᵢ (positions)"]);
    for &i in pairs.iter().filter(|&&i| i < w.len()) {
        t.row([i.to_string(), format!("{:.6e}", w[i]), fixed(lambda[i], 2)]);
    }
    t.to_string()
}

/// The two layouts at one position, and how they relate.
///
/// # Errors
/// A zero or odd `d`.
pub fn layouts(d: usize, p: usize) -> Result<String, Error> {
    let paper = Sinusoid::paper(d)?;
    let concat = Sinusoid::tensor2tensor(d)?;
    // The interleaved layout built with the concatenated layout's frequencies.
    let same_freqs = concat_frequencies_interleaved(d, p)?;
    let perm = concat_from_interleaved(d)?;
    let (a, b) = (paper.encode(p), concat.encode(p));
    let mut t = Table::new([
        "j",
        "paper (interleaved)",
        "tensor2tensor / fairseq (concatenated)",
        "taken from interleaved entry (same ω)",
    ]);
    for j in 0..d {
        t.row([
            j.to_string(),
            fixed(a[j], 6),
            fixed(b[j], 6),
            perm[j].to_string(),
        ]);
    }
    let permuted: ndarray::Array1<f64> = perm.iter().map(|&k| same_freqs[k]).collect();
    let permuted_paper: ndarray::Array1<f64> = perm.iter().map(|&k| a[k]).collect();
    Ok(format!(
        "{t}\nPermuting the interleaved vector built with the concatenated frequencies gives the \
         concatenated vector: largest difference {}.\nPermuting the paper's vector the same way \
         does not: largest difference {} (the frequencies differ).\n",
        fixed(max_abs_diff(permuted.view(), b.view())?, 6),
        fixed(max_abs_diff(permuted_paper.view(), b.view())?, 6),
    ))
}

/// The four combinations of layout and schedule at one position, side by side, and how they
/// relate: a permutation between layouts at equal frequencies, a change of frequencies between
/// schedules at equal layout.
///
/// # Errors
/// A zero or odd `d`.
pub fn variants(d: usize, p: usize) -> Result<String, Error> {
    let combos = [
        (Layout::Interleaved, Schedule::Paper),
        (Layout::Concatenated, Schedule::Paper),
        (Layout::Interleaved, Schedule::Tensor2Tensor),
        (Layout::Concatenated, Schedule::Tensor2Tensor),
    ];
    let encs = combos
        .iter()
        .map(|&(l, s)| Ok(Sinusoid::new(d, BASE, l, s)?.encode(p)))
        .collect::<Result<Vec<_>, Error>>()?;
    let name = |l: Layout, s: Schedule| {
        let l = match l {
            Layout::Interleaved => "interleaved",
            Layout::Concatenated => "half-split",
        };
        let s = match s {
            Schedule::Paper => "paper ω",
            Schedule::Tensor2Tensor => "t2t ω",
        };
        format!("{l}, {s}")
    };
    let mut t =
        Table::new(std::iter::once("j".to_string()).chain(combos.iter().map(|&(l, s)| name(l, s))));
    for j in 0..d {
        t.row(std::iter::once(j.to_string()).chain(encs.iter().map(|e| fixed(e[j], 6))));
    }
    let perm = concat_from_interleaved(d)?;
    let permute =
        |v: &ndarray::Array1<f64>| -> ndarray::Array1<f64> { perm.iter().map(|&k| v[k]).collect() };
    let layout_gap = |a: usize, b: usize| max_abs_diff(permute(&encs[a]).view(), encs[b].view());
    Ok(format!(
        "{t}\nSame frequencies, other layout: permuting the interleaved vector gives the half-split \
         one, largest difference {} (paper ω) and {} (t2t ω).\nSame layout, other frequencies: \
         largest difference {} (interleaved) and {} (half-split).\n",
        fixed(layout_gap(0, 1)?, 6),
        fixed(layout_gap(2, 3)?, 6),
        fixed(max_abs_diff(encs[0].view(), encs[2].view())?, 6),
        fixed(max_abs_diff(encs[1].view(), encs[3].view())?, 6),
    ))
}

/// The two frequency schedules pair by pair: equal at `i = 0`, then tensor2tensor's falls faster,
/// by the factor `b^(−2i/(d(d/2 − 1)))`, reaching `1/b` where the paper's stops at `b^(−1 + 2/d)`.
///
/// # Errors
/// A zero or odd `d`, a bad base.
pub fn schedules(d: usize, base: f64, pairs: &[usize]) -> Result<String, Error> {
    let paper = Schedule::Paper.frequencies(d, base)?;
    let t2t = Schedule::Tensor2Tensor.frequencies(d, base)?;
    let h = d / 2;
    let mut t = Table::new([
        "pair i".to_string(),
        "paper ωᵢ = b^(−2i/d_model)".to_string(),
        "t2t ωᵢ = b^(−i/(d_model/2 − 1))".to_string(),
        "ratio t2t / paper".to_string(),
        "b^(−2i/(d_model(d_model/2 − 1)))".to_string(),
    ]);
    for &i in pairs.iter().filter(|&&i| i < h) {
        t.row([
            i.to_string(),
            format!("{:.6e}", paper[i]),
            format!("{:.6e}", t2t[i]),
            fixed(t2t[i] / paper[i], 6),
            fixed(crate::schedule::ratio(d, base, i)?, 6),
        ]);
    }
    let (worst, at) = (0..h)
        .map(|i| ((paper[i] - t2t[i]).abs(), i))
        .fold((0.0, 0), |m, x| if x.0 > m.0 { x } else { m });
    Ok(format!(
        "{t}\nd_model = {d}, base {base}: the largest gap |ω_i(paper) − ω_i(t2t)| is {worst:.3e}, at pair \
         {at}; the slowest wavelengths are {} (paper) and {} (t2t) positions.\n",
        fixed(2.0 * std::f64::consts::PI / paper[h - 1], 1),
        fixed(2.0 * std::f64::consts::PI / t2t[h - 1], 1),
    ))
}

/// The interleaved layout evaluated with the concatenated layout's frequencies.
///
/// # Errors
/// A zero or odd `d`.
pub fn concat_frequencies_interleaved(d: usize, p: usize) -> Result<ndarray::Array1<f64>, Error> {
    let w = Sinusoid::tensor2tensor(d)?.frequencies();
    let pos = p as f64;
    Ok(ndarray::Array1::from_shape_fn(d, |j| {
        let angle = pos * w[j / 2];
        if j % 2 == 0 { angle.sin() } else { angle.cos() }
    }))
}

/// `M_k`, `PE(p)`, `M_k PE(p)` and `PE(p + k)` for one small case.
///
/// # Errors
/// `p + k` past `2^53` (positions are exact in `f64` only up to there).
pub fn shift(enc: &Sinusoid, p: usize, k: usize) -> Result<String, Error> {
    const EXACT: usize = 1 << 53;
    if p > EXACT || k > EXACT - p {
        return Err(errors::bad(
            "p + k",
            p.saturating_add(k),
            "positions must stay below 2^53, where f64 still counts every integer",
        ));
    }
    let m = enc.shift_matrix(k as i64);
    let mut t = Table::new(
        std::iter::once(format!("M_{k} (d_model = {})", enc.d()))
            .chain((0..enc.d()).map(|j| format!("col {j}"))),
    );
    for (i, row) in m.rows().into_iter().enumerate() {
        t.row(std::iter::once(format!("row {i}")).chain(row.iter().map(|&v| fixed(v, 4))));
    }
    let pe = enc.encode(p);
    let moved = m.dot(&pe);
    let target = enc.encode(p + k);
    let mut v = Table::new(["vector", "value"]);
    v.row([format!("PE({p})"), tuple(pe.iter().copied(), 4)]);
    v.row([format!("M_{k} PE({p})"), tuple(moved.iter().copied(), 4)]);
    v.row([format!("PE({})", p + k), tuple(target.iter().copied(), 4)]);
    Ok(format!("{t}\n{v}"))
}

/// The three numbers behind [`sin_only_fit`]: the RMS error of the best linear shift map with
/// sines and cosines, with sines alone, and the RMS of the sine-only targets (for scale).
///
/// # Errors
/// A zero or odd `d`, `n = 0`, or a singular fit.
pub fn sin_only_numbers(d: usize, k: usize, n: usize) -> Result<(f64, f64, f64), Error> {
    if n == 0 || n > 100_000 || k > 100_000 {
        return Err(errors::bad(
            "n",
            n,
            "fit over 1 to 100000 positions, with an offset of at most 100000",
        ));
    }
    let enc = Sinusoid::paper(d)?;
    let fit = |features: &dyn Fn(usize) -> ndarray::Array1<f64>| -> Result<f64, Error> {
        let m = features(1).len();
        let a = Array2::from_shape_fn((n, m), |(r, c)| features(r + 1)[c]);
        let b = Array2::from_shape_fn((n, m), |(r, c)| features(r + 1 + k)[c]);
        let x = lstsq::solve(a.view(), b.view())?;
        lstsq::rms_residual(a.view(), x.view(), b.view())
    };
    let both = fit(&|p| enc.encode(p))?;
    let sin = fit(&|p| sin_only(&enc, p))?;
    let all: Vec<f64> = (1..=n)
        .flat_map(|p| sin_only(&enc, p + k).to_vec())
        .collect();
    let target = (all.iter().map(|v| v * v).sum::<f64>() / all.len() as f64).sqrt();
    Ok((both, sin, target))
}

/// How well one linear map can move every encoding `k` positions on, fitted by least squares on
/// positions `1..=n`: with sines and cosines, exactly; with sines alone, not at all well.
///
/// # Errors
/// As [`sin_only_numbers`].
pub fn sin_only_fit(d: usize, k: usize, n: usize) -> Result<String, Error> {
    let (both, sin, target) = sin_only_numbers(d, k, n)?;
    let mut t = Table::new([
        "features".to_string(),
        "unknowns in M".to_string(),
        format!("RMS error of the best M (positions 1 to {n}, Δ = {k})"),
    ]);
    // The exact fit leaves only rounding noise, whose last digits vary by platform: say so.
    let both = if both < 1e-12 {
        "below 1e-12 (rounding only)".to_string()
    } else {
        format!("{both:.1e}")
    };
    t.row([
        format!("sin and cos, d_model = {d}"),
        (d * d).to_string(),
        both,
    ]);
    t.row([
        format!("sin only, {} entries", d / 2),
        (d / 2 * d / 2).to_string(),
        fixed(sin, 3),
    ]);
    Ok(format!(
        "{t}\nFor scale: the RMS of the sine-only targets themselves is {}.\n",
        fixed(target, 3)
    ))
}

/// `PE(p)·PE(p + k)` at selected offsets, checked against a direct dot product at `p = 17`.
///
/// # Errors
/// A zero or odd `d`.
pub fn dot_offsets(d: usize, offsets: &[usize], max_k: usize) -> Result<String, Error> {
    let enc = Sinusoid::paper(d)?;
    let mut t = Table::new([
        "offset Δ".to_string(),
        "Σ cos(Δ ωᵢ)".to_string(),
        "PE(17) · PE(17 + Δ)".to_string(),
    ]);
    for &k in offsets {
        let direct = enc.encode(17).dot(&enc.encode(17 + k));
        t.row([
            k.to_string(),
            fixed(enc.dot_at_offset(k as f64), 3),
            fixed(direct, 3),
        ]);
    }
    let rise = match enc.first_rise(max_k) {
        Some(k) => format!(
            "The dot product first rises from Δ = {k} to Δ = {}: {} → {}.",
            k + 1,
            fixed(enc.dot_at_offset(k as f64), 3),
            fixed(enc.dot_at_offset((k + 1) as f64), 3)
        ),
        None => format!("The dot product falls at every step up to Δ = {max_k}."),
    };
    Ok(format!("{t}\n{rise}\n"))
}

/// With base 1 every pair has frequency 1, so `PE(p)·PE(p + Δ) = (d/2) cos Δ`: the first offset
/// `Δ ≥ 1` at which the dot product comes back to within a thousandth of its value at `Δ = 0`, as
/// text.
///
/// # Errors
/// A zero or odd `d`, or no such offset up to `max_offset`.
///
/// ```
/// // cos 44 = 0.99984; no smaller integer comes within 0.001 of 1 (cos 25 = 0.9912).
/// assert_eq!(sinusoidal::report::base_one_return(8, 100)?, "44");
/// assert!(sinusoidal::report::base_one_return(8, 43).is_err());
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn base_one_return(d: usize, max_offset: usize) -> Result<String, Error> {
    let enc = Sinusoid::new(d, 1.0, Layout::Interleaved, Schedule::Paper)?;
    let top = enc.dot_at_offset(0.0);
    (1..=max_offset)
        .find(|&k| enc.dot_at_offset(k as f64) >= 0.999 * top)
        .map(|k| k.to_string())
        .ok_or_else(|| {
            errors::bad(
                "max_offset",
                max_offset,
                "no offset up to it comes within a thousandth of offset 0",
            )
        })
}

/// The first rise of the dot product for several bases.
///
/// # Errors
/// A zero or odd `d`, or a bad base.
pub fn first_rises(d: usize, bases: &[f64], max_k: usize) -> Result<String, Error> {
    let mut t = Table::new(["base", "first Δ with f(Δ + 1) > f(Δ)", "f(Δ)", "f(Δ + 1)"]);
    for &b in bases {
        let enc = Sinusoid::new(d, b, Layout::Interleaved, Schedule::Paper)?;
        match enc.first_rise(max_k) {
            Some(k) => t.row([
                format!("{b}"),
                k.to_string(),
                fixed(enc.dot_at_offset(k as f64), 3),
                fixed(enc.dot_at_offset((k + 1) as f64), 3),
            ]),
            None => t.row([format!("{b}"), format!("none up to {max_k}")]),
        };
    }
    Ok(t.to_string())
}

/// Norms of a token embedding (entries drawn from `N(0, 1/d)`, a common initialisation for
/// embeddings shared with the output layer), of the same scaled by `√d`, and of `PE(p)`.
///
/// # Errors
/// A zero or odd `d`.
pub fn embedding_scale(dims: &[usize]) -> Result<String, Error> {
    let mut t = Table::new([
        "d_model",
        "‖e‖, entries ~ N(0, 1/d_model)",
        "‖√d_model · e‖",
        "‖PE(p)‖ = √(d_model/2), any p",
    ]);
    for &d in dims {
        let enc = Sinusoid::paper(d)?;
        let mut rng = bookkit::rng::SplitMix64(0xE3B + d as u64);
        let e: Vec<f64> = (0..d)
            .map(|_| rng.next_gaussian() / (d as f64).sqrt())
            .collect();
        let norm = e.iter().map(|v| v * v).sum::<f64>().sqrt();
        let pe = enc.encode(1234);
        t.row([
            d.to_string(),
            fixed(norm, 3),
            fixed(norm * (d as f64).sqrt(), 3),
            fixed(pe.dot(&pe).sqrt(), 3),
        ]);
    }
    Ok(t.to_string())
}
