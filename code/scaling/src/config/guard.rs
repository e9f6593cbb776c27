//! The guard: every key that looks position-related but that no rule of the reader reads is named
//! in a warning, so a new layout shows up as a warning instead of a silent misreading.
//!
//! "Position-related" is a list of name fragments ([`FRAGMENTS`]); the keys the reader reads are
//! [`READ`] (top level) and the keys each scheme's function reads in transformers 5.24.0's
//! `modeling_rope_utils.py` ([`TABLE`], the `required_keys` and `optional_keys` of each
//! `_validate_*_rope_parameters`, plus what [`super::extras`] reports). Keys known to shape only
//! the attention mask or another tower are listed in [`NOT_POSITIONS`] and pass in silence.
//!
//! Per `model_type`, [`SPECIFIC`] lists the keys that only some classes' rules read (layer
//! patterns, old names of the rotated width and the base): such a key in a config of another type
//! is named as not read. A `model_type` that no rule names ([`KNOWN`]) is warned about: its
//! reading follows the generic rules, which its config class may not.

use serde_json::Value;

use super::Obj;
use super::legacy::OLD_KEYS;

/// Name fragments that mark a key as position-related.
pub(super) const FRAGMENTS: [&str; 31] = [
    "pos_enc",
    "block_type",
    "override_pattern",
    "layer_period",
    "layer_offset",
    "attn_idx",
    "attn_layer",
    "cross_attention_layers",
    "full_attn",
    "nope",
    "swa",
    "rope",
    "rotary",
    "position",
    "pos_emb",
    "alibi",
    "theta",
    "seq_len",
    "seq_length",
    "n_ctx",
    "relative_attention",
    "layer_types",
    "window_pattern",
    "attention_interval",
    "temperature",
    "attn_scale",
    "floor_scale",
    "head_dim",
    "partial",
    "mrope",
    "scaling_beta",
];

/// Top-level keys the reader reads (some only for the model types named in their rules).
pub(super) const READ: [&str; 22] = [
    "model_type",
    "text_config",
    "rope_theta",
    "rope_scaling",
    "rope_parameters",
    "head_dim",
    "hidden_size",
    "num_attention_heads",
    "partial_rotary_factor",
    "max_position_embeddings",
    "original_max_position_embeddings",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "num_hidden_layers",
    "layer_types",
    "sliding_window_pattern",
    "full_attention_interval",
    "no_rope_layers",
    "no_rope_layer_interval",
    "attn_temperature_tuning",
    "floor_scale",
    "attn_scale",
];

/// Keys that look position-related and do not change how positions are encoded.
pub(super) const NOT_POSITIONS: [(&str, &str); 11] = [
    (
        "swa_num_attention_heads",
        "the sliding-window layers' head count (MiMo V2)",
    ),
    (
        "swa_num_key_value_heads",
        "the sliding-window layers' key-value head count (MiMo V2)",
    ),
    (
        "swa_v_head_dim",
        "the sliding-window layers' value width (MiMo V2)",
    ),
    (
        "add_swa_attention_sink_bias",
        "a learned sink logit per head of the sliding-window layers (MiMo V2)",
    ),
    (
        "temperature",
        "the sampling temperature of the generation defaults, not a query temperature",
    ),
    (
        "original_rope",
        "ChatGLM passes it to RotaryEmbedding as `original_impl`, which ChatGLM3-6B's forward does not read",
    ),
    (
        "rope_interleave",
        "the layout of the pairs in a head, not their frequencies",
    ),
    ("v_head_dim", "the width of the values"),
    ("linear_key_head_dim", "the linear-attention layers' width"),
    (
        "linear_value_head_dim",
        "the linear-attention layers' width",
    ),
    ("max_window_layers", "a sliding-window mask setting"),
];

/// Keys that only some model types' rules read, with those types.
pub(super) const SPECIFIC: [(&str, &[&str]); 12] = [
    ("rope_local_base_freq", &["gemma3_text"]),
    (
        "sliding_window_pattern",
        &["gemma3_text", "exaone4", "exaone_moe", "cohere2"],
    ),
    (
        "full_attention_interval",
        &["qwen3_5_text", "qwen3_5_moe_text", "qwen3_next"],
    ),
    ("no_rope_layers", &["llama4_text", "smollm3"]),
    ("no_rope_layer_interval", &["llama4_text", "smollm3"]),
    ("attn_temperature_tuning", &["llama4_text"]),
    ("floor_scale", &["llama4_text"]),
    ("attn_scale", &["llama4_text"]),
    ("rotary_dim", &["gptj", "codegen", "minimax_m2"]),
    ("rotary_pct", &["gpt_neox"]),
    ("rotary_emb_base", &["gpt_neox"]),
    ("rope_ratio", &["chatglm"]),
];

