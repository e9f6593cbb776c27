//! Hybrid and attention-free model classes: which layers attend at all, and which of those
//! rotate. Each rule follows the config class that lays the layers out and the modeling code that
//! decides whether a layer receives RoPE, as read in Hugging Face transformers 5.24.0 (the wheel
//! the fixtures' README names; files under `transformers/models/<type>/`):
//!
//! - `mamba`, `falcon_mamba`, `mamba2`: every layer is a state-space mixer and nothing attends
//!   (`modeling_mamba.py`, `MambaBlock.__init__`: a norm and one `MambaMixer`; `FalconMambaBlock`
//!   and `Mamba2Block` build the same block around their own mixer); `num_hidden_layers`
//!   defaults to 32 (`MambaConfig`, `FalconMambaConfig`) and 64 (`Mamba2Config`); `layer_types`
//!   is a read-only property of each class (`linear_attention` for every layer), so a file that
//!   sets it fails to load and the reader refuses it, and the layers are named as it names them;
//! - `jamba`: layer `i` attends when `i % attn_layer_period == attn_layer_offset` (defaults 8
//!   and 4, 32 layers; `JambaConfig.validate_architecture` refuses an offset not below the
//!   period), the others are Mamba layers; `JambaConfig.layers_block_type` and `layer_types` are
//!   read-only properties computed from those keys, so a file that sets either fails to load
//!   (`PreTrainedConfig.__post_init__` assigns every extra key with `setattr` and re-raises the
//!   `AttributeError`), and the reader refuses it too; its attention applies no rotary embedding
//!   (`modeling_jamba.py`, `JambaAttention.forward` projects, caches and attends, with no
//!   `position_embeddings`);
//! - `nemotron_h` (Nemotron-H, Nemotron 3): `NemotronHConfig.__post_init__` takes
//!   `layers_block_type` (a field; `layer_types`, its `attribute_map` alias, is assigned after it
//!   and wins), else `hybrid_override_pattern` through `_pattern_to_list` (`M` Mamba-2, `*`
//!   attention, `-` MLP, `E` mixture of experts), else four layers; the legacy names `mamba` and
//!   `attention` are remapped (`configuration_utils.py`, `remap_legacy_layer_types`); the layer
//!   count is the list's (`num_hidden_layers` is a property over it); its attention applies no
//!   rotary embedding (`modeling_nemotron_h.py`, `NemotronHAttention.forward`);
//! - `granitemoehybrid` (Granite 4 hybrids): `layer_types` (or `layers_block_type`, its
//!   `attribute_map` alias, which `PreTrainedConfig.__post_init__` assigns after the field and so
//!   wins), all `linear_attention` when absent (`GraniteMoeHybridConfig.__post_init__`, 32
//!   layers by default), legacy names remapped by `remap_legacy_layer_types`; a layer is Mamba
//!   when its type is `linear_attention`, attention otherwise (`GraniteMoeHybridDecoderLayer`),
//!   and `GraniteMoeHybridModel.forward` has masks for those two types only; the attention
//!   layers rotate only when `position_embedding_type` is `"rope"` (`GraniteMoeHybridModel`
//!   builds `rotary_emb` only then and passes `None` otherwise, `modeling_granitemoehybrid.py`);
//! - `falcon_h1`: every layer runs attention and a Mamba-2 mixer side by side on the same input
//!   (`FalconH1DecoderLayer.__init__` builds `self.mamba` and `self.self_attn`;
//!   `FalconH1Config.layers_block_type` is a read-only property, `"hybrid"` for each of the
//!   `num_hidden_layers`, default 32, so a file that sets it or its alias `layer_types` fails to
//!   load, as for Jamba), and the attention rotates (`FalconH1Model` builds one `rotary_emb`);
//! - `lfm2`: `layer_types` of `conv` and `full_attention`, else `full_attn_idxs` (default: every
//!   layer attends; `Lfm2Config.__post_init__`, 32 layers by default); `Lfm2Model.forward` has a
//!   mask for those two kinds only, so any other kind is refused; the attention layers rotate
//!   (`Lfm2Attention.forward` takes `position_embeddings`), the short-convolution layers do not
//!   attend;
//! - `mllama_text_model` (Llama 3.2 Vision's text model): the layers listed in
//!   `cross_attention_layers` (default `[3, 8, 13, 18, 23, 28, 33, 38]` of 40 layers,
//!   `MllamaTextConfig.__post_init__`) attend to the image tokens with no rotary embedding
//!   (`modeling_mllama.py`, `MllamaTextCrossAttention.forward` never calls
//!   `apply_rotary_pos_emb`), the others are self-attention layers that rotate
//!   (`MllamaTextSelfAttention.forward`).

use errors::key;
use serde_json::Value;

use super::Obj;
use super::lists::{indices, list, null_alias, remap, whole};
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

