//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use relative::report;
use relative::t5::Buckets;

fn check(name: &str, value: String) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, value);
    });
}

#[test]
fn shaw_memory() {
    check(
        "shaw_memory",
        report::shaw_memory(&[256, 1024, 4096, 16384], 64, 16),
    );
}

#[test]
fn shaw_forms_agree() {
    check("shaw_agreement", report::shaw_agreement(12, 8, 4).unwrap());
}

#[test]
fn t5_buckets() {
    let offsets = [
        -200, -128, -127, -64, -32, -16, -12, -8, -7, -1, 0, 1, 7, 8, 16, 128,
    ];
    check("t5_buckets", report::t5_buckets(32, 128, &offsets).unwrap());
}

#[test]
fn t5_ranges() {
    check("t5_ranges", report::t5_ranges(Buckets::T5, 200).unwrap());
}

#[test]
fn alibi_slopes() {
    check(
        "alibi_slopes",
        report::alibi_slopes(&[4, 8, 12, 16]).unwrap(),
    );
}

#[test]
fn alibi_decay() {
    check(
        "alibi_decay",
        report::alibi_decay(8, 512, &[1, 8, 64, 256]).unwrap(),
    );
}

#[test]
fn translation_invariance() {
    check(
        "invariance",
        report::invariance(6, 8, &[1, 7, 100]).unwrap(),
    );
}

#[test]
fn tiled_agrees() {
    check("tiled", report::tiled_agreement(200, 16, 32).unwrap());
}
