//! DeepSeek V4: three kinds of attention layer and two rotary tables, as Hugging Face transformers
//! 5.24.0 builds them (`models/deepseek_v4/configuration_deepseek_v4.py`,
//! `DeepseekV4Config.__post_init__`, and `modeling_deepseek_v4.py`):
//!
//! - the layer kinds: `layer_types` when the file gives it, else the older per-layer
//!   `compress_ratios` (0 is `sliding_attention`, 4 `compressed_sparse_attention`, 128
//!   `heavily_compressed_attention`, `_COMPRESS_RATIO_TO_LAYER_TYPE`; any other ratio is a
//!   `KeyError` there), else two heavily compressed layers and then compressed-sparse and heavily
//!   compressed in turn; the list is cut to `num_hidden_layers` (`self.layer_types[:n]`), and a
//!   shorter one fails `DeepseekV4Config.validate_layer_type`;
//! - the tables: a flat scaling table (`rope_scaling or rope_parameters`) becomes two, `main` (default
//!   RoPE on `rope_theta`, never scaled) and `compress` (the file's table on `compress_rope_theta`,
//!   default 160000, with `attention_factor` 1 unless the table gives one, when it is YaRN); both
//!   rotate `partial_rotary_factor` of `head_dim` (the file's, else `qk_rope_head_dim / head_dim`,
//!   else 64 / 512); a file already nested as `main` and `compress` keeps its tables;
//! - which layer reads which: `DeepseekV4Attention.__init__` gives `sliding_attention` layers the
//!   `main` table and the compressed layers `compress` (their compressor and Lightning Indexer use
//!   `compress` too); the softmax divides by √`head_dim` (`self.scaling = self.head_dim**-0.5`).
//!
//! The reader turns the file into transformers 5's nested layout, one table per layer kind, so that
//! the generic per-layer reading applies, and names what the class ignores.

use errors::{Error, key};
use serde_json::{Map, Value, json};

use super::Obj;
use super::legacy::Normalized;
use crate::Result;

/// The three layer kinds of `DEEPSEEK_V4_LAYER_TYPES`.
pub(super) const KINDS: [&str; 3] = [
    "sliding_attention",
    "compressed_sparse_attention",
    "heavily_compressed_attention",
];

/// Keys only this rule reads.
pub(super) const KEYS: [&str; 6] = [
    "compress_ratios",
    "compress_rope_theta",
    "compress_rates",
    "compress_rate_csa",
    "compress_rate_hca",
    "index_head_dim",
];

/// `DeepseekV4Config`'s field defaults that the reading needs.
const DEFAULTS: [(&str, u64); 3] = [
    ("num_hidden_layers", 43),
    ("head_dim", 512),
    ("max_position_embeddings", 1_048_576),
];

/// Rewrites a `deepseek_v4` config into the nested layout (see the module's documentation).
///
/// # Errors
/// A malformed `layer_types` or `compress_ratios`, a ratio the class does not map, a list shorter
/// than `num_hidden_layers`, a bad base, or a nested table without `partial_rotary_factor`.
pub(super) fn normalize(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    for (k, v) in DEFAULTS {
        if !cfg.has(k) {
            out.map.insert(k.into(), json!(v));
            out.notes
                .push(format!("no `{k}`: DeepseekV4Config's default {v}"));
        }
    }
    let n = Obj {
        map: &out.map,
        name: cfg.name,
    }
    .usize("num_hidden_layers")?
    .unwrap_or(43);
    let head = Obj {
        map: &out.map,
        name: cfg.name,
    }
    .usize("head_dim")?
    .unwrap_or(512);
    let kinds = layer_kinds(cfg, n, out)?;
    out.map.insert("layer_types".into(), json!(kinds));
    // `partial_rotary_factor`: the file's, else the legacy `qk_rope_head_dim / head_dim`, else the
    // class's 64 / 512 (`default_partial_rotary_factor`).
    let partial = match (
        cfg.f64("partial_rotary_factor")?,
        cfg.usize("qk_rope_head_dim")?,
    ) {
        (Some(p), _) => p,
        (None, Some(r)) if head > 0 => {
            out.notes.push(format!(
                "`qk_rope_head_dim` = {r} of head_dim {head}: partial_rotary_factor {r}/{head}, as DeepseekV4Config sets it"
            ));
            r as f64 / head as f64
        }
        (None, Some(_)) => {
            return Err(key(
                cfg.path("head_dim"),
                0,
                "DeepseekV4Config divides qk_rope_head_dim by it: it must be positive",
            ));
        }
        (None, None) => {
            out.notes.push(
                "no `partial_rotary_factor` or `qk_rope_head_dim`: DeepseekV4Config's 64 / 512"
                    .into(),
            );
            64.0 / 512.0
        }
    };
    out.map.remove("qk_rope_head_dim");
    out.map.remove("partial_rotary_factor");
    if out.map.remove(super::ORIGINAL).is_some() {
        out.warnings.push(format!(
            "`{}` at the top level is not read: the compress table keeps its own (standardize_rope_params sets it with setdefault)",
            cfg.path(super::ORIGINAL)
        ));
    }
    let (main, compress) = tables(cfg, partial, out)?;
    out.map.remove("rope_scaling");
    let mut nested = Map::new();
    for k in KINDS {
        let t = if k == "sliding_attention" {
            &main
        } else {
            &compress
        };
        nested.insert(k.into(), Value::Object(t.clone()));
    }
    out.map
        .insert("rope_parameters".into(), Value::Object(nested));
    Ok(())
}

