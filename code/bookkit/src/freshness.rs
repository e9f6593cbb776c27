//! Figure freshness: compare the committed SVGs (and the JSON data of figures a reader can move)
//! with what the code draws now, or rewrite them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::figure::Figure;

/// Compares every figure (its SVG, and its data if it has some) with the files committed under
/// `dir`; lists each one that differs or is missing, with the command that redraws it.
///
/// # Errors
/// One line per stale or missing file.
pub fn check_figures(dir: &Path, figures: &[Figure]) -> Result<(), String> {
    let mut problems = String::new();
    for figure in figures {
        for (file, text) in figure.files() {
            let path = dir.join(&file);
            match std::fs::read_to_string(&path) {
                Ok(committed) if committed == text => {}
                Ok(_) => {
                    let _ = writeln!(
                        problems,
                        "figure `{}` ({}) differs from what the code draws now: run \
                         `cargo xtask figures`, look at the new figure and commit it",
                        figure.name,
                        path.display()
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        problems,
                        "figure `{}` ({}) cannot be read ({e}): run `cargo xtask figures`",
                        figure.name,
                        path.display()
                    );
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Writes every figure to `dir/<name>.svg` (and its data to `dir/<name>.json`) and returns the
/// paths written.
///
/// # Errors
/// The first I/O error, with the path.
pub fn write_figures(dir: &Path, figures: &[Figure]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for figure in figures {
        for (file, text) in figure.files() {
            let path = dir.join(file);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The environment variable that asks a chapter's figure test to rewrite its figures instead of
/// comparing them (`cargo xtask figures` sets it), like insta's `INSTA_UPDATE`.
pub const UPDATE_VAR: &str = "FIGURES_UPDATE";

/// What every chapter's `tests/figures.rs` calls: compare the crate's figures with the files
/// committed under `src/figures/`, or rewrite them when [`UPDATE_VAR`] is `always` (never when
/// `CI=true`, so CI cannot accept a figure by accident).
///
/// `manifest_dir` is the crate's `CARGO_MANIFEST_DIR`; the crate's name is its last component.
/// Every figure's name must start with `<crate>-`, so each file has one owner, and a committed
/// `<crate>-*.svg` that the crate no longer draws is reported (delete it, or draw it again).
///
/// # Errors
/// A figure that failed to draw, a name without the crate's prefix, stale, missing or orphaned
/// files, or an I/O error while rewriting.
pub fn golden(
    manifest_dir: &str,
    figures: Result<Vec<Figure>, crate::figure::FigureError>,
) -> Result<Vec<PathBuf>, String> {
    let figures = figures.map_err(|e| e.to_string())?;
    let manifest = Path::new(manifest_dir);
    let krate = manifest
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{manifest_dir}: not a crate directory"))?;
    let dir = manifest.join("../../src/figures");
    let prefix = format!("{krate}-");
    if let Some(f) = figures.iter().find(|f| !f.name.starts_with(&prefix)) {
        return Err(format!(
            "figure `{}` of crate `{krate}` must be named `{prefix}<what>`, so each file has one owner",
            f.name
        ));
    }
    let orphans = orphans(&dir, &prefix, &figures)?;
    let update = rewrite_requested(
        std::env::var("CI").ok().as_deref(),
        std::env::var(UPDATE_VAR).ok().as_deref(),
    );
    if update {
        for path in &orphans {
            std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        return write_figures(&dir, &figures);
    }
    let mut problems = check_figures(&dir, &figures).err().unwrap_or_default();
    for path in orphans {
        let _ = writeln!(
            problems,
            "{} is committed but crate `{krate}` no longer draws it: delete it, or run \
             `cargo xtask figures`, which does",
            path.display()
        );
    }
    if problems.is_empty() {
        Ok(Vec::new())
    } else {
        Err(problems)
    }
}

/// Whether figures are rewritten: only when [`UPDATE_VAR`] is `always` and `CI` is not set to
/// `true` or `1` (so CI can never accept a figure by accident).
fn rewrite_requested(ci: Option<&str>, update: Option<&str>) -> bool {
    let ci = matches!(ci, Some("true" | "1"));
    !ci && update == Some("always")
}

/// [`golden`] for a test: prints the files it rewrote, or panics with its report, as insta's
/// `assert_snapshot!` does. Every chapter's `tests/figures.rs` is one call:
/// `bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), rope::figures());`
///
/// # Panics
/// Whenever [`golden`] returns an error: that is the test failing.
pub fn assert_golden(manifest_dir: &str, figures: Result<Vec<Figure>, crate::figure::FigureError>) {
    match golden(manifest_dir, figures) {
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
        }
        Err(problems) => panic!("{problems}"),
    }
}

/// Files `dir/<prefix>*.svg` and `dir/<prefix>*.json` that no figure in `figures` writes.
fn orphans(dir: &Path, prefix: &str, figures: &[Figure]) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let ours = name.starts_with(prefix) && (name.ends_with(".svg") || name.ends_with(".json"));
        if ours
            && !figures
                .iter()
                .any(|f| f.files().iter().any(|(n, _)| n == name))
        {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_and_missing_figures_are_named() {
        let dir = std::env::temp_dir().join(format!("bookkit-figs-{}", std::process::id()));
        let fig = Figure {
            name: "one",
            svg: "<svg/>".into(),
            data: None,
        };
        assert!(
            check_figures(&dir, std::slice::from_ref(&fig))
                .unwrap_err()
                .contains("cannot be read")
        );
        write_figures(&dir, std::slice::from_ref(&fig)).unwrap();
        assert_eq!(check_figures(&dir, std::slice::from_ref(&fig)), Ok(()));
        let changed = Figure {
            svg: "<svg></svg>".into(),
            ..fig
        };
        let e = check_figures(&dir, &[changed]).unwrap_err();
        assert!(
            e.contains("`one`") && e.contains("cargo xtask figures"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_an_explicit_request_outside_ci_rewrites() {
        assert!(rewrite_requested(None, Some("always")));
        assert!(rewrite_requested(Some("false"), Some("always")));
        assert!(!rewrite_requested(Some("true"), Some("always")));
        assert!(!rewrite_requested(Some("1"), Some("always")));
        assert!(!rewrite_requested(None, Some("no")));
        assert!(!rewrite_requested(None, None));
    }

    #[test]
    fn orphans_of_a_missing_folder_are_none_and_a_file_is_an_error() {
        let base = std::env::temp_dir().join(format!("bookkit-orphans-{}", std::process::id()));
        assert_eq!(orphans(&base.join("absent"), "x-", &[]), Ok(vec![]));
        std::fs::create_dir_all(&base).unwrap();
        let file = base.join("not-a-dir");
        std::fs::write(&file, "").unwrap();
        assert!(orphans(&file, "x-", &[]).is_err());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn golden_checks_names_and_orphans() {
        let root = std::env::temp_dir().join(format!("bookkit-golden-{}", std::process::id()));
        let krate = root.join("code/demo");
        let figs = root.join("src/figures");
        std::fs::create_dir_all(&krate).unwrap();
        std::fs::create_dir_all(&figs).unwrap();
        let manifest = krate.to_str().unwrap();
        let fig = |name: &'static str| Figure {
            name,
            svg: "<svg/>".into(),
            data: None,
        };
        // A name without the crate's prefix is refused before anything is read or written.
        let e = golden(manifest, Ok(vec![fig("other-x")])).unwrap_err();
        assert!(e.contains("`demo-<what>`"), "{e}");
        // Missing file: named, with the command that draws it.
        let e = golden(manifest, Ok(vec![fig("demo-a")])).unwrap_err();
        assert!(
            e.contains("demo-a") && e.contains("cargo xtask figures"),
            "{e}"
        );
        // Present and equal: fine; another crate's files are not this crate's orphans.
        std::fs::write(figs.join("demo-a.svg"), "<svg/>").unwrap();
        std::fs::write(figs.join("else-b.svg"), "<svg/>").unwrap();
        assert_eq!(golden(manifest, Ok(vec![fig("demo-a")])), Ok(vec![]));
        // An orphan of this crate is reported.
        std::fs::write(figs.join("demo-old.svg"), "<svg/>").unwrap();
        let e = golden(manifest, Ok(vec![fig("demo-a")])).unwrap_err();
        assert!(
            e.contains("demo-old.svg") && e.contains("no longer draws"),
            "{e}"
        );
        // A figure's data is checked beside it, and data no figure writes is an orphan.
        std::fs::remove_file(figs.join("demo-old.svg")).unwrap();
        let moving = || vec![fig("demo-a").with_data("{}".into())];
        let e = golden(manifest, Ok(moving())).unwrap_err();
        assert!(
            e.contains("demo-a.json") && e.contains("cannot be read"),
            "{e}"
        );
        std::fs::write(figs.join("demo-a.json"), "{ }").unwrap();
        let e = golden(manifest, Ok(moving())).unwrap_err();
        assert!(e.contains("demo-a.json") && e.contains("differs"), "{e}");
        std::fs::write(figs.join("demo-a.json"), "{}").unwrap();
        assert_eq!(golden(manifest, Ok(moving())), Ok(vec![]));
        let e = golden(manifest, Ok(vec![fig("demo-a")])).unwrap_err();
        assert!(
            e.contains("demo-a.json") && e.contains("no longer draws"),
            "{e}"
        );
        // A drawing failure is passed on.
        let e = golden(
            manifest,
            Err(crate::figure::FigureError("demo-a: boom".into())),
        );
        assert!(e.unwrap_err().contains("boom"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
