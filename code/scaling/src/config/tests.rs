//! The config reader's conventions and errors, checked on small configs.

use super::*;
use crate::YarnParams;

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
            "`rope_scaling.beta_fast` = 0.5 is below beta_slow = 1: transformers warns and computes the ramp anyway (it runs backwards)",
            "the config names no model_type: the reading follows the generic rules (layer_types, rope_scaling or rope_parameters, head_dim or hidden_size / num_attention_heads)"
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

/// Shaped configs (written for this test, not published files) for the families with no
/// published fixture here: Llama 4's layers without RoPE and its query temperature, a
/// transformers 5 table per layer kind, and `mrope` outside Qwen2-VL (Kimi K2: below).
#[test]
fn shaped_configs_of_the_families_without_a_published_fixture() {
    // Llama 4 (shaped like Llama 4 Scout's text config: 48 layers, every fourth without RoPE,
    // llama3 scaling with high_freq_factor == low_freq_factor).
    let m = parse(
        r#"{"model_type": "llama4", "text_config": {"model_type": "llama4_text",
            "head_dim": 128, "num_hidden_layers": 48, "max_position_embeddings": 10485760,
            "attention_chunk_size": 8192, "rope_theta": 500000.0,
            "rope_scaling": {"rope_type": "llama3", "factor": 16.0, "low_freq_factor": 1.0,
                             "high_freq_factor": 1.0, "original_max_position_embeddings": 8192}}}"#,
    )
    .unwrap();
    let kinds: Vec<(&str, usize, bool)> = m
        .layers
        .iter()
        .map(|g| (g.layer_type.as_str(), g.count, g.rope.is_some()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("chunked_attention", 36, true),
            ("full_attention", 12, false)
        ]
    );
    assert_eq!(m.scheme.name(), "llama3");
    assert!(
        m.warnings[0].starts_with("`text_config.rope_scaling.high_freq_factor` = 1 is not above"),
        "{:?}",
        m.warnings
    );
    assert_eq!(
        m.extras,
        [
            "query temperature on the layers without RoPE: 1 + 0.1 · ln(1 + ⌊(p + 1) / 8192⌋), so ×1 up to position 8190, ×1.0693 from 8191, ×1.1099 from 16383, growing with the logarithm (`attn_temperature_tuning`)"
        ]
    );
    // Llama 4's published configs write `"attn_temperature_tuning": 4`: truthy, so on.
    let four = parse(
        r#"{"model_type": "llama4_text", "head_dim": 64, "num_hidden_layers": 4,
            "max_position_embeddings": 8192, "attn_temperature_tuning": 4}"#,
    )
    .unwrap();
    assert!(
        four.extras[0].starts_with("query temperature"),
        "{:?}",
        four.extras
    );
    let off = parse(
        r#"{"model_type": "llama4_text", "head_dim": 64, "num_hidden_layers": 4,
            "max_position_embeddings": 8192, "attn_temperature_tuning": false,
            "no_rope_layers": [1, 1, 1, 0]}"#,
    )
    .unwrap();
    assert!(off.extras[0].contains("is off"), "{:?}", off.extras);
    // transformers 5's table per layer kind; a null table is a layer without RoPE.
    let nested = parse(
        r#"{"model_type": "gemma3_text", "head_dim": 64, "num_hidden_layers": 6,
            "max_position_embeddings": 8192, "rope_parameters": {
              "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
              "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0}}}"#,
    )
    .unwrap();
    assert_eq!(nested.scheme, Scheme::Linear { factor: 8.0 });
    assert_eq!(nested.base.theta, 1000000.0);
    assert_eq!(
        nested.layers[0].rope.as_ref().map(|r| r.base.theta),
        Some(10000.0)
    );
    let none = parse(
        r#"{"model_type": "gemma3_text", "head_dim": 64, "num_hidden_layers": 6,
            "max_position_embeddings": 8192, "rope_parameters": {
              "sliding_attention": null,
              "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}}}"#,
    )
    .unwrap();
    assert!(none.layers[0].rope.is_none());
    assert!(
        parse(
            r#"{"model_type": "gemma3_text", "head_dim": 64, "num_hidden_layers": 6,
            "max_position_embeddings": 8192, "rope_parameters": {"full_attention": 3}}"#
        )
        .unwrap_err()
        .to_string()
        .starts_with("`rope_parameters.full_attention` = 3")
    );
    // `mrope` outside the Qwen2-VL classes is refused, naming the key the file used.
    let e = parse(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8192,
            "rope_scaling": {"type": "mrope", "mrope_section": [8, 12, 12]}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("`rope_scaling.type` = \"mrope\""), "{e}");
    // An M-RoPE split that does not add up to the rotated pairs is refused.
    let e = parse(
        r#"{"model_type": "qwen2_vl", "head_dim": 128, "max_position_embeddings": 8192,
            "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 23]}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("`rope_scaling.mrope_section` = [16,24,23]"),
        "{e}"
    );
    // No layer rotating at all is not a RoPE model: read as a model without position encoding.
    let Ok(Positions::NoEncoding(l)) = read(
        r#"{"model_type": "llama4_text", "head_dim": 64, "num_hidden_layers": 2,
            "max_position_embeddings": 8192, "no_rope_layers": [0, 0]}"#,
    ) else {
        panic!("no layer rotates: not a RoPE reading");
    };
    assert_eq!(
        (l.layers.len(), l.layers[0].count, l.attends()),
        (1, 2, true)
    );
}

