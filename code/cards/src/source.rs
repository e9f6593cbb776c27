//! Reading the cards from the book's pages.
//!
//! The chapters are the numbered entries of `src/SUMMARY.md`. Each chapter page ends with a
//! `## Review questions` section made only of blocks like
//!
//! ```text
//! <details><summary>The question, on one line</summary>
//!
//! The answer, in Markdown. It may include checked values with
//! {{#include ../code/crate/tests/snapshots/name.snap:4:}}
//!
//! </details>
//! ```
//!
//! Anything else in the section (text outside a block, an unclosed block, an empty question or
//! answer, unbalanced math, an include that cannot be read) is an error naming the file and line.

use std::collections::HashMap;
use std::path::Path;

use errors::{Error, Result};

use crate::{Card, CardId, Chapter, Deck, math, normalize};

/// The heading that starts a page's review questions.
pub const SECTION: &str = "## Review questions";

const OPEN: &str = "<details><summary>";
const CLOSE_SUMMARY: &str = "</summary>";
const CLOSE: &str = "</details>";

/// An error at `file:line`: the offending text and the rule it broke.
pub(crate) fn at(file: &str, line: usize, text: &str, rule: impl Into<String>) -> Error {
    let mut shown: String = text.trim().chars().take(60).collect();
    if text.trim().chars().count() > 60 {
        shown.push('…');
    }
    Error::At {
        file: file.to_string(),
        line,
        text: format!("`{shown}`"),
        rule: rule.into(),
    }
}

/// The error for a file that cannot be read.
pub(crate) fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        action: "read",
        message: e.to_string(),
    }
}

/// The book's chapters, in order: the numbered entries of `summary` (the text of
/// `src/SUMMARY.md`), up to the first `---` separator.
///
/// ```
/// let summary = "# Summary\n\n[Introduction](introduction.md)\n\n- [Why position?](order.md)\n- [RoPE](rope.md)\n\n---\n\n[Checked](checked.md)\n";
/// let chapters = cards::source::chapters(summary, "src/SUMMARY.md").unwrap();
/// assert_eq!(chapters.len(), 2);
/// assert_eq!(chapters[1].number, 2);
/// assert_eq!(chapters[1].title, "RoPE");
/// assert_eq!(chapters[1].page, "rope.md");
/// ```
pub fn chapters(summary: &str, file: &str) -> Result<Vec<Chapter>> {
    let mut out = Vec::new();
    for (n, line) in summary.lines().enumerate() {
        let t = line.trim();
        if t == "---" && !out.is_empty() {
            break;
        }
        let Some(item) = t.strip_prefix("- [") else {
            continue;
        };
        let parsed = item.split_once("](").and_then(|(title, rest)| {
            rest.strip_suffix(')')
                .map(|page| (title.to_string(), page.to_string()))
        });
        let Some((title, page)) = parsed else {
            return Err(at(
                file,
                n + 1,
                line,
                "a chapter entry must read `- [Title](page.md)`",
            ));
        };
        if !page.ends_with(".md") || page.contains('/') {
            return Err(at(
                file,
                n + 1,
                line,
                "a chapter page must be a `.md` file directly under src/",
            ));
        }
        out.push(Chapter {
            number: out.len() + 1,
            title,
            page,
        });
    }
    if out.is_empty() {
        return Err(at(
            file,
            1,
            summary,
            "the summary lists no numbered chapter",
        ));
    }
    Ok(out)
}

