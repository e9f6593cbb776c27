//! Reading a Hugging Face `config.json`: the rotary settings and the scaling scheme, per kind of
//! layer.
//!
//! Keys read: `rope_theta` (also inside `rope_parameters`), `head_dim` or `hidden_size` /
//! `num_attention_heads` (or, for multi-head latent attention, `qk_rope_head_dim` and
//! `qk_nope_head_dim`), `partial_rotary_factor`, `max_position_embeddings`,
//! `original_max_position_embeddings` (Phi-3 puts it at the top level), and the scaling table under
//! `rope_parameters` (transformers 5) or `rope_scaling` (earlier), with its kind in `rope_type` or,
//! in older files, `type`. A multimodal config's text settings are read from its `text_config`.
//! Layer kinds come from `layer_types` or the model class's pattern (module `layers`), from the
//! hybrid and attention-free classes' own keys (module `hybrid`), or, for DeepSeek V4 and MiMo V2,
//! from their own layouts turned into one table per layer kind (modules `deepseek_v4`, `mimo`);
//! older key names and class defaults come from module `legacy`. Every error names the key, with its table where it lives in
//! one (`rope_scaling.factor`).
//!
//! Where a setting may live in two places, the reader applies the precedence of Hugging Face
//! transformers 5.24.0 (`configuration_utils.py`, `PreTrainedConfig.__post_init__`, and
//! `modeling_rope_utils.py`, `RotaryEmbeddingConfigMixin.convert_rope_params_to_dict` and
//! `standardize_rope_params`); `tests/precedence.rs` holds one fixture per rule. [`read`] also
//! names what a model without RoPE uses instead ([`Positions`]). A key that looks
//! position-related but that no rule reads is named in a warning (module `guard`).

use errors::{Error, key};
use serde_json::Value;

use crate::{Base, LogitScale, Result, Scheme};

mod deepseek_v4;
mod default_theta;
mod extras;
mod family;
mod guard;
mod hybrid;
pub(crate) mod keys;
mod layers;
mod legacy;
mod lists;
mod mimo;
mod model_type;
mod pyjson;
mod reading;
mod schemes;

pub use extras::MropeSplit;
pub use family::Positions;
pub use hybrid::Mixer;

use keys::Obj;
use reading::reading;

/// A model's rotary setup as read from its config.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRope {
    /// The config's `model_type` (the text model's, for a multimodal config; empty when it gives
    /// none).
    pub model_type: String,
    /// The unscaled setup of the main rotating layers (the full-attention layers where layers
    /// differ, else the first kind that rotates).
    pub base: Base,
    /// Their scaling scheme (`Scheme::Default` when there is none).
    pub scheme: Scheme,
    /// Their softmax scale of the attention logits, beside the cos/sin factor the scheme gives.
    pub logits: LogitScale,
    /// Every kind of layer, with its count and its reading (or why it does not rotate).
    pub layers: Vec<LayerGroup>,
    /// What else the model does with positions that the reader found: the M-RoPE split, a
    /// position-dependent query temperature, the multi-head latent attention split.
    pub extras: Vec<String>,
    /// M-RoPE's split of the rotated pairs (`mrope_section`, `mrope_interleaved`), if the config
    /// gives one; [`ModelRope::extras`] says the same in a sentence.
    pub mrope: Option<MropeSplit>,
    /// Notes about where values came from (defaults filled in, old names translated).
    pub notes: Vec<String>,
    /// What the reference would warn about, and keys no rule reads.
    pub warnings: Vec<String>,
}

/// One kind of layer: its name in `layer_types`, how many layers have it, and its RoPE.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerGroup {
    /// `full_attention`, `sliding_attention`, …
    pub layer_type: String,
    /// How many layers (0 when the config gives no `num_hidden_layers`: all of them).
    pub count: usize,
    /// What the layer does with the other tokens: attention, a state-space mixer, …
    pub mixer: Mixer,
    /// The rotary setup, or `None` for layers with no position encoding.
    pub rope: Option<LayerRope>,
    /// Where the reading comes from, or why there is none.
    pub source: String,
}

