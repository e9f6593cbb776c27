//! The precision tables: the encoding computed in `f32` against `f64`, along the paper's path
//! and along fairseq's.

use bookkit::{Table, fixed};

use crate::{BASE, Error, Layout, Schedule, Sinusoid};

/// The encoding in `f32` against `f64` at large positions.
///
/// # Errors
/// A zero or odd `d`.
pub fn precision(d: usize, positions: &[usize]) -> Result<String, Error> {
    let enc = Sinusoid::paper(d)?;
    let mut t = Table::new([
        "position".to_string(),
        format!("largest f32 error, over {d} entries"),
        "entries off by more than 0.001".to_string(),
        "spacing of f32 at p".to_string(),
    ]);
    for &p in positions {
        let exact = enc.encode(p);
        let single: ndarray::Array1<f64> = enc.encode_f32(p).into_iter().map(f64::from).collect();
        let err = (&single - &exact).mapv(f64::abs);
        let worst = err.fold(0.0f64, |m, &v| m.max(v));
        let many = err.iter().filter(|&&v| v > 1e-3).count();
        // f32 has 24 significant bits: between 2^e and 2^(e+1) its spacing is 2^(e-23).
        let spacing = format!("2^{}", (p.max(1) as f64).log2().floor() as i64 - 23);
        t.row([
            p.to_string(),
            format!("{worst:.1e}"),
            many.to_string(),
            spacing,
        ]);
    }
    Ok(t.to_string())
}

/// fairseq's `f32` table ([`crate::encoding::fairseq_f32`]) against the same encoding in `f64`
/// (tensor2tensor's schedule, half-split, base 10000), with the ratio of its largest error to the
/// largest error of [`precision`]'s path (the paper's schedule, `ω` rounded once) at each position.
///
/// # Errors
/// A `d` that is odd or below 4.
pub fn precision_fairseq(d: usize, positions: &[usize]) -> Result<String, Error> {
    let exact_enc = Sinusoid::new(d, BASE, Layout::Concatenated, Schedule::Tensor2Tensor)?;
    let paper = Sinusoid::paper(d)?;
    let mut t = Table::new([
        "position".to_string(),
        format!("largest error of fairseq's f32 table, over {d} entries"),
        "entries off by more than 0.001".to_string(),
        "÷ largest error of the paper's schedule in f32".to_string(),
    ]);
    for &p in positions {
        let single = crate::encoding::fairseq_f32(d, p)?;
        let err: Vec<f64> = single
            .iter()
            .zip(exact_enc.encode(p).iter())
            .map(|(&s, &e)| (f64::from(s) - e).abs())
            .collect();
        let worst = err.iter().fold(0.0f64, |m, &v| m.max(v));
        let many = err.iter().filter(|&&v| v > 1e-3).count();
        let paper_worst = paper
            .encode_f32(p)
            .iter()
            .zip(paper.encode(p).iter())
            .fold(0.0f64, |m, (&s, &e)| m.max((f64::from(s) - e).abs()));
        t.row([
            p.to_string(),
            format!("{worst:.1e}"),
            many.to_string(),
            fixed(worst / paper_worst, 1),
        ]);
    }
    Ok(t.to_string())
}
