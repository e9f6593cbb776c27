//! Code listings: how many lines each `.rs` include renders, `cargo xtask listings` (the report)
//! and the length check the book build can run.
//!
//! A listing should show the lines that carry an idea, not a whole function with its input
//! checks. A page may still show a longer one on purpose: an HTML comment
//! `<!-- long listing: <reason> -->` on the line right before the code fence that holds the
//! include waives the limit for that listing.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::Problem;
use crate::includes::{self, Selector};

/// The longest `.rs` listing a page may include without a waiver.
pub const LISTING_LIMIT: usize = 40;

/// One `{{#include}}` or `{{#rustdoc_include}}` of a `.rs` file in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The page holding the directive.
    pub page: PathBuf,
    /// 1-based line of the directive in the page.
    pub line: usize,
    /// The included file.
    pub file: PathBuf,
    /// The anchor or line range.
    pub selector: Selector,
    /// Lines the reader sees: the selection without anchor markers and hidden (`# `) lines.
    pub rendered: usize,
    /// The reason given in a `<!-- long listing: reason -->` waiver, if the page gives one.
    pub waiver: Option<String>,
}

/// Every `.rs` listing of every page under `src`, in page order. Includes whose file cannot be
/// read are left out (the include check reports them).
pub fn find(src: &Path) -> Vec<Listing> {
    let mut found = Vec::new();
    for page in includes::pages(src) {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for include in includes::find(&page, &text) {
            if include.target.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(code) = std::fs::read_to_string(&include.target) else {
                continue;
            };
            found.push(Listing {
                rendered: rendered_lines(&code, &include.selector, include.rustdoc),
                waiver: waiver(&lines, include.line),
                page: include.page,
                line: include.line,
                file: include.target,
                selector: include.selector,
            });
        }
    }
    found
}

/// How many lines mdBook 0.5 shows for `selector` of `code`: the selected lines (for an anchor,
/// the first section, or every section of that name under `rustdoc_include`), minus lines holding
/// an anchor marker, minus the lines a Rust code block hides (`#` alone or followed by a space).
pub fn rendered_lines(code: &str, selector: &Selector, rustdoc: bool) -> usize {
    let lines: Vec<&str> = code.lines().collect();
    let selected: Vec<&str> = match selector {
        Selector::Whole => lines,
        Selector::Lines(start, end) => {
            let from = start.unwrap_or(1).saturating_sub(1);
            let to = end.unwrap_or(lines.len()).min(lines.len());
            lines.get(from..to).unwrap_or_default().to_vec()
        }
        Selector::Anchor(name) => anchored(&lines, name, rustdoc),
    };
    selected
        .iter()
        .filter(|l| {
            let t = l.trim_start();
            t != "#" && !t.starts_with("# ")
        })
        .count()
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without marker lines, as mdBook
/// takes them.
fn anchored<'a>(lines: &[&'a str], name: &str, every_section: bool) -> Vec<&'a str> {
    let start = Regex::new(r"ANCHOR:\s*([\w_-]+)").expect("a valid pattern");
    let end = Regex::new(r"ANCHOR_END:\s*([\w_-]+)").expect("a valid pattern");
    let mut out = Vec::new();
    let mut inside = false;
    for line in lines {
        if inside {
            match end.captures(line) {
                Some(cap) if &cap[1] == name => {
                    inside = false;
                    if !every_section {
                        break;
                    }
                }
                Some(_) => {}
                None if start.is_match(line) => {}
                None => out.push(*line),
            }
        } else if start.captures(line).is_some_and(|cap| &cap[1] == name) {
            inside = true;
        }
    }
    out
}

/// The reason of a `<!-- long listing: reason -->` comment on the line right before the code
/// fence holding the directive on 1-based line `at` (or right before the directive, outside a
/// fence).
fn waiver(lines: &[&str], at: usize) -> Option<String> {
    let mut fence = None;
    for (i, line) in lines.iter().enumerate().take(at.saturating_sub(1)) {
        if line.trim_start().starts_with("```") {
            fence = match fence {
                None => Some(i),
                Some(_) => None,
            };
        }
    }
    // 0-based index of the line that must hold the waiver.
    let before = match fence {
        Some(open) => open.checked_sub(1)?,
        None => at.checked_sub(2)?,
    };
    let comment = Regex::new(r"^\s*<!--\s*long listing:\s*(\S.*?)\s*-->\s*$").expect("valid");
    comment
        .captures(lines.get(before)?)
        .map(|c| c[1].to_string())
}

