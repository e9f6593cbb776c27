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

/// Experiment 1 on real text: the order of the variants at each length (ranked only where the
/// seeds' ranges do not overlap), and the numbers the page's sentences quote.
#[test]
fn lm_results() {
    use trained::lm_results::{LmResults, order_table, slow_pairs, span, t5_untrained};
    let setup = trained::lm::runs::Setup::full();
    let r = LmResults::committed().unwrap();
    let l = setup.shape.train_len;
    snapshot!("lm_order", order_table(&setup, &r));
    let fall: Vec<f64> = r
        .change("ALiBi", l, 16 * l)
        .unwrap()
        .iter()
        .map(|d| -d)
        .collect();
    snapshot!("lm_alibi_fall", span(&fall));
    let (slow, pairs) = slow_pairs(&setup).unwrap();
    let width = setup.shape.d_model / setup.shape.heads;
    snapshot!(
        "lm_rope_slow",
        format!("{slow} of the {pairs} pairs of a head of {width} dimensions")
    );
    let bigram = trained::lm_results::bigram_bits(&setup).unwrap();
    snapshot!("lm_bigram", format!("{bigram:.3}"));
    let rope = trained::lm::Config {
        scheme: trained::Scheme::Rope,
        ..setup.shape
    };
    let params = trained::lm::Model::<f32>::new(rope, 0)
        .unwrap()
        .parameter_count();
    snapshot!("lm_parameters", params.to_string());
    let (first, last) = t5_untrained(&setup).unwrap();
    snapshot!("lm_t5_untrained", format!("{first} to {last}"));
    snapshot!(
        "lm_figure",
        format!(
            "![{}](figures/trained-lm-length.svg)",
            trained::figures::lm_length_alt(&setup)
        )
    );
}
