//! Reading the PDF that Chromium prints: its pages and its outline (bookmarks).
//!
//! Chromium 156 writes every dictionary as plain text (`N 0 obj << … >> endobj`; only content
//! streams are compressed, and it writes no object streams), so a page is an object with
//! `/Type /Page` and a bookmark an object reached from the catalog's `/Outlines` through `/First`
//! and `/Next`. These readers rely on that and say so when it does not hold.

use std::collections::HashMap;

use regex::bytes::Regex;

/// One bookmark of the outline: its depth (1 for a top-level entry) and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    /// 1 for a top-level entry, 2 for one under it, and so on.
    pub depth: usize,
    /// The title as the reader sees it in the bookmarks pane.
    pub title: String,
}

/// The number of pages in a PDF as Chromium writes it: the `/Type /Page` objects (not
/// `/Type /Pages`, the page tree).
///
/// ```
/// let pdf = b"1 0 obj << /Type /Pages /Count 1 >> endobj 2 0 obj << /Type /Page >> endobj";
/// assert_eq!(xtask::browser::pdf::page_count(pdf), 1);
/// ```
pub fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .chain(text.match_indices("/Type/Page"))
        .filter(|(i, m)| {
            let next = text[i + m.len()..].chars().next();
            next.is_none_or(|c| !c.is_ascii_alphanumeric())
        })
        .count()
}

