//! The build tool knows no chapter: adding one touches the workspace `members`, `src/SUMMARY.md`
//! and the new crate's folder, never `code/xtask`.
//!
//! The chapter names are not written here either: they are read from the workspace manifest, so
//! a new chapter is covered the moment it is a member.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use regex::Regex;

/// Workspace members the build tool may depend on: shared tools, never a chapter.
const SHARED: &[&str] = &["errors", "bookkit", "cards"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn toml(path: &Path) -> toml::Table {
    toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(package name, folder)` of every workspace member.
fn members() -> Vec<(String, PathBuf)> {
    let root = xtask::root();
    let manifest = toml(&root.join("Cargo.toml"));
    let members = manifest["workspace"]["members"].as_array().unwrap();
    members
        .iter()
        .map(|m| {
            let dir = root.join(m.as_str().unwrap());
            let name = toml(&dir.join("Cargo.toml"))["package"]["name"]
                .as_str()
                .unwrap()
                .to_string();
            (name, dir)
        })
        .collect()
}

/// Members that are neither the build tool nor a shared tool: the chapters (and the shared core
/// they build on, which the build tool has no reason to know either).
fn chapters() -> Vec<String> {
    let chapters: Vec<String> = members()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|n| n != "xtask" && !SHARED.contains(&n.as_str()))
        .collect();
    assert!(
        chapters.len() >= 6,
        "the workspace lists its chapters: {chapters:?}"
    );
    chapters
}

#[test]
fn xtask_depends_on_no_chapter_crate() {
    let manifest = toml(&xtask::root().join("code/xtask/Cargo.toml"));
    let chapters = chapters();
    let mut found = Vec::new();
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = manifest.get(table).and_then(|t| t.as_table()) else {
            continue;
        };
        for (key, value) in deps {
            // `alias = { package = "real-name", ... }` depends on real-name.
            let name = value.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            if chapters.iter().any(|c| c == name) {
                found.push(format!("[{table}] {name}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "code/xtask/Cargo.toml depends on {found:?}: the build tool must build without any \
         chapter (a chapter checks its own figures in tests/figures.rs)"
    );
}

#[test]
fn xtask_sources_name_no_chapter_crate() {
    let root = xtask::root();
    let chapters = chapters();
    // A crate named in Rust (`name::`, `use name`, `extern crate name`) or as a whole string
    // (`"name"`, as in `cargo test -p name`).
    let patterns: Vec<(String, Regex)> = chapters
        .iter()
        .map(|c| {
            let c = regex::escape(c);
            let re = format!(r#"\b{c}::|\buse\s+{c}\b|\bcrate\s+{c}\b|"{c}"|-p\s+{c}\b"#);
            (c, Regex::new(&re).unwrap())
        })
        .collect();
    let mut found = Vec::new();
    for dir in ["code/xtask/src", "code/xtask/tests"] {
        for file in xtask::walk(&root.join(dir)) {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = read(&file);
            for (n, line) in text.lines().enumerate() {
                for (name, re) in &patterns {
                    if re.is_match(line) {
                        found.push(format!(
                            "{}:{}: names `{name}`: {}",
                            file.strip_prefix(&root).unwrap_or(&file).display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_crate_with_figures_is_a_member() {
    // `cargo xtask figures` runs `cargo test -p <name> --test figures` for each of these.
    let root = xtask::root();
    let with_figures = xtask::figures::crates_with_figures(&root).unwrap();
    let members: Vec<String> = members().into_iter().map(|(name, _)| name).collect();
    assert!(!with_figures.is_empty(), "the book has figures");
    for name in &with_figures {
        assert!(
            members.contains(name),
            "code/{name} has tests/figures.rs but is not a workspace member"
        );
    }
}
