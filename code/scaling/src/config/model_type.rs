//! The text model's `model_type`, as the reference's config classes settle it (transformers
//! 5.24.0): the text config's own, else the outer config's, with the rewrites some multimodal
//! classes apply.

use errors::key;
use serde_json::Value;

use super::Obj;
use crate::Result;

/// The `model_type` the reader follows for the text config `cfg` of the outer config `top` (the
/// same object when there is no `text_config`); each rewrite is noted.
///
/// # Errors
/// A `model_type` that is not a string, or an EXAONE 4.5 `text_config` without one.
pub(super) fn resolve(top: Obj<'_>, cfg: Obj<'_>, notes: &mut Vec<String>) -> Result<String> {
    let outer = match top.get("model_type") {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    let nested = cfg.name == "text_config";
    // `Exaone4_5_Config.__post_init__` reads `text_config["model_type"]` before anything else
    // (`configuration_exaone4_5.py`), so a text config without one fails with a `KeyError`.
    if nested && outer == "exaone4_5" && !cfg.has("model_type") {
        return Err(cfg.missing(
            "model_type",
            "Exaone4_5_Config.__post_init__ reads text_config[\"model_type\"] and fails without it (KeyError)",
        ));
    }
    let mut model_type = match cfg.get("model_type").or_else(|| top.get("model_type")) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(key(cfg.path("model_type"), v, "it must be a string")),
    };
    // Kimi K2's text model is DeepSeek-V3's: `Kimi_K25Config.__post_init__` rewrites a `kimi_k2`
    // text config to `deepseek_v3`.
    if model_type == "kimi_k2" {
        notes.push("model_type kimi_k2 read as deepseek_v3, as Kimi_K25Config rewrites it".into());
        model_type = "deepseek_v3".into();
    }
    // EXAONE 4.5's text model is EXAONE 4's: `Exaone4_5_Config.__post_init__` rewrites
    // `exaone4_5_text` to `exaone4`.
    if model_type == "exaone4_5_text" {
        notes.push(format!(
            "model_type {model_type} read as exaone4, as Exaone4_5_Config rewrites it"
        ));
        model_type = "exaone4".into();
    }
    // `MllamaConfig.sub_configs_defaults` builds the text config with `MllamaTextConfig` itself
    // (`configuration_mllama.py`), whatever model type the table names.
    if nested && outer == "mllama" && model_type != "mllama_text_model" {
        notes.push(format!(
            "text config read as mllama_text_model, as MllamaConfig builds it with MllamaTextConfig (the table names {})",
            cfg.get("model_type").unwrap_or(&Value::Null)
        ));
        model_type = "mllama_text_model".into();
    }
    Ok(model_type)
}
