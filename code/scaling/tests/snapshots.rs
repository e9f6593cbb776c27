//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::config::parse;
use scaling::{Base, report};

fn fixture(name: &str) -> scaling::config::ModelRope {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn why_extrapolation_fails() {
    let base = Base::new(128, 10000.0, 4096).unwrap();
    let table = report::why_it_fails(&base, 32768, &[0, 16, 32, 40, 44, 48, 56, 63]).unwrap();
    bookkit::snapshot!("why_fails", table);
}

#[test]
fn llama31_counts() {
    let table = report::llama3_counts(&fixture("llama-3.1-8b.json")).unwrap();
    bookkit::snapshot!("llama3_counts", table);
}

#[test]
fn llama31_all_pairs() {
    let model = fixture("llama-3.1-8b.json");
    bookkit::snapshot!("llama3_pairs", report::per_pair(&model, 131072).unwrap());
}

#[test]
fn yarn_correction_ranges() {
    let cases = [
        (128, 10000.0, 2048, "Llama 1 (2k)"),
        (128, 10000.0, 4096, "Llama 2 (4k)"),
        (128, 500000.0, 8192, "Llama 3 (8k)"),
        (128, 1000000.0, 32768, "Qwen2.5-7B (32k)"),
        (64, 10000.0, 2048, "head_dim 64 (2k)"),
    ];
    bookkit::snapshot!("yarn_ranges", report::yarn_ranges(&cases));
}

#[test]
fn ntk_bases() {
    let table = report::ntk_bases(128, 10000.0, &[2.0, 4.0, 8.0, 16.0, 32.0]).unwrap();
    bookkit::snapshot!("ntk_bases", table);
}

#[test]
fn attention_factors() {
    let table = report::attention_factors(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0], 4096);
    bookkit::snapshot!("attention_factors", table);
}

#[test]
fn dynamic_bases() {
    let base = Base::new(128, 10000.0, 4096).unwrap();
    let table = report::dynamic_bases(&base, 2.0, &[1024, 4096, 8192, 16384, 32768]).unwrap();
    bookkit::snapshot!("dynamic_bases", table);
}

#[test]
fn fixtures_summary() {
    let models = [
        ("llama-3.1-8b", fixture("llama-3.1-8b.json"), 131072),
        (
            "llama-3.1-8b (transformers 5 layout)",
            fixture("llama-3.1-8b-transformers5.json"),
            131072,
        ),
        (
            "yarn-llama-2-7b-64k",
            fixture("yarn-llama-2-7b-64k.json"),
            65536,
        ),
        (
            "vicuna-7b-16k-linear",
            fixture("vicuna-7b-16k-linear.json"),
            16384,
        ),
        ("dynamic-ntk", fixture("dynamic-ntk.json"), 8192),
        (
            "phi-3-mini-128k-shaped, short input",
            fixture("phi-3-mini-128k-shaped.json"),
            2048,
        ),
        (
            "phi-3-mini-128k-shaped, long input",
            fixture("phi-3-mini-128k-shaped.json"),
            131072,
        ),
    ];
    bookkit::snapshot!("fixtures", report::fixtures(&models).unwrap());
}

#[test]
fn yarn_paper_vs_code() {
    let base = Base::new(128, 10000.0, 4096).unwrap();
    let table = report::yarn_paper_vs_code(&base, 16.0).unwrap();
    bookkit::snapshot!("yarn_paper_vs_code", table);
}

