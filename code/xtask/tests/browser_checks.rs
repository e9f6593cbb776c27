//! Every way the browser check must fail, shown on the fixture book with one defect each.
//!
//! Each of these builds cleanly (the book build reads HTML as text and finds nothing wrong) and
//! is only seen when a browser lays the page out. The tests need Chromium: without it they pass
//! after printing that they were skipped (`cargo xtask test` says so on a line of its own), and
//! with `CI=true` a missing Chromium fails them.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod fixture;

use std::path::PathBuf;

use fixture::Fixture;
use xtask::book;
use xtask::browser::{self, Options};

/// A display formula far wider than a phone's screen.
const WIDE: &str = "$$\nA = a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + \
                    a_{12} + a_{13} + a_{14} + a_{15} + a_{16} + a_{17} + a_{18} + a_{19} + a_{20}\n$$\n";

/// A table of numbers, wider than the column at both widths and taller than a phone's screen.
fn wide_table() -> String {
    let cols = 12;
    let mut t = format!(
        "| row |{}\n|:--|{}\n",
        " value |".repeat(cols),
        "--:|".repeat(cols)
    );
    for r in 0..40 {
        t += &format!("| {r} |{}\n", " -1.2345e-17 |".repeat(cols));
    }
    t
}

/// The fixture's theme head without the book's script (`fit.js`), as the theme was before it.
const HEAD_WITHOUT_SCRIPT: &str = "<link rel=\"stylesheet\" href=\"{{ path_to_root }}katex/katex.min.css\">\n\
     <link rel=\"stylesheet\" href=\"{{ path_to_root }}theme/fit.css\">\n";

/// The Chromium to drive, or `None` (after saying so) when there is none and this is not CI.
fn chromium() -> Option<PathBuf> {
    let found = browser::find_chromium();
    if found.is_none() {
        assert!(
            !xtask::ci(),
            "CI is set and no Chromium was found: {}",
            browser::INSTALL_HINT
        );
        eprintln!(
            "SKIPPED: no Chromium for the browser-check fixtures ({})",
            browser::INSTALL_HINT
        );
    }
    found
}

/// The dark-scheme block every figure of the book carries (as `bookkit::svg` writes it).
const DARK_BLOCK: &str = "<style>\n@media (prefers-color-scheme: dark) {\n\
     rect[fill=\"#FFFFFF\"] { fill: #1A1D24; }\n[fill=\"#000000\"] { fill: #E6E6E6; }\n\
     [stroke=\"#000000\"] { stroke: #E6E6E6; }\n}\n</style>\n";

/// A 900 px figure as the book draws one: white, with the dark block, a curve and 14 px text.
fn figure_svg(dark_block: &str) -> String {
    format!(
        "<svg width=\"900\" height=\"300\" viewBox=\"0 0 900 300\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n{dark_block}\
         <rect x=\"0\" y=\"0\" width=\"900\" height=\"300\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\
         <polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" points=\"40,250 450,60 860,250\"/>\n\
         <text x=\"450\" y=\"30\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" \
         fill=\"#000000\">\nfixture figure\n</text>\n</svg>\n"
    )
}

/// The figure's line on the chapter page: a paragraph of its own, as the book's figures are.
const FIGURE_LINE: &str = "![A fixture figure: one curve.](figures/fixture-plot.svg)";

/// A listing whose one line is `chars` characters long (a `let` and a string).
fn listing_line(chars: usize) -> String {
    let fill = chars - "let s = \"\";".len();
    format!("let s = \"{}\";\n", "x".repeat(fill))
}

/// A section heading that wraps on the printed page.
const LONG_HEADING: &str =
    "A section heading long enough to wrap onto a second line of the printed page";

/// The fixture's wide listing on the chapter page.
const LISTING_LINE: &str = "```rust,noplayground\n{{#include wide.rs}}\n```";

/// The fixture with the real theme, a wide formula, a wide and tall table, a figure (drawn by a
/// stand-in crate `fixture`, so the build's figure-owner check passes), a listing line as long
/// as rustfmt writes (100 characters) and a search term it contains.
fn fixture(name: &str) -> Fixture {
    let f = Fixture::with_real_theme(name);
    f.edit(
        "src/chapter.md",
        "Some math",
        &format!(
            "{WIDE}\n{}\n{FIGURE_LINE}\n\n{LISTING_LINE}\n\nSome math",
            wide_table()
        ),
    );
    f.write("src/wide.rs", &listing_line(100));
    // A formula with a TeX command beside the search term, in the review answer.
    f.edit(
        "src/chapter.md",
        "Yes.",
        "Yes, $\\frac{1}{2}$ of a fixture.",
    );
    f.write("src/figures/fixture-plot.svg", &figure_svg(DARK_BLOCK));
    f.write("code/fixture/Cargo.toml", "[package]\nname = \"fixture\"\n");
    f.write(
        "code/fixture/tests/figures.rs",
        "// stands in for a figure test\n",
    );
    f
}

