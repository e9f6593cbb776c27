//! Reading a Hugging Face `config.json`: the rotary settings and the scaling scheme.
//!
//! Keys read: `rope_theta` (also inside `rope_parameters`), `head_dim` or `hidden_size` /
//! `num_attention_heads`, `partial_rotary_factor`, `max_position_embeddings`,
//! `original_max_position_embeddings` (Phi-3 puts it at the top level), and the scaling table under
//! `rope_parameters` (transformers 5) or `rope_scaling` (earlier), with its kind in `rope_type` or,
//! in older files, `type`.

use serde_json::{Map, Value};

use crate::{Base, Error, Scheme, YarnParams, bad};

/// A model's rotary setup as read from its config.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRope {
    /// The unscaled setup.
    pub base: Base,
    /// The scaling scheme (`Scheme::Default` when there is none).
    pub scheme: Scheme,
    /// Notes about defaults that were filled in.
    pub notes: Vec<String>,
}

fn get_f64(map: &Map<String, Value>, key: &str) -> Result<Option<f64>, Error> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| bad(key, v, "it must be a number")),
    }
}

fn get_usize(map: &Map<String, Value>, key: &str) -> Result<Option<usize>, Error> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| bad(key, v, "it must be a non-negative whole number")),
    }
}

fn require<T>(value: Option<T>, key: &str, why: &str) -> Result<T, Error> {
    value.ok_or_else(|| Error::Missing {
        key: key.into(),
        why: why.into(),
    })
}

fn get_list(map: &Map<String, Value>, key: &str) -> Result<Vec<f64>, Error> {
    let v = require(
        map.get(key),
        key,
        "LongRoPE needs a factor per rotated pair",
    )?;
    let list = v
        .as_array()
        .ok_or_else(|| bad(key, v, "it must be a list of numbers"))?;
    list.iter()
        .map(|x| {
            x.as_f64()
                .ok_or_else(|| bad(key, x, "every entry must be a number"))
        })
        .collect()
}

