//! The book's review questions as spaced-repetition decks, from one source.
//!
//! Every chapter page ends with a `## Review questions` section of `<details>` blocks (see
//! [`source`]). This crate reads those blocks, expands the snapshot includes in the answers so a
//! card carries the same checked text as the page, and writes:
//!
//! - **Obsidian** notes for the Spaced Repetition plugin, one per chapter ([`obsidian`]), and
//!   updates a reader's vault folder without losing review history ([`update_vault`]);
//! - an **Anki** package with one subdeck per chapter and a stable id per note ([`anki`]).
//!
//! The build tool calls three functions:
//!
//! ```no_run
//! # fn main() -> errors::Result<()> {
//! let root = std::path::Path::new(".");
//! let decks = cards::collect(root)?; // fails on a malformed or duplicate question
//! let report = cards::write_all(&decks, &root.join("book/cards"), &cards::Options::now(""))?;
//! println!("{report}");
//! let vault = cards::update_vault(&decks, std::path::Path::new("/my/vault/book"), "")?;
//! # let _ = vault; Ok(()) }
//! ```

pub mod anki;
mod id;
pub mod math;
pub mod obsidian;
pub mod source;
pub mod zip;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use errors::{Error, Result};
pub use id::{CardId, fnv1a64, normalize};
pub use obsidian::VaultReport;

/// The book's title as decks and notes name it.
pub const BOOK: &str = "Where Is Each Token?";

/// The Anki package's file name in the destination folder.
pub const APKG: &str = "where-is-each-token.apkg";
/// The folder of Obsidian notes in the destination folder.
pub const OBSIDIAN_DIR: &str = "obsidian";
/// The ZIP of the Obsidian notes in the destination folder.
pub const OBSIDIAN_ZIP: &str = "where-is-each-token-obsidian.zip";

/// One chapter of the book: a numbered entry of `src/SUMMARY.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// 1 for the first numbered chapter.
    pub number: usize,
    /// The title as the summary gives it.
    pub title: String,
    /// The page's file under `src/`, e.g. `order.md`.
    pub page: String,
}

impl Chapter {
    /// The page's name without `.md`: the part of every card id that names the chapter.
    pub fn stem(&self) -> &str {
        self.page.strip_suffix(".md").unwrap_or(&self.page)
    }

    /// The rendered page's name, e.g. `order.html`.
    pub fn html(&self) -> String {
        format!("{}.html", self.stem())
    }
}

/// One review question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Stable id from the chapter and the question.
    pub id: CardId,
    /// The question (Markdown, one line).
    pub question: String,
    /// The answer (Markdown), with includes expanded.
    pub answer: String,
    /// The line of the page where the question is.
    pub line: usize,
}

/// One chapter's cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deck {
    /// The chapter.
    pub chapter: Chapter,
    /// Its cards, in page order.
    pub cards: Vec<Card>,
}

/// Every chapter's cards, read from the book under `root` (the repository root: `src/SUMMARY.md`
/// and the pages). Fails, naming the file and line, on a malformed block or on a question asked
/// twice in the book.
pub fn collect(root: &Path) -> Result<Vec<Deck>> {
    let src = root.join("src");
    let summary_path = src.join("SUMMARY.md");
    let summary =
        fs::read_to_string(&summary_path).map_err(|e| source::unreadable(&summary_path, &e))?;
    let chapters = source::chapters(&summary, "src/SUMMARY.md")?;
    let mut decks = Vec::new();
    for chapter in &chapters {
        let path = src.join(&chapter.page);
        let text = fs::read_to_string(&path).map_err(|e| source::unreadable(&path, &e))?;
        decks.push(source::parse_page(
            chapter,
            &text,
            &format!("src/{}", chapter.page),
            &src,
        )?);
    }
    source::check_duplicates(&decks)?;
    Ok(decks)
}

/// The file and line an error of [`collect`] names, if it names one (`src/order.md`, 312), for
/// a build tool that reports problems by location.
///
/// ```
/// let e = cards::source::parse_page(
///     &cards::Chapter { number: 1, title: "T".into(), page: "t.md".into() },
///     "## Review questions\n\n<details><summary></summary>\n\nA.\n\n</details>\n",
///     "src/t.md",
///     std::path::Path::new("."),
/// ).unwrap_err();
/// assert_eq!(cards::location(&e), Some(("src/t.md".to_string(), 3)));
/// ```
pub fn location(e: &Error) -> Option<(String, usize)> {
    match e {
        Error::At { file, line, .. } => Some((file.clone(), *line)),
        _ => None,
    }
}

