//! One kind of layer's unscaled setup and scheme, by the reference's precedence: the base, the
//! rotated width (head widths, partial rotary), the context length, the scaling table's scheme
//! and the softmax scale; with what the reference's validators warn about.

use errors::key;
use serde_json::Value;

use super::schemes::{in_table, kind, scheme};
use super::{LayerRope, ORIGINAL, Obj};
use crate::{Base, LogitScale, Result, Scheme};

/// One kind of layer's rotary setup: the base from `theta` when the kind has its own (Gemma 3's
/// sliding layers), else by the reference's precedence with the class's default last; the
/// scheme from the table `t`.
pub(super) fn reading(
    top: Obj<'_>,
    table: Option<Obj<'_>>,
    theta: Option<f64>,
    (theta_default, theta_from): (f64, &str),
    model_type: &str,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<LayerRope> {
    // ANCHOR: precedence
    // `rope_theta`: the table's wins (`setdefault`), else the top level's, else the config
    // class's `default_theta` (10000 unless the class sets another). A null is kept as null by
    // the reference and fails there, so it is refused here.
    let theta = match theta {
        Some(t) => t,
        None => match table_then_top(table, top, "rope_theta")? {
            Some(t) => t,
            None => {
                notes.push(format!(
                    "no `rope_theta`: using {theta_default} ({theta_from})"
                ));
                theta_default
            }
        },
    };
    // The rotated width: `qk_rope_head_dim` for multi-head latent attention, else `head_dim`
    // (else hidden_size / num_attention_heads), times `partial_rotary_factor` (the table's, else
    // the top level's unless null, else 1).
    let head = head_dims(top)?;
    let partial = table_then_top(table, top, "partial_rotary_factor")?.unwrap_or(1.0);
    let dim = rotary_dim(head.rotary, partial)?;
    // ANCHOR_END: precedence
    let max_pos = top.require(
        top.usize("max_position_embeddings")?,
        "max_position_embeddings",
        "the context length the config declares",
    )?;
    let base = Base::new(dim, theta, max_pos)?;
    let Some(t) = table else {
        return Ok(LayerRope {
            base,
            scheme: Scheme::Default,
            logits: gemma_scale(top, model_type, LogitScale::plain(head.softmax))?,
        });
    };
    // ANCHOR: scheme
    let (kind, which) = kind(t, model_type, notes)?;
    // The pretraining length, for the schemes that read it: a top-level key wins over the table's
    // (the reference assigns it), and a null in either place is refused (the reference keeps it).
    let original = match kind {
        "yarn" | "llama3" | "longrope" => original(top, t)?,
        _ => None,
    };
    let chosen = scheme(t, (kind, which), original, max_pos)?;
    // Compute once so that bad parameters are reported now, naming their keys: with the table's
    // name when the value came from the table (and the top level does not override it).
    let from_table = |k: &str| t.has(k) && !top.has(k);
    crate::compute(&base, &chosen, max_pos).map_err(|e| in_table(e, t, from_table))?;
    // ANCHOR_END: scheme
    warnings.extend(reference_warnings(t, &chosen, max_pos));
    let logits = gemma_scale(
        top,
        model_type,
        LogitScale::for_model(model_type, t, kind, head.softmax)?,
    )?;
    Ok(LayerRope {
        base,
        scheme: chosen,
        logits,
    })
}

/// Gemma 2 and 3 divide the logits by √`query_pre_attn_scalar` (default 256), not by √`head_dim`
/// (`Gemma3Attention.__init__` and `Gemma2Attention.__init__`: `self.scaling =
/// config.query_pre_attn_scalar**-0.5`): the factor on 1/√`head_dim` is √(`head_dim` /
/// `query_pre_attn_scalar`).
fn gemma_scale(top: Obj<'_>, model_type: &str, plain: LogitScale) -> Result<LogitScale> {
    if !matches!(model_type, "gemma2" | "gemma3_text") {
        return Ok(plain);
    }
    let q = top.f64("query_pre_attn_scalar")?.unwrap_or(256.0);
    if !(q.is_finite() && q > 0.0) {
        return Err(key(
            top.path("query_pre_attn_scalar"),
            q,
            "the logits are divided by its square root: it must be positive and finite",
        ));
    }
    Ok(LogitScale {
        softmax_factor: plain.softmax_factor * (plain.d_head as f64 / q).sqrt(),
        ..plain
    })
}

/// What `RotaryEmbeddingConfigMixin`'s validators in transformers 5.24.0 warn about and then
/// compute anyway: a factor below 1 (`_validate_linear_rope_parameters` and the others),
/// `beta_fast < beta_slow` after the defaults (`_validate_yarn_rope_parameters`),
/// `high_freq_factor <= low_freq_factor` and a pretraining length not below
/// `max_position_embeddings` (`_validate_llama3_rope_parameters`).
fn reference_warnings(t: Obj<'_>, s: &Scheme, max_pos: usize) -> Vec<String> {
    let mut w = Vec::new();
    let factor = match s {
        Scheme::Linear { factor } | Scheme::Ntk { factor } | Scheme::Dynamic { factor } => {
            Some(*factor)
        }
        Scheme::Yarn(p) => p.factor,
        Scheme::Llama3 { factor, .. } => Some(*factor),
        Scheme::LongRope { factor, .. } => *factor,
        Scheme::Default => None,
    };
    if let Some(f) = factor.filter(|f| *f < 1.0) {
        w.push(format!(
            "`{}` = {f}: transformers warns that a factor must be at least 1 (it shrinks the wavelengths)",
            t.path("factor")
        ));
    }
    match s {
        Scheme::Ntk { .. } => w.push(format!(
            "`{}` = \"ntk\" is this book's name for static NTK scaling: transformers 5.24.0 has no such scheme and would fail on it",
            t.path("rope_type")
        )),
        Scheme::Yarn(p) => {
            let fast = p.beta_fast.filter(|b| *b != 0.0).unwrap_or(32.0);
            let slow = p.beta_slow.filter(|b| *b != 0.0).unwrap_or(1.0);
            if fast < slow {
                w.push(format!(
                    "`{}` = {fast} is below beta_slow = {slow}: transformers warns and computes the ramp anyway (it runs backwards)",
                    t.path("beta_fast")
                ));
            }
        }
        Scheme::Llama3 {
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
            ..
        } => {
            if high_freq_factor <= low_freq_factor {
                w.push(format!(
                    "`{}` = {high_freq_factor} is not above low_freq_factor = {low_freq_factor}: transformers warns; no wavelength is smoothed, each is kept or divided",
                    t.path("high_freq_factor")
                ));
            }
            if *original_max_position_embeddings >= max_pos {
                w.push(format!(
                    "`{}` = {original_max_position_embeddings} is not below max_position_embeddings = {max_pos}: transformers warns",
                    t.path(ORIGINAL)
                ));
            }
        }
        _ => {}
    }
    w
}

/// The number `k` from the scaling table when the table has the key, else from the top level
/// (`setdefault`: the table's entry wins even when it is null). A null in the table is refused,
/// and so is a null at the top level when the reference would copy it in (only `rope_theta`:
/// `partial_rotary_factor` is copied only when it is not null).
fn table_then_top(table: Option<Obj<'_>>, top: Obj<'_>, k: &str) -> Result<Option<f64>> {
    let null = |o: Obj<'_>| {
        key(
            o.path(k),
            "null",
            "transformers keeps a null here and then fails on it; give a number or leave the key out",
        )
    };
    if let Some(t) = table
        && t.has(k)
    {
        return t.f64(k)?.map(Some).ok_or_else(|| null(t));
    }
    match top.get(k) {
        Some(Value::Null) if k == "rope_theta" => Err(null(top)),
        _ => top.f64(k),
    }
}

