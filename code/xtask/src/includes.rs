//! Checks every `{{#include}}` and `{{#rustdoc_include}}` in the book before mdBook sees it.
//!
//! mdBook 0.5 logs a missing include file and carries on, and says nothing at all about a missing
//! anchor (the page gets an empty code block). This pass turns both into errors that name the page
//! and line, and also checks that an included insta snapshot skips exactly its header.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::Problem;

/// One include directive found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The page holding the directive.
    pub page: PathBuf,
    /// 1-based line of the directive in the page.
    pub line: usize,
    /// The file the directive points at, resolved against the page's folder.
    pub target: PathBuf,
    /// What follows the path: an anchor name, a line range, or nothing.
    pub selector: Selector,
    /// `{{#rustdoc_include}}` (the lines outside the selection are hidden, not dropped).
    pub rustdoc: bool,
}

/// The part of an include after the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The whole file.
    Whole,
    /// `:name`, the lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
    /// `:start:end`, `:start:` or `:line` (1-based, inclusive), as mdBook reads them.
    Lines(Option<usize>, Option<usize>),
}

/// Finds every include directive in `text` (escaped `\{{#include}}` is skipped).
pub fn find(page: &Path, text: &str) -> Vec<Include> {
    // The same shape mdBook's link preprocessor matches.
    let link = Regex::new(r"\\\{\{\#.*\}\}|\{\{\s*\#(include|rustdoc_include)\s+([^}]+)\}\}")
        .expect("a valid regular expression");
    let dir = page.parent().unwrap_or(Path::new("."));
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for cap in link.captures_iter(line) {
            let (Some(kind), Some(spec)) = (cap.get(1), cap.get(2)) else {
                continue;
            };
            let spec = spec.as_str().trim();
            let (path, selector) = match spec.split_once(':') {
                None => (spec, Selector::Whole),
                Some((path, rest)) => (path, parse_selector(rest)),
            };
            found.push(Include {
                page: page.to_path_buf(),
                line: i + 1,
                target: dir.join(path),
                selector,
                rustdoc: kind.as_str() == "rustdoc_include",
            });
        }
    }
    found
}

fn parse_selector(rest: &str) -> Selector {
    let number = |s: &str| s.trim().parse::<usize>().ok();
    if rest.chars().all(|c| c.is_ascii_digit() || c == ':') {
        match rest.split_once(':') {
            None => Selector::Lines(number(rest), number(rest)),
            Some((a, b)) => Selector::Lines(number(a), number(b)),
        }
    } else {
        Selector::Anchor(rest.trim().to_string())
    }
}

/// How many lines an insta snapshot's header takes (`---`, metadata, `---`), if it has one.
pub fn snapshot_header_lines(text: &str) -> Option<usize> {
    let mut lines = text.lines();
    if lines.next()? != "---" {
        return None;
    }
    lines.position(|l| l == "---").map(|i| i + 2)
}

/// Checks one include: the file exists, the anchor exists (both ends), the line range is inside
/// the file, and a snapshot is included from just after its header.
pub fn check(include: &Include) -> Result<(), Problem> {
    let problem = |message: String| Problem {
        file: include.page.clone(),
        line: Some(include.line),
        message,
    };
    let text = std::fs::read_to_string(&include.target).map_err(|e| {
        problem(format!(
            "included file {} cannot be read: {e}",
            include.target.display()
        ))
    })?;
    match &include.selector {
        Selector::Whole => {}
        Selector::Anchor(name) => {
            // mdBook reads the whole name after the marker and compares it for equality.
            let marker =
                |kind: &str| Regex::new(&format!(r"{kind}:\s*([\w_-]+)")).expect("a valid pattern");
            let (start_re, end_re) = (marker("ANCHOR"), marker("ANCHOR_END"));
            let named =
                |re: &Regex, l: &str| re.captures(l).is_some_and(|c| &c[1] == name.as_str());
            let start = |l: &str| !l.contains("ANCHOR_END") && named(&start_re, l);
            let end = |l: &str| named(&end_re, l);
            let begins = text.lines().position(start);
            let ends = text.lines().position(end);
            match (begins, ends) {
                (None, _) => {
                    return Err(problem(format!(
                        "anchor `{name}` not found in {} (it needs a line `ANCHOR: {name}`)",
                        include.target.display()
                    )));
                }
                (Some(_), None) => {
                    return Err(problem(format!(
                        "anchor `{name}` in {} is never closed (it needs `ANCHOR_END: {name}`)",
                        include.target.display()
                    )));
                }
                (Some(b), Some(e)) if e <= b + 1 => {
                    return Err(problem(format!(
                        "anchor `{name}` in {} encloses no lines",
                        include.target.display()
                    )));
                }
                _ => {}
            }
        }
        Selector::Lines(start, end) => {
            let count = text.lines().count();
            if let (Some(a), Some(b)) = (start, end)
                && a > b
            {
                return Err(problem(format!(
                    "the range {a}:{b} of {} is reversed: mdBook would include nothing",
                    include.target.display()
                )));
            }
            for n in [start, end].into_iter().flatten() {
                if *n == 0 || *n > count {
                    return Err(problem(format!(
                        "line {n} is outside {} ({count} lines; lines count from 1)",
                        include.target.display()
                    )));
                }
            }
        }
    }
    if include.target.extension().is_some_and(|e| e == "snap") {
        let header = snapshot_header_lines(&text).ok_or_else(|| {
            problem(format!(
                "{} has no insta header (`---` … `---`)",
                include.target.display()
            ))
        })?;
        check_snapshot_is_tested(&include.target, &text).map_err(problem)?;
        let want = header + 1;
        if include.selector != Selector::Lines(Some(want), None) {
            return Err(problem(format!(
                "a snapshot must be included from just after its {header}-line header, as \
                 `{}:{want}:`",
                include.target.display()
            )));
        }
    }
    Ok(())
}

