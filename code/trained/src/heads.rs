//! Offset heads built by hand: for each scheme, weights that make query `i` read the key
//! `Δ` tokens back (`Δ = 1` is a previous-token head), checked to attend where intended, and
//! what each does on sequences longer than the one it was built for.

use ndarray::Array2;

use attention::{Options, scaled_dot_product};
use errors::bad;
use order::PositionTable;
use relative::t5::{Buckets, bucket};
use rope::{Layout, Rope};
use sinusoidal::Sinusoid;

use crate::{Error, Scheme};

/// How a hand-built head is set up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadSpec {
    /// The offset to read: query `i` should attend to key `i − Δ`.
    pub delta: usize,
    /// The length the head is built for (the rows of a learned table).
    pub built_len: usize,
    /// The logit given to the intended key above the rest (ALiBi's head, which cannot pick an
    /// offset, uses the slope `sharpness / n` so that every key of the row keeps some weight).
    pub sharpness: f64,
    /// The width of the sinusoidal encoding and of the RoPE head.
    pub d: usize,
    /// The base of the sinusoids and of RoPE's frequencies.
    pub base: f64,
}

impl HeadSpec {
    /// The chapter's head: offset 3, built for 16 tokens, a logit margin of 10, width 16,
    /// base 10000.
    pub const CHAPTER: HeadSpec = HeadSpec {
        delta: 3,
        built_len: 16,
        sharpness: 10.0,
        d: 16,
        base: 10_000.0,
    };
}

/// T5's causal buckets as the chapter's heads and models use them: 32 buckets for looking back,
/// the first 16 exact, offsets of 128 and more sharing the last.
pub fn causal_buckets() -> Buckets {
    Buckets::new(false, 32, 128).unwrap_or(Buckets::T5)
}

/// Attention over `n` tokens with the given logits' parts, causal, scale 1.
fn attend(
    q: &Array2<f64>,
    k: &Array2<f64>,
    bias: Option<&Array2<f64>>,
) -> Result<Array2<f64>, Error> {
    let n = q.nrows();
    let v = Array2::<f64>::zeros((n, 1)); // the weights are the point here, not the outputs
    let options = Options {
        bias: bias.map(|b| b.view()),
        causal: true,
        scale: Some(1.0),
    };
    Ok(scaled_dot_product(q.view(), k.view(), v.view(), &options)?.weights)
}

