//! The config reader's conventions and errors, checked on small configs.

use super::*;

#[test]
fn minimal_config_without_scaling() {
    let m =
        parse(r#"{"model_type": "llama", "hidden_size": 512, "num_attention_heads": 8, "max_position_embeddings": 2048}"#)
            .unwrap();
    assert_eq!(m.base.dim, 64);
    assert_eq!(m.scheme, Scheme::Default);
    assert_eq!(
        m.notes,
        ["no `rope_theta`: using 10000 (`RotaryEmbeddingConfigMixin.default_theta`)"]
    );
    // Without `model_type`, a config with no RoPE key at all is refused (a BERT-era config would
    // otherwise read as RoPE).
    let e =
        parse(r#"{"hidden_size": 768, "num_attention_heads": 12, "max_position_embeddings": 514}"#)
            .unwrap_err()
            .to_string();
    assert!(e.starts_with("missing key `model_type`"), "{e}");
}

#[test]
fn errors_name_the_key() {
    let cases = [
        ("not json", "not valid JSON"),
        ("[1, 2]", "top level must be an object"),
        (
            r#"{"model_type": "llama", "num_attention_heads": 8, "max_position_embeddings": 2048}"#,
            "missing key `hidden_size`",
        ),
        (
            r#"{"head_dim": 64}"#,
            "missing key `max_position_embeddings`",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_theta": "big"}"#,
            "`rope_theta` = \"big\"",
        ),
        (
            r#"{"head_dim": 63, "max_position_embeddings": 2048}"#,
            "`head_dim × partial_rotary_factor` = 63 × 1 = 63",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "yarn"}}"#,
            "missing key `rope_scaling.factor`",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear", "rope_theta": "x"}, "rope_theta": 10000}"#,
            "`rope_scaling.rope_theta` = \"x\"",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "magic", "factor": 2.0}}"#,
            // The key the file used: `type` here.
            "`rope_scaling.type` = \"magic\"",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear", "factor": 0}}"#,
            "`rope_scaling.factor` = 0",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "linear"}}"#,
            "missing key `rope_scaling.factor`",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_parameters": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 1024}}"#,
            "missing key `rope_parameters.high_freq_factor`",
        ),
        (
            r#"{"head_dim": 8, "max_position_embeddings": 2048, "rope_scaling": {"type": "longrope", "short_factor": [1, 1], "long_factor": [1, 1, 1, 1]}}"#,
            "`rope_scaling.short_factor` = a list of 2",
        ),
        (
            r#"{"head_dim": 8, "max_position_embeddings": 2048, "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1]}}"#,
            "missing key `rope_scaling.long_factor`",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "partial_rotary_factor": 1.5}"#,
            "`partial_rotary_factor` = 1.5",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "yarn", "factor": 4.0, "truncate": "yes"}}"#,
            "`rope_scaling.truncate`",
        ),
        // A malformed value in the table is named with the table, like every other table key.
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": "x"}}"#,
            "`rope_scaling.beta_fast` = \"x\" is not allowed: it must be a number",
        ),
        (
            r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_parameters": {"rope_type": "default", "partial_rotary_factor": "half"}}"#,
            "`rope_parameters.partial_rotary_factor` = \"half\"",
        ),
    ];
    for (text, want) in cases {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text}\n  gave: {e}\n  want: {want}");
    }
}

#[test]
fn keys_are_named_where_they_live() {
    // A bad top-level length is not attributed to the table; a bad table key is.
    let top = parse(r#"{"head_dim": 8, "max_position_embeddings": 8192, "original_max_position_embeddings": 1,
        "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1], "long_factor": [1, 2, 3, 4]}}"#)
    .unwrap_err()
    .to_string();
    assert!(
        top.starts_with("`original_max_position_embeddings` = 1"),
        "{top}"
    );
    let inner = parse(
        r#"{"head_dim": 64, "max_position_embeddings": 8192,
        "rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": -1}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        inner.starts_with("`rope_scaling.beta_fast` = -1"),
        "{inner}"
    );
    // beta_fast below beta_slow is computed and warned about, as the reference does.
    let m = parse(
        r#"{"head_dim": 64, "max_position_embeddings": 8192,
        "rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": 0.5}}"#,
    )
    .unwrap();
    assert_eq!(
        m.warnings,
        [
            "`rope_scaling.beta_fast` = 0.5 is below beta_slow = 1: transformers warns and computes the ramp anyway (it runs backwards)"
        ]
    );
}

