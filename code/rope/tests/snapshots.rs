//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::snapshot;
use rope::report;

#[test]
fn quarter_turns() {
    snapshot!("quarter_turns", report::quarter_turns().unwrap());
}

#[test]
fn equal_offsets() {
    let pairs = [(3, 0), (10, 7), (50, 47), (1000, 997), (3, 1), (10, 9)];
    snapshot!("equal_offsets", report::equal_offsets(&pairs).unwrap());
}

#[test]
fn decay() {
    let distances = [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0];
    snapshot!("decay", report::decay(128, 10000.0, &distances).unwrap());
}

#[test]
fn decay_monte_carlo() {
    let distances = [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0];
    snapshot!(
        "decay_monte_carlo",
        report::decay_monte_carlo(128, 2000, &distances).unwrap()
    );
}

#[test]
fn layout_mix() {
    let table = report::layout_mix(&[(3, 0), (10, 7), (50, 47), (300, 297)]).unwrap();
    snapshot!("layout_mix", table);
}

#[test]
fn partial() {
    let settings = [(64, 0.25), (96, 0.25), (128, 0.5), (128, 1.0)];
    snapshot!("partial", report::partial(&settings).unwrap());
}

#[test]
fn precision() {
    let positions = [100, 256, 257, 1000, 2049, 4097, 65_505, 100_000, 1_000_000];
    snapshot!("precision", report::precision(128, &positions).unwrap());
}

#[test]
fn sinusoidal_link() {
    snapshot!("sinusoidal_link", report::sinusoidal_link(8, 5).unwrap());
}