/// The guard names position-related keys no rule reads, and model-specific keys read for other
/// model types only; Ministral 3's temperature key on another model is a warning too.
#[test]
fn unread_position_keys_are_named() {
    let m = parse(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8192,
            "rope_local_base_freq": 10000, "rotary_emb_fraction": 0.5, "v_head_dim": 64,
            "rope_scaling": {"rope_type": "linear", "factor": 2.0, "magic": 1,
                             "llama_4_scaling_beta": 0.1}}"#,
    )
    .unwrap();
    assert_eq!(
        m.warnings,
        [
            "`rope_scaling.llama_4_scaling_beta` is read by Ministral 3's attention only, not by model_type \"llama\"",
            "`rope_local_base_freq` is read only for model_type gemma3_text; this config's is \"llama\": not read",
            "`rotary_emb_fraction` looks position-related but no rule of this reader reads it",
            "`rope_scaling.magic` is not read by any scheme (transformers warns of unrecognized keys)",
        ]
    );
    // Per-kind tables are checked key by key too.
    let m = parse(
        r#"{"model_type": "gemma3_text", "head_dim": 64, "num_hidden_layers": 6,
            "max_position_embeddings": 8192, "rope_parameters": {
              "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0, "odd": 1},
              "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}}}"#,
    )
    .unwrap();
    assert_eq!(
        m.warnings,
        [
            "`rope_parameters.sliding_attention.odd` is not read by any scheme (transformers warns of unrecognized keys)"
        ]
    );
    // A factor below 1 and an original length not below the context: the reference warns.
    let m = parse(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8192,
            "rope_scaling": {"rope_type": "llama3", "factor": 0.5, "low_freq_factor": 1.0,
                             "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"#,
    )
    .unwrap();
    assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    assert!(m.warnings[0].contains("at least 1"));
    assert!(m.warnings[1].contains("is not below max_position_embeddings"));
    // A factor of exactly 1 and an original length below the context: no warning.
    let quiet = |table: &str| {
        parse(&format!(
            r#"{{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8192,
                "rope_scaling": {table}}}"#
        ))
        .unwrap()
        .warnings
    };
    assert!(
        quiet(r#"{"rope_type": "linear", "factor": 1.0}"#).is_empty(),
        "factor 1"
    );
    // beta_slow is compared as given (2), beta_fast 0 means 32: no warning; 1.5 < 2 warns.
    assert!(
        quiet(r#"{"rope_type": "yarn", "factor": 4.0, "beta_fast": 0, "beta_slow": 2}"#).is_empty()
    );
    assert_eq!(
        quiet(r#"{"rope_type": "yarn", "factor": 4.0, "beta_fast": 1.5, "beta_slow": 2}"#).len(),
        1
    );
    assert!(
        quiet(r#"{"rope_type": "yarn", "factor": 4.0, "beta_fast": 3, "beta_slow": 0}"#).is_empty()
    );
}

/// RoBERTa's table counts positions from `pad_token_id + 1`; a relative `position_embedding_type`
/// is refused (5.24.0 reads none); a `model_type` that is null is no `model_type`, and one that is
/// not a string is named.
#[test]
fn roberta_and_odd_model_types() {
    let r = read(
        r#"{"model_type": "roberta", "max_position_embeddings": 514, "hidden_size": 768,
            "pad_token_id": 1}"#,
    )
    .unwrap();
    assert_eq!(r.describe(), "a learned absolute table of 512 positions");
    assert_eq!(r.learned_parameters(), 514 * 768);
    let e = read(r#"{"model_type": "roberta", "max_position_embeddings": 2, "hidden_size": 8}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`max_position_embeddings` = 2"), "{e}");
    let e = read(
        r#"{"model_type": "bert", "max_position_embeddings": 512, "hidden_size": 768,
            "position_embedding_type": "relative_key"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("`position_embedding_type` = \"relative_key\""),
        "{e}"
    );
    for ok in ["\"absolute\"", "null"] {
        let text = format!(
            r#"{{"model_type": "bert", "max_position_embeddings": 512, "hidden_size": 768,
                "position_embedding_type": {ok}}}"#
        );
        assert_eq!(read(&text).unwrap().learned_parameters(), 512 * 768, "{ok}");
    }
    let e = read(
        r#"{"model_type": null, "hidden_size": 768, "num_attention_heads": 12,
            "max_position_embeddings": 514}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("missing key `model_type`"), "{e}");
    let e = read(
        r#"{"model_type": 3, "hidden_size": 64, "num_attention_heads": 1,
            "max_position_embeddings": 8}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("`model_type` = 3"), "{e}");
}

