//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p order --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), order::figures());
}

/// The position figure's title (in the SVG) and caption (a snapshot on the page) take the row
/// count from the very table the figure draws; the attention figure's titles quote the sentences
/// its data come from.
#[test]
fn titles_come_from_the_same_constants_as_the_data() {
    use order::figures::{SENTENCES, learned_panel_title, positions_caption};
    let figures = order::figures().unwrap();
    let svg = |name: &str| figures.iter().find(|f| f.name == name).unwrap().svg.clone();
    let rows = order::PositionTable::chapter().max_len();
    let positions = svg("order-positions");
    assert!(positions.contains(&learned_panel_title()));
    assert!(learned_panel_title().ends_with(&format!("0 to {}", rows - 1)));
    assert!(
        positions_caption().contains(&format!("{rows} rows (left) stop at position {}", rows - 1))
    );
    let attention = svg("order-attention");
    for sentence in SENTENCES {
        assert!(attention.contains(sentence), "{sentence}");
    }
}
