//! The browser check: every rendered page opened in headless Chromium, as a reader opens it.
//!
//! The book build ([`crate::book`]) reads the HTML as text; this check lays it out. It serves the
//! built book from 127.0.0.1 (the [`crate::serve`] server, without live reload), starts Chromium
//! with a fresh profile and no network services of its own, and drives it over the DevTools
//! protocol (a few JSON messages over a WebSocket, see `Cdp`). For every page, at every width
//! and theme in [`Options`], it fails, naming page and element, on:
//!
//! - a console error, an uncaught exception, a failed request or an HTTP error status;
//! - any request that leaves the machine;
//! - KaTeX text laid out in a font that is not one of KaTeX's, or whose KaTeX font did not load;
//! - a formula without MathML (KaTeX's HTML is `aria-hidden`: without MathML a screen reader
//!   skips the formula);
//! - an image that did not load;
//! - an element of the page's content wider than the viewport that is not inside an element that
//!   scrolls sideways (`overflow-x: auto` or `scroll`), as a display equation without its own
//!   scroll box is on a phone;
//! - a table wider than its box with no cue that it scrolls (the theme fades its right edge),
//!   with a first column that scrolls away, or in a box taller than the screen (whose sideways
//!   scrollbar is then off screen);
//! - at a desktop width ([`LISTING_FULL_WIDTH_PX`] and wider), a listing line wider than
//!   its box (cut off at the box's right edge until the reader scrolls);
//! - a figure that is a control (mdBook's zoom checkbox, a link or a button around it), figure
//!   text smaller than `MIN_FIGURE_TEXT_PX` (`scripts.rs`) as the figure is shown, a figure box
//!   that scrolls without a cue, and a figure whose background (read from the image drawn into
//!   a canvas, in the page's colour scheme) has more than `MAX_FIGURE_GLARE` against the page's;
//! - a review question (a `<summary>`) smaller than [`MIN_TARGET_PX`] either way;
//! - the keyboard walk (`keyboard`): the first Tab stop is not a skip link to the text shown on
//!   screen, Enter on it does not move focus to the text, or, while the table of contents is
//!   hidden (a phone), the next Tab does not reach its toggle or Enter does not open and close it;
//! - a figure a reader can move whose controls are not labelled native sliders in the Tab order
//!   and on screen, or that draws, at some setting or after an arrow key, curves other than its
//!   data's (`interactive.rs`);
//!
//! once per book, on the first chapter at the first width, on a link of the text, a toolbar icon,
//! the toolbar's title or a link of the table of contents under [`MIN_TEXT_CONTRAST`] against its
//! background in any of the themes mdBook offers (switched on the page, as its theme menu does);
//! on a search (mdBook's `?search=` address) that finds nothing for one of
//! [`Options::search_terms`], whose result snippets hold a TeX command (`\frac`), or that finds
//! something for a term written `!word` (a TeX command name); and, when a PDF is asked for, on
//! the print page laid out at the printed page's width ([`PRINT_WIDTH_PX`]): a `<details>` that
//! prints closed, an image that did not load, and a block cut off at the page's edge or clipped
//! by a box that cannot scroll on paper; and on the PDF itself: no pages, no outline, or a
//! chapter of the table of contents that is no top-level bookmark ([`pdf`]).
//!
//! Why a hand-written client and not a crate: see `CONTRIBUTING.md`, "The browser check". The
//! protocol part is `Cdp::call` and `Cdp::wait_for` (in `chromium.rs`); the scripts each page
//! runs are JavaScript files beside this one (`scripts.rs`); everything else is the check.

mod chromium;
mod interactive;
pub mod pdf;
mod scripts;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::Problem;
use chromium::{Browser, Cdp};
pub use scripts::{LISTING_FULL_WIDTH_PX, LISTING_MAX_PX, MIN_TARGET_PX, MIN_TEXT_CONTRAST};
use scripts::{PAGE_CHECK, SEARCH_CHECK, THEME_CHECK, focus_step};

/// The programs tried, in order, when `CHROMIUM` is not set.
pub const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// How to get Chromium, for the line printed when it is missing.
pub const INSTALL_HINT: &str =
    "install Debian's package (`apt-get install chromium`) or set CHROMIUM=/path/to/chromium";

/// The flags Chromium runs with: headless, and quiet on the network (without the last four it
/// reaches for update, sync and field-trial servers, which a closed network refuses loudly).
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--remote-debugging-port=0",
];