/// M-RoPE splits with an empty section, and LongRoPE's list choice at exactly the pretraining
/// length (short: `seq_len > original` picks the long list).
#[test]
fn mrope_splits_and_the_longrope_list() {
    let extra = |section: &str| {
        parse(&format!(
            r#"{{"model_type": "qwen2_vl", "head_dim": 128, "max_position_embeddings": 8192,
                "rope_scaling": {{"type": "mrope", "mrope_section": {section}}}}}"#
        ))
        .unwrap()
        .extras
    };
    assert_eq!(
        extra("[16, 24, 24]"),
        ["M-RoPE (`mrope_section` [16, 24, 24]): pairs 0–15 carry time, 16–39 height, 40–63 width"]
    );
    for (section, a, b, c) in [
        ("[0, 32, 32]", 0, 32, 32),
        ("[32, 0, 32]", 32, 0, 32),
        ("[32, 32, 0]", 32, 32, 0),
    ] {
        assert_eq!(
            extra(section),
            [format!(
                "M-RoPE (`mrope_section` [{a}, {b}, {c}]): time, height and width take {a}, {b} and {c} of the 64 pairs"
            )]
        );
    }
    // The split as data: chunked, interleaved (Qwen3-VL's layout), none without a section.
    let split = |text: &str| parse(text).unwrap().mrope;
    assert_eq!(
        split(
            r#"{"model_type": "qwen2_vl", "head_dim": 128, "max_position_embeddings": 8192,
                "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}}"#
        ),
        Some(super::MropeSplit {
            section: [16, 24, 24],
            interleaved: false
        })
    );
    assert_eq!(
        split(
            r#"{"model_type": "qwen3_vl_text", "head_dim": 128, "max_position_embeddings": 8192,
                "rope_scaling": {"rope_type": "default", "mrope_section": [24, 20, 20],
                                 "mrope_interleaved": true}}"#
        ),
        Some(super::MropeSplit {
            section: [24, 20, 20],
            interleaved: true
        })
    );
    assert_eq!(
        split(r#"{"model_type": "qwen3", "head_dim": 128, "max_position_embeddings": 8192}"#),
        None
    );
    let phi = read(
        r#"{"model_type": "phi3", "head_dim": 8, "max_position_embeddings": 8192,
            "original_max_position_embeddings": 4096,
            "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1],
                             "long_factor": [1, 2, 3, 4]}}"#,
    )
    .unwrap();
    let at = |n| crate::report::reading(&phi, Some(n)).unwrap();
    assert!(at(4096).contains("longrope, short_factor (4096 ≤ 4096)"));
    assert!(at(4097).contains("longrope, long_factor (4097 > 4096)"));
}