/// `original_max_position_embeddings`: the top level's when the key is there (transformers
/// 5.24.0's `standardize_rope_params` assigns it over the table's, as Phi-3 needs), else the
/// table's; a null in the place that is read is refused.
fn original(top: Obj<'_>, t: Obj<'_>) -> Result<Option<usize>> {
    let from = if top.has(ORIGINAL) { top } else { t };
    match from.get(ORIGINAL) {
        Some(Value::Null) => Err(key(
            from.path(ORIGINAL),
            "null",
            "transformers uses a null pretraining length as it is and fails; give a length or leave the key out",
        )),
        _ => from.usize(ORIGINAL),
    }
}

/// The head widths that matter: how many dimensions RoPE may rotate, and the width whose square
/// root divides the logits.
struct HeadDims {
    /// `qk_rope_head_dim` (multi-head latent attention) or `head_dim`.
    rotary: usize,
    /// `qk_nope_head_dim + qk_rope_head_dim` (multi-head latent attention) or `head_dim`.
    softmax: usize,
}

/// The head widths: with `qk_rope_head_dim` (DeepSeek's multi-head latent attention) the rotated
/// part is `qk_rope_head_dim` and the softmax divides by √(`qk_nope_head_dim` +
/// `qk_rope_head_dim`), as transformers 5.24.0's `DeepseekV3Config.__post_init__` (`head_dim =
/// qk_rope_head_dim`) and `DeepseekV3Attention` (`qk_head_dim ** -0.5`) set them; else both are
/// `head_dim`.
fn head_dims(top: Obj<'_>) -> Result<HeadDims> {
    if let Some(rope) = top.usize("qk_rope_head_dim")? {
        let nope = top.require(
            top.usize("qk_nope_head_dim")?,
            "qk_nope_head_dim",
            "with `qk_rope_head_dim`, the softmax divides by √(qk_nope_head_dim + qk_rope_head_dim)",
        )?;
        let softmax = nope.checked_add(rope).ok_or_else(|| {
            key(
                "qk_nope_head_dim + qk_rope_head_dim",
                format!("{nope} + {rope}"),
                "the sum must fit in the machine's integers",
            )
        })?;
        return Ok(HeadDims {
            rotary: rope,
            softmax,
        });
    }
    let d = head_dim(top)?;
    Ok(HeadDims {
        rotary: d,
        softmax: d,
    })
}

/// `head_dim`, else `hidden_size / num_attention_heads`.
pub(super) fn head_dim(top: Obj<'_>) -> Result<usize> {
    if let Some(d) = top.usize("head_dim")? {
        return Ok(d);
    }
    let why = "without `head_dim`, the head width is hidden_size / num_attention_heads";
    let hidden = top.require(top.usize("hidden_size")?, "hidden_size", why)?;
    let heads = top.require(
        top.usize("num_attention_heads")?,
        "num_attention_heads",
        why,
    )?;
    if heads == 0 {
        return Err(key("num_attention_heads", 0, "it must be positive"));
    }
    Ok(hidden / heads)
}

/// `head_dim × partial_rotary_factor`, refused unless even and at least 2.
pub(super) fn rotary_dim(head_dim: usize, partial: f64) -> Result<usize> {
    if !(partial > 0.0 && partial <= 1.0) {
        return Err(key(
            "partial_rotary_factor",
            partial,
            "it must lie in (0, 1]",
        ));
    }
    let dim = (head_dim as f64 * partial) as usize;
    if dim < 2 || !dim.is_multiple_of(2) {
        return Err(key(
            "head_dim × partial_rotary_factor",
            format!("{head_dim} × {partial} = {dim}"),
            "the rotated width must be even and at least 2",
        ));
    }
    Ok(dim)
}