/// A listing longer than `limit` without a waiver, one problem each, at the directive.
pub fn check(src: &Path, limit: usize) -> Vec<Problem> {
    find(src)
        .into_iter()
        .filter(|l| l.rendered > limit && l.waiver.is_none())
        .map(|l| Problem {
            file: l.page,
            line: Some(l.line),
            message: format!(
                "the listing of {}{} renders {} lines (limit {limit}): anchor the lines that carry \
                 the idea, or put `<!-- long listing: <reason> -->` on the line before its code \
                 fence",
                l.file.display(),
                describe(&l.selector),
                l.rendered
            ),
        })
        .collect()
}

/// `:anchor`, `:a:b`, or nothing for a whole file.
fn describe(selector: &Selector) -> String {
    let n = |n: &Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    match selector {
        Selector::Whole => String::new(),
        Selector::Anchor(name) => format!(":{name}"),
        Selector::Lines(a, b) if a == b => format!(":{}", n(a)),
        Selector::Lines(a, b) => format!(":{}:{}", n(a), n(b)),
    }
}

/// The report `cargo xtask listings` prints: every listing, longest first, with paths relative
/// to `root`, then how the lengths are distributed.
pub fn report(root: &Path, listings: &[Listing]) -> String {
    let rel = |p: &Path| {
        let p = p.strip_prefix(root).unwrap_or(p);
        // Directives name files relative to the page (`src/../code/...`): tidy that up.
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out.display().to_string()
    };
    let mut sorted: Vec<&Listing> = listings.iter().collect();
    sorted.sort_by(|a, b| {
        b.rendered
            .cmp(&a.rendered)
            .then_with(|| (&a.page, a.line).cmp(&(&b.page, b.line)))
    });
    let rows: Vec<[String; 4]> = sorted
        .iter()
        .map(|l| {
            [
                l.rendered.to_string(),
                format!("{}:{}", rel(&l.page), l.line),
                format!("{}{}", rel(&l.file), describe(&l.selector)),
                l.waiver
                    .as_ref()
                    .map(|w| format!("waived: {w}"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let width = |i: usize, title: &str| {
        rows.iter()
            .map(|r| r[i].len())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0, "lines"), width(1, "page"), width(2, "listing"));
    let mut out = format!("{:>w0$}  {:<w1$}  listing\n", "lines", "page");
    for r in &rows {
        let line = format!("{:>w0$}  {:<w1$}  {:<w2$}  {}", r[0], r[1], r[2], r[3]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let count = |f: &dyn Fn(usize) -> bool| listings.iter().filter(|l| f(l.rendered)).count();
    out.push_str(&format!(
        "\n{} listings: {} of ≤20 lines, {} of 21–40, {} of 41–80, {} over 80; longest {}\n",
        listings.len(),
        count(&|n| n <= 20),
        count(&|n| (21..=40).contains(&n)),
        count(&|n| (41..=80).contains(&n)),
        count(&|n| n > 80),
        listings.iter().map(|l| l.rendered).max().unwrap_or(0),
    ));
    let over = listings
        .iter()
        .filter(|l| l.rendered > LISTING_LIMIT && l.waiver.is_none())
        .count();
    out.push_str(&format!(
        "{over} over the limit of {LISTING_LIMIT} without a `<!-- long listing: reason -->` waiver \
         (the build refuses these)\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_print_as_mdbook_writes_them_and_only_unwaived_long_listings_count() {
        assert_eq!(describe(&Selector::Whole), "");
        assert_eq!(describe(&Selector::Anchor("here".into())), ":here");
        assert_eq!(describe(&Selector::Lines(Some(5), Some(5))), ":5");
        assert_eq!(describe(&Selector::Lines(Some(2), None)), ":2:");
        assert_eq!(describe(&Selector::Lines(Some(2), Some(9))), ":2:9");
        let listing = |rendered: usize, waiver: Option<&str>| Listing {
            page: PathBuf::from("/r/src/p.md"),
            line: 1,
            file: PathBuf::from("/r/code/x.rs"),
            selector: Selector::Whole,
            rendered,
            waiver: waiver.map(str::to_string),
        };
        let all = [
            listing(LISTING_LIMIT, None),
            listing(LISTING_LIMIT + 1, None),
            listing(LISTING_LIMIT + 2, None),
            listing(LISTING_LIMIT + 5, Some("the point")),
            listing(3, None),
        ];
        // Two are over the limit without a waiver: not the one at the limit, not the waived one,
        // not the short one.
        let text = report(Path::new("/r"), &all);
        assert!(
            text.contains(&format!("2 over the limit of {LISTING_LIMIT}")),
            "{text}"
        );
    }

    const CODE: &str = "\
use std::fmt;
// ANCHOR: all
fn f() {
    // ANCHOR: core
    let x = 1;
# let hidden = 2;
    #[allow(unused)]
    let y = x;
    // ANCHOR_END: core
}
// ANCHOR_END: all
// ANCHOR: all
fn g() {}
// ANCHOR_END: all
";

    #[test]
    fn rendered_lines_follow_mdbook() {
        let a = |name: &str| Selector::Anchor(name.into());
        // `fn f() {`, `let x`, `#[allow]`, `let y`, `}`: the hidden line and markers drop out.
        assert_eq!(rendered_lines(CODE, &a("all"), false), 5);
        // rustdoc_include shows every section of the name.
        assert_eq!(rendered_lines(CODE, &a("all"), true), 6);
        assert_eq!(rendered_lines(CODE, &a("core"), false), 3);
        assert_eq!(rendered_lines(CODE, &a("gone"), false), 0);
        assert_eq!(rendered_lines(CODE, &Selector::Whole, false), 13);
        assert_eq!(
            rendered_lines(CODE, &Selector::Lines(Some(3), Some(5)), false),
            3
        );
        assert_eq!(
            rendered_lines(CODE, &Selector::Lines(Some(13), None), false),
            2
        );
        assert_eq!(
            rendered_lines(CODE, &Selector::Lines(None, Some(2)), false),
            2
        );
        assert_eq!(
            rendered_lines(CODE, &Selector::Lines(Some(99), None), false),
            0
        );
    }

    #[test]
    fn a_waiver_sits_right_before_the_fence() {
        let page = "intro\n<!-- long listing: the whole parser is the point -->\n```rust\n\
                    {{#include x.rs:a}}\n```\n\n```rust\n{{#include x.rs:b}}\n```\n\
                    <!-- long listing: too far -->\n\n```rust\n{{#include x.rs:c}}\n```\n";
        let lines: Vec<&str> = page.lines().collect();
        assert_eq!(
            waiver(&lines, 4).as_deref(),
            Some("the whole parser is the point")
        );
        assert_eq!(waiver(&lines, 8), None);
        assert_eq!(waiver(&lines, 13), None, "a blank line separates it");
        // Outside a fence the comment goes right before the directive; an empty reason is none.
        let bare = ["<!-- long listing: why -->", "{{#include x.rs}}"];
        assert_eq!(waiver(&bare, 2).as_deref(), Some("why"));
        assert_eq!(
            waiver(&["<!-- long listing: -->", "{{#include x.rs}}"], 2),
            None
        );
        assert_eq!(waiver(&bare, 1), None);
    }

    #[test]
    fn long_listings_without_a_waiver_are_refused() {
        let root = std::env::temp_dir().join(format!("xtask-listings-{}", std::process::id()));
        let src = root.join("src");
        std::fs::create_dir_all(&src).unwrap();
        let body: String = (0..45).map(|i| format!("let v{i} = {i};\n")).collect();
        std::fs::write(
            src.join("long.rs"),
            format!("// ANCHOR: long\n{body}// ANCHOR_END: long\n// ANCHOR: short\nfn s() {{}}\n// ANCHOR_END: short\n"),
        )
        .unwrap();
        std::fs::write(
            src.join("page.md"),
            "```rust\n{{#include long.rs:long}}\n```\n\n\
             <!-- long listing: all of it -->\n```rust\n{{#rustdoc_include long.rs:long}}\n```\n\n\
             ```rust\n{{#include long.rs:short}}\n```\n\n{{#include other.txt}}\n",
        )
        .unwrap();
        let found = find(&src);
        let seen: Vec<_> = found
            .iter()
            .map(|l| (l.line, l.rendered, l.waiver.as_deref()))
            .collect();
        assert_eq!(
            seen,
            vec![(2, 45, None), (7, 45, Some("all of it")), (11, 1, None)]
        );
        let problems = check(&src, 40);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(2));
        assert!(
            problems[0]
                .message
                .contains("long.rs:long renders 45 lines (limit 40)")
        );
        assert!(check(&src, 45).is_empty());

        let report = report(&root, &found);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "lines  page            listing");
        assert_eq!(lines[1], "   45  src/page.md:2   src/long.rs:long");
        assert_eq!(
            lines[2],
            "   45  src/page.md:7   src/long.rs:long   waived: all of it"
        );
        assert_eq!(lines[3], "    1  src/page.md:11  src/long.rs:short");
        assert_eq!(
            lines[5],
            "3 listings: 1 of ≤20 lines, 0 of 21–40, 2 of 41–80, 0 over 80; longest 45"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
