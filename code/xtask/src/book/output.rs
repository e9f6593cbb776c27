//! The rendered HTML: the search index and KaTeX's stylesheet and fonts are present, nothing is
//! loaded from the network, no include directive is left unexpanded, and every relative link,
//! image and fragment resolves.

use std::path::{Path, PathBuf};

use super::line_of;
use crate::{Problem, walk};

/// Walks the book rendered into `dest`; returns the number of HTML pages.
///
/// # Errors
/// Every problem found, naming the output file and, where possible, the line.
pub fn check(dest: &Path) -> Result<usize, Vec<Problem>> {
    let mut problems = Vec::new();
    let css = dest.join("katex/katex.min.css");
    if !css.is_file() {
        problems.push(Problem {
            file: css.clone(),
            line: None,
            message: "KaTeX's stylesheet is missing from the output: math would render as \
                      garbled text (src/katex/ must hold katex.min.css and its fonts)"
                .into(),
        });
    }
    if !walk(dest).iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("searchindex") && n.ends_with(".js"))
    }) {
        problems.push(Problem {
            file: dest.to_path_buf(),
            line: None,
            message: "no search index was written: mdbook-driver needs its `search` feature and \
                      [output.html.search] must stay enabled"
                .into(),
        });
    }
    problems.extend(katex_fonts(dest));
    let html: Vec<PathBuf> = walk(dest)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for page in &html {
        let Ok(text) = std::fs::read_to_string(page) else {
            continue;
        };
        problems.extend(page_problems(dest, page, &text));
    }
    if problems.is_empty() {
        Ok(html.len())
    } else {
        Err(problems)
    }
}

/// What is wrong with one rendered page, `page` (holding `text`) inside the book at `dest`.
fn page_problems(dest: &Path, page: &Path, text: &str) -> Vec<Problem> {
    let link = regex::Regex::new(r##"(?:href|src)="([^"#?]*)(?:\?[^"#]*)?(?:#([^"]*))?""##)
        .expect("valid pattern");
    let remote = regex::Regex::new(
        r#"<(?:link|script|img|source|iframe)\b[^>]*?(?:href|src)="((?:https?:)?//[^"]+)""#,
    )
    .expect("valid pattern");
    let mut problems = Vec::new();
    let at = |needle: &str, message: String| Problem {
        file: page.to_path_buf(),
        line: line_of(text, needle),
        message,
    };
    // Anything the page loads (stylesheets, scripts, images, fonts) must come with the book.
    for cap in remote.captures_iter(text) {
        problems.push(at(
            &cap[1],
            format!(
                "loads `{}` from the network: the book must render offline",
                &cap[1]
            ),
        ));
    }
    if text.contains("{{#include") || text.contains("{{#rustdoc_include") {
        problems.push(at(
            "{{#",
            "holds an include directive that was not expanded".into(),
        ));
    }
    let dir = page.parent().unwrap_or(dest);
    for cap in link.captures_iter(text) {
        let target = &cap[1];
        let fragment = cap.get(2).map(|m| m.as_str()).filter(|f| !f.is_empty());
        if target.is_empty() {
            // A link within the page: its fragment must name an element of this page.
            if let Some(f) = fragment
                && !text.contains(&format!("id=\"{f}\""))
            {
                problems.push(at(
                    &format!("#{f}\""),
                    format!("broken link: no element has id `{f}` on this page"),
                ));
            }
            continue;
        }
        if target.contains("://")
            || target.starts_with("mailto:")
            || target.starts_with("data:")
            || target.starts_with("javascript:")
            || target.contains("{{")
            // Printed by the browser check after the build (absent where Chromium is).
            || target == super::PDF
        {
            continue;
        }
        let path = if let Some(abs) = target.strip_prefix('/') {
            dest.join(abs)
        } else {
            dir.join(target)
        };
        let exists = path.is_file() || path.join("index.html").is_file();
        if !exists {
            problems.push(at(
                &format!("\"{target}"),
                format!("broken link: `{target}` does not exist in the rendered book"),
            ));
        } else if let Some(f) = fragment
            && path.extension().is_some_and(|e| e == "html")
            && !std::fs::read_to_string(&path).is_ok_and(|t| t.contains(&format!("id=\"{f}\"")))
        {
            problems.push(at(
                &format!("\"{target}#{f}"),
                format!("broken link: `{target}` has no element with id `{f}`"),
            ));
        }
    }
    problems
}

/// Every font KaTeX's stylesheet asks for first (the woff2 file of each `@font-face`) must be in
/// the output, or formulas silently fall back to system fonts.
fn katex_fonts(dest: &Path) -> Vec<Problem> {
    let css_path = dest.join("katex/katex.min.css");
    let Ok(css) = std::fs::read_to_string(&css_path) else {
        return Vec::new(); // reported as a missing stylesheet
    };
    let first_url = regex::Regex::new(r"src:url\(([^)]+)\)").expect("valid pattern");
    first_url
        .captures_iter(&css)
        .filter_map(|cap| {
            let font = css_path.parent().unwrap_or(dest).join(&cap[1]);
            (!font.is_file()).then(|| Problem {
                file: css_path.clone(),
                line: None,
                message: format!(
                    "KaTeX font {} is missing: copy it from the katex 0.16.4 npm package into \
                     src/katex/fonts/",
                    &cap[1]
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_fragments_and_remote_loads_are_checked_per_page() {
        let dest = std::env::temp_dir().join(format!("xtask-output-{}", std::process::id()));
        std::fs::create_dir_all(dest.join("ch")).unwrap();
        std::fs::write(dest.join("other.html"), "<h1 id=\"top\">x</h1>").unwrap();
        let page = dest.join("ch/page.html");
        let text = "<p id=\"here\">\n\
                    <a href=\"#here\">ok</a> <a href=\"../other.html#top\">ok</a>\n\
                    <a href=\"#gone\">bad</a>\n\
                    <a href=\"/other.html#nope\">bad</a>\n\
                    <img src=\"missing.svg\">\n\
                    <script src=\"https://cdn.example/x.js\"></script>\n\
                    <a href=\"https://example.org/\">fine</a> <a href=\"mailto:a@b\">fine</a>\n";
        let found: Vec<String> = page_problems(&dest, &page, text)
            .iter()
            .map(|p| format!("{}: {}", p.line.unwrap_or(0), p.message))
            .collect();
        assert_eq!(
            found,
            vec![
                "6: loads `https://cdn.example/x.js` from the network: the book must render offline",
                "3: broken link: no element has id `gone` on this page",
                "4: broken link: `/other.html` has no element with id `nope`",
                "5: broken link: `missing.svg` does not exist in the rendered book",
            ]
        );
        std::fs::remove_dir_all(&dest).unwrap();
    }

    #[test]
    fn each_missing_katex_font_is_named() {
        let dest = std::env::temp_dir().join(format!("xtask-fonts-{}", std::process::id()));
        std::fs::create_dir_all(dest.join("katex/fonts")).unwrap();
        std::fs::write(
            dest.join("katex/katex.min.css"),
            "@font-face{src:url(fonts/A.woff2) format(\"woff2\"),url(fonts/A.woff)}\
             @font-face{src:url(fonts/B.woff2)}",
        )
        .unwrap();
        std::fs::write(dest.join("katex/fonts/A.woff2"), "").unwrap();
        let missing: Vec<String> = katex_fonts(&dest).into_iter().map(|p| p.message).collect();
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].starts_with("KaTeX font fonts/B.woff2 is missing"));
        std::fs::remove_dir_all(&dest).unwrap();
    }
}
