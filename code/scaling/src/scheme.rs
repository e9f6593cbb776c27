//! A scheme with its parameters, as a config names it, and [`compute`], which hands it to the
//! function of that scheme.

use crate::{Base, Result, Scaled, YarnParams};

/// A scaling scheme with its parameters, as `rope_parameters` / `rope_scaling` give them.
#[derive(Debug, Clone, PartialEq)]
pub enum Scheme {
    /// No scaling (`rope_type: "default"`).
    Default,
    /// Position interpolation (Chen et al., 2023, arXiv:2306.15595): every `θ_j / factor`.
    Linear {
        /// The interpolation factor `s`.
        factor: f64,
    },
    /// NTK-aware scaling (bloc97, 2023): a larger base, `theta · s^(dim/(dim−2))`. No release of
    /// transformers checked (4.46.3, 4.53.0, 4.57.6, 5.0.0, 5.24.0) has this static form in
    /// `ROPE_INIT_FUNCTIONS`, only the dynamic one; `rope_type: "ntk"` is this crate's name for it.
    Ntk {
        /// `s`.
        factor: f64,
    },
    /// Dynamic NTK (emozilla, 2023): the NTK base recomputed from the current length, measured
    /// against `max_position_embeddings`, as `_compute_dynamic_ntk_parameters` does in
    /// transformers 5.24.0 even when `original_max_position_embeddings` is given (through 4.57.6
    /// a `TODO (joao): use the new original_max_position_embeddings from rope_scaling` at the top
    /// of that function said so; 5.0.0 dropped the comment, not the behaviour).
    Dynamic {
        /// `s`.
        factor: f64,
    },
    /// YaRN (Peng et al., 2023, arXiv:2309.00071).
    Yarn(YarnParams),
    /// Llama 3's frequency-dependent scaling.
    Llama3 {
        /// `s` (8 in Llama 3.1).
        factor: f64,
        /// Wavelengths above `L / low_freq_factor` are divided by `s` (1 in Llama 3.1).
        low_freq_factor: f64,
        /// Wavelengths below `L / high_freq_factor` are kept (4 in Llama 3.1).
        high_freq_factor: f64,
        /// `L`, the pretraining length (8192 in Llama 3.1).
        original_max_position_embeddings: usize,
    },
    /// LongRoPE (Ding et al., 2024, arXiv:2402.13753), as in Phi-3: a searched factor per frequency.
    LongRope {
        /// Per-frequency factors for sequences within the pretraining length.
        short_factor: Vec<f64>,
        /// Per-frequency factors for longer sequences.
        long_factor: Vec<f64>,
        /// `s`; when absent, `max_position_embeddings / original_max_position_embeddings`.
        factor: Option<f64>,
        /// The pretraining length.
        original_max_position_embeddings: Option<usize>,
        /// An explicit attention factor, overriding `sqrt(1 + ln s / ln L)`.
        attention_factor: Option<f64>,
    },
}

impl Scheme {
    /// The `rope_type` string.
    pub fn name(&self) -> &'static str {
        match self {
            Scheme::Default => "default",
            Scheme::Linear { .. } => "linear",
            Scheme::Ntk { .. } => "ntk",
            Scheme::Dynamic { .. } => "dynamic",
            Scheme::Yarn(_) => "yarn",
            Scheme::Llama3 { .. } => "llama3",
            Scheme::LongRope { .. } => "longrope",
        }
    }
}

/// Computes any scheme for a sequence of `seq_len` tokens (which only dynamic NTK and LongRoPE
/// look at).
///
/// # Errors
/// Parameters that break the scheme's rules, each naming its key.
///
/// ```
/// use scaling::{Base, Scheme, compute};
/// let base = Base::new(128, 10000.0, 4096)?;
/// let pi = compute(&base, &Scheme::Linear { factor: 4.0 }, 16384)?;
/// assert_eq!(pi.inv_freq[0], 0.25);
/// let e = compute(&base, &Scheme::Linear { factor: 0.0 }, 16384).unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     "`factor` = 0 is not allowed: a scaling factor must be a positive finite number"
/// );
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn compute(base: &Base, scheme: &Scheme, seq_len: usize) -> Result<Scaled> {
    match scheme {
        Scheme::Default => Ok(Scaled {
            inv_freq: base.inv_freq(),
            attention_factor: 1.0,
        }),
        Scheme::Linear { factor } => crate::linear(base, *factor),
        Scheme::Ntk { factor } => crate::ntk(base, *factor),
        Scheme::Dynamic { factor } => crate::dynamic(base, *factor, seq_len),
        Scheme::Yarn(p) => crate::yarn(base, p),
        Scheme::Llama3 {
            factor,
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
        } => crate::llama3(
            base,
            *factor,
            *low_freq_factor,
            *high_freq_factor,
            *original_max_position_embeddings,
        ),
        Scheme::LongRope {
            short_factor,
            long_factor,
            factor,
            original_max_position_embeddings,
            attention_factor,
        } => crate::longrope(
            base,
            short_factor,
            long_factor,
            *factor,
            *original_max_position_embeddings,
            *attention_factor,
            seq_len,
        ),
    }
}