/// The layer kinds, cut to `n`.
fn layer_kinds(cfg: Obj<'_>, n: usize, out: &mut Normalized) -> Result<Vec<String>> {
    let (from, mut kinds): (&str, Vec<String>) = match (
        cfg.get("layer_types").filter(|v| !v.is_null()),
        cfg.get("compress_ratios").filter(|v| !v.is_null()),
    ) {
        (Some(v), _) => {
            let list = v.as_array().ok_or_else(|| {
                key(
                    cfg.path("layer_types"),
                    v,
                    "it must be a list of layer kinds",
                )
            })?;
            let names = list
                .iter()
                .map(|x| match x.as_str() {
                    Some(s) if KINDS.contains(&s) => Ok(s.to_string()),
                    _ => Err(key(
                        cfg.path("layer_types"),
                        x,
                        "DeepseekV4Config.validate_layer_type accepts sliding_attention, compressed_sparse_attention and heavily_compressed_attention",
                    )),
                })
                .collect::<Result<Vec<_>>>()?;
            ("layer_types", names)
        }
        (None, Some(v)) => {
            let list = v.as_array().ok_or_else(|| {
                key(
                    cfg.path("compress_ratios"),
                    v,
                    "it must be a list of compression ratios",
                )
            })?;
            let names = list
                .iter()
                .map(|x| match x.as_u64() {
                    Some(0) => Ok(KINDS[0].to_string()),
                    Some(4) => Ok(KINDS[1].to_string()),
                    Some(128) => Ok(KINDS[2].to_string()),
                    _ => Err(key(
                        cfg.path("compress_ratios"),
                        x,
                        "DeepseekV4Config maps only the ratios 0, 4 and 128 to layer kinds (_COMPRESS_RATIO_TO_LAYER_TYPE)",
                    )),
                })
                .collect::<Result<Vec<_>>>()?;
            ("compress_ratios", names)
        }
        (None, None) => {
            out.notes.push(
                "no `layer_types` or `compress_ratios`: DeepseekV4Config's pattern, two heavily compressed layers, then compressed-sparse and heavily compressed in turn".into(),
            );
            let kinds = (0..n)
                .map(|i| {
                    if i < 2 || (i - 2) % 2 == 0 {
                        KINDS[2].to_string()
                    } else {
                        KINDS[1].to_string()
                    }
                })
                .collect();
            ("the class pattern", kinds)
        }
    };
    if kinds.len() < n {
        return Err(key(
            cfg.path(from),
            format!("a list of {}", kinds.len()),
            format!(
                "DeepseekV4Config.validate_layer_type needs one entry per layer: num_hidden_layers is {n}"
            ),
        ));
    }
    if kinds.len() > n {
        out.notes.push(format!(
            "`{}` has {} entries for {n} layers: DeepseekV4Config keeps the first {n} (`layer_types[:num_hidden_layers]`)",
            cfg.path(from),
            kinds.len()
        ));
        kinds.truncate(n);
    }
    Ok(kinds)
}