/// The attention weights (`n × n`, causal) of a head built by hand to read `Δ` tokens back:
///
/// - learned: one-hot rows `P_p = e_p` of a table with `built_len` rows; queries `c·P_i`, keys
///   `P_j S` with the shift `S` sending `e_p` to `e_{p+Δ}`, so only the key at `i − Δ` scores `c`;
/// - sinusoidal: queries `c·PE(i)`, keys `M_Δ PE(j) = PE(j + Δ)` (chapter 2's shift matrix), so
///   the logit is `c Σ cos((i − j − Δ) ω)`, largest at `j = i − Δ`;
/// - RoPE: `q_i = c R_i u`, `k_j = R_{j+Δ} u` with `u` one on the first coordinate of each pair:
///   the same logits as the sinusoidal head;
/// - T5: a table that is `c` in the bucket of offset `−Δ` and 0 elsewhere;
/// - ALiBi and NoPE cannot: ALiBi's only positional term is `−m (i − j)` (here `m = c / n`),
///   largest at `j = i`, and NoPE has none; both are returned with equal content logits to show
///   where they attend instead.
///
/// # Errors
/// `Δ = 0`, `n = 0`, a learned head run past `built_len` (the table has no row there), or a bad
/// width or base.
///
/// ```
/// use trained::{Scheme, heads::{HeadSpec, offset_head}};
/// let w = offset_head(Scheme::T5, &HeadSpec::CHAPTER, 16)?;
/// assert!(w[[10, 7]] > 0.99);
/// let e = offset_head(Scheme::Learned, &HeadSpec::CHAPTER, 17).unwrap_err();
/// assert_eq!(e.to_string(), "position 16 has no row: the table covers positions 0 to 15");
/// # Ok::<(), trained::Error>(())
/// ```
pub fn offset_head(scheme: Scheme, spec: &HeadSpec, n: usize) -> Result<Array2<f64>, Error> {
    if spec.delta == 0 || n == 0 {
        return Err(bad(
            "delta / n",
            format!("{} / {n}", spec.delta),
            "an offset head needs Δ ≥ 1 and at least one token",
        ));
    }
    let (c, delta) = (spec.sharpness, spec.delta);
    match scheme {
        // ANCHOR: learned
        Scheme::Learned => {
            let len = spec.built_len;
            let table = PositionTable::new(Array2::eye(len))?; // P_p = e_p
            let x = learned::add_positions(Array2::zeros((n, len)).view(), &table)?; // [n, len]
            let shift =
                Array2::from_shape_fn((len, len), |(a, b)| f64::from(u8::from(b == a + delta)));
            attend(&(&x * c), &x.dot(&shift), None) // q_i · k_j = c [j + Δ = i]
        }
        // ANCHOR_END: learned
        // ANCHOR: sinusoidal
        Scheme::Sinusoidal => {
            let pe = Sinusoid::paper(spec.d)?.matrix(n); // [n, d], row p = PE(p)
            let m = Sinusoid::paper(spec.d)?.shift_matrix(delta as i64); // PE(p + Δ) = M_Δ PE(p)
            attend(&(&pe * c), &pe.dot(&m.t()), None) // q_i · k_j = c PE(i) · PE(j + Δ)
        }
        // ANCHOR_END: sinusoidal
        Scheme::Rope => {
            let rope = Rope::new(spec.d, spec.base, Layout::Interleaved)?;
            let u = ndarray::Array1::from_shape_fn(spec.d, |a| f64::from(u8::from(a % 2 == 0)));
            let mut q = Array2::zeros((n, spec.d));
            let mut k = Array2::zeros((n, spec.d));
            for p in 0..n {
                q.row_mut(p).assign(&(rope.rotate(u.view(), p as f64)? * c)); // c R_i u
                k.row_mut(p)
                    .assign(&rope.rotate(u.view(), (p + delta) as f64)?); // R_{j+Δ} u
            }
            attend(&q, &k, None)
        }
        // ANCHOR: t5
        Scheme::T5 => {
            let cfg = causal_buckets();
            let target = bucket(-(delta as i64), cfg);
            let bias = Array2::from_shape_fn((n, n), |(i, j)| {
                let b = bucket(j as i64 - i as i64, cfg);
                if b == target { c } else { 0.0 }
            });
            attend(&Array2::zeros((n, 1)), &Array2::zeros((n, 1)), Some(&bias))
        }
        // ANCHOR_END: t5
        Scheme::Alibi => {
            let bias = relative::alibi::bias(c / n as f64, n);
            attend(&Array2::zeros((n, 1)), &Array2::zeros((n, 1)), Some(&bias))
        }
        Scheme::NoPe => attend(&Array2::zeros((n, 1)), &Array2::zeros((n, 1)), None),
    }
}

/// The smallest weight any query `i ≥ Δ` puts on its intended key `i − Δ`.
///
/// ```
/// use ndarray::array;
/// let w = array![[1.0, 0.0], [0.9, 0.1]];
/// assert_eq!(trained::heads::worst_target_weight(w.view(), 1), Some(0.9));
/// assert_eq!(trained::heads::worst_target_weight(w.view(), 2), None);
/// ```
pub fn worst_target_weight(w: ndarray::ArrayView2<'_, f64>, delta: usize) -> Option<f64> {
    (delta..w.nrows())
        .map(|i| w[[i, i - delta]])
        .reduce(f64::min)
}

