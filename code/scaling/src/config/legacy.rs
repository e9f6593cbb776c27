//! Older key names and model-class defaults, turned into the keys the rest of the reader reads.
//!
//! Each rule names the code it follows:
//!
//! - `gpt_neox` (GPT-NeoX, Pythia): `GPTNeoXConfig.convert_rope_params_to_dict` in transformers
//!   5.24.0 takes the base from `rotary_emb_base` (default 10000) and the rotated fraction from
//!   `rotary_pct` (default 0.25), and reads neither `rope_theta` nor `partial_rotary_factor` at the
//!   top level;
//! - `gptj`, `codegen`: `GPTJConfig` / `CodeGenConfig.attribute_map` (`n_embd`, `n_head`,
//!   `n_positions`) and `GPTJRotaryEmbedding.__init__` / `CodeGenRotaryEmbedding`
//!   (`create_sinusoidal_positions(max_positions, rotary_dim)` with the base 10000 written in, over
//!   the first `rotary_dim` dimensions of each head, default 64);
//! - a default `partial_rotary_factor` where the config class sets one in `__post_init__`
//!   (`kwargs.setdefault("partial_rotary_factor", …)`: 0.5 in `PhiConfig`, `GlmConfig`,
//!   `Glm4Config`, `Glm4MoeConfig`, `PersimmonConfig`, `NemotronConfig`, `RecurrentGemmaConfig`;
//!   0.25 in `Qwen3NextConfig`, `Qwen3_5TextConfig`, `Qwen3_5MoeTextConfig`; the list is
//!   `DEFAULT_PARTIAL`);
//! - `cohere2`: `Cohere2Config.__post_init__` sets `head_dim = hidden_size // num_attention_heads`
//!   whatever the file says;
//! - `chatglm` (remote code, not in transformers): THUDM's `modeling_chatglm.py` for ChatGLM3-6B,
//!   as copied in xiaoye-LLM/MIQA (`chatglm3-6b/modeling_chatglm.py` at `209861a`)
//!   (`ChatGLMModel.__init__`: `rotary_dim = kv_channels` (else `hidden_size //
//!   num_attention_heads`), `RotaryEmbedding(rotary_dim // 2, …)`, so half of each head rotates;
//!   `RotaryEmbedding.forward_impl` with base 10000; the context is `seq_length`), and
//!   `rope_ratio` multiplying the base, as alibaba/rtp-llm's independent ChatGLM3 loader does
//!   (`rtp_llm/models/chat_glm_v3.py` at `692a6dd`, `get_rotary_embedding_scale`: `rope_theta` (10000) ×
//!   `rope_ratio`) for THUDM's `chatglm3-6b-32k`; a config with `position_encoding_2d` (the first
//!   ChatGLM-6B, two positions per token) is refused;
//! - `gemma3_text`: the field defaults of `Gemma3TextConfig` (`head_dim` 256,
//!   `num_attention_heads` 8, `hidden_size` 2304, `num_hidden_layers` 26,
//!   `max_position_embeddings` 131072), which the Gemma 3 4B config relies on;
//! - `llama4_text`: `Llama4TextConfig`'s `attn_temperature_tuning` (true), `floor_scale` (8192) and
//!   `attn_scale` (0.1).

use errors::key;
use serde_json::{Map, Value, json};

use super::Obj;
use crate::Result;