// ANCHOR: parse
/// Parses a `config.json` text.
///
/// # Errors
/// Invalid JSON, missing or malformed keys, an unknown `rope_type`, or parameters a scheme
/// refuses; every message names the key.
pub fn parse(text: &str) -> Result<ModelRope, Error> {
    let root: Value = serde_json::from_str(text).map_err(|e| Error::Json(e.to_string()))?;
    let top = root
        .as_object()
        .ok_or_else(|| Error::Json("the top level must be an object".into()))?;
    let mut notes = Vec::new();
    // transformers 5 calls the table `rope_parameters`; earlier versions `rope_scaling`. When both
    // are present, transformers 5 takes `rope_scaling` (`rope_scaling or rope_parameters`).
    let table = match (top.get("rope_scaling"), top.get("rope_parameters")) {
        (Some(Value::Object(t)), _) => Some(("rope_scaling", t)),
        (_, Some(Value::Object(t))) => Some(("rope_parameters", t)),
        (Some(Value::Null) | None, Some(Value::Null) | None) => None,
        (Some(v), _) => return Err(bad("rope_scaling", v, "it must be an object")),
        (_, Some(v)) => return Err(bad("rope_parameters", v, "it must be an object")),
    };
    let in_table = match table {
        Some((key, t)) => get_f64(t, "rope_theta").map_err(|e| prefix(e, key))?,
        None => None,
    };
    let theta = match (in_table, get_f64(top, "rope_theta")?) {
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => {
            notes.push("no `rope_theta`: using the default 10000".into());
            10000.0
        }
    };
    let head_dim = match get_usize(top, "head_dim")? {
        Some(d) => d,
        None => {
            let hidden = require(
                get_usize(top, "hidden_size")?,
                "hidden_size",
                "without `head_dim`, the head width is hidden_size / num_attention_heads",
            )?;
            let heads = require(
                get_usize(top, "num_attention_heads")?,
                "num_attention_heads",
                "without `head_dim`, the head width is hidden_size / num_attention_heads",
            )?;
            if heads == 0 {
                return Err(bad("num_attention_heads", 0, "it must be positive"));
            }
            hidden / heads
        }
    };
    let partial = table
        .map(|(_, t)| get_f64(t, "partial_rotary_factor"))
        .transpose()?
        .flatten()
        .or(get_f64(top, "partial_rotary_factor")?)
        .unwrap_or(1.0);
    if !(partial > 0.0 && partial <= 1.0) {
        return Err(bad(
            "partial_rotary_factor",
            partial,
            "it must lie in (0, 1]",
        ));
    }
    let dim = (head_dim as f64 * partial) as usize;
    if dim < 2 || !dim.is_multiple_of(2) {
        return Err(bad(
            "head_dim × partial_rotary_factor",
            format!("{head_dim} × {partial} = {dim}"),
            "the rotated width must be even and at least 2",
        ));
    }
    let max_pos = require(
        get_usize(top, "max_position_embeddings")?,
        "max_position_embeddings",
        "the context length the config declares",
    )?;
    let base = Base::new(dim, theta, max_pos)?;
    let Some((table_key, t)) = table else {
        return Ok(ModelRope {
            base,
            scheme: Scheme::Default,
            notes,
        });
    };
    let kind = match (t.get("rope_type"), t.get("type")) {
        (Some(Value::String(k)), _) | (None, Some(Value::String(k))) => k.as_str(),
        (Some(v), _) | (None, Some(v)) => {
            return Err(bad(
                format!("{table_key}.rope_type"),
                v,
                "it must be a string",
            ));
        }
        // No kind given: the reference treats the table as the default (unscaled) rotary setup.
        (None, None) => {
            notes.push(format!(
                "`{table_key}` names no `rope_type`: treated as default"
            ));
            "default"
        }
    };
    // Phi-3 configs sometimes label their LongRoPE lists "yarn" (Phi3Config maps it to longrope).
    let kind = if kind == "yarn" && t.contains_key("short_factor") && t.contains_key("long_factor")
    {
        notes.push(
            "a `yarn` table with short/long factor lists: read as LongRoPE, as Phi-3 does".into(),
        );
        "longrope"
    } else {
        kind
    };
    let factor = |required: bool| -> Result<Option<f64>, Error> {
        let f = get_f64(t, "factor")?;
        if required && f.is_none() {
            return Err(Error::Missing {
                key: format!("{table_key}.factor"),
                why: format!("`{kind}` scaling needs a factor"),
            });
        }
        match f {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(bad(
                format!("{table_key}.factor"),
                x,
                "a scaling factor must be a positive finite number",
            )),
            _ => Ok(f),
        }
    };
    // Phi-3 keeps the pretraining length at the top level; transformers 5 lets it override the
    // table's value.
    let original = match get_usize(top, "original_max_position_embeddings")? {
        Some(n) => Some(n),
        None => {
            get_usize(t, "original_max_position_embeddings").map_err(|e| prefix(e, table_key))?
        }
    };
    let scheme = match kind {
        "default" => Scheme::Default,
        "linear" => Scheme::Linear {
            factor: factor(true)?.unwrap_or(1.0),
        },
        "ntk" => Scheme::Ntk {
            factor: factor(true)?.unwrap_or(1.0),
        },
        "dynamic" => Scheme::Dynamic {
            factor: factor(true)?.unwrap_or(1.0),
        },
        // The key is required; only an explicit null falls back to the ratio of the lengths.
        "yarn" => Scheme::Yarn(YarnParams {
            factor: match t.get("factor") {
                None => {
                    return Err(Error::Missing {
                        key: format!("{table_key}.factor"),
                        why: "YaRN needs a factor (null means max / original length)".into(),
                    });
                }
                Some(_) => factor(false)?,
            },
            original_max_position_embeddings: original,
            beta_fast: get_f64(t, "beta_fast")?,
            beta_slow: get_f64(t, "beta_slow")?,
            attention_factor: get_f64(t, "attention_factor")?,
            mscale: get_f64(t, "mscale")?,
            mscale_all_dim: get_f64(t, "mscale_all_dim")?,
            // `.get("truncate", True)`: absent means true, an explicit null is falsy.
            truncate: match t.get("truncate") {
                None => true,
                Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(v) => {
                    return Err(bad(
                        format!("{table_key}.truncate"),
                        v,
                        "it must be true or false",
                    ));
                }
            },
        }),
        "llama3" => Scheme::Llama3 {
            factor: factor(true)?.unwrap_or(1.0),
            low_freq_factor: require(
                get_f64(t, "low_freq_factor")?,
                &format!("{table_key}.low_freq_factor"),
                "Llama 3 scaling needs it",
            )?,
            high_freq_factor: require(
                get_f64(t, "high_freq_factor")?,
                &format!("{table_key}.high_freq_factor"),
                "Llama 3 scaling needs it",
            )?,
            original_max_position_embeddings: require(
                original,
                &format!("{table_key}.original_max_position_embeddings"),
                "Llama 3 scaling measures wavelengths against it",
            )?,
        },
        // "su" was Phi-3's first name for LongRoPE.
        "longrope" | "su" => Scheme::LongRope {
            short_factor: get_list(t, "short_factor").map_err(|e| prefix(e, table_key))?,
            long_factor: get_list(t, "long_factor").map_err(|e| prefix(e, table_key))?,
            factor: factor(false)?,
            original_max_position_embeddings: original,
            attention_factor: get_f64(t, "attention_factor")?,
        },
        other => {
            return Err(bad(
                format!("{table_key}.rope_type"),
                format!("\"{other}\""),
                "known types are default, linear, ntk, dynamic, yarn, llama3, longrope (or su)",
            ));
        }
    };
    // Compute once so that bad parameters are reported now, naming their keys.
    // Keys the table holds (and the top level does not override) are named with the table.
    let owned = |key: &str| t.contains_key(key) && !top.contains_key(key);
    crate::compute(&base, &scheme, max_pos).map_err(|e| prefix_if(e, table_key, owned))?;
    Ok(ModelRope {
        base,
        scheme,
        notes,
    })
}
// ANCHOR_END: parse

