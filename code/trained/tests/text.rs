//! The baseline on real text end to end: the committed results file must come from the code's
//! current configuration and code, and hold exactly what a run gives now; the claims the chapter
//! makes of it are checked on it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use trained::text::Corpus;
use trained::text::baseline::{Config, canary, report, run, total_windows};

const RESULTS: &str = include_str!("../results/text.md");

#[test]
fn the_committed_baseline_is_what_the_code_gives() {
    let config = Config::book();
    let corpus = Corpus::kjv().unwrap();
    let bigram = trained::text::Bigram::fit(corpus.train(), config.alpha).unwrap();
    let expected = config.provenance(canary(&config, &corpus, &bigram).unwrap());
    // Configuration and code first, with a message that says what to rerun.
    if let Err(e) = expected.check(RESULTS) {
        panic!("results/text.md: {e}");
    }
    let mut ticks = 0;
    let baseline = run(&config, &corpus, || ticks += 1).unwrap();
    assert_eq!(ticks, total_windows(&config, &corpus).unwrap());
    assert_eq!(
        RESULTS,
        report(&config, &baseline),
        "results/text.md is not what the code gives: rerun `{}`",
        expected.command
    );
    // What the page says of it: the bigram's line is flat, to every digit, because it sees
    // one character back at every length; it gains nothing from the first copy at any
    // distance; and it is far from both a uniform guess over the 256 bytes (8 bits) and 0.
    let bits: Vec<f64> = baseline
        .curve
        .points
        .iter()
        .map(|(_, b)| *b.as_ref().unwrap())
        .collect();
    assert!(bits.iter().all(|&b| b == bits[0]), "{bits:?}");
    assert!(bits[0] > 2.0 && bits[0] < 4.0, "{}", bits[0]);
    for p in &baseline.probe {
        assert_eq!(p.gain(), 0.0, "{p:?}");
    }
}
