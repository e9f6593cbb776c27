//! The inspector's reading of every published config in `tests/fixtures/models/` (provenance in
//! the fixtures' README): one snapshot per file, `reading-<file>`, holding the reading per kind
//! of layer, or the error for a config the reader refuses.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::Path;

/// Every published config, sorted by name.
fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The readings the chapter includes (named here, whole, so that the book's include check finds
/// the test that asserts them).
const ON_THE_PAGE: [&str; 6] = [
    "reading-deepseek-v4-flash-reap",
    "reading-gemma-3-4b-it",
    "reading-lfm2.5-vl-1.6b",
    "reading-llama-3.2-90b-vision-instruct",
    "reading-exaone-4.0-32b",
    "reading-deepseek-v3",
];

#[test]
fn every_published_config_has_a_snapshot_of_its_reading() {
    let files = fixtures();
    assert!(files.len() >= 31, "{} fixtures", files.len());
    for name in ON_THE_PAGE {
        assert!(
            files
                .iter()
                .any(|(stem, _)| format!("reading-{stem}") == name),
            "{name}"
        );
    }
    for (stem, text) in files {
        let reading = match scaling::config::read(&text) {
            Ok(p) => scaling::report::reading(&p, None).unwrap(),
            Err(e) => format!("refused: {e}\n"),
        };
        bookkit::snapshot!(format!("reading-{stem}"), reading);
    }
}
