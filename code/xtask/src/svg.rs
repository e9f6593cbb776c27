//! The committed figures as a reader sees them: text large enough to read at the column width,
//! and legends that cover no data; their colours are [`crate::contrast`]'s. Read from the SVG
//! files themselves (as plotters writes them), so the rules hold whatever code drew them.
//!
//! The rule for text: every non-empty `<text>` renders at [`MIN_TEXT_PX`] or more when the
//! figure is shown in mdBook's content column, [`COLUMN_PX`] wide (a wider figure is scaled down
//! to it; a narrower one is shown at its own size). On a phone the theme shows a figure
//! [`PHONE_FIGURE_PX`] wide in its own sideways-scrolling box (`src/theme/fit.css`), so text
//! there is at least `MIN_TEXT_PX × PHONE_FIGURE_PX / COLUMN_PX` = 8.8 px.

use std::path::Path;

use regex::Regex;

use crate::Problem;
use crate::contrast::{self, Scheme};

/// Width of mdBook's content column, in CSS pixels (`--content-max-width`, 750 px).
pub const COLUMN_PX: f64 = 750.0;

/// The smallest text a figure may show at [`COLUMN_PX`].
pub const MIN_TEXT_PX: f64 = 11.0;

/// The width at which the theme shows a figure on a phone (`src/theme/fit.css`).
pub const PHONE_FIGURE_PX: f64 = 600.0;

