//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p sinusoidal --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), sinusoidal::figures());
}

/// Every number in a figure's title comes from the constant that also drives its data: the SVG
/// carries the title built from that constant (plotters escapes no character these titles use).
#[test]
fn titles_come_from_the_same_constants_as_the_data() {
    use sinusoidal::figures::{DIMS, DOT, HEATMAP, dims_title, dot_title, heatmap_titles};
    let figures = sinusoidal::figures().unwrap();
    let svg = |name: &str| {
        figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.svg.clone())
            .unwrap()
    };
    let heat = svg("sinusoidal-heatmap");
    for t in heatmap_titles() {
        assert!(heat.contains(&t.replace('&', "&amp;")), "{t}");
    }
    // The heatmap's titles carry no number; its caption's come from HEATMAP (a snapshot).
    let caption = sinusoidal::figures::heatmap_caption();
    assert!(caption.contains(&format!(
        "d_model = {} and positions 0 to {}",
        HEATMAP.0,
        HEATMAP.1 - 1
    )));
    let dims = svg("sinusoidal-dims");
    assert!(dims.contains(&dims_title()), "{}", dims_title());
    assert!(dims_title().contains(&format!("d_model = {}", DIMS.1)));
    for j in DIMS.0 {
        assert!(dims.contains(&format!("j = {j}, wavelength")), "j = {j}");
    }
    let dot = svg("sinusoidal-dot");
    assert!(dot.contains(&dot_title()), "{}", dot_title());
    assert!(dot_title().contains(&format!("d_model = {}", DOT.0)));
    for b in DOT.1 {
        assert!(dot.contains(&format!("base {b}")), "base {b}");
    }
}
