//! Obsidian notes for the Spaced Repetition plugin, and updating a reader's vault.
//!
//! One note per chapter, in the format of the note this project grew from: front matter with
//! the `flashcards` tag, then per card a bold question line, a line holding only `?`, the answer,
//! and (once the reader has reviewed the card) the plugin's `<!--SR:…-->` scheduling comment.
//!
//! The plugin ends a multi-line card at the first blank line, so a blank line inside an answer
//! is written as a line holding only `<br>` (Obsidian renders it as a line break) and read back
//! as a blank line. The separator is `?`, the plugin's one-way card; `??` would add a second,
//! reversed card (answer → question), which makes no sense for these answers. The parser
//! accepts both. With the plugin's default settings `::` makes a one-line card and `==…==` a
//! cloze anywhere in a note, so [`source`](crate::source) refuses both in questions and answers
//! (see [`plugin_safe`](crate::source::plugin_safe)); `tests/obsidian_check.mjs` runs the
//! plugin's own parser on the notes.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use errors::{Error, Result};

use crate::{BOOK, Deck, normalize, source::unreadable};

/// The line between question and answer.
pub const SEPARATOR: &str = "?";

/// What a blank line inside an answer becomes.
const BLANK: &str = "<br>";

/// The start of the plugin's scheduling comment.
const SR: &str = "<!--SR:";

/// The heading above the retired cards in a chapter's retired-cards note.
const RETIRED_HEADING: &str = "# Retired review cards";

/// The front-matter key naming a note's chapter page: what matches a note to its chapter.
const PAGE_KEY: &str = "page";

/// The front-matter key that marks a retired-cards note.
const RETIRED_KEY: &str = "retired";

/// The line between question and answer in a retired-cards note: not a separator the plugin
/// knows, so it never schedules a retired card.
const RETIRED_SEPARATOR: &str = "(answer)";

/// One card as read back from a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteCard {
    /// The question, without the bold markers.
    pub question: String,
    /// The answer, with `<br>` lines turned back into blank lines.
    pub answer: String,
    /// The plugin's scheduling comment, as written (`<!--SR:!2024-02-11,84,290-->`).
    pub history: Option<String>,
}

/// The file name of a chapter's note: `01-why-position.md`.
pub fn file_name(deck: &Deck) -> String {
    format!(
        "{:02}-{}.md",
        deck.chapter.number,
        slug(&deck.chapter.title)
    )
}

/// The file name of the note that keeps a chapter's retired cards.
pub fn retired_file_name(deck: &Deck) -> String {
    format!(
        "{:02}-{}.retired-cards.md",
        deck.chapter.number,
        slug(&deck.chapter.title)
    )
}

/// Lower-case ASCII letters and digits, other runs turned into one `-`.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The note for one chapter. `book_url` is prefixed to the page's HTML name for the link back
/// to the book (`""` gives a link relative to the note); `history` maps a card's normalized
/// question to the scheduling comment to keep.
pub fn render(deck: &Deck, book_url: &str, history: &HashMap<String, String>) -> String {
    let ch = &deck.chapter;
    let mut out = String::new();
    out.push_str("---\ntags:\n  - flashcards\n");
    out.push_str(&format!(
        "source: \"{BOOK}, chapter {}: {}\"\n{PAGE_KEY}: {}\n---\n",
        ch.number,
        ch.title.replace('"', "'"),
        ch.page
    ));
    out.push_str(&format!("# {}. {}\n\n", ch.number, ch.title));
    out.push_str(&format!(
        "Review cards for chapter {} of *{BOOK}*, generated from the review questions of the \
         page [{}]({book_url}{}). Edit the book, not this note: a newer deck replaces the cards \
         and keeps your review history.\n",
        ch.number,
        ch.title,
        ch.html()
    ));
    for card in &deck.cards {
        out.push('\n');
        push_card(
            &mut out,
            SEPARATOR,
            &card.question,
            &card.answer,
            history.get(&normalize(&card.question)),
        );
    }
    out
}

fn push_card(
    out: &mut String,
    separator: &str,
    question: &str,
    answer: &str,
    history: Option<&String>,
) {
    out.push_str(&format!("**{question}**\n{separator}\n"));
    for line in answer.lines() {
        if line.trim().is_empty() {
            out.push_str(BLANK);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if let Some(h) = history {
        out.push_str(h);
        out.push('\n');
    }
}

/// The cards of a note: every block whose second line is `?` or `??`, up to the next blank
/// line. Text that is not a card (the front matter, headings, the introduction) is skipped.
///
/// ```
/// let note = "---\ntags:\n  - flashcards\n---\n**Q?**\n??\nA.\n<br>\nMore.\n<!--SR:!2024-02-11,84,290-->\n";
/// let cards = cards::obsidian::parse(note);
/// assert_eq!(cards.len(), 1);
/// assert_eq!(cards[0].question, "Q?");
/// assert_eq!(cards[0].answer, "A.\n\nMore.");
/// assert_eq!(cards[0].history.as_deref(), Some("<!--SR:!2024-02-11,84,290-->"));
/// ```
pub fn parse(note: &str) -> Vec<NoteCard> {
    let mut cards = Vec::new();
    // Paragraphs: runs of non-blank lines.
    let mut block: Vec<&str> = Vec::new();
    for line in body(note).lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if let Some(card) = card_of(&block) {
                cards.push(card);
            }
            block.clear();
        } else {
            block.push(line);
        }
    }
    cards
}

