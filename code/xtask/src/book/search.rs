//! The search index rebuilt from the text a reader is given: one copy of each formula, no TeX.
//!
//! mdBook 0.5.4 indexes every text node of a chapter (`mdbook-html` 0.5.4,
//! `src/html_handlebars/search.rs`, `index_chapter`), and with `output = "htmlAndMathml"` each
//! formula is there three times: KaTeX's HTML, its MathML, and the TeX source in MathML's
//! `<annotation>`. Search results then read "( Δ t , Δ h ) (\Delta t, \Delta h) ( Δ t …" and TeX
//! command names (`mathrm`, `frac`) are hits. [`rebuild`] reads mdBook's index for its sections
//! (the address, title and breadcrumbs of each), takes each section's text again from the
//! rendered page without KaTeX's HTML (`aria-hidden`, drawn for the eye) and without the
//! `<annotation>` (so each formula is its MathML, in reading order), and writes the index again
//! with the same library (`elasticlunr-rs` 3.1.0, the version mdBook uses), fields, tokenizer and
//! options, under the same file name.

use std::path::{Path, PathBuf};

use elasticlunr::IndexBuilder;
use serde_json::Value;

use crate::Problem;

/// mdBook's `[output.html.search] heading-split-level` default: h1 to h3 start a section.
pub const HEADING_SPLIT_LEVEL: u8 = 3;

/// mdBook drops tokens longer than this (`MAX_WORD_LENGTH_TO_INDEX`).
const MAX_WORD: usize = 80;

/// mdBook's tokenizer: split at whitespace and hyphens, lower-case, drop very long tokens.
fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().to_lowercase())
        .filter(|s| s.len() <= MAX_WORD)
        .collect()
}

const PREFIX: &str = "window.search = Object.assign(window.search, JSON.parse('";
const SUFFIX: &str = "'));";

/// The JSON inside mdBook's `searchindex-*.js`, which wraps it in a single-quoted string with
/// `\` and `'` escaped by a backslash.
///
/// ```
/// let js = r#"window.search = Object.assign(window.search, JSON.parse('{"a":"it\'s \\\\x"}'));"#;
/// assert_eq!(xtask::book::search::unwrap_js(js), Some(r#"{"a":"it's \\x"}"#.to_string()));
/// assert_eq!(xtask::book::search::unwrap_js("var x = 1;"), None);
/// ```
pub fn unwrap_js(js: &str) -> Option<String> {
    let inner = js.trim_end().strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// [`unwrap_js`] reversed: the file mdBook writes for `json`.
pub fn wrap_js(json: &str) -> String {
    format!(
        "{PREFIX}{}{SUFFIX}",
        json.replace('\\', "\\\\").replace('\'', "\\'")
    )
}

/// One section of a page: the heading's id (empty before the first heading), its text and the
/// text of the section's body, as a reader is given them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The heading's `id` attribute.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Everything up to the next heading that starts a section.
    pub body: String,
}

/// Elements whose text a reader is not given: scripts, styles, KaTeX's HTML rendering (hidden
/// from screen readers, which read the MathML) and MathML's TeX annotation.
fn hidden(name: &str, attrs: &str) -> bool {
    matches!(name, "script" | "style" | "annotation")
        || (name == "span" && class_has(attrs, "katex-html"))
}

