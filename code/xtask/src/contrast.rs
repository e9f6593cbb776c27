//! The committed figures' colours as a reader sees them, in the light themes and in the dark ones:
//! curves and markers at least 3:1 against the figure's background (WCAG 2.2, success criterion
//! 1.4.11, non-text contrast), text at least 4.5:1 against what lies under it (1.4.3), and a
//! figure with two or more coloured curves has a legend entry or a label in each curve's colour.
//!
//! Read from the SVG text as the browser reads it. A figure's dark scheme is its own
//! `@media (prefers-color-scheme: dark)` block, whose rules have the form
//! `tag[attr="#RRGGBB"] { prop: #RRGGBB; }` (the tag may be left out); CSS outranks the SVG's
//! presentation attributes, so a rule that matches an element gives it the new colour. Opacity is
//! composited over what lies under the element, per sRGB channel, as browsers do.

use regex::Regex;

/// Curves and markers: WCAG 2.2's 3:1 for graphical objects (1.4.11).
pub const MIN_LINE_CONTRAST: f64 = 3.0;

/// Text: WCAG 2.2's 4.5:1 for text (1.4.3).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// An sRGB colour, 0 to 255 per channel.
pub type Rgb = (u8, u8, u8);

/// A filled rectangle (left, top, right, bottom) and the colour it shows.
type Fill = ((f64, f64, f64, f64), Rgb);

/// The two ways a figure is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// mdBook's light themes, and paper.
    Light,
    /// mdBook's dark themes (navy, coal, ayu), which set `color-scheme: dark`.
    Dark,
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        })
    }
}

/// WCAG 2.2's contrast ratio, 1 to 21: [`bookkit::style::contrast`], the formula the figures
/// are drawn to, on this module's colour type.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let rgb = |c: Rgb| plotters::style::RGBColor(c.0, c.1, c.2);
    bookkit::style::contrast(rgb(a), rgb(b))
}

/// `top` at `opacity` over `under`, per channel.
pub fn over(top: Rgb, opacity: f64, under: Rgb) -> Rgb {
    let mix = |t: u8, u: u8| (f64::from(u) + (f64::from(t) - f64::from(u)) * opacity).round() as u8;
    (
        mix(top.0, under.0),
        mix(top.1, under.1),
        mix(top.2, under.2),
    )
}

/// `#RRGGBB` (either case) as a colour; anything else (`none`, a name) is `None`.
pub fn parse_hex(s: &str) -> Option<Rgb> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

fn hex(c: Rgb) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// One rule of a figure's dark block: elements named `tag` (any, if empty) whose `attr` is
/// `value` get `prop` = `to`.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    tag: String,
    attr: String,
    value: Rgb,
    prop: String,
    to: Rgb,
}

fn dark_rules(svg: &str) -> Vec<Rule> {
    let Some(start) = svg.find("prefers-color-scheme: dark") else {
        return Vec::new();
    };
    let block = &svg[start..];
    let block = &block[..block.find("</style>").unwrap_or(block.len())];
    let rule = Regex::new(
        r#"([a-z]*)\[(fill|stroke)="(#[0-9A-Fa-f]{6})"\]\s*\{\s*(fill|stroke)\s*:\s*(#[0-9A-Fa-f]{6})\s*;?\s*\}"#,
    )
    .expect("a valid pattern");
    rule.captures_iter(block)
        .filter_map(|c| {
            Some(Rule {
                tag: c[1].to_string(),
                attr: c[2].to_string(),
                value: parse_hex(&c[3])?,
                prop: c[4].to_string(),
                to: parse_hex(&c[5])?,
            })
        })
        .collect()
}

/// An element of the drawing, in document order.
#[derive(Debug, Clone)]
struct Element {
    tag: String,
    attrs: String,
    /// The text of a `<text>`, trimmed.
    text: String,
}

fn elements(svg: &str) -> Vec<Element> {
    let tag = Regex::new(r"(?s)<(rect|polyline|circle|text|line|path)\b([^>]*)>").expect("valid");
    tag.captures_iter(svg)
        .map(|c| {
            let end = c.get(0).map_or(0, |m| m.end());
            let text = if &c[1] == "text" {
                let rest = &svg[end..];
                rest[..rest.find("</text>").unwrap_or(0)].trim().to_string()
            } else {
                String::new()
            };
            Element {
                tag: c[1].to_string(),
                attrs: c[2].to_string(),
                text,
            }
        })
        .collect()
}

fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = format!(" {attrs}").find(&key)?;
    let rest = attrs.get(at + key.len() - 1..)?;
    rest.split('"').next()
}