/// The model types some rule of the reader names (besides module `hybrid`'s): the classes whose
/// layer patterns, old key names, defaults or non-RoPE encodings were read in the reference, and
/// the plain classes whose published configs are read by the generic rules and checked against
/// the independent Python reading (`llama`, `mistral`, `qwen2`, `qwen3`, `olmo2`, `ministral3`,
/// `deepseek_v2`, `deepseek_v3`, `phi3`, `qwen2_5_vl`, `qwen3_vl_text`).
pub(super) const KNOWN: [&str; 53] = [
    // The generic rules, checked on published configs.
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "olmo2",
    "ministral3",
    "deepseek_v2",
    "deepseek_v3",
    "phi3",
    "qwen2_5_vl",
    "qwen2_vl",
    "qwen2_vl_text",
    "qwen2_5_vl_text",
    "qwen3_vl",
    "qwen3_vl_text",
    // Layer patterns (module `layers`).
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
    // Old names and class defaults (module `legacy`).
    "gpt_neox",
    "gptj",
    "codegen",
    "chatglm",
    "minimax_m2",
    "phi",
    "glm",
    "glm4",
    "glm4_moe",
    "persimmon",
    "nemotron",
    "recurrent_gemma",
    "moonshine",
    "musicflamingo",
    // Other encodings (module `family`).
    "gpt2",
    "gpt_bigcode",
    "bert",
    "roberta",
    "opt",
    "t5",
    "bloom",
    "mpt",
    "falcon",
];

/// Keys of a scaling table that some scheme (or the extras) reads.
pub(super) const TABLE: [&str; 19] = [
    "rope_type",
    "type",
    "rope_theta",
    "partial_rotary_factor",
    "factor",
    "original_max_position_embeddings",
    "attention_factor",
    "beta_fast",
    "beta_slow",
    "mscale",
    "mscale_all_dim",
    "truncate",
    "low_freq_factor",
    "high_freq_factor",
    "short_factor",
    "long_factor",
    "mrope_section",
    "mrope_interleaved",
    "llama_4_scaling_beta",
];

/// Warnings for the position-related keys of `cfg` (and of its scaling tables) that no rule
/// reads, and a note on the model-specific keys read only for other model types.
pub(super) fn unread(cfg: Obj<'_>, model_type: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !KNOWN.contains(&model_type) && !super::hybrid::MODEL_TYPES.contains(&model_type) {
        out.push(if model_type.is_empty() {
            "the config names no model_type: the reading follows the generic rules (layer_types, rope_scaling or rope_parameters, head_dim or hidden_size / num_attention_heads)".to_string()
        } else {
            format!(
                "model_type {model_type:?} has no rule of its own here: the reading follows the generic rules (layer_types, rope_scaling or rope_parameters, head_dim or hidden_size / num_attention_heads); its config class may read other keys"
            )
        });
    }
    let family: Vec<(&str, &[&str])> = super::deepseek_v4::KEYS
        .iter()
        .map(|k| (*k, &["deepseek_v4"][..]))
        .chain(
            super::mimo::KEYS
                .iter()
                .map(|k| (*k, &["mimo_v2", "mimo_v2_flash"][..])),
        )
        .collect();
    let specific = SPECIFIC
        .iter()
        .chain(super::hybrid::KEYS.iter())
        .chain(family.iter());
    for (k, _) in cfg.map.iter() {
        let related = FRAGMENTS.iter().any(|f| k.contains(f));
        let old = OLD_KEYS.contains(&k.as_str());
        if let Some((_, owners)) = specific.clone().find(|(name, _)| name == k) {
            if !owners.contains(&model_type) {
                out.push(format!(
                    "`{}` is read only for model_type {}; this config's is {model_type:?}: not read",
                    cfg.path(k),
                    owners.join(", ")
                ));
            }
            continue;
        }
        if related
            && !old
            && !READ.contains(&k.as_str())
            && !NOT_POSITIONS.iter().any(|(name, _)| name == k)
        {
            out.push(format!(
                "`{}` looks position-related but no rule of this reader reads it",
                cfg.path(k)
            ));
        }
    }
    for name in ["rope_scaling", "rope_parameters"] {
        if let Some(Value::Object(t)) = cfg.get(name) {
            let tables: Vec<(String, &serde_json::Map<String, Value>)> =
                if t.values().all(Value::is_object) && !t.is_empty() {
                    t.iter()
                        .filter_map(|(k, v)| v.as_object().map(|m| (format!("{name}.{k}"), m)))
                        .collect()
                } else {
                    vec![(name.to_string(), t)]
                };
            for (path, t) in tables {
                for k in t.keys() {
                    if !TABLE.contains(&k.as_str()) {
                        out.push(format!(
                            "`{}.{k}` is not read by any scheme (transformers warns of unrecognized keys)",
                            cfg.path(&path)
                        ));
                    }
                }
            }
        }
    }
    out
}
