//! The book's build tool: renders the book with every silent failure made loud, serves it while
//! you write, redraws the figures, and runs the whole test suite.
//!
//! Run it as `cargo xtask <command>` from anywhere in the workspace; `cargo xtask --help` lists the
//! commands.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::fmt;
use std::path::{Path, PathBuf};

pub mod book;
pub mod browser;
pub mod cli;
pub mod contrast;
pub mod figures;
pub mod includes;
pub mod listings;
pub mod serve;
pub mod svg;

/// Something wrong with the book, located as precisely as the check can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault (a page, `book.toml`, an output file).
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The workspace root (where `book.toml` lives).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("code/xtask sits two levels below the root")
        .to_path_buf()
}

/// Whether this runs in CI (`CI=true` or `CI=1`), where a missing tool is a failure, not a skip.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Every file under `dir`, sorted (empty if `dir` cannot be read).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
