//! No config among the fixtures, and no random mutation of one, makes the inspector panic or
//! hang: every key may be dropped, nulled, or given a value of the wrong type or out of range
//! (zero, negative, huge, tiny, fractional where a count is due, `2^64 − 1`), at the top level, in
//! `text_config` and in the scaling tables; each mutated config is read, then reported as text,
//! as JSON and in both model tables. A reading may fail (most mutations are bad configs), but it
//! must fail with an error, within the time limit.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Every fixture config: published copies, constructed configs, precedence cases and shaped ones.
fn fixtures() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in ["models", "constructed", "precedence", "."] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            // (Python's bare Infinity is read by the crate; serde_json here only edits the
            // standard files, so a file it cannot parse is read as it is, unmutated.)
            let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
            out.push((p.display().to_string(), v));
        }
    }
    out
}

/// The replacement values: wrong types and numbers out of every range the reader checks.
fn replacement(i: usize) -> Value {
    let all = [
        Value::Null,
        json!("x"),
        json!(true),
        json!([]),
        json!({}),
        json!(0),
        json!(-1),
        json!(0.5),
        json!(1e308),
        json!(-1e308),
        json!(1e-300),
        json!(u64::MAX),
        json!(1u64 << 53),
        json!(3),
        json!([0, 1, "a"]),
        json!({"rope_type": "yarn"}),
    ];
    all[i % all.len()].clone()
}

/// One mutation: in the object reached by `depth` steps into nested objects (choosing the
/// `pick`-th object-valued key each step), drop the `key`-th key or replace its value.
#[derive(Debug, Clone)]
struct Mutation {
    depth: usize,
    pick: usize,
    key: usize,
    drop: bool,
    value: usize,
}

fn apply(v: &mut Value, m: &Mutation) {
    let mut obj: &mut Map<String, Value> = match v {
        Value::Object(o) => o,
        _ => return,
    };
    for _ in 0..m.depth {
        let nested: Vec<String> = obj
            .iter()
            .filter(|(_, x)| x.is_object())
            .map(|(k, _)| k.clone())
            .collect();
        if nested.is_empty() {
            break;
        }
        let k = &nested[m.pick % nested.len()];
        obj = obj.get_mut(k).unwrap().as_object_mut().unwrap();
    }
    if obj.is_empty() {
        return;
    }
    let k = obj.keys().nth(m.key % obj.len()).unwrap().clone();
    if m.drop {
        obj.remove(&k);
    } else {
        obj.insert(k, replacement(m.value));
    }
}

/// Reads and reports `text` on another thread; `Err` if that panics or takes over 20 s (a
/// reading takes milliseconds; the limit only separates a hang from slowness).
fn read_within_limit(text: String) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        if let Ok(p) = scaling::config::read(&text) {
            let _ = scaling::report::reading(&p, None);
            let _ = scaling::report::reading(&p, Some(1));
            let _ = scaling::report::json(&p, None);
            let rows = [("m", p)];
            let _ = scaling::report::models(&rows);
            let _ = scaling::report::models_rope(&rows);
        }
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(()) => worker.join().map_err(|_| "panicked".to_string()),
        // A panic drops the sender before it sends.
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("panicked".into()),
        Err(mpsc::RecvTimeoutError::Timeout) => Err("did not finish within 20 s".into()),
    }
}

#[test]
fn every_fixture_reads_without_panic() {
    let all = fixtures();
    assert!(all.len() >= 60, "{} fixtures", all.len());
    for (name, v) in all {
        let text = match v {
            Value::String(raw) => raw,
            v => v.to_string(),
        };
        read_within_limit(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (0usize..3, 0usize..8, 0usize..200, any::<bool>(), 0usize..64).prop_map(
        |(depth, pick, key, drop, value)| Mutation {
            depth,
            pick,
            key,
            drop,
            value,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Up to four mutations of one fixture never make the reader or a report panic or hang.
    #[test]
    fn mutated_fixtures_never_panic_or_hang(
        which in 0usize..1000,
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let all = fixtures();
        let (name, mut v) = all[which % all.len()].clone();
        for m in &mutations {
            apply(&mut v, m);
        }
        let text = v.to_string();
        prop_assert!(read_within_limit(text.clone()).is_ok(), "{}: {:?}\n{}", name, mutations, text);
    }
}
