//! Hybrid and attention-free models, read per kind of layer. No published config of these
//! families could be tied to a repository, path and commit (see the fixtures' README), so every
//! config here is CONSTRUCTED for the test: it names the keys each family's config class reads,
//! with values chosen to exercise the rule (layer counts and patterns of the sizes the classes'
//! docstrings describe), and is not a copy of any model's file.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::config::{Mixer, Positions, read};

/// (layer kind, count, mixer, rotates) of every kind of layer.
fn kinds(text: &str) -> Vec<(String, usize, Mixer, bool)> {
    let layers = match read(text).unwrap() {
        Positions::Rope(m) => m.layers,
        Positions::NoEncoding(l) => l.layers,
        other => panic!("{}", other.describe()),
    };
    layers
        .into_iter()
        .map(|g| (g.layer_type, g.count, g.mixer, g.rope.is_some()))
        .collect()
}

fn k(t: &str, n: usize, m: Mixer, rotates: bool) -> (String, usize, Mixer, bool) {
    (t.to_string(), n, m, rotates)
}

#[test]
fn attention_free_models_say_so_and_are_not_refused() {
    // Constructed: a Mamba config names no attention key at all.
    for mt in ["mamba", "falcon_mamba", "mamba2"] {
        let text =
            format!(r#"{{"model_type": "{mt}", "hidden_size": 768, "num_hidden_layers": 24}}"#);
        let p = read(&text).unwrap();
        assert_eq!(p.describe(), "no attention, no position encoding", "{mt}");
        assert_eq!(p.learned_parameters(), 0);
        // The layer kind as the reference names it (`MambaConfig.layer_types`, a property:
        // `linear_attention` for every layer), the mixer as the block is built.
        assert_eq!(
            kinds(&text),
            [k("linear_attention", 24, Mixer::StateSpace, false)]
        );
        let r = scaling::report::reading(&p, None).unwrap();
        assert!(r.contains("no attention, no position encoding"), "{r}");
        // `parse` is for RoPE models: it names what the model uses instead.
        let e = scaling::config::parse(&text).unwrap_err().to_string();
        assert!(
            e.contains("no attention, no position encoding, not RoPE"),
            "{e}"
        );
    }
    // Without a layer count, the config class's default (transformers 5.24.0: 32 in
    // `MambaConfig` and `FalconMambaConfig`, 64 in `Mamba2Config`), with a note.
    for (mt, n) in [("mamba", 32), ("falcon_mamba", 32), ("mamba2", 64)] {
        let text = format!(r#"{{"model_type": "{mt}"}}"#);
        assert_eq!(
            kinds(&text),
            [k("linear_attention", n, Mixer::StateSpace, false)],
            "{mt}"
        );
        let Positions::NoEncoding(l) = read(&text).unwrap() else {
            panic!("{mt}: no encoding");
        };
        assert!(
            l.notes.iter().any(|x| x.ends_with(&format!("default {n}"))),
            "{:?}",
            l.notes
        );
    }
}

#[test]
fn jamba_attends_every_eighth_layer_without_rope() {
    // Constructed in Jamba-v0.1's shape: 32 layers, attn_layer_period 8, offset 4.
    let text = r#"{"model_type": "jamba", "num_hidden_layers": 32, "attn_layer_period": 8,
        "attn_layer_offset": 4, "num_attention_heads": 32, "hidden_size": 4096,
        "max_position_embeddings": 262144}"#;
    assert_eq!(
        kinds(text),
        [
            k("linear_attention", 28, Mixer::StateSpace, false),
            k("full_attention", 4, Mixer::Attention, false)
        ]
    );
    let p = read(text).unwrap();
    assert_eq!(
        p.describe(),
        "no position encoding: its attention layers see none"
    );
    // The class defaults are 8 and 4; an offset not below the period is refused.
    assert_eq!(
        kinds(r#"{"model_type": "jamba", "num_hidden_layers": 16}"#)[1],
        k("full_attention", 2, Mixer::Attention, false)
    );
    let e = read(r#"{"model_type": "jamba", "num_hidden_layers": 8, "attn_layer_period": 4, "attn_layer_offset": 4}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("`attn_layer_offset` = 4 is not allowed"),
        "{e}"
    );
    // No layer count: JambaConfig's 32.
    assert_eq!(
        kinds(r#"{"model_type": "jamba"}"#)[1],
        k("full_attention", 4, Mixer::Attention, false)
    );
    // `layers_block_type` and `layer_types` are read-only properties of JambaConfig (and of
    // FalconH1Config): a file that sets one fails to load in transformers 5.24.0, and here.
    // So is `layer_types` of the Mamba classes (`MambaConfig.layer_types`,
    // `configuration_mamba.py`, and the same property in `FalconMambaConfig` and `Mamba2Config`).
    for (mt, kk) in [
        ("mamba", "layer_types"),
        ("falcon_mamba", "layer_types"),
        ("mamba2", "layer_types"),
        ("jamba", "layers_block_type"),
        ("jamba", "layer_types"),
        ("falcon_h1", "layers_block_type"),
        ("falcon_h1", "layer_types"),
    ] {
        let e = read(&format!(
            r#"{{"model_type": "{mt}", "num_hidden_layers": 2, "head_dim": 64, "max_position_embeddings": 8, "{kk}": ["mamba", "attention"]}}"#
        ))
        .unwrap_err()
        .to_string();
        assert!(e.starts_with(&format!("`{kk}` = ")), "{e}");
        assert!(e.contains("read-only property"), "{e}");
    }
}

#[test]
fn nemotron_h_reads_its_pattern_and_its_list() {
    // Constructed: a pattern of Mamba-2, MoE, attention and MLP layers.
    let text = r#"{"model_type": "nemotron_h", "hybrid_override_pattern": "MEM*EM-E",
        "num_hidden_layers": 8, "head_dim": 128, "max_position_embeddings": 4096}"#;
    assert_eq!(
        kinds(text),
        [
            k("linear_attention", 3, Mixer::StateSpace, false),
            k("moe", 3, Mixer::MlpOnly, false),
            k("full_attention", 1, Mixer::Attention, false),
            k("mlp", 1, Mixer::MlpOnly, false)
        ]
    );
    // The explicit list wins, with the legacy names remapped.
    let list = r#"{"model_type": "nemotron_h", "layers_block_type": ["mamba", "attention", "moe"],
        "hybrid_override_pattern": "MMM"}"#;
    assert_eq!(
        kinds(list),
        [
            k("linear_attention", 1, Mixer::StateSpace, false),
            k("full_attention", 1, Mixer::Attention, false),
            k("moe", 1, Mixer::MlpOnly, false)
        ]
    );
    let e = read(r#"{"model_type": "nemotron_h", "hybrid_override_pattern": "M*X"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"X\" is none of them") || e.contains("'X'"),
        "{e}"
    );
    // `layer_types` is the alias NemotronHConfig assigns after its `layers_block_type` field:
    // it wins.
    assert_eq!(
        kinds(
            r#"{"model_type": "nemotron_h", "layers_block_type": ["mamba"], "layer_types": ["mlp"]}"#
        ),
        [k("mlp", 1, Mixer::MlpOnly, false)]
    );
    // No key at all: the class's four layers; a null pattern is refused (`_pattern_to_list`
    // iterates it), as is an unknown kind, named by the key that held it.
    assert_eq!(kinds(r#"{"model_type": "nemotron_h"}"#).len(), 4);
    assert!(read(r#"{"model_type": "nemotron_h", "hybrid_override_pattern": null}"#).is_err());
    let e = read(r#"{"model_type": "nemotron_h", "layer_types": ["conv"]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`layer_types` = \"conv\""), "{e}");
}

#[test]
fn granite_hybrids_rotate_only_with_rope_position_embeddings() {
    // Constructed in the Granite 4 hybrid shape: Mamba layers with a few attention layers.
    let base = r#""model_type": "granitemoehybrid", "num_hidden_layers": 4,
        "layer_types": ["mamba", "attention", "mamba", "mamba"], "hidden_size": 1024,
        "num_attention_heads": 8, "max_position_embeddings": 8192"#;
    let nope = format!(r#"{{{base}, "position_embedding_type": "nope"}}"#);
    // The legacy names are remapped (`remap_legacy_layer_types`) to the names transformers 5
    // writes, and a file in those names reads the same.
    let nope_layers = [
        k("linear_attention", 3, Mixer::StateSpace, false),
        k("full_attention", 1, Mixer::Attention, false),
    ];
    assert_eq!(kinds(&nope), nope_layers);
    let new_names = nope
        .replace("\"mamba\"", "\"linear_attention\"")
        .replace("\"attention\"", "\"full_attention\"");
    assert!(new_names.contains("\"full_attention\""));
    assert_eq!(kinds(&new_names), nope_layers);
    let rope = format!(r#"{{{base}, "position_embedding_type": "rope", "rope_theta": 10000}}"#);
    let Positions::Rope(m) = read(&rope).unwrap() else {
        panic!("rope attention layers");
    };
    assert_eq!(m.base.dim, 128);
    assert_eq!(m.layers[1].layer_type, "full_attention");
    // A kind the model has no mask for is refused, named by its key.
    let e = read(&format!(
        r#"{{{base}, "layer_types": ["mamba", "conv", "mamba", "mamba"]}}"#
    ))
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("`layer_types` = \"conv\""), "{e}");
    // `layers_block_type`, the alias, is assigned after the field and wins.
    assert_eq!(
        kinds(
            r#"{"model_type": "granitemoehybrid", "num_hidden_layers": 1,
            "layer_types": ["attention"], "layers_block_type": ["mamba"]}"#
        ),
        [k("linear_attention", 1, Mixer::StateSpace, false)]
    );
    // Neither: GraniteMoeHybridConfig's 32 Mamba layers.
    assert_eq!(
        kinds(r#"{"model_type": "granitemoehybrid"}"#),
        [k("linear_attention", 32, Mixer::StateSpace, false)]
    );
}

#[test]
fn falcon_h1_runs_attention_and_mamba_side_by_side() {
    // Constructed: every Falcon-H1 layer is both.
    let text = r#"{"model_type": "falcon_h1", "num_hidden_layers": 24, "head_dim": 128,
        "rope_theta": 100000000000.0, "max_position_embeddings": 131072}"#;
    assert_eq!(
        kinds(text),
        [k("hybrid", 24, Mixer::AttentionAndStateSpace, true)]
    );
    // FalconH1Config has no `default_theta` of its own: without `rope_theta`, the mixin's 10000.
    let Positions::Rope(m) =
        read(r#"{"model_type": "falcon_h1", "head_dim": 128, "max_position_embeddings": 8192}"#)
            .unwrap()
    else {
        panic!("rotates");
    };
    assert_eq!((m.base.theta, m.layers[0].count), (10000.0, 32));
}

#[test]
fn lfm2_without_layer_types_uses_its_attention_indices() {
    // Constructed: the older layout with `full_attn_idxs`.
    let text = r#"{"model_type": "lfm2", "num_hidden_layers": 6, "full_attn_idxs": [2, 5],
        "hidden_size": 1024, "num_attention_heads": 16, "max_position_embeddings": 32768}"#;
    assert_eq!(
        kinds(text),
        [
            k("conv", 4, Mixer::Convolution, false),
            k("full_attention", 2, Mixer::Attention, true)
        ]
    );
    // An index past the last layer names no layer (`Lfm2Config.__post_init__` tests `i in
    // full_attn_idxs`): a warning, not a refusal.
    let Positions::NoEncoding(l) =
        read(r#"{"model_type": "lfm2", "num_hidden_layers": 2, "full_attn_idxs": [2]}"#).unwrap()
    else {
        panic!("no layer attends");
    };
    assert_eq!(l.layers[0].count, 2);
    assert!(
        l.warnings
            .iter()
            .any(|w| w.starts_with("`full_attn_idxs` names layer 2 but num_hidden_layers is 2")),
        "{:?}",
        l.warnings
    );
    assert!(
        read(r#"{"model_type": "lfm2", "num_hidden_layers": 2, "full_attn_idxs": [-1]}"#).is_err()
    );
}

#[test]
fn llama_3_2_vision_without_cross_attention_layers_uses_the_class_default() {
    // Constructed: MllamaTextConfig.__post_init__ fills in [3, 8, 13, 18, 23, 28, 33, 38] of its
    // 40 layers.
    let text =
        r#"{"model_type": "mllama_text_model", "head_dim": 128, "max_position_embeddings": 8}"#;
    assert_eq!(
        kinds(text),
        [
            k("full_attention", 32, Mixer::Attention, true),
            k("cross_attention", 8, Mixer::CrossAttention, false)
        ]
    );
    // With fewer layers, the default's later indices name no layer.
    let short = r#"{"model_type": "mllama_text_model", "head_dim": 128, "max_position_embeddings": 8, "num_hidden_layers": 10}"#;
    assert_eq!(
        kinds(short),
        [
            k("full_attention", 8, Mixer::Attention, true),
            k("cross_attention", 2, Mixer::CrossAttention, false)
        ]
    );
}

#[test]
fn minimax_m2_rotates_rotary_dim_of_each_head() {
    // Constructed with MiniMax M2's head (128) and rotary_dim (64), as the issue reports them.
    let text = r#"{"model_type": "minimax_m2", "head_dim": 128, "rotary_dim": 64,
        "rope_theta": 5000000, "max_position_embeddings": 196608, "num_hidden_layers": 62}"#;
    let Positions::Rope(m) = read(text).unwrap() else {
        panic!("MiniMax M2 rotates");
    };
    assert_eq!((m.base.dim, m.logits.d_head), (64, 128));
    // transformers 5.24.0 (`MiniMaxM2Config.convert_rope_params_to_dict`) sets the factor from
    // rotary_dim only with `setdefault`: without rotary_dim the whole head rotates, and a
    // factor in the file wins over rotary_dim (the table's over both).
    let dim = |text: &str| match read(text).unwrap() {
        Positions::Rope(m) => (m.base.dim, m.warnings),
        other => panic!("{}", other.describe()),
    };
    let (d, _) =
        dim(r#"{"model_type": "minimax_m2", "head_dim": 96, "max_position_embeddings": 4096}"#);
    assert_eq!(d, 96);
    let (d, w) = dim(
        r#"{"model_type": "minimax_m2", "head_dim": 96, "max_position_embeddings": 4096,
            "rotary_dim": 48, "partial_rotary_factor": 1.0}"#,
    );
    assert_eq!(d, 96);
    assert!(
        w.iter()
            .any(|w| w.starts_with("`rotary_dim` = 48 is not read")),
        "{w:?}"
    );
    let (d, w) = dim(
        r#"{"model_type": "minimax_m2", "head_dim": 96, "max_position_embeddings": 4096,
            "rotary_dim": 48, "rope_parameters": {"rope_type": "default", "partial_rotary_factor": 0.25}}"#,
    );
    assert_eq!(d, 24);
    assert!(w.iter().any(|w| w.contains("scaling table's")), "{w:?}");
    // A factor equal to rotary_dim / head_dim says the same: no warning.
    let (d, w) = dim(
        r#"{"model_type": "minimax_m2", "head_dim": 96, "max_position_embeddings": 4096,
            "rotary_dim": 48, "partial_rotary_factor": 0.5}"#,
    );
    assert_eq!(d, 48);
    assert!(!w.iter().any(|w| w.contains("rotary_dim")), "{w:?}");
    // No head_dim: the class's 128.
    let (d, _) =
        dim(r#"{"model_type": "minimax_m2", "rotary_dim": 64, "max_position_embeddings": 8}"#);
    assert_eq!(d, 64);
    let e = read(r#"{"model_type": "minimax_m2", "head_dim": null, "rotary_dim": 64, "max_position_embeddings": 8}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`head_dim` = null"), "{e}");
    let e = read(r#"{"model_type": "minimax_m2", "head_dim": 64, "rotary_dim": 65, "max_position_embeddings": 8}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("`rotary_dim` = 65"), "{e}");
}

#[test]
fn the_guard_names_layer_keys_of_other_model_types_and_unknown_types() {
    // Constructed: a Llama config carrying Jamba's and Nemotron-H's layer keys.
    let Positions::Rope(m) = read(
        r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 4096,
            "attn_layer_period": 8, "hybrid_override_pattern": "M*", "rotary_dim": 32,
            "swa_rope_theta": 10000}"#,
    )
    .unwrap() else {
        panic!("RoPE");
    };
    for key in [
        "`attn_layer_period` is read only for model_type jamba",
        "`hybrid_override_pattern` is read only for model_type nemotron_h",
        "`rotary_dim` is read only for model_type gptj, codegen, minimax_m2",
        "`swa_rope_theta` is read only for model_type mimo_v2, mimo_v2_flash",
    ] {
        assert!(
            m.warnings.iter().any(|w| w.starts_with(key)),
            "{key}: {:?}",
            m.warnings
        );
    }
    let Positions::Rope(u) =
        read(r#"{"model_type": "brandnew", "head_dim": 64, "max_position_embeddings": 4096}"#)
            .unwrap()
    else {
        panic!("RoPE");
    };
    assert!(
        u.warnings[0].starts_with("model_type \"brandnew\" has no rule of its own here"),
        "{:?}",
        u.warnings
    );
}

#[test]
fn a_layer_count_past_the_bound_is_refused() {
    let e = read(r#"{"model_type": "mamba", "num_hidden_layers": 100000000000}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("`num_hidden_layers` = 100000000000 is not allowed"),
        "{e}"
    );
}

#[test]
fn bounds_and_generic_layer_names() {
    // The bound itself is allowed; one more is refused.
    let at = r#"{"model_type": "llama", "head_dim": 64, "max_position_embeddings": 8, "num_hidden_layers": 100000}"#;
    assert_eq!(
        kinds(at),
        [k("full_attention", 100000, Mixer::Attention, true)]
    );
    assert!(read(&at.replace("100000", "100001")).is_err());
    // A model type with no rule of its own: `mamba` and `conv` entries of `layer_types` do not
    // attend, so they are not read as rotating (constructed). `PreTrainedConfig.__post_init__`
    // renames the legacy `mamba` to `linear_attention` (`remap_legacy_layer_types`), so it reads
    // as the same kind as a file that says `linear_attention`, with a note.
    let text = r#"{"model_type": "newhybrid", "head_dim": 64, "max_position_embeddings": 8,
        "num_hidden_layers": 3, "layer_types": ["mamba", "conv", "full_attention"]}"#;
    let Positions::Rope(m) = read(text).unwrap() else {
        panic!("rotates");
    };
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("`layer_types` legacy names mamba read as linear_attention")),
        "{:?}",
        m.notes
    );
    assert_eq!(
        kinds(text),
        kinds(&text.replace("\"mamba\"", "\"linear_attention\""))
    );
    assert_eq!(
        kinds(text),
        [
            k("linear_attention", 1, Mixer::LinearAttention, false),
            k("conv", 1, Mixer::Convolution, false),
            k("full_attention", 1, Mixer::Attention, true)
        ]
    );
    // transformers 5.24.0's names for expert-only layers and for attention beside a state.
    let text = r#"{"model_type": "newhybrid", "head_dim": 64, "max_position_embeddings": 8,
        "num_hidden_layers": 2, "layer_types": ["moe", "hybrid"]}"#;
    assert_eq!(
        kinds(text),
        [
            k("moe", 1, Mixer::MlpOnly, false),
            k("hybrid", 1, Mixer::AttentionAndStateSpace, true)
        ]
    );
    // MiniMax M2 may rotate the whole head.
    let Positions::Rope(m) = read(
        r#"{"model_type": "minimax_m2", "head_dim": 64, "rotary_dim": 64, "max_position_embeddings": 8}"#,
    )
    .unwrap() else {
        panic!("rotates");
    };
    assert_eq!(m.base.dim, 64);
}