fn model(name: &str) -> scaling::config::Positions {
    let path = format!(
        "{}/tests/fixtures/models/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    scaling::config::read(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A config constructed for the tests (`tests/fixtures/constructed/`, labelled so in the
/// fixtures' README): no published copy of these families could be cited.
fn constructed(name: &str) -> scaling::config::Positions {
    let path = format!(
        "{}/tests/fixtures/constructed/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    scaling::config::read(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Which model uses what, read from published configs (provenance in the fixtures' README); every
/// published config the reader accepts has a row.
#[test]
fn which_model_uses_what() {
    let rows = [
        ("GPT-2 (124M)", model("gpt2")),
        ("BERT base, uncased", model("bert-base-uncased")),
        ("T5 small", model("t5-small")),
        ("BLOOM 3B", model("bloom-3b")),
        ("GPTBigCode (MLC preset)", model("gpt-bigcode")),
        ("RedPajama-INCITE 3B", model("redpajama-3b")),
        ("ChatGLM3 6B", model("chatglm3-6b")),
        ("Llama 3.1 8B", model("llama-3.1-8b")),
        ("Llama 3.2 1B", model("llama-3.2-1b")),
        ("Mistral 7B v0.3", model("mistral-7b-v0.3")),
        ("Ministral 3 3B", model("ministral-3-3b")),
        ("Devstral Small 2 24B", model("devstral-small-2-24b")),
        ("Phi-3.5 mini", model("phi-3.5-mini")),
        ("Gemma 2 2B", model("gemma-2-2b")),
        ("Gemma 3 1B", model("gemma-3-1b-it")),
        ("Gemma 3 4B", model("gemma-3-4b-it")),
        ("Gemma 3 27B", model("gemma-3-27b-it")),
        ("Qwen2.5 7B", model("qwen2.5-7b")),
        ("Qwen2.5-VL 7B", model("qwen2.5-vl-7b-instruct")),
        ("Qwen3 0.6B", model("qwen3-0.6b")),
        ("Qwen3 8B", model("qwen3-8b")),
        ("Qwen3-VL 4B", model("qwen3-vl-4b-instruct")),
        ("Qwen3.5 9B", model("qwen3.5-9b")),
        ("OLMo 2 7B", model("olmo-2-7b")),
        ("OLMo 3.1 32B", model("olmo-3.1-32b-instruct")),
        ("EXAONE 4.0 32B", model("exaone-4.0-32b")),
        ("DeepSeek-V2-Lite", model("deepseek-v2-lite")),
        ("DeepSeek-V3", model("deepseek-v3")),
        ("EXAONE 4.5 33B", model("exaone-4.5-33b")),
        ("LFM2.5-VL 1.6B", model("lfm2.5-vl-1.6b")),
        (
            "Llama 3.2 90B Vision",
            model("llama-3.2-90b-vision-instruct"),
        ),
        (
            "DeepSeek-V4-Flash (REAP copy)",
            model("deepseek-v4-flash-reap"),
        ),
        (
            "MiMo-V2-Flash (class defaults)",
            constructed("mimo-v2-flash-defaults"),
        ),
        (
            "MiMo V2 (constructed, SGLang)",
            constructed("mimo-v2-constructed"),
        ),
        ("Mamba (constructed)", constructed("mamba-constructed")),
        ("Jamba (class defaults)", constructed("jamba-defaults")),
        (
            "Nemotron-H (class defaults)",
            constructed("nemotron-h-defaults"),
        ),
        (
            "Granite 4 hybrid (constructed)",
            constructed("granite-hybrid-constructed"),
        ),
        (
            "Falcon-H1 (class defaults)",
            constructed("falcon-h1-defaults"),
        ),
        (
            "MiniMax M2 (class defaults)",
            constructed("minimax-m2-defaults"),
        ),
        (
            "MiniMax M2 (constructed, rotary_dim 64)",
            constructed("minimax-m2-rotary-dim"),
        ),
    ];
    // Two tables from the same rows: the models with no RoPE in any layer, one row each, and the
    // RoPE models, one row per kind of layer.
    bookkit::snapshot!("models", report::models(&rows).unwrap());
    bookkit::snapshot!("models_rope", report::models_rope(&rows).unwrap());
}

#[test]
fn deepseek_v3_logits() {
    let scaling::config::Positions::Rope(m) = model("deepseek-v3") else {
        panic!("DeepSeek-V3 uses RoPE");
    };
    bookkit::snapshot!("deepseek_logits", report::logits(&m, 163840).unwrap());
}

#[test]
fn raising_the_base() {
    let table = report::base_change(
        128,
        10000.0,
        500000.0,
        &[0, 16, 32, 48, 56, 63],
        &[4096, 32768],
    )
    .unwrap();
    bookkit::snapshot!("base_change", table);
}

#[test]
fn figure_captions() {
    // The page's image lines come from the figures' constants; the titles drawn into the SVGs
    // use the same constants (and the figure test holds the SVGs to the code).
    bookkit::snapshot!(
        "caption_wavelengths",
        scaling::figures::wavelengths_caption()
    );
    bookkit::snapshot!("caption_ratio", scaling::figures::ratios_caption());
    bookkit::snapshot!("explore_caption", scaling::explore::caption());
    assert!(scaling::figures::wavelengths_title().contains("target 8 × 4096"));
    assert!(scaling::figures::ratios_title().contains("L = 4096, factor 8"));
}

/// The reading of a hybrid without position encoding, per kind of layer (a config of
/// `JambaConfig`'s defaults, constructed: no published Jamba config could be cited).
#[test]
fn a_hybrid_without_position_encoding() {
    let p = constructed("jamba-defaults");
    bookkit::snapshot!("reading_jamba_defaults", report::reading(&p, None).unwrap());
}

/// What the page around the figure a reader can move says to look for.
#[test]
fn explore_settings() {
    let over_factor: Vec<(f64, usize)> = scaling::explore::FACTORS
        .iter()
        .map(|&s| (s, 4096))
        .collect();
    bookkit::snapshot!(
        "explore_factors",
        scaling::explore::table(&over_factor).unwrap()
    );
    let over_length: Vec<(f64, usize)> =
        scaling::explore::TRAINS.iter().map(|&l| (8.0, l)).collect();
    bookkit::snapshot!(
        "explore_lengths",
        scaling::explore::table(&over_length).unwrap()
    );
}
