//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::snapshot;
use trained::experiment::DIMS;
use trained::heads::HeadSpec;
use trained::report;

#[test]
fn nope_counter() {
    snapshot!(
        "nope_counter",
        report::nope_counter(&[0, 1, 2, 3, 15, 127, 1023]).unwrap()
    );
}

#[test]
fn nope_precision() {
    snapshot!("nope_precision", report::nope_precision());
}

#[test]
fn heads() {
    snapshot!("heads", report::heads(&HeadSpec::CHAPTER, 128).unwrap());
}

#[test]
fn dilution() {
    snapshot!(
        "dilution",
        report::dilution(&HeadSpec::CHAPTER, &[3, 15, 31, 127]).unwrap()
    );
}

#[test]
fn models() {
    snapshot!("models", report::models(&DIMS).unwrap());
}

#[test]
fn setup() {
    snapshot!("setup", report::setup(&trained::experiment::Config::full()));
}
