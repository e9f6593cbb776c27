//! Xiaomi's MiMo V2: full-attention and sliding-window layers with a base each, in the two forms
//! the configs take.
//!
//! - `mimo_v2_flash`, as Hugging Face transformers 5.24.0 reads it
//!   (`models/mimo_v2_flash/configuration_mimo_v2_flash.py`, `MiMoV2FlashConfig`): `layer_types`,
//!   else full attention at layer 0 and at every sixth layer (`i == 0 or not (i + 1) % 6`),
//!   sliding attention elsewhere; `rope_parameters` nested by layer kind, else the class's tables
//!   (`full_attention` on 5000000, `sliding_attention` on 10000, both `partial_rotary_factor`
//!   0.334). Its `convert_rope_params_to_dict` returns the keys untouched, so a top-level
//!   `rope_theta`, `rope_scaling`, `partial_rotary_factor`, `swa_rope_theta` or
//!   `hybrid_layer_pattern` is not read at all, and a flat `rope_parameters` has no table per kind
//!   (`MiMoV2FlashRotaryEmbedding.__init__` indexes it by layer kind and fails); a default table
//!   without `partial_rotary_factor` rotates 0.334 of the head
//!   (`compute_default_rope_parameters`, `.get("partial_rotary_factor", 0.334)`).
//! - `mimo_v2`, the published remote-code form (transformers has no class for it), as SGLang runs it
//!   (sgl-project/sglang, `python/sglang/srt/models/mimo_v2_flash.py` at `dd6f32b`,
//!   `MiMoV2DecoderLayer.__init__`): layer `i` is a sliding-window layer when
//!   `hybrid_layer_pattern[i] == 1` (`is_swa_layer`), with `swa_head_dim` and the base
//!   `swa_rope_theta` (else `rope_theta`); the others use `head_dim` and `rope_theta` (default
//!   1000000); both read the one `rope_scaling` and `partial_rotary_factor` (default 1), and
//!   `get_rope` rotates `int(head_dim × partial_rotary_factor)` dimensions
//!   (`python/sglang/srt/layers/rotary_embedding.py` at `ed0774f`).
//!
//! Both become transformers 5's nested layout, one table per layer kind.

use errors::key;
use serde_json::{Map, Value, json};

use super::Obj;
use super::legacy::Normalized;
use crate::Result;

/// Keys only these rules read.
pub(super) const KEYS: [&str; 3] = ["swa_rope_theta", "hybrid_layer_pattern", "swa_head_dim"];