/// The note without its front matter (a first line `---` up to the next `---` line).
fn body(note: &str) -> &str {
    let Some(rest) = note.strip_prefix("---\n") else {
        return note;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    note
}

fn card_of(block: &[&str]) -> Option<NoteCard> {
    let sep = block
        .iter()
        .position(|l| matches!(l.trim(), "?" | "??" | RETIRED_SEPARATOR))?;
    if sep == 0 {
        return None;
    }
    let question = block[..sep].join("\n");
    let question = question.trim();
    let question = question
        .strip_prefix("**")
        .and_then(|q| q.strip_suffix("**"))
        .unwrap_or(question)
        .to_string();
    let mut history = None;
    let mut answer = Vec::new();
    for line in &block[sep + 1..] {
        let t = line.trim();
        if let Some(at) = t.find(SR) {
            history = Some(t[at..].to_string());
            let before = t[..at].trim_end();
            if !before.is_empty() {
                answer.push(before.to_string());
            }
        } else if t == BLANK {
            answer.push(String::new());
        } else {
            answer.push(line.trim_end().to_string());
        }
    }
    Some(NoteCard {
        question,
        answer: answer.join("\n"),
        history,
    })
}

/// What [`update_vault`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VaultReport {
    /// Notes written.
    pub written: Vec<PathBuf>,
    /// Cards that kept their review history.
    pub kept_history: usize,
    /// Cards new to the vault: `(note file, question)`.
    pub added: Vec<(String, String)>,
    /// Cards no longer in the book: `(note file, question, had history)`. They are moved,
    /// history and all, to the chapter's retired-cards note.
    pub removed: Vec<(String, String, bool)>,
    /// Notes of a chapter whose title or number changed: `(old file, new file)`. Their cards
    /// and history were carried into the new file before the old one was removed.
    pub renamed: Vec<(String, String)>,
}

/// The value of `key` in a note's front matter, if it has one.
fn front_matter<'a>(note: &'a str, key: &str) -> Option<&'a str> {
    let rest = note.strip_prefix("---\n")?;
    for line in rest.lines() {
        if line.trim_end() == "---" {
            return None;
        }
        if let Some(value) = line.strip_prefix(key).and_then(|l| l.strip_prefix(':')) {
            return Some(value.trim());
        }
    }
    None
}

/// A chapter's notes found in a vault folder.
#[derive(Default)]
struct Found {
    /// Live notes (with the flashcards tag): file name and cards.
    live: Vec<(String, Vec<NoteCard>)>,
    /// Retired-cards notes: file name and cards.
    retired: Vec<(String, Vec<NoteCard>)>,
}

/// The notes in `dir` that this crate wrote, by the page named in their front matter.
fn scan(dir: &Path) -> Result<HashMap<String, Found>> {
    let mut found: HashMap<String, Found> = HashMap::new();
    let entries = fs::read_dir(dir).map_err(|e| unreadable(dir, &e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            names.push(name);
        }
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let Some(text) = read_if_exists(&path)? else {
            continue;
        };
        let Some(page) = front_matter(&text, PAGE_KEY) else {
            continue; // not one of ours
        };
        let entry = found.entry(page.to_string()).or_default();
        if front_matter(&text, RETIRED_KEY).is_some() {
            entry.retired.push((name, parse(&text)));
        } else {
            entry.live.push((name, parse(&text)));
        }
    }
    Ok(found)
}