/// `num_hidden_layers` of each config class above when the file gives none (its dataclass field's
/// default in transformers 5.24.0); Nemotron-H counts its layer list instead.
pub(super) const LAYER_DEFAULTS: [(&str, usize, &str); 8] = [
    ("mamba", 32, "MambaConfig"),
    ("falcon_mamba", 32, "FalconMambaConfig"),
    ("mamba2", 64, "Mamba2Config"),
    ("jamba", 32, "JambaConfig"),
    ("granitemoehybrid", 32, "GraniteMoeHybridConfig"),
    ("falcon_h1", 32, "FalconH1Config"),
    ("lfm2", 32, "Lfm2Config"),
    ("mllama_text_model", 40, "MllamaTextConfig"),
];

/// `MllamaTextConfig.__post_init__`'s `cross_attention_layers` when the file gives none.
pub(super) const MLLAMA_CROSS: [usize; 8] = [3, 8, 13, 18, 23, 28, 33, 38];

/// Keys each hybrid rule reads (the guard passes them in silence for these model types, and
/// names them for any other).
pub(super) const KEYS: [(&str, &[&str]); 7] = [
    ("attn_layer_period", &["jamba"]),
    ("attn_layer_offset", &["jamba"]),
    ("hybrid_override_pattern", &["nemotron_h"]),
    ("layers_block_type", &["nemotron_h", "granitemoehybrid"]),
    ("position_embedding_type", &["granitemoehybrid"]),
    ("full_attn_idxs", &["lfm2"]),
    ("cross_attention_layers", &["mllama_text_model"]),
];

const SSM: &str = "a state-space (Mamba) layer: no attention, so no position encoding";

