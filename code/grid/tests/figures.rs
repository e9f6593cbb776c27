//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p grid --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

use grid::figures::{IMAGE_TOKENS, MIXED_DEGREES, SCORE_BASE, SCORE_DIM, SCORE_REACH, TEXT_BEFORE};

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), grid::figures());
}

/// The alt text of a figure on the page: the line that links it.
fn alt(page: &str, svg: &str) -> String {
    page.lines()
        .find(|l| l.contains(&format!("(figures/{svg})")))
        .unwrap_or_else(|| panic!("src/grid.md links no figures/{svg}"))
        .to_string()
}

/// The captions type the figures' settings; they must be the constants the figures are drawn
/// with.
#[test]
fn captions_name_the_settings_the_figures_use() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/grid.md"))
        .expect("the page is readable");
    let score = alt(&page, "grid-score.svg");
    for part in [
        format!("head width {SCORE_DIM} and base {SCORE_BASE}"),
        format!("from −{SCORE_REACH} to {SCORE_REACH}"),
        format!("pairs at {MIXED_DEGREES}° and {}°", MIXED_DEGREES + 90.0),
    ] {
        assert!(
            score.contains(&part),
            "the score caption lacks `{part}`: {score}"
        );
    }
    let ids = alt(&page, "grid-position-ids.svg");
    let (rows, cols) = IMAGE_TOKENS;
    for part in [
        format!("{rows} × {cols} tokens after {TEXT_BEFORE} text tokens"),
        format!("all starting at {TEXT_BEFORE}"),
    ] {
        assert!(
            ids.contains(&part),
            "the image caption lacks `{part}`: {ids}"
        );
    }
}