#[test]
fn reference_conventions() {
    // No rope_type: default. Both tables: rope_scaling wins.
    let m = parse(
        r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {"factor": 2.0}}"#,
    )
    .unwrap();
    assert_eq!(m.scheme, Scheme::Default);
    let m = parse(r#"{"head_dim": 64, "max_position_embeddings": 2048,
        "rope_scaling": {"type": "linear", "factor": 2.0}, "rope_parameters": {"rope_type": "default"}}"#).unwrap();
    assert_eq!(m.scheme, Scheme::Linear { factor: 2.0 });
    // YaRN: null factor means the ratio; null truncate is false; the top-level original wins.
    let m = parse(r#"{"head_dim": 64, "max_position_embeddings": 8192, "original_max_position_embeddings": 2048,
        "rope_scaling": {"type": "yarn", "factor": null, "truncate": null, "original_max_position_embeddings": 1024}}"#).unwrap();
    match m.scheme {
        Scheme::Yarn(YarnParams {
            factor,
            truncate,
            original_max_position_embeddings,
            ..
        }) => {
            assert_eq!(
                (factor, truncate, original_max_position_embeddings),
                (None, false, Some(2048))
            );
        }
        other => panic!("{other:?}"),
    }
    // Phi-3's "yarn" with factor lists is LongRoPE.
    let m = parse(r#"{"head_dim": 8, "max_position_embeddings": 8192, "original_max_position_embeddings": 2048,
        "rope_scaling": {"type": "yarn", "short_factor": [1, 1, 1, 1], "long_factor": [1, 2, 3, 4]}}"#).unwrap();
    assert_eq!(m.scheme.name(), "longrope");
}

#[test]
fn rope_parameters_and_partial_factors_are_read() {
    let m = parse(r#"{"head_dim": 128, "max_position_embeddings": 4096,
        "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0, "partial_rotary_factor": 0.5}}"#).unwrap();
    assert_eq!((m.base.dim, m.base.theta), (64, 500000.0));
    assert!(m.notes.is_empty());
}

#[test]
fn rope_scaling_is_tested_for_truth_as_python_does() {
    let with = |v: &str| {
        parse(&format!(
            r#"{{"head_dim": 64, "max_position_embeddings": 2048, "rope_scaling": {v},
                "rope_parameters": {{"rope_type": "linear", "factor": 3.0}}}}"#
        ))
    };
    // 0, "", [] and false are falsy: `rope_parameters` applies.
    for falsy in ["0", "0.0", "\"\"", "[]", "false", "null", "{}"] {
        assert_eq!(
            with(falsy).unwrap().scheme,
            Scheme::Linear { factor: 3.0 },
            "{falsy}"
        );
    }
    // A truthy value that is not a table is refused, naming `rope_scaling`.
    for truthy in ["1", "\"linear\"", "[1]", "true"] {
        let e = with(truthy).unwrap_err().to_string();
        assert!(e.starts_with("`rope_scaling` = "), "{truthy}: {e}");
    }
    let e = parse(r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_parameters": [1]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`rope_parameters` = "), "{e}");
}

