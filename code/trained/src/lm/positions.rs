//! What the position scheme contributes at one sequence length, computed once per length from
//! the earlier chapters' crates and shared by every sequence of that length.

use std::fmt;

use errors::bad;
use ndarray::Array2;
use relative::t5::bucket;
use scaling::{Base, YarnParams};
use sinusoidal::Sinusoid;

use super::config::{Config, Real};
use crate::heads::causal_buckets;
use crate::{Result, Scheme};

/// What a RoPE model does with its frequencies when it reads a window longer than `L` (chapter
/// 6's schemes, at test time). PI, NTK-aware and YaRN take the factor `s = n / L` of the window
/// being read; dynamic NTK takes a fixed factor [`DYNAMIC_FACTOR`] and grows its base with the
/// window's length as Hugging Face's dynamic scaling does (`scaling::ntk::dynamic`). At or below
/// `L` nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestScaling {
    /// The trained frequencies as they are.
    None,
    /// Position interpolation, `scaling::linear`.
    Pi,
    /// NTK-aware base change, `scaling::ntk::ntk`.
    Ntk,
    /// Dynamic NTK, `scaling::ntk::dynamic`.
    DynamicNtk,
    /// YaRN with its default `β` values, `scaling::yarn`.
    Yarn,
}

/// The configured factor of dynamic NTK (the base then depends on `s · n / L − (s − 1)`).
pub const DYNAMIC_FACTOR: f64 = 2.0;

impl TestScaling {
    /// Every test-time change, plain first.
    pub const ALL: [TestScaling; 5] = [
        TestScaling::None,
        TestScaling::Pi,
        TestScaling::Ntk,
        TestScaling::DynamicNtk,
        TestScaling::Yarn,
    ];

    /// The suffix tables use (empty for `None`).
    pub fn suffix(self) -> &'static str {
        match self {
            TestScaling::None => "",
            TestScaling::Pi => " + PI",
            TestScaling::Ntk => " + NTK",
            TestScaling::DynamicNtk => " + dynamic NTK",
            TestScaling::Yarn => " + YaRN",
        }
    }
}

impl fmt::Display for TestScaling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix().trim_start_matches(" + "))
    }
}

/// RoPE's inverse frequencies and cos/sin factor for a window of `n` tokens.
///
/// # Errors
/// Settings chapter 5's or chapter 6's code refuses.
///
/// ```
/// use trained::{Scheme, lm::{Config, TestScaling, rope_frequencies}};
/// let cfg = Config { scheme: Scheme::Rope, vocab: 8, d_model: 16, heads: 2, layers: 1,
///                    ff: 8, train_len: 16, rope_base: 10_000.0 };
/// let (plain, _) = rope_frequencies(&cfg, TestScaling::None, 64)?;
/// let (pi, f) = rope_frequencies(&cfg, TestScaling::Pi, 64)?;
/// assert_eq!((plain[0], pi[0], f), (1.0, 0.25, 1.0)); // 64 tokens, trained on 16: s = 4
/// let (ntk, _) = rope_frequencies(&cfg, TestScaling::Ntk, 64)?;
/// assert_eq!(ntk[0], 1.0); // NTK keeps the fastest pair
/// assert_eq!(rope_frequencies(&cfg, TestScaling::Yarn, 16)?, (plain, 1.0)); // at L: no change
/// # Ok::<(), trained::Error>(())
/// ```
pub fn rope_frequencies(cfg: &Config, scaling: TestScaling, n: usize) -> Result<(Vec<f64>, f64)> {
    if n <= cfg.train_len {
        return rope_frequencies_at(cfg, TestScaling::None, 1.0, n);
    }
    rope_frequencies_at(cfg, scaling, n as f64 / cfg.train_len as f64, n)
}

/// RoPE's inverse frequencies and cos/sin factor under `scaling` with the factor `s` fixed,
/// whatever the window's length `n` (which only dynamic NTK reads): the frequencies a model
/// extended to `s · L` and fine-tuned there reads every window with, as position interpolation
/// (Chen et al., 2023, arXiv:2306.15595) and YaRN (Peng et al., 2023, arXiv:2309.00071) are
/// fine-tuned and then evaluated with one factor. [`rope_frequencies`] is this with `s = n / L`
/// past `L`.
///
/// # Errors
/// Settings chapter 5's or chapter 6's code refuses (a factor that is not a positive finite number).
///
/// ```
/// use trained::{Scheme, lm::{Config, TestScaling, positions::rope_frequencies_at}};
/// let cfg = Config { scheme: Scheme::Rope, vocab: 8, d_model: 16, heads: 2, layers: 1,
///                    ff: 8, train_len: 16, rope_base: 10_000.0 };
/// let (pi, _) = rope_frequencies_at(&cfg, TestScaling::Pi, 4.0, 16)?; // a window of L tokens
/// assert_eq!(pi[0], 0.25);
/// assert!(rope_frequencies_at(&cfg, TestScaling::Pi, 0.0, 16).is_err()); // chapter 6 refuses it
/// # Ok::<(), trained::Error>(())
/// ```
pub fn rope_frequencies_at(
    cfg: &Config,
    scaling: TestScaling,
    s: f64,
    n: usize,
) -> Result<(Vec<f64>, f64)> {
    let dh = cfg.head_dim();
    let plain = rope::Rope::new(dh, cfg.rope_base, rope::Layout::Interleaved)?
        .inv_freq()
        .to_vec();
    if scaling == TestScaling::None {
        return Ok((plain, 1.0));
    }
    let base = Base::new(dh, cfg.rope_base, cfg.train_len)?;
    let scaled = match scaling {
        TestScaling::Pi => scaling::linear(&base, s)?,
        TestScaling::Ntk => scaling::ntk::ntk(&base, s)?,
        TestScaling::DynamicNtk => scaling::ntk::dynamic(&base, DYNAMIC_FACTOR, n)?,
        TestScaling::Yarn | TestScaling::None => scaling::yarn(&base, &YarnParams::with_factor(s))?,
    };
    Ok((scaled.inv_freq, scaled.attention_factor))
}