/// How many queries `i ≥ Δ` put more weight on the key `i − Δ` than on any other key (a tie is
/// not a hit: uniform attention reads nothing in particular).
///
/// ```
/// use ndarray::array;
/// let w = array![[1.0, 0.0, 0.0], [0.8, 0.2, 0.0], [0.1, 0.7, 0.2]];
/// assert_eq!(trained::heads::hits(w.view(), 1), 2); // both queries read the key 1 back
/// assert_eq!(trained::heads::hits(w.view(), 2), 0);
/// let uniform = array![[1.0, 0.0], [0.5, 0.5]];
/// assert_eq!(trained::heads::hits(uniform.view(), 1), 0);
/// ```
pub fn hits(w: ndarray::ArrayView2<'_, f64>, delta: usize) -> usize {
    (delta..w.nrows())
        .filter(|&i| {
            let target = w[[i, i - delta]];
            (0..=i).all(|j| j == i - delta || w[[i, j]] < target)
        })
        .count()
}

/// What the T5 head puts on its key at query `i ≥ Δ` (exactly): the intended key scores `c`, the
/// other `i` keys 0 (offsets below 16 have their own buckets, and the head's bucket holds only
/// offset Δ), so the weight is `e^c / (e^c + i)`: it falls as the query moves on, by dilution,
/// not because anything is unseen.
///
/// ```
/// let w = trained::heads::t5_weight(10.0, 0);
/// assert_eq!(w, 1.0);
/// ```
pub fn t5_weight(c: f64, i: usize) -> f64 {
    c.exp() / (c.exp() + i as f64)
}

