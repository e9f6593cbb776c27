//! Reading the layer lists of the hybrid configs: lists of layer kinds and of layer indices, the
//! legacy names transformers renames, and an alias set to null.

use errors::key;
use serde_json::Value;

use super::Obj;
use crate::Result;

/// `remap_legacy_layer_types` (transformers 5.24.0 `configuration_utils.py`,
/// `_LEGACY_LAYER_TYPE_REMAP`), which `PreTrainedConfig.__post_init__` applies to every config's
/// `layer_types`.
pub(super) fn remap(t: &str) -> &str {
    match t {
        "mamba" => "linear_attention",
        "attention" => "full_attention",
        "deepseek_sparse_attention" | "qwen_sparse_attention" => "indexed_attention",
        other => other,
    }
}

/// An `attribute_map` alias set to null: `PreTrainedConfig.__post_init__` assigns it after the
/// field, so the null replaces the layer list, and the model then fails on it.
pub(super) fn null_alias(cfg: Obj<'_>, alias: &str, class: &str) -> Result<()> {
    match cfg.get(alias) {
        Some(Value::Null) => Err(key(
            cfg.path(alias),
            "null",
            format!(
                "{class} assigns this alias after its field (PreTrainedConfig.__post_init__), so null replaces the layer list and the model fails on it; give a list or leave the key out"
            ),
        )),
        _ => Ok(()),
    }
}

/// A whole number of at least `min` under `k`, or `default` when absent or null.
pub(super) fn whole(cfg: Obj<'_>, k: &str, default: usize, min: usize) -> Result<usize> {
    match cfg.usize(k)? {
        None => Ok(default),
        Some(v) if v < min => Err(key(cfg.path(k), v, format!("it must be at least {min}"))),
        Some(v) => Ok(v),
    }
}

/// The first of `names` that holds a list of strings (with its name), checked against `n`
/// layers.
pub(super) fn list(
    cfg: Obj<'_>,
    names: &[&'static str],
    n: Option<usize>,
) -> Result<Option<(&'static str, Vec<String>)>> {
    for &k in names {
        match cfg.get(k) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => {
                let out = a
                    .iter()
                    .map(|x| {
                        x.as_str().map(str::to_string).ok_or_else(|| {
                            key(
                                cfg.path(k),
                                x,
                                "every entry must be a string naming a layer kind",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                if let Some(n) = n
                    && out.len() != n
                {
                    return Err(key(
                        cfg.path(k),
                        format!("a list of {}", out.len()),
                        format!("it must name every layer: num_hidden_layers is {n}"),
                    ));
                }
                return Ok(Some((k, out)));
            }
            Some(v) => return Err(key(cfg.path(k), v, "it must be a list of layer kinds")),
        }
    }
    Ok(None)
}

/// A list of layer indices under `k`; `None` when absent or null. The reference tests `i in
/// list` for each layer `i` (in `class`), so an index at or past `n` names no layer: it is
/// ignored, with a warning.
pub(super) fn indices(
    cfg: Obj<'_>,
    k: &str,
    n: usize,
    class: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<Vec<usize>>> {
    match cfg.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => {
            let all = a
                .iter()
                .map(|x| {
                    x.as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .ok_or_else(|| {
                            key(
                                cfg.path(k),
                                x,
                                "every entry must be a layer index (a whole number)",
                            )
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            let past: Vec<String> = all
                .iter()
                .filter(|i| **i >= n)
                .map(usize::to_string)
                .collect();
            if !past.is_empty() {
                warnings.push(format!(
                    "`{}` names layer {} but num_hidden_layers is {n}: {class} tests each layer's index against the list, so it names no layer",
                    cfg.path(k),
                    past.join(", ")
                ));
            }
            Ok(Some(all))
        }
        Some(v) => Err(key(cfg.path(k), v, "it must be a list of layer indices")),
    }
}
