//! The scaling table's scheme: its name in either spelling (with Phi-3's and Qwen2-VL's
//! relabelling) and its parameters, each read by the scheme's own rules.

use errors::{Error, key};
use serde_json::Value;

use super::Obj;
use crate::{Result, Scheme, YarnParams};

// ANCHOR: kind
/// The scheme's name and the key that gave it: `rope_type`, else the older `type`; a table with
/// neither is the default (unscaled) setup, as in the reference. transformers 5.24.0's
/// `Phi3Config.__post_init__` relabels a Phi-3 table typed `su` or `yarn` as `longrope`; so does
/// the reader for `model_type: "phi3"`, and, for a config that names no `model_type`, for `su` or
/// a `yarn` table with LongRoPE's two factor lists. Any other model's `yarn` is YaRN.
pub(super) fn kind<'a>(
    t: Obj<'a>,
    model_type: &str,
    notes: &mut Vec<String>,
) -> Result<(&'a str, &'static str)> {
    let (kind, which) = match (t.get("rope_type"), t.get("type")) {
        (Some(Value::String(k)), _) => (k.as_str(), "rope_type"),
        (None, Some(Value::String(k))) => (k.as_str(), "type"),
        (Some(v), _) => return Err(key(t.path("rope_type"), v, "it must be a string")),
        (None, Some(v)) => return Err(key(t.path("type"), v, "it must be a string")),
        (None, None) => {
            notes.push(format!(
                "`{}` names no `rope_type`: treated as default",
                t.name
            ));
            ("default", "rope_type")
        }
    };
    if kind == "mrope" {
        return mrope_as_default(t, which, model_type, notes).map(|k| (k, which));
    }
    let lists = t.has("short_factor") && t.has("long_factor");
    let phi3 = model_type == "phi3" || (model_type.is_empty() && (kind == "su" || lists));
    if phi3 && matches!(kind, "su" | "yarn") {
        notes.push(format!(
            "`{kind}` read as LongRoPE, as Phi-3's config class relabels it"
        ));
        return Ok(("longrope", which));
    }
    Ok((kind, which))
}
// ANCHOR_END: kind

/// `mrope`, which the Qwen2-VL and Qwen2.5-VL text configs turn into `default`
/// (`Qwen2VLTextConfig.convert_rope_params_to_dict`): M-RoPE is default RoPE whose pairs are
/// split between time, height and width (`extras` reports the split). Any other model class has
/// no such scheme in transformers 5.24.0.
fn mrope_as_default(
    t: Obj<'_>,
    which: &str,
    model_type: &str,
    notes: &mut Vec<String>,
) -> Result<&'static str> {
    if QWEN2_VL.contains(&model_type) {
        notes.push(format!(
            "`{}` = \"mrope\" read as default RoPE, as Qwen2VLTextConfig turns it",
            t.path(which)
        ));
        Ok("default")
    } else {
        Err(key(
            t.path(which),
            "\"mrope\"",
            "only the Qwen2-VL and Qwen2.5-VL config classes turn `mrope` into default RoPE; for this model_type transformers has no such scheme",
        ))
    }
}

/// The model types whose config class reads `mrope` as default RoPE.
const QWEN2_VL: [&str; 4] = ["qwen2_vl", "qwen2_5_vl", "qwen2_vl_text", "qwen2_5_vl_text"];

/// The scheme `kind` (named by the table's key `which`) with its parameters from the table `t`;
/// `original` is the pretraining length, already looked up, and `max_pos` the config's
/// `max_position_embeddings`.
pub(super) fn scheme(
    t: Obj<'_>,
    (kind, which): (&str, &str),
    original: Option<usize>,
    max_pos: usize,
) -> Result<Scheme> {
    // A factor, when given, must be a positive finite number.
    let factor = || -> Result<Option<f64>> {
        match t.f64("factor")? {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(key(
                t.path("factor"),
                x,
                "a scaling factor must be a positive finite number",
            )),
            f => Ok(f),
        }
    };
    let required = || {
        t.require(
            factor()?,
            "factor",
            &format!("`{kind}` scaling needs a factor"),
        )
    };
    Ok(match kind {
        "default" => Scheme::Default,
        "linear" => Scheme::Linear {
            factor: required()?,
        },
        "ntk" => Scheme::Ntk {
            factor: required()?,
        },
        "dynamic" => Scheme::Dynamic {
            factor: required()?,
        },
        // The key is required; only an explicit null falls back to the ratio of the lengths.
        "yarn" => Scheme::Yarn(YarnParams {
            factor: match t.get("factor") {
                None => {
                    return Err(t.missing(
                        "factor",
                        "YaRN needs a factor (null means max / original length)",
                    ));
                }
                Some(_) => factor()?,
            },
            original_max_position_embeddings: original,
            beta_fast: t.f64("beta_fast")?,
            beta_slow: t.f64("beta_slow")?,
            attention_factor: t.f64("attention_factor")?,
            mscale: t.f64("mscale")?,
            mscale_all_dim: t.f64("mscale_all_dim")?,
            // `.get("truncate", True)`: absent means true, an explicit null is falsy.
            truncate: match t.get("truncate") {
                None => true,
                Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(v) => return Err(key(t.path("truncate"), v, "it must be true or false")),
            },
        }),
        "llama3" => Scheme::Llama3 {
            factor: required()?,
            low_freq_factor: t.require(
                t.f64("low_freq_factor")?,
                "low_freq_factor",
                "Llama 3 scaling needs it",
            )?,
            high_freq_factor: t.require(
                t.f64("high_freq_factor")?,
                "high_freq_factor",
                "Llama 3 scaling needs it",
            )?,
            // Absent everywhere, it is `max_position_embeddings`, as `standardize_rope_params`
            // sets it (`setdefault`).
            original_max_position_embeddings: original.unwrap_or(max_pos),
        },
        "longrope" => Scheme::LongRope {
            short_factor: t.list("short_factor")?,
            long_factor: t.list("long_factor")?,
            factor: factor()?,
            original_max_position_embeddings: original,
            attention_factor: t.f64("attention_factor")?,
        },
        "proportional" => {
            return Err(key(
                t.path(which),
                "\"proportional\"",
                "transformers 5.24.0's `proportional` scheme (Gemma 4) is not implemented by this reader",
            ));
        }
        other => {
            return Err(key(
                t.path(which),
                format!("\"{other}\""),
                "known types are default, linear, ntk, dynamic, yarn, llama3, longrope (and su, for Phi-3)",
            ));
        }
    })
}

/// Names a key as `table.key` when `from_table(key)` says its value came from the table `t`
/// (an error from a scheme names its parameter bare: `factor`, `beta_fast`).
pub(super) fn in_table(e: Error, t: Obj<'_>, from_table: impl Fn(&str) -> bool) -> Error {
    match e {
        Error::Key { key, value, rule } if !key.contains('.') && from_table(&key) => Error::Key {
            key: t.path(&key),
            value,
            rule,
        },
        other => other,
    }
}
