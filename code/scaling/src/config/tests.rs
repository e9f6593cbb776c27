//! The config reader's conventions and errors, checked on small configs.

use super::*;

#[test]
fn minimal_config_without_scaling() {
    let m =
        parse(r#"{"hidden_size": 512, "num_attention_heads": 8, "max_position_embeddings": 2048}"#)
            .unwrap();
    assert_eq!(m.base.dim, 64);
    assert_eq!(m.scheme, Scheme::Default);
    assert_eq!(m.notes, ["no `rope_theta`: using the default 10000"]);
}

#[test]
fn errors_name_the_key() {
    let cases = [
        ("not json", "not valid JSON"),
        ("[1, 2]", "top level must be an object"),
        (
            r#"{"num_attention_heads": 8, "max_position_embeddings": 2048}"#,
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
            "`rope_scaling.rope_type` = \"magic\"",
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
        "rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": 0.5}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        inner.starts_with("`rope_scaling.beta_fast` = 0.5"),
        "{inner}"
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