/// An included snapshot must still be asserted by the test file named in its header; otherwise
/// deleting the test would leave the page showing a number nothing checks.
fn check_snapshot_is_tested(snap: &Path, text: &str) -> Result<(), String> {
    let source = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("source: "))
        .ok_or_else(|| format!("{} names no `source:` test file", snap.display()))?;
    let name = snap
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("{} has no file name", snap.display()))?;
    // The header's source path is relative to the workspace root, which holds `code/`.
    let root = snap
        .ancestors()
        .find(|a| a.join("code").is_dir() && a.join("Cargo.toml").is_file())
        .ok_or_else(|| format!("{} is not inside the workspace", snap.display()))?;
    let test = std::fs::read_to_string(root.join(source)).map_err(|e| {
        format!(
            "{}: its test file {source} cannot be read: {e}",
            snap.display()
        )
    })?;
    if test.contains(&format!("\"{name}\"")) {
        Ok(())
    } else {
        Err(format!(
            "{} is included but no test in {source} asserts a snapshot named \"{name}\"",
            snap.display()
        ))
    }
}

/// Every Markdown page under `src` (the theme and vendored folders hold none).
pub fn pages(src: &Path) -> Vec<PathBuf> {
    crate::walk(src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect()
}

/// Checks the includes of `text` (from `file`) and, as mdBook expands includes inside included
/// files too, those of every file it includes.
fn check_recursively(file: &Path, text: &str, depth: usize, problems: &mut Vec<Problem>) {
    if depth > 10 {
        problems.push(Problem {
            file: file.to_path_buf(),
            line: None,
            message: "includes nest more than 10 deep (mdBook stops there)".into(),
        });
        return;
    }
    for include in find(file, text) {
        match check(&include) {
            Err(p) => problems.push(p),
            Ok(()) => {
                if let Ok(inner) = std::fs::read_to_string(&include.target)
                    && inner.contains("{{#")
                {
                    check_recursively(&include.target, &inner, depth + 1, problems);
                }
            }
        }
    }
}

/// Checks every include of every page under `src`.
pub fn check_all(src: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for page in pages(src) {
        let text = match std::fs::read_to_string(&page) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem {
                    file: page,
                    line: None,
                    message: format!("cannot be read: {e}"),
                });
                continue;
            }
        };
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("~~~") {
                problems.push(Problem {
                    file: page.clone(),
                    line: Some(n + 1),
                    message: "use backtick fences: mdbook-katex does not see `~~~` fences and \
                              would render a `$` inside one as math"
                        .into(),
                });
            }
        }
        check_recursively(&page, &text, 0, &mut problems);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_as_mdbook_reads_them() {
        let page = Path::new("src/ch.md");
        let text = "a\n{{#include ../x.rs:here}} and {{#rustdoc_include y.rs:2:5}}\n\
                    \\{{#include escaped.rs}}\n{{#include z.snap:4:}}\n{{#include w.rs}}";
        let found = find(page, text);
        let sel: Vec<_> = found.iter().map(|i| (i.line, i.selector.clone())).collect();
        assert_eq!(
            sel,
            vec![
                (2, Selector::Anchor("here".into())),
                (2, Selector::Lines(Some(2), Some(5))),
                (4, Selector::Lines(Some(4), None)),
                (5, Selector::Whole),
            ]
        );
        assert_eq!(found[0].target, Path::new("src/../x.rs"));
        let rustdoc: Vec<_> = found.iter().map(|i| i.rustdoc).collect();
        assert_eq!(rustdoc, vec![false, true, false, false]);
    }

    #[test]
    fn snapshot_headers_are_measured() {
        assert_eq!(
            snapshot_header_lines("---\nsource: a\n---\nbody\n"),
            Some(3)
        );
        assert_eq!(
            snapshot_header_lines("---\nsource: a\nexpression: b\n---\nx"),
            Some(4)
        );
        assert_eq!(snapshot_header_lines("body"), None);
    }
}
