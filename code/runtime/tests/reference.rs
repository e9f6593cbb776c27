//! The crate against its reference code: `tests/fixtures/reference.py` ran the position
//! statements of streaming-llm, LongLM (Self-Extend), rerope and ChunkLlama, taken from their
//! sources at the commits it names, and wrote `reference.json` (the test command never runs
//! Python). Positions are small integers and halves, exact in `f64` on both sides, so every
//! comparison is exact except the query scale, a quotient of two logarithms (1e-15 covers the
//! last-bit differences of NumPy's and Rust's `ln`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use runtime::cache::Positions;
use runtime::{Cache, Dca, ReRope, Remap, SelfExtend};
use serde_json::Value;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn u(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

fn list(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(Value::as_f64).collect()
}

/// Every entry of the reference's matrix, `null` where it shows no key.
fn assert_matrix(scheme: &dyn Remap, want: &Value) {
    let rows = want.as_array().unwrap();
    for (i, row) in rows.iter().enumerate() {
        let want = list(row);
        assert_eq!(want.len(), rows.len());
        for (j, w) in want.iter().enumerate() {
            assert_eq!(scheme.relative(i, j), *w, "{} at ({i}, {j})", scheme.name());
        }
    }
}

#[test]
fn the_fixture_names_the_commits_the_modules_cite() {
    let data = load();
    let sources = &data["sources"];
    for (key, file) in [
        ("streaming", "cache.rs"),
        ("self_extend", "self_extend.rs"),
        ("rerope", "rerope.rs"),
        ("dca", "dca.rs"),
    ] {
        let commit = sources[key]["commit"].as_str().unwrap();
        let path = format!("{}/src/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(commit), "src/{file} does not cite {commit}");
    }
}

#[test]
fn the_cache_keeps_what_start_recent_kv_cache_keeps() {
    let data = load();
    let cases = data["streaming"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let (start, recent) = (u(&case["start_size"]), u(&case["recent_size"]));
        // `kv_cache(past)` trims after each token, so the next query also sees itself: a window
        // one longer than recent_size. `evict_for_space(past, 1)` makes room first: recent_size.
        for (key, window) in [("call", recent + 1), ("evict_for_space", recent)] {
            let cache = Cache::new(start, window, Positions::InCache).unwrap();
            for (t, keys) in case[key].as_array().unwrap().iter().enumerate() {
                let keys: Vec<usize> = keys.as_array().unwrap().iter().map(u).collect();
                assert_eq!(cache.kept(t + 1), keys, "{key} {start}+{recent}, token {t}");
                // pos_shift: the keys sit at slots 0, 1, … and the query at the last one.
                for (slot, &j) in keys.iter().enumerate() {
                    assert_eq!(cache.slot(t + 1, j), Some(slot));
                    assert_eq!(cache.relative(t, j), Some((keys.len() - 1 - slot) as f64));
                }
            }
        }
    }
}

#[test]
fn self_extend_matches_long_lm_in_prefill_and_decode() {
    let data = load();
    let cases = data["self_extend"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let s = SelfExtend::new(u(&case["group"]), u(&case["window"])).unwrap();
        assert_matrix(&s, &case["prefill"]);
        let last = list(&case["decode_last_row"]);
        let n = last.len();
        for (j, w) in last.iter().enumerate() {
            assert_eq!(s.relative(n - 1, j), *w, "decode, key {j}");
        }
    }
}

#[test]
fn rerope_matches_bojone_in_prefill_decode_and_scale() {
    let data = load();
    let cases = data["rerope"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in &cases[..3] {
        let r = ReRope::new(u(&case["window"]), u(&case["training"])).unwrap();
        assert_matrix(&r, &case["prefill"]);
        let last = list(&case["decode_last_row"]);
        let n = last.len();
        for (j, w) in last.iter().enumerate() {
            assert_eq!(r.relative(n - 1, j), *w);
        }
        for (i, w) in list(&case["query_scale"]).iter().enumerate() {
            assert!(
                (r.query_scale(i) - w.unwrap()).abs() < 1e-15,
                "scale at {i}"
            );
        }
    }
    for case in &cases[3..] {
        let r = ReRope::leaky(u(&case["window"]), 16, case["k"].as_f64().unwrap()).unwrap();
        for (d, w) in list(&case["leaky_by_distance"]).iter().enumerate() {
            assert_eq!(r.relative(d + 3, 3), *w, "leaky at distance {d}");
        }
    }
}

#[test]
fn dca_matches_chunk_llama() {
    let data = load();
    let cases = data["dca"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in &cases[..3] {
        let d = Dca::code(u(&case["chunk_size"]), u(&case["local_window"])).unwrap();
        assert_matrix(&d, &case["matrix"]);
    }
    // replace_with_chunkllama(4096): chunk_size 3072, local_window 512, on 8192 tokens.
    let big = &cases[3];
    let d = Dca::code(u(&big["chunk_size"]), u(&big["local_window"])).unwrap();
    for (i, row) in big["rows"].as_object().unwrap() {
        let i: usize = i.parse().unwrap();
        for (k, w) in list(row).iter().enumerate() {
            assert_eq!(d.relative(i, 97 * k), *w);
        }
    }
    assert_eq!(big["max"].as_f64(), Some(3072.0));
    assert_eq!(runtime::remap::largest(&d, 400), 3072f64.min(399.0));
}
