//! MiniMax M2's rotated width.

use errors::key;
use serde_json::{Value, json};

use super::Obj;
use super::legacy::{Normalized, in_a_table};
use crate::Result;

/// MiniMax M2 spells its rotated width `rotary_dim`: `MiniMaxM2Config.convert_rope_params_to_dict`
/// (transformers 5.24.0, `configuration_minimax_m2.py`) does
/// `kwargs.setdefault("partial_rotary_factor", rotary_dim / self.head_dim)` only when
/// `rotary_dim` is given, so a `partial_rotary_factor` in the file wins over it (and one in the
/// scaling table wins over both, as for every model, `RotaryEmbeddingConfigMixin.convert_rope_params_to_dict`);
/// without either, the whole head rotates. `head_dim` defaults to 128 (the class's field).
pub(super) fn minimax_m2(cfg: Obj<'_>, out: &mut Normalized) -> Result<()> {
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
