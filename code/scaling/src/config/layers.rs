//! Which kind each layer is, and whether it rotates: per-layer position schemes, as Hugging Face
//! transformers 5.24.0 builds them.
//!
//! The list of layer kinds is the config's `layer_types` when it gives one; otherwise the model's
//! config class computes it, and the reader follows each class it knows:
//!
//! - `gemma3_text`: `Gemma3TextConfig.__post_init__`, a full-attention layer every
//!   `sliding_window_pattern` layers (default 6), `(i + 1) % pattern == 0`;
//! - `gemma2`: `Gemma2Config.__post_init__`, sliding and full in turn;
//! - `olmo3`: `Olmo3Config.__post_init__`, every fourth layer full;
//! - `exaone4`: `Exaone4Config.__post_init__`, every `sliding_window_pattern`-th layer full
//!   (default 4; with `sliding_window` null the class computes `(i + 1) % 0` and fails, and so
//!   the reader refuses it);
//! - `qwen3_5_text`: `Qwen3_5TextConfig.__post_init__`, every `full_attention_interval`-th layer
//!   full (default 4), the others `linear_attention`;
//! - `llama4_text`: `Llama4TextConfig.__post_init__`, `no_rope_layers` (1 = rotates; default: all
//!   but every `no_rope_layer_interval`-th layer, interval 4); `smollm3` reads `no_rope_layers` the
//!   same way (`SmolLM3Config.__post_init__`);
//! - `cohere2`: `Cohere2Config.__post_init__`, every `sliding_window_pattern`-th layer full
//!   (default 4); `exaone_moe` as `exaone4`; `qwen3_next` and `qwen3_5_moe_text` as `qwen3_5_text`.
//!
//! Layers that do not rotate: EXAONE 4's full-attention layers while it has a sliding window
//! (`Exaone4Attention.forward`: `if self.sliding_window is None or self.is_sliding:
//! apply_rotary_pos_emb`; the same test in `exaone_moe`, `exaone4_5` (whose text config is
//! `exaone4`) and `kolibri1`), Cohere2's full-attention layers (`Cohere2Attention.forward`: `if
//! self.sliding_window is not None`, `None` on full layers), Llama 4's and SmolLM3's layers with
//! `no_rope_layers[i] == 0`
//! (`Llama4TextAttention.forward`, `if self.use_rope`), and Qwen3.5's `linear_attention` layers
//! (`Qwen3_5DecoderLayer.forward` hands `position_embeddings` only to full attention).

use errors::key;
use serde_json::Value;

use super::Obj;
use super::hybrid::{self, Mixer};
use crate::Result;

/// The most layers a config may declare: more than any published model has by two orders of
/// magnitude, and few enough that a corrupted count cannot make the reader allocate without bound.
pub(super) const MAX_LAYERS: usize = 100_000;

/// The model types whose per-layer rules were read in transformers 5.24.0 (the ones above); for
/// any other type that mixes kinds of layer, the reader warns that it reads every kind as rotating
/// with the one table.
pub(super) const AUDITED: [&str; 15] = [
    "gemma3_text",
    "gemma2",
    "olmo3",
    "exaone4",
    "exaone_moe",
    "kolibri1",
    "cohere2",
    "qwen3_5_text",
    "qwen3_5_moe_text",
    "qwen3_next",
    "llama4_text",
    "smollm3",
    "deepseek_v4",
    "mimo_v2_flash",
    "mimo_v2",
];

/// One kind of layer as the config lays it out: its name, how many layers, and whether it
/// rotates (with the reason when it does not).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Kind {
    pub layer_type: String,
    pub count: usize,
    /// What the layer does with the other tokens.
    pub mixer: Mixer,
    /// `None`: rotates. `Some(why)`: no positional encoding in these layers.
    pub no_rope: Option<String>,
}