/// [`fixture`] with `html` (a script, an image) on the chapter page before its math, opened at
/// [`phone`] width; `None` without Chromium.
fn chapter_with(name: &str, html: &str) -> Option<Vec<String>> {
    broken(name, &phone(), |f| {
        f.edit(
            "src/chapter.md",
            "Some math",
            &format!("{html}\n\nSome math"),
        );
    })
}

/// One width and theme: enough to show a defect, and quick.
fn phone() -> Options {
    Options {
        widths: vec![390],
        themes: vec!["light".into()],
        search_terms: vec!["fixture".into()],
        pdf: None,
    }
}

/// [`fixture`] named `name`, broken by `breaks`, opened with `options`: the problems found, or
/// `None` (before anything is built) when there is no Chromium.
fn broken(name: &str, options: &Options, breaks: impl FnOnce(&Fixture)) -> Option<Vec<String>> {
    chromium()?;
    let f = fixture(name);
    breaks(&f);
    problems(&f, options)
}

/// Builds the fixture, opens it with `options` and returns the problems, with the fixture's
/// root stripped; `None` when there is no Chromium.
fn problems(f: &Fixture, options: &Options) -> Option<Vec<String>> {
    problems_built(f, options, &book::Options::default())
}

/// [`problems`] for the fixture built with `build`.
fn problems_built(f: &Fixture, options: &Options, build: &book::Options) -> Option<Vec<String>> {
    let chromium = chromium()?;
    let built = book::build_with(&f.root, &f.root.join("book"), build)
        .unwrap_or_else(|p| panic!("the fixture must build: {p:#?}"));
    match browser::check(&built.dest, &chromium, options) {
        Ok(c) => panic!("the broken fixture passed the browser check: {c:?}"),
        Err(problems) => Some(problems.iter().map(|p| f.strip(p)).collect()),
    }
}

fn assert_one(problems: &[String], page: &str, needle: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("book/{page}: ")) && p.contains(needle)),
        "expected a problem on {page} containing {needle:?}, got {problems:#?}"
    );
}