fn number(attrs: &str, name: &str) -> Option<f64> {
    attr(attrs, name)?.trim_end_matches("px").parse().ok()
}

/// The colour of `prop` (`fill` or `stroke`) of `e` in `scheme`, or `None` when it paints nothing.
fn paint(e: &Element, prop: &str, scheme: Scheme, rules: &[Rule]) -> Option<Rgb> {
    let value = parse_hex(attr(&e.attrs, prop)?)?;
    if scheme == Scheme::Light {
        return Some(value);
    }
    let rule = rules.iter().rev().find(|r| {
        r.prop == prop
            && (r.tag.is_empty() || r.tag == e.tag)
            && attr(&e.attrs, &r.attr).and_then(parse_hex) == Some(r.value)
    });
    Some(rule.map_or(value, |r| r.to))
}

fn opacity(e: &Element) -> f64 {
    number(&e.attrs, "opacity").unwrap_or(1.0)
}

fn points(e: &Element) -> Vec<(f64, f64)> {
    attr(&e.attrs, "points")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|xy| {
            let (x, y) = xy.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

/// Every colour problem of `svg` in `scheme`, each a sentence naming the element and its colours.
pub fn problems(svg: &str, scheme: Scheme) -> Vec<String> {
    let rules = dark_rules(svg);
    let all = elements(svg);
    let Some(background) = all
        .iter()
        .find(|e| e.tag == "rect")
        .and_then(|e| paint(e, "fill", scheme, &rules))
    else {
        return vec!["has no background rectangle".into()];
    };
    let mut found: Vec<String> = Vec::new();
    let mut note = |m: String| {
        if !found.contains(&m) {
            found.push(m);
        }
    };
    // Filled rectangles drawn so far, topmost last: what text is drawn on.
    let mut fills: Vec<Fill> = Vec::new();
    for e in &all {
        let alpha = opacity(e);
        if alpha <= 0.0 {
            continue;
        }
        match e.tag.as_str() {
            "rect" => {
                let geometry = (
                    number(&e.attrs, "x"),
                    number(&e.attrs, "y"),
                    number(&e.attrs, "width"),
                    number(&e.attrs, "height"),
                );
                if let ((Some(x), Some(y), Some(w), Some(h)), Some(c)) =
                    (geometry, paint(e, "fill", scheme, &rules))
                {
                    let under = under_point(&fills, (x, y)).unwrap_or(background);
                    fills.push(((x, y, x + w, y + h), over(c, alpha, under)));
                }
            }
            "polyline" | "circle" => {
                let what = if e.tag == "polyline" {
                    "a curve"
                } else {
                    "a marker"
                };
                let colour = match e.tag.as_str() {
                    "polyline" => paint(e, "stroke", scheme, &rules),
                    _ => paint(e, "fill", scheme, &rules)
                        .or_else(|| paint(e, "stroke", scheme, &rules)),
                };
                let Some(c) = colour else { continue };
                let seen = over(c, alpha, background);
                let ratio = contrast(seen, background);
                if ratio < MIN_LINE_CONTRAST {
                    note(format!(
                        "{what} in {}{} has {ratio:.2}:1 against the {scheme} background {}, under \
                         {MIN_LINE_CONTRAST}:1 (WCAG 2.2, 1.4.11): use bookkit::PALETTE",
                        hex(c),
                        if alpha < 1.0 {
                            format!(" at opacity {alpha}")
                        } else {
                            String::new()
                        },
                        hex(background)
                    ));
                }
            }
            "text" if !e.text.is_empty() => {
                let Some(c) = paint(e, "fill", scheme, &rules) else {
                    continue;
                };
                let at = (
                    number(&e.attrs, "x").unwrap_or(0.0),
                    number(&e.attrs, "y").unwrap_or(0.0),
                );
                let under = under_point(&fills, at).unwrap_or(background);
                let seen = over(c, alpha, under);
                let ratio = contrast(seen, under);
                if ratio < MIN_TEXT_CONTRAST {
                    note(format!(
                        "text {:?} in {} on {} has {ratio:.2}:1 in the {scheme} scheme, under \
                         {MIN_TEXT_CONTRAST}:1 (WCAG 2.2, 1.4.3): use bookkit::style::ink_on",
                        e.text,
                        hex(c),
                        hex(under)
                    ));
                }
            }
            _ => {}
        }
    }
    if scheme == Scheme::Light {
        found.extend(unlabelled_curves(&all));
    }
    found
}

/// The colour of the topmost filled rectangle in `fills` that holds `p`.
fn under_point(fills: &[Fill], p: (f64, f64)) -> Option<Rgb> {
    fills
        .iter()
        .rev()
        .find(|(r, _)| p.0 >= r.0 && p.0 <= r.2 && p.1 >= r.1 && p.1 <= r.3)
        .map(|&(_, c)| c)
}

/// With two or more coloured curves (polylines of three or more points in a colour other than
/// black), each colour needs a legend entry (a short horizontal stroke of it, as
/// `bookkit::legend_line` and `bookkit::legend_below` draw) or a text label in it.
fn unlabelled_curves(all: &[Element]) -> Vec<String> {
    let stroke = |e: &Element| attr(&e.attrs, "stroke").and_then(parse_hex);
    let mut curves: Vec<Rgb> = Vec::new();
    for e in all
        .iter()
        .filter(|e| e.tag == "polyline" && opacity(e) > 0.0)
    {
        if let Some(c) = stroke(e)
            && c != (0, 0, 0)
            && points(e).len() >= 3
            && !curves.contains(&c)
        {
            curves.push(c);
        }
    }
    if curves.len() < 2 {
        return Vec::new();
    }
    let labelled = |c: Rgb| {
        all.iter().any(|e| match e.tag.as_str() {
            "polyline" => {
                let p = points(e);
                stroke(e) == Some(c)
                    && p.len() == 2
                    && (p[0].1 - p[1].1).abs() < 0.5
                    && (p[1].0 - p[0].0).abs() <= 40.0
            }
            "text" => !e.text.is_empty() && attr(&e.attrs, "fill").and_then(parse_hex) == Some(c),
            _ => false,
        })
    };
    let missing: Vec<String> = curves
        .iter()
        .filter(|&&c| !labelled(c))
        .map(|&c| hex(c))
        .collect();
    if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{} coloured curves, and no legend entry or label for {}: draw a legend \
             (bookkit::legend or bookkit::legend_below)",
            curves.len(),
            missing.join(", ")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<svg width="400" height="200" viewBox="0 0 400 200" xmlns="http://www.w3.org/2000/svg">"#;
    const DARK: &str = "<style>\n@media (prefers-color-scheme: dark) {\n\
        rect[fill=\"#FFFFFF\"] { fill: #1A1D24; }\n[fill=\"#000000\"] { fill: #E6E6E6; }\n\
        [stroke=\"#000000\"] { stroke: #E6E6E6; }\n}\n</style>\n";
    const BG: &str = r##"<rect x="0" y="0" width="400" height="200" opacity="1" fill="#FFFFFF" stroke="none"/>"##;

    fn figure(body: &str) -> String {
        format!("{HEAD}\n{DARK}{BG}\n{body}</svg>")
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        // Okabe and Ito's orange on white: 2.25:1 (the reason the palette darkens it).
        assert!((contrast((230, 159, 0), (255, 255, 255)) - 2.25).abs() < 0.01);
        assert_eq!(over((0, 0, 0), 0.4, (255, 255, 255)), (153, 153, 153));
        assert_eq!(over((10, 20, 30), 1.0, (255, 0, 0)), (10, 20, 30));
        assert_eq!(parse_hex("#0072b2"), Some((0, 114, 178)));
        assert_eq!(parse_hex("none"), None);
        assert_eq!(parse_hex("#FFF"), None);
    }

    #[test]
    fn the_dark_block_recolours_matching_elements_only() {
        let svg = figure(
            r##"<rect x="10" y="10" width="20" height="20" fill="#FEFEFE"/>
<text x="20" y="20" fill="#010101">cell</text>
<text x="200" y="100" fill="#000000">title</text>"##,
        );
        let rules = dark_rules(&svg);
        assert_eq!(rules.len(), 3, "{rules:?}");
        let all = elements(&svg);
        let title = all.iter().find(|e| e.text == "title").unwrap();
        assert_eq!(
            paint(title, "fill", Scheme::Dark, &rules),
            Some((230, 230, 230))
        );
        assert_eq!(paint(title, "fill", Scheme::Light, &rules), Some((0, 0, 0)));
        let cell = all
            .iter()
            .find(|e| e.tag == "rect" && e.attrs.contains("FEFEFE"));
        assert_eq!(
            paint(cell.unwrap(), "fill", Scheme::Dark, &rules),
            Some((254, 254, 254))
        );
        // The cell's near-black text stays on the cell, which stays light: no problem.
        assert!(
            problems(&svg, Scheme::Dark).is_empty(),
            "{:?}",
            problems(&svg, Scheme::Dark)
        );
        assert!(problems(&svg, Scheme::Light).is_empty());
    }

    #[test]
    fn a_pale_curve_is_refused_in_the_scheme_where_it_is_pale() {
        let svg = figure(
            r##"<polyline fill="none" opacity="1" stroke="#E69F00" points="0,0 10,10 20,0"/>"##,
        );
        let light = problems(&svg, Scheme::Light);
        assert_eq!(light.len(), 1, "{light:?}");
        assert!(
            light[0]
                .starts_with("a curve in #E69F00 has 2.25:1 against the light background #FFFFFF"),
            "{light:?}"
        );
        assert!(problems(&svg, Scheme::Dark).is_empty());
        // Black at 40 % over white is #999999: 2.85:1. In the dark scheme black turns light.
        let grey = figure(r##"<circle cx="5" cy="5" r="3" opacity="0.4" fill="#000000"/>"##);
        let p = problems(&grey, Scheme::Light);
        assert!(
            p[0].starts_with("a marker in #000000 at opacity 0.4 has 2.85:1"),
            "{p:?}"
        );
        // A dark blue curve is fine on white and too dark on the dark panel.
        let navy = figure(r##"<polyline stroke="#08306B" points="0,0 5,5"/>"##);
        assert!(problems(&navy, Scheme::Light).is_empty());
        assert!(problems(&navy, Scheme::Dark)[0].contains("against the dark background #1A1D24"));
        // An invisible line (opacity 0, the mesh's hidden light lines) is not seen.
        let hidden = figure(r##"<polyline opacity="0" stroke="#FFFFFF" points="0,0 5,5"/>"##);
        assert!(problems(&hidden, Scheme::Light).is_empty());
    }

    #[test]
    fn text_is_measured_against_the_rectangle_under_it() {
        // White on the sequential map's mid blue: 3.56:1.
        let svg = figure(
            r##"<rect x="10" y="10" width="40" height="20" opacity="1" fill="#4285F4" stroke="none"/>
<text x="30" y="20" fill="#FFFFFF">0.5</text>"##,
        );
        let p = problems(&svg, Scheme::Light);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("text \"0.5\" in #FFFFFF on #4285F4 has 3.56:1"),
            "{p:?}"
        );
        // The same text beside the cell is on the background.
        let beside = svg.replace("x=\"30\" y=\"20\"", "x=\"300\" y=\"20\"");
        assert!(problems(&beside, Scheme::Light)[0].contains("on #FFFFFF has 1.00:1"));
        // Black text on the dark scheme's background: turned light by the block, so fine; without
        // the block it would be black on black.
        let title = figure(r##"<text x="200" y="100" fill="#000000">title</text>"##);
        assert!(problems(&title, Scheme::Dark).is_empty());
        let no_block = title.replace("[fill=\"#000000\"] { fill: #E6E6E6; }", "");
        let p = problems(&no_block, Scheme::Dark);
        assert!(
            p[0].contains("text \"title\" in #000000 on #1A1D24"),
            "{p:?}"
        );
    }

    #[test]
    fn two_curves_need_a_legend_or_labels() {
        let curves = r##"<polyline stroke="#0072B2" points="0,0 5,5 10,0"/>
<polyline stroke="#D55E00" points="0,9 5,15 10,9"/>"##;
        let p = problems(&figure(curves), Scheme::Light);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            p[0],
            "2 coloured curves, and no legend entry or label for #0072B2, #D55E00: draw a legend \
             (bookkit::legend or bookkit::legend_below)"
        );
        let legend = format!(
            "{curves}<polyline stroke=\"#D55E00\" points=\"300,20 324,20\"/>\
             <text x=\"330\" y=\"40\" fill=\"#0072B2\">output</text>"
        );
        assert!(problems(&figure(&legend), Scheme::Light).is_empty());
        // A stroke that is too long or slanted is a curve segment, not a legend entry.
        let slanted = format!("{curves}<polyline stroke=\"#0072B2\" points=\"300,20 324,30\"/>");
        assert!(problems(&figure(&slanted), Scheme::Light)[0].contains("for #0072B2, #D55E00"));
        // One coloured curve (and black axes) needs no legend.
        let one = r##"<polyline stroke="#0072B2" points="0,0 5,5 10,0"/>
<polyline stroke="#000000" points="0,0 0,100 400,100"/>"##;
        assert!(problems(&figure(one), Scheme::Light).is_empty());
    }

    #[test]
    fn a_figure_without_a_background_is_named() {
        assert_eq!(
            problems(&format!("{HEAD}</svg>"), Scheme::Light),
            ["has no background rectangle"]
        );
    }
}
