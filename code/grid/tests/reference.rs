//! The crate against an independent computation: `tests/fixtures/reference.py` wrote the JSON
//! files beside it (with NumPy 2.4.6 and SciPy 1.17.1; the test command never runs Python).
//!
//! - `resample.json`: tables resampled by `scipy.ndimage.zoom(order=1)` itself (what big_vision's
//!   `resample_posemb` calls) and by a NumPy transcription of PyTorch's half-pixel formula;
//! - `mrope_components.json`: transformers 5.24.0's recomposition steps run on labelled arrays;
//! - `positions.json`: `get_rope_index`'s rules of 5.24.0 and 4.57.1, re-implemented in Python
//!   with float32 products emulated.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use grid::mrope::{Axis, Mrope, Sections};
use grid::positions::{Model, Release, Segment, Setup, position_ids};
use grid::{Align, Grid, resample, resample_slow};
use ndarray::Array2;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn pair(v: &Value) -> Grid {
    let a = v.as_array().unwrap();
    Grid::new(
        a[0].as_u64().unwrap() as usize,
        a[1].as_u64().unwrap() as usize,
    )
    .unwrap()
}

#[test]
fn resampling_matches_scipy_and_the_half_pixel_formula() {
    let cases = load("resample.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let (old, new) = (pair(&case["old"]), pair(&case["new"]));
        let table = matrix(&case["table"]);
        for (key, align) in [
            ("corners", Align::Corners),
            ("half_pixel", Align::HalfPixel),
        ] {
            let want = matrix(&case[key]);
            for got in [
                resample(table.view(), old, new, align).unwrap(),
                resample_slow(table.view(), old, new, align).unwrap(),
            ] {
                // Entries are below 2 in size and each is a sum of at most four products with
                // weights in [0, 1]: a few roundings of 2^-53 · 2 apart at most, and SciPy
                // computes its weights its own way (in another order). 1e-12 is ~4500 ulps of
                // slack and still catches any wrong weight.
                let worst = (&got - &want).iter().fold(0.0f64, |m, e| m.max(e.abs()));
                assert!(worst < 1e-12, "{key} {old} → {new}: off by {worst}");
            }
        }
    }
}

#[test]
fn sections_match_the_recomposition_of_transformers() {
    let cases = load("mrope_components.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for case in cases {
        let s: Vec<usize> = case["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let layout = match case["layout"].as_str().unwrap() {
            "chunked" => Sections::Chunked,
            _ => Sections::Interleaved,
        };
        let head_dim = 2 * s.iter().sum::<usize>();
        let m = Mrope::new(head_dim, 10000.0, [s[0], s[1], s[2]], layout).unwrap();
        let want: Vec<Axis> = case["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Axis::ALL[c.as_u64().unwrap() as usize])
            .collect();
        assert_eq!(m.axes(), want.as_slice(), "{s:?} {layout:?}");
        assert_eq!(m.counts(), [s[0], s[1], s[2]], "{s:?} {layout:?}");
    }
}

fn segment(v: &Value) -> Segment {
    let a = v.as_array().unwrap();
    let n = |i: usize| a[i].as_u64().unwrap() as usize;
    match a[0].as_str().unwrap() {
        "text" => Segment::Text(n(1)),
        "image" => Segment::Image { h: n(1), w: n(2) },
        _ => Segment::Video {
            t: n(1),
            h: n(2),
            w: n(3),
        },
    }
}

fn model(v: &Value) -> Model {
    match v["name"].as_str().unwrap() {
        "qwen2-vl" => Model::Qwen2Vl,
        "qwen2.5-vl" => Model::Qwen25Vl {
            tokens_per_second: v["tokens_per_second"].as_u64().unwrap() as u32,
            // The JSON holds the float64 the processor computed (2 / 3); the model receives it
            // as a float32 tensor, so round it the same way.
            second_per_grid: v["second_per_grid"].as_f64().unwrap() as f32,
        },
        _ => Model::Qwen3Vl {
            timestamp_tokens: v["timestamp_tokens"].as_u64().unwrap() as usize,
        },
    }
}

#[test]
fn position_ids_match_the_reference_in_both_releases() {
    let cases = load("positions.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5 * 6 * 2);
    let mut differ = 0;
    for case in cases {
        let segments: Vec<Segment> = case["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(segment)
            .collect();
        let setup = Setup {
            model: model(&case["model"]),
            release: case["release"].as_str().unwrap().parse().unwrap(),
            merge: case["merge"].as_u64().unwrap() as usize,
            limit: 1 << 20,
        };
        let got = position_ids(&segments, &setup).unwrap();
        for (c, key) in ["t", "h", "w"].into_iter().enumerate() {
            let want: Vec<u64> = case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            let ours: Vec<u64> = got.ids.iter().map(|p| p[c]).collect();
            assert_eq!(ours, want, "{key}: {segments:?} {setup:?}");
        }
        assert_eq!(got.delta(), case["delta"].as_i64().unwrap());
        if setup.release == Release::V5_24 {
            let older = Setup {
                release: Release::V4_57,
                ..setup
            };
            differ += usize::from(position_ids(&segments, &older).unwrap() != got);
        }
    }
    // The fixtures exercise the difference between the releases, not only their agreement.
    assert!(differ >= 10, "only {differ} cases tell the releases apart");
}
