//! The figures a reader can move, as the browser check moves them: a fixture figure with two
//! sliders passes at both widths in both themes, and a renderer that draws the wrong curve, or
//! whose sliders have no label and no Tab stop, is refused. Without Chromium these pass after
//! saying so, except under `CI=true` (as `browser_checks.rs`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod fixture;

use fixture::Fixture;
use xtask::browser::{self, Options};

/// The dark-scheme block every figure of the book carries.
const DARK_BLOCK: &str = "<style>\n@media (prefers-color-scheme: dark) {\n\
     rect[fill=\"#FFFFFF\"] { fill: #1A1D24; }\n[fill=\"#000000\"] { fill: #E6E6E6; }\n\
     [stroke=\"#000000\"] { stroke: #E6E6E6; }\n}\n</style>\n";

/// Curve `a` depends on the slider `k` (values 1, 2, 3), curve `b` on `k` and `m` (10, 20).
fn a(k: usize) -> Vec<f64> {
    (0..4).map(|j| 0.1 * (j + k + 1) as f64).collect()
}
fn b(k: usize, m: usize) -> Vec<f64> {
    (0..4)
        .map(|j| 0.9 - 0.05 * (j * (k + 1)) as f64 - 0.1 * m as f64)
        .collect()
}

/// Pixels of a point: x from 0..3 onto 40..360, y from 0..1 onto 250..50.
fn px(j: usize, y: f64) -> String {
    format!("{},{}", 40.0 + j as f64 / 3.0 * 320.0, 250.0 - y * 200.0)
}

fn polyline(stroke: &str, points: &str) -> String {
    format!(
        "<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\" points=\"{points}\"/>\n"
    )
}

/// The static figure at the initial setting (k = 1, m = 10), with a legend sample per curve.
fn svg() -> String {
    let curve = |ys: Vec<f64>| {
        ys.iter()
            .enumerate()
            .map(|(j, &y)| px(j, y))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<svg width=\"400\" height=\"300\" viewBox=\"0 0 400 300\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         {DARK_BLOCK}<rect x=\"0\" y=\"0\" width=\"400\" height=\"300\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\
         {}<text x=\"80\" y=\"285\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#000000\">\ncurve a\n</text>\n\
         {}<text x=\"230\" y=\"285\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#000000\">\ncurve b\n</text>\n\
         <text x=\"200\" y=\"25\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#000000\">\n\
         fixture k = 1, m = 10\n</text>\n{}{}</svg>\n",
        polyline("#0072B2", "50,280 74,280"),
        polyline("#D55E00", "200,280 224,280"),
        polyline("#0072B2", &curve(a(0))),
        polyline("#D55E00", &curve(b(0, 0))),
    )
}

fn json() -> String {
    let a: Vec<Vec<f64>> = (0..3).map(a).collect();
    let b: Vec<Vec<f64>> = (0..3).flat_map(|k| (0..2).map(move |m| b(k, m))).collect();
    serde_json::json!({
        "controls": [
            { "id": "k", "label": "k", "values": [1, 2, 3], "initial": 0 },
            { "id": "m", "label": "m", "values": [10, 20], "initial": 0 },
        ],
        "x": { "from": 0, "to": 3, "px": [40, 360] },
        "y": { "from": 0, "to": 1, "px": [250, 50] },
        "title": { "drawn": "fixture k = 1, m = 10", "template": "fixture k = {k}, m = {m}" },
        "alt": { "drawn": "A: k 1, m 10.", "template": "A: k {k}, m {m}." },
        "series": [
            { "label": "curve a", "stroke": "#0072B2", "by": ["k"], "values": a },
            { "label": "curve b", "stroke": "#D55E00", "by": ["k", "m"], "values": b },
        ],
    })
    .to_string()
}