/// The cards of one chapter, read from the page text `page` shown as `file` (for messages);
/// includes are resolved relative to `dir`, the page's folder.
pub fn parse_page(chapter: &Chapter, page: &str, file: &str, dir: &Path) -> Result<Deck> {
    let lines: Vec<&str> = page.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == SECTION) else {
        return Err(at(
            file,
            lines.len().max(1),
            "",
            format!("the page has no `{SECTION}` section"),
        ));
    };
    // A control character in a card is almost always a typo that renders silently (`\times`
    // written in a string where `\t` became a tab): refuse it with its place.
    for (k, line) in lines.iter().enumerate().skip(start) {
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\r') {
            return Err(at(
                file,
                k + 1,
                line,
                format!(
                    "it holds the control character U+{:04X}: review questions are plain text \
                     (a tab here often was a `\\t` meant as TeX)",
                    u32::from(c)
                ),
            ));
        }
    }
    let mut cards = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if t.starts_with("## ") || t.starts_with("# ") {
            break; // the next section ends the review questions
        }
        let Some(rest) = t.strip_prefix(OPEN) else {
            return Err(at(
                file,
                n,
                line,
                "the review questions section holds only <details><summary>…</summary> … </details> blocks",
            ));
        };
        let Some((question, after)) = rest.split_once(CLOSE_SUMMARY) else {
            return Err(at(
                file,
                n,
                line,
                "the question must be on one line, closed by </summary>",
            ));
        };
        let question = question.trim();
        if question.is_empty() {
            return Err(at(file, n, line, "the question is empty"));
        }
        if !after.trim().is_empty() {
            return Err(at(
                file,
                n,
                line,
                "the answer starts on the line after </summary>",
            ));
        }
        check_math(question, file, n, line)?;
        plugin_safe(question).map_err(|rule| at(file, n, line, format!("the question {rule}")))?;
        // The answer runs to the closing tag.
        let mut answer_lines: Vec<(usize, &str)> = Vec::new();
        let mut j = i + 1;
        let mut closed = false;
        while j < lines.len() {
            let a = lines[j].trim();
            if a == CLOSE {
                closed = true;
                break;
            }
            if a.starts_with("<details") || a.starts_with("## ") {
                break;
            }
            answer_lines.push((j + 1, lines[j]));
            j += 1;
        }
        if !closed {
            return Err(at(
                file,
                n,
                line,
                "this <details> block is never closed by a </details> line",
            ));
        }
        let answer = expand(&answer_lines, file, dir)?;
        if answer.trim().is_empty() {
            return Err(at(file, n, line, "the answer is empty"));
        }
        if let Err(offset) = math::split(&answer) {
            // Name the line of the answer where the unclosed dollar sits.
            let (ln, text) = line_of(&answer_lines, &answer, offset);
            return Err(at(
                file,
                ln,
                text,
                "a `$` or `$$` is never closed (write `\\$` for a literal dollar)",
            ));
        }
        cards.push(Card {
            id: CardId::new(chapter.stem(), question),
            question: question.to_string(),
            answer,
            line: n,
        });
        i = j + 1;
    }
    if cards.is_empty() {
        return Err(at(
            file,
            start + 1,
            SECTION,
            "the review questions section holds no question",
        ));
    }
    Ok(Deck {
        chapter: chapter.clone(),
        cards,
    })
}

fn check_math(text: &str, file: &str, n: usize, line: &str) -> Result<()> {
    math::split(text).map(|_| ()).map_err(|_| {
        at(
            file,
            n,
            line,
            "a `$` or `$$` is never closed (write `\\$` for a literal dollar)",
        )
    })
}

/// The source line an offset of the expanded answer most likely comes from (the answer's first
/// line when includes make the mapping inexact).
fn line_of<'a>(lines: &[(usize, &'a str)], answer: &str, offset: usize) -> (usize, &'a str) {
    let before = answer[..offset.min(answer.len())].matches('\n').count();
    let first = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty())
        .unwrap_or(0);
    lines
        .get(first + before)
        .or_else(|| lines.get(first))
        .copied()
        .unwrap_or((0, ""))
}