/// The layer kinds of a config, in order of first appearance, with their counts.
///
/// # Errors
/// A malformed `layer_types`, `sliding_window_pattern` or `no_rope_layers`, or a list whose
/// length is not `num_hidden_layers`.
pub(super) fn kinds(
    cfg: Obj<'_>,
    model_type: &str,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Kind>> {
    // `NemotronHConfig.num_hidden_layers` is a property over the layer list whose setter ignores
    // the file's value (transformers 5.24.0, `configuration_nemotron_h.py`).
    let n = if model_type == "nemotron_h" {
        if cfg.has("num_hidden_layers") {
            notes.push("`num_hidden_layers` is not read: NemotronHConfig computes it from the layer list and its setter ignores the file's value".into());
        }
        None
    } else {
        cfg.usize("num_hidden_layers")?
    };
    if let Some(n) = n.filter(|n| *n > MAX_LAYERS) {
        return Err(key(
            cfg.path("num_hidden_layers"),
            n,
            format!(
                "this reader refuses more than {MAX_LAYERS} layers (no published model comes near)"
            ),
        ));
    }
    let per_layer: Vec<hybrid::Layer> = match hybrid::layers(cfg, model_type, n, warnings)? {
        Some(layers) => layers,
        None => {
            let types = types(cfg, model_type, n, notes)?;
            let rotates = rotates(cfg, model_type, &types)?;
            types
                .into_iter()
                .zip(rotates)
                .map(|(t, why)| {
                    let mixer = mixer_of(&t);
                    let why = why.or_else(|| {
                        (!mixer.attends()).then(|| {
                            format!(
                                "a {} layer: no attention, so no position encoding",
                                mixer.name()
                            )
                        })
                    });
                    (t, mixer, why)
                })
                .collect()
        }
    };
    if per_layer.is_empty() {
        return Ok(vec![Kind {
            layer_type: "full_attention".into(),
            count: 0,
            mixer: Mixer::Attention,
            no_rope: None,
        }]);
    }
    let mut out: Vec<Kind> = Vec::new();
    for (t, mixer, why) in per_layer {
        match out
            .iter_mut()
            .find(|k| k.layer_type == t && k.mixer == mixer && k.no_rope == why)
        {
            Some(k) => k.count += 1,
            None => out.push(Kind {
                layer_type: t,
                count: 1,
                mixer,
                no_rope: why,
            }),
        }
    }
    Ok(out)
}

/// The mixer a `layer_types` entry names, for the model types without a rule of their own in
/// module `hybrid`: transformers 5.24.0's `configuration_utils.py` (`ALLOWED_ATTN_LAYER_TYPES`)
/// lists `linear_attention` for recurrent layers (Mamba, Mamba-2, Gated DeltaNet, MiniMax's
/// lightning attention; `remap_legacy_layer_types` turns a legacy `mamba` into it), `conv` for
/// LFM2's convolutions, `moe` for Nemotron-H's expert-only layers and `hybrid` /
/// `hybrid_sliding` for layers that hold attention and a linear-attention-shaped state together
/// (Zamba2, Falcon-H1, ZAYA1); every other name is a kind of attention.
fn mixer_of(layer_type: &str) -> Mixer {
    match layer_type {
        "linear_attention" => Mixer::LinearAttention,
        "conv" => Mixer::Convolution,
        "moe" => Mixer::MlpOnly,
        "hybrid" | "hybrid_sliding" => Mixer::AttentionAndStateSpace,
        _ => Mixer::Attention,
    }
}

/// The kind of every layer.
fn types(
    cfg: Obj<'_>,
    model_type: &str,
    n: Option<usize>,
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    if let Some(v) = cfg.get("layer_types").filter(|v| !v.is_null()) {
        let list = v
            .as_array()
            .ok_or_else(|| key("layer_types", v, "it must be a list of layer kinds"))?;
        let names = list
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| key("layer_types", x, "every entry must be a string"))
            })
            .collect::<Result<Vec<_>>>()?;
        let legacy: Vec<&str> = names
            .iter()
            .filter(|t| super::lists::remap(t) != t.as_str())
            .map(String::as_str)
            .collect();
        if !legacy.is_empty() {
            let mut seen: Vec<&str> = Vec::new();
            for t in legacy {
                if !seen.contains(&t) {
                    seen.push(t);
                }
            }
            notes.push(format!(
                "`layer_types` legacy names {} read as {} (remap_legacy_layer_types)",
                seen.join(", "),
                seen.iter()
                    .map(|t| super::lists::remap(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let names: Vec<String> = names
            .iter()
            .map(|t| super::lists::remap(t).to_string())
            .collect();
        if let Some(n) = n
            && names.len() != n
        {
            return Err(key(
                "layer_types",
                format!("a list of {}", names.len()),
                format!("it must name every layer: num_hidden_layers is {n}"),
            ));
        }
        return Ok(names);
    }
    let need = |why: &str| cfg.require(n, "num_hidden_layers", why);
    let every = |period: usize, other: &str| {
        (0..n.unwrap_or(0))
            .map(|i| {
                if (i + 1) % period == 0 {
                    "full_attention".to_string()
                } else {
                    other.to_string()
                }
            })
            .collect::<Vec<_>>()
    };
    let pattern = |k: &str, default: usize| -> Result<usize> {
        match cfg.get(k) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v
                .as_u64()
                .filter(|p| *p >= 1)
                .and_then(|p| usize::try_from(p).ok())
                .ok_or_else(|| {
                    key(
                        k,
                        v,
                        "without `layer_types`, the reference computes (i + 1) % pattern, which needs a whole number of at least 1",
                    )
                }),
        }
    };
    let why = "the layer pattern is laid out over num_hidden_layers";
    Ok(match model_type {
        "gemma3_text" => {
            need(why)?;
            every(pattern("sliding_window_pattern", 6)?, "sliding_attention")
        }
        "olmo3" => {
            need(why)?;
            every(4, "sliding_attention")
        }
        "exaone4" | "exaone_moe" => {
            need(why)?;
            if cfg.get("sliding_window").is_some_and(Value::is_null) && n.is_some_and(|n| n > 0) {
                let class = if model_type == "exaone4" {
                    "Exaone4Config"
                } else {
                    "ExaoneMoeConfig"
                };
                return Err(key(
                    cfg.path("sliding_window"),
                    "null",
                    format!(
                        "without `layer_types`, {class}.__post_init__ sets sliding_window_pattern to 0 and computes (i + 1) % 0, which fails (ZeroDivisionError); give layer_types or a window"
                    ),
                ));
            } else {
                every(pattern("sliding_window_pattern", 4)?, "sliding_attention")
            }
        }
        "qwen3_5_text" | "qwen3_5_moe_text" | "qwen3_next" => {
            need(why)?;
            every(pattern("full_attention_interval", 4)?, "linear_attention")
        }
        "gemma2" => {
            need(why)?;
            every(2, "sliding_attention")
        }
        "cohere2" => {
            need(why)?;
            every(pattern("sliding_window_pattern", 4)?, "sliding_attention")
        }
        "llama4_text" => {
            let rope = no_rope_layers(cfg, need(why)?)?;
            let chunked = cfg
                .get("attention_chunk_size")
                .is_some_and(|v| !v.is_null());
            rope.iter()
                .map(|&r| {
                    if r && chunked {
                        "chunked_attention".to_string()
                    } else {
                        "full_attention".to_string()
                    }
                })
                .collect()
        }
        // No count: one kind, "all layers" (count 0).
        _ => vec!["full_attention".to_string(); n.unwrap_or(0)],
    })
}

/// Llama 4's `no_rope_layers` (1: the layer rotates), or its default: every
/// `no_rope_layer_interval`-th layer (default 4) does not (`Llama4TextConfig.__post_init__`; an
/// empty list counts as absent there, `self.no_rope_layers if self.no_rope_layers else default`).
fn no_rope_layers(cfg: Obj<'_>, n: usize) -> Result<Vec<bool>> {
    match cfg.get("no_rope_layers") {
        Some(Value::Array(list)) if !list.is_empty() => {
            if list.len() != n {
                return Err(key(
                    "no_rope_layers",
                    format!("a list of {}", list.len()),
                    format!("it must name every layer: num_hidden_layers is {n}"),
                ));
            }
            list.iter()
                .map(|v| match v {
                    Value::Bool(b) => Ok(*b),
                    Value::Number(x) if x.as_f64() == Some(0.0) => Ok(false),
                    Value::Number(x) if x.as_f64() == Some(1.0) => Ok(true),
                    other => Err(key("no_rope_layers", other, "every entry must be 0 or 1")),
                })
                .collect()
        }
        None | Some(Value::Null) | Some(Value::Array(_)) => {
            let interval = match cfg.usize("no_rope_layer_interval")? {
                Some(0) => {
                    return Err(key("no_rope_layer_interval", 0, "it must be at least 1"));
                }
                Some(i) => i,
                None => 4,
            };
            Ok((0..n).map(|i| (i + 1) % interval != 0).collect())
        }
        Some(v) => Err(key("no_rope_layers", v, "it must be a list of 0 and 1")),
    }
}

/// For each layer, `None` if it rotates, else why it does not.
fn rotates(cfg: Obj<'_>, model_type: &str, types: &[String]) -> Result<Vec<Option<String>>> {
    Ok(match model_type {
        "exaone4" | "exaone_moe" | "kolibri1" => {
            let window = cfg.get("sliding_window").is_none_or(|v| !v.is_null());
            types
                .iter()
                .map(|t| {
                    (window && t != "sliding_attention").then(|| {
                        "EXAONE 4 rotates only its sliding-window layers while it has a sliding window"
                            .to_string()
                    })
                })
                .collect()
        }
        "cohere2" => types
            .iter()
            .map(|t| {
                (t != "sliding_attention")
                    .then(|| "Cohere2 rotates only its sliding-window layers".to_string())
            })
            .collect(),
        "llama4_text" | "smollm3" => no_rope_layers(cfg, types.len())?
            .into_iter()
            .map(|r| (!r).then(|| "`no_rope_layers` marks it 0: no RoPE".to_string()))
            .collect(),
        "qwen3_5_text" | "qwen3_5_moe_text" | "qwen3_next" => types
            .iter()
            .map(|t| {
                (t == "linear_attention").then(|| {
                    "a linear-attention (Gated DeltaNet) layer: no position encoding".to_string()
                })
            })
            .collect(),
        _ => vec![None; types.len()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_of(text: &str, model_type: &str) -> Result<Vec<(String, usize, bool)>> {
        let map: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
        let cfg = Obj {
            map: &map,
            name: "",
        };
        Ok(kinds(cfg, model_type, &mut Vec::new(), &mut Vec::new())?
            .into_iter()
            .map(|k| (k.layer_type, k.count, k.no_rope.is_none()))
            .collect())
    }

    #[test]
    fn patterns_follow_each_config_class() {
        let s = |t: &str, n: usize, r: bool| (t.to_string(), n, r);
        // Gemma 3 with 34 layers and the default pattern 6: layers 6, 12, …, 30 are full.
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 34}"#, "gemma3_text").unwrap(),
            [
                s("sliding_attention", 29, true),
                s("full_attention", 5, true)
            ]
        );
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 6, "sliding_window_pattern": 3}"#,
                "gemma3_text"
            )
            .unwrap(),
            [
                s("sliding_attention", 4, true),
                s("full_attention", 2, true)
            ]
        );
        // EXAONE 4: the full layers do not rotate while there is a window; with none, all are
        // full and all rotate.
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 8}"#, "exaone4").unwrap(),
            [
                s("sliding_attention", 6, true),
                s("full_attention", 2, false)
            ]
        );
        // With no window and no `layer_types`, Exaone4Config divides by a pattern of 0 and fails
        // (transformers 5.24.0, `configuration_exaone4.py`, `__post_init__`): refused, naming the
        // key. With `layer_types`, every layer rotates.
        for (mt, class) in [
            ("exaone4", "Exaone4Config"),
            ("exaone_moe", "ExaoneMoeConfig"),
        ] {
            let e = kinds_of(r#"{"num_hidden_layers": 8, "sliding_window": null}"#, mt)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("`sliding_window` = null"), "{e}");
            assert!(e.contains("ZeroDivisionError"), "{e}");
            assert!(e.contains(&format!("{class}.__post_init__")), "{e}");
        }
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 2, "sliding_window": null, "layer_types": ["full_attention", "sliding_attention"]}"#,
                "exaone4"
            )
            .unwrap(),
            [s("full_attention", 1, true), s("sliding_attention", 1, true)]
        );
        assert!(
            kinds_of(
                r#"{"num_hidden_layers": 8, "sliding_window_pattern": "LLLG"}"#,
                "exaone4"
            )
            .unwrap_err()
            .to_string()
            .starts_with("`sliding_window_pattern` = \"LLLG\"")
        );
        // Llama 4: chunked layers rotate, the others do not.
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 8, "attention_chunk_size": 8192}"#,
                "llama4_text"
            )
            .unwrap(),
            [
                s("chunked_attention", 6, true),
                s("full_attention", 2, false)
            ]
        );
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 3, "no_rope_layers": [1, 0, true]}"#,
                "llama4_text"
            )
            .unwrap(),
            [s("full_attention", 2, true), s("full_attention", 1, false)]
        );
        assert!(
            kinds_of(
                r#"{"num_hidden_layers": 3, "no_rope_layers": [1, 0]}"#,
                "llama4_text"
            )
            .is_err()
        );
        assert!(
            kinds_of(
                r#"{"num_hidden_layers": 1, "no_rope_layers": [2]}"#,
                "llama4_text"
            )
            .unwrap_err()
            .to_string()
            .starts_with("`no_rope_layers` = 2")
        );
        // An empty list counts as absent: the default, every fourth layer without RoPE.
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 4, "no_rope_layers": []}"#,
                "llama4_text"
            )
            .unwrap(),
            [s("full_attention", 3, true), s("full_attention", 1, false)]
        );
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 4}"#, "qwen3_5_text").unwrap(),
            [
                s("linear_attention", 3, false),
                s("full_attention", 1, true)
            ]
        );
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 4}"#, "gemma2").unwrap(),
            [
                s("sliding_attention", 2, true),
                s("full_attention", 2, true)
            ]
        );
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 8}"#, "olmo3").unwrap(),
            [
                s("sliding_attention", 6, true),
                s("full_attention", 2, true)
            ]
        );
        // A given list wins, and must have one entry per layer.
        assert_eq!(
            kinds_of(
                r#"{"num_hidden_layers": 2, "layer_types": ["full_attention", "sliding_attention"]}"#,
                "gemma3_text"
            )
            .unwrap(),
            [s("full_attention", 1, true), s("sliding_attention", 1, true)]
        );
        let e = kinds_of(
            r#"{"num_hidden_layers": 3, "layer_types": ["full_attention"]}"#,
            "llama",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("`layer_types` = a list of 1"), "{e}");
        // Families without a pattern: one kind.
        assert_eq!(
            kinds_of(r#"{"num_hidden_layers": 32}"#, "llama").unwrap(),
            [s("full_attention", 32, true)]
        );
    }
}
