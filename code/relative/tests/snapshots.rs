//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use relative::report;
use relative::t5::Buckets;

#[test]
fn shaw_memory() {
    let table = report::shaw_memory(&[256, 1024, 4096, 16384], 64, 16);
    bookkit::snapshot!("shaw_memory", table);
}

#[test]
fn shaw_forms_agree() {
    let table = report::shaw_agreement(12, 8, 4).unwrap();
    bookkit::snapshot!("shaw_agreement", table);
}

#[test]
fn t5_buckets() {
    let offsets = [
        -200, -128, -127, -64, -32, -16, -12, -8, -7, -1, 0, 1, 7, 8, 16, 128,
    ];
    let table = report::t5_buckets(32, 128, &offsets).unwrap();
    bookkit::snapshot!("t5_buckets", table);
}

#[test]
fn t5_ranges() {
    let table = report::t5_ranges(Buckets::T5, 200).unwrap();
    bookkit::snapshot!("t5_ranges", table);
}

/// One-line snapshots for the numbers the T5 section states in its sentences.
#[test]
fn t5_numbers() {
    let twenty = Buckets::new(true, 20, 160).unwrap();
    bookkit::snapshot!("t5_precision", report::t5_precision(twenty, 200).unwrap());
    let (_, last) = report::t5_back(Buckets::T5);
    bookkit::snapshot!("t5_last_bucket_start", last.to_string());
    let causal = Buckets::new(false, 32, 128).unwrap();
    let (exact, _) = report::t5_back(causal);
    bookkit::snapshot!("t5_causal_exact", exact.to_string());
}

#[test]
fn alibi_slopes() {
    let table = report::alibi_slopes(&[4, 8, 12, 16]).unwrap();
    bookkit::snapshot!("alibi_slopes", table);
}

#[test]
fn alibi_decay() {
    let table = report::alibi_decay(
        8,
        report::ALIBI_DECAY_WINDOW,
        &report::ALIBI_DECAY_DISTANCES,
    )
    .unwrap();
    bookkit::snapshot!("alibi_decay", table);
}

#[test]
fn translation_invariance() {
    let table = report::invariance(6, 8, &[1, 7, 100]).unwrap();
    bookkit::snapshot!("invariance", table);
}

#[test]
fn tiled_agrees() {
    let table = report::tiled_agreement(200, 16, 32).unwrap();
    bookkit::snapshot!("tiled", table);
}

#[test]
fn alibi_row() {
    let table = report::alibi_row(8, 0, 4).unwrap();
    bookkit::snapshot!("alibi_row", table);
}

#[test]
fn xl_terms() {
    let table = report::xl_terms(6, (8, 4), (4, 1), 2).unwrap();
    bookkit::snapshot!("xl_terms", table);
}

/// The image line of the figure a reader can move (its alt text comes from the crate).
#[test]
fn alibi_slopes_caption() {
    bookkit::snapshot!("alibi_slopes_caption", relative::explore::caption());
}