/// The scheme's tables for windows of `n` tokens.
#[derive(Debug, Clone)]
pub struct Tables<F = f32> {
    pub(crate) n: usize,
    /// Sinusoids to add to the input, `[n, d_model]` (chapter 2's `Sinusoid::paper`).
    pub(crate) add: Option<Array2<F>>,
    /// ALiBi's slope per head (chapter 4's `relative::alibi::slopes`).
    pub(crate) slopes: Vec<F>,
    /// T5's bucket for each offset `i − j` from 0 to `n − 1` (chapter 4's `relative::t5::bucket`).
    pub(crate) buckets: Vec<usize>,
    /// RoPE's `cos` and `sin` per (position, pair), `[n, head_dim / 2]`, times the attention
    /// factor.
    pub(crate) rope: Option<(Array2<F>, Array2<F>)>,
}

impl<F: Real> Tables<F> {
    /// The tables of `cfg`'s scheme for windows of `n` tokens, with a test-time RoPE change.
    ///
    /// # Errors
    /// `n` below 1 or above 16384; for a learned table, `n` above the training length (the table
    /// has no row past `L − 1`); settings an earlier chapter's code refuses.
    ///
    /// ```
    /// use trained::{Scheme, lm::{Config, TestScaling, Tables}};
    /// let cfg = Config { scheme: Scheme::Learned, vocab: 8, d_model: 16, heads: 2, layers: 1,
    ///                    ff: 8, train_len: 16, rope_base: 10_000.0 };
    /// assert!(Tables::<f32>::new(&cfg, TestScaling::None, 16).is_ok());
    /// let e = Tables::<f32>::new(&cfg, TestScaling::None, 17).unwrap_err();
    /// assert!(e.to_string().contains("17"), "{e}");
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn new(cfg: &Config, scaling: TestScaling, n: usize) -> Result<Tables<F>> {
        Tables::build(cfg, n, || rope_frequencies(cfg, scaling, n))
    }

    /// The tables of `cfg`'s scheme for windows of `n` tokens with RoPE's frequencies changed by
    /// `scaling` at the fixed factor `s` ([`rope_frequencies_at`]): how a model extended to
    /// `s · L` reads every window, shorter ones included.
    ///
    /// # Errors
    /// As [`Tables::new`], and a factor chapter 6's code refuses.
    pub fn extended(cfg: &Config, scaling: TestScaling, s: f64, n: usize) -> Result<Tables<F>> {
        Tables::build(cfg, n, || rope_frequencies_at(cfg, scaling, s, n))
    }

    fn build(
        cfg: &Config,
        n: usize,
        freqs: impl FnOnce() -> Result<(Vec<f64>, f64)>,
    ) -> Result<Tables<F>> {
        if n == 0 || n > 1 << 14 {
            return Err(bad("window length", n, "a window has 1 to 16384 tokens"));
        }
        if cfg.scheme == Scheme::Learned && n > cfg.train_len {
            return Err(bad(
                "window length",
                n,
                format!(
                    "a learned table has rows for positions 0 to {} only: it cannot read past L = {}",
                    cfg.train_len - 1,
                    cfg.train_len
                ),
            ));
        }
        let mut t = Tables {
            n,
            add: None,
            slopes: Vec::new(),
            buckets: Vec::new(),
            rope: None,
        };
        match cfg.scheme {
            Scheme::Sinusoidal => {
                t.add = Some(Sinusoid::paper(cfg.d_model)?.matrix(n).mapv(F::of));
            }
            Scheme::Alibi => {
                t.slopes = relative::alibi::slopes(cfg.heads)?
                    .into_iter()
                    .map(F::of)
                    .collect();
            }
            Scheme::T5 => {
                let b = causal_buckets();
                t.buckets = (0..n).map(|delta| bucket(-(delta as i64), b)).collect();
            }
            Scheme::Rope => {
                let (inv_freq, factor) = freqs()?;
                let half = inv_freq.len();
                let angle = |p: usize, j: usize| p as f64 * inv_freq[j];
                let cos =
                    Array2::from_shape_fn((n, half), |(p, j)| F::of(factor * angle(p, j).cos()));
                let sin =
                    Array2::from_shape_fn((n, half), |(p, j)| F::of(factor * angle(p, j).sin()));
                t.rope = Some((cos, sin));
            }
            Scheme::NoPe | Scheme::Learned => {}
        }
        Ok(t)
    }

    /// The window length these tables are for.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Never true: [`Tables::new`] refuses `n = 0`.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}
