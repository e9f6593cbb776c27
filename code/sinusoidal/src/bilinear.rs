//! Why adding sinusoids does not make attention relative.
//!
//! `PE(p)·PE(p + Δ)` depends only on `Δ` (module [`shift`](crate::shift)), but a head never takes
//! that dot product: its position-by-position term is `PE(p) W PE(p′)ᵀ` with `W = W_Q W_Kᵀ`. Since
//! `PE(p + s) = M_s PE(p)`, that term depends on `p − p′` alone for every `W` that commutes with
//! every shift `M_s`: a block `a_i I + b_i J` on each frequency pair (`J` the quarter turn) and
//! zero between pairs, [`commuting`]. A learned `W` has no reason to be of that form, and
//! [`position_logit`] shows the term moving with `p` at a fixed offset ([`table`]).

use bookkit::{Table, fixed};
use ndarray::{Array2, ArrayView2};

use crate::{Error, Sinusoid};

/// `PE(p) W PE(p′)ᵀ` for a `d × d` matrix `W`.
///
/// # Errors
/// A `W` that is not `d × d`.
///
/// ```
/// use ndarray::Array2;
/// use sinusoidal::{Sinusoid, bilinear::position_logit};
/// let enc = Sinusoid::paper(8)?;
/// let identity = Array2::eye(8); // W = I is the plain dot product: Σ cos(Δ ω_i)
/// let at = |p| position_logit(&enc, identity.view(), p, p + 3);
/// assert!((at(0)? - enc.dot_at_offset(3.0)).abs() < 1e-12);
/// assert!((at(0)? - at(40)?).abs() < 1e-12);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn position_logit(
    enc: &Sinusoid,
    w: ArrayView2<'_, f64>,
    p: usize,
    p2: usize,
) -> Result<f64, Error> {
    let d = enc.d();
    if w.dim() != (d, d) {
        return Err(errors::shape(
            "W must be d_model × d_model",
            vec![d, d],
            w.shape().to_vec(),
        ));
    }
    Ok(enc.encode(p).dot(&w).dot(&enc.encode(p2)))
}

/// The matrices that commute with every shift `M_s`: on the slots `(s, c)` of pair `i` (its sine
/// and its cosine) the block `[[a_i, b_i], [−b_i, a_i]] = a_i I + b_i J` with `J = [[0, 1],
/// [−1, 0]]`, zero elsewhere. Over pair `i` the term `PE(p) W PE(p′)ᵀ` is then, with the offset
/// `Δ = p′ − p` (the page's convention, and [`spread`]'s `delta`),
/// `a_i cos(Δ ω_i) − b_i sin(Δ ω_i)`.
///
/// # Errors
/// `a` or `b` without one entry per pair, or a non-finite entry.
///
/// ```
/// use sinusoidal::{Sinusoid, bilinear::{commuting, position_logit}};
/// let enc = Sinusoid::paper(4)?;
/// let w = commuting(&enc, &[1.0, 0.5], &[2.0, -1.0])?;
/// assert_eq!(w.row(0).to_vec(), vec![1.0, 2.0, 0.0, 0.0]);
/// assert_eq!(w.row(1).to_vec(), vec![-2.0, 1.0, 0.0, 0.0]);
/// let at = |p| position_logit(&enc, w.view(), p, p + 2);
/// assert!((at(0)? - at(17)?).abs() < 1e-12);
/// // At offset Δ = p′ − p = 2, pair 0 (ω_0 = 1, a = 1, b = 2) gives cos 2 − 2 sin 2 and
/// // pair 1 (ω_1 = 0.01, a = 0.5, b = −1) gives 0.5 cos 0.02 + sin 0.02.
/// let pair0 = 2f64.cos() - 2.0 * 2f64.sin();
/// let pair1 = 0.5 * 0.02f64.cos() + 0.02f64.sin();
/// assert!((at(0)? - (pair0 + pair1)).abs() < 1e-12);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
// ANCHOR: commuting
pub fn commuting(enc: &Sinusoid, a: &[f64], b: &[f64]) -> Result<Array2<f64>, Error> {
    let pairs = enc.pairs();
    if a.len() != pairs.len() || b.len() != pairs.len() {
        return Err(errors::shape(
            "a and b need one entry per pair",
            vec![pairs.len()],
            vec![a.len(), b.len()],
        ));
    }
    errors::ensure_finite("a and b", a.iter().chain(b).copied())?;
    let mut w = Array2::zeros((enc.d(), enc.d()));
    for (i, &(s, c, _)) in pairs.iter().enumerate() {
        // a I + b J on the pair's two slots: it commutes with the pair's rotation by sω_i.
        w[[s, s]] = a[i];
        w[[c, c]] = a[i];
        w[[s, c]] = b[i];
        w[[c, s]] = -b[i];
    }
    Ok(w)
}
// ANCHOR_END: commuting