/// The `main` and `compress` tables.
fn tables(
    cfg: Obj<'_>,
    partial: f64,
    out: &mut Normalized,
) -> Result<(Map<String, Value>, Map<String, Value>)> {
    let flat = match cfg.get("rope_scaling").filter(|v| super::truthy(v)) {
        Some(v) => Some(("rope_scaling", v)),
        None => cfg
            .get("rope_parameters")
            .filter(|v| !v.is_null())
            .map(|v| ("rope_parameters", v)),
    };
    let table = match flat {
        None => Map::new(),
        Some((_, Value::Object(m))) => m.clone(),
        Some((name, v)) => return Err(key(cfg.path(name), v, "it must be an object")),
    };
    let theta = cfg.f64("rope_theta")?.unwrap_or(10000.0);
    if let (Some(Value::Object(main)), Some(Value::Object(compress))) =
        (table.get("main"), table.get("compress"))
    {
        let name = flat.map_or("rope_parameters", |(n, _)| n);
        let mut fill = |t: &Map<String, Value>, label: &str| -> Result<Map<String, Value>> {
            let mut t = t.clone();
            t.entry("rope_theta").or_insert(json!(theta));
            if !t.contains_key("partial_rotary_factor") {
                return Err(Error::Missing {
                    key: format!("{}.{label}.partial_rotary_factor", cfg.path(name)),
                    why: "a nested table without it rotates the whole head or the class's fraction, depending on when transformers 5.24.0's standardize_rope_params copies the class's value in; give it".into(),
                });
            }
            out.notes.push(format!(
                "`{}.{label}` read as it is (DeepseekV4Config keeps a nested table)",
                cfg.path(name)
            ));
            Ok(t)
        };
        return Ok((fill(main, "main")?, fill(compress, "compress")?));
    }
    let compress_theta = match cfg.f64("compress_rope_theta")? {
        Some(t) if !(t.is_finite() && t > 0.0) => {
            return Err(key(
                cfg.path("compress_rope_theta"),
                t,
                "it is the base of the compressed layers' RoPE: it must be positive and finite",
            ));
        }
        Some(t) => t,
        None => {
            out.notes
                .push("no `compress_rope_theta`: DeepseekV4Config's default 160000".into());
            160000.0
        }
    };
    for k in ["rope_theta", "partial_rotary_factor"] {
        if let Some((name, _)) = flat.filter(|_| table.contains_key(k)) {
            out.warnings.push(format!(
                "`{}.{k}` is not read: DeepseekV4Config gives the compress table compress_rope_theta and the config's partial_rotary_factor",
                cfg.path(name)
            ));
        }
    }
    let mut main = Map::new();
    main.insert("rope_type".into(), json!("default"));
    main.insert("rope_theta".into(), json!(theta));
    main.insert("partial_rotary_factor".into(), json!(partial));
    let mut compress = table;
    if !compress.contains_key("rope_type") {
        let t = compress.get("type").cloned().unwrap_or(json!("default"));
        compress.insert("rope_type".into(), t);
    }
    compress.insert("rope_theta".into(), json!(compress_theta));
    compress.insert("partial_rotary_factor".into(), json!(partial));
    if compress.get("rope_type") == Some(&json!("yarn"))
        && !compress.contains_key("attention_factor")
    {
        compress.insert("attention_factor".into(), json!(1.0));
        out.notes.push(
            "the compress table's YaRN gets attention_factor 1, as DeepseekV4Config sets it (no cos/sin factor)".into(),
        );
    }
    Ok((main, compress))
}

/// Where each kind's reading comes from, in the file's own terms.
pub(super) fn source(layer_type: &str) -> &'static str {
    if layer_type == "sliding_attention" {
        "the main table: default RoPE on rope_theta (DeepseekV4Attention)"
    } else {
        "the compress table: the file's scaling table on compress_rope_theta (DeepseekV4Attention)"
    }
}

/// An error from the nested tables, renamed to the key the file holds (`rope_scaling.factor`, not
/// `rope_parameters.heavily_compressed_attention.factor`).
pub(super) fn rename(e: Error, cfg: Obj<'_>) -> Error {
    let file = if cfg.get("rope_scaling").is_some_and(super::truthy) {
        "rope_scaling"
    } else {
        "rope_parameters"
    };
    let fix = |k: String| -> String {
        for kind in KINDS {
            let inner = format!("{}.{kind}.", cfg.path("rope_parameters"));
            if let Some(rest) = k.strip_prefix(&inner) {
                return if kind == "sliding_attention" {
                    cfg.path(rest)
                } else {
                    format!("{}.{rest}", cfg.path(file))
                };
            }
        }
        k
    };
    match e {
        Error::Key { key, value, rule } => Error::Key {
            key: fix(key),
            value,
            rule,
        },
        Error::Missing { key, why } => Error::Missing { key: fix(key), why },
        other => other,
    }
}

/// What else V4 does with positions: the compressed entries' own positions and the rotation of
/// the attention output.
pub(super) fn extras(cfg: Obj<'_>, rotated: usize) -> Result<Vec<String>> {
    let rate = |k: &str, legacy: &str, default: usize| -> Result<usize> {
        if let Some(r) = cfg.usize(legacy)? {
            return Ok(r);
        }
        match cfg.get("compress_rates").and_then(|v| v.get(k)) {
            Some(v) => v
                .as_u64()
                .and_then(|x| usize::try_from(x).ok())
                .ok_or_else(|| {
                    key(
                        format!("{}.{k}", cfg.path("compress_rates")),
                        v,
                        "it must be a whole number of tokens",
                    )
                }),
            None => Ok(default),
        }
    };
    let csa = rate("compressed_sparse_attention", "compress_rate_csa", 4)?;
    let hca = rate("heavily_compressed_attention", "compress_rate_hca", 128)?;
    Ok(vec![
        format!(
            "compressed layers: each compressed entry is a gated sum over a window of {csa} tokens (compressed_sparse_attention, with the previous window's overlap) or {hca} (heavily_compressed_attention), rotated at the position of its window's first token (DeepseekV4CSACompressor, DeepseekV4HCACompressor), and the gate adds a learned position_bias of one row per place in the window"
        ),
        format!(
            "keys are values (K = V): the last {rotated} dimensions of each output head are rotated back by the query's position (cos, −sin in DeepseekV4Attention.forward), so each value's share depends on its distance to the query"
        ),
    ])
}