/// What the sinusoidal and RoPE heads put on their key at query `i ≥ Δ` (exactly): the logit of
/// the key at `j` is `c · Σ_r cos((i − j − Δ) ω_r)`, a function of the offset alone, so the weight
/// is `1 / Σ_j exp(c (dot(i − j − Δ) − d/2))` over the keys `j ≤ i`.
///
/// # Errors
/// A bad width.
///
/// ```
/// use trained::heads::{HeadSpec, periodic_weight};
/// let w = periodic_weight(&HeadSpec::CHAPTER, 3)?; // the query that first has the key
/// assert!(w > 0.99);
/// # Ok::<(), trained::Error>(())
/// ```
pub fn periodic_weight(spec: &HeadSpec, i: usize) -> Result<f64, Error> {
    let enc = Sinusoid::paper(spec.d)?;
    let peak = enc.dot_at_offset(0.0); // d/2
    let sum: f64 = (0..=i)
        .map(|j| {
            let off = i as f64 - j as f64 - spec.delta as f64;
            (spec.sharpness * (enc.dot_at_offset(off) - peak)).exp()
        })
        .sum();
    Ok(1.0 / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: HeadSpec = HeadSpec::CHAPTER;

    #[test]
    fn each_buildable_head_reads_the_intended_key_at_its_length() {
        for scheme in [
            Scheme::Learned,
            Scheme::Sinusoidal,
            Scheme::T5,
            Scheme::Rope,
        ] {
            for delta in [1, 3, 5] {
                let spec = HeadSpec { delta, ..SPEC };
                let w = offset_head(scheme, &spec, spec.built_len).unwrap();
                assert_eq!(
                    hits(w.view(), delta),
                    spec.built_len - delta,
                    "{scheme} Δ={delta}"
                );
                // Learned and T5: margin 10 over at most 15 keys, e^10 / (e^10 + 15) > 0.999.
                // Sinusoidal and RoPE: the neighbouring offsets score Σcos(ω) = 7.49 of d/2 = 8,
                // a margin of only 0.51·10, so the two neighbours take about 2e^−5.1 ≈ 1.2 %.
                let floor = match scheme {
                    Scheme::Sinusoidal | Scheme::Rope => 0.985,
                    _ => 0.999,
                };
                let worst = worst_target_weight(w.view(), delta).unwrap();
                assert!(worst > floor, "{scheme} Δ={delta}: {worst}");
            }
        }
    }

    #[test]
    fn the_learned_head_is_exact_and_stops_at_its_table() {
        let w = offset_head(Scheme::Learned, &SPEC, 16).unwrap();
        // Query 10: key 7 scores 10, the ten others 0.
        let e = 10f64.exp();
        assert!((w[[10, 7]] - e / (e + 10.0)).abs() < 1e-12);
        assert!((w[[10, 3]] - 1.0 / (e + 10.0)).abs() < 1e-12);
        let err = offset_head(Scheme::Learned, &SPEC, 17).unwrap_err();
        assert_eq!(
            err.to_string(),
            "position 16 has no row: the table covers positions 0 to 15"
        );
    }

    #[test]
    fn the_t5_head_is_exact_at_every_length_and_dilutes() {
        for n in [16, 128] {
            let w = offset_head(Scheme::T5, &SPEC, n).unwrap();
            for i in SPEC.delta..n {
                // exp and a sum of up to 128 terms: agreement to 1e-12 relative.
                assert!(
                    (w[[i, i - 3]] - t5_weight(SPEC.sharpness, i)).abs() < 1e-12,
                    "{i}"
                );
            }
            assert_eq!(hits(w.view(), 3), n - 3);
        }
        // Past offset 15 buckets are shared but none is the head's: the key at offset 3 stays
        // the only one lifted. At i = 127 the weight has fallen from e^10/(e^10+3) to e^10/(e^10+127).
        let w = offset_head(Scheme::T5, &SPEC, 128).unwrap();
        assert!(w[[127, 124]] < 0.995 && w[[127, 124]] > 0.99);
    }

    #[test]
    fn sinusoidal_and_rope_heads_are_the_same_head() {
        for n in [16, 64] {
            let a = offset_head(Scheme::Sinusoidal, &SPEC, n).unwrap();
            let b = offset_head(Scheme::Rope, &SPEC, n).unwrap();
            // Same logits c Σ cos((i−j−Δ)ω) computed two ways (a 2×2 rotation per pair against a
            // dot product of sin/cos rows): rounding of sums of 8 terms times 10, far below 1e-9.
            let gap = (&a - &b).iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(gap < 1e-9, "{n}: {gap}");
            for i in SPEC.delta..n {
                assert!((a[[i, i - 3]] - periodic_weight(&SPEC, i).unwrap()).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn the_periodic_head_fades_past_its_length() {
        // The logit depends on the offset alone, so nothing breaks at 16; but keys far back score
        // almost as high as the target (the slow pairs barely turn), and there are more of them.
        let at = |n: usize| {
            let w = offset_head(Scheme::Sinusoidal, &SPEC, n).unwrap();
            worst_target_weight(w.view(), 3).unwrap()
        };
        let (short, long) = (at(16), at(128));
        // Offsets past 16 score at most about 6.4 of 8 (a margin of 16 in the logit), so the
        // weight falls, but only in the seventh digit.
        assert!(
            short > 0.985 && long < short && short - long < 1e-6,
            "{short} {long}"
        );
    }

    #[test]
    fn alibi_and_nope_cannot_pick_an_offset() {
        for n in [16, 128] {
            let w = offset_head(Scheme::Alibi, &SPEC, n).unwrap();
            // Every query's largest weight is on itself: the penalty only grows with distance.
            for i in 0..n {
                let row = w.row(i);
                assert!((0..i).all(|j| row[j] < row[i]), "{i}");
            }
            assert_eq!(hits(w.view(), 3), 0);
            // Neighbouring keys differ by the slope c / n: w_ii / w_i,i−1 = e^(c/n) (1e-12: one
            // softmax of at most 128 terms in f64).
            let ratio = w[[n - 1, n - 1]] / w[[n - 1, n - 2]];
            assert!(
                (ratio.ln() - SPEC.sharpness / n as f64).abs() < 1e-12,
                "{ratio}"
            );
            let u = offset_head(Scheme::NoPe, &SPEC, n).unwrap();
            assert!((u[[n - 1, 0]] - 1.0 / n as f64).abs() < 1e-15);
        }
        assert!(offset_head(Scheme::T5, &HeadSpec { delta: 0, ..SPEC }, 8).is_err());
        assert!(offset_head(Scheme::T5, &SPEC, 0).is_err());
    }
}