/// The layers of a model of one of [`MODEL_TYPES`], or `None` for any other type. `n` is
/// `num_hidden_layers` (bounded by the caller; the class default is filled in before, see
/// [`LAYER_DEFAULTS`]). What the reference ignores without a word goes to `warnings`.
///
/// # Errors
/// A malformed layer list, pattern, period or index list, one that does not match `n`, or a key
/// the reference refuses to set.
pub(super) fn layers(
    cfg: Obj<'_>,
    model_type: &str,
    n: Option<usize>,
    warnings: &mut Vec<String>,
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
    // Read-only properties (transformers 5.24.0): `MambaConfig.layer_types` and its siblings'
    // (`configuration_mamba.py`, `configuration_falcon_mamba.py`, `configuration_mamba2.py`),
    // `JambaConfig.layers_block_type` and `layer_types`, `FalconH1Config.layers_block_type` (and
    // `layer_types`, its `attribute_map` alias).
    let (class, read_only): (&str, &[&str]) = match model_type {
        "mamba" => ("MambaConfig", &["layer_types"]),
        "falcon_mamba" => ("FalconMambaConfig", &["layer_types"]),
        "mamba2" => ("Mamba2Config", &["layer_types"]),
        "jamba" => ("JambaConfig", &["layers_block_type", "layer_types"]),
        "falcon_h1" => ("FalconH1Config", &["layers_block_type", "layer_types"]),
        _ => ("", &[]),
    };
    if let Some(k) = read_only.iter().find(|k| cfg.has(k)) {
        return Err(key(
            cfg.path(k),
            cfg.get(k).unwrap_or(&Value::Null),
            format!(
                "{class} computes its layer kinds in a read-only property, and PreTrainedConfig.__post_init__ fails to set it (AttributeError)"
            ),
        ));
    }
    Ok(Some(match model_type {
        "mamba" | "falcon_mamba" | "mamba2" => (0..need()?)
            .map(|_| layer("linear_attention", Mixer::StateSpace, Some(SSM)))
            .collect(),
        "jamba" => {
            let period = whole(cfg, "attn_layer_period", 8, 1)?;
            let offset = whole(cfg, "attn_layer_offset", 4, 0)?;
            if offset >= period {
                return Err(key(
                    cfg.path("attn_layer_offset"),
                    offset,
                    format!(
                        "JambaConfig.validate_architecture refuses an offset not below attn_layer_period = {period}"
                    ),
                ));
            }
            (0..need()?)
                .map(|i| {
                    if i % period == offset {
                        layer(
                            "full_attention",
                            Mixer::Attention,
                            Some("Jamba's attention applies no rotary embedding (JambaAttention.forward)"),
                        )
                    } else {
                        layer("linear_attention", Mixer::StateSpace, Some(SSM))
                    }
                })
                .collect()
        }
        "nemotron_h" => nemotron_h(cfg)?,
        "granitemoehybrid" => granite(cfg, need()?)?,
        "falcon_h1" => (0..need()?)
            .map(|_| layer("hybrid", Mixer::AttentionAndStateSpace, None))
            .collect(),
        "lfm2" => {
            let names = match list(cfg, &["layer_types"], n)? {
                Some((_, names)) => names,
                None => {
                    let n = need()?;
                    let attends = indices(
                        cfg,
                        "full_attn_idxs",
                        n,
                        "Lfm2Config.__post_init__",
                        warnings,
                    )?;
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
                .map(|t| match remap(t) {
                    "conv" => Ok(layer(
                        "conv",
                        Mixer::Convolution,
                        Some("a short-convolution layer (Lfm2ShortConv): no attention, so no position encoding"),
                    )),
                    "full_attention" => Ok(layer("full_attention", Mixer::Attention, None)),
                    other => Err(key(
                        cfg.path("layer_types"),
                        format!("\"{other}\""),
                        "Lfm2Model.forward has masks for \"full_attention\" and \"conv\" only",
                    )),
                })
                .collect::<Result<_>>()?
        }
        "mllama_text_model" => {
            let n = need()?;
            let cross = match indices(
                cfg,
                "cross_attention_layers",
                n,
                "MllamaTextModel.__init__",
                warnings,
            )? {
                Some(c) => c,
                None => MLLAMA_CROSS.to_vec(),
            };
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

/// The Granite 4 hybrids' layers over `n` layers: `layers_block_type` (assigned last, so it
/// wins), else `layer_types`, else all Mamba; legacy names remapped.
fn granite(cfg: Obj<'_>, n: usize) -> Result<Vec<Layer>> {
    let rope = cfg.get("position_embedding_type") == Some(&Value::String("rope".into()));
    let why = format!(
        "position_embedding_type is {}, not \"rope\": GraniteMoeHybridModel builds no rotary embedding",
        cfg.get("position_embedding_type").unwrap_or(&Value::Null)
    );
    null_alias(cfg, "layers_block_type", "GraniteMoeHybridConfig")?;
    let (k, names) = match list(cfg, &["layers_block_type", "layer_types"], Some(n))? {
        Some(found) => found,
        None => ("layer_types", vec!["linear_attention".to_string(); n]),
    };
    names
        .iter()
        .map(|t| match remap(t) {
            "linear_attention" => Ok(("linear_attention".into(), Mixer::StateSpace, Some(SSM.into()))),
            "full_attention" => Ok((
                "full_attention".into(),
                Mixer::Attention,
                (!rope).then(|| why.clone()),
            )),
            other => Err(key(
                cfg.path(k),
                format!("\"{other}\""),
                "GraniteMoeHybridModel.forward has masks only for \"linear_attention\" (legacy \"mamba\") and \"full_attention\" (legacy \"attention\")",
            )),
        })
        .collect()
}

/// Nemotron-H's layers: `layer_types` (the alias, assigned after the field), else
/// `layers_block_type`, else `hybrid_override_pattern`, else the class's default of four layers;
/// legacy names remapped.
fn nemotron_h(cfg: Obj<'_>) -> Result<Vec<Layer>> {
    null_alias(cfg, "layer_types", "NemotronHConfig")?;
    let (k, names) = match list(cfg, &["layer_types", "layers_block_type"], None)? {
        Some((k, names)) => (k, names.iter().map(|t| remap(t).to_string()).collect()),
        None => match cfg.get("hybrid_override_pattern") {
            None => (
                "layers_block_type",
                ["linear_attention", "moe", "full_attention", "mlp"]
                    .map(str::to_string)
                    .to_vec(),
            ),
            Some(Value::String(p)) => (
                "hybrid_override_pattern",
                p.chars()
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
            ),
            Some(v) => {
                return Err(key(
                    cfg.path("hybrid_override_pattern"),
                    v,
                    "NemotronHConfig._pattern_to_list reads it letter by letter: it must be a string of M, E, * and -",
                ));
            }
        },
    };
    // `num_hidden_layers` is a property over the list here (the file's value is ignored, with a
    // warning from the reference when it differs), so it is not checked against the list.
    names
        .into_iter()
        .map(|t| {
            let (mixer, why) = match t.as_str() {
                "linear_attention" => (Mixer::StateSpace, Some(SSM.to_string())),
                "full_attention" => (
                    Mixer::Attention,
                    Some("Nemotron-H's attention applies no rotary embedding (NemotronHAttention.forward)".to_string()),
                ),
                "moe" | "mlp" => (
                    Mixer::MlpOnly,
                    Some("an MLP or mixture-of-experts layer: it mixes no tokens".to_string()),
                ),
                other => {
                    return Err(key(
                        cfg.path(k),
                        format!("\"{other}\""),
                        "NemotronHConfig.validate_layer_type accepts full_attention, linear_attention, moe and mlp (and the legacy mamba and attention)",
                    ));
                }
            };
            Ok((t, mixer, why))
        })
        .collect()
}
