//! DeepSeek V4 and MiMo V2 per kind of layer, and the corner cases of the families whose config
//! classes refuse or rewrite what a file says (transformers 5.24.0, files named in each test).
//! The DeepSeek V4 file is a published copy (`tests/fixtures/models/`, provenance in the
//! fixtures' README); every other config here is constructed for the test.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::Scheme;
use scaling::config::{ModelRope, Positions, read};

fn rope(text: &str) -> ModelRope {
    match read(text).unwrap() {
        Positions::Rope(m) => m,
        other => panic!("{}", other.describe()),
    }
}

fn err(text: &str) -> String {
    read(text).unwrap_err().to_string()
}

/// (kind, count, rotated width, base) of every kind of layer.
fn kinds(m: &ModelRope) -> Vec<(String, usize, usize, f64)> {
    m.layers
        .iter()
        .map(|g| {
            let r = g.rope.as_ref().unwrap();
            (g.layer_type.clone(), g.count, r.base.dim, r.base.theta)
        })
        .collect()
}

fn k(t: &str, n: usize, dim: usize, theta: f64) -> (String, usize, usize, f64) {
    (t.to_string(), n, dim, theta)
}

#[test]
fn deepseek_v4_reads_its_three_kinds_and_two_tables() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/models/deepseek-v4-flash-reap.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let m = rope(&text);
    // compress_ratios [0, 0, 4, 128, …] cut to 43 layers: 2 sliding, 21 CSA, 20 HCA; 64 of the
    // 512 dimensions rotate (qk_rope_head_dim / head_dim).
    assert_eq!(
        kinds(&m),
        [
            k("sliding_attention", 2, 64, 10000.0),
            k("compressed_sparse_attention", 21, 64, 160000.0),
            k("heavily_compressed_attention", 20, 64, 160000.0)
        ]
    );
    assert_eq!(m.layers[0].rope.as_ref().unwrap().scheme, Scheme::Default);
    let Scheme::Yarn(y) = &m.layers[1].rope.as_ref().unwrap().scheme else {
        panic!("the compressed layers are YaRN");
    };
    assert_eq!(
        (
            y.factor,
            y.attention_factor,
            y.original_max_position_embeddings
        ),
        (Some(16.0), Some(1.0), Some(65536))
    );
    // The softmax divides by √head_dim = √512, with no mscale.
    let r = m.layers[1].rope.as_ref().unwrap();
    assert_eq!((r.logits.d_head, r.logits.softmax_factor), (512, 1.0));
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("`compress_ratios` has 46 entries for 43 layers")),
        "{:?}",
        m.notes
    );
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn deepseek_v4_layer_kinds_and_tables_follow_the_config_class() {
    let base = r#""model_type": "deepseek_v4", "head_dim": 512, "qk_rope_head_dim": 64,
        "max_position_embeddings": 65536, "rope_scaling": {"type": "yarn", "factor": 4,
        "original_max_position_embeddings": 16384}"#;
    // No list: two heavily compressed layers, then compressed-sparse and heavily compressed in
    // turn (`DeepseekV4Config.__post_init__`).
    let m = rope(&format!(r#"{{{base}, "num_hidden_layers": 6}}"#));
    assert_eq!(
        kinds(&m),
        [
            k("heavily_compressed_attention", 4, 64, 160000.0),
            k("compressed_sparse_attention", 2, 64, 160000.0)
        ]
    );
    // `layer_types` wins over `compress_ratios`.
    let m = rope(&format!(
        r#"{{{base}, "num_hidden_layers": 2, "compress_ratios": [4, 4],
            "layer_types": ["sliding_attention", "heavily_compressed_attention"]}}"#
    ));
    assert_eq!(m.layers[0].layer_type, "sliding_attention");
    // A ratio the class does not map, a kind it does not accept, a list too short: refused, by
    // the key that held them.
    let e = err(&format!(
        r#"{{{base}, "num_hidden_layers": 2, "compress_ratios": [0, 8]}}"#
    ));
    assert!(e.starts_with("`compress_ratios` = 8 is not allowed"), "{e}");
    let e = err(&format!(
        r#"{{{base}, "num_hidden_layers": 1, "layer_types": ["full_attention"]}}"#
    ));
    assert!(e.starts_with("`layer_types` = \"full_attention\""), "{e}");
    let e = err(&format!(
        r#"{{{base}, "num_hidden_layers": 3, "compress_ratios": [0, 4]}}"#
    ));
    assert!(e.starts_with("`compress_ratios` = a list of 2"), "{e}");
    // The rotated fraction: the file's partial_rotary_factor, else qk_rope_head_dim / head_dim,
    // else the class's 64 / 512.
    let m = rope(&format!(
        r#"{{{base}, "num_hidden_layers": 1, "partial_rotary_factor": 0.25}}"#
    ));
    assert_eq!(m.base.dim, 128);
    let m = rope(
        r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "head_dim": 256, "max_position_embeddings": 8}"#,
    );
    assert_eq!(m.base.dim, 32);
    // A table's own attention_factor wins (`setdefault`); the table's rope_theta is not read.
    let m = rope(&format!(
        r#"{{{}, "num_hidden_layers": 1}}"#,
        base.replace(
            "\"factor\": 4",
            "\"factor\": 4, \"attention_factor\": 1.5, \"rope_theta\": 7",
        )
    ));
    let Scheme::Yarn(y) = &m.layers[0].rope.as_ref().unwrap().scheme else {
        panic!("yarn");
    };
    assert_eq!(y.attention_factor, Some(1.5));
    assert_eq!(m.base.theta, 160000.0);
    assert!(
        m.warnings
            .iter()
            .any(|w| w.starts_with("`rope_scaling.rope_theta` is not read")),
        "{:?}",
        m.warnings
    );
    // Errors name the file's keys, not the nested tables the reader builds.
    let e = err(&format!(
        r#"{{{}, "num_hidden_layers": 1}}"#,
        base.replace("\"factor\": 4", "\"factor\": 0")
    ));
    assert!(e.starts_with("`rope_scaling.factor` = 0"), "{e}");
    let e = err(&format!(
        r#"{{{base}, "num_hidden_layers": 1, "compress_rope_theta": 0}}"#
    ));
    assert!(e.starts_with("`compress_rope_theta` = 0"), "{e}");
    // A file already nested as `main` and `compress` keeps its tables; one without
    // partial_rotary_factor is refused (the reference's width then depends on when it
    // standardizes).
    let nested = r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "head_dim": 512,
        "max_position_embeddings": 8, "layer_types": ["sliding_attention"],
        "rope_parameters": {"main": {"rope_type": "default", "rope_theta": 20000, "partial_rotary_factor": 0.125},
                            "compress": {"rope_type": "default", "rope_theta": 40000, "partial_rotary_factor": 0.125}}}"#;
    assert_eq!(
        kinds(&rope(nested)),
        [k("sliding_attention", 1, 64, 20000.0)]
    );
    let e = err(&nested.replace(", \"partial_rotary_factor\": 0.125}}}", "}}}"));
    assert!(
        e.starts_with("missing key `rope_parameters.compress.partial_rotary_factor`"),
        "{e}"
    );
}

