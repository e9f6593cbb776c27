//! The toolkit every chapter crate shares, one module per concern. Reach for:
//!
//! | to …                                                        | use                 |
//! |:------------------------------------------------------------|:--------------------|
//! | print numbers with fixed decimals, build a Markdown table  | [`format`](mod@format) |
//! | write an example program (flags, `--help`, exit status)     | [`cli`]             |
//! | draw an SVG figure, the same bytes on every machine         | [`figure`]          |
//! | colour a curve or a cell, draw a legend, set up line axes   | [`style`], [`chart`]|
//! | draw a labelled heatmap                                      | [`heatmap`](mod@heatmap) |
//! | check committed figures against the code, or rewrite them   | [`freshness`]       |
//! | draw reproducible random numbers                            | [`rng`]             |
//! | measure the peak memory of one computation                  | [`meter`]           |
//!
//! The items used everywhere are also re-exported at the crate root (`bookkit::fixed`,
//! `bookkit::Table`, `bookkit::Figure`, `bookkit::svg`, …).
//!
//! Figures are drawn on white and carry a style ([`style::dark_style`]) that turns their
//! background, text and axes dark in mdBook's dark themes; data colours stay as drawn.

#![cfg_attr(test, allow(clippy::unwrap_used))]

/// Snapshots a chapter's table the way every page includes it: no expression in the header (so
/// the header is always 3 lines and pages include `name.snap:4:`), no module prefix in the file
/// name. Use it in `tests/snapshots.rs` (the crate needs `insta` as a dev-dependency):
/// `bookkit::snapshot!("decay", report::decay()?);`
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $value:expr $(,)?) => {
        ::insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            ::insta::assert_snapshot!($name, $value);
        })
    };
}

pub mod chart;
pub mod cli;
pub mod figure;
pub mod format;
pub mod freshness;
pub mod heatmap;
pub mod meter;
pub mod rng;
pub mod style;

pub use figure::{Area, FONT, Figure, FigureError, svg};
pub use format::{Table, fixed, tuple};
pub use freshness::{check_figures, write_figures};
pub use heatmap::{Heatmap, colour_key, heatmap, heatmap_with};
pub use style::{
    PALETTE, category, diverging, legend, legend_below, legend_line, line, sequential,
};