fn class_has(attrs: &str, class: &str) -> bool {
    attr(attrs, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let mut from = 0;
    while let Some(at) = attrs[from..].find(&key) {
        let start = from + at;
        let before = attrs[..start].chars().next_back();
        if before.is_none_or(char::is_whitespace) {
            let rest = &attrs[start + key.len()..];
            return rest.split('"').next();
        }
        from = start + key.len();
    }
    None
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`, `&nbsp;` and numeric references decoded; any
/// other `&` is kept as it is.
pub fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The sections of a rendered page's `<main>` element (the chapter; the whole text if there is
/// none), split at headings `h1` to `h3` that have an id, with the text of hidden elements left
/// out and whitespace collapsed. As mdBook does, a space stands for every tag.
///
/// ```
/// let html = r#"<main><h1 id="a">A <span class="katex"><span class="katex-mathml"><math>
/// <mi>x</mi><annotation>\alpha</annotation></math></span><span class="katex-html"
/// aria-hidden="true">x</span></span></h1><p>One &amp; two.</p><h2 id="b">B</h2><p>Three</p></main>"#;
/// let s = xtask::book::search::sections(html);
/// assert_eq!(s.len(), 2);
/// assert_eq!((s[0].id.as_str(), s[0].title.as_str(), s[0].body.as_str()), ("a", "A x", "One & two."));
/// assert_eq!((s[1].id.as_str(), s[1].title.as_str(), s[1].body.as_str()), ("b", "B", "Three"));
/// ```
pub fn sections(html: &str) -> Vec<Section> {
    let main = html
        .find("<main>")
        .map(|at| {
            let rest = &html[at + "<main>".len()..];
            &rest[..rest.rfind("</main>").unwrap_or(rest.len())]
        })
        .unwrap_or(html);
    let mut out = vec![Section::default()];
    // Open elements (their names), and how deep the innermost hidden one starts.
    let mut open: Vec<String> = Vec::new();
    let mut hidden_at: Option<usize> = None;
    let mut heading_at: Option<usize> = None;
    let mut rest = main;
    let push = |out: &mut Vec<Section>, in_heading: bool, s: &str| {
        if let Some(section) = out.last_mut() {
            let target = if in_heading {
                &mut section.title
            } else {
                &mut section.body
            };
            target.push_str(s);
        }
    };
    while !rest.is_empty() {
        let (text, tag) = match rest.find('<') {
            Some(at) => (&rest[..at], Some(&rest[at..])),
            None => (rest, None),
        };
        if hidden_at.is_none() && !text.is_empty() {
            push(&mut out, heading_at.is_some(), &decode(text));
        }
        let Some(tag) = tag else { break };
        if tag.starts_with("<!--") {
            rest = tag.find("-->").map_or("", |e| &tag[e + 3..]);
            continue;
        }
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let inner = tag[1..end.saturating_sub(1).max(1)].trim_end_matches('/');
        rest = &tag[end..];
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let (name, attrs) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let name = name.to_ascii_lowercase();
        if name.is_empty() || name.starts_with('!') {
            continue;
        }
        let level = name
            .strip_prefix('h')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|&n| (1..=HEADING_SPLIT_LEVEL).contains(&n));
        if closing {
            if let Some(depth) = open.iter().rposition(|n| *n == name) {
                open.truncate(depth);
                if hidden_at.is_some_and(|h| h >= depth) {
                    hidden_at = None;
                }
                if heading_at.is_some_and(|h| h >= depth) {
                    heading_at = None;
                }
            }
            continue;
        }
        if hidden_at.is_none() {
            if let (Some(_), Some(id)) = (level, attr(attrs, "id")) {
                out.push(Section {
                    id: decode(id),
                    ..Section::default()
                });
                heading_at = Some(open.len());
            } else {
                push(&mut out, heading_at.is_some(), " ");
            }
        }
        if VOID.contains(&name.as_str()) || tag[..end].ends_with("/>") {
            continue;
        }
        if hidden_at.is_none() && hidden(&name, attrs) {
            hidden_at = Some(open.len());
        }
        open.push(name);
    }
    if out
        .first()
        .is_some_and(|s| s.title.trim().is_empty() && s.body.trim().is_empty())
    {
        out.remove(0);
    }
    for s in &mut out {
        s.title = collapse(&s.title);
        s.body = collapse(&s.body);
    }
    out
}

/// Whitespace runs as one space, the ends trimmed, and the invisible operators MathML writes
/// (function application, invisible times, separator and plus, U+2061 to U+2064) dropped.
fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || ('\u{2061}'..='\u{2064}').contains(&c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The search index file mdBook wrote into `dest` (`searchindex.js` or a hashed name).
fn index_file(dest: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dest)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("searchindex") && n.ends_with(".js"))
        })
}