/// The fixture book with one figure a reader can move on its chapter page, and the theme's
/// renderer with each `(from, to)` of `defects` replaced.
fn fixture(name: &str, defects: &[(&str, &str)]) -> Fixture {
    let f = Fixture::with_real_theme(name);
    f.edit(
        "src/chapter.md",
        "Some math",
        "<div class=\"explore\">\n\n![A: k 1, m 10.](figures/fixture-move.svg)\n\n</div>\n\nSome math",
    );
    f.write("src/figures/fixture-move.svg", &svg());
    f.write("src/figures/fixture-move.json", &json());
    f.write("code/fixture/Cargo.toml", "[package]\nname = \"fixture\"\n");
    f.write(
        "code/fixture/tests/figures.rs",
        "// stands in for a figure test\n",
    );
    for (from, to) in defects {
        f.edit("src/theme/explore.js", from, to);
    }
    f
}

/// The problems the browser check finds on `f`, opened with `options`, or `None` without Chromium.
fn check(f: &Fixture, options: &Options) -> Option<Result<browser::Checked, Vec<String>>> {
    let found = browser::find_chromium();
    let Some(chromium) = found else {
        assert!(
            !xtask::ci(),
            "CI is set and no Chromium was found: {}",
            browser::INSTALL_HINT
        );
        eprintln!(
            "SKIPPED: no Chromium for the browser-check fixtures ({})",
            browser::INSTALL_HINT
        );
        return None;
    };
    let built = f
        .build()
        .unwrap_or_else(|p| panic!("the fixture must build: {p:#?}"));
    Some(
        browser::check(&built.dest, &chromium, options)
            .map_err(|p| p.iter().map(|p| f.strip(p)).collect()),
    )
}

fn phone() -> Options {
    Options {
        widths: vec![390],
        themes: vec!["light".into()],
        search_terms: vec![],
        pdf: None,
    }
}

fn assert_found(problems: &[String], needle: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("book/chapter.html: ") && p.contains(needle)),
        "expected a problem on chapter.html containing {needle:?}, got {problems:#?}"
    );
}

#[test]
fn a_figure_a_reader_can_move_passes_at_both_widths_in_both_themes() {
    let f = fixture("explore-ok", &[]);
    let options = Options {
        widths: vec![1280, 390],
        themes: vec!["light".into(), "navy".into()],
        ..phone()
    };
    let Some(result) = check(&f, &options) else {
        return;
    };
    let checked = result.unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(checked.loads, 2 * 2 * checked.pages);
}

#[test]
fn a_renderer_drawing_the_wrong_curve_is_refused() {
    // Every curve drawn with the first curve's values.
    let f = fixture(
        "explore-wrong-curve",
        &[(
            "lookup(data, series, at)",
            "lookup(data, data.series[0], at)",
        )],
    );
    let Some(result) = check(&f, &phone()) else {
        return;
    };
    let problems = result.unwrap_err();
    assert_found(&problems, "curve \"curve b\" drawn");
    assert_found(&problems, "px from the data (over 0.75 px");
}

#[test]
fn a_slider_without_a_label_or_a_tab_stop_is_refused() {
    let f = fixture(
        "explore-unlabelled",
        &[
            ("label.htmlFor = id;", ""),
            (
                "step: 1, value: c.initial });",
                "step: 1, value: c.initial, tabIndex: -1 });",
            ),
        ],
    );
    let Some(result) = check(&f, &phone()) else {
        return;
    };
    let problems = result.unwrap_err();
    assert_found(&problems, "\"k\" slider has no <label>");
    assert_found(&problems, "\"m\" slider is not in the Tab order");
    assert_found(&problems, "\"m\" slider has no <label>");
}

#[test]
fn a_slider_the_arrow_keys_do_not_redraw_is_refused() {
    // The figure follows moves made by script but not the keyboard's (keydown cancelled).
    let f = fixture(
        "explore-no-keys",
        &[(
            "box.insertBefore(controls, box.firstChild);",
            "box.insertBefore(controls, box.firstChild); controls.addEventListener('keydown', e => e.preventDefault());",
        )],
    );
    let Some(result) = check(&f, &phone()) else {
        return;
    };
    let problems = result.unwrap_err();
    assert_found(&problems, "slider is at 0 after an arrow key, not 1");
}
