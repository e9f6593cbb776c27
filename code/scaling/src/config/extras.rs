//! What a model does with positions beyond its rotary frequencies, as the reference's modeling
//! code does it (transformers 5.24.0):
//!
//! - M-RoPE (`mrope_section`): Qwen2-VL's `apply_multimodal_rotary_pos_emb` splits the rotated
//!   pairs into consecutive sections for time, height and width; with `mrope_interleaved` (Qwen3-VL,
//!   Qwen3.5: `apply_interleaved_mrope`) pair `j` carries height when `j mod 3 = 1` and `j < 3h`,
//!   width when `j mod 3 = 2` and `j < 3w`, and time otherwise;
//! - a position-dependent query temperature: Ministral 3's `get_llama_4_attn_scale` (`1 + β ln(1 +
//!   ⌊p / L⌋)`, β = `llama_4_scaling_beta`, L = `original_max_position_embeddings`, on every
//!   layer), and Llama 4's `attn_temperature_tuning` (`Llama4TextAttention.forward`: `1 +
//!   attn_scale · ln(1 + ⌊(p + 1) / floor_scale⌋)` on the layers that do not rotate);
//! - multi-head latent attention: the rotated width `qk_rope_head_dim` inside a query-key width of
//!   `qk_nope_head_dim + qk_rope_head_dim`, and the softmax factor `mscale(s, mscale_all_dim)²`
//!   (`DeepseekV3Attention.__init__`, see `crate::logits`).

use errors::key;
use serde_json::Value;

use super::{LayerGroup, LayerRope, Obj};
use crate::Result;

/// The extras of a model, as sentences, and warnings for settings its class does not read.
///
/// # Errors
/// A malformed `mrope_section`, or one whose sections do not add up to the rotated pairs.
pub(super) fn extras(
    cfg: Obj<'_>,
    table: Option<Obj<'_>>,
    nested: bool,
    model_type: &str,
    main: &LayerRope,
    layers: &[LayerGroup],
    warnings: &mut Vec<String>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let flat = table.filter(|_| !nested);
    if let Some(t) = flat
        && let Some(v) = t.get("mrope_section")
    {
        out.push(mrope(t, v, main.base.dim / 2)?);
    }
    if let Some(t) = flat
        && let Some(beta) = t.f64("llama_4_scaling_beta")?
    {
        if model_type == "ministral3" {
            let l = t
                .usize("original_max_position_embeddings")?
                .ok_or_else(|| {
                    t.missing(
                        "original_max_position_embeddings",
                        "Ministral 3's query temperature divides the position by it",
                    )
                })?;
            out.push(format!(
                "query temperature on every layer: 1 + {beta} · ln(1 + ⌊p / {l}⌋), so ×1 up to position {}, ×{} from {l}, ×{} from {}, growing with the logarithm (`llama_4_scaling_beta`)",
                l - 1,
                bookkit::fixed(1.0 + beta * 2f64.ln(), 4),
                bookkit::fixed(1.0 + beta * 3f64.ln(), 4),
                2 * l
            ));
        } else {
            warnings.push(format!(
                "`{}` is read by Ministral 3's attention only, not by model_type {model_type:?}",
                t.path("llama_4_scaling_beta")
            ));
        }
    }
    if model_type == "llama4_text" && layers.iter().any(|g| g.rope.is_none()) {
        // Python's truth value, as `if self.attn_temperature_tuning and not self.use_rope` tests
        // it: Llama 4's published configs write 4.
        let on = cfg
            .get("attn_temperature_tuning")
            .is_some_and(super::truthy);
        let scale = cfg.f64("attn_scale")?.unwrap_or(0.1);
        let floor = cfg.usize("floor_scale")?.unwrap_or(8192);
        if floor == 0 {
            return Err(key(
                "floor_scale",
                0,
                "it divides the position: it must be positive",
            ));
        }
        out.push(if on {
            format!(
                "query temperature on the layers without RoPE: 1 + {scale} · ln(1 + ⌊(p + 1) / {floor}⌋), so ×1 up to position {}, ×{} from {}, ×{} from {}, growing with the logarithm (`attn_temperature_tuning`)",
                floor - 2,
                bookkit::fixed(1.0 + scale * 2f64.ln(), 4),
                floor - 1,
                bookkit::fixed(1.0 + scale * 3f64.ln(), 4),
                2 * floor - 1
            )
        } else {
            "`attn_temperature_tuning` is off: the layers without RoPE see no position at all"
                .to_string()
        });
    }
    if let Some(t) = flat
        && cfg.has("qk_rope_head_dim")
        && t.f64("mscale_all_dim")?.is_some_and(|a| a != 0.0)
        && !crate::logits::SOFTMAX_MSCALE_MODELS.contains(&model_type)
    {
        warnings.push(format!(
            "`{}` is set, but model_type {model_type:?} is not one whose attention transformers 5.24.0 scales by mscale(s, mscale_all_dim)²: no softmax factor applied",
            t.path("mscale_all_dim")
        ));
    }
    if let Some(rope) = cfg.usize("qk_rope_head_dim")? {
        out.push(format!(
            "multi-head latent attention: RoPE turns qk_rope_head_dim = {rope} of the {} query-key dimensions per head; the softmax scale is {} / √{} (factor {} on 1/√d)",
            main.logits.d_head,
            bookkit::fixed(main.logits.softmax_factor, 6),
            main.logits.d_head,
            bookkit::fixed(main.logits.softmax_factor, 6)
        ));
    }
    Ok(out)
}

