//! The figure a reader can move: its JSON holds what the crate computes at every setting of the
//! sliders, and its static SVG (what readers without JavaScript see) draws the JSON's initial
//! setting through the JSON's own pixel mapping. The figure test holds both files to the code.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scaling::explore::{self, FACTORS, TRAINS};
use serde_json::Value;

fn data() -> Value {
    let figure = explore::figure().unwrap();
    serde_json::from_str(figure.data.as_deref().unwrap()).unwrap()
}

/// The values of series `s` at slider indices `f` (factor) and `l` (length), as the renderer and
/// the browser check look them up.
fn lookup(doc: &Value, s: usize, f: usize, l: usize) -> Vec<f64> {
    let series = &doc["series"][s];
    let by: Vec<&str> = series["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let index = match by.as_slice() {
        ["factor"] => f,
        ["factor", "train"] => f * TRAINS.len() + l,
        other => panic!("unexpected `by` {other:?}"),
    };
    let values = series["values"][index].as_array().unwrap();
    values.iter().map(|v| v.as_f64().unwrap()).collect()
}

#[test]
fn the_data_is_the_crates_ratios_at_every_setting_to_its_stated_decimals() {
    let doc = data();
    let tolerance = 0.5 * 10f64.powi(-explore::DECIMALS) + 1e-12;
    for (f, &factor) in FACTORS.iter().enumerate() {
        for (l, &train) in TRAINS.iter().enumerate() {
            let ratios = explore::ratios(factor, train).unwrap();
            for (s, (label, want)) in ratios.iter().enumerate() {
                assert_eq!(doc["series"][s]["label"], *label);
                let got = lookup(&doc, s, f, l);
                assert_eq!(got.len(), 64);
                for (j, (g, w)) in got.iter().zip(want).enumerate() {
                    assert!(
                        (g - w).abs() <= tolerance,
                        "{label} s={factor} L={train} j={j}: {g} vs {w}"
                    );
                }
            }
        }
    }
    // Only the schemes whose frequencies depend on the training length are stored per length.
    let by: Vec<usize> = (0..4)
        .map(|s| doc["series"][s]["by"].as_array().unwrap().len())
        .collect();
    assert_eq!(by, [1, 1, 2, 2]);
    let values = |k: &str| -> Vec<f64> {
        doc["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == k)
            .unwrap()["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    assert_eq!(values("factor"), FACTORS);
    assert_eq!(values("train"), TRAINS.map(|l| l as f64));
}

#[test]
fn the_static_svg_draws_the_initial_setting_through_the_datas_mapping() {
    let figure = explore::figure().unwrap();
    let doc = data();
    let (f, l) = (
        doc["controls"][0]["initial"].as_u64().unwrap() as usize,
        doc["controls"][1]["initial"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        (FACTORS[f], TRAINS[l]),
        (scaling::figures::FACTOR, scaling::figures::TRAIN)
    );
    let axis = |k: &str| {
        let a = &doc[k];
        let n = |v: &Value| v.as_f64().unwrap();
        (n(&a["from"]), n(&a["to"]), n(&a["px"][0]), n(&a["px"][1]))
    };
    let map = |(from, to, p0, p1): (f64, f64, f64, f64), v: f64| {
        p0 + (v - from) / (to - from) * (p1 - p0)
    };
    assert!(figure.svg.contains(doc["title"]["drawn"].as_str().unwrap()));
    for s in 0..4 {
        let stroke = doc["series"][s]["stroke"].as_str().unwrap();
        // The curve is the polyline of that colour with the most points (the legend's has two).
        let points: Vec<(f64, f64)> = figure
            .svg
            .lines()
            .filter(|line| {
                line.starts_with("<polyline") && line.contains(&format!("stroke=\"{stroke}\""))
            })
            .map(|line| {
                let p = &line[line.find("points=\"").unwrap() + 8..];
                p[..p.find('"').unwrap()]
                    .split_whitespace()
                    .map(|xy| {
                        let (x, y) = xy.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .max_by_key(|p: &Vec<(f64, f64)>| p.len())
            .unwrap();
        let want = lookup(&doc, s, f, l);
        assert_eq!(points.len(), want.len());
        // plotters rounds to whole pixels: within one pixel of the exact mapping.
        for (j, ((x, y), v)) in points.iter().zip(&want).enumerate() {
            let (mx, my) = (map(axis("x"), j as f64), map(axis("y"), *v));
            assert!(
                (x - mx).abs() <= 1.0 && (y - my).abs() <= 1.0,
                "series {s} pair {j}: ({x}, {y}) vs ({mx}, {my})"
            );
        }
    }
}

#[test]
fn the_templates_fill_in_to_what_the_crate_writes() {
    let doc = data();
    for key in ["title", "alt"] {
        let t = doc[key]["template"].as_str().unwrap();
        assert!(t.contains("{factor}") && t.contains("{train}"), "{t}");
        let filled = t.replace("{factor}", "16").replace("{train}", "2048");
        let want = if key == "title" {
            explore::title(16.0, 2048)
        } else {
            explore::alt(16.0, 2048)
        };
        assert_eq!(filled, want);
    }
}

#[test]
fn a_bad_factor_is_an_error_naming_the_key() {
    let e = explore::ratios(0.0, 4096).unwrap_err().to_string();
    assert!(e.contains("`factor` = 0"), "{e}");
}