#[test]
fn mimo_v2_flash_reads_its_class_tables_and_nothing_else() {
    // MiMoV2FlashConfig's defaults: 48 layers, full attention at 0 and every sixth, 64 of 192
    // dimensions rotating (int(192 × 0.334)), 5000000 and 10000.
    let m = rope(r#"{"model_type": "mimo_v2_flash"}"#);
    assert_eq!(
        kinds(&m),
        [
            k("full_attention", 9, 64, 5_000_000.0),
            k("sliding_attention", 39, 64, 10_000.0)
        ]
    );
    // The remote-code keys are not read by this class.
    let m = rope(
        r#"{"model_type": "mimo_v2_flash", "num_hidden_layers": 6, "rope_theta": 1e7,
            "swa_rope_theta": 1e3, "hybrid_layer_pattern": [0, 1, 1, 1, 1, 1]}"#,
    );
    assert_eq!(m.layers[0].rope.as_ref().unwrap().base.theta, 5_000_000.0);
    for key in ["rope_theta", "swa_rope_theta", "hybrid_layer_pattern"] {
        assert!(
            m.warnings
                .iter()
                .any(|w| w.starts_with(&format!("`{key}` is not read"))),
            "{key}: {:?}",
            m.warnings
        );
    }
    // A flat table has no entry per kind; a nested one needs its base.
    let e = err(
        r#"{"model_type": "mimo_v2_flash", "rope_parameters": {"rope_type": "default", "rope_theta": 1e6}}"#,
    );
    assert!(e.starts_with("`rope_parameters` = "), "{e}");
    let e = err(
        r#"{"model_type": "mimo_v2_flash", "num_hidden_layers": 1, "layer_types": ["full_attention"],
            "rope_parameters": {"full_attention": {"rope_type": "default"}}}"#,
    );
    assert!(
        e.starts_with("missing key `rope_parameters.full_attention.rope_theta`"),
        "{e}"
    );
}

