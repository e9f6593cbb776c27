//! One fixture per precedence rule of the config reader, each checked against what Hugging Face
//! transformers 5.24.0 does with the same file (`configuration_utils.py`,
//! `PreTrainedConfig.__post_init__`; `modeling_rope_utils.py`,
//! `RotaryEmbeddingConfigMixin.convert_rope_params_to_dict` and `standardize_rope_params`, and the
//! `_compute_*_parameters` functions that read the table). The fixtures live in
//! `tests/fixtures/precedence/`; their README lists the rule each one pins.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::config::{ModelRope, parse};
use scaling::{Scheme, YarnParams};

fn fixture(name: &str) -> scaling::Result<ModelRope> {
    let path = format!(
        "{}/tests/fixtures/precedence/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read_to_string(path).unwrap())
}

fn error(name: &str) -> String {
    fixture(name).unwrap_err().to_string()
}

/// `rope_scaling or rope_parameters`: an empty, null or otherwise falsy `rope_scaling` gives way
/// to `rope_parameters` (the erratum: an empty table used to be read as the default scheme).
#[test]
fn a_falsy_rope_scaling_gives_way_to_rope_parameters() {
    for name in [
        "empty-rope-scaling",
        "null-rope-scaling",
        "false-rope-scaling",
    ] {
        assert_eq!(
            fixture(name).unwrap().scheme,
            Scheme::Linear { factor: 4.0 },
            "{name}"
        );
    }
}

/// A non-empty `rope_scaling` wins over `rope_parameters`, which is then ignored.
#[test]
fn a_real_rope_scaling_wins_over_rope_parameters() {
    assert_eq!(
        fixture("both-tables").unwrap().scheme,
        Scheme::Linear { factor: 2.0 }
    );
}

/// `rope_theta` and `partial_rotary_factor` are copied into the table with `setdefault`: the
/// table's own value wins.
#[test]
fn the_table_wins_for_rope_theta_and_partial_rotary_factor() {
    assert_eq!(fixture("rope-theta-both").unwrap().base.theta, 500000.0);
    // 128 × 0.25 (the table's), not 128 × 0.5 (the top level's).
    assert_eq!(fixture("partial-both").unwrap().base.dim, 32);
}

/// A null kept by `setdefault` reaches the computation as `None` and fails there; the reader
/// refuses it up front, naming where it lives. A top-level null `partial_rotary_factor` is not
/// copied in (`if partial_rotary_factor is not None`), so it means the full width.
#[test]
fn nulls_the_reference_would_fail_on_are_refused() {
    assert!(
        error("rope-theta-null-in-table").starts_with("`rope_parameters.rope_theta` = null"),
        "{}",
        error("rope-theta-null-in-table")
    );
    assert!(error("rope-theta-null-top").starts_with("`rope_theta` = null"));
    assert!(
        error("partial-null-in-table")
            .starts_with("`rope_parameters.partial_rotary_factor` = null")
    );
    assert_eq!(fixture("partial-null-top").unwrap().base.dim, 128);
}

/// `original_max_position_embeddings` at the top level is assigned over the table's for
/// `llama3`, `yarn` and `longrope` (Phi-3's layout); a null in the place that is read fails in
/// the reference and is refused here; the key is not read by other schemes.
#[test]
fn the_top_level_pretraining_length_wins() {
    match fixture("original-both").unwrap().scheme {
        Scheme::Yarn(YarnParams {
            original_max_position_embeddings,
            ..
        }) => assert_eq!(original_max_position_embeddings, Some(2048)),
        other => panic!("{other:?}"),
    }
    assert!(error("original-null-top").starts_with("`original_max_position_embeddings` = null"));
    assert!(
        error("original-null-in-table")
            .starts_with("`rope_scaling.original_max_position_embeddings` = null")
    );
    assert_eq!(
        fixture("original-null-top-linear").unwrap().scheme,
        Scheme::Linear { factor: 4.0 }
    );
}

/// `rope_type` wins over the older `type` (`setdefault("rope_type", get("type", "default"))`),
/// and a null `rope_type` is kept, so the reference finds no scheme for it.
#[test]
fn rope_type_wins_over_type() {
    assert_eq!(
        fixture("rope-type-and-type").unwrap().scheme,
        Scheme::Linear { factor: 4.0 }
    );
    assert!(error("rope-type-null").starts_with("`rope_scaling.rope_type` = null"));
}

/// `head_dim` wins over `hidden_size / num_attention_heads`; a null `head_dim` falls back to the
/// quotient, as `LlamaConfig.__post_init__` does (`if self.head_dim is None`).
#[test]
fn head_dim_wins_and_null_means_the_quotient() {
    assert_eq!(fixture("head-dim-wins").unwrap().base.dim, 256);
    assert_eq!(fixture("head-dim-null").unwrap().base.dim, 128);
}

/// No `rope_theta` anywhere: `RotaryEmbeddingConfigMixin.default_theta`, 10000 (some model
/// classes override it; the reader cannot know the class, so it says so in a note).
#[test]
fn an_absent_rope_theta_is_the_mixin_default() {
    let m = fixture("rope-theta-absent").unwrap();
    assert_eq!(m.base.theta, 10000.0);
    assert_eq!(
        m.notes,
        ["no `rope_theta`: using 10000 (`RotaryEmbeddingConfigMixin.default_theta`)"]
    );
}

/// A table with neither `rope_type` nor `type` is the default scheme (`setdefault("rope_type",
/// get("type", "default"))`), whatever else it holds.
#[test]
fn a_table_without_a_type_is_the_default() {
    assert_eq!(fixture("no-rope-type").unwrap().scheme, Scheme::Default);
}

/// YaRN: `factor` is a required key (`rope_parameters_dict["factor"]`) whose null means the ratio
/// of the lengths; `truncate: null` is falsy; `beta_fast or 32` and `beta_slow or 1` turn zeros
/// into the defaults.
#[test]
fn yarn_keys_follow_the_reference() {
    let base = |m: &ModelRope| m.base;
    let null = fixture("yarn-factor-null").unwrap();
    let ratio = scaling::yarn(
        &base(&null),
        &YarnParams {
            original_max_position_embeddings: Some(2048),
            ..YarnParams::with_factor(4.0)
        },
    )
    .unwrap();
    assert_eq!(
        scaling::compute(&null.base, &null.scheme, 8192).unwrap(),
        ratio
    );
    assert!(error("yarn-factor-absent").starts_with("missing key `rope_scaling.factor`"));
    match fixture("yarn-truncate-null").unwrap().scheme {
        Scheme::Yarn(p) => assert!(!p.truncate),
        other => panic!("{other:?}"),
    }
    let zero = fixture("yarn-beta-zero").unwrap();
    assert_eq!(
        scaling::compute(&zero.base, &zero.scheme, 8192).unwrap(),
        scaling::yarn(&zero.base, &YarnParams::with_factor(4.0)).unwrap()
    );
}

/// Llama 3 without `original_max_position_embeddings` anywhere measures against
/// `max_position_embeddings` (`standardize_rope_params` sets it with `setdefault`).
#[test]
fn llama3_without_a_pretraining_length_uses_the_context_length() {
    match fixture("llama3-no-original").unwrap().scheme {
        Scheme::Llama3 {
            original_max_position_embeddings,
            ..
        } => assert_eq!(original_max_position_embeddings, 8192),
        other => panic!("{other:?}"),
    }
}

/// `Phi3Config.__post_init__` relabels `su` and `yarn` as `longrope`; other model types keep
/// `yarn` as YaRN and have no `su`.
#[test]
fn only_phi3_relabels_yarn_and_su() {
    assert_eq!(fixture("phi3-yarn").unwrap().scheme.name(), "longrope");
    assert_eq!(
        fixture("llama-yarn-with-lists").unwrap().scheme.name(),
        "yarn"
    );
    assert!(error("su-other-model").starts_with("`rope_scaling.type` = \"su\""));
}