/// The body of every object (`N 0 obj … endobj`), by object number.
fn objects(pdf: &[u8]) -> HashMap<u32, &[u8]> {
    let start = Regex::new(r"(?m)(?:^|\s)(\d+) 0 obj\b").expect("a valid pattern");
    let mut found = HashMap::new();
    for caps in start.captures_iter(pdf) {
        let (Some(number), Some(whole)) = (caps.get(1), caps.get(0)) else {
            continue;
        };
        let Some(n) = std::str::from_utf8(number.as_bytes())
            .ok()
            .and_then(|s| s.parse().ok())
        else {
            continue;
        };
        let body = &pdf[whole.end()..];
        let end = find(body, b"endobj").unwrap_or(body.len());
        found.insert(n, &body[..end]);
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The object number that `key` refers to in `dict` (`/key N 0 R`).
fn reference(dict: &[u8], key: &str) -> Option<u32> {
    let pattern = Regex::new(&format!(r"/{key}\s+(\d+)\s+0\s+R")).expect("a valid pattern");
    let caps = pattern.captures(dict)?;
    std::str::from_utf8(caps.get(1)?.as_bytes())
        .ok()?
        .parse()
        .ok()
}

/// The outline of `pdf`, in reading order.
///
/// # Errors
/// A PDF whose catalog names no outline, or whose outline refers to an object it lacks.
///
/// ```
/// let pdf = b"1 0 obj\n<< /Type /Catalog /Outlines 2 0 R >>\nendobj\n\
///             2 0 obj\n<< /Type /Outlines /First 3 0 R >>\nendobj\n\
///             3 0 obj\n<< /Title (Why position?) /First 4 0 R >>\nendobj\n\
///             4 0 obj\n<< /Title <FEFF0052006F00500045> >>\nendobj\n";
/// let outline = xtask::browser::pdf::outline(pdf)?;
/// assert_eq!(outline.len(), 2);
/// assert_eq!((outline[1].depth, outline[1].title.as_str()), (2, "RoPE"));
/// # Ok::<(), String>(())
/// ```
pub fn outline(pdf: &[u8]) -> Result<Vec<Bookmark>, String> {
    let objects = objects(pdf);
    let catalog = objects
        .values()
        .find(|o| find(o, b"/Type /Catalog").is_some() || find(o, b"/Type/Catalog").is_some())
        .ok_or("the PDF has no catalog (/Type /Catalog)")?;
    let root = reference(catalog, "Outlines").ok_or("the PDF has no outline (bookmarks)")?;
    let top = objects
        .get(&root)
        .ok_or(format!("the outline is object {root}, which the PDF lacks"))?;
    let mut found = Vec::new();
    // (object, depth) of the entries still to read, the next one last.
    let mut stack: Vec<(u32, usize)> = reference(top, "First")
        .map(|f| (f, 1))
        .into_iter()
        .collect();
    while let Some((n, depth)) = stack.pop() {
        if found.len() > objects.len() {
            return Err("the outline's entries form a loop".into());
        }
        let entry = objects
            .get(&n)
            .ok_or(format!("bookmark object {n} is missing from the PDF"))?;
        found.push(Bookmark {
            depth,
            title: title(entry).unwrap_or_default(),
        });
        if let Some(next) = reference(entry, "Next") {
            stack.push((next, depth));
        }
        if let Some(first) = reference(entry, "First") {
            stack.push((first, depth + 1));
        }
    }
    Ok(found)
}

/// The `/Title` of an outline entry: a literal string `( … )` with its escapes, or a hex
/// string `< … >`; UTF-16 when it starts with the byte-order mark, else one byte a character.
fn title(dict: &[u8]) -> Option<String> {
    let at = find(dict, b"/Title")? + b"/Title".len();
    let rest = dict.get(at..)?;
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let bytes = match rest.first()? {
        b'(' => literal(&rest[1..]),
        b'<' => {
            let end = rest.iter().position(|&b| b == b'>')?;
            let hex: Vec<u8> = rest[1..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_hexdigit)
                .collect();
            hex.chunks(2)
                .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
                .collect()
        }
        _ => return None,
    };
    Some(match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// A literal string's bytes up to its closing parenthesis (`\(`, `\)`, `\\`, `\n` and octal
/// escapes decoded, nested parentheses kept).
fn literal(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        i += 1;
        match b {
            b'\\' => {
                let Some(&e) = s.get(i) else { break };
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(v & 0xFF).unwrap_or(0));
                    }
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    out
}

/// What is wrong with `outline` for a book whose table of contents lists `chapters` and whose
/// print page has `headings` (h1 to h4, in their words): a chapter that is no top-level bookmark
/// under its title (its page's heading names it otherwise), and a heading that no bookmark names
/// in the same words (Chromium 156 drops the space where a heading wraps unless the theme keeps
/// it, `fit.css`). At most five headings are named.
pub fn outline_problems(
    outline: &[Bookmark],
    chapters: &[String],
    headings: &[String],
) -> Vec<String> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let top: Vec<String> = outline
        .iter()
        .filter(|b| b.depth == 1)
        .map(|b| norm(&b.title))
        .collect();
    let all: Vec<String> = outline.iter().map(|b| norm(&b.title)).collect();
    let mut found: Vec<String> = chapters
        .iter()
        .filter(|c| !top.contains(&norm(c)))
        .map(|c| {
            format!(
                "the PDF has no bookmark for the chapter {c:?} of the table of contents \
                 (its page's first heading must be its title in SUMMARY.md)"
            )
        })
        .collect();
    let missing: Vec<&String> = headings
        .iter()
        .filter(|h| !all.contains(&norm(h)))
        .collect();
    for h in missing.iter().take(5) {
        found.push(format!(
            "no bookmark of the PDF reads as the heading {h:?} does"
        ));
    }
    if missing.len() > 5 {
        found.push(format!(
            "… and {} more headings without their bookmark",
            missing.len() - 5
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_without_the_page_tree() {
        let pdf = b"1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >> \
                    3 0 obj <</Type/Page/Parent 1 0 R>>";
        assert_eq!(page_count(pdf), 2);
        assert_eq!(page_count(b"no pages"), 0);
    }

    /// A PDF shaped as Chromium writes one: two chapters, the first with two sections, titles in
    /// both string forms, a binary stream between objects.
    const PDF: &[u8] = b"%PDF-1.4\n5 0 obj\n<</Length 4>> stream\n\x00\xff)(\nendstream\nendobj\n\
        10 0 obj\n<</Title (Why position\\?) /Dest [2 0 R /XYZ 0 0 0] /Next 13 0 R /First 11 0 R>>\nendobj\n\
        11 0 obj\n<</Title (A \\(first\\) section) /Next 12 0 R>>\nendobj\n\
        12 0 obj\n<</Title <FEFF0052006F0050004500202014002000660061007300740020221A> >>\nendobj\n\
        13 0 obj\n<</Title (Relative position)>>\nendobj\n\
        9 0 obj\n<</Type /Outlines /First 10 0 R /Last 13 0 R /Count 4>>\nendobj\n\
        20 0 obj\n<</Type /Catalog /Pages 1 0 R /Outlines 9 0 R>>\nendobj\n";

    #[test]
    fn the_outline_is_read_in_order_with_depths_and_both_string_forms() {
        let o = outline(PDF).unwrap();
        let got: Vec<(usize, &str)> = o.iter().map(|b| (b.depth, b.title.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, "Why position?"),
                (2, "A (first) section"),
                (2, "RoPE — fast √"),
                (1, "Relative position"),
            ]
        );
    }

    #[test]
    fn octal_escapes_and_nested_parentheses_are_decoded() {
        assert_eq!(literal(b"a\\101(b)c) tail"), b"aA(b)c");
        assert_eq!(literal(b"x\\\\y)"), b"x\\y");
    }

    #[test]
    fn a_pdf_without_an_outline_or_with_a_missing_entry_is_refused() {
        let none = b"1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n";
        assert_eq!(
            outline(none).unwrap_err(),
            "the PDF has no outline (bookmarks)"
        );
        let broken = b"1 0 obj\n<</Type /Catalog /Outlines 2 0 R>>\nendobj\n\
                       2 0 obj\n<</Type /Outlines /First 3 0 R>>\nendobj\n";
        assert_eq!(
            outline(broken).unwrap_err(),
            "bookmark object 3 is missing from the PDF"
        );
        assert!(outline(b"no catalog").unwrap_err().contains("no catalog"));
    }

    #[test]
    fn a_chapter_without_a_top_level_bookmark_is_named() {
        let o = outline(PDF).unwrap();
        let chapters = ["Why position?".to_string(), "A (first) section".to_string()];
        let p = outline_problems(&o, &chapters, &[]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("\"A (first) section\""), "{p:?}");
        assert!(outline_problems(&o, &chapters[..1], &[]).is_empty());
    }

    #[test]
    fn a_heading_whose_bookmark_lost_a_space_is_named() {
        let o = outline(PDF).unwrap();
        // Spacing inside a title is the reader's; a lost space is a different word.
        let headings = [
            "A  (first)\nsection".to_string(),
            "Relative  position".to_string(),
        ];
        assert!(outline_problems(&o, &[], &headings).is_empty());
        let glued = [
            "Relative position".to_string(),
            "Relativeposition".to_string(),
        ];
        let p = outline_problems(&o, &[], &glued);
        assert_eq!(
            p,
            ["no bookmark of the PDF reads as the heading \"Relativeposition\" does"]
        );
    }
}
