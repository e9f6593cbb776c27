//! `cargo xtask figures`: finds the crates that draw figures, without naming any.
//!
//! Each chapter crate owns its figures: its `tests/figures.rs` redraws them and compares them
//! with `src/figures/<crate>-*.svg` (through `bookkit::freshness::golden`), or rewrites them when
//! [`UPDATE_VAR`] is `always`. The build tool only runs those tests in write mode, so it depends
//! on no chapter crate: a broken chapter cannot stop `cargo xtask serve`, and a new chapter
//! needs no edit here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the figures live, relative to the workspace root.
pub const FIGURE_DIR: &str = "src/figures";

/// The environment variable that puts a figure test in write mode: bookkit's, which the figure
/// tests read.
pub const UPDATE_VAR: &str = bookkit::freshness::UPDATE_VAR;

/// The package name of every crate under `root/code` that has a `tests/figures.rs`, sorted.
///
/// # Errors
/// `code/` or a crate's `Cargo.toml` cannot be read, or the manifest names no package.
pub fn crates_with_figures(root: &Path) -> Result<Vec<String>, String> {
    let code = root.join("code");
    let entries = match std::fs::read_dir(&code) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", code.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let dir = entry
            .map_err(|e| format!("{}: {e}", code.display()))?
            .path();
        if !dir.join("tests/figures.rs").is_file() {
            continue;
        }
        names.push(package_name(&dir.join("Cargo.toml"))?);
    }
    names.sort();
    Ok(names)
}

/// Every SVG under `src/figures/` must belong to a crate that redraws it and must be shown by a
/// page: its name starts with `<crate>-` for a crate with `tests/figures.rs` (whose figure test
/// then checks it and reports it when the crate no longer draws it), and some page links it. A
/// figure left behind by a removed chapter, or never linked, is an error.
pub fn check_owners(root: &Path, src: &Path) -> Vec<crate::Problem> {
    let problem = |file: PathBuf, message: String| crate::Problem {
        file,
        line: None,
        message,
    };
    let owners = match crates_with_figures(root) {
        Ok(owners) => owners,
        Err(e) => return vec![problem(root.join("code"), e)],
    };
    // The pages, and the files they include (a caption may live in an included snapshot),
    // found by the same include parser the include check uses.
    let mut pages: Vec<String> = Vec::new();
    for page in crate::includes::pages(src) {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        for include in crate::includes::find(&page, &text) {
            if let Ok(included) = std::fs::read_to_string(&include.target) {
                pages.push(included);
            }
        }
        pages.push(text);
    }
    let mut problems = Vec::new();
    for path in crate::walk(&src.join("figures")) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".svg") else {
            continue;
        };
        if !owners.iter().any(|c| stem.starts_with(&format!("{c}-"))) {
            problems.push(problem(
                path.clone(),
                format!(
                    "no crate draws this figure: its name must start with `<crate>-` for a crate \
                     with tests/figures.rs (crates with figures: {}); delete it if its chapter is gone",
                    owners.join(", ")
                ),
            ));
        }
        if !pages
            .iter()
            .any(|page| page.contains(&format!("figures/{name}")))
        {
            problems.push(problem(
                path,
                "no page shows this figure: link it from a page or delete it".to_string(),
            ));
        }
    }
    problems
}

/// `package.name` from a crate manifest.
fn package_name(manifest: &Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let value: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("{}: no `[package] name`", manifest.display()))
}

/// The contents of every file in `dir`, by path relative to `dir` (empty if `dir` does not
/// exist).
pub fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    crate::walk(dir)
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some((p.strip_prefix(dir).ok()?.to_path_buf(), bytes))
        })
        .collect()
}

/// What changed between two [`contents`] of the same folder: one line per file written anew,
/// changed or removed, sorted by path.
pub fn changes(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    let mut found: Vec<(&PathBuf, &str)> = Vec::new();
    for (path, bytes) in after {
        match before.get(path) {
            None => found.push((path, "new")),
            Some(old) if old != bytes => found.push((path, "changed")),
            Some(_) => {}
        }
    }
    found.extend(
        before
            .keys()
            .filter(|p| !after.contains_key(*p))
            .map(|p| (p, "removed")),
    );
    found.sort();
    found
        .into_iter()
        .map(|(path, what)| format!("{what:<8} {}", path.display()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_keyed_by_relative_path_and_a_missing_code_folder_has_no_crates() {
        let root = std::env::temp_dir().join(format!("xtask-contents-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.svg"), "<svg/>").unwrap();
        std::fs::write(root.join("sub/b.svg"), [1u8, 2]).unwrap();
        let found = contents(&root);
        assert_eq!(found.len(), 2);
        assert_eq!(found[&PathBuf::from("a.svg")], b"<svg/>");
        assert_eq!(found[&PathBuf::from("sub/b.svg")], [1u8, 2]);
        assert!(contents(&root.join("absent")).is_empty());
        // No code/ folder: no crates (a fixture book); code/ that is a file: an error.
        assert_eq!(crates_with_figures(&root), Ok(vec![]));
        std::fs::write(root.join("code"), "").unwrap();
        assert!(crates_with_figures(&root).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn crates_are_found_by_their_figure_test() {
        let root = std::env::temp_dir().join(format!("xtask-figcrates-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let krate = |dir: &str, name: &str, figures: bool| {
            let d = root.join("code").join(dir);
            std::fs::create_dir_all(d.join("tests")).unwrap();
            std::fs::write(
                d.join("Cargo.toml"),
                format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n"),
            )
            .unwrap();
            if figures {
                std::fs::write(d.join("tests/figures.rs"), "").unwrap();
            }
        };
        krate("zeta", "zeta", true);
        krate("alpha", "alpha-chapter", true);
        krate("tool", "tool", false);
        assert_eq!(
            crates_with_figures(&root),
            Ok(vec!["alpha-chapter".to_string(), "zeta".to_string()])
        );
        std::fs::write(root.join("code/zeta/Cargo.toml"), "[lib]\n").unwrap();
        assert!(
            crates_with_figures(&root)
                .unwrap_err()
                .contains("no `[package] name`")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn changes_name_new_changed_and_removed_files() {
        let map = |items: &[(&str, &str)]| -> BTreeMap<PathBuf, Vec<u8>> {
            items
                .iter()
                .map(|(p, b)| (PathBuf::from(p), b.as_bytes().to_vec()))
                .collect()
        };
        let before = map(&[("a.svg", "1"), ("b.svg", "2"), ("c.svg", "3")]);
        let after = map(&[("a.svg", "1"), ("b.svg", "two"), ("d.svg", "4")]);
        assert_eq!(
            changes(&before, &after),
            vec!["changed  b.svg", "removed  c.svg", "new      d.svg"]
        );
        assert!(changes(&before, &before).is_empty());
    }
}
