//! The chapter's figures, redrawn and compared byte for byte with the SVGs committed under
//! `src/figures/`. `cargo xtask figures` (or `FIGURES_UPDATE=always cargo test -p learned --test
//! figures`) rewrites them instead; review `git diff src/figures` before committing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[test]
fn figures_match_the_committed_svgs() {
    bookkit::freshness::assert_golden(env!("CARGO_MANIFEST_DIR"), learned::figures());
}

/// The training figure draws the very run the page's table prints: its title (in the SVG) and its
/// caption (a snapshot) are built from the constants `report::training` is called with, and the
/// figure has one row label per fourth row of exactly `TOY_ROWS` rows.
#[test]
fn titles_come_from_the_same_constants_as_the_data() {
    use learned::figures::{CONTEXT, DOCS, training_caption, training_title};
    use learned::report::{TOY_DIM, TOY_ROWS};
    let figures = learned::figures().unwrap();
    let svg = |name: &str| figures.iter().find(|f| f.name == name).unwrap().svg.clone();
    let training = svg("learned-training");
    assert!(training.contains(&training_title()), "{}", training_title());
    assert!(training_title().starts_with(&format!("{TOY_ROWS} × {TOY_DIM} table")));
    assert!(training_caption().starts_with(&format!("![A {TOY_ROWS}-row table")));
    // The page's table has TOY_ROWS rows too: the snapshot test calls report::training with the
    // same constants, and its footer names them.
    let table = learned::report::training(
        TOY_ROWS,
        TOY_DIM,
        &learned::report::TOY_LENGTHS,
        learned::report::TOY_STEPS,
    )
    .unwrap();
    assert!(table.contains(&format!("Table of {TOY_ROWS} rows × {TOY_DIM}")));
    assert_eq!(
        table.lines().filter(|l| l.starts_with("| ")).count(),
        TOY_ROWS + 1
    );
    let packing = learned::figures::packing_caption().unwrap();
    assert!(packing.contains(&format!("contexts of {CONTEXT}")));
    let docs: Vec<String> = DOCS.iter().map(|d| d.to_string()).collect();
    assert!(packing.contains(&docs[..DOCS.len() - 1].join(", ")));
}