/// Rewrites the search index in `dest` from the rendered pages; see the module's documentation.
/// Returns the number of sections indexed (0 when the book has no index, which
/// [`super::output`] reports).
///
/// # Errors
/// The index cannot be read or parsed, names a page that is not there, or cannot be written.
pub fn rebuild(dest: &Path) -> Result<usize, Vec<Problem>> {
    let Some(file) = index_file(dest) else {
        return Ok(0);
    };
    let fail = |message: String| {
        vec![Problem {
            file: file.clone(),
            line: None,
            message,
        }]
    };
    let js = std::fs::read_to_string(&file).map_err(|e| fail(format!("cannot be read: {e}")))?;
    let json = unwrap_js(&js).ok_or_else(|| fail("is not mdBook's searchindex wrapper".into()))?;
    let mut root: Value =
        serde_json::from_str(&json).map_err(|e| fail(format!("is not JSON: {e}")))?;
    let urls: Vec<String> = root["doc_urls"]
        .as_array()
        .ok_or_else(|| fail("has no doc_urls".into()))?
        .iter()
        .map(|u| u.as_str().unwrap_or("").to_string())
        .collect();
    let docs = &root["index"]["documentStore"]["docs"];
    let mut pages: std::collections::HashMap<String, Vec<Section>> = Default::default();
    let mut index = IndexBuilder::new()
        .add_field_with_tokenizer("title", Box::new(tokenize))
        .add_field_with_tokenizer("body", Box::new(tokenize))
        .add_field_with_tokenizer("breadcrumbs", Box::new(tokenize))
        .build();
    for (i, url) in urls.iter().enumerate() {
        let (page, id) = url.split_once('#').unwrap_or((url.as_str(), ""));
        if !pages.contains_key(page) {
            let html = std::fs::read_to_string(dest.join(page))
                .map_err(|e| fail(format!("names {page}, which cannot be read: {e}")))?;
            pages.insert(page.to_string(), sections(&html));
        }
        let doc = &docs[i.to_string()];
        let old_title = doc["title"].as_str().unwrap_or("");
        let crumbs = doc["breadcrumbs"].as_str().unwrap_or("");
        let found = pages[page].iter().find(|s| s.id == id);
        let (title, body) = match found {
            Some(s) if !s.title.is_empty() => (s.title.clone(), s.body.clone()),
            Some(s) => (old_title.to_string(), s.body.clone()),
            None => {
                return Err(fail(format!(
                    "names section {url:?}, which the rendered page does not have"
                )));
            }
        };
        // The last breadcrumb is the section's own heading, as mdBook's text had it.
        let crumbs = match crumbs.rsplit_once(" » ") {
            Some((parents, _)) if found.is_some_and(|s| !s.title.is_empty()) => {
                format!("{parents} » {title}")
            }
            _ => crumbs.to_string(),
        };
        index.add_doc(&i.to_string(), [title, body, crumbs]);
    }
    root["index"] = serde_json::to_value(&index).map_err(|e| fail(e.to_string()))?;
    let json = serde_json::to_string(&root).map_err(|e| fail(e.to_string()))?;
    std::fs::write(&file, wrap_js(&json)).map_err(|e| fail(format!("cannot be written: {e}")))?;
    Ok(urls.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMULA: &str = r#"<span class="katex"><span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mi mathvariant="normal">Δ</mi><mi>t</mi><mo>&#x2061;</mo></mrow><annotation encoding="application/x-tex">\Delta t</annotation></semantics></math></span><span class="katex-html" aria-hidden="true"><span class="base"><span class="mord">Δ</span><span class="mord mathnormal">t</span></span></span></span>"#;

    #[test]
    fn a_formula_is_indexed_once_as_its_mathml() {
        let html = format!("<main><h2 id=\"s\">S</h2><p>the offset {FORMULA} in time</p></main>");
        let s = sections(&html);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].body, "the offset Δ t in time");
        assert!(!s[0].body.contains('\\'));
    }

    #[test]
    fn deep_headings_void_tags_comments_and_scripts() {
        let html = "<main><h1 id=\"top\">Top<a class=\"header\" href=\"#top\"></a></h1>\
                    <p>a<br>b<img src=\"x.svg\" alt=\"no\"/>c</p><!-- <h2 id=\"no\"> -->\
                    <script>var h = '<h2 id=\"z\">';</script><h4 id=\"deep\">Deep</h4>\
                    <h3>no id</h3><p>d</p><h3 id=\"x\">X &#955;</h3></main><p>outside</p>";
        let s = sections(html);
        let got: Vec<(&str, &str, &str)> = s
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str(), s.body.as_str()))
            .collect();
        assert_eq!(
            got,
            [("top", "Top", "a b c Deep no id d"), ("x", "X λ", "")]
        );
    }

    #[test]
    fn text_before_the_first_heading_is_a_section_of_its_own() {
        let s = sections("<main><p>intro</p><h1 id=\"a\">A</h1></main>");
        assert_eq!(
            s[0],
            Section {
                id: String::new(),
                title: String::new(),
                body: "intro".into()
            }
        );
        assert_eq!(s[1].id, "a");
        assert!(sections("<main></main>").is_empty());
    }

    #[test]
    fn entities_decode_and_stray_ampersands_stay() {
        assert_eq!(
            decode("a &amp; b &lt;c&gt; &#x3B8; &#955; &quot;"),
            "a & b <c> θ λ \""
        );
        assert_eq!(
            decode("R&D; x & y &bogus; &#xZZ;"),
            "R&D; x & y &bogus; &#xZZ;"
        );
    }

    #[test]
    fn the_wrapper_round_trips() {
        let json = r#"{"a":"it's a \\ backslash and a \" quote"}"#;
        assert_eq!(unwrap_js(&wrap_js(json)).as_deref(), Some(json));
    }

    #[test]
    fn rebuild_rewrites_bodies_titles_and_breadcrumbs_and_keeps_the_rest() {
        let dest = std::env::temp_dir().join(format!("xtask-search-{}", std::process::id()));
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(
            dest.join("p.html"),
            format!(
                "<main><h1 id=\"p\">Page</h1><p>intro</p>\
                 <h2 id=\"s\">About {FORMULA}</h2><p>time {FORMULA} here</p></main>"
            ),
        )
        .unwrap();
        let raw = "About Δt\\Delta tΔt";
        let old = serde_json::json!({
            "doc_urls": ["p.html#p", "p.html#s"],
            "results_options": { "limit_results": 30, "teaser_word_count": 30 },
            "search_options": { "bool": "OR" },
            "index": { "documentStore": { "docs": {
                "0": { "title": "Page", "body": "intro", "breadcrumbs": "Page" },
                "1": { "title": raw, "body": "time Δt\\Delta tΔt here", "breadcrumbs": format!("Page » {raw}") }
            } } }
        });
        std::fs::write(dest.join("searchindex-abc.js"), wrap_js(&old.to_string())).unwrap();
        assert_eq!(rebuild(&dest), Ok(2));
        let js = std::fs::read_to_string(dest.join("searchindex-abc.js")).unwrap();
        let new: Value = serde_json::from_str(&unwrap_js(&js).unwrap()).unwrap();
        assert_eq!(new["doc_urls"], old["doc_urls"]);
        assert_eq!(new["results_options"], old["results_options"]);
        let doc = &new["index"]["documentStore"]["docs"]["1"];
        assert_eq!(doc["title"], "About Δ t");
        assert_eq!(doc["body"], "time Δ t here");
        assert_eq!(doc["breadcrumbs"], "Page » About Δ t");
        assert!(!js.contains("Delta"), "{js}");
        // The index holds the formula's letters and not the TeX command.
        assert!(new["index"]["index"]["body"].to_string().contains("\"t\""));
        // A section the page does not have is named.
        std::fs::write(dest.join("p.html"), "<main><h1 id=\"p\">Page</h1></main>").unwrap();
        std::fs::write(dest.join("searchindex-abc.js"), wrap_js(&old.to_string())).unwrap();
        let e = rebuild(&dest).unwrap_err();
        assert!(e[0].message.contains("names section \"p.html#s\""), "{e:?}");
        std::fs::remove_dir_all(&dest).unwrap();
    }
}
