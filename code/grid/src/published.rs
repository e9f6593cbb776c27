//! M-RoPE settings read from a published `config.json` by chapter 6's config reader
//! ([`scaling::config::parse`]), not typed in: the head width, `rope_theta`,
//! `max_position_embeddings` and the `mrope_section` split ([`scaling::config::MropeSplit`]).
//!
//! The Qwen3-VL config is a copy of Qwen3-VL 4B Instruct's published file, kept with chapter 6's
//! other published configs; its provenance (repository, path, commit, and a second, independent
//! copy) is in `code/scaling/tests/fixtures/README.md`.

use errors::key;

use crate::{Error, Sections};

/// Qwen3-VL 4B Instruct's published `config.json` (the copy described in the module comment).
pub const QWEN3_VL_CONFIG: &str =
    include_str!("../../scaling/tests/fixtures/models/qwen3-vl-4b-instruct.json");

/// A model's M-RoPE settings: head width, `rope_theta`, `mrope_section`, layout and
/// `max_position_embeddings`.
pub type MropeSettings = (usize, f64, [usize; 3], Sections, u64);

/// Reads the M-RoPE settings of a `config.json` text with chapter 6's reader.
///
/// # Errors
/// Whatever [`scaling::config::parse`] refuses, a config that is not RoPE, and one with no
/// `mrope_section`.
///
/// ```
/// let (d, theta, section, layout, limit) = grid::published::from_config(
///     r#"{"model_type": "qwen3_vl", "text_config": {"model_type": "qwen3_vl_text",
///         "head_dim": 128, "max_position_embeddings": 4096, "rope_theta": 5000000,
///         "rope_scaling": {"rope_type": "default", "mrope_section": [24, 20, 20],
///                          "mrope_interleaved": true}}}"#,
/// )?;
/// assert_eq!((d, theta, section, layout, limit),
///            (128, 5e6, [24, 20, 20], grid::Sections::Interleaved, 4096));
/// let e = grid::published::from_config(
///     r#"{"model_type": "qwen3", "head_dim": 128, "max_position_embeddings": 4096}"#,
/// ).unwrap_err();
/// assert!(e.to_string().contains("mrope_section"), "{e}");
/// # Ok::<(), grid::Error>(())
/// ```
pub fn from_config(text: &str) -> Result<MropeSettings, Error> {
    let m = scaling::config::parse(text)?;
    let split = m.mrope.ok_or_else(|| {
        key(
            "mrope_section",
            "absent",
            format!(
                "model_type {:?} gives no M-RoPE split, so it has no (t, h, w) sections",
                m.model_type
            ),
        )
    })?;
    let layout = if split.interleaved {
        Sections::Interleaved
    } else {
        Sections::Chunked
    };
    let limit = u64::try_from(m.base.max_position_embeddings).map_err(|_| {
        key(
            "max_position_embeddings",
            m.base.max_position_embeddings,
            "it must fit in 64 bits",
        )
    })?;
    Ok((m.base.dim, m.base.theta, split.section, layout, limit))
}

/// Qwen3-VL's text model as its published config sets it ([`QWEN3_VL_CONFIG`]).
///
/// # Errors
/// None for the stored file (the doc example and the tests read it); the type is
/// [`from_config`]'s.
///
/// ```
/// let (d, theta, section, layout, limit) = grid::published::qwen3_vl()?;
/// assert_eq!((d, theta, section, layout, limit),
///            (128, 5e6, [24, 20, 20], grid::Sections::Interleaved, 262_144));
/// # Ok::<(), grid::Error>(())
/// ```
pub fn qwen3_vl() -> Result<MropeSettings, Error> {
    from_config(QWEN3_VL_CONFIG)
}

/// The `rope_theta` transformers 5.24.0 would use for the same config with its `rope_theta`
/// removed: the config class's `default_theta`, as chapter 6's reader applies it.
///
/// # Errors
/// As [`from_config`]; a text that is not a JSON object with a `text_config` object.
///
/// ```
/// assert_eq!(grid::published::default_theta(grid::published::QWEN3_VL_CONFIG)?, 5e5);
/// # Ok::<(), grid::Error>(())
/// ```
pub fn default_theta(text: &str) -> Result<f64, Error> {
    let mut v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::Json(e.to_string()))?;
    let cfg = if v.get("text_config").is_some() {
        &mut v["text_config"]
    } else {
        &mut v
    };
    let obj = cfg
        .as_object_mut()
        .ok_or_else(|| key("config", "not an object", "it must be a JSON object"))?;
    obj.remove("rope_theta");
    for table in ["rope_scaling", "rope_parameters"] {
        if let Some(t) = obj.get_mut(table).and_then(|t| t.as_object_mut()) {
            t.remove("rope_theta");
        }
    }
    Ok(from_config(&v.to_string())?.1)
}