/// `MiMoV2FlashConfig` (transformers 5.24.0).
///
/// # Errors
/// A malformed `layer_types`, a flat `rope_parameters`, or a kind without a table.
pub(super) fn flash(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    for (k, v) in [
        ("num_hidden_layers", 48),
        ("head_dim", 192),
        ("max_position_embeddings", 131072),
    ] {
        if !cfg.has(k) {
            out.map.insert(k.into(), json!(v));
            out.notes
                .push(format!("no `{k}`: MiMoV2FlashConfig's default {v}"));
        }
    }
    for k in [
        "rope_theta",
        "rope_scaling",
        "partial_rotary_factor",
        "swa_rope_theta",
        "hybrid_layer_pattern",
    ] {
        if out.map.remove(k).is_some() {
            out.warnings.push(format!(
                "`{}` is not read: MiMoV2FlashConfig.convert_rope_params_to_dict passes it through, and the model reads only `rope_parameters` and `layer_types`",
                cfg.path(k)
            ));
        }
    }
    let n = Obj {
        map: &out.map,
        name: cfg.name,
    }
    .usize("num_hidden_layers")?
    .unwrap_or(48);
    if cfg.get("layer_types").is_none_or(Value::is_null) {
        let kinds: Vec<&str> = (0..n)
            .map(|i| {
                if i == 0 || (i + 1) % 6 == 0 {
                    "full_attention"
                } else {
                    "sliding_attention"
                }
            })
            .collect();
        out.map.insert("layer_types".into(), json!(kinds));
        out.notes.push(
            "no `layer_types`: MiMoV2FlashConfig's pattern, full attention at layer 0 and every sixth layer".into(),
        );
    }
    let kinds: Vec<String> = match out.map.get("layer_types") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| key(cfg.path("layer_types"), x, "every entry must be a string"))
            })
            .collect::<Result<_>>()?,
        Some(v) => {
            return Err(key(
                cfg.path("layer_types"),
                v,
                "it must be a list of layer kinds",
            ));
        }
        None => Vec::new(),
    };
    let mut tables = match cfg.get("rope_parameters") {
        None | Some(Value::Null) => {
            out.notes.push(
                "no `rope_parameters`: MiMoV2FlashConfig's tables, full_attention on 5000000 and sliding_attention on 10000, partial_rotary_factor 0.334".into(),
            );
            let t = |theta: f64| json!({"rope_type": "default", "rope_theta": theta, "partial_rotary_factor": 0.334});
            let mut m = Map::new();
            m.insert("full_attention".into(), t(5_000_000.0));
            m.insert("sliding_attention".into(), t(10_000.0));
            m
        }
        Some(Value::Object(m)) => m.clone(),
        Some(v) => return Err(key(cfg.path("rope_parameters"), v, "it must be an object")),
    };
    for kind in &kinds {
        let name = format!("{}.{kind}", cfg.path("rope_parameters"));
        match tables.get_mut(kind) {
            None => {
                return Err(key(
                    cfg.path("rope_parameters"),
                    "a table with no entry per layer kind",
                    format!(
                        "MiMoV2FlashRotaryEmbedding reads rope_parameters[\"{kind}\"]: give one table per kind of layer_types"
                    ),
                ));
            }
            Some(Value::Object(t)) => {
                if !t.contains_key("rope_theta") {
                    return Err(errors::Error::Missing {
                        key: format!("{name}.rope_theta"),
                        why:
                            "MiMoV2FlashConfig fills in no base: the model reads it from the table"
                                .into(),
                    });
                }
                let default = t.get("rope_type").is_none_or(|v| v == "default");
                if default && !t.contains_key("partial_rotary_factor") {
                    t.insert("partial_rotary_factor".into(), json!(0.334));
                    out.notes.push(format!(
                        "`{name}` names no partial_rotary_factor: 0.334, the default of MiMoV2FlashRotaryEmbedding.compute_default_rope_parameters"
                    ));
                }
            }
            Some(Value::Null) => {}
            Some(v) => return Err(key(name, v.clone(), "it must be an object or null")),
        }
    }
    tables.retain(|k, _| kinds.contains(k));
    out.map
        .insert("rope_parameters".into(), Value::Object(tables));
    Ok(())
}