/// A page load, a search or a script that takes longer than this is a failure.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// The printed page's width in CSS pixels: A4's 210 mm less the two 14 mm side margins of the
/// `@page` rule in `src/theme/fit.css`, at 96 px to the inch (687.9 px), rounded down. The
/// print page is laid out and checked at this width, the width Chromium prints it at.
pub const PRINT_WIDTH_PX: u32 = 687;

/// Where the search terms live, relative to the book's `src/`: one term a line, `#` comments.
pub const SEARCH_TERMS_FILE: &str = "theme/search-terms.txt";

/// What the check opens and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Viewport widths in CSS pixels; each page is opened at each.
    pub widths: Vec<u32>,
    /// mdBook theme ids (`light`, `navy`, …); each page is opened in each, at every width.
    pub themes: Vec<String>,
    /// Terms that mdBook's search must find at least one page for, with snippets free of TeX; a
    /// term written `!word` must find nothing (a TeX command name).
    pub search_terms: Vec<String>,
    /// Print `print.html` to this file (relative to the book's folder) and count its pages.
    pub pdf: Option<PathBuf>,
}

impl Default for Options {
    /// A desktop and a phone width, the light theme and the dark theme the book prefers, no
    /// search terms, no PDF.
    fn default() -> Self {
        Options {
            widths: vec![1280, 390],
            themes: vec!["light".into(), "navy".into()],
            search_terms: Vec::new(),
            pdf: None,
        }
    }
}

/// What a clean run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// HTML pages opened.
    pub pages: usize,
    /// Page loads (pages × widths × themes).
    pub loads: usize,
    /// Pages in the printed PDF, when one was asked for.
    pub pdf_pages: Option<usize>,
    /// Bookmarks in the printed PDF's outline, when one was asked for.
    pub pdf_bookmarks: Option<usize>,
    /// The browser's product and version, as it reports them.
    pub browser: String,
    /// Wall time of the whole check, Chromium's start included.
    pub time: Duration,
}