/// Review findings: Kimi K2's `model_type`, Cohere2's layers without RoPE, class defaults of the
/// rotated fraction, `ntk` outside transformers, ChatGLM-6B's 2-D positions, Gemma's softmax
/// scale, and `mscale_all_dim` on a model whose attention does not read it. Shaped configs.
#[test]
fn model_classes_the_reference_treats_apart() {
    let kimi = parse(
        r#"{"model_type": "kimi_k2", "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
            "max_position_embeddings": 131072, "rope_theta": 50000.0,
            "rope_scaling": {"type": "yarn", "factor": 32.0, "beta_fast": 1.0, "beta_slow": 1.0,
                             "mscale": 1.0, "mscale_all_dim": 1.0,
                             "original_max_position_embeddings": 4096}}"#,
    )
    .unwrap();
    // Kimi K2 (shaped: DeepSeek-V3's MLA with beta_fast == beta_slow == 1): computed, not
    // refused, and no warning (the reference warns only when beta_fast < beta_slow).
    assert_eq!(kimi.model_type, "deepseek_v3");
    assert!(kimi.warnings.is_empty(), "{:?}", kimi.warnings);
    assert_eq!(kimi.base.dim, 64);
    assert!((kimi.logits.softmax_factor - (0.1 * 32f64.ln() + 1.0).powi(2)).abs() < 1e-12);
    let other = parse(
        r#"{"model_type": "my_mla", "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
            "max_position_embeddings": 131072,
            "rope_scaling": {"type": "yarn", "factor": 32.0, "mscale_all_dim": 1.0,
                             "original_max_position_embeddings": 4096}}"#,
    )
    .unwrap();
    assert_eq!(other.logits.softmax_factor, 1.0);
    assert!(
        other.warnings[0].starts_with("`rope_scaling.mscale_all_dim` is set"),
        "{:?}",
        other.warnings
    );
    let cohere = parse(
        r#"{"model_type": "cohere2", "hidden_size": 512, "num_attention_heads": 8, "head_dim": 32,
            "num_hidden_layers": 8, "max_position_embeddings": 8192}"#,
    )
    .unwrap();
    let kinds: Vec<(&str, usize, bool)> = cohere
        .layers
        .iter()
        .map(|g| (g.layer_type.as_str(), g.count, g.rope.is_some()))
        .collect();
    assert_eq!(
        kinds,
        [("sliding_attention", 6, true), ("full_attention", 2, false)]
    );
    assert_eq!(cohere.base.dim, 64);
    assert!(
        cohere.warnings[0].starts_with("`head_dim` is replaced"),
        "{:?}",
        cohere.warnings
    );
    // A head_dim equal to the quotient is no news; zero heads leave the file's head_dim alone.
    let same = parse(
        r#"{"model_type": "cohere2", "hidden_size": 512, "num_attention_heads": 8, "head_dim": 64,
            "num_hidden_layers": 4, "max_position_embeddings": 8192}"#,
    )
    .unwrap();
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    let zero = parse(
        r#"{"model_type": "cohere2", "hidden_size": 512, "num_attention_heads": 0, "head_dim": 64,
            "num_hidden_layers": 4, "max_position_embeddings": 8192}"#,
    )
    .unwrap();
    assert_eq!(zero.base.dim, 64);
    let glm = parse(r#"{"model_type": "glm", "head_dim": 128, "max_position_embeddings": 8192}"#)
        .unwrap();
    assert_eq!(glm.base.dim, 64);
    let ntk = parse(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8192,
            "rope_scaling": {"rope_type": "ntk", "factor": 2.0}}"#,
    )
    .unwrap();
    assert!(
        ntk.warnings[0].contains("no such scheme"),
        "{:?}",
        ntk.warnings
    );
    let e = parse(
        r#"{"model_type": "gemma4_text", "head_dim": 256, "max_position_embeddings": 8192,
            "rope_parameters": {"rope_type": "proportional", "partial_rotary_factor": 0.25}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("`rope_parameters.rope_type` = \"proportional\""),
        "{e}"
    );
    let e = parse(
        r#"{"model_type": "chatglm", "hidden_size": 4096, "num_attention_heads": 32,
            "max_sequence_length": 2048, "position_encoding_2d": true}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("`position_encoding_2d` = true"), "{e}");
    let gemma = parse(
        r#"{"model_type": "gemma3_text", "head_dim": 128, "num_hidden_layers": 6,
            "query_pre_attn_scalar": 168, "max_position_embeddings": 8192}"#,
    )
    .unwrap();
    assert!((gemma.logits.softmax_factor - (128.0f64 / 168.0).sqrt()).abs() < 1e-15);
    assert!(
        parse(
            r#"{"model_type": "gemma2", "head_dim": 128, "num_hidden_layers": 2,
            "query_pre_attn_scalar": 0, "max_position_embeddings": 8192}"#
        )
        .unwrap_err()
        .to_string()
        .starts_with("`query_pre_attn_scalar` = 0")
    );
}