/// The answer's lines joined, with `{{#include …}}` lines replaced by the lines they name and
/// the blank lines at both ends removed.
fn expand(lines: &[(usize, &str)], file: &str, dir: &Path) -> Result<String> {
    let mut out: Vec<String> = Vec::new();
    for &(n, line) in lines {
        let t = line.trim();
        if let Some(spec) = t
            .strip_prefix("{{#include ")
            .and_then(|s| s.strip_suffix("}}"))
        {
            let included = include(spec.trim(), dir).map_err(|rule| at(file, n, line, rule))?;
            for l in &included {
                plugin_safe(l)
                    .map_err(|rule| at(file, n, line, format!("an included line {rule}")))?;
            }
            out.extend(included);
        } else if t.contains("{{#") {
            return Err(at(
                file,
                n,
                line,
                "only whole-line {{#include path:N:M}} is supported in an answer",
            ));
        } else {
            plugin_safe(line).map_err(|rule| at(file, n, line, format!("the line {rule}")))?;
            out.push(line.trim_end().to_string());
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let first = out
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(out.len());
    Ok(out[first..].join("\n"))
}

/// Fails on text that the Obsidian Spaced Repetition plugin (default settings) would read as
/// card syntax rather than as part of an answer: `::` or `:::` (a single-line card) or
/// `==…==` (a highlight cloze) outside backtick code, or a line holding only `?` or `??` (a
/// separator).
///
/// ```
/// use cards::source::plugin_safe;
/// assert!(plugin_safe("calls `Layout::Interleaved` and $a = b$").is_ok());
/// assert!(plugin_safe("calls Layout::Interleaved").is_err());
/// assert!(plugin_safe("a ==highlight==").is_err());
/// assert!(plugin_safe(" ? ").is_err());
/// ```
pub fn plugin_safe(line: &str) -> std::result::Result<(), String> {
    if matches!(line.trim(), "?" | "??") {
        return Err("holds only a card separator (`?` or `??`)".into());
    }
    // Only the text outside code spans counts (the plugin skips markers inside inline code).
    let text: String = match math::split(line) {
        Ok(pieces) => pieces
            .into_iter()
            .map(|p| match p {
                math::Piece::Code(_) => "",
                math::Piece::Text(t) | math::Piece::Inline(t) | math::Piece::Display(t) => t,
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => line.to_string(), // unbalanced math is reported for the whole answer
    };
    if text.contains("::") {
        return Err("holds `::`, which the Spaced Repetition plugin reads as a one-line card (put it in backticks)".into());
    }
    if text.contains("==") {
        return Err(
            "holds `==`, which the Spaced Repetition plugin reads as a cloze deletion".into(),
        );
    }
    Ok(())
}

/// The lines an mdBook include names: `path`, `path:N`, `path:N:`, `path::M` or `path:N:M`
/// (1-based, inclusive), relative to `dir`.
fn include(spec: &str, dir: &Path) -> std::result::Result<Vec<String>, String> {
    let mut parts = spec.splitn(3, ':');
    let path = parts.next().unwrap_or_default();
    let from = parts.next();
    let to = parts.next();
    let number = |s: Option<&str>| -> std::result::Result<Option<usize>, String> {
        match s {
            None | Some("") => Ok(None),
            Some(s) => s.parse::<usize>().map(Some).map_err(|_| {
                format!("`{s}` is not a line number (anchors are not supported in answers)")
            }),
        }
    };
    let (from, to) = (number(from)?, number(to)?);
    let full = dir.join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("the included file {} cannot be read: {e}", full.display()))?;
    let all: Vec<&str> = text.lines().collect();
    let first = from.unwrap_or(1).max(1) - 1;
    // `path:N` alone is the single line N, as in mdBook.
    let last = match (spec.matches(':').count(), to) {
        (1, _) => first + 1,
        (_, Some(to)) => to,
        _ => all.len(),
    }
    .min(all.len());
    if first >= last {
        return Err(format!(
            "the include names no line: {} has {} lines",
            full.display(),
            all.len()
        ));
    }
    Ok(all[first..last].iter().map(|l| l.to_string()).collect())
}

/// Fails on a question asked twice in the book (after [`normalize`]), naming both places.
pub fn check_duplicates(decks: &[Deck]) -> Result<()> {
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for deck in decks {
        let file = format!("src/{}", deck.chapter.page);
        for card in &deck.cards {
            let key = normalize(&card.question).to_lowercase();
            if let Some((f, l)) = seen.get(&key) {
                return Err(at(
                    &file,
                    card.line,
                    &card.question,
                    format!("the same question is already asked at {f}:{l}"),
                ));
            }
            seen.insert(key, (file.clone(), card.line));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line and quoted text of an [`Error::At`].
    fn place(e: &Error) -> (usize, &str) {
        match e {
            Error::At { line, text, .. } => (*line, text.as_str()),
            other => panic!("expected an error with a place, got {other}"),
        }
    }

    #[test]
    fn the_quoted_text_is_cut_after_60_characters() {
        let sixty = "é".repeat(60);
        assert_eq!(place(&at("f", 1, &sixty, "r")).1, format!("`{sixty}`"));
        let sixty_one = format!("{sixty}x");
        assert_eq!(place(&at("f", 1, &sixty_one, "r")).1, format!("`{sixty}…`"));
        assert_eq!(place(&at("f", 1, "  short  ", "r")).1, "`short`");
    }

    #[test]
    fn an_include_takes_one_line_a_range_or_the_rest() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book/snapshots");
        let lines = |spec: &str| include(spec, &dir).expect(spec);
        assert_eq!(lines("value.snap:2"), ["source: a fixture"]);
        assert_eq!(lines("value.snap:1"), ["---"]);
        assert_eq!(lines("value.snap:4:5"), ["| offset | score |", "|--:|--:|"]);
        assert_eq!(lines("value.snap:5:"), ["|--:|--:|", "| 0 | 4.0000 |"]);
    }

    const ONE_CHAPTER: &str = "# Summary\n\n---\n\n- [One](one.md)\n";

    #[test]
    fn a_separator_before_the_first_chapter_does_not_end_the_list() {
        let got = chapters(ONE_CHAPTER, "S").expect("one chapter");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].page, "one.md");
    }

    #[test]
    fn the_separator_after_the_chapters_ends_the_list() {
        let summary = "- [One](one.md)\n- [Two](two.md)\n---\n- [Appendix](appendix.md)\n";
        let pages: Vec<String> = chapters(summary, "S")
            .expect("two chapters")
            .into_iter()
            .map(|c| c.page)
            .collect();
        assert_eq!(pages, ["one.md", "two.md"]);
    }

    #[test]
    fn summary_errors_carry_the_line_of_the_entry() {
        let with = |entry: &str| format!("# Summary\n\n- [One](one.md)\n{entry}\n");
        for (entry, rule) in [
            ("- [Two] two.md", "must read"),
            ("- [Two](two.txt)", "`.md` file"),
            ("- [Two](part/two.md)", "`.md` file"),
        ] {
            let e = chapters(&with(entry), "src/SUMMARY.md").expect_err(entry);
            assert_eq!(place(&e), (4, format!("`{entry}`").as_str()), "{entry}");
            assert!(e.to_string().contains(rule), "{e}");
        }
    }
}