/// The largest minus the smallest `PE(p) W PE(p + Δ)ᵀ` over `p = 0 … n − 1`: zero (to rounding)
/// when the term depends on the offset alone.
///
/// # Errors
/// As [`position_logit`]; `n = 0`.
///
/// ```
/// use ndarray::Array2;
/// use sinusoidal::{Sinusoid, bilinear::spread};
/// let enc = Sinusoid::paper(4)?;
/// assert!(spread(&enc, Array2::eye(4).view(), 3, 50)? < 1e-12);
/// let mut w = Array2::eye(4);
/// w[[0, 2]] = 1.0; // couples two pairs of different frequencies
/// assert!(spread(&enc, w.view(), 3, 50)? > 0.5);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn spread(
    enc: &Sinusoid,
    w: ArrayView2<'_, f64>,
    delta: usize,
    n: usize,
) -> Result<f64, Error> {
    if n == 0 {
        return Err(errors::bad(
            "n",
            n,
            "the spread needs at least one position",
        ));
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in 0..n {
        let v = position_logit(enc, w, p, p + delta)?;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    Ok(hi - lo)
}

/// `PE(p) W PE(p + Δ)ᵀ` at `p = 0 … shown − 1` and its spread over `p < n`, for `W = I`, a
/// commuting `W` and a random `W = W_Q W_Kᵀ` (both drawn from `seed`, `W_Q` and `W_K` of shape
/// `d × d/2` with standard normal entries).
///
/// # Errors
/// As [`commuting`] and [`spread`].
pub fn table(
    enc: &Sinusoid,
    delta: usize,
    shown: usize,
    n: usize,
    seed: u64,
) -> Result<String, Error> {
    let d = enc.d();
    let mut rng = bookkit::rng::SplitMix64(seed);
    let half = enc.pairs().len();
    let a: Vec<f64> = (0..half).map(|_| rng.next_gaussian()).collect();
    let b: Vec<f64> = (0..half).map(|_| rng.next_gaussian()).collect();
    let mut draw = || Array2::from_shape_fn((d, d / 2), |_| rng.next_gaussian());
    let (wq, wk) = (draw(), draw());
    let cases = [
        ("W = I (the dot product)".to_string(), Array2::eye(d)),
        (
            "W commuting with every shift".to_string(),
            commuting(enc, &a, &b)?,
        ),
        ("W = W_Q W_Kᵀ, random".to_string(), wq.dot(&wk.t())),
    ];
    let mut t = Table::new(
        std::iter::once("W".to_string())
            .chain((0..shown).map(|p| format!("p = {p}")))
            .chain(std::iter::once(format!("spread over p < {n}"))),
    );
    for (name, w) in &cases {
        let mut cells = vec![name.clone()];
        for p in 0..shown {
            cells.push(fixed(position_logit(enc, w.view(), p, p + delta)?, 3));
        }
        cells.push(fixed(spread(enc, w.view(), delta, n)?, 3));
        t.row(cells);
    }
    Ok(format!(
        "{t}\nPE(p) W PE(p + {delta})ᵀ, d_model = {d}, base {}; random entries from seed {seed}.\n",
        enc.base()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Layout, Schedule};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_commuting_family_keeps_the_term_relative(
            half in 1usize..8, seed in any::<u64>(), p in 0usize..500, p2 in 0usize..500,
            shift in 0usize..500, concatenated in any::<bool>(),
        ) {
            let layout = if concatenated { Layout::Concatenated } else { Layout::Interleaved };
            let enc = Sinusoid::new(2 * half, 10000.0, layout, Schedule::Paper).unwrap();
            let mut rng = bookkit::rng::SplitMix64(seed);
            let a: Vec<f64> = (0..half).map(|_| rng.next_gaussian()).collect();
            let b: Vec<f64> = (0..half).map(|_| rng.next_gaussian()).collect();
            let w = commuting(&enc, &a, &b).unwrap();
            let here = position_logit(&enc, w.view(), p, p2).unwrap();
            let moved = position_logit(&enc, w.view(), p + shift, p2 + shift).unwrap();
            // Terms of size ≤ |a| + |b| at angles below 1000 radians: rounding of a few 1e-13.
            prop_assert!((here - moved).abs() < 1e-10, "{here} vs {moved}");
            // And it is the page's closed form Σ a_i cos(Δω_i) − b_i sin(Δω_i), Δ = p′ − p.
            let delta = p2 as f64 - p as f64;
            let closed: f64 = enc.frequencies().iter().zip(a.iter().zip(&b))
                .map(|(w, (a, b))| a * (delta * w).cos() - b * (delta * w).sin()).sum();
            prop_assert!((here - closed).abs() < 1e-10);
        }

        #[test]
        fn random_projections_break_it(seed in any::<u64>()) {
            let enc = Sinusoid::paper(8).unwrap();
            let mut rng = bookkit::rng::SplitMix64(seed);
            let mut draw = || Array2::from_shape_fn((8, 4), |_| rng.next_gaussian());
            let (wq, wk) = (draw(), draw());
            // A product of Gaussian matrices commutes with every shift with probability zero;
            // over 200 positions the term at offset 3 moves by far more than rounding.
            prop_assert!(spread(&enc, wq.dot(&wk.t()).view(), 3, 200).unwrap() > 1e-3);
        }
    }

    #[test]
    fn bad_shapes_and_values_are_refused() {
        let enc = Sinusoid::paper(4).unwrap();
        let e = position_logit(&enc, Array2::eye(3).view(), 0, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shape mismatch: W must be d_model × d_model; expected [4, 4], got [3, 3]"
        );
        assert!(commuting(&enc, &[1.0], &[1.0, 2.0]).is_err());
        assert!(commuting(&enc, &[1.0, 2.0], &[1.0]).is_err());
        assert!(commuting(&enc, &[1.0, f64::NAN], &[1.0, 2.0]).is_err());
        assert!(spread(&enc, Array2::eye(4).view(), 1, 0).is_err());
    }

    #[test]
    fn the_spread_is_largest_minus_smallest() {
        // W = e_0 e_0ᵀ keeps sin(pω_0) sin((p + Δ)ω_0) with ω_0 = 1, Δ = 1: over p = 0, 1 the
        // values are 0 and sin 1 sin 2.
        let enc = Sinusoid::paper(4).unwrap();
        let mut w = Array2::zeros((4, 4));
        w[[0, 0]] = 1.0;
        let s = spread(&enc, w.view(), 1, 2).unwrap();
        assert!((s - (1f64.sin() * 2f64.sin()).abs()).abs() < 1e-15);
    }
}
