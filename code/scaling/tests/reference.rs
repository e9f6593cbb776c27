//! Every published RoPE config in `tests/fixtures/models/`, read by the crate, against an
//! independent reading: `tests/fixtures/reference/rope_reference.txt`, written by
//! `rope_reference.py` beside it (plain Python floats, following transformers 5.24.0's config
//! classes and `modeling_rope_utils.py`; no code shared with the crate). Each line is one kind of
//! layer: its count, and where it rotates its width, base, cos/sin factor, softmax factor and
//! every inverse frequency at `max_position_embeddings` tokens.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::config::{Positions, read};

/// Both sides compute `1 / base^(2j/d)` with one `pow` and a division in f64, then the scheme's
/// few multiplications and divisions: a few ulp apart at most. 1e-12 relative leaves room for
/// that and nothing else (a wrong base or width moves frequencies by far more).
const TOLERANCE: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs())
}

#[test]
fn every_rope_fixture_matches_the_independent_reading() {
    let text = include_str!("fixtures/reference/rope_reference.txt");
    let mut checked = 0;
    let mut files = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(' ').collect();
        let (stem, kind, count) = (f[0], f[1], f[2].parse::<usize>().unwrap());
        files.insert(stem);
        let path = format!(
            "{}/tests/fixtures/models/{stem}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let Positions::Rope(m) = read(&std::fs::read_to_string(path).unwrap()).unwrap() else {
            panic!("{stem}: not read as RoPE");
        };
        let groups: Vec<_> = m
            .layers
            .iter()
            .filter(|g| g.layer_type == kind && (g.rope.is_none()) == (f[3] == "none"))
            .collect();
        assert_eq!(groups.len(), 1, "{stem} {kind}: {:?}", m.layers);
        let g = groups[0];
        assert_eq!(g.count, count, "{stem} {kind}");
        let Some(r) = &g.rope else {
            checked += 1;
            continue;
        };
        let dim: usize = f[3].parse().unwrap();
        let theta: f64 = f[4].parse().unwrap();
        let (cos_sin, softmax): (f64, f64) = (f[5].parse().unwrap(), f[6].parse().unwrap());
        let inv: Vec<f64> = f[7..].iter().map(|x| x.parse().unwrap()).collect();
        assert_eq!((r.base.dim, r.base.theta), (dim, theta), "{stem} {kind}");
        let scaled = scaling::compute(&r.base, &r.scheme, r.base.max_position_embeddings).unwrap();
        assert!(
            close(scaled.attention_factor, cos_sin),
            "{stem} {kind}: {} vs {cos_sin}",
            scaled.attention_factor
        );
        assert!(
            close(r.logits.softmax_factor, softmax),
            "{stem} {kind}: softmax"
        );
        assert_eq!(scaled.inv_freq.len(), inv.len(), "{stem} {kind}");
        for (j, (a, b)) in scaled.inv_freq.iter().zip(&inv).enumerate() {
            assert!(close(*a, *b), "{stem} {kind} pair {j}: {a} vs {b}");
        }
        // The reading covers the same kinds as the reference, no more.
        let kinds = text
            .lines()
            .filter(|l| l.starts_with(&format!("{stem} ")))
            .count();
        assert_eq!(m.layers.len(), kinds, "{stem}");
        checked += 1;
    }
    assert!(files.len() >= 20, "{} RoPE fixtures", files.len());
    assert!(checked >= 25, "{checked} kinds of layer");
}