#[test]
fn mimo_v2_follows_sglangs_decoder_layer() {
    let base = r#""model_type": "mimo_v2", "num_hidden_layers": 4, "head_dim": 192,
        "swa_head_dim": 192, "rope_theta": 10000000, "swa_rope_theta": 10000,
        "partial_rotary_factor": 0.334, "max_position_embeddings": 262144"#;
    let m = rope(&format!(
        r#"{{{base}, "hybrid_layer_pattern": [0, 1, 1, 0, 1]}}"#
    ));
    assert_eq!(
        kinds(&m),
        [
            k("full_attention", 2, 64, 10_000_000.0),
            k("sliding_attention", 2, 64, 10_000.0)
        ]
    );
    assert!(
        m.layers[1].source.contains("swa_rope_theta"),
        "{:?}",
        m.layers
    );
    // Without swa_rope_theta the sliding layers use rope_theta.
    let m = rope(&format!(
        r#"{{{}, "hybrid_layer_pattern": [1, 1, 1, 0]}}"#,
        base.replace("\"swa_rope_theta\": 10000,", "")
    ));
    assert_eq!(m.layers[0].rope.as_ref().unwrap().base.theta, 10_000_000.0);
    // Refused: no pattern, one too short, an entry that is not 0 or 1, another head width.
    assert!(err(&format!("{{{base}}}")).starts_with("missing key `hybrid_layer_pattern`"));
    let e = err(&format!(r#"{{{base}, "hybrid_layer_pattern": [0, 1]}}"#));
    assert!(e.starts_with("`hybrid_layer_pattern` = a list of 2"), "{e}");
    let e = err(&format!(
        r#"{{{base}, "hybrid_layer_pattern": [0, 2, 1, 1]}}"#
    ));
    assert!(e.starts_with("`hybrid_layer_pattern` = 2"), "{e}");
    let e = err(&format!(
        r#"{{{}, "hybrid_layer_pattern": [0, 1, 1, 1]}}"#,
        base.replace("\"swa_head_dim\": 192", "\"swa_head_dim\": 128")
    ));
    assert!(e.starts_with("`swa_head_dim` = 128"), "{e}");
    // One rope_scaling for both kinds; its errors name it.
    let e = err(&format!(
        r#"{{{base}, "hybrid_layer_pattern": [0, 1, 1, 1], "rope_scaling": {{"rope_type": "linear", "factor": -1}}}}"#
    ));
    assert!(e.starts_with("`rope_scaling.factor` = -1"), "{e}");
}

#[test]
fn nested_configs_take_the_type_their_class_gives_them() {
    // `Exaone4_5_Config.__post_init__` reads `text_config["model_type"]`: without it, it fails.
    let e = err(r#"{"model_type": "exaone4_5", "text_config": {"head_dim": 128}}"#);
    assert!(e.starts_with("missing key `text_config.model_type`"), "{e}");
    // `MllamaConfig` builds its text config with MllamaTextConfig whatever it says.
    let m = rope(
        r#"{"model_type": "mllama", "text_config": {"head_dim": 128, "max_position_embeddings": 8,
            "num_hidden_layers": 5, "cross_attention_layers": [3]}}"#,
    );
    assert_eq!(m.model_type, "mllama_text_model");
    assert_eq!(m.layers[1].layer_type, "cross_attention");
}

#[test]
fn layer_list_aliases_set_to_null_are_refused_and_lfm2_kinds_are_checked() {
    // An `attribute_map` alias is assigned after its field: null replaces the list.
    let e = err(
        r#"{"model_type": "granitemoehybrid", "num_hidden_layers": 2, "layers_block_type": null}"#,
    );
    assert!(e.starts_with("`layers_block_type` = null"), "{e}");
    let e = err(r#"{"model_type": "nemotron_h", "layer_types": null}"#);
    assert!(e.starts_with("`layer_types` = null"), "{e}");
    // The field itself set to null is the class's default.
    assert!(read(r#"{"model_type": "nemotron_h", "layers_block_type": null}"#).is_ok());
    // NemotronHConfig ignores the file's num_hidden_layers (its setter drops the value).
    let Positions::NoEncoding(l) = read(
        r#"{"model_type": "nemotron_h", "hybrid_override_pattern": "M*", "num_hidden_layers": 100000000000}"#,
    )
    .unwrap() else {
        panic!("no RoPE");
    };
    assert_eq!(l.layers.iter().map(|g| g.count).sum::<usize>(), 2);
    assert!(
        l.notes
            .iter()
            .any(|n| n.starts_with("`num_hidden_layers` is not read")),
        "{:?}",
        l.notes
    );
    // LFM2's model has masks for full_attention and conv only; the legacy `attention` is renamed.
    let lfm = r#"{"model_type": "lfm2", "num_hidden_layers": 2, "head_dim": 64, "max_position_embeddings": 8, "layer_types": ["conv", "KIND"]}"#;
    let e = err(&lfm.replace("KIND", "sliding_attention"));
    assert!(
        e.starts_with("`layer_types` = \"sliding_attention\""),
        "{e}"
    );
    assert_eq!(
        rope(&lfm.replace("KIND", "attention")).layers[1].layer_type,
        "full_attention"
    );
}

#[test]
fn transformers_float_tags_name_their_key() {
    // `PreTrainedConfig.to_json_string` writes a non-finite number as {"__float__": "Infinity"}.
    let m = rope(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8,
            "logit_cap": {"__float__": "Infinity"}}"#,
    );
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("`logit_cap` = Infinity (written as {\"__float__\": …})")),
        "{:?}",
        m.notes
    );
    let e = err(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8,
            "rope_theta": {"__float__": "Infinity"}}"#,
    );
    assert!(e.starts_with("`rope_theta` = \"Infinity\""), "{e}");
}

