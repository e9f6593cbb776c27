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

/// The smallest figure text the page check accepts, as shown at any width: the figure rule of
/// [`crate::svg`] at a phone's width (`MIN_TEXT_PX × PHONE_FIGURE_PX / COLUMN_PX`, 8.8 px).
pub const MIN_FIGURE_TEXT_PX: f64 =
    crate::svg::MIN_TEXT_PX * crate::svg::PHONE_FIGURE_PX / crate::svg::COLUMN_PX;

/// The largest contrast the page check accepts between a figure's background and the page's:
/// the white of the light themes against the rust theme's page is 1.3:1, a white figure on the
/// navy theme's page 17:1.
pub const MAX_FIGURE_GLARE: f64 = 1.5;

/// The narrowest viewport (`window.innerWidth`) at which no listing line may run past its box: a desktop window, where
/// mdBook's sidebar and the 750 px column sit side by side with room beside the column, into
/// which `src/theme/fit.css` widens a listing to at most [`LISTING_MAX_PX`].
pub const LISTING_FULL_WIDTH_PX: u32 = 1280;

/// The widest a listing's box grows beside the column: 100 characters (rustfmt's `max_width`)
/// of mdBook's 14 px Source Code Pro (8.4 px each) and the box's 16 px padding on both sides
/// come to 872 px; the rest is room for a glyph drawn from a wider fallback font (`θ`, `×`).
pub const LISTING_MAX_PX: u32 = 920;

/// `body` as an expression: an async function with [`PRELUDE`] and the limits above in scope,
/// called.
pub fn wrap(body: &str) -> String {
    format!(
        "(async () => {{\nconst MIN_FIGURE_TEXT_PX = {MIN_FIGURE_TEXT_PX:.1};\n\
         const MAX_FIGURE_GLARE = {MAX_FIGURE_GLARE};\n\
         const LISTING_FULL_WIDTH_PX = {LISTING_FULL_WIDTH_PX};\n{PRELUDE}\n{body}\n}})()"
    )
}