/// The Chromium to run: `$CHROMIUM` if set, else the first of [`CANDIDATES`] on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    CANDIDATES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The search terms in `src/<SEARCH_TERMS_FILE>` (none if the file is absent).
pub fn search_terms(src: &Path) -> Vec<String> {
    std::fs::read_to_string(src.join(SEARCH_TERMS_FILE))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// A problem with a page of the built book (`dest/page`).
fn at(dest: &Path, page: &str, message: String) -> Problem {
    Problem {
        file: dest.join(page),
        line: None,
        message,
    }
}

/// Opens every page of the book built in `dest` in the Chromium at `chromium`.
///
/// # Errors
/// Every problem found, each naming the page (as its file in `dest`), the width and theme, and
/// the element or request at fault; or one problem saying why the browser could not be driven.
pub fn check(dest: &Path, chromium: &Path, options: &Options) -> Result<Checked, Vec<Problem>> {
    let start = Instant::now();
    let fail = |message: String| vec![at(dest, "", message)];
    let mut pages: Vec<String> = crate::walk(dest)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .filter_map(|p| {
            let rel = p.strip_prefix(dest).ok()?.to_string_lossy().into_owned();
            // Files copied from src/ as they are (the theme's templates) are not pages, nor is
            // toc.html, the sidebar mdBook shows in a frame to readers without JavaScript.
            (!rel.starts_with("theme/") && rel != "toc.html").then_some(rel)
        })
        .collect();
    pages.sort();
    if pages.is_empty() {
        return Err(fail("no HTML page to open: build the book first".into()));
    }
    let addr = crate::serve::spawn_static(dest.to_path_buf(), 0)
        .map_err(|e| fail(format!("cannot serve the book on 127.0.0.1: {e}")))?;
    let origin = format!("http://{addr}/");
    let browser = Browser::start(chromium).map_err(&fail)?;
    let mut cdp = Cdp::connect(&browser.ws_url).map_err(&fail)?;
    let version = cdp
        .call("Browser.getVersion", json!({}), None)
        .map_err(&fail)?;
    let product = version["product"].as_str().unwrap_or("?").to_string();
    let session = cdp.open_tab().map_err(&fail)?;

    let mut problems = Vec::new();
    let mut loads = 0;
    for theme in &options.themes {
        let script = cdp
            .call(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": format!(
                    "try {{ localStorage.setItem('mdbook-theme', {}); \
                     localStorage.removeItem('mdbook-sidebar'); }} catch (e) {{}}",
                    json!(theme)
                ) }),
                Some(&session),
            )
            .map_err(&fail)?;
        for &width in &options.widths {
            cdp.set_width(&session, width).map_err(&fail)?;
            for page in &pages {
                let url = format!("{origin}{page}");
                let found = cdp
                    .open(&session, &url, &origin, PAGE_CHECK)
                    .map_err(|e| fail(format!("{page} at {width} px, {theme} theme: {e}")))?;
                let keys = keyboard(&mut cdp, &session)
                    .map_err(|e| fail(format!("{page} at {width} px, {theme} theme: {e}")))?;
                loads += 1;
                let moved = interactive::check(&mut cdp, &session, &origin)
                    .map_err(|e| fail(format!("{page} at {width} px, {theme} theme: {e}")))?;
                problems.extend(
                    found
                        .into_iter()
                        .chain(keys)
                        .chain(moved)
                        .map(|m| at(dest, page, format!("at {width} px, {theme} theme: {m}"))),
                );
            }
        }
        let id = &script["identifier"];
        cdp.call(
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": id }),
            Some(&session),
        )
        .map_err(&fail)?;
    }

    let width = options.widths.first().copied().unwrap_or(1280);
    cdp.set_width(&session, width).map_err(&fail)?;
    // mdBook's themes are classes on one page: every theme is measured on the first chapter.
    let first = pages
        .iter()
        .find(|p| *p == "index.html")
        .unwrap_or(&pages[0]);
    let found = cdp
        .open(&session, &format!("{origin}{first}"), &origin, THEME_CHECK)
        .map_err(|e| fail(format!("measuring the themes on {first}: {e}")))?;
    problems.extend(
        found
            .into_iter()
            .map(|m| at(dest, first, format!("at {width} px, every theme: {m}"))),
    );
    for term in &options.search_terms {
        // `!word`: the search must find nothing for `word`.
        let url = match term.strip_prefix('!') {
            Some(word) => format!(
                "{origin}index.html?search={}&expect-none",
                percent_encode(word)
            ),
            None => format!("{origin}index.html?search={}", percent_encode(term)),
        };
        let found = cdp
            .open(&session, &url, &origin, SEARCH_CHECK)
            .map_err(|e| fail(format!("searching for {term:?}: {e}")))?;
        problems.extend(
            found
                .into_iter()
                .map(|m| at(dest, "index.html", format!("search for {term:?}: {m}"))),
        );
    }

    let pdf = match &options.pdf {
        Some(file) => {
            let (found, pages, bookmarks) = print(&mut cdp, &session, &origin, &dest.join(file))
                .map_err(|e| fail(format!("printing print.html: {e}")))?;
            problems.extend(found.into_iter().map(|m| at(dest, "print.html", m)));
            Some((pages, bookmarks))
        }
        None => None,
    };
    drop(cdp);
    drop(browser);
    if problems.is_empty() {
        Ok(Checked {
            pages: pages.len(),
            loads,
            pdf_pages: pdf.map(|(pages, _)| pages),
            pdf_bookmarks: pdf.map(|(_, bookmarks)| bookmarks),
            browser: product,
            time: start.elapsed(),
        })
    } else {
        Err(problems)
    }
}

/// Prints the print page to `path` and reads the PDF back: the problems (the print check's and
/// the PDF's: no pages, no outline, a chapter of the table of contents or a heading without its
/// bookmark),
/// the number of pages and the number of bookmarks.
fn print(
    cdp: &mut Cdp,
    session: &str,
    origin: &str,
    path: &Path,
) -> Result<(Vec<String>, usize, usize), String> {
    let printed = cdp.print_pdf(session, &format!("{origin}print.html"), origin)?;
    let mut found: Vec<String> = printed
        .problems
        .into_iter()
        .map(|m| format!("printing: {m}"))
        .collect();
    std::fs::write(path, &printed.pdf)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let pages = pdf::page_count(&printed.pdf);
    if pages == 0 {
        found.push("the printed PDF has no pages".into());
    }
    let bookmarks = match pdf::outline(&printed.pdf) {
        Ok(outline) => {
            found.extend(pdf::outline_problems(
                &outline,
                &printed.chapters,
                &printed.headings,
            ));
            outline.len()
        }
        Err(e) => {
            found.push(e);
            0
        }
    };
    Ok((found, pages, bookmarks))
}

