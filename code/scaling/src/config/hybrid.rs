//! Hybrid and attention-free model classes: which layers attend at all, and which of those
//! rotate. Each rule follows the config class that lays the layers out and the modeling code that
//! decides whether a layer receives RoPE, in Hugging Face transformers' repository as read for
//! this round (the file and commit are named beside each rule; `main` of
//! `huggingface/transformers` as the search index of this project's tooling holds it):
//!
//! - `mamba`, `falcon_mamba`, `mamba2`: every layer is a state-space mixer and nothing attends
//!   (`modeling_mamba.py`, `MambaBlock.__init__`: a norm and one `MambaMixer`; Falcon Mamba and
//!   Mamba-2 build the same block around their own mixer);
//! - `jamba`: `JambaConfig.layers_block_type` (`configuration_jamba.py` at `161d2be`), layer `i`
//!   attends when `i % attn_layer_period == attn_layer_offset` (defaults 8 and 4; an offset not
//!   below the period is refused by `_check_supported_offset`), the others are Mamba layers; its
//!   attention applies no rotary embedding (`modular_jamba.py` at `0159620`,
//!   `JambaAttention.forward` projects, caches and attends, with no `position_embeddings`);
//! - `nemotron_h` (Nemotron-H, Nemotron 3): `layers_block_type`, else `hybrid_override_pattern`
//!   with `M` Mamba-2, `*` attention, `-` MLP and `E` mixture of experts
//!   (`configuration_nemotron_h.py` at `13923c6`, `NemotronHConfig._pattern_to_list`; the legacy
//!   names `mamba` and `attention` are remapped, `remap_legacy_layer_types`); its attention is
//!   Jamba's, with no rotary embedding (`modular_nemotron_h.py` at `008d9e9`,
//!   `NemotronHAttention(JambaAttention)`);
//! - `granitemoehybrid` (Granite 4 hybrids): `layer_types` of `mamba` and `attention`, all Mamba
//!   when absent (`configuration_granitemoehybrid.py` at `4f7e1d4`, `layers_block_type`); the
//!   attention layers rotate only when `position_embedding_type` is `"rope"` (`GraniteMoeModel`
//!   builds `rotary_emb` only then, and `GraniteMoeHybridModel.forward` passes `None` otherwise,
//!   `modular_granitemoehybrid.py` at `403a367`);
//! - `falcon_h1`: every layer runs attention and a Mamba-2 mixer side by side on the same input
//!   (`FalconH1DecoderLayer` holds `self.mamba` and `self.self_attn`; `FalconH1Config.layers_block_type`
//!   is `attention` for every layer, `configuration_falcon_h1.py` at `7abb76c`), and the
//!   attention rotates;
//! - `lfm2`: `layer_types` of `conv` and `full_attention`, else `full_attn_idxs` (default: every
//!   layer attends; `configuration_lfm2.py` at `4f7e1d4`); the attention layers rotate
//!   (`Lfm2Attention.forward` takes `position_embeddings`), the short-convolution layers do not
//!   attend;
//! - `mllama_text_model` (Llama 3.2 Vision's text model): the layers listed in
//!   `cross_attention_layers` attend to the image tokens with no rotary embedding
//!   (`modeling_mllama.py` at `befb795`, `MllamaTextCrossSdpaAttention.forward` never calls
//!   `apply_rotary_pos_emb`), the others are self-attention layers that rotate
//!   (`MllamaTextSelfAttention.forward`).

use errors::key;
use serde_json::Value;

use super::Obj;
use crate::Result;

/// What a layer does with the other tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mixer {
    /// Self-attention: it may rotate (see [`super::LayerGroup::rope`]) or see no position.
    Attention,
    /// Attention to another stream (Llama 3.2 Vision's image tokens): no RoPE.
    CrossAttention,
    /// A state-space (Mamba) mixer: a recurrence over the tokens in order, no attention.
    StateSpace,
    /// A short causal convolution over the last few tokens (LFM2's `conv`), no attention.
    Convolution,
    /// Linear attention (Qwen3.5's Gated DeltaNet layers): a recurrence, no softmax attention.
    LinearAttention,
    /// Attention and a state-space mixer side by side in one layer (Falcon-H1).
    AttentionAndStateSpace,
    /// An MLP or mixture of experts alone: the layer mixes no tokens (Nemotron-H's `-` and `E`).
    MlpOnly,
}

impl Mixer {
    /// The short name the reports print.
    ///
    /// ```
    /// use scaling::config::Mixer;
    /// assert_eq!(Mixer::StateSpace.name(), "state-space");
    /// assert!(Mixer::AttentionAndStateSpace.attends() && !Mixer::Convolution.attends());
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Mixer::Attention => "attention",
            Mixer::CrossAttention => "cross-attention",
            Mixer::StateSpace => "state-space",
            Mixer::Convolution => "convolution",
            Mixer::LinearAttention => "linear attention",
            Mixer::AttentionAndStateSpace => "attention + state-space",
            Mixer::MlpOnly => "MLP only",
        }
    }

    /// Whether the layer has softmax attention over the text, the only place RoPE can act.
    pub fn attends(&self) -> bool {
        matches!(self, Mixer::Attention | Mixer::AttentionAndStateSpace)
    }
}

