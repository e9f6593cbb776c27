//! Renders the book with mdBook 0.5 and mdbook-katex in-process, and turns every silent failure
//! of that stack into an error naming a file (and a line where there is one).
//!
//! The checks, in order, one module each:
//! 1. [`config`]: `book.toml`. mdBook's own tables must deserialize (an unknown key in
//!    `[output.html]` would otherwise reset *every* HTML option to its default), and
//!    `[preprocessor.katex]` must hold only keys mdbook-katex knows, with the right types (it
//!    silently falls back to its defaults); `no-css` must be on, because the book serves KaTeX's
//!    stylesheet itself.
//! 2. [`crate::includes`]: every include file and anchor exists; and, when [`Options`] ask for it,
//!    [`crate::listings`]: no `.rs` listing is longer than the limit without a waiver;
//!    [`crate::figures::check_owners`]: every SVG under `src/figures/` is drawn by a crate and
//!    shown by a page.
//! 3. [`log`]: the build itself, with every WARN or ERROR event from mdBook or mdbook-katex
//!    collected; a KaTeX parse error is traced back to the page and line of the formula.
//! 4. The review cards (the `cards` crate): every page's `## Review questions` block parses, no
//!    question is asked twice; the Anki package and Obsidian notes are written to `dest/cards/`.
//! 5. [`search`]: the search index rewritten from the text a reader is given (one copy of each
//!    formula, no TeX).
//! 6. [`output`]: the search index, the KaTeX stylesheet and fonts, no network load, no raw
//!    include directive left, and every relative link and image in the HTML resolves to a file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mdbook_driver::MDBook;
use mdbook_driver::config::Config;

use crate::{Problem, includes, listings};

pub mod config;
pub mod images;
pub mod log;
pub mod mathml;
pub mod output;
pub mod search;

/// What a successful build reports.
#[derive(Debug, Clone)]
pub struct Built {
    /// Where the HTML went.
    pub dest: PathBuf,
    /// Wall time of the mdBook build alone (preprocessors and rendering).
    pub render_time: Duration,
    /// Number of HTML files written.
    pub pages: usize,
}

/// Checks that not every build runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Refuse a `.rs` listing longer than this many lines that has no
    /// `<!-- long listing: reason -->` waiver; `None` skips the check.
    pub listing_limit: Option<usize>,
    /// Rewrite mdBook's search index from the text a reader is given ([`search`]); off only in
    /// the fixture that shows what mdBook's own index looks like.
    pub visible_search: bool,
}

impl Default for Options {
    /// What `cargo xtask book`, `serve` and `test` use: every check, the listing limit
    /// included, and the search index rebuilt.
    fn default() -> Self {
        Options {
            listing_limit: Some(listings::LISTING_LIMIT),
            visible_search: true,
        }
    }
}

/// Builds the book rooted at `root` into `dest` and runs every check, with the default
/// [`Options`].
///
/// # Errors
/// Every problem found, each naming its file and, where possible, its line.
pub fn build(root: &Path, dest: &Path) -> Result<Built, Vec<Problem>> {
    build_with(root, dest, &Options::default())
}

/// [`build`] with the given [`Options`].
///
/// # Errors
/// Every problem found, each naming its file and, where possible, its line.
pub fn build_with(root: &Path, dest: &Path, options: &Options) -> Result<Built, Vec<Problem>> {
    let config = config::check(root)?;
    let src = root.join(&config.book.src);
    let mut problems = includes::check_all(&src);
    if let Some(limit) = options.listing_limit {
        problems.extend(listings::check(&src, limit));
    }
    problems.extend(crate::figures::check_owners(root, &src));
    if !problems.is_empty() {
        return Err(problems);
    }

    let ((result, render_time), events) = log::capture(|| render(root, config, dest));
    let mut problems: Vec<Problem> = events
        .into_iter()
        .map(|e| log::locate(root, &src, e))
        .collect();
    if let Err(e) = result {
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        problems.push(Problem {
            file: root.join("book.toml"),
            line: None,
            message: format!("mdBook failed: {}", chain.join(": ")),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // After mdBook, so a page missing from SUMMARY.md is reported as mdBook reports it.
    let decks = cards::collect(root).map_err(|e| vec![card_problem(root, &e)])?;
    cards::write_all(&decks, &dest.join(CARDS_DIR), &cards::Options::now(""))
        .map_err(|e| vec![card_problem(root, &e)])?;
    if options.visible_search {
        search::rebuild(dest)?;
    }
    let pages = output::check(dest)?;
    Ok(Built {
        dest: dest.to_path_buf(),
        render_time,
        pages,
    })
}

/// The PDF of the whole book that the browser check prints from `print.html` into the rendered
/// book ([`crate::browser::Options::pdf`]); the link check lets pages link to it before it
/// exists.
pub const PDF: &str = "where-is-each-token.pdf";

/// Where the book build writes the review cards, inside the rendered book (the "Review cards"
/// page links the files there).
pub const CARDS_DIR: &str = "cards";

/// A cards error as a [`Problem`], at the page and line it names where it names one.
pub fn card_problem(root: &Path, e: &cards::Error) -> Problem {
    match cards::location(e) {
        Some((file, line)) => Problem {
            file: root.join(file),
            line: Some(line),
            message: e.to_string(),
        },
        None => Problem {
            file: root.join("src/SUMMARY.md"),
            line: None,
            message: format!("review cards: {e}"),
        },
    }
}

/// Runs mdBook with KaTeX and [`images::Figures`] registered in-process; returns its result and
/// how long it took.
fn render(root: &Path, mut config: Config, dest: &Path) -> (anyhow::Result<()>, Duration) {
    config.build.build_dir = dest.to_path_buf();
    let start = Instant::now();
    let result = MDBook::load_with_config(root, config).and_then(|mut book| {
        book.with_preprocessor(mathml::Katex);
        // A new name is queued after every configured preprocessor: it sees the included text.
        book.with_preprocessor(images::Figures);
        book.build()
    });
    (result, start.elapsed())
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}