/// Settings of the written files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Prefix of the links back to the book: the page's HTML name is appended
    /// (`"https://example.org/book/"`, or `""` for links relative to the file).
    pub book_url: String,
    /// The Anki notes' modification time, seconds since the Unix epoch. Anki updates an
    /// imported note only from a newer copy, so a new package needs a later time.
    pub mtime: i64,
}

impl Options {
    /// Links prefixed with `book_url`, notes stamped with the current time, or with
    /// `SOURCE_DATE_EPOCH` when that variable holds a number of seconds (the reproducible-builds
    /// convention; set it to the last commit's time to get the same package from the same
    /// commit).
    pub fn now(book_url: &str) -> Options {
        let epoch = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let mtime = epoch.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
        Options {
            book_url: book_url.to_string(),
            mtime,
        }
    }
}

/// What [`write_all`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `(chapter title, number of cards)`, in book order.
    pub counts: Vec<(String, usize)>,
    /// The Anki package.
    pub apkg: PathBuf,
    /// The folder of Obsidian notes.
    pub obsidian: PathBuf,
    /// The same notes as one ZIP.
    pub obsidian_zip: PathBuf,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: usize = self.counts.iter().map(|(_, n)| n).sum();
        write!(
            f,
            "cards: {total} in {} decks: {}, {}/, {}",
            self.counts.len(),
            self.apkg.display(),
            self.obsidian.display(),
            self.obsidian_zip.display()
        )
    }
}

/// Writes into `dest` (created if missing): the Anki package [`APKG`], one Obsidian note per
/// chapter under [`OBSIDIAN_DIR`]`/` (removing notes of an earlier build whose chapter is gone)
/// and the same notes as [`OBSIDIAN_ZIP`].
pub fn write_all(decks: &[Deck], dest: &Path, options: &Options) -> Result<Report> {
    let notes_dir = dest.join(OBSIDIAN_DIR);
    fs::create_dir_all(&notes_dir).map_err(|e| obsidian::unwritable(&notes_dir, &e))?;
    let apkg = dest.join(APKG);
    let bytes = anki::package(decks, &options.book_url, options.mtime, dest)?;
    fs::write(&apkg, bytes).map_err(|e| obsidian::unwritable(&apkg, &e))?;

    let no_history = Default::default();
    let mut notes = Vec::new();
    for deck in decks {
        let name = obsidian::file_name(deck);
        let text = obsidian::render(deck, &options.book_url, &no_history);
        obsidian::write(&notes_dir.join(&name), &text)?;
        notes.push((name, text));
    }
    let names: Vec<String> = notes.iter().map(|(n, _)| n.clone()).collect();
    obsidian::remove_stale(&notes_dir, &names)?;
    let entries: Vec<(&str, &[u8])> = notes
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    let obsidian_zip = dest.join(OBSIDIAN_ZIP);
    fs::write(&obsidian_zip, zip::archive(&entries)?)
        .map_err(|e| obsidian::unwritable(&obsidian_zip, &e))?;
    Ok(Report {
        counts: decks
            .iter()
            .map(|d| (d.chapter.title.clone(), d.cards.len()))
            .collect(),
        apkg,
        obsidian: notes_dir,
        obsidian_zip,
    })
}

/// Updates a reader's vault folder `dir` with every chapter's note, keeping review history
/// (see [`obsidian::update_vault`]); links back to the book are prefixed with `book_url`.
pub fn update_vault(decks: &[Deck], dir: &Path, book_url: &str) -> Result<VaultReport> {
    obsidian::update_vault(decks, dir, book_url)
}

/// The table of cards per chapter that the "Review cards" page includes.
///
/// ```
/// use cards::{Chapter, Deck};
/// let deck = Deck {
///     chapter: Chapter { number: 1, title: "Why position?".into(), page: "order.md".into() },
///     cards: vec![],
/// };
/// assert_eq!(
///     cards::counts_table(&[deck]),
///     "| chapter | cards |\n|:--|--:|\n| 1. [Why position?](order.md) | 0 |\n| total | 0 |\n"
/// );
/// ```
pub fn counts_table(decks: &[Deck]) -> String {
    let mut out = String::from("| chapter | cards |\n|:--|--:|\n");
    for d in decks {
        out.push_str(&format!(
            "| {}. [{}]({}) | {} |\n",
            d.chapter.number,
            d.chapter.title,
            d.chapter.page,
            d.cards.len()
        ));
    }
    let total: usize = decks.iter().map(|d| d.cards.len()).sum();
    out.push_str(&format!("| total | {total} |\n"));
    out
}
