//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p runtime --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

use runtime::figures::{FAR_QUERY, MATRIX_N, REACH, distance_title};

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), runtime::figures());
}

/// The alt text of a figure on the page: the line that links it.
fn alt(page: &str, svg: &str) -> String {
    page.lines()
        .find(|l| l.contains(&format!("(figures/{svg})")))
        .unwrap_or_else(|| panic!("src/runtime.md links no figures/{svg}"))
        .to_string()
}

/// The captions type the figures' settings; they must be the constants the figures use.
#[test]
fn captions_name_the_settings_the_figures_use() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/runtime.md"))
            .expect("the page is readable");
    let m = alt(&page, "runtime-matrices.svg");
    assert!(m.contains(&format!("on {MATRIX_N} tokens")), "{m}");
    let d = alt(&page, "runtime-distance.svg");
    for part in [format!("0 to {REACH}"), format!("at position {FAR_QUERY}")] {
        assert!(
            d.contains(&part),
            "the distance caption lacks `{part}`: {d}"
        );
    }
    assert!(distance_title().contains(&REACH.to_string()));
}
