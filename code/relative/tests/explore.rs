//! The figure a reader can move: its JSON holds the crate's slopes at every head count, and its
//! static SVG draws the initial head count through the JSON's own pixel mapping.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use relative::explore::{self, HEADS, INITIAL_HEADS};
use serde_json::Value;

fn data() -> (String, Value) {
    let figure = explore::figure().unwrap();
    let doc = serde_json::from_str(figure.data.as_deref().unwrap()).unwrap();
    (figure.svg, doc)
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn the_data_is_the_crates_slopes_at_every_head_count() {
    let (_, doc) = data();
    let control = &doc["controls"][0];
    assert_eq!(numbers(&control["values"]), HEADS.map(|h| h as f64));
    let tolerance = 0.5 * 10f64.powi(-explore::DECIMALS) + 1e-12;
    for (i, &heads) in HEADS.iter().enumerate() {
        let got = numbers(&doc["series"][0]["values"][i]);
        let want = explore::halvings(heads).unwrap();
        assert_eq!(got.len(), heads);
        for (h, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= tolerance,
                "H = {heads}, head {}: {g} vs {w}",
                h + 1
            );
        }
    }
    // The gentlest slope of every head count is 2^-8, eight halvings (to rounding: the slopes
    // are powers of 2^(-8/n)), as the page says.
    for heads in HEADS {
        let gentlest = explore::halvings(heads)
            .unwrap()
            .into_iter()
            .fold(0.0, f64::max);
        assert!((gentlest - 8.0).abs() < 1e-12, "H = {heads}: {gentlest}");
    }
}

#[test]
fn the_static_svg_draws_the_initial_head_count_through_the_datas_mapping() {
    let (svg, doc) = data();
    let i = doc["controls"][0]["initial"].as_u64().unwrap() as usize;
    assert_eq!(HEADS[i], INITIAL_HEADS);
    assert!(svg.contains(doc["title"]["drawn"].as_str().unwrap()));
    let stroke = doc["series"][0]["stroke"].as_str().unwrap();
    let line = svg
        .lines()
        .find(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{stroke}\"")))
        .unwrap();
    let p = &line[line.find("points=\"").unwrap() + 8..];
    let points: Vec<(f64, f64)> = p[..p.find('"').unwrap()]
        .split_whitespace()
        .map(|xy| {
            let (x, y) = xy.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect();
    let axis = |k: &str| {
        let a = &doc[k];
        (
            a["from"].as_f64().unwrap(),
            a["to"].as_f64().unwrap(),
            a["px"][0].as_f64().unwrap(),
            a["px"][1].as_f64().unwrap(),
        )
    };
    let map = |(from, to, p0, p1): (f64, f64, f64, f64), v: f64| {
        p0 + (v - from) / (to - from) * (p1 - p0)
    };
    let want = numbers(&doc["series"][0]["values"][i]);
    assert_eq!(points.len(), want.len());
    for (h, ((x, y), v)) in points.iter().zip(&want).enumerate() {
        let (mx, my) = (map(axis("x"), 1.0 + h as f64), map(axis("y"), *v));
        assert!(
            (x - mx).abs() <= 1.0 && (y - my).abs() <= 1.0,
            "head {}: ({x}, {y}) vs ({mx}, {my})",
            h + 1
        );
    }
}

#[test]
fn the_templates_fill_in_to_what_the_crate_writes() {
    let (_, doc) = data();
    let fill = |k: &str| {
        doc[k]["template"]
            .as_str()
            .unwrap()
            .replace("{heads}", "24")
    };
    assert_eq!(fill("title"), explore::title(24));
    assert_eq!(fill("alt"), explore::alt(24));
}

#[test]
fn zero_heads_is_an_error_naming_the_key() {
    let e = explore::halvings(0).unwrap_err().to_string();
    assert!(e.contains("heads = 0") && e.contains("1 to 65536"), "{e}");
}