/// The width of an SVG in user units: its `viewBox` width, else its `width` attribute.
pub fn width(svg: &str) -> Option<f64> {
    let root = svg.split('>').next()?;
    let attr = |name: &str| {
        Regex::new(&format!(r#"\s{name}="([^"]*)""#))
            .ok()?
            .captures(root)
            .map(|c| c[1].to_string())
    };
    if let Some(vb) = attr("viewBox") {
        return vb.split_whitespace().nth(2)?.parse().ok();
    }
    attr("width")?.trim_end_matches("px").parse().ok()
}

/// Every non-empty `<text>` of `svg`: its font size and its text.
pub fn texts(svg: &str) -> Vec<(f64, String)> {
    let text = Regex::new(r"(?s)<text\b([^>]*)>(.*?)</text>").expect("a valid pattern");
    let size = Regex::new(r#"font-size="([0-9.]+)(?:px)?""#).expect("a valid pattern");
    text.captures_iter(svg)
        .filter_map(|c| {
            let body = c[2].trim().to_string();
            if body.is_empty() {
                return None;
            }
            let px = size.captures(&c[1])?[1].parse().ok()?;
            Some((px, body))
        })
        .collect()
}

/// The size at which text of `px` user units renders when an SVG `width` wide is shown in the
/// content column.
pub fn rendered(px: f64, width: f64) -> f64 {
    px * (COLUMN_PX.min(width) / width)
}

/// Text in `svg` that renders below [`MIN_TEXT_PX`] at the column width.
pub fn small_text(svg: &str) -> Vec<String> {
    let Some(w) = width(svg) else {
        return vec!["has no width or viewBox".into()];
    };
    texts(svg)
        .into_iter()
        .filter(|&(px, _)| rendered(px, w) < MIN_TEXT_PX)
        .map(|(px, text)| {
            format!(
                "text {text:?} is {px:.1} px in a {w} px wide figure: {:.1} px at the {COLUMN_PX} px \
                 column, below {MIN_TEXT_PX} px (use bookkit::chart::LABEL_PX)",
                rendered(px, w)
            )
        })
        .collect()
}

/// An axis-aligned box: left, top, right, bottom.
type Box4 = (f64, f64, f64, f64);

fn num(attrs: &str, name: &str) -> Option<f64> {
    Regex::new(&format!(r#"\s{name}="(-?[0-9.]+)""#))
        .ok()?
        .captures(attrs)?[1]
        .parse()
        .ok()
}

/// Whether the segment from `a` to `b` passes through the inside of `r` (Liang and Barsky's
/// clipping: the parameter interval where the segment is inside all four slabs is not empty).
pub fn crosses(a: (f64, f64), b: (f64, f64), r: Box4) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - r.0),
        (dx, r.2 - a.0),
        (-dy, a.1 - r.1),
        (dy, r.3 - a.1),
    ] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// Data that a legend box covers: each legend (plotters draws it as a white rectangle followed
/// by a black-bordered one of the same geometry) against every curve (`<polyline>`) and marker
/// (`<circle>`) drawn before it.
pub fn legend_overlaps(svg: &str) -> Vec<String> {
    let element = Regex::new(r"<(rect|polyline|circle)\b([^>]*)/?>").expect("a valid pattern");
    let elements: Vec<(String, String)> = element
        .captures_iter(svg)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let rect = |attrs: &str| -> Option<Box4> {
        let (x, y) = (num(attrs, "x")?, num(attrs, "y")?);
        Some((x, y, x + num(attrs, "width")?, y + num(attrs, "height")?))
    };
    let mut found = Vec::new();
    for (i, pair) in elements.windows(2).enumerate() {
        let [(k1, a1), (k2, a2)] = pair else { continue };
        if k1 != "rect" || k2 != "rect" || !a1.contains("fill=\"#FFFFFF\"") {
            continue;
        }
        if !(a2.contains("fill=\"none\"") && a2.contains("stroke=\"#000000\"")) {
            continue;
        }
        let (Some(r), Some(r2)) = (rect(a1), rect(a2)) else {
            continue;
        };
        if r != r2 {
            continue;
        }
        let mut hits = 0;
        for (kind, attrs) in &elements[..i] {
            let hit = match kind.as_str() {
                "polyline" => {
                    let points: Vec<(f64, f64)> = attrs
                        .split("points=\"")
                        .nth(1)
                        .and_then(|p| p.split('"').next())
                        .unwrap_or("")
                        .split_whitespace()
                        .filter_map(|xy| {
                            let (x, y) = xy.split_once(',')?;
                            Some((x.parse().ok()?, y.parse().ok()?))
                        })
                        .collect();
                    points.windows(2).any(|s| crosses(s[0], s[1], r))
                        || (points.len() == 1 && crosses(points[0], points[0], r))
                }
                "circle" => match (num(attrs, "cx"), num(attrs, "cy"), num(attrs, "r")) {
                    (Some(cx), Some(cy), Some(rad)) => {
                        cx + rad > r.0 && cx - rad < r.2 && cy + rad > r.1 && cy - rad < r.3
                    }
                    _ => false,
                },
                _ => false,
            };
            hits += usize::from(hit);
        }
        if hits > 0 {
            found.push(format!(
                "the legend at x {}..{}, y {}..{} covers {hits} curve(s) or marker(s): move it \
                 where there is no data, or draw it with bookkit::legend_below",
                r.0, r.2, r.1, r.3
            ));
        }
    }
    found
}

/// Every problem of every SVG in `dir`, each naming its file: small text, a legend over data, and
/// the colour rules of [`crate::contrast`] in the light and the dark scheme.
pub fn check_dir(dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for file in crate::walk(dir) {
        if file.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let svg = match std::fs::read_to_string(&file) {
            Ok(s) => s,
            Err(e) => {
                problems.push(Problem {
                    file,
                    line: None,
                    message: format!("cannot be read: {e}"),
                });
                continue;
            }
        };
        let colours = [Scheme::Light, Scheme::Dark]
            .into_iter()
            .flat_map(|scheme| contrast::problems(&svg, scheme));
        for message in small_text(&svg)
            .into_iter()
            .chain(legend_overlaps(&svg))
            .chain(colours)
        {
            problems.push(Problem {
                file: file.clone(),
                line: None,
                message,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<svg width="900" height="400" viewBox="0 0 900 400" xmlns="http://www.w3.org/2000/svg">"#;

    #[test]
    fn the_width_comes_from_the_view_box_first() {
        assert_eq!(width(HEAD), Some(900.0));
        assert_eq!(width(r#"<svg width="640px" height="10">"#), Some(640.0));
        assert_eq!(
            width(r#"<svg width="10" viewBox="0 0 300 10"><rect width="5"/>"#),
            Some(300.0)
        );
        assert_eq!(width("<svg><rect width=\"5\"/></svg>"), None);
    }

    #[test]
    fn text_sizes_are_read_and_empty_text_is_skipped() {
        let svg = format!(
            "{HEAD}<text x=\"1\" font-size=\"9.5\" fill=\"#000\">\nsmall\n</text>\
             <text font-size=\"14\">\n\n</text><text font-size=\"16px\">big</text>"
        );
        assert_eq!(
            texts(&svg),
            vec![(9.5, "small".to_string()), (16.0, "big".to_string())]
        );
    }

    #[test]
    fn text_is_measured_at_the_column_width() {
        // A 900 px figure is shown at 750 px: 14 px text renders at 14 × 750 / 900 = 11.67 px.
        assert!((rendered(14.0, 900.0) - 11.666_666).abs() < 1e-5);
        // A figure narrower than the column is not scaled up.
        assert_eq!(rendered(11.0, 600.0), 11.0);
        let ok = format!("{HEAD}<text font-size=\"13.2\">fits</text>");
        assert!(small_text(&ok).is_empty(), "{:?}", small_text(&ok));
        let small = format!("{HEAD}<text font-size=\"13.1\">tick</text>");
        let p = small_text(&small);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("text \"tick\" is 13.1 px in a 900 px wide figure: 10.9 px"));
        assert_eq!(small_text("<svg>"), vec!["has no width or viewBox"]);
    }

    #[test]
    fn segments_cross_a_box_only_through_its_inside() {
        let r = (10.0, 10.0, 20.0, 20.0);
        assert!(crosses((0.0, 15.0), (30.0, 15.0), r), "straight through");
        assert!(crosses((12.0, 12.0), (13.0, 13.0), r), "wholly inside");
        assert!(crosses((0.0, 0.0), (30.0, 30.0), r), "diagonally");
        assert!(!crosses((0.0, 5.0), (30.0, 5.0), r), "above");
        assert!(!crosses((0.0, 25.0), (30.0, 25.0), r), "below");
        assert!(!crosses((25.0, 0.0), (25.0, 30.0), r), "right of it");
        assert!(!crosses((5.0, 0.0), (5.0, 30.0), r), "left of it");
        assert!(!crosses((0.0, 40.0), (40.0, 0.0), r), "past the corner");
        assert!(!crosses((0.0, 10.0), (30.0, 10.0), r), "along the edge");
    }

    fn legend_svg(curve: &str) -> String {
        format!(
            "{HEAD}<rect x=\"0\" y=\"0\" width=\"900\" height=\"400\" fill=\"#FFFFFF\" stroke=\"none\"/>\
             {curve}\
             <rect x=\"100\" y=\"50\" width=\"200\" height=\"40\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\
             <rect x=\"100\" y=\"50\" width=\"200\" height=\"40\" opacity=\"1\" fill=\"none\" stroke=\"#000000\"/>\
             <polyline points=\"110,70 126,70\"/>"
        )
    }

    #[test]
    fn a_legend_over_a_curve_or_marker_is_found() {
        let clear = legend_svg("<polyline fill=\"none\" points=\"0,300 900,300\"/>");
        assert!(
            legend_overlaps(&clear).is_empty(),
            "the sample inside the box is not data"
        );
        let through = legend_svg("<polyline fill=\"none\" points=\"0,300 150,60 900,300\"/>");
        let p = legend_overlaps(&through);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("the legend at x 100..300, y 50..90 covers 1 curve"));
        let marker = legend_svg(
            "<circle cx=\"305\" cy=\"60\" r=\"6\"/><circle cx=\"320\" cy=\"60\" r=\"6\"/>",
        );
        assert!(legend_overlaps(&marker)[0].contains("covers 1 curve(s) or marker(s)"));
        // A white cell next to a framed grid is not a legend.
        let heatmap = format!(
            "{HEAD}<polyline points=\"0,60 900,60\"/>\
             <rect x=\"100\" y=\"50\" width=\"20\" height=\"20\" fill=\"#FFFFFF\" stroke=\"none\"/>\
             <rect x=\"100\" y=\"50\" width=\"200\" height=\"40\" fill=\"none\" stroke=\"#000000\"/>"
        );
        assert!(legend_overlaps(&heatmap).is_empty());
    }

    #[test]
    fn only_a_white_rect_then_a_black_frame_of_the_same_size_is_a_legend() {
        let curve = "<polyline points=\"0,70 900,70\"/>";
        let pair = |first: &str, second: &str| {
            format!(
                "{HEAD}{curve}<{first} x=\"100\" y=\"50\" width=\"200\" height=\"40\" \
                 fill=\"#FFFFFF\"/><{second} x=\"100\" y=\"50\" width=\"200\" height=\"40\" \
                 fill=\"none\" stroke=\"#000000\"/>"
            )
        };
        assert_eq!(legend_overlaps(&pair("rect", "rect")).len(), 1);
        assert!(legend_overlaps(&pair("circle", "rect")).is_empty());
        assert!(legend_overlaps(&pair("rect", "circle")).is_empty());
        // A second rectangle that is not a black frame.
        let grey = pair("rect", "rect").replace("stroke=\"#000000\"", "stroke=\"#888888\"");
        assert!(legend_overlaps(&grey).is_empty());
        let filled = pair("rect", "rect").replace("fill=\"none\"", "fill=\"#000000\"");
        assert!(legend_overlaps(&filled).is_empty());
    }

    #[test]
    fn a_one_point_curve_counts_only_inside_the_box() {
        let inside = legend_svg("<polyline points=\"150,70\"/>");
        assert_eq!(legend_overlaps(&inside).len(), 1);
        let outside = legend_svg("<polyline points=\"500,300\"/>");
        assert!(legend_overlaps(&outside).is_empty());
    }

    #[test]
    fn a_marker_counts_when_its_disc_reaches_into_the_box() {
        // The box spans x 100..300, y 50..90; markers of radius 6.
        let hits = |cx: i32, cy: i32| {
            legend_overlaps(&legend_svg(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"6\"/>"
            )))
            .len()
        };
        // Reaching 1 px into each side.
        assert_eq!(hits(95, 70), 1, "left");
        assert_eq!(hits(305, 70), 1, "right");
        assert_eq!(hits(200, 45), 1, "top");
        assert_eq!(hits(200, 95), 1, "bottom");
        // Touching a side from outside, or further away.
        assert_eq!(hits(94, 70), 0, "left");
        assert_eq!(hits(306, 70), 0, "right");
        assert_eq!(hits(200, 44), 0, "top");
        assert_eq!(hits(200, 96), 0, "bottom");
        assert_eq!(hits(600, 300), 0, "far");
    }

    #[test]
    fn check_dir_names_each_file() {
        let dir = std::env::temp_dir().join(format!("xtask-svg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bg = "<rect x=\"0\" y=\"0\" width=\"900\" height=\"400\" fill=\"#FFFFFF\"/>";
        std::fs::write(
            dir.join("a-ok.svg"),
            format!("{HEAD}{bg}<text font-size=\"14\" fill=\"#000000\">ok</text>"),
        )
        .unwrap();
        std::fs::write(
            dir.join("b-small.svg"),
            format!("{HEAD}{bg}<text font-size=\"9\">x</text>"),
        )
        .unwrap();
        // Pale text on white: one problem per scheme (the file has no dark block).
        std::fs::write(
            dir.join("c-pale.svg"),
            format!("{HEAD}{bg}<text font-size=\"14\" fill=\"#BBBBBB\">pale</text>"),
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "<svg>").unwrap();
        let p = check_dir(&dir);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p[0].file, dir.join("b-small.svg"));
        assert!(p[1].message.contains("in the light scheme"), "{p:?}");
        assert!(p[2].message.contains("in the dark scheme"), "{p:?}");
        assert!(p[1..].iter().all(|p| p.file == dir.join("c-pale.svg")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
