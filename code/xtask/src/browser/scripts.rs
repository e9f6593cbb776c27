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

/// Run once on one page: the links, toolbar and table of contents of every theme mdBook offers,
/// against [`MIN_TEXT_CONTRAST`].
pub const THEME_CHECK: &str = include_str!("theme.js");

/// Run after each key the keyboard check presses, with `STEP` naming the step (see
/// [`focus_step`]).
const FOCUS_CHECK: &str = include_str!("focus.js");

/// The smallest contrast of text against its background, the figures' rule
/// ([`crate::contrast::MIN_TEXT_CONTRAST`], WCAG 2.2's 4.5:1), held for the toolbar's icons too,
/// which are its only labels.
pub const MIN_TEXT_CONTRAST: f64 = crate::contrast::MIN_TEXT_CONTRAST;

/// The smallest target a pointer must hit, in CSS pixels both ways: WCAG 2.2's 24 px (2.5.8).
pub const MIN_TARGET_PX: f64 = 24.0;

/// The smallest figure text the page check accepts, as shown at any width: the figure rule of
/// [`crate::svg`] at a phone's width (`MIN_TEXT_PX × PHONE_FIGURE_PX / COLUMN_PX`, 8.8 px).
pub const MIN_FIGURE_TEXT_PX: f64 =
    crate::svg::MIN_TEXT_PX * crate::svg::PHONE_FIGURE_PX / crate::svg::COLUMN_PX;

/// The largest contrast the page check accepts between a figure's background and the page's:
/// the white of the light themes against the rust theme's page is 1.3:1, a white figure on the
/// navy theme's page 17:1.
pub const MAX_FIGURE_GLARE: f64 = 1.5;

/// The narrowest viewport (`window.innerWidth`) at which no listing line may run past its box: a
/// desktop window, where mdBook's sidebar and the 750 px column sit side by side with room beside
/// the column, into which `src/theme/fit.css` widens a listing to at most [`LISTING_MAX_PX`].
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
         const LISTING_FULL_WIDTH_PX = {LISTING_FULL_WIDTH_PX};\n\
         const MIN_TEXT_CONTRAST = {MIN_TEXT_CONTRAST:.1};\nconst MIN_TARGET_PX = {MIN_TARGET_PX:.0};\n{PRELUDE}\n{body}\n}})()"
    )
}

/// The focus check's script for `step`: `first` (after the first Tab), `skipped` (after Enter on
/// it), `restart` (focus back on the first stop), `toggle` (after the next Tab, with the table of
/// contents hidden), `opened` and `closed` (after Enter on the toggle).
pub fn focus_step(step: &str) -> String {
    format!("const STEP = {step:?};\n{FOCUS_CHECK}")
}