/// A model none of whose layers rotates: an attention-free model (Mamba), or a hybrid whose
/// attention layers see no position (Jamba, Nemotron-H), read per kind of layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Layered {
    /// The config's `model_type` (the text model's, for a multimodal config).
    pub model_type: String,
    /// Every kind of layer, with its count and why it carries no position encoding.
    pub layers: Vec<LayerGroup>,
    /// Notes about where values came from.
    pub notes: Vec<String>,
    /// Keys no rule reads, and what the reference would warn about.
    pub warnings: Vec<String>,
}

impl Layered {
    /// Whether any layer attends (a hybrid without position encoding) or none does (an
    /// attention-free model).
    pub fn attends(&self) -> bool {
        self.layers.iter().any(|g| g.mixer.attends())
    }
}

/// The rotary setup of one kind of layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerRope {
    /// The unscaled setup.
    pub base: Base,
    /// The scaling scheme.
    pub scheme: Scheme,
    /// The softmax scale of the attention logits.
    pub logits: LogitScale,
}

const ORIGINAL: &str = "original_max_position_embeddings";

/// Parses a `config.json` text.
///
/// # Errors
/// Invalid JSON, missing or malformed keys, an unknown `rope_type`, or parameters a scheme
/// refuses; every message names the key.
///
/// ```
/// let m = scaling::config::parse(
///     r#"{"head_dim": 128, "max_position_embeddings": 131072, "rope_theta": 500000.0,
///         "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
///                          "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"#,
/// )?;
/// assert_eq!((m.base.dim, m.scheme.name()), (128, "llama3"));
/// let e = scaling::config::parse(r#"{"head_dim": 64, "max_position_embeddings": 2048,
///     "rope_scaling": {"type": "linear", "factor": 0}}"#).unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     "`rope_scaling.factor` = 0 is not allowed: a scaling factor must be a positive finite number"
/// );
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn parse(text: &str) -> Result<ModelRope> {
    match read(text)? {
        Positions::Rope(m) => Ok(m),
        other => Err(key(
            "model_type",
            other.model_type(),
            format!("this model uses {}, not RoPE", other.describe()),
        )),
    }
}

/// Parses a `config.json` text and says how the model encodes positions: RoPE (read in full, as
/// [`parse`] does) or, for the model families [`Positions`] lists, what it uses instead.
///
/// # Errors
/// As [`parse`], for a RoPE model; for the others, a missing or malformed length key; a config
/// with neither a `model_type` nor any RoPE key.
///
/// ```
/// use scaling::config::read;
/// let gpt2 = read(r#"{"model_type": "gpt2", "n_positions": 1024, "n_embd": 768}"#)?;
/// assert_eq!(gpt2.describe(), "a learned absolute table of 1024 positions");
/// assert_eq!(gpt2.learned_parameters(), 1024 * 768);
/// let e = scaling::config::parse(r#"{"model_type": "bloom"}"#).unwrap_err();
/// assert!(e.to_string().contains("uses ALiBi"), "{e}");
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn read(text: &str) -> Result<Positions> {
    let (root, python) = pyjson::parse(text).map_err(|e| Error::Json(e.to_string()))?;
    let top = Obj {
        map: root
            .as_object()
            .ok_or_else(|| Error::Json("the top level must be an object".into()))?,
        name: "",
    };
    // ANCHOR: nested
    // A multimodal config keeps its language model's settings in `text_config` (Gemma 3 ≥ 4B,
    // Llama 4, Mistral 3, Qwen3-VL, Qwen3.5): its config class builds the text config from that
    // table (`Gemma3Config.__post_init__` and the like), and the vision tower's own positions are
    // not the text model's.
    let mut notes: Vec<String> = python;
    let cfg = match top.get("text_config") {
        None | Some(Value::Null) => top,
        Some(Value::Object(map)) => {
            notes.push(format!(
                "read from `text_config` (the outer config's model_type is {})",
                top.get("model_type").unwrap_or(&Value::Null)
            ));
            Obj {
                map,
                name: "text_config",
            }
        }
        Some(v) => return Err(key("text_config", v, "it must be an object")),
    };
    let model_type = model_type::resolve(top, cfg, &mut notes)?;
    // ANCHOR_END: nested
    let normal = legacy::normalize(cfg, &model_type)?;
    let n = Obj {
        map: &normal.map,
        name: cfg.name,
    };
    if let Some(p) = family::not_rope(n)? {
        return Ok(p);
    }
    notes.extend(normal.notes);
    let mut warnings = normal.warnings;
    let kinds = layers::kinds(n, &model_type, &mut notes, &mut warnings)?;
    if kinds.iter().all(|k| k.no_rope.is_some()) {
        warnings.extend(guard::unread(cfg, &model_type));
        return Ok(Positions::NoEncoding(Layered {
            model_type,
            layers: kinds
                .into_iter()
                .map(|k| LayerGroup {
                    layer_type: k.layer_type,
                    count: k.count,
                    mixer: k.mixer,
                    rope: None,
                    source: k.no_rope.unwrap_or_default(),
                })
                .collect(),
            notes,
            warnings,
        }));
    }
    // DeepSeek V4 and SGLang's MiMo V2 are read through nested tables built from the file's keys:
    // errors and sources name the file's keys again.
    let mut m =
        rope(n, &model_type, kinds, notes, warnings).map_err(|e| match model_type.as_str() {
            "deepseek_v4" => deepseek_v4::rename(e, cfg),
            "mimo_v2" => mimo::rename(e, cfg),
            _ => e,
        })?;
    let source: Option<fn(&str) -> &'static str> = match model_type.as_str() {
        "deepseek_v4" => Some(deepseek_v4::source),
        "mimo_v2" => Some(mimo::source),
        _ => None,
    };
    for g in m.layers.iter_mut().filter(|g| g.rope.is_some()) {
        if let Some(f) = source {
            g.source = f(&g.layer_type).to_string();
        }
    }
    if model_type == "deepseek_v4" {
        m.extras.extend(deepseek_v4::extras(cfg, m.base.dim)?);
    }
    m.warnings.extend(guard::unread(cfg, &model_type));
    if top.has("vision_config") {
        m.notes
            .push("`vision_config` is not read: the vision tower's positions are its own".into());
    }
    Ok(Positions::Rope(m))
}