#[test]
fn the_hub_cache_is_found_in_huggingface_hubs_order() {
    use std::ffi::OsString;
    use std::path::PathBuf;
    let env = |set: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            set.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| OsString::from(v))
        }
    };
    let hub = |set| scaling::cli::hub_dir_from(env(set));
    let all: &[(&str, &str)] = &[
        ("HF_HUB_CACHE", "/a"),
        ("HUGGINGFACE_HUB_CACHE", "/b"),
        ("HF_HOME", "/c"),
        ("XDG_CACHE_HOME", "/d"),
        ("HOME", "/e"),
    ];
    assert_eq!(hub(all), Some(PathBuf::from("/a")));
    assert_eq!(hub(&all[1..]), Some(PathBuf::from("/b")));
    assert_eq!(hub(&all[2..]), Some(PathBuf::from("/c/hub")));
    assert_eq!(hub(&all[3..]), Some(PathBuf::from("/d/huggingface/hub")));
    assert_eq!(
        hub(&all[4..]),
        Some(PathBuf::from("/e/.cache/huggingface/hub"))
    );
    assert_eq!(
        hub(&[("XDG_CACHE_HOME", ""), ("HOME", "/e")]),
        Some(PathBuf::from("/e/.cache/huggingface/hub"))
    );
    assert_eq!(hub(&[]), None);
}

#[test]
fn deepseek_v4_defaults_and_each_source_of_its_tables() {
    // Nothing but the type: DeepseekV4Config's 43 layers (2 + 21 heavily compressed, 20
    // compressed-sparse), head_dim 512 rotating 64 / 512 of it, 1048576 positions, no scaling.
    let m = rope(r#"{"model_type": "deepseek_v4"}"#);
    assert_eq!(
        kinds(&m),
        [
            k("heavily_compressed_attention", 23, 64, 160000.0),
            k("compressed_sparse_attention", 20, 64, 160000.0)
        ]
    );
    assert_eq!(m.base.max_position_embeddings, 1_048_576);
    assert_eq!(m.scheme, Scheme::Default);
    assert_eq!(m.notes.len(), 6, "{:?}", m.notes);
    // A flat `rope_parameters` is the compress table too, and its errors are named by it.
    let flat = r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "rope_parameters": {"rope_type": "linear", "factor": 2}}"#;
    assert_eq!(rope(flat).scheme, Scheme::Linear { factor: 2.0 });
    let e = err(&flat.replace("\"factor\": 2", "\"factor\": 0"));
    assert!(e.starts_with("`rope_parameters.factor` = 0"), "{e}");
    assert!(
        err(&flat.replace("{\"rope_type\": \"linear\", \"factor\": 2}", "[1]"))
            .starts_with("`rope_parameters` = [1]")
    );
    // qk_rope_head_dim over a zero head is refused, naming head_dim.
    let e = err(r#"{"model_type": "deepseek_v4", "head_dim": 0, "qk_rope_head_dim": 64}"#);
    assert!(e.starts_with("`head_dim` = 0"), "{e}");
    // A top-level pretraining length is not read for V4: the table keeps its own.
    let m = rope(
        r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "original_max_position_embeddings": 8,
            "rope_scaling": {"rope_type": "yarn", "factor": 2, "original_max_position_embeddings": 524288}}"#,
    );
    let Scheme::Yarn(y) = &m.scheme else {
        panic!("yarn")
    };
    assert_eq!(y.original_max_position_embeddings, Some(524288));
    assert!(
        m.warnings
            .iter()
            .any(|w| w
                .starts_with("`original_max_position_embeddings` at the top level is not read")),
        "{:?}",
        m.warnings
    );
    // The compression rates the extras report: `compress_rates`, else the legacy scalars, else 4
    // and 128.
    let extras = |text: &str| rope(text).extras.join("\n");
    let x = extras(r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1}"#);
    assert!(
        x.contains("window of 4 tokens") && x.contains("or 128 (heavily"),
        "{x}"
    );
    let x = extras(
        r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "compress_rates": {"compressed_sparse_attention": 8}, "compress_rate_hca": 64}"#,
    );
    assert!(
        x.contains("window of 8 tokens") && x.contains("or 64 (heavily"),
        "{x}"
    );
    let e = err(
        r#"{"model_type": "deepseek_v4", "num_hidden_layers": 1, "compress_rates": {"heavily_compressed_attention": -1}}"#,
    );
    assert!(
        e.starts_with("`compress_rates.heavily_compressed_attention` = -1"),
        "{e}"
    );
}