/// M-RoPE's split of the rotated pairs between time, height and width, as a config gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MropeSplit {
    /// `mrope_section`: how many pairs carry time, height and width.
    pub section: [usize; 3],
    /// `mrope_interleaved`: pairs cycle time, height, width (Qwen3-VL) instead of lying in
    /// consecutive chunks (Qwen2-VL).
    pub interleaved: bool,
}

/// The split a config's scaling table gives (none for a nested per-layer table, as [`extras`]).
///
/// # Errors
/// As [`extras`]: a malformed `mrope_section`, or one that does not add up to `pairs`.
pub(super) fn mrope_split(
    table: Option<Obj<'_>>,
    nested: bool,
    pairs: usize,
) -> Result<Option<MropeSplit>> {
    match table.filter(|_| !nested) {
        Some(t) => match t.get("mrope_section") {
            Some(v) => split(t, v, pairs).map(Some),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

/// Reads and checks `mrope_section` (the value `v` of table `t`) against `pairs`.
fn split(t: Obj<'_>, v: &Value, pairs: usize) -> Result<MropeSplit> {
    let path = t.path("mrope_section");
    let s = v
        .as_array()
        .filter(|a| a.len() == 3)
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_u64().and_then(|n| usize::try_from(n).ok()))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            key(
                path.as_str(),
                v,
                "it must be three whole numbers of pairs: time, height, width",
            )
        })?;
    if s[0] + s[1] + s[2] != pairs {
        return Err(key(
            path.as_str(),
            v,
            format!("the sections must add up to the {pairs} rotated pairs"),
        ));
    }
    Ok(MropeSplit {
        section: [s[0], s[1], s[2]],
        interleaved: t.get("mrope_interleaved") == Some(&Value::Bool(true)),
    })
}

/// M-RoPE's split of the `pairs` rotated pairs between time, height and width, as a sentence.
fn mrope(t: Obj<'_>, v: &Value, pairs: usize) -> Result<String> {
    let MropeSplit {
        section: [a, b, c],
        interleaved,
    } = split(t, v, pairs)?;
    Ok(if interleaved {
        format!(
            "M-RoPE, interleaved (`mrope_interleaved`): of the {pairs} pairs, {b} carry height (j mod 3 = 1, j < {}), {c} width (j mod 3 = 2, j < {}), {a} time (the rest)",
            3 * b,
            3 * c
        )
    } else if pairs == 0 || a == 0 || b == 0 || c == 0 {
        format!(
            "M-RoPE (`mrope_section` [{a}, {b}, {c}]): time, height and width take {a}, {b} and {c} of the {pairs} pairs"
        )
    } else {
        format!(
            "M-RoPE (`mrope_section` [{a}, {b}, {c}]): pairs 0–{} carry time, {}–{} height, {}–{} width",
            a - 1,
            a,
            a + b - 1,
            a + b,
            pairs - 1
        )
    })
}