/// One layer: its kind's name, its mixer, and `Some(why)` when it carries no position encoding.
pub(super) type Layer = (String, Mixer, Option<String>);

/// The model types this module lays out.
pub(super) const MODEL_TYPES: [&str; 9] = [
    "mamba",
    "falcon_mamba",
    "mamba2",
    "jamba",
    "nemotron_h",
    "granitemoehybrid",
    "falcon_h1",
    "lfm2",
    "mllama_text_model",
];

/// The model types whose every layer is of one kind, so that a config without
/// `num_hidden_layers` is read as one kind covering all layers.
pub(super) const UNIFORM: [&str; 4] = ["mamba", "falcon_mamba", "mamba2", "falcon_h1"];

/// Keys each hybrid rule reads (the guard passes them in silence for these model types, and
/// names them for any other).
pub(super) const KEYS: [(&str, &[&str]); 7] = [
    ("attn_layer_period", &["jamba"]),
    ("attn_layer_offset", &["jamba"]),
    ("hybrid_override_pattern", &["nemotron_h"]),
    (
        "layers_block_type",
        &["nemotron_h", "jamba", "granitemoehybrid"],
    ),
    ("position_embedding_type", &["granitemoehybrid"]),
    ("full_attn_idxs", &["lfm2"]),
    ("cross_attention_layers", &["mllama_text_model"]),
];

const SSM: &str = "a state-space (Mamba) layer: no attention, so no position encoding";

/// The layers of a model of one of [`MODEL_TYPES`], or `None` for any other type. `n` is
/// `num_hidden_layers` (bounded by the caller).
///
/// # Errors
/// A malformed layer list, pattern, period or index list, or one that does not match `n`.
pub(super) fn layers(
    cfg: Obj<'_>,
    model_type: &str,
    n: Option<usize>,
) -> Result<Option<Vec<Layer>>> {
    let need = || {
        cfg.require(
            n,
            "num_hidden_layers",
            "the layer pattern is laid out over num_hidden_layers",
        )
    };
    let layer = |name: &str, mixer: Mixer, why: Option<&str>| -> Layer {
        (name.to_string(), mixer, why.map(str::to_string))
    };
    Ok(Some(match model_type {
        "mamba" | "falcon_mamba" | "mamba2" => (0..n.unwrap_or(1))
            .map(|_| layer("mamba", Mixer::StateSpace, Some(SSM)))
            .collect(),
        "jamba" => {
            let period = whole(cfg, "attn_layer_period", 8, 1)?;
            let offset = whole(cfg, "attn_layer_offset", 4, 0)?;
            if offset >= period {
                return Err(key(
                    cfg.path("attn_layer_offset"),
                    offset,
                    format!("JambaConfig refuses an offset not below attn_layer_period = {period}"),
                ));
            }
            (0..need()?)
                .map(|i| {
                    if i % period == offset {
                        layer(
                            "attention",
                            Mixer::Attention,
                            Some("Jamba's attention applies no rotary embedding (JambaAttention.forward)"),
                        )
                    } else {
                        layer("mamba", Mixer::StateSpace, Some(SSM))
                    }
                })
                .collect()
        }
        "nemotron_h" => nemotron_h(cfg, n)?,
        "granitemoehybrid" => {
            let rope = cfg.get("position_embedding_type") == Some(&Value::String("rope".into()));
            let why = format!(
                "position_embedding_type is {}, not \"rope\": GraniteMoeHybridModel builds no rotary embedding",
                cfg.get("position_embedding_type").unwrap_or(&Value::Null)
            );
            let names = match list(cfg, &["layer_types", "layers_block_type"], n)? {
                Some(names) => names,
                None => vec!["mamba".to_string(); need()?],
            };
            names
                .iter()
                .map(|t| match t.as_str() {
                    "mamba" => Ok(layer("mamba", Mixer::StateSpace, Some(SSM))),
                    "attention" => Ok(layer(
                        "attention",
                        Mixer::Attention,
                        (!rope).then_some(why.as_str()),
                    )),
                    other => Err(key(
                        cfg.path("layer_types"),
                        format!("\"{other}\""),
                        "GraniteMoeHybridConfig accepts only \"mamba\" and \"attention\"",
                    )),
                })
                .collect::<Result<_>>()?
        }
        "falcon_h1" => (0..n.unwrap_or(1))
            .map(|_| layer("attention", Mixer::AttentionAndStateSpace, None))
            .collect(),
        "lfm2" => {
            let names = match list(cfg, &["layer_types"], n)? {
                Some(names) => names,
                None => {
                    let n = need()?;
                    let attends = indices(cfg, "full_attn_idxs", n)?;
                    (0..n)
                        .map(|i| match &attends {
                            Some(a) if !a.contains(&i) => "conv".to_string(),
                            _ => "full_attention".to_string(),
                        })
                        .collect()
                }
            };
            names
                .iter()
                .map(|t| match t.as_str() {
                    "conv" => layer(
                        "conv",
                        Mixer::Convolution,
                        Some("a short-convolution layer (Lfm2ShortConv): no attention, so no position encoding"),
                    ),
                    other => layer(other, Mixer::Attention, None),
                })
                .collect()
        }
        "mllama_text_model" => {
            let n = need()?;
            let cross = indices(cfg, "cross_attention_layers", n)?.unwrap_or_default();
            (0..n)
                .map(|i| {
                    if cross.contains(&i) {
                        layer(
                            "cross_attention",
                            Mixer::CrossAttention,
                            Some("attends to the image tokens with no rotary embedding (MllamaTextCrossAttention)"),
                        )
                    } else {
                        layer("full_attention", Mixer::Attention, None)
                    }
                })
                .collect()
        }
        _ => return Ok(None),
    }))
}