/// Names a key as `table.key` when the value came from the scaling table.
fn prefix(e: Error, table: &str) -> Error {
    prefix_if(e, table, |_| true)
}

/// As [`prefix`], for errors whose key may not come from the table: only keys the table `owns`
/// get its name.
fn prefix_if(e: Error, table: &str, owns: impl Fn(&str) -> bool) -> Error {
    match e {
        Error::Bad { what, value, rule } if !what.contains('.') && owns(&what) => Error::Bad {
            what: format!("{table}.{what}"),
            value,
            rule,
        },
        Error::Missing { key, why } if !key.contains('.') && owns(&key) => Error::Missing {
            key: format!("{table}.{key}"),
            why,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_without_scaling() {
        let m = parse(
            r#"{"hidden_size": 512, "num_attention_heads": 8, "max_position_embeddings": 2048}"#,
        )
        .unwrap();
        assert_eq!(m.base.dim, 64);
        assert_eq!(m.scheme, Scheme::Default);
        assert_eq!(m.notes, ["no `rope_theta`: using the default 10000"]);
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            ("not json", "not valid JSON"),
            ("[1, 2]", "top level must be an object"),
            (
                r#"{"num_attention_heads": 8, "max_position_embeddings": 2048}"#,
                "missing key `hidden_size`",
            ),
            (
                r#"{"head_dim": 64}"#,
                "missing key `max_position_embeddings`",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_theta": "big"}"#,
                "`rope_theta` = \"big\"",
            ),
            (
                r#"{"head_dim": 63, "max_position_embeddings": 2048}"#,
                "`head_dim × partial_rotary_factor` = 63 × 1 = 63",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "yarn"}}"#,
                "missing key `rope_scaling.factor`",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear", "rope_theta": "x"}, "rope_theta": 10000}"#,
                "`rope_scaling.rope_theta` = \"x\"",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "magic", "factor": 2.0}}"#,
                "`rope_scaling.rope_type` = \"magic\"",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear", "factor": 0}}"#,
                "`rope_scaling.factor` = 0",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear"}}"#,
                "missing key `rope_scaling.factor`",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_parameters": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 1024}}"#,
                "missing key `rope_parameters.high_freq_factor`",
            ),
            (
                r#"{"head_dim": 8, "max_position_embeddings": 2048, "rope_scaling": {"type": "longrope", "short_factor": [1, 1], "long_factor": [1, 1, 1, 1]}}"#,
                "`rope_scaling.short_factor` = a list of 2",
            ),
            (
                r#"{"head_dim": 8, "max_position_embeddings": 2048, "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1]}}"#,
                "missing key `rope_scaling.long_factor`",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "partial_rotary_factor": 1.5}"#,
                "`partial_rotary_factor` = 1.5",
            ),
            (
                r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "yarn", "factor": 4.0, "truncate": "yes"}}"#,
                "`rope_scaling.truncate`",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}\n  gave: {e}\n  want: {want}");
        }
    }

    #[test]
    fn keys_are_named_where_they_live() {
        // A bad top-level length is not attributed to the table; a bad table key is.
        let top = parse(r#"{"head_dim": 8, "max_position_embeddings": 8192, "original_max_position_embeddings": 1,
            "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1], "long_factor": [1, 2, 3, 4]}}"#)
        .unwrap_err()
        .to_string();
        assert!(
            top.starts_with("`original_max_position_embeddings` = 1"),
            "{top}"
        );
        let inner = parse(
            r#"{"head_dim": 64, "max_position_embeddings": 8192,
            "rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": 0.5}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            inner.starts_with("`rope_scaling.beta_fast` = 0.5"),
            "{inner}"
        );
    }

    #[test]
    fn reference_conventions() {
        // No rope_type: default. Both tables: rope_scaling wins.
        let m = parse(
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"factor": 2.0}}"#,
        )
        .unwrap();
        assert_eq!(m.scheme, Scheme::Default);
        let m = parse(r#"{"head_dim": 64, "max_position_embeddings": 2048,
            "rope_scaling": {"type": "linear", "factor": 2.0}, "rope_parameters": {"rope_type": "default"}}"#).unwrap();
        assert_eq!(m.scheme, Scheme::Linear { factor: 2.0 });
        // YaRN: null factor means the ratio; null truncate is false; the top-level original wins.
        let m = parse(r#"{"head_dim": 64, "max_position_embeddings": 8192, "original_max_position_embeddings": 2048,
            "rope_scaling": {"type": "yarn", "factor": null, "truncate": null, "original_max_position_embeddings": 1024}}"#).unwrap();
        match m.scheme {
            Scheme::Yarn(YarnParams {
                factor,
                truncate,
                original_max_position_embeddings,
                ..
            }) => {
                assert_eq!(
                    (factor, truncate, original_max_position_embeddings),
                    (None, false, Some(2048))
                );
            }
            other => panic!("{other:?}"),
        }
        // Phi-3's "yarn" with factor lists is LongRoPE.
        let m = parse(r#"{"head_dim": 8, "max_position_embeddings": 8192, "original_max_position_embeddings": 2048,
            "rope_scaling": {"type": "yarn", "short_factor": [1, 1, 1, 1], "long_factor": [1, 2, 3, 4]}}"#).unwrap();
        assert_eq!(m.scheme.name(), "longrope");
    }

    #[test]
    fn rope_parameters_and_partial_factors_are_read() {
        let m = parse(r#"{"head_dim": 128, "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0, "partial_rotary_factor": 0.5}}"#).unwrap();
        assert_eq!((m.base.dim, m.base.theta), (64, 500000.0));
        assert!(m.notes.is_empty());
    }
}