#[test]
fn mimo_defaults_nulls_and_scaling() {
    // MiMoV2FlashConfig: a null table is a kind without RoPE; a non-default table keeps its own
    // width rule (no 0.334 filled in).
    let text = r#"{"model_type": "mimo_v2_flash", "num_hidden_layers": 2, "head_dim": 192,
        "layer_types": ["full_attention", "sliding_attention"],
        "rope_parameters": {"full_attention": {"rope_type": "linear", "factor": 2, "rope_theta": 1e6},
                            "sliding_attention": null}}"#;
    let m = rope(text);
    assert_eq!((m.base.dim, m.layers[1].rope.is_none()), (192, true));
    assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
    // SGLang's defaults for mimo_v2: rope_theta 1000000, partial_rotary_factor 1, 32768
    // positions; a `type` names the shared scheme.
    let m = rope(
        r#"{"model_type": "mimo_v2", "num_hidden_layers": 2, "head_dim": 64,
            "hybrid_layer_pattern": [0, 1], "rope_scaling": {"type": "linear", "factor": 4}}"#,
    );
    assert_eq!(
        kinds(&m),
        [
            k("full_attention", 1, 64, 1_000_000.0),
            k("sliding_attention", 1, 64, 1_000_000.0)
        ]
    );
    assert_eq!(m.base.max_position_embeddings, 32768);
    assert_eq!(m.scheme, Scheme::Linear { factor: 4.0 });
    let e = err(
        r#"{"model_type": "mimo_v2", "num_hidden_layers": 1, "head_dim": 64, "hybrid_layer_pattern": [0], "rope_scaling": 3}"#,
    );
    assert!(e.starts_with("`rope_scaling` = 3"), "{e}");
    let e = err(
        r#"{"model_type": "mimo_v2", "num_hidden_layers": 1, "head_dim": 64, "hybrid_layer_pattern": 0}"#,
    );
    assert!(e.starts_with("`hybrid_layer_pattern` = 0"), "{e}");
    // EXAONE 4 with no layers and no window: nothing to divide, nothing refused.
    assert!(read(r#"{"model_type": "exaone4", "num_hidden_layers": 0, "sliding_window": null, "head_dim": 64, "max_position_embeddings": 8}"#).is_ok());
}

#[test]
fn mimo_v2_flash_pattern_positions_and_the_default_width() {
    // Two layers: layer 0 full (i == 0), layer 1 sliding ((1 + 1) % 6 != 0).
    let m = rope(r#"{"model_type": "mimo_v2_flash", "num_hidden_layers": 2}"#);
    assert_eq!(
        kinds(&m),
        [
            k("full_attention", 1, 64, 5_000_000.0),
            k("sliding_attention", 1, 64, 10_000.0)
        ]
    );
    // A nested default table without partial_rotary_factor rotates 0.334 of the head
    // (`compute_default_rope_parameters`), with a note.
    let m = rope(
        r#"{"model_type": "mimo_v2_flash", "num_hidden_layers": 1, "head_dim": 192,
            "layer_types": ["full_attention"],
            "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 1e6}}}"#,
    );
    assert_eq!(m.base.dim, 64);
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("names no partial_rotary_factor: 0.334")),
        "{:?}",
        m.notes
    );
}