/// The keyboard walk on the page open in `session`, as a reader without a mouse makes it: the
/// first Tab must reach a skip link, shown, and Enter on it must move focus to the text; while
/// the table of contents is hidden (a phone), the next Tab from the first stop must reach its
/// toggle, and Enter on it must open and then close it.
fn keyboard(cdp: &mut Cdp, session: &str) -> Result<Vec<String>, String> {
    cdp.press(session, "Tab")?;
    let mut found = cdp.run(session, &focus_step("first"))?;
    cdp.press(session, "Enter")?;
    found.extend(cdp.run(session, &focus_step("skipped"))?);
    let hidden = cdp.run(
        session,
        "return document.documentElement.classList.contains('sidebar-visible') ? [] : ['hidden'];",
    )?;
    if hidden.is_empty() {
        return Ok(found);
    }
    cdp.run(session, &focus_step("restart"))?;
    cdp.press(session, "Tab")?;
    let toggle = cdp.run(session, &focus_step("toggle"))?;
    if !toggle.is_empty() {
        found.extend(toggle);
        return Ok(found);
    }
    cdp.press(session, "Enter")?;
    found.extend(cdp.run(session, &focus_step("opened"))?);
    cdp.press(session, "Enter")?;
    found.extend(cdp.run(session, &focus_step("closed"))?);
    Ok(found)
}

/// `s` with everything but ASCII letters and digits percent-encoded, for a query value.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether a request for `url` stays on this machine: the book's own server, or no network at
/// all (`data:`, `blob:`, `about:`).
pub fn stays_on_machine(url: &str, origin: &str) -> bool {
    url.starts_with(origin)
        || ["data:", "blob:", "about:"]
            .iter()
            .any(|s| url.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_books_server_and_local_schemes_stay_on_the_machine() {
        let origin = "http://127.0.0.1:4000/";
        assert!(stays_on_machine("http://127.0.0.1:4000/rope.html", origin));
        assert!(stays_on_machine("data:font/woff2;base64,AAAA", origin));
        assert!(stays_on_machine("blob:http://127.0.0.1:4000/x", origin));
        assert!(!stays_on_machine(
            "https://cdn.jsdelivr.net/katex.css",
            origin
        ));
        assert!(!stays_on_machine("http://127.0.0.1:4001/x", origin));
        assert!(!stays_on_machine("http://127.0.0.1:40000/x", origin));
    }

    #[test]
    fn the_print_width_is_the_page_rule_of_the_theme() {
        let css = std::fs::read_to_string(crate::root().join("src/theme/fit.css")).unwrap();
        let page = &css[css.find("@page").unwrap()..];
        let page = &page[..page.find('}').unwrap()];
        assert!(page.contains("size: A4;"), "{page}");
        assert!(page.contains("margin: 16mm 14mm;"), "{page}");
        let px = (210.0 - 2.0 * 14.0) / 25.4 * 96.0;
        assert_eq!(PRINT_WIDTH_PX, px as u32, "{px}");
    }

    #[test]
    fn the_listing_width_is_the_rule_of_the_theme_and_holds_a_rustfmt_line() {
        let css = std::fs::read_to_string(crate::root().join("src/theme/fit.css")).unwrap();
        let rule = format!("min({}px, var(--listing-room))", LISTING_MAX_PX);
        assert!(css.contains(&rule), "fit.css lacks {rule}");
        // rustfmt's 100 characters at 14 px Source Code Pro (0.6 em each) and 16 px padding.
        let line = 100.0 * 14.0 * 0.6 + 2.0 * 16.0;
        assert!(line < f64::from(LISTING_MAX_PX), "{line}");
    }

    #[test]
    fn search_terms_are_percent_encoded() {
        assert_eq!(percent_encode("RoPE"), "RoPE");
        assert_eq!(percent_encode("Transformer-XL"), "Transformer%2DXL");
        assert_eq!(percent_encode("a b"), "a%20b");
    }

    #[test]
    fn search_terms_skip_comments_and_blanks() {
        let dir = std::env::temp_dir().join(format!("xtask-terms-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("theme")).unwrap();
        std::fs::write(
            dir.join(SEARCH_TERMS_FILE),
            "# terms\nRoPE\n\n  ALiBi  \n#x\n",
        )
        .unwrap();
        assert_eq!(search_terms(&dir), vec!["RoPE", "ALiBi"]);
        assert!(search_terms(&dir.join("nowhere")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
