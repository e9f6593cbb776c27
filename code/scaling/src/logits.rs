//! The scale of the attention logits. A scheme can touch it in two places: the factor the
//! reference multiplies `cos` and `sin` by (which scales only the rotated part of `q` and `k`, so
//! that part of the logit by its square), and the softmax scale itself, which DeepSeek's
//! attention code multiplies by `mscale(s, mscale_all_dim)²` on top of `1/√d_head`.
//!
//! Sources, as read: Hugging Face transformers 5.24.0,
//! `src/transformers/models/deepseek_v3/modeling_deepseek_v3.py`, `yarn_apply_mscale` called in
//! `DeepseekV3Attention.__init__` (`self.scaling = yarn_apply_mscale(config.rope_parameters,
//! self.qk_head_dim ** (-0.5))`; `deepseek_v2/modeling_deepseek_v2.py` has the same), and
//! DeepSeek's own `inference/model.py` in deepseek-ai/DeepSeek-V3 at commit `9b4e978` (2025-08-27),
//! `MLA.__init__`, which multiplies `softmax_scale = qk_head_dim ** -0.5` by `mscale²` with
//! `mscale = 0.1 · args.mscale · ln(rope_factor) + 1` whenever `max_seq_len > original_seq_len`,
//! and never scales `cos`/`sin` (`precompute_freqs_cis` builds unit complex numbers).

use errors::key;

use crate::Result;
use crate::config::keys::Obj;
use crate::get_mscale;

/// The model types whose attention code (transformers 5.24.0) multiplies the softmax scale by
/// `mscale(factor, mscale_all_dim)²`: every model whose `modeling_*.py` calls `yarn_apply_mscale`
/// in its attention's `__init__` (`DeepseekV2Attention`, `DeepseekV3Attention` and the others,
/// found with `grep -l "yarn_apply_mscale(" models/*/modeling_*.py` in the wheel).
pub const SOFTMAX_MSCALE_MODELS: [&str; 15] = [
    "axk1",
    "axk2",
    "bailing_hybrid",
    "deepseek_v2",
    "deepseek_v3",
    "deepseek_v32",
    "glm4_moe_lite",
    "glm_moe_dsa",
    "hy_v4",
    "hy_v4_vl_text",
    "longcat_flash",
    "minicpm3",
    "mistral4",
    "mistral_large4_text",
    "youtu",
];

/// The softmax scale of a model's attention logits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogitScale {
    /// The width whose square root divides the logits: `head_dim`, or `qk_nope_head_dim +
    /// qk_rope_head_dim` with multi-head latent attention.
    pub d_head: usize,
    /// The factor on top of `1/√d_head` (1 for most models; `mscale(s, mscale_all_dim)²` for
    /// DeepSeek's YaRN).
    pub softmax_factor: f64,
}

impl LogitScale {
    /// The plain `1/√d_head`.
    pub fn plain(d_head: usize) -> Self {
        LogitScale {
            d_head,
            softmax_factor: 1.0,
        }
    }

    /// The softmax scale itself, `softmax_factor / √d_head`.
    ///
    /// ```
    /// let s = scaling::LogitScale { d_head: 64, softmax_factor: 2.0 };
    /// assert_eq!(s.softmax_scale(), 0.25);
    /// ```
    pub fn softmax_scale(&self) -> f64 {
        self.softmax_factor / (self.d_head as f64).sqrt()
    }

    /// The factor on the rotated part of each logit relative to `1/√d_head`: the softmax factor
    /// times the square of the cos/sin factor `attention_factor` (both `q` and `k` carry it).
    ///
    /// ```
    /// let s = scaling::LogitScale { d_head: 64, softmax_factor: 2.0 };
    /// assert_eq!(s.rotary_part(1.5), 4.5);
    /// ```
    pub fn rotary_part(&self, attention_factor: f64) -> f64 {
        self.softmax_factor * attention_factor * attention_factor
    }

    /// The scale for a model, from its top level and scaling table: `yarn_apply_mscale` of the
    /// model types in [`SOFTMAX_MSCALE_MODELS`] (for any scheme but `default`, when
    /// `mscale_all_dim` is given and not 0), else plain.
    pub(crate) fn for_model(
        model_type: &str,
        t: Obj<'_>,
        kind: &str,
        d_head: usize,
    ) -> Result<Self> {
        if !SOFTMAX_MSCALE_MODELS.contains(&model_type) || kind == "default" {
            return Ok(LogitScale::plain(d_head));
        }
        let all = t.f64("mscale_all_dim")?.unwrap_or(0.0);
        if all == 0.0 {
            return Ok(LogitScale::plain(d_head));
        }
        let factor = t.require(
            t.f64("factor")?,
            "factor",
            "DeepSeek's attention scales the softmax by mscale(factor, mscale_all_dim)²",
        )?;
        let m = get_mscale(factor, all);
        if !(m.is_finite() && m > 0.0) {
            return Err(key(
                t.path("mscale_all_dim"),
                all,
                "mscale(factor, mscale_all_dim) must be positive and finite",
            ));
        }
        Ok(LogitScale {
            d_head,
            softmax_factor: m * m,
        })
    }
}