/// A model type with mixed kinds of layer and no audited rule is read, with a warning.
#[test]
fn unaudited_mixed_layers_are_warned_about() {
    let m = parse(
        r#"{"model_type": "newmodel", "head_dim": 64, "num_hidden_layers": 2,
            "max_position_embeddings": 8192,
            "layer_types": ["sliding_attention", "full_attention"]}"#,
    )
    .unwrap();
    assert_eq!(m.layers.len(), 2);
    assert!(
        m.warnings[0].starts_with(
            "model_type \"newmodel\" mixes kinds of layer (sliding_attention, full_attention)"
        ),
        "{:?}",
        m.warnings
    );
    // One kind, or an audited type: no such warning.
    let one = parse(
        r#"{"model_type": "newmodel", "head_dim": 64, "num_hidden_layers": 2,
            "max_position_embeddings": 8192, "layer_types": ["full_attention", "full_attention"]}"#,
    )
    .unwrap();
    assert!(
        !one.warnings.iter().any(|w| w.contains("mixes kinds")),
        "{:?}",
        one.warnings
    );
    let gemma2 = parse(
        r#"{"model_type": "gemma2", "head_dim": 64, "num_hidden_layers": 2,
            "max_position_embeddings": 8192}"#,
    )
    .unwrap();
    assert!(gemma2.warnings.is_empty(), "{:?}", gemma2.warnings);
}

#[test]
fn python_json_constants_are_read_as_python_does_and_named() {
    // An unread key holding Infinity: accepted, as `json.loads` accepts it, and named in a note.
    let m = parse(
        r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_theta": 10000.0,
            "router_aux_loss_bound": Infinity}"#,
    )
    .unwrap();
    assert_eq!(m.base.theta, 10000.0);
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("`router_aux_loss_bound` = Infinity")),
        "{:?}",
        m.notes
    );
    // A key the reading needs holding one: refused, and the message names the key.
    let e = parse(r#"{"head_dim": 64, "max_position_embeddings": 2048, "rope_theta": NaN}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`rope_theta` = \"NaN\""), "{e}");
}