/// The config with old keys translated and class defaults filled in, and a note for each.
#[derive(Debug)]
pub(super) struct Normalized {
    pub map: Map<String, Value>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// The config classes of transformers 5.24.0 that set a default `partial_rotary_factor` (with
/// `kwargs.setdefault("partial_rotary_factor", …)` in `__post_init__`): `(model_type, default,
/// class)`.
pub(super) const DEFAULT_PARTIAL: [(&str, f64, &str); 12] = [
    ("phi", 0.5, "PhiConfig"),
    ("glm", 0.5, "GlmConfig"),
    ("glm4", 0.5, "Glm4Config"),
    ("glm4_moe", 0.5, "Glm4MoeConfig"),
    ("persimmon", 0.5, "PersimmonConfig"),
    ("nemotron", 0.5, "NemotronConfig"),
    ("recurrent_gemma", 0.5, "RecurrentGemmaConfig"),
    ("moonshine", 0.9, "MoonshineConfig"),
    ("qwen3_next", 0.25, "Qwen3NextConfig"),
    ("qwen3_5_text", 0.25, "Qwen3_5TextConfig"),
    ("qwen3_5_moe_text", 0.25, "Qwen3_5MoeTextConfig"),
    ("musicflamingo", 0.2, "MusicFlamingoConfig"),
];

/// Keys each rule reads from the file (so the guard does not flag them as unread).
pub(super) const OLD_KEYS: [&str; 9] = [
    "rotary_pct",
    "rotary_emb_base",
    "rotary_dim",
    "n_positions",
    "n_embd",
    "n_head",
    "seq_length",
    "kv_channels",
    "rope_ratio",
];

/// Translates `cfg` for `model_type`.
///
/// # Errors
/// A malformed old key, or a GPT-J `rotary_dim` that is null or wider than a head.
pub(super) fn normalize(cfg: Obj<'_>, model_type: &str) -> Result<Normalized> {
    let mut out = Normalized {
        map: cfg.map.clone(),
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    let set = |o: &mut Normalized, k: &str, v: Value, note: String| {
        o.map.insert(k.to_string(), v);
        o.notes.push(note);
    };
    let ignored = |o: &mut Normalized, k: &str, why: &str| {
        if o.map.remove(k).is_some() {
            o.warnings
                .push(format!("`{k}` is in the file but {why}: ignored"));
        }
    };
    if let Some((_, layers, class)) = super::hybrid::LAYER_DEFAULTS
        .iter()
        .find(|(t, ..)| *t == model_type)
        && !cfg.has("num_hidden_layers")
    {
        set(
            &mut out,
            "num_hidden_layers",
            json!(layers),
            format!("no `num_hidden_layers`: {class}'s default {layers}"),
        );
    }
    match model_type {
        "deepseek_v4" => super::deepseek_v4::normalize(cfg, &mut out)?,
        "mimo_v2_flash" => super::mimo::flash(cfg, &mut out)?,
        "mimo_v2" => super::mimo::sglang(cfg, &mut out)?,
        "gpt_neox" => {
            ignored(
                &mut out,
                "rope_theta",
                "GPTNeoXConfig reads the base from `rotary_emb_base`",
            );
            ignored(
                &mut out,
                "partial_rotary_factor",
                "GPTNeoXConfig reads the rotated fraction from `rotary_pct`",
            );
            let base = cfg.f64("rotary_emb_base")?;
            let pct = cfg.f64("rotary_pct")?;
            set(
                &mut out,
                "rope_theta",
                json!(base.unwrap_or(10000.0)),
                match base {
                    Some(b) => format!("base {b} from `rotary_emb_base` (GPT-NeoX's name)"),
                    None => "no `rotary_emb_base`: GPTNeoXConfig's default 10000".into(),
                },
            );
            set(
                &mut out,
                "partial_rotary_factor",
                json!(pct.unwrap_or(0.25)),
                match pct {
                    Some(p) => format!("rotated fraction {p} from `rotary_pct` (GPT-NeoX's name)"),
                    None => "no `rotary_pct`: GPTNeoXConfig's default 0.25".into(),
                },
            );
        }
        "gptj" | "codegen" => {
            let hidden =
                cfg.require(cfg.usize("n_embd")?, "n_embd", "GPT-J's width is `n_embd`")?;
            let heads = cfg.require(
                cfg.usize("n_head")?,
                "n_head",
                "GPT-J's head count is `n_head`",
            )?;
            if heads == 0 || !hidden.is_multiple_of(heads) {
                return Err(key(
                    "n_head",
                    heads,
                    "it must be positive and divide n_embd",
                ));
            }
            let head = hidden / heads;
            let rotary = match cfg.get("rotary_dim") {
                None => {
                    out.notes
                        .push("no `rotary_dim`: the config class's default 64".into());
                    64
                }
                Some(Value::Null) => {
                    return Err(key(
                        "rotary_dim",
                        "null",
                        "GPT-J then builds its table over n_embd dimensions, wider than a head; give a width",
                    ));
                }
                Some(_) => cfg.usize("rotary_dim")?.unwrap_or(64),
            };
            if rotary > head {
                return Err(key(
                    "rotary_dim",
                    rotary,
                    format!("it must fit in a head of n_embd / n_head = {head}"),
                ));
            }
            ignored(
                &mut out,
                "rope_theta",
                "GPT-J's create_sinusoidal_positions has the base 10000 written in",
            );
            ignored(
                &mut out,
                "rope_scaling",
                "GPT-J's modeling code reads no scaling table",
            );
            out.map.insert("head_dim".into(), json!(head));
            out.map.insert(
                "partial_rotary_factor".into(),
                json!(rotary as f64 / head as f64),
            );
            out.map.insert("rope_theta".into(), json!(10000.0));
            let positions = cfg.usize("n_positions")?.unwrap_or(2048);
            out.map
                .insert("max_position_embeddings".into(), json!(positions));
            out.notes.push(format!(
                "GPT-J layout: head n_embd / n_head = {head}, first `rotary_dim` = {rotary} dimensions rotate, base 10000, {positions} positions (`n_positions`)"
            ));
        }
        t if !cfg.has("partial_rotary_factor")
            && !in_a_table(cfg, "partial_rotary_factor")
            && let Some((_, p, class)) = DEFAULT_PARTIAL.iter().find(|(m, ..)| *m == t) =>
        {
            set(
                &mut out,
                "partial_rotary_factor",
                json!(p),
                format!("no `partial_rotary_factor`: {class}'s default {p}"),
            )
        }
        "cohere2" => {
            let hidden = cfg.usize("hidden_size")?;
            let heads = cfg.usize("num_attention_heads")?;
            if let (Some(h), Some(n)) = (hidden, heads.filter(|n| *n > 0)) {
                if cfg.usize("head_dim")?.is_some_and(|d| d != h / n) {
                    out.warnings.push(format!(
                        "`head_dim` is replaced: Cohere2Config.__post_init__ sets it to hidden_size / num_attention_heads = {}",
                        h / n
                    ));
                }
                out.map.insert("head_dim".into(), json!(h / n));
            }
        }
        "minimax_m2" => minimax_m2(cfg, &mut out)?,
        "chatglm" if cfg.get("position_encoding_2d") == Some(&Value::Bool(true)) => {
            return Err(key(
                "position_encoding_2d",
                true,
                "ChatGLM-6B (the first version) rotates two positions per token (2-D RoPE), which this reader does not read",
            ));
        }
        "chatglm" => {
            let head = match cfg.usize("kv_channels")? {
                Some(k) => k,
                None => {
                    let hidden = cfg.require(
                        cfg.usize("hidden_size")?,
                        "hidden_size",
                        "without kv_channels, ChatGLM's head is hidden_size / num_attention_heads",
                    )?;
                    let heads = cfg.require(
                        cfg.usize("num_attention_heads")?,
                        "num_attention_heads",
                        "without kv_channels, ChatGLM's head is hidden_size / num_attention_heads",
                    )?;
                    if heads == 0 {
                        return Err(key("num_attention_heads", 0, "it must be positive"));
                    }
                    hidden / heads
                }
            };
            let ratio = cfg.f64("rope_ratio")?.unwrap_or(1.0);
            if !(ratio.is_finite() && ratio > 0.0) {
                return Err(key(
                    "rope_ratio",
                    ratio,
                    "it multiplies the base 10000: it must be positive and finite",
                ));
            }
            let length = cfg.require(
                cfg.usize("seq_length")?,
                "seq_length",
                "ChatGLM's context length is `seq_length`",
            )?;
            out.map.insert("head_dim".into(), json!(head));
            out.map.insert("partial_rotary_factor".into(), json!(0.5));
            out.map.insert("rope_theta".into(), json!(10000.0 * ratio));
            out.map
                .insert("max_position_embeddings".into(), json!(length));
            if let Some(layers) = cfg.usize("num_layers")? {
                out.map.insert("num_hidden_layers".into(), json!(layers));
            }
            out.notes.push(format!(
                "ChatGLM layout: head `kv_channels` = {head}, half of it rotates, base 10000 × `rope_ratio` ({ratio}), {length} positions (`seq_length`)"
            ));
        }
        "gemma3_text" => {
            for (k, v) in [
                ("head_dim", json!(256)),
                ("num_attention_heads", json!(8)),
                ("hidden_size", json!(2304)),
                ("num_hidden_layers", json!(26)),
                ("max_position_embeddings", json!(131072)),
            ] {
                if !cfg.has(k) {
                    out.notes
                        .push(format!("no `{k}`: Gemma3TextConfig's default {v}"));
                    out.map.insert(k.into(), v);
                }
            }
        }
        "llama4_text" => {
            for (k, v) in [
                ("attn_temperature_tuning", json!(true)),
                ("floor_scale", json!(8192)),
                ("attn_scale", json!(0.1)),
            ] {
                if !cfg.has(k) {
                    out.notes
                        .push(format!("no `{k}`: Llama4TextConfig's default {v}"));
                    out.map.insert(k.into(), v);
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// MiniMax M2 spells its rotated width `rotary_dim`: `MiniMaxM2Config.convert_rope_params_to_dict`
/// (transformers 5.24.0, `configuration_minimax_m2.py`) does
/// `kwargs.setdefault("partial_rotary_factor", rotary_dim / self.head_dim)` only when
/// `rotary_dim` is given, so a `partial_rotary_factor` in the file wins over it (and one in the
/// scaling table wins over both, as for every model, `RotaryEmbeddingConfigMixin.convert_rope_params_to_dict`);
/// without either, the whole head rotates. `head_dim` defaults to 128 (the class's field).
fn minimax_m2(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    let head = match cfg.get("head_dim") {
        None => {
            out.map.insert("head_dim".into(), json!(128));
            out.notes
                .push("no `head_dim`: MiniMaxM2Config's default 128".into());
            Some(128)
        }
        Some(_) => cfg.usize("head_dim")?,
    };
    let Some(rotary) = cfg.usize("rotary_dim")? else {
        out.notes
            .push("no `rotary_dim`: MiniMaxM2Config sets no partial_rotary_factor from it".into());
        return Ok(());
    };
    let head = match head {
        Some(0) | None => {
            return Err(key(
                "head_dim",
                cfg.get("head_dim").unwrap_or(&Value::Null),
                "MiniMaxM2Config divides rotary_dim by head_dim: it must be a positive whole number",
            ));
        }
        Some(h) => h,
    };
    if rotary > head {
        return Err(key(
            "rotary_dim",
            rotary,
            format!("it is the rotated part of a head of head_dim = {head}: it cannot be wider"),
        ));
    }
    let from_dim = rotary as f64 / head as f64;
    if in_a_table(cfg, "partial_rotary_factor") {
        out.warnings.push(format!(
            "`rotary_dim` = {rotary} is not read: the scaling table's `partial_rotary_factor` wins (`setdefault` in RotaryEmbeddingConfigMixin.convert_rope_params_to_dict)"
        ));
        return Ok(());
    }
    match cfg.get("partial_rotary_factor") {
        None => {
            out.map
                .insert("partial_rotary_factor".into(), json!(from_dim));
            out.notes.push(format!(
                "`rotary_dim` = {rotary} of head_dim {head}: partial_rotary_factor {rotary}/{head}, as MiniMaxM2Config sets it"
            ));
        }
        Some(v) if v.as_f64() != Some(from_dim) => out.warnings.push(format!(
            "`rotary_dim` = {rotary} is not read: the file's `partial_rotary_factor` ({v}) wins, as MiniMaxM2Config only sets it from rotary_dim / head_dim when it is absent"
        )),
        Some(_) => {}
    }
    Ok(())
}

/// Whether a scaling table of `cfg` (`rope_scaling` or `rope_parameters`) names `k`; the table's
/// own value wins over a class default copied in with `setdefault`, so no default is noted then.
fn in_a_table(cfg: Obj<'_>, k: &str) -> bool {
    ["rope_scaling", "rope_parameters"].iter().any(|t| {
        cfg.get(t)
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(k))
    })
}

/// The `rope_theta` a config class uses when the file gives none: its `default_theta`
/// (transformers 5.24.0, the table in `default_theta.rs`), looked up by `model_type` and, for the
/// vision-language configs whose text settings sit at the top level, by `model_type` + `_text`;
/// else the mixin's 10000. The second value is the class's base for sliding-window layers, where
/// it has one (Gemma 3).
pub(super) fn default_theta(model_type: &str) -> (f64, Option<f64>, String) {
    let text = format!("{model_type}_text");
    super::default_theta::DEFAULT_THETA
        .iter()
        .find(|(t, ..)| *t == model_type)
        .or_else(|| {
            super::default_theta::DEFAULT_THETA
                .iter()
                .find(|(t, ..)| *t == text)
        })
        .map(|&(t, full, local, file)| (full, local, format!("`default_theta` of `{t}` ({file})")))
        .unwrap_or((
            10000.0,
            None,
            "`RotaryEmbeddingConfigMixin.default_theta`".into(),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str, model_type: &str) -> Result<Normalized> {
        let map: Map<String, Value> = serde_json::from_str(text).unwrap();
        normalize(
            Obj {
                map: &map,
                name: "",
            },
            model_type,
        )
    }

    #[test]
    fn old_names_become_the_keys_the_reader_reads() {
        let n = norm(
            r#"{"rotary_pct": 0.25, "rotary_emb_base": 10000, "rope_theta": 5}"#,
            "gpt_neox",
        )
        .unwrap();
        assert_eq!(n.map["partial_rotary_factor"], json!(0.25));
        assert_eq!(n.map["rope_theta"], json!(10000.0));
        assert_eq!(n.warnings.len(), 1, "{:?}", n.warnings);
        let n = norm(r#"{}"#, "gpt_neox").unwrap();
        assert_eq!(n.map["partial_rotary_factor"], json!(0.25));
        assert_eq!(
            n.notes,
            [
                "no `rotary_emb_base`: GPTNeoXConfig's default 10000",
                "no `rotary_pct`: GPTNeoXConfig's default 0.25"
            ]
        );
        let n = norm(
            r#"{"n_embd": 4096, "n_head": 16, "rotary_dim": 64, "n_positions": 2048}"#,
            "gptj",
        )
        .unwrap();
        assert_eq!(
            (
                &n.map["head_dim"],
                &n.map["partial_rotary_factor"],
                &n.map["max_position_embeddings"]
            ),
            (&json!(256), &json!(0.25), &json!(2048))
        );
        assert!(
            norm(r#"{"n_embd": 64, "n_head": 2, "rotary_dim": null}"#, "gptj")
                .unwrap_err()
                .to_string()
                .starts_with("`rotary_dim` = null")
        );
        assert!(
            norm(
                r#"{"n_embd": 64, "n_head": 2, "rotary_dim": 64}"#,
                "codegen"
            )
            .unwrap_err()
            .to_string()
            .starts_with("`rotary_dim` = 64")
        );
        assert!(
            norm(r#"{"n_embd": 64, "n_head": 3}"#, "gptj")
                .unwrap_err()
                .to_string()
                .starts_with("`n_head` = 3")
        );
        // A rotary width equal to the head rotates all of it.
        let n = norm(r#"{"n_embd": 64, "n_head": 2, "rotary_dim": 32}"#, "gptj").unwrap();
        assert_eq!(n.map["partial_rotary_factor"], json!(1.0));
        let n = norm(
            r#"{"kv_channels": 128, "seq_length": 32768, "rope_ratio": 50}"#,
            "chatglm",
        )
        .unwrap();
        assert_eq!(n.map["rope_theta"], json!(500000.0));
        assert!(!n.map.contains_key("num_hidden_layers"));
        assert_eq!(n.map["partial_rotary_factor"], json!(0.5));
        let n = norm(
            r#"{"hidden_size": 4096, "num_attention_heads": 32, "seq_length": 8192}"#,
            "chatglm",
        )
        .unwrap();
        assert_eq!(n.map["head_dim"], json!(128));
        let n = norm(
            r#"{"kv_channels": 128, "seq_length": 8192, "num_layers": 28}"#,
            "chatglm",
        )
        .unwrap();
        assert_eq!(n.map["num_hidden_layers"], json!(28));
        assert!(norm(r#"{"kv_channels": 128}"#, "chatglm").is_err());
        assert!(
            norm(
                r#"{"kv_channels": 128, "seq_length": 8, "rope_ratio": 0}"#,
                "chatglm"
            )
            .is_err()
        );
        let n = norm(r#"{}"#, "phi").unwrap();
        assert_eq!(n.map["partial_rotary_factor"], json!(0.5));
        let n = norm(r#"{"partial_rotary_factor": 0.4}"#, "phi").unwrap();
        assert_eq!(n.map["partial_rotary_factor"], json!(0.4));
        assert!(n.notes.is_empty());
        let n = norm(
            r#"{"rope_parameters": {"rope_type": "default", "partial_rotary_factor": 0.25}}"#,
            "qwen3_5_text",
        )
        .unwrap();
        assert!(n.notes.is_empty(), "{:?}", n.notes);
        let n = norm(r#"{"rope_scaling": {"partial_rotary_factor": 0.3}}"#, "glm").unwrap();
        assert!(n.notes.is_empty(), "{:?}", n.notes);
        let n = norm(r#"{"num_attention_heads": 32}"#, "gemma3_text").unwrap();
        assert_eq!(n.map["num_attention_heads"], json!(32));
        assert_eq!(n.map["head_dim"], json!(256));
        assert_eq!(n.notes.len(), 4);
        let n = norm(r#"{"floor_scale": 4}"#, "llama4_text").unwrap();
        assert_eq!(n.map["floor_scale"], json!(4));
        assert_eq!(n.map["attn_scale"], json!(0.1));
    }

    #[test]
    fn class_default_theta() {
        assert_eq!(default_theta("olmo3").0, 500000.0);
        assert_eq!(default_theta("qwen2_5_vl").0, 1000000.0);
        assert_eq!(default_theta("gemma3_text").1, Some(10000.0));
        assert_eq!(default_theta("llama").0, 10000.0);
    }
}
