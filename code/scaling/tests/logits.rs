//! The effective logit scale of DeepSeek-style YaRN, computed independently of the crate.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use proptest::prelude::*;
use scaling::config::parse;
use scaling::{Base, YarnParams, compute, yarn};

fn deepseek_v3() -> scaling::config::ModelRope {
    let path = format!(
        "{}/tests/fixtures/models/deepseek-v3.json",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// DeepSeek-V3 (factor 40, mscale = mscale_all_dim = 1, qk_nope_head_dim 128, qk_rope_head_dim
/// 64): DeepSeek's `inference/model.py` (`MLA.__init__`) sets the softmax scale to
/// `192^(-1/2) · (0.1 · ln 40 + 1)²` and leaves cos/sin unscaled; transformers 5.24.0 gets the
/// same from `yarn_apply_mscale` and a cos/sin factor of mscale(40, 1) / mscale(40, 1) = 1.
#[test]
fn deepseek_v3_logit_scale() {
    let m = deepseek_v3();
    let mscale = 0.1 * 40f64.ln() + 1.0; // 1.36889…
    // Tolerance: the crate computes the same expression in a different order; a few ulps.
    let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * b.abs();
    assert_eq!(m.logits.d_head, 192);
    assert!(close(m.logits.softmax_factor, mscale * mscale));
    assert!(close(
        m.logits.softmax_scale(),
        mscale * mscale / 192f64.sqrt()
    ));
    let scaled = compute(&m.base, &m.scheme, 163840).unwrap();
    assert!(close(scaled.attention_factor, 1.0));
    assert!(close(
        m.logits.rotary_part(scaled.attention_factor),
        mscale * mscale
    ));
    assert_eq!(format!("{:.4}", m.logits.softmax_factor), "1.8739");
}

/// The rotated width is `qk_rope_head_dim`: 32 pairs, with YaRN's ramp computed for d = 64.
#[test]
fn deepseek_v3_rotates_qk_rope_head_dim() {
    let m = deepseek_v3();
    assert_eq!(m.base.dim, 64);
    let by_hand = yarn(
        &Base::new(64, 10000.0, 163840).unwrap(),
        &YarnParams {
            original_max_position_embeddings: Some(4096),
            mscale: Some(1.0),
            mscale_all_dim: Some(1.0),
            ..YarnParams::with_factor(40.0)
        },
    )
    .unwrap();
    let read = compute(&m.base, &m.scheme, 163840).unwrap();
    assert_eq!(read.inv_freq.len(), 32);
    assert_eq!(read.inv_freq, by_hand.inv_freq);
    // find_correction_dim for d = 64, base 10000, L = 4096: ⌊10.47⌋ = 10 and ⌈22.52⌉ = 23.
    let (low, high) = scaling::correction_range(32.0, 1.0, 64, 10000.0, 4096, true);
    assert_eq!((low, high), (10.0, 23.0));
}

fn config(mscale: f64, all: f64, factor: f64, model_type: &str) -> String {
    format!(
        r#"{{"model_type": "{model_type}", "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
            "max_position_embeddings": 163840, "rope_theta": 10000,
            "rope_scaling": {{"type": "yarn", "factor": {factor}, "mscale": {mscale},
                              "mscale_all_dim": {all}, "original_max_position_embeddings": 4096}}}}"#
    )
}

proptest! {
    /// Whatever mscale and mscale_all_dim are, the rotated part of a DeepSeek logit is scaled by
    /// mscale(s, mscale)² and the unrotated part by mscale(s, mscale_all_dim)²: the softmax
    /// factor mscale(s, all)² times the square of the cos/sin factor mscale(s, m) / mscale(s, all).
    #[test]
    fn rotated_part_is_mscale_squared(m in 0.1f64..2.0, all in 0.1f64..2.0, s in 1.5f64..64.0) {
        let model = parse(&config(m, all, s, "deepseek_v3")).unwrap();
        let c = compute(&model.base, &model.scheme, 163840).unwrap().attention_factor;
        let want_rot = (0.1 * m * s.ln() + 1.0).powi(2);
        let want_plain = (0.1 * all * s.ln() + 1.0).powi(2);
        // Relative tolerance 1e-12: a handful of roundings on values near 1.
        prop_assert!((model.logits.rotary_part(c) - want_rot).abs() <= 1e-12 * want_rot);
        prop_assert!((model.logits.softmax_factor - want_plain).abs() <= 1e-12 * want_plain);
    }
}

/// Only the model types whose attention code applies it get the softmax factor: the same table
/// on a Llama-type model leaves the softmax at 1/√d_head.
#[test]
fn other_models_keep_the_plain_softmax() {
    let m = parse(&config(1.0, 1.0, 40.0, "llama")).unwrap();
    assert_eq!(m.logits.softmax_factor, 1.0);
    let v2 = parse(&config(1.0, 1.0, 40.0, "deepseek_v2")).unwrap();
    assert!(v2.logits.softmax_factor > 1.8);
    // mscale_all_dim 0 (or absent) turns it off, as `if mscale_all_dim:` does.
    let off = parse(&config(1.0, 0.0, 40.0, "deepseek_v3")).unwrap();
    assert_eq!(off.logits.softmax_factor, 1.0);
    // And the cos/sin factor is then YaRN's own m(s, 1), whatever `mscale` says: the reference's
    // ratio needs both keys (`if mscale and mscale_all_dim:`), so `mscale = 2` is ignored here.
    let want = 0.1 * 40f64.ln() + 1.0;
    for m in [1.0, 2.0] {
        let model = parse(&config(m, 0.0, 40.0, "deepseek_v3")).unwrap();
        let c = compute(&model.base, &model.scheme, 163840)
            .unwrap()
            .attention_factor;
        assert!((c - want).abs() < 1e-12, "mscale {m}: {c} vs {want}");
        assert!((model.logits.rotary_part(c) - want * want).abs() < 1e-12);
    }
}
