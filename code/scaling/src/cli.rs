//! The inspector as a command: `rope-inspect` (the crate's binary, `cargo install --path
//! code/scaling`) and the chapter's example `inspect` run this one function.
//!
//! The path may be a `config.json`, a model folder holding one, or a model id `ORG/NAME` found in
//! the local Hugging Face cache (`$HF_HUB_CACHE`, else `$HUGGINGFACE_HUB_CACHE`, else
//! `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`, at `models--ORG--NAME/snapshots/*/config.json`, the snapshot that
//! `refs/main` names when there are several). Nothing is ever fetched from the network.

use std::path::{Path, PathBuf};

use clap::Parser;

use crate::config::{Positions, read};

/// Reads a Hugging Face config.json and says how the model encodes positions: every kind of layer
/// with its count and RoPE setup (or what it does instead), then every pair's frequency before
/// and after scaling for the main rotating layers, and the scale of the attention logits.
#[derive(Parser, Debug)]
#[command(name = "rope-inspect")]
pub struct Args {
    /// A config.json, a model folder holding one, or a model id ORG/NAME in the local Hugging
    /// Face cache: $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
    /// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub (never
    /// downloaded).
    #[arg(value_name = "CONFIG.json | FOLDER | ORG/NAME")]
    pub config: PathBuf,
    /// The sequence length to evaluate at, 1 to 2^40 (default: max_position_embeddings); it
    /// matters for dynamic NTK and LongRoPE.
    #[arg(long, value_name = "N", value_parser = seq_len)]
    pub seq_len: Option<usize>,
    /// Also draw the frequencies and wavelengths before and after into this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    pub figure: Option<PathBuf>,
    /// Print the same reading as one JSON object, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// A sequence length: a whole number from 1 to 2^40.
fn seq_len(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1 << 40).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 2^40".into()),
    }
}

/// The local Hugging Face hub cache, found as `huggingface_hub` 1.31.0 finds it
/// (`huggingface_hub/constants.py`, the oldest release transformers 5.24.0 accepts):
/// `$HF_HUB_CACHE`, else the legacy `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else
/// `$XDG_CACHE_HOME/huggingface/hub`, else `$HOME/.cache/huggingface/hub`.
pub fn hub_dir() -> Option<PathBuf> {
    hub_dir_from(|k| std::env::var_os(k))
}

/// [`hub_dir`] with the environment given by `var`; an empty variable counts as unset.
///
/// ```
/// use std::path::PathBuf;
/// let env = |k: &str| (k == "XDG_CACHE_HOME").then(|| "/xdg".into());
/// assert_eq!(scaling::cli::hub_dir_from(env), Some(PathBuf::from("/xdg/huggingface/hub")));
/// ```
pub fn hub_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |k: &str| var(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("HF_HUB_CACHE")
        .or_else(|| var("HUGGINGFACE_HUB_CACHE"))
        .or_else(|| var("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| var("XDG_CACHE_HOME").map(|h| h.join("huggingface/hub")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/huggingface/hub")))
}

