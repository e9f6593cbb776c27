//! The `rope-inspect` binary as a user runs it: `--help`, a file, a folder, a model id in a local
//! Hugging Face cache (a temporary one, laid out as `huggingface_hub` lays it out), `--json`, an
//! attention-free model (exit 0) and a refused config (exit non-zero, the error on stderr).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
}

/// Runs the binary with `args` and the cache folder `hub`.
fn run(args: &[&str], hub: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rope-inspect"))
        .args(args)
        .env("HF_HUB_CACHE", hub)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh temporary folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rope-inspect-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_names_the_three_kinds_of_path_and_json() {
    let o = run(&["--help"], &temp("help"));
    assert!(o.status.success());
    let h = stdout(&o);
    for part in [
        "CONFIG.json | FOLDER | ORG/NAME",
        "--json",
        "--seq-len",
        "never downloaded",
        "$HF_HOME/hub",
        "~/.cache/huggingface/hub",
    ] {
        assert!(h.contains(part), "{part}: {h}");
    }
}

#[test]
fn a_file_a_folder_and_a_cached_model_id_read_the_same() {
    let hub = temp("hub");
    let text = std::fs::read_to_string(fixture("qwen3-8b.json")).unwrap();
    // A model folder.
    let folder = hub.join("folder");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("config.json"), &text).unwrap();
    // A cache entry with two snapshots and refs/main naming the second.
    let repo = hub.join("models--Qwen--Qwen3-8B");
    for (snap, body) in [("aaa", "{}"), ("bbb", text.as_str())] {
        let dir = repo.join("snapshots").join(snap);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), body).unwrap();
    }
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), "bbb\n").unwrap();
    let file = fixture("qwen3-8b.json");
    let readings: Vec<String> = [
        file.to_str().unwrap(),
        folder.to_str().unwrap(),
        "Qwen/Qwen3-8B",
    ]
    .iter()
    .map(|p| {
        let o = run(&[p, "--json"], &hub);
        assert!(
            o.status.success(),
            "{p}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdout(&o)
    })
    .collect();
    assert_eq!(readings[0], readings[1]);
    assert_eq!(readings[0], readings[2]);
    let v: serde_json::Value = serde_json::from_str(&readings[0]).unwrap();
    assert_eq!(v["model_type"], "qwen3");
    assert_eq!(v["layers"][0]["rope"]["rotary_dims"], 128);
    assert_eq!(
        v["layers"][0]["rope"]["inv_freq"].as_array().unwrap().len(),
        64
    );
    // Without refs/main, two snapshots are ambiguous; a model the cache lacks is not fetched.
    std::fs::remove_file(repo.join("refs/main")).unwrap();
    let o = run(&["Qwen/Qwen3-8B"], &hub);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no refs/main"));
    let o = run(&["Qwen/Qwen9"], &hub);
    assert!(String::from_utf8_lossy(&o.stderr).contains("never downloads"));
}

#[test]
fn an_attention_free_model_exits_zero_and_a_refused_one_does_not() {
    let hub = temp("exit");
    let mamba = hub.join("mamba.json");
    // Constructed: Mamba's layer keys, no attention.
    std::fs::write(
        &mamba,
        r#"{"model_type": "falcon_mamba", "num_hidden_layers": 64}"#,
    )
    .unwrap();
    let o = run(&[mamba.to_str().unwrap()], &hub);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("no attention, no position encoding"),
        "{}",
        stdout(&o)
    );
    let bad = hub.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"model_type": "llama", "head_dim": 63, "max_position_embeddings": 8}"#,
    )
    .unwrap();
    let o = run(&[bad.to_str().unwrap()], &hub);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("the rotated width must be even"), "{e}");
    let o = run(&[hub.to_str().unwrap()], &hub);
    assert!(String::from_utf8_lossy(&o.stderr).contains("a folder without a config.json"));
}

#[test]
fn the_sequence_length_is_checked_and_used() {
    let hub = temp("seq");
    let file = fixture("llama-3.1-8b.json");
    let f = file.to_str().unwrap();
    let o = run(&[f, "--seq-len", "0"], &hub);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("from 1 to 2^40"));
    let o = run(&[f, "--seq-len", "4096"], &hub);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("evaluated at 4096 tokens"),
        "{}",
        stdout(&o)
    );
    let o = run(&[f, "--seq-len", "4096", "--json"], &hub);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["evaluated_at"], 4096);
    assert_eq!(v["max_position_embeddings"], 131072);
}
