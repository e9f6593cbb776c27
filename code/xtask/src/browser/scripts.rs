//! The scripts the browser check runs in each page, one file per check, each the body of an
//! async function that returns a list of problems (strings).

/// Shared by the page checks: a short description of an element, and waiting for fonts.
const PRELUDE: &str = include_str!("prelude.js");

/// The per-page check, run after the load event: KaTeX fonts, images, overflow, wide tables.
pub const PAGE_CHECK: &str = include_str!("page.js");

/// Waits until mdBook's search has answered the term in the address (`?search=`), then checks
/// that it found something.
pub const SEARCH_CHECK: &str = include_str!("search.js");

/// The print page, laid out for print at the page's width: every `<details>` shows its content,
/// every image loaded, nothing wider than the page.
pub const PRINT_CHECK: &str = include_str!("print.js");

/// `body` as an expression: an async function with [`PRELUDE`] in scope, called.
pub fn wrap(body: &str) -> String {
    format!("(async () => {{\n{PRELUDE}\n{body}\n}})()")
}