/// The config file a path names: the file itself, `config.json` in a folder, or the cached
/// snapshot of a model id `ORG/NAME` under `hub`.
///
/// # Errors
/// A path that is none of these, a folder without `config.json`, a model id that the cache does
/// not hold, or a cached model with several snapshots and no `refs/main`.
///
/// ```
/// let dir = std::env::temp_dir().join("scaling-resolve-doc");
/// let snap = dir.join("models--org--m/snapshots/abc");
/// std::fs::create_dir_all(&snap).unwrap();
/// std::fs::write(snap.join("config.json"), "{}").unwrap();
/// let found = scaling::cli::resolve(std::path::Path::new("org/m"), Some(&dir)).unwrap();
/// assert_eq!(found, snap.join("config.json"));
/// let e = scaling::cli::resolve(std::path::Path::new("org/other"), Some(&dir)).unwrap_err();
/// assert!(e.contains("never downloads"), "{e}");
/// ```
pub fn resolve(path: &Path, hub: Option<&Path>) -> Result<PathBuf, String> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if path.is_dir() {
        let c = path.join("config.json");
        return if c.is_file() {
            Ok(c)
        } else {
            Err(format!(
                "{} is a folder without a config.json",
                path.display()
            ))
        };
    }
    let id = path.to_string_lossy();
    let parts: Vec<&str> = id.split('/').collect();
    let [org, name] = parts[..] else {
        return Err(format!(
            "{id} is neither a file nor a folder, nor a model id ORG/NAME"
        ));
    };
    if org.is_empty() || name.is_empty() {
        return Err(format!(
            "{id} is neither a file nor a folder, nor a model id ORG/NAME"
        ));
    }
    let hub = hub.ok_or_else(|| {
        format!("{id} is not a file or folder, and no Hugging Face cache folder is known (set HF_HUB_CACHE)")
    })?;
    let repo = hub.join(format!("models--{org}--{name}"));
    let snapshots = repo.join("snapshots");
    let snapshot = match std::fs::read_to_string(repo.join("refs/main")) {
        Ok(commit) => snapshots.join(commit.trim()),
        Err(_) => {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&snapshots)
                .map_err(|_| {
                    format!(
                        "{id} is not a file or folder, and the cache {} does not hold it (this tool never downloads)",
                        hub.display()
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("config.json").is_file())
                .collect();
            found.sort();
            match found.len() {
                1 => found.remove(0),
                0 => {
                    return Err(format!(
                        "{} holds no snapshot with a config.json",
                        repo.display()
                    ));
                }
                n => {
                    return Err(format!(
                        "{} holds {n} snapshots and no refs/main: name the folder of the one to read",
                        repo.display()
                    ));
                }
            }
        }
    };
    let c = snapshot.join("config.json");
    if c.is_file() {
        Ok(c)
    } else {
        Err(format!("{} has no config.json", snapshot.display()))
    }
}

/// Runs the inspector: the text it prints, or the error.
///
/// # Errors
/// A path that names no config, an unreadable file, a config the reader refuses, a figure that
/// cannot be written.
pub fn run(a: Args) -> Result<String, String> {
    let file = resolve(&a.config, hub_dir().as_deref())?;
    let path = file.display();
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {path}: {e}"))?;
    let positions = read(&text).map_err(|e| format!("{path}: {e}"))?;
    if a.json {
        let v = crate::report::json(&positions, a.seq_len).map_err(|e| e.to_string())?;
        return Ok(format!("{v:#}\n"));
    }
    // Every kind of layer with its count, what else the model does with positions, the notes
    // and the warnings; then every pair of the main rotating layers.
    let reading = crate::report::reading(&positions, a.seq_len).map_err(|e| e.to_string())?;
    let Positions::Rope(model) = positions else {
        return Ok(format!("{path}\n\n{reading}"));
    };
    let seq = a.seq_len.unwrap_or(model.base.max_position_embeddings);
    let main = model
        .layers
        .iter()
        .find(|g| {
            g.rope
                .as_ref()
                .is_some_and(|r| r.base == model.base && r.scheme == model.scheme)
        })
        .map_or("main", |g| g.layer_type.as_str());
    let mut out = format!(
        "{path}\n\n{reading}\nEvery pair of the {main} layers ({} rotary dims, rope_theta {}):\n\n",
        model.base.dim, model.base.theta
    );
    out.push_str(&crate::report::per_pair(&model, seq).map_err(|e| e.to_string())?);
    out.push_str("\nThe attention logits:\n\n");
    out.push_str(&crate::report::logits(&model, seq).map_err(|e| e.to_string())?);
    if let Some(svg_file) = &a.figure {
        let svg = crate::figures::model_figure(&path.to_string(), &model, seq)
            .map_err(|e| e.to_string())?;
        std::fs::write(svg_file, svg)
            .map_err(|e| format!("cannot write {}: {e}", svg_file.display()))?;
        out.push_str(&format!("\nwrote {}\n", svg_file.display()));
    }
    Ok(out)
}