/// `mimo_v2`, as SGLang's `MiMoV2DecoderLayer` reads it.
///
/// # Errors
/// A missing or malformed `hybrid_layer_pattern`, one shorter than `num_hidden_layers`, a
/// sliding-window head width other than `head_dim`, or a malformed base.
pub(super) fn sglang(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    if !cfg.has("max_position_embeddings") {
        out.map
            .insert("max_position_embeddings".into(), json!(32768));
        out.notes
            .push("no `max_position_embeddings`: SGLang's MiMoV2DecoderLayer default 32768".into());
    }
    let n = cfg.require(
        cfg.usize("num_hidden_layers")?,
        "num_hidden_layers",
        "SGLang's MiMoV2Model builds num_hidden_layers layers",
    )?;
    let pattern = cfg.require(
        cfg.get("hybrid_layer_pattern").filter(|v| !v.is_null()),
        "hybrid_layer_pattern",
        "SGLang's MiMoV2DecoderLayer.is_swa_layer reads hybrid_layer_pattern[layer_id]",
    )?;
    let flags = pattern.as_array().ok_or_else(|| {
        key(
            cfg.path("hybrid_layer_pattern"),
            pattern,
            "it must be a list of 0 and 1",
        )
    })?;
    if flags.len() < n {
        return Err(key(
            cfg.path("hybrid_layer_pattern"),
            format!("a list of {}", flags.len()),
            format!("SGLang indexes it by layer: num_hidden_layers is {n}"),
        ));
    }
    let kinds = flags[..n]
        .iter()
        .map(|f| match f.as_u64() {
            Some(1) => Ok("sliding_attention"),
            Some(0) => Ok("full_attention"),
            _ => Err(key(
                cfg.path("hybrid_layer_pattern"),
                f,
                "every entry must be 0 (full attention) or 1 (sliding window: is_swa_layer tests == 1)",
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let head = super::reading::head_dim(cfg)?;
    if let Some(swa) = cfg.usize("swa_head_dim")?
        && swa != head
        && kinds.contains(&"sliding_attention")
    {
        return Err(key(
            cfg.path("swa_head_dim"),
            swa,
            format!("this reader reads one head width per model, and head_dim is {head}"),
        ));
    }
    let theta = match cfg.f64("rope_theta")? {
        Some(t) => t,
        None => {
            out.notes
                .push("no `rope_theta`: SGLang's MiMoV2DecoderLayer default 1000000".into());
            1_000_000.0
        }
    };
    let swa = match cfg.f64("swa_rope_theta")? {
        Some(t) => t,
        None => {
            out.notes
                .push("no `swa_rope_theta`: the sliding-window layers use rope_theta".into());
            theta
        }
    };
    let partial = cfg.f64("partial_rotary_factor")?.unwrap_or(1.0);
    let scaling = match cfg.get("rope_scaling") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(v) => return Err(key(cfg.path("rope_scaling"), v, "it must be an object")),
    };
    let table = |theta: f64| {
        let mut t = scaling.clone();
        if !t.contains_key("rope_type") {
            let kind = t.get("type").cloned().unwrap_or(json!("default"));
            t.insert("rope_type".into(), kind);
        }
        t.insert("rope_theta".into(), json!(theta));
        t.insert("partial_rotary_factor".into(), json!(partial));
        Value::Object(t)
    };
    let mut nested = Map::new();
    nested.insert("full_attention".into(), table(theta));
    nested.insert("sliding_attention".into(), table(swa));
    for k in ["rope_scaling", "rope_theta", "partial_rotary_factor"] {
        out.map.remove(k);
    }
    out.map
        .insert("rope_parameters".into(), Value::Object(nested));
    out.map.insert("layer_types".into(), json!(kinds));
    out.notes.push(format!(
        "model_type mimo_v2 read as SGLang's MiMoV2DecoderLayer reads it: `hybrid_layer_pattern` (1 = sliding window), base `swa_rope_theta` there and `rope_theta` elsewhere, partial_rotary_factor {partial}"
    ));
    Ok(())
}

/// Where each kind's reading comes from in a `mimo_v2` file.
pub(super) fn source(layer_type: &str) -> &'static str {
    if layer_type == "sliding_attention" {
        "SGLang's MiMoV2DecoderLayer: swa_rope_theta, rope_scaling"
    } else {
        "SGLang's MiMoV2DecoderLayer: rope_theta, rope_scaling"
    }
}

/// An error from the nested tables of a `mimo_v2` file, renamed to the key the file holds.
pub(super) fn rename(e: errors::Error, cfg: Obj<'_>) -> errors::Error {
    let fix = |k: String| -> String {
        for (kind, theta) in [
            ("full_attention", "rope_theta"),
            ("sliding_attention", "swa_rope_theta"),
        ] {
            let inner = format!("{}.{kind}.", cfg.path("rope_parameters"));
            if let Some(rest) = k.strip_prefix(&inner) {
                return match rest {
                    "rope_theta" => cfg.path(theta),
                    "partial_rotary_factor" => cfg.path(rest),
                    _ => format!("{}.{rest}", cfg.path("rope_scaling")),
                };
            }
        }
        k
    };
    match e {
        errors::Error::Key { key, value, rule } => errors::Error::Key {
            key: fix(key),
            value,
            rule,
        },
        errors::Error::Missing { key, why } => errors::Error::Missing { key: fix(key), why },
        other => other,
    }
}
