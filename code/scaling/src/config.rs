//! Reading a Hugging Face `config.json`: the rotary settings and the scaling scheme, per kind of
//! layer.
//!
//! Keys read: `rope_theta` (also inside `rope_parameters`), `head_dim` or `hidden_size` /
//! `num_attention_heads` (or, for multi-head latent attention, `qk_rope_head_dim` and
//! `qk_nope_head_dim`), `partial_rotary_factor`, `max_position_embeddings`,
//! `original_max_position_embeddings` (Phi-3 puts it at the top level), and the scaling table under
//! `rope_parameters` (transformers 5) or `rope_scaling` (earlier), with its kind in `rope_type` or,
//! in older files, `type`. A multimodal config's text settings are read from its `text_config`.
//! Layer kinds come from `layer_types` or the model class's pattern (module `layers`), older key names
//! and class defaults from module `legacy`. Every error names the key, with its table where it lives in
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

use crate::{Base, LogitScale, Result, Scheme, YarnParams};

mod default_theta;
mod extras;
mod family;
mod guard;
pub(crate) mod keys;
mod layers;
mod legacy;
mod pyjson;

pub use extras::MropeSplit;
pub use family::Positions;

use keys::Obj;

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
    /// The rotary setup, or `None` for layers with no position encoding.
    pub rope: Option<LayerRope>,
    /// Where the reading comes from, or why there is none.
    pub source: String,
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
    let mut notes: Vec<String> = python
        .into_iter()
        .map(|p| format!("{p} read as Python's json.loads reads it, as a non-finite number"))
        .collect();
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
    let mut m = rope(n, &model_type, notes, normal.warnings)?;
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
    mut notes: Vec<String>,
    mut warnings: Vec<String>,
) -> Result<ModelRope> {
    let kinds = layers::kinds(cfg, model_type)?;
    if kinds.len() > 1 && !layers::AUDITED.contains(&model_type) {
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

/// One kind of layer's rotary setup: the base from `theta` when the kind has its own (Gemma 3's
/// sliding layers), else by the reference's precedence with the class's default last; the
/// scheme from the table `t`.
fn reading(
    top: Obj<'_>,
    table: Option<Obj<'_>>,
    theta: Option<f64>,
    (theta_default, theta_from): (f64, &str),
    model_type: &str,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<LayerRope> {
    // ANCHOR: precedence
    // `rope_theta`: the table's wins (`setdefault`), else the top level's, else the config
    // class's `default_theta` (10000 unless the class sets another). A null is kept as null by
    // the reference and fails there, so it is refused here.
    let theta = match theta {
        Some(t) => t,
        None => match table_then_top(table, top, "rope_theta")? {
            Some(t) => t,
            None => {
                notes.push(format!(
                    "no `rope_theta`: using {theta_default} ({theta_from})"
                ));
                theta_default
            }
        },
    };
    // The rotated width: `qk_rope_head_dim` for multi-head latent attention, else `head_dim`
    // (else hidden_size / num_attention_heads), times `partial_rotary_factor` (the table's, else
    // the top level's unless null, else 1).
    let head = head_dims(top)?;
    let partial = table_then_top(table, top, "partial_rotary_factor")?.unwrap_or(1.0);
    let dim = rotary_dim(head.rotary, partial)?;
    // ANCHOR_END: precedence
    let max_pos = top.require(
        top.usize("max_position_embeddings")?,
        "max_position_embeddings",
        "the context length the config declares",
    )?;
    let base = Base::new(dim, theta, max_pos)?;
    let Some(t) = table else {
        return Ok(LayerRope {
            base,
            scheme: Scheme::Default,
            logits: gemma_scale(top, model_type, LogitScale::plain(head.softmax))?,
        });
    };
    // ANCHOR: scheme
    let (kind, which) = kind(t, model_type, notes)?;
    // The pretraining length, for the schemes that read it: a top-level key wins over the table's
    // (the reference assigns it), and a null in either place is refused (the reference keeps it).
    let original = match kind {
        "yarn" | "llama3" | "longrope" => original(top, t)?,
        _ => None,
    };
    let chosen = scheme(t, (kind, which), original, max_pos)?;
    // Compute once so that bad parameters are reported now, naming their keys: with the table's
    // name when the value came from the table (and the top level does not override it).
    let from_table = |k: &str| t.has(k) && !top.has(k);
    crate::compute(&base, &chosen, max_pos).map_err(|e| in_table(e, t, from_table))?;
    // ANCHOR_END: scheme
    warnings.extend(reference_warnings(t, &chosen, max_pos));
    let logits = gemma_scale(
        top,
        model_type,
        LogitScale::for_model(model_type, t, kind, head.softmax)?,
    )?;
    Ok(LayerRope {
        base,
        scheme: chosen,
        logits,
    })
}

/// Gemma 2 and 3 divide the logits by √`query_pre_attn_scalar` (default 256), not by √`head_dim`
/// (`Gemma3Attention.__init__` and `Gemma2Attention.__init__`: `self.scaling =
/// config.query_pre_attn_scalar**-0.5`): the factor on 1/√`head_dim` is √(`head_dim` /
/// `query_pre_attn_scalar`).
fn gemma_scale(top: Obj<'_>, model_type: &str, plain: LogitScale) -> Result<LogitScale> {
    if !matches!(model_type, "gemma2" | "gemma3_text") {
        return Ok(plain);
    }
    let q = top.f64("query_pre_attn_scalar")?.unwrap_or(256.0);
    if !(q.is_finite() && q > 0.0) {
        return Err(key(
            top.path("query_pre_attn_scalar"),
            q,
            "the logits are divided by its square root: it must be positive and finite",
        ));
    }
    Ok(LogitScale {
        softmax_factor: plain.softmax_factor * (plain.d_head as f64 / q).sqrt(),
        ..plain
    })
}

/// What `RotaryEmbeddingConfigMixin`'s validators in transformers 5.24.0 warn about and then
/// compute anyway: a factor below 1 (`_validate_linear_rope_parameters` and the others),
/// `beta_fast < beta_slow` after the defaults (`_validate_yarn_rope_parameters`),
/// `high_freq_factor <= low_freq_factor` and a pretraining length not below
/// `max_position_embeddings` (`_validate_llama3_rope_parameters`).
fn reference_warnings(t: Obj<'_>, s: &Scheme, max_pos: usize) -> Vec<String> {
    let mut w = Vec::new();
    let factor = match s {
        Scheme::Linear { factor } | Scheme::Ntk { factor } | Scheme::Dynamic { factor } => {
            Some(*factor)
        }
        Scheme::Yarn(p) => p.factor,
        Scheme::Llama3 { factor, .. } => Some(*factor),
        Scheme::LongRope { factor, .. } => *factor,
        Scheme::Default => None,
    };
    if let Some(f) = factor.filter(|f| *f < 1.0) {
        w.push(format!(
            "`{}` = {f}: transformers warns that a factor must be at least 1 (it shrinks the wavelengths)",
            t.path("factor")
        ));
    }
    match s {
        Scheme::Ntk { .. } => w.push(format!(
            "`{}` = \"ntk\" is this book's name for static NTK scaling: transformers 5.24.0 has no such scheme and would fail on it",
            t.path("rope_type")
        )),
        Scheme::Yarn(p) => {
            let fast = p.beta_fast.filter(|b| *b != 0.0).unwrap_or(32.0);
            let slow = p.beta_slow.filter(|b| *b != 0.0).unwrap_or(1.0);
            if fast < slow {
                w.push(format!(
                    "`{}` = {fast} is below beta_slow = {slow}: transformers warns and computes the ramp anyway (it runs backwards)",
                    t.path("beta_fast")
                ));
            }
        }
        Scheme::Llama3 {
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
            ..
        } => {
            if high_freq_factor <= low_freq_factor {
                w.push(format!(
                    "`{}` = {high_freq_factor} is not above low_freq_factor = {low_freq_factor}: transformers warns; no wavelength is smoothed, each is kept or divided",
                    t.path("high_freq_factor")
                ));
            }
            if *original_max_position_embeddings >= max_pos {
                w.push(format!(
                    "`{}` = {original_max_position_embeddings} is not below max_position_embeddings = {max_pos}: transformers warns",
                    t.path(ORIGINAL)
                ));
            }
        }
        _ => {}
    }
    w
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

/// The number `k` from the scaling table when the table has the key, else from the top level
/// (`setdefault`: the table's entry wins even when it is null). A null in the table is refused,
/// and so is a null at the top level when the reference would copy it in (only `rope_theta`:
/// `partial_rotary_factor` is copied only when it is not null).
fn table_then_top(table: Option<Obj<'_>>, top: Obj<'_>, k: &str) -> Result<Option<f64>> {
    let null = |o: Obj<'_>| {
        key(
            o.path(k),
            "null",
            "transformers keeps a null here and then fails on it; give a number or leave the key out",
        )
    };
    if let Some(t) = table
        && t.has(k)
    {
        return t.f64(k)?.map(Some).ok_or_else(|| null(t));
    }
    match top.get(k) {
        Some(Value::Null) if k == "rope_theta" => Err(null(top)),
        _ => top.f64(k),
    }
}

/// `original_max_position_embeddings`: the top level's when the key is there (transformers
/// 5.24.0's `standardize_rope_params` assigns it over the table's, as Phi-3 needs), else the
/// table's; a null in the place that is read is refused.
fn original(top: Obj<'_>, t: Obj<'_>) -> Result<Option<usize>> {
    let from = if top.has(ORIGINAL) { top } else { t };
    match from.get(ORIGINAL) {
        Some(Value::Null) => Err(key(
            from.path(ORIGINAL),
            "null",
            "transformers uses a null pretraining length as it is and fails; give a length or leave the key out",
        )),
        _ => from.usize(ORIGINAL),
    }
}

/// The head widths that matter: how many dimensions RoPE may rotate, and the width whose square
/// root divides the logits.
struct HeadDims {
    /// `qk_rope_head_dim` (multi-head latent attention) or `head_dim`.
    rotary: usize,
    /// `qk_nope_head_dim + qk_rope_head_dim` (multi-head latent attention) or `head_dim`.
    softmax: usize,
}

/// The head widths: with `qk_rope_head_dim` (DeepSeek's multi-head latent attention) the rotated
/// part is `qk_rope_head_dim` and the softmax divides by √(`qk_nope_head_dim` +
/// `qk_rope_head_dim`), as transformers 5.24.0's `DeepseekV3Config.__post_init__` (`head_dim =
/// qk_rope_head_dim`) and `DeepseekV3Attention` (`qk_head_dim ** -0.5`) set them; else both are
/// `head_dim`.
fn head_dims(top: Obj<'_>) -> Result<HeadDims> {
    if let Some(rope) = top.usize("qk_rope_head_dim")? {
        let nope = top.require(
            top.usize("qk_nope_head_dim")?,
            "qk_nope_head_dim",
            "with `qk_rope_head_dim`, the softmax divides by √(qk_nope_head_dim + qk_rope_head_dim)",
        )?;
        return Ok(HeadDims {
            rotary: rope,
            softmax: nope + rope,
        });
    }
    let d = head_dim(top)?;
    Ok(HeadDims {
        rotary: d,
        softmax: d,
    })
}

/// `head_dim`, else `hidden_size / num_attention_heads`.
fn head_dim(top: Obj<'_>) -> Result<usize> {
    if let Some(d) = top.usize("head_dim")? {
        return Ok(d);
    }
    let why = "without `head_dim`, the head width is hidden_size / num_attention_heads";
    let hidden = top.require(top.usize("hidden_size")?, "hidden_size", why)?;
    let heads = top.require(
        top.usize("num_attention_heads")?,
        "num_attention_heads",
        why,
    )?;
    if heads == 0 {
        return Err(key("num_attention_heads", 0, "it must be positive"));
    }
    Ok(hidden / heads)
}

/// `head_dim × partial_rotary_factor`, refused unless even and at least 2.
fn rotary_dim(head_dim: usize, partial: f64) -> Result<usize> {
    if !(partial > 0.0 && partial <= 1.0) {
        return Err(key(
            "partial_rotary_factor",
            partial,
            "it must lie in (0, 1]",
        ));
    }
    let dim = (head_dim as f64 * partial) as usize;
    if dim < 2 || !dim.is_multiple_of(2) {
        return Err(key(
            "head_dim × partial_rotary_factor",
            format!("{head_dim} × {partial} = {dim}"),
            "the rotated width must be even and at least 2",
        ));
    }
    Ok(dim)
}

// ANCHOR: kind
/// The scheme's name and the key that gave it: `rope_type`, else the older `type`; a table with
/// neither is the default (unscaled) setup, as in the reference. transformers 5.24.0's
/// `Phi3Config.__post_init__` relabels a Phi-3 table typed `su` or `yarn` as `longrope`; so does
/// the reader for `model_type: "phi3"`, and, for a config that names no `model_type`, for `su` or
/// a `yarn` table with LongRoPE's two factor lists. Any other model's `yarn` is YaRN.
fn kind<'a>(
    t: Obj<'a>,
    model_type: &str,
    notes: &mut Vec<String>,
) -> Result<(&'a str, &'static str)> {
    let (kind, which) = match (t.get("rope_type"), t.get("type")) {
        (Some(Value::String(k)), _) => (k.as_str(), "rope_type"),
        (None, Some(Value::String(k))) => (k.as_str(), "type"),
        (Some(v), _) => return Err(key(t.path("rope_type"), v, "it must be a string")),
        (None, Some(v)) => return Err(key(t.path("type"), v, "it must be a string")),
        (None, None) => {
            notes.push(format!(
                "`{}` names no `rope_type`: treated as default",
                t.name
            ));
            ("default", "rope_type")
        }
    };
    if kind == "mrope" {
        return mrope_as_default(t, which, model_type, notes).map(|k| (k, which));
    }
    let lists = t.has("short_factor") && t.has("long_factor");
    let phi3 = model_type == "phi3" || (model_type.is_empty() && (kind == "su" || lists));
    if phi3 && matches!(kind, "su" | "yarn") {
        notes.push(format!(
            "`{kind}` read as LongRoPE, as Phi-3's config class relabels it"
        ));
        return Ok(("longrope", which));
    }
    Ok((kind, which))
}
// ANCHOR_END: kind

/// `mrope`, which the Qwen2-VL and Qwen2.5-VL text configs turn into `default`
/// (`Qwen2VLTextConfig.convert_rope_params_to_dict`): M-RoPE is default RoPE whose pairs are
/// split between time, height and width (`extras` reports the split). Any other model class has
/// no such scheme in transformers 5.24.0.
fn mrope_as_default(
    t: Obj<'_>,
    which: &str,
    model_type: &str,
    notes: &mut Vec<String>,
) -> Result<&'static str> {
    if QWEN2_VL.contains(&model_type) {
        notes.push(format!(
            "`{}` = \"mrope\" read as default RoPE, as Qwen2VLTextConfig turns it",
            t.path(which)
        ));
        Ok("default")
    } else {
        Err(key(
            t.path(which),
            "\"mrope\"",
            "only the Qwen2-VL and Qwen2.5-VL config classes turn `mrope` into default RoPE; for this model_type transformers has no such scheme",
        ))
    }
}

/// The model types whose config class reads `mrope` as default RoPE.
const QWEN2_VL: [&str; 4] = ["qwen2_vl", "qwen2_5_vl", "qwen2_vl_text", "qwen2_5_vl_text"];

/// The scheme `kind` (named by the table's key `which`) with its parameters from the table `t`;
/// `original` is the pretraining length, already looked up, and `max_pos` the config's
/// `max_position_embeddings`.
fn scheme(
    t: Obj<'_>,
    (kind, which): (&str, &str),
    original: Option<usize>,
    max_pos: usize,
) -> Result<Scheme> {
    // A factor, when given, must be a positive finite number.
    let factor = || -> Result<Option<f64>> {
        match t.f64("factor")? {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(key(
                t.path("factor"),
                x,
                "a scaling factor must be a positive finite number",
            )),
            f => Ok(f),
        }
    };
    let required = || {
        t.require(
            factor()?,
            "factor",
            &format!("`{kind}` scaling needs a factor"),
        )
    };
    Ok(match kind {
        "default" => Scheme::Default,
        "linear" => Scheme::Linear {
            factor: required()?,
        },
        "ntk" => Scheme::Ntk {
            factor: required()?,
        },
        "dynamic" => Scheme::Dynamic {
            factor: required()?,
        },
        // The key is required; only an explicit null falls back to the ratio of the lengths.
        "yarn" => Scheme::Yarn(YarnParams {
            factor: match t.get("factor") {
                None => {
                    return Err(t.missing(
                        "factor",
                        "YaRN needs a factor (null means max / original length)",
                    ));
                }
                Some(_) => factor()?,
            },
            original_max_position_embeddings: original,
            beta_fast: t.f64("beta_fast")?,
            beta_slow: t.f64("beta_slow")?,
            attention_factor: t.f64("attention_factor")?,
            mscale: t.f64("mscale")?,
            mscale_all_dim: t.f64("mscale_all_dim")?,
            // `.get("truncate", True)`: absent means true, an explicit null is falsy.
            truncate: match t.get("truncate") {
                None => true,
                Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(v) => return Err(key(t.path("truncate"), v, "it must be true or false")),
            },
        }),
        "llama3" => Scheme::Llama3 {
            factor: required()?,
            low_freq_factor: t.require(
                t.f64("low_freq_factor")?,
                "low_freq_factor",
                "Llama 3 scaling needs it",
            )?,
            high_freq_factor: t.require(
                t.f64("high_freq_factor")?,
                "high_freq_factor",
                "Llama 3 scaling needs it",
            )?,
            // Absent everywhere, it is `max_position_embeddings`, as `standardize_rope_params`
            // sets it (`setdefault`).
            original_max_position_embeddings: original.unwrap_or(max_pos),
        },
        "longrope" => Scheme::LongRope {
            short_factor: t.list("short_factor")?,
            long_factor: t.list("long_factor")?,
            factor: factor()?,
            original_max_position_embeddings: original,
            attention_factor: t.f64("attention_factor")?,
        },
        "proportional" => {
            return Err(key(
                t.path(which),
                "\"proportional\"",
                "transformers 5.24.0's `proportional` scheme (Gemma 4) is not implemented by this reader",
            ));
        }
        other => {
            return Err(key(
                t.path(which),
                format!("\"{other}\""),
                "known types are default, linear, ntk, dynamic, yarn, llama3, longrope (and su, for Phi-3)",
            ));
        }
    })
}

/// Names a key as `table.key` when `from_table(key)` says its value came from the table `t`
/// (an error from a scheme names its parameter bare: `factor`, `beta_fast`).
fn in_table(e: Error, t: Obj<'_>, from_table: impl Fn(&str) -> bool) -> Error {
    match e {
        Error::Key { key, value, rule } if !key.contains('.') && from_table(&key) => Error::Key {
            key: t.path(&key),
            value,
            rule,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests;