#[test]
fn the_fixture_passes_at_both_widths_in_both_themes_and_prints() {
    let Some(chromium) = chromium() else { return };
    let f = fixture("browser-ok");
    let built = f.build().unwrap_or_else(|p| panic!("{p:#?}"));
    let options = Options {
        pdf: Some(PathBuf::from("fixture.pdf")),
        // The formula's TeX command is not in the index.
        search_terms: vec!["fixture".into(), "!frac".into()],
        ..phone()
    };
    let options = Options {
        widths: vec![1280, 390],
        themes: vec!["light".into(), "navy".into()],
        ..options
    };
    let checked =
        browser::check(&built.dest, &chromium, &options).unwrap_or_else(|p| panic!("{p:#?}"));
    // index (a copy of the chapter), chapter, print, 404; toc.html is skipped.
    assert_eq!(checked.pages, 4, "{checked:?}");
    assert_eq!(checked.loads, 4 * 2 * 2);
    assert!(checked.browser.contains("Chrome/"), "{checked:?}");
    let pdf = std::fs::read(built.dest.join("fixture.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(checked.pdf_pages, Some(browser::pdf::page_count(&pdf)));
    // The title page and contents, then the chapter.
    assert!(checked.pdf_pages >= Some(3), "{checked:?}");
    // The chapter and its review questions, each a heading.
    let outline = browser::pdf::outline(&pdf).unwrap();
    let titles: Vec<(usize, &str)> = outline
        .iter()
        .map(|b| (b.depth, b.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        [(1, "Chapter"), (2, "Review questions")],
        "{outline:?}"
    );
    assert_eq!(checked.pdf_bookmarks, Some(2));
}

#[test]
fn a_console_error_names_page_and_message() {
    let Some(p) = chapter_with(
        "browser-console",
        "<script>console.error('fixture: broken');</script>",
    ) else {
        return;
    };
    assert_one(&p, "chapter.html", "console error: fixture: broken");
}

#[test]
fn an_uncaught_exception_is_reported() {
    let Some(p) = chapter_with("browser-throw", "<script>noSuchFunction();</script>") else {
        return;
    };
    assert_one(&p, "chapter.html", "uncaught exception: ReferenceError");
}

#[test]
fn a_failed_request_names_its_address() {
    // A request made by a script: the build's link check reads the HTML and cannot see it.
    let Some(p) = chapter_with(
        "browser-404",
        "<script>fetch('data/missing.json');</script>",
    ) else {
        return;
    };
    assert_one(&p, "chapter.html", "/data/missing.json (HTTP 404)");
}

#[test]
fn a_request_off_the_machine_is_refused() {
    // A web font imported by a stylesheet: the build reads the HTML, not the CSS it links.
    let Some(p) = broken("browser-offline", &phone(), |f| {
        let css = f.root.join("src/theme/fit.css");
        let text = std::fs::read_to_string(&css).unwrap();
        std::fs::write(
            &css,
            format!("@import url(\"https://fonts.example.org/serif.css\");\n{text}"),
        )
        .unwrap();
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "request off the machine: https://fonts.example.org/serif.css",
    );
}

#[test]
fn math_without_katex_fonts_is_refused() {
    // The stylesheet is there (the build checks that), but it is not KaTeX's.
    let Some(p) = broken("browser-fonts", &phone(), |f| {
        f.write("src/katex/katex.min.css", "/* not KaTeX's stylesheet */\n");
    }) else {
        return;
    };
    assert_one(&p, "chapter.html", "not in a KaTeX font");
    assert_one(&p, "chapter.html", "KaTeX span.katex \"A = a_1 + a_2");
    assert_one(
        &p,
        "chapter.html",
        "KaTeX span.katex \"a^2 + b^2 = c^2\": laid out in",
    );
}

#[test]
fn math_without_mathml_is_refused() {
    // KaTeX's default output: HTML only, hidden from screen readers.
    let Some(p) = broken("browser-mathml", &phone(), |f| {
        f.edit("book.toml", "output = \"htmlAndMathml\"\n", "");
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "KaTeX span.katex \"a2+b2=c2\": no MathML",
    );
}

#[test]
fn an_image_that_does_not_load_is_named() {
    // The file exists, so every link resolves; it just is not an image.
    let Some(p) = broken("browser-image", &phone(), |f| {
        f.write("src/img/plot.svg", "this is not an SVG\n");
        f.edit(
            "src/chapter.md",
            "Some math",
            "![A plot](img/plot.svg)\n\nSome math",
        );
    }) else {
        return;
    };
    assert_one(&p, "chapter.html", "image did not load: img");
    assert_one(&p, "chapter.html", "img/plot.svg");
}

#[test]
fn wide_math_without_its_scroll_box_and_closed_details_in_print_are_refused() {
    // Without the book's stylesheet: KaTeX's display math runs off a phone's screen, and the
    // review answer prints closed.
    let options = Options {
        pdf: Some(PathBuf::from("fixture.pdf")),
        ..phone()
    };
    let Some(p) = broken("browser-layout", &options, |f| {
        f.write(
            "src/theme/head.hbs",
            "<link rel=\"stylesheet\" href=\"{{ path_to_root }}katex/katex.min.css\">\n",
        );
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "wider than the 390 px viewport (reaches ",
    );
    assert_one(
        &p,
        "chapter.html",
        "outside any box that scrolls: span.katex-display",
    );
    assert_one(
        &p,
        "print.html",
        "prints closed: summary \"Is this a fixture?\"",
    );
}

#[test]
fn a_search_that_finds_nothing_is_refused() {
    let options = Options {
        search_terms: vec!["fixture".into(), "Zyzzyva".into()],
        ..phone()
    };
    let Some(p) = broken("browser-search", &options, |_| {}) else {
        return;
    };
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_one(&p, "index.html", "search for \"Zyzzyva\": found nothing");
}

#[test]
fn a_wide_table_without_a_cue_a_sticky_column_and_a_screen_tall_box_is_refused() {
    // The theme's stylesheet without its script: nothing marks the table as wide.
    let Some(p) = broken("browser-table", &phone(), |f| {
        f.write("src/theme/head.hbs", HEAD_WITHOUT_SCRIPT);
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "px box: no cue that it scrolls; its first column scrolls away; ",
    );
    assert_one(
        &p,
        "chapter.html",
        "px tall, so its sideways scrollbar is off the 844 px screen: table \"row | value | value",
    );
}

#[test]
fn a_formula_cut_off_on_paper_is_refused() {
    // Without the theme's script nothing scales the wide formula to the printed page.
    let options = Options {
        pdf: Some(PathBuf::from("fixture.pdf")),
        ..phone()
    };
    let Some(p) = broken("browser-print-cut", &options, |f| {
        f.write("src/theme/head.hbs", HEAD_WITHOUT_SCRIPT);
    }) else {
        return;
    };
    assert_one(&p, "print.html", "printing: cut off on paper (");
    assert_one(
        &p,
        "print.html",
        "px page): span.katex-display \"A = a_1 + a_2",
    );
    // And the table, which nothing shrinks to the page either.
    assert_one(&p, "print.html", "px page): table \"row | value | value");
}

#[test]
fn a_figure_inside_a_paragraph_is_mdbooks_zoom_checkbox_and_is_refused() {
    // Not a paragraph of its own, the figure is left to mdBook, which makes it a zoom control.
    let Some(p) = broken("browser-figure-control", &phone(), |f| {
        f.edit(
            "src/chapter.md",
            &format!("{FIGURE_LINE}\n\n"),
            &format!("Text before it.\n{FIGURE_LINE}\n\n"),
        );
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "figure is a control (a Tab stop announced as a checkbox), not an image: img",
    );
    assert_one(&p, "chapter.html", "figures/fixture-plot.svg");
}

#[test]
fn a_figure_without_its_dark_block_glares_in_a_dark_theme() {
    let options = Options {
        widths: vec![1280],
        themes: vec!["light".into(), "navy".into()],
        ..phone()
    };
    let Some(p) = broken("browser-figure-dark", &options, |f| {
        f.write("src/figures/fixture-plot.svg", &figure_svg(""));
    }) else {
        return;
    };
    // Only in the dark theme (white on white is 1:1), on the chapter and on index.html, its copy.
    assert!(
        p.iter()
            .all(|p| p.contains("navy theme: figure background")),
        "{p:#?}"
    );
    assert_one(
        &p,
        "chapter.html",
        "at 1280 px, navy theme: figure background rgb(255, 255, 255) stands out from the page's",
    );
}

#[test]
fn a_figure_shrunk_to_a_phone_or_scrolling_without_a_cue_is_refused() {
    // Without the book's stylesheet a phone shrinks the 900 px figure to its column, where its
    // 14 px text shows at under 6 px.
    let Some(p) = broken("browser-figure-small", &phone(), |f| {
        f.write(
            "src/theme/head.hbs",
            "<link rel=\"stylesheet\" href=\"{{ path_to_root }}katex/katex.min.css\">\n",
        );
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "px wide), under 8.8 px: img \"figures/fixture-plot.svg\"",
    );
    // With the stylesheet but not the script, the figure keeps its 600 px and scrolls, but
    // nothing marks its box for the fade.
    let Some(p) = broken("browser-figure-cue", &phone(), |f| {
        f.write("src/theme/head.hbs", HEAD_WITHOUT_SCRIPT);
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "figure 600 px wide in a 350 px box: no cue that it scrolls: img",
    );
}

#[test]
fn mdbooks_own_index_with_tex_in_snippets_and_tex_commands_as_hits_is_refused() {
    // mdBook's index, not rebuilt: the review answer's formula is there as KaTeX's HTML, its
    // MathML and its TeX source.
    let f = fixture("browser-search-tex");
    let options = Options {
        search_terms: vec!["fixture".into(), "!frac".into()],
        ..phone()
    };
    let build = book::Options {
        visible_search: false,
        ..book::Options::default()
    };
    let Some(p) = problems_built(&f, &options, &build) else {
        return;
    };
    assert_one(
        &p,
        "index.html",
        "search for \"fixture\": snippet with TeX (\\frac) in chapter.html",
    );
    assert_one(
        &p,
        "index.html",
        "search for \"!frac\": found 1 result(s), and should find none: the first is chapter.html",
    );
}

#[test]
fn a_listing_line_wider_than_its_box_at_a_desktop_width_is_refused() {
    // 130 characters: past rustfmt's 100 and the 920 px the theme gives a listing.
    let options = Options {
        widths: vec![1280, 390],
        ..phone()
    };
    let Some(p) = broken("browser-listing", &options, |f| {
        f.write("src/wide.rs", &listing_line(130));
    }) else {
        return;
    };
    // Only at the desktop width: on a phone a listing scrolls, as every listing must there.
    assert!(p.iter().all(|p| p.contains("at 1280 px")), "{p:#?}");
    assert_one(&p, "chapter.html", "listing line wider than its box (");
    assert_one(
        &p,
        "chapter.html",
        "px box; line 1, 130 characters: \"let s = \"xxxxxxxx",
    );
}

#[test]
fn without_the_themes_script_there_is_no_skip_link_and_no_way_to_the_contents_by_keyboard() {
    // mdBook's own page: the first Tab stop is in its toolbar, and its table-of-contents toggle
    // is a <label>, which Tab skips.
    let Some(p) = broken("browser-keyboard", &phone(), |f| {
        f.write("src/theme/head.hbs", HEAD_WITHOUT_SCRIPT);
    }) else {
        return;
    };
    assert_one(&p, "chapter.html", "focus order: the first Tab stop is ");
    assert_one(&p, "chapter.html", ", not a skip link to the text");
    assert_one(
        &p,
        "chapter.html",
        "the table of contents toggle cannot be reached with Tab: after the first stop, Tab goes to ",
    );
}

#[test]
fn a_review_question_under_24_px_and_mdbooks_coal_toolbar_are_refused() {
    // The theme's stylesheet without its target rule and its colours for coal.
    let Some(p) = broken("browser-targets-colours", &phone(), |f| {
        let css = std::fs::read_to_string(f.root.join("src/theme/fit.css")).unwrap();
        for rule in [
            ".content details > summary {\n    min-height: 24px;\n    padding: 4px 0;\n}\n",
            "html.coal {\n    --links: #3088b6;\n    --icons: #79818a;\n    --sidebar-active: #5f99cf;\n}\n",
        ] {
            assert!(css.contains(rule), "fit.css lacks {rule:?}");
            f.edit("src/theme/fit.css", rule, "");
        }
    }) else {
        return;
    };
    assert_one(
        &p,
        "chapter.html",
        "px, under 24 px: summary \"Is this a fixture?\"",
    );
    // mdBook 0.5.4's coal: toolbar icons #43484d on hsl(200, 7%, 8%), links #2b79a2.
    assert_one(
        &p,
        "index.html",
        "every theme: coal theme: toolbar icon rgb(67, 72, 77) on rgb(19, 21, 22) at 1.98:1, under 4.5:1",
    );
    assert_one(
        &p,
        "index.html",
        "coal theme: table of contents, the current page rgb(52, 115, 173) on rgb(41, 44, 47)",
    );
    assert!(p.iter().all(|p| !p.contains("navy theme")), "{p:#?}");
}

#[test]
fn a_chapter_whose_heading_is_not_its_title_has_no_bookmark_and_is_refused() {
    // The page's heading names the chapter otherwise than the table of contents does: the PDF's
    // outline, built from the headings, has no bookmark under the chapter's title. (A page with
    // no heading at all still gets one: mdBook 0.5.4 writes the title as a heading on the print
    // page, `mdbook-html` 0.5.4, `src/html/print.rs`, `make_root_id_map`.)
    let options = Options {
        pdf: Some(PathBuf::from("fixture.pdf")),
        ..phone()
    };
    let Some(p) = broken("browser-outline", &options, |f| {
        f.edit(
            "src/chapter.md",
            "# Chapter\n",
            "# A chapter by another name\n",
        );
        // And a heading that wraps on paper, printed without the theme's rule that keeps the space
        // at the wrap: its bookmark runs two words together.
        f.edit(
            "src/chapter.md",
            "## Review questions",
            &format!("## {LONG_HEADING}\n\n## Review questions"),
        );
        let rule = "    .content main h1,\n    .content main h2,\n    .content main h3,\n    \
                    .content main h4 {\n        white-space: pre-wrap;\n    }\n";
        f.edit("src/theme/fit.css", rule, "");
    }) else {
        return;
    };
    assert_one(
        &p,
        "print.html",
        "the PDF has no bookmark for the chapter \"Chapter\" of the table of contents",
    );
    assert_one(
        &p,
        "print.html",
        &format!("no bookmark of the PDF reads as the heading {LONG_HEADING:?} does"),
    );
}