#[test]
fn non_rope_models_are_named() {
    let r = |s: &str| read(s).unwrap();
    let opt = r(r#"{"model_type": "opt", "max_position_embeddings": 2048, "hidden_size": 768}"#);
    assert_eq!(opt.learned_parameters(), (2048 + 2) * 768);
    assert_eq!(opt.model_type(), "opt");
    let bert = r(r#"{"model_type": "bert", "max_position_embeddings": 512, "hidden_size": 768}"#);
    assert_eq!(bert.learned_parameters(), 512 * 768);
    let t5 = r(r#"{"model_type": "t5", "num_heads": 8}"#);
    assert_eq!(
        t5,
        Positions::T5Buckets {
            model_type: "t5".into(),
            buckets: 32,
            max_distance: 128,
            heads: 8
        }
    );
    for alibi in [
        r#"{"model_type": "bloom"}"#,
        r#"{"model_type": "mpt"}"#,
        r#"{"model_type": "falcon", "alibi": true}"#,
    ] {
        let p = r(alibi);
        assert_eq!(p.describe(), "ALiBi (fixed linear biases)", "{alibi}");
        assert_eq!(p.learned_parameters(), 0);
    }
    // Falcon without ALiBi is rotary; so is a model_type the reader does not list.
    let falcon = r(
        r#"{"model_type": "falcon", "alibi": false, "hidden_size": 4544,
            "num_attention_heads": 71, "max_position_embeddings": 2048}"#,
    );
    assert_eq!(falcon.describe(), "RoPE");
    assert_eq!(falcon.model_type(), "falcon");
    assert_eq!(falcon.learned_parameters(), 0);
    // Missing sizes are named.
    let e = read(r#"{"model_type": "gpt2", "n_positions": 1024}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing key `n_embd`: a learned absolute table has one column per model dimension"
    );
    let e = read(r#"{"model_type": "t5"}"#).unwrap_err();
    assert!(e.to_string().contains("`num_heads`"), "{e}");
    let e = parse(r#"{"model_type": "gpt2", "n_positions": 1024, "n_embd": 768}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`model_type` = gpt2 is not allowed: this model uses a learned absolute table of 1024 \
         positions, not RoPE"
    );
    let e =
        parse(r#"{"model_type": 3, "head_dim": 64, "max_position_embeddings": 8}"#).unwrap_err();
    assert!(e.to_string().starts_with("`model_type` = 3"), "{e}");
}

#[test]
fn deepseek_softmax_scale_is_checked() {
    let cfg = |table: &str| {
        parse(&format!(
            r#"{{"model_type": "deepseek_v3", "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
                "max_position_embeddings": 16384, "rope_scaling": {table}}}"#
        ))
    };
    // The default scheme leaves the softmax alone even with mscale_all_dim.
    let m = cfg(r#"{"rope_type": "default", "mscale_all_dim": 1.0}"#).unwrap();
    assert_eq!(m.logits.softmax_factor, 1.0);
    assert_eq!(m.logits.d_head, 192);
    // Any other scheme is scaled: linear with factor e and mscale_all_dim 1 gives 1.1².
    let m = cfg(r#"{"rope_type": "linear", "factor": 2.718281828459045, "mscale_all_dim": 1.0}"#)
        .unwrap();
    assert!((m.logits.softmax_factor - 1.21).abs() < 1e-12);
    // A factor of at most 1 gives mscale 1.
    let m = cfg(r#"{"rope_type": "yarn", "factor": 1.0, "mscale_all_dim": 1.0}"#).unwrap();
    assert_eq!(m.logits.softmax_factor, 1.0);
    // mscale(s, a) ≤ 0 is refused.
    let e =
        cfg(r#"{"rope_type": "yarn", "factor": 40.0, "mscale": -100.0, "mscale_all_dim": -100.0}"#)
            .unwrap_err()
            .to_string();
    assert!(e.starts_with("`rope_scaling.mscale_all_dim` = -100"), "{e}");
    // Without qk_nope_head_dim the MLA split is refused.
    let e = parse(r#"{"qk_rope_head_dim": 64, "max_position_embeddings": 8}"#).unwrap_err();
    assert!(
        e.to_string().starts_with("missing key `qk_nope_head_dim`"),
        "{e}"
    );
}

#[test]
fn a_zero_softmax_mscale_is_refused() {
    // ln e = 1, so mscale(e, −10) = 0.1 · (−10) · 1 + 1 = 0: no softmax scale is left.
    let e = parse(
        r#"{"model_type": "deepseek_v3", "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
            "max_position_embeddings": 16384,
            "rope_scaling": {"rope_type": "linear", "factor": 2.718281828459045, "mscale_all_dim": -10}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("`rope_scaling.mscale_all_dim` = -10"), "{e}");
}

#[test]
fn a_yarn_table_needs_both_lists_to_pass_for_phi3() {
    // No model_type and only one of LongRoPE's lists: still YaRN.
    let m = parse(
        r#"{"head_dim": 8, "max_position_embeddings": 8192,
            "rope_scaling": {"type": "yarn", "factor": 4.0, "short_factor": [1, 1, 1, 1]}}"#,
    )
    .unwrap();
    assert_eq!(m.scheme.name(), "yarn");
}
