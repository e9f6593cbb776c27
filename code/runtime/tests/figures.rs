//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p runtime --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

use runtime::figures::{
    FAR_QUERY, MATRIX_N, REACH, distance_caption, distance_title, matrices_caption,
};

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), runtime::figures());
}

/// The captions come from the figures' constants: the page includes them from snapshots
/// (`caption_matrices`, `caption_distance`, asserted in `tests/snapshots.rs`) and types none.
#[test]
fn captions_name_the_settings_the_figures_use() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/runtime.md"))
            .expect("the page is readable");
    for (name, svg) in [
        ("caption_matrices", "runtime-matrices.svg"),
        ("caption_distance", "runtime-distance.svg"),
    ] {
        assert!(
            page.contains(&format!(
                "{{{{#include ../code/runtime/tests/snapshots/{name}.snap:4:}}}}"
            )),
            "the page does not include {name}"
        );
        assert!(
            !page.contains(&format!("(figures/{svg})")),
            "the page types the image line of {svg}"
        );
    }
    let m = matrices_caption().expect("the schemes build");
    assert!(m.contains(&format!("on {MATRIX_N} tokens")), "{m}");
    assert!(m.contains("DCA s = 6, ceiling 9"), "{m}");
    let d = distance_caption();
    for part in [
        format!("0 to {REACH}"),
        format!("at position {FAR_QUERY}"),
        "T = 16".into(),
    ] {
        assert!(
            d.contains(&part),
            "the distance caption lacks `{part}`: {d}"
        );
    }
    assert!(distance_title().contains(&REACH.to_string()));
}
