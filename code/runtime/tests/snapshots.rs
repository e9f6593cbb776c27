//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::snapshot;
use runtime::figures::{self, MATRIX_N};
use runtime::report;

/// The four matrices, by name: each snapshot is asserted where the book build can see its name.
fn scheme(name: &str) -> Box<dyn runtime::Remap> {
    report::matrix_schemes()
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap()
        .1
}

#[test]
fn matrices() {
    snapshot!(
        "matrix_self-extend",
        report::relative_matrix(scheme("self-extend").as_ref(), MATRIX_N)
    );
    snapshot!(
        "matrix_rerope",
        report::relative_matrix(scheme("rerope").as_ref(), MATRIX_N)
    );
    snapshot!(
        "matrix_dca",
        report::relative_matrix(scheme("dca").as_ref(), MATRIX_N)
    );
    snapshot!(
        "matrix_cache",
        report::relative_matrix(scheme("cache").as_ref(), MATRIX_N)
    );
    assert_eq!(report::matrix_schemes().unwrap().len(), 4);
}

/// The figures' alt text, built from their constants.
#[test]
fn captions() {
    snapshot!("caption_matrices", figures::matrices_caption().unwrap());
    snapshot!("caption_distance", figures::distance_caption());
}

#[test]
fn cache() {
    snapshot!("cache", report::cache_table(2, 4, 10).unwrap());
}

#[test]
fn largest() {
    snapshot!(
        "largest",
        report::largest_positions(&[1, 2, 4, 8, 16]).unwrap()
    );
}

#[test]
fn cope() {
    snapshot!("cope_words", report::cope_words(8.0).unwrap());
    snapshot!("cope_target", report::cope_target(8.0, 3).unwrap());
}

#[test]
fn distance_family() {
    snapshot!(
        "distance_family",
        report::distance_family(&[0, 1, 2, 4, 8, 16, 32, 64]).unwrap()
    );
}

#[test]
fn layers() {
    snapshot!("layers", report::layer_pattern(12).unwrap());
    snapshot!(
        "temperatures",
        report::temperatures(&[0, 8190, 8191, 16383, 65535, 1_048_575]).unwrap()
    );
}

#[test]
fn random() {
    snapshot!("random", report::random_draws(8, 64, 3, 7).unwrap());
}