/// Reads the rotary setup of a model that uses RoPE: one reading per kind of layer.
fn rope(
    cfg: Obj<'_>,
    model_type: &str,
    kinds: Vec<layers::Kind>,
    mut notes: Vec<String>,
    mut warnings: Vec<String>,
) -> Result<ModelRope> {
    if kinds.len() > 1
        && !layers::AUDITED.contains(&model_type)
        && !hybrid::MODEL_TYPES.contains(&model_type)
    {
        warnings.push(format!(
            "model_type {model_type:?} mixes kinds of layer ({}), and this reader has no rule of that class for which kinds rotate: each is read as rotating with the one table",
            kinds
                .iter()
                .map(|k| k.layer_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // The scaling table: `rope_scaling or rope_parameters`, as transformers 5.24.0 writes it, so an
    // empty or null `rope_scaling` gives way to `rope_parameters`. In transformers 5's layout it
    // may hold one table per layer kind (`nested_rope_parameter_keys`: keys that are layer kinds).
    let table_names = [cfg.path("rope_scaling"), cfg.path("rope_parameters")];
    let table = scaling_table(cfg, &table_names)?;
    let nested = table.filter(|t| {
        t.map
            .keys()
            .any(|k| kinds.iter().any(|kind| &kind.layer_type == k))
    });
    let names: Vec<String> = kinds
        .iter()
        .map(|k| match nested {
            Some(t) => t.path(&k.layer_type),
            None => String::new(),
        })
        .collect();
    let (theta_default, local_default, theta_from) = legacy::default_theta(model_type);
    let mut layers = Vec::new();
    for (kind, name) in kinds.iter().zip(&names) {
        if let Some(why) = &kind.no_rope {
            layers.push(LayerGroup {
                layer_type: kind.layer_type.clone(),
                count: kind.count,
                mixer: kind.mixer,
                rope: None,
                source: why.clone(),
            });
            continue;
        }
        let sliding = kind.layer_type == "sliding_attention";
        // ANCHOR: per_layer
        // Which table and base each kind of layer reads: its own table in transformers 5's
        // nested layout; Gemma 3's and OLMo 3's sliding layers an unscaled table of their own
        // (`Gemma3TextConfig` / `Olmo3Config.convert_rope_params_to_dict` apply `rope_scaling`
        // to `full_attention` only); every other layer the one table.
        let (t, theta, source) = match nested {
            Some(n) => match n.get(&kind.layer_type) {
                None => (None, None, format!("no `{name}` table: unscaled")),
                Some(Value::Null) => {
                    layers.push(LayerGroup {
                        layer_type: kind.layer_type.clone(),
                        count: kind.count,
                        mixer: kind.mixer,
                        rope: None,
                        source: format!("`{name}` is null: no RoPE"),
                    });
                    continue;
                }
                Some(Value::Object(map)) => (
                    Some(Obj { map, name }),
                    None,
                    format!("its own table `{name}`"),
                ),
                Some(v) => return Err(key(name.as_str(), v, "it must be an object or null")),
            },
            None if sliding && model_type == "gemma3_text" => {
                let local = cfg.f64("rope_local_base_freq")?;
                let theta = local.or(local_default).unwrap_or(theta_default);
                let from = if local.is_some() {
                    "`rope_local_base_freq`".to_string()
                } else {
                    format!("the local value of {theta_from} (no `rope_local_base_freq`)")
                };
                (None, Some(theta), format!("unscaled, base from {from}"))
            }
            None if sliding && model_type == "olmo3" => {
                if cfg.f64("rope_theta")?.is_some_and(|t| t != theta_default) {
                    warnings.push(format!(
                        "Olmo3Config gives its sliding layers {theta_from}, {theta_default}, not the file's `rope_theta` (it pops that key for the full-attention layers first)"
                    ));
                }
                (
                    None,
                    Some(theta_default),
                    format!("unscaled, base {theta_from}"),
                )
            }
            None => (table, None, "the config's one table".to_string()),
        };
        // ANCHOR_END: per_layer
        let mut layer_notes = Vec::new();
        let rope = reading(
            cfg,
            t,
            theta,
            (theta_default, &theta_from),
            model_type,
            &mut layer_notes,
            &mut warnings,
        )?;
        for note in layer_notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        layers.push(LayerGroup {
            layer_type: kind.layer_type.clone(),
            count: kind.count,
            mixer: kind.mixer,
            rope: Some(rope),
            source,
        });
    }
    let main = layers
        .iter()
        .filter(|g| g.rope.is_some())
        .find(|g| g.layer_type == "full_attention")
        .or_else(|| layers.iter().find(|g| g.rope.is_some()))
        .and_then(|g| g.rope.clone())
        .ok_or_else(|| {
            key(
                cfg.path("num_hidden_layers"),
                layers.iter().map(|g| g.count).sum::<usize>(),
                "no layer rotates (see no_rope_layers, layer_types): this is not a RoPE model",
            )
        })?;
    let extras = extras::extras(
        cfg,
        table,
        nested.is_some(),
        model_type,
        &main,
        &layers,
        &mut warnings,
    )?;
    let mrope = extras::mrope_split(table, nested.is_some(), main.base.dim / 2)?;
    Ok(ModelRope {
        model_type: model_type.to_string(),
        base: main.base,
        scheme: main.scheme,
        logits: main.logits,
        layers,
        extras,
        mrope,
        notes,
        warnings,
    })
}

/// Python's truth value of a JSON value, as `rope_scaling or rope_parameters` tests it.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The scaling table, if the config has one, named by `names` (`rope_scaling` and
/// `rope_parameters` where they live): `rope_scaling` if it is truthy, else `rope_parameters`, as transformers 5.24.0's `convert_rope_params_to_dict` does
/// (`rope_scaling or self.rope_parameters`); a null or absent `rope_parameters` means none.
fn scaling_table<'a>(top: Obj<'a>, names: &'a [String; 2]) -> Result<Option<Obj<'a>>> {
    let [scaling, parameters] = names;
    if let Some(v) = top.get("rope_scaling").filter(|v| truthy(v)) {
        return match v {
            Value::Object(map) => Ok(Some(Obj { map, name: scaling })),
            v => Err(key(scaling.as_str(), v, "it must be an object")),
        };
    }
    match top.get("rope_parameters") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(Obj {
            map,
            name: parameters,
        })),
        Some(v) => Err(key(parameters.as_str(), v, "it must be an object")),
    }
}

#[cfg(test)]
mod tests;
