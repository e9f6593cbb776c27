//! What the position scheme contributes at one length, and RoPE's frequencies under test-time
//! scaling.

use ndarray::Array2;

use errors::bad;
use relative::t5::bucket;
use scaling::{Base, YarnParams};
use sinusoidal::Sinusoid;

use super::Dims;
use crate::heads::causal_buckets;
use crate::{Error, RopeScaling, Scheme, Variant};

/// What the position scheme contributes at one length: computed once per length and shared by
/// every sequence of that length.
#[derive(Debug, Clone)]
pub struct Positions {
    pub(super) n: usize,
    /// Sinusoids to add to the input, `[n, d_model]`.
    pub(super) add: Option<Array2<f64>>,
    /// ALiBi's bias per head, `[n, n]` each.
    pub(super) alibi: Vec<Array2<f64>>,
    /// T5's bucket per (query, key), row-major `n × n`.
    pub(super) buckets: Vec<usize>,
    /// RoPE's `cos` and `sin` per (position, pair), `[n, head_dim / 2]`, already multiplied by
    /// the attention factor.
    pub(super) rope: Option<(Array2<f64>, Array2<f64>)>,
}

impl Positions {
    /// The scheme's tables for sequences of `n` tokens. RoPE's frequencies come from
    /// `rope::Rope::inv_freq`; past the training length `L`, PI and YaRN use chapter 6's
    /// `scaling::linear` and `scaling::yarn` with factor `n / L` (at or below `L`, none).
    ///
    /// # Errors
    /// Zero `n`, or settings an earlier chapter's code refuses.
    pub fn new(variant: Variant, dims: &Dims, n: usize) -> Result<Positions, Error> {
        if n == 0 || n > 1 << 14 {
            return Err(bad("n", n, "a sequence has 1 to 16384 tokens"));
        }
        let mut p = Positions {
            n,
            add: None,
            alibi: Vec::new(),
            buckets: Vec::new(),
            rope: None,
        };
        match variant.scheme {
            Scheme::Sinusoidal => p.add = Some(Sinusoid::paper(dims.d_model)?.matrix(n)),
            Scheme::Alibi => {
                p.alibi = relative::alibi::slopes(dims.heads)?
                    .into_iter()
                    .map(|m| relative::alibi::bias(m, n))
                    .collect();
            }
            Scheme::T5 => {
                let cfg = causal_buckets();
                p.buckets = (0..n * n)
                    .map(|ij| bucket((ij % n) as i64 - (ij / n) as i64, cfg))
                    .collect();
            }
            Scheme::Rope => {
                let (inv_freq, factor) = rope_frequencies(variant.scaling, dims, n)?;
                let half = inv_freq.len();
                let angle = |t: usize, j: usize| t as f64 * inv_freq[j];
                let cos = Array2::from_shape_fn((n, half), |(t, j)| factor * angle(t, j).cos());
                let sin = Array2::from_shape_fn((n, half), |(t, j)| factor * angle(t, j).sin());
                p.rope = Some((cos, sin));
            }
            Scheme::NoPe | Scheme::Learned => {}
        }
        Ok(p)
    }

    /// The length these tables are for.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the tables are for an empty sequence (never: [`Positions::new`] refuses `n = 0`).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// RoPE's inverse frequencies and cos/sin factor at length `n`, with the test-time scaling.
///
/// # Errors
/// Settings chapter 6's code refuses.
///
/// ```
/// use trained::{RopeScaling, model::{Dims, rope_frequencies}};
/// let dims = Dims { vocab: 8, d_model: 16, heads: 2, layers: 1, train_len: 16, rope_base: 10000.0 };
/// let (plain, _) = rope_frequencies(RopeScaling::None, &dims, 64)?;
/// let (pi, f) = rope_frequencies(RopeScaling::Pi, &dims, 64)?;
/// assert_eq!((plain[0], pi[0], f), (1.0, 0.25, 1.0)); // 64 tokens, trained on 16: factor 4
/// # Ok::<(), trained::Error>(())
/// ```
pub fn rope_frequencies(
    scaling: RopeScaling,
    dims: &Dims,
    n: usize,
) -> Result<(Vec<f64>, f64), Error> {
    let rope = rope::Rope::new(dims.head_dim(), dims.rope_base, rope::Layout::Interleaved)?;
    let plain = rope.inv_freq().to_vec();
    if n <= dims.train_len || scaling == RopeScaling::None {
        return Ok((plain, 1.0));
    }
    let base = Base::new(dims.head_dim(), dims.rope_base, dims.train_len)?;
    let factor = n as f64 / dims.train_len as f64;
    let scaled = match scaling {
        RopeScaling::Pi => scaling::linear(&base, factor)?,
        _ => scaling::yarn(&base, &YarnParams::with_factor(factor))?,
    };
    Ok((scaled.inv_freq, scaled.attention_factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yarn_keeps_the_fast_pair_and_interpolates_the_slow_ones() {
        // Head width 8, base 10000, L = 16: θ = 1, 0.1, 0.01, 0.001. Only θ_0 turns more than
        // once in 16 tokens (16 / 2π ≈ 2.5 turns), so YaRN's correction range is pairs 0 to 1:
        // pair 0 kept, the rest divided by s = 4; the cos/sin factor is 0.1 ln 4 + 1.
        let dims = crate::experiment::DIMS;
        let (f, factor) = rope_frequencies(RopeScaling::Yarn, &dims, 64).unwrap();
        let plain = rope::Rope::new(8, 10_000.0, rope::Layout::Interleaved)
            .unwrap()
            .inv_freq();
        assert_eq!(f[0], plain[0]);
        for j in 1..4 {
            assert!((f[j] - plain[j] / 4.0).abs() < 1e-15, "{j}");
        }
        assert!((factor - (0.1 * 4f64.ln() + 1.0)).abs() < 1e-12);
        // At or below L nothing changes, whatever the scaling.
        for s in [RopeScaling::Pi, RopeScaling::Yarn] {
            assert_eq!(
                rope_frequencies(s, &dims, 16).unwrap(),
                (plain.to_vec(), 1.0)
            );
        }
        // The paper's ramp (linear in the number of turns, chapter 6's `yarn_paper`) would not
        // keep pair 0: it turns 16/2π ≈ 2.55 times in L, so γ = (2.55 − 1)/(32 − 1) ≈ 0.05 and
        // θ'_0 = 0.95 θ_0/4 + 0.05 θ_0 ≈ 0.287, close to PI's 0.25. The chapter's YaRN result
        // rests on the reference code's ramp, which is linear in the pair index.
        let base = Base::new(8, 10_000.0, 16).unwrap();
        let paper = scaling::yarn_paper(&base, 4.0, 16, 32.0, 1.0).unwrap();
        assert!(
            (paper.inv_freq[0] - 0.287).abs() < 0.002,
            "{}",
            paper.inv_freq[0]
        );
        let (pi, one) = rope_frequencies(RopeScaling::Pi, &dims, 32).unwrap();
        assert_eq!((pi[1], one), (plain[1] / 2.0, 1.0));
    }
}