/// Nemotron-H's layers: `layers_block_type` (legacy names remapped), else
/// `hybrid_override_pattern`, else the class's default of four layers.
fn nemotron_h(cfg: Obj<'_>, n: Option<usize>) -> Result<Vec<Layer>> {
    let names = match list(cfg, &["layers_block_type", "layer_types"], None)? {
        Some(names) => names
            .into_iter()
            .map(|t| match t.as_str() {
                "mamba" => "linear_attention".to_string(),
                "attention" => "full_attention".to_string(),
                _ => t,
            })
            .collect(),
        None => match cfg.get("hybrid_override_pattern") {
            None | Some(Value::Null) => ["linear_attention", "moe", "full_attention", "mlp"]
                .map(str::to_string)
                .to_vec(),
            Some(Value::String(p)) => p
                .chars()
                .map(|c| match c {
                    'M' => Ok("linear_attention".to_string()),
                    'E' => Ok("moe".to_string()),
                    '*' => Ok("full_attention".to_string()),
                    '-' => Ok("mlp".to_string()),
                    other => Err(key(
                        cfg.path("hybrid_override_pattern"),
                        format!("{p:?}"),
                        format!("its letters are M, E, * and - (NemotronHConfig._pattern_to_list); {other:?} is none of them"),
                    )),
                })
                .collect::<Result<_>>()?,
            Some(v) => {
                return Err(key(
                    cfg.path("hybrid_override_pattern"),
                    v,
                    "it must be a string of M, E, * and -",
                ));
            }
        },
    };
    // `num_hidden_layers` is deprecated here: the reference counts the list (and warns when the
    // two differ), so `n` is not checked against it.
    let _ = n;
    names
        .into_iter()
        .map(|t| {
            let (mixer, why) = match t.as_str() {
                "linear_attention" => (Mixer::StateSpace, Some(SSM.to_string())),
                "full_attention" => (
                    Mixer::Attention,
                    Some("Nemotron-H's attention is Jamba's: no rotary embedding (NemotronHAttention)".to_string()),
                ),
                "moe" | "mlp" => (
                    Mixer::MlpOnly,
                    Some("an MLP or mixture-of-experts layer: it mixes no tokens".to_string()),
                ),
                other => {
                    return Err(key(
                        cfg.path("layers_block_type"),
                        format!("\"{other}\""),
                        "NemotronHConfig accepts full_attention, linear_attention, moe and mlp",
                    ));
                }
            };
            Ok((t, mixer, why))
        })
        .collect()
}

/// A whole number of at least `min` under `k`, or `default` when absent or null.
fn whole(cfg: Obj<'_>, k: &str, default: usize, min: usize) -> Result<usize> {
    match cfg.usize(k)? {
        None => Ok(default),
        Some(v) if v < min => Err(key(cfg.path(k), v, format!("it must be at least {min}"))),
        Some(v) => Ok(v),
    }
}

/// The first of `names` that holds a list of strings, checked against `n` layers.
fn list(cfg: Obj<'_>, names: &[&str], n: Option<usize>) -> Result<Option<Vec<String>>> {
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
                return Ok(Some(out));
            }
            Some(v) => return Err(key(cfg.path(k), v, "it must be a list of layer kinds")),
        }
    }
    Ok(None)
}

/// A list of layer indices under `k`, each below `n`; `None` when absent or null.
fn indices(cfg: Obj<'_>, k: &str, n: usize) -> Result<Option<Vec<usize>>> {
    match cfg.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|i| *i < n)
                    .ok_or_else(|| {
                        key(
                            cfg.path(k),
                            x,
                            format!(
                                "every entry must be a layer index below num_hidden_layers = {n}"
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(v) => Err(key(cfg.path(k), v, "it must be a list of layer indices")),
    }
}
