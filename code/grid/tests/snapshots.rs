//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::snapshot;
use grid::report;

#[test]
fn resample() {
    let g = |r, c| grid::Grid::new(r, c).unwrap();
    snapshot!(
        "resample",
        report::resample_example(g(2, 2), g(4, 4)).unwrap()
    );
}

#[test]
fn vit_grids() {
    snapshot!("vit_grids", report::vit_grids(&[(224, 16), (384, 16)]));
}

#[test]
fn axial_scores() {
    let cells = [
        ((3.0, 5.0), (1.0, 4.0)),
        ((10.0, 0.0), (8.0, -1.0)),
        ((40.0, 40.0), (38.0, 39.0)),
        ((3.0, 5.0), (4.0, 1.0)),
        ((0.0, 0.0), (1.0, -4.0)),
    ];
    snapshot!(
        "axial_scores",
        report::axial_scores(16, 100.0, &cells).unwrap()
    );
}

#[test]
fn sections() {
    snapshot!("sections", report::sections().unwrap());
}

/// The page: transformers 5.24.0's `Qwen3VLTextConfig.default_theta` is `500000.0`, a tenth of
/// the published Qwen3-VL base.
#[test]
fn qwen3_vl_default_base_is_a_tenth_of_the_published_one() {
    use grid::published::{QWEN3_VL_CONFIG, default_theta, qwen3_vl};
    let fallback = default_theta(QWEN3_VL_CONFIG).unwrap();
    assert_eq!(fallback, 500000.0);
    assert_eq!(qwen3_vl().unwrap().1, 10.0 * fallback);
}

#[test]
fn positions() {
    snapshot!(
        "positions",
        report::positions(&report::example_sequence()).unwrap()
    );
}

#[test]
fn time_axis() {
    snapshot!(
        "time_axis",
        report::time_axis(4, &report::time_models()).unwrap()
    );
}
