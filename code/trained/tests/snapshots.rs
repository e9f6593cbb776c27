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

#[test]
fn yarn_paper_pair0() {
    // The page's aside on YaRN's two ramps: how many turns pair 0 makes in L, and where the
    // paper's ramp (chapter 6's `yarn_paper`, β = 32 and 1) puts its frequency at s = 4, where PI
    // puts it at θ₀/4 = 0.25.
    let d_head = DIMS.d_model / DIMS.heads;
    let base = scaling::Base::new(d_head, DIMS.rope_base, DIMS.train_len).unwrap();
    let paper = scaling::yarn_paper(&base, 4.0, DIMS.train_len, 32.0, 1.0).unwrap();
    let turns = DIMS.train_len as f64 / (2.0 * std::f64::consts::PI);
    snapshot!("yarn_paper_turns", format!("{turns:.1}"));
    snapshot!("yarn_paper_theta0", format!("{:.3}", paper.inv_freq[0]));
}
