//! Older key names, as the reference reads them, turned into the keys the rest of the reader
//! reads (rules listed in module `legacy`).

use errors::key;
use serde_json::{Value, json};

use super::Obj;
use super::legacy::{Normalized, ignored, set};
use crate::Result;

/// GPT-NeoX and Pythia: the base from `rotary_emb_base`, the rotated fraction from `rotary_pct`
/// (`GPTNeoXConfig.convert_rope_params_to_dict`).
pub(super) fn gpt_neox(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    ignored(
        out,
        "rope_theta",
        "GPTNeoXConfig reads the base from `rotary_emb_base`",
    );
    ignored(
        out,
        "partial_rotary_factor",
        "GPTNeoXConfig reads the rotated fraction from `rotary_pct`",
    );
    let base = cfg.f64("rotary_emb_base")?;
    let pct = cfg.f64("rotary_pct")?;
    set(
        out,
        "rope_theta",
        json!(base.unwrap_or(10000.0)),
        match base {
            Some(b) => format!("base {b} from `rotary_emb_base` (GPT-NeoX's name)"),
            None => "no `rotary_emb_base`: GPTNeoXConfig's default 10000".into(),
        },
    );
    set(
        out,
        "partial_rotary_factor",
        json!(pct.unwrap_or(0.25)),
        match pct {
            Some(p) => format!("rotated fraction {p} from `rotary_pct` (GPT-NeoX's name)"),
            None => "no `rotary_pct`: GPTNeoXConfig's default 0.25".into(),
        },
    );
    Ok(())
}

/// GPT-J and CodeGen: the head from `n_embd` / `n_head`, the first `rotary_dim` dimensions
/// rotating with the base 10000 written in.
///
/// # Errors
/// A malformed key, or a `rotary_dim` that is null or wider than a head.
pub(super) fn gptj(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    let hidden = cfg.require(cfg.usize("n_embd")?, "n_embd", "GPT-J's width is `n_embd`")?;
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
        out,
        "rope_theta",
        "GPT-J's create_sinusoidal_positions has the base 10000 written in",
    );
    ignored(
        out,
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
    Ok(())
}

/// ChatGLM (remote code): `kv_channels`, `seq_length` and `rope_ratio`.
///
/// # Errors
/// The first ChatGLM-6B (`position_encoding_2d`), a missing length or head, a bad `rope_ratio`.
pub(super) fn chatglm(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
    if cfg.get("position_encoding_2d") == Some(&Value::Bool(true)) {
        return Err(key(
            "position_encoding_2d",
            true,
            "ChatGLM-6B (the first version) rotates two positions per token (2-D RoPE), which this reader does not read",
        ));
    }
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
    Ok(())
}