/// Removes from `dir` the notes this crate wrote (those naming a page in their front matter)
/// whose file name is not in `keep`: chapter notes from an earlier build whose chapter was
/// renamed or dropped. Returns their names. Only for an output folder, never a vault (use
/// [`update_vault`] there, which carries history over).
pub(crate) fn remove_stale(dir: &Path, keep: &[String]) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for found in scan(dir)?.into_values() {
        for (name, _) in found.live.iter().chain(found.retired.iter()) {
            if !keep.contains(name) {
                remove(&dir.join(name))?;
                removed.push(name.clone());
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// Writes every chapter's note into the vault folder `dir` (created if missing), keeping the
/// reader's review history. Notes are matched to chapters by the page named in their front
/// matter (`page: order.md`), so a chapter whose title or number changed keeps its history too.
///
/// - a card whose question is still in the book keeps its `<!--SR:…-->` comment, whatever the
///   new answer says;
/// - a card new to the book is added with no history;
/// - a card no longer in the book is reported and moved, with its history, to the chapter's
///   `NN-title.retired-cards.md` note, which has no tag and writes its cards with an
///   `(answer)` line instead of `?`, so the plugin never schedules them; if the question comes
///   back later, its history comes back with it.
///
/// Files in `dir` that are not a chapter's note are left alone.
pub fn update_vault(decks: &[Deck], dir: &Path, book_url: &str) -> Result<VaultReport> {
    fs::create_dir_all(dir).map_err(|e| unwritable(dir, &e))?;
    let mut found = scan(dir)?;
    let mut report = VaultReport::default();
    for deck in decks {
        let name = file_name(deck);
        let retired_name = retired_file_name(deck);
        let Found {
            live,
            retired: retired_files,
        } = found.remove(&deck.chapter.page).unwrap_or_default();
        let old: Vec<NoteCard> = live.iter().flat_map(|(_, c)| c.clone()).collect();
        let retired: Vec<NoteCard> = retired_files.iter().flat_map(|(_, c)| c.clone()).collect();

        // History by question: the live notes win over the retired ones.
        let mut history: HashMap<String, String> = HashMap::new();
        for card in retired.iter().chain(old.iter()) {
            if let Some(h) = &card.history {
                history.insert(normalize(&card.question), h.clone());
            }
        }
        let now: HashSet<String> = deck.cards.iter().map(|c| normalize(&c.question)).collect();
        let before: HashSet<String> = old.iter().map(|c| normalize(&c.question)).collect();
        for card in &deck.cards {
            let key = normalize(&card.question);
            if history.contains_key(&key) {
                report.kept_history += 1;
            }
            if !before.contains(&key) {
                report.added.push((name.clone(), card.question.clone()));
            }
        }

        // Retired: those already retired and still absent, then the newly removed ones.
        let mut still_retired: Vec<NoteCard> = retired
            .into_iter()
            .filter(|c| !now.contains(&normalize(&c.question)))
            .collect();
        for card in &old {
            let key = normalize(&card.question);
            if !now.contains(&key) {
                report
                    .removed
                    .push((name.clone(), card.question.clone(), card.history.is_some()));
                still_retired.retain(|c| normalize(&c.question) != key);
                still_retired.push(card.clone());
            }
        }

        let path = dir.join(&name);
        write(&path, &render(deck, book_url, &history))?;
        report.written.push(path);
        let retired_path = dir.join(&retired_name);
        if !still_retired.is_empty() {
            write(&retired_path, &render_retired(deck, &still_retired))?;
            report.written.push(retired_path.clone());
        }
        // Every card of the old files is now in the new note or the retired note.
        for (old_name, _) in &live {
            if *old_name != name {
                remove(&dir.join(old_name))?;
                report.renamed.push((old_name.clone(), name.clone()));
            }
        }
        for (old_name, _) in &retired_files {
            if *old_name != retired_name {
                remove(&dir.join(old_name))?;
            }
        }
        if still_retired.is_empty() && retired_path.exists() {
            // Every retired card came back: its history is in the live note again.
            remove(&retired_path)?;
        }
    }
    Ok(report)
}
/// The retired-cards note of a chapter: the cards as they last were, history included, in a
/// form the plugin does not schedule.
fn render_retired(deck: &Deck, cards: &[NoteCard]) -> String {
    let mut out = format!(
        "---\n{PAGE_KEY}: {}\n{RETIRED_KEY}: true\n---\n{RETIRED_HEADING}: {}. {}\n\n\
         These questions are no longer in *{BOOK}*. Their review history is kept here. The \
         Spaced Repetition plugin does not schedule them: this note carries no tag, and an \
         `(answer)` line stands where a card has `?`. If a question returns to the book, its \
         history returns with it.\n",
        deck.chapter.page, deck.chapter.number, deck.chapter.title
    );
    for card in cards {
        out.push('\n');
        push_card(
            &mut out,
            RETIRED_SEPARATOR,
            &card.question,
            &card.answer,
            card.history.as_ref(),
        );
    }
    out
}

fn remove(path: &Path) -> Result<()> {
    fs::remove_file(path).map_err(|e| unwritable(path, &e))
}

fn read_if_exists(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unreadable(path, &e)),
    }
}

pub(crate) fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| unwritable(path, &e))
}

pub(crate) fn unwritable(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        action: "written",
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_none_and_a_folder_is_an_error() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            read_if_exists(&here.join("Cargo.toml"))
                .expect("readable")
                .map(|t| t.starts_with("[package]")),
            Some(true)
        );
        assert_eq!(
            read_if_exists(&here.join("no-such-note.md")).expect("missing is fine"),
            None
        );
        match read_if_exists(&here.join("src")) {
            Err(Error::Io { action, path, .. }) => {
                assert_eq!(action, "read");
                assert!(path.ends_with("src"), "{path}");
            }
            other => panic!("a folder must be an error, got {other:?}"),
        }
    }
}
