//! Every way the book build must fail, shown on a small fixture book with one defect each.
//!
//! mdBook 0.5 and mdbook-katex 0.10 let each of these through with exit status 0; the build tool
//! must refuse them and name the file and line.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod fixture;

use fixture::Fixture;
use xtask::book;

fn assert_one(problems: &[String], prefix: &str, needle: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(prefix) && p.contains(needle)),
        "expected a problem starting {prefix:?} containing {needle:?}, got {problems:#?}"
    );
}

#[test]
fn the_fixture_itself_builds() {
    let f = Fixture::new("ok");
    let built = f.build().unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(built.pages >= 3, "index, chapter, print: {}", built.pages);
    let html = std::fs::read_to_string(f.root.join("book/chapter.html")).expect("chapter page");
    assert!(html.contains("class=\"katex\""), "math rendered");
    assert!(
        html.contains("let x = 1;") && !html.contains("ANCHOR"),
        "anchor included"
    );
    assert!(
        html.contains("<table>"),
        "the snapshot body renders as a table"
    );
    assert!(
        !html.contains("source: tests/x.rs"),
        "the snapshot header is skipped"
    );
    assert!(
        html.contains("katex/katex.min.css"),
        "the local stylesheet is linked"
    );
}

#[test]
fn a_missing_include_file_names_page_and_line() {
    let f = Fixture::new("nofile");
    f.edit("src/chapter.md", "listing.rs:here", "missing.rs:here");
    assert_one(
        &f.problems(),
        "src/chapter.md:5:",
        "missing.rs cannot be read",
    );
}

#[test]
fn a_missing_anchor_names_page_and_line() {
    let f = Fixture::new("noanchor");
    f.edit("src/chapter.md", "listing.rs:here", "listing.rs:there");
    assert_one(
        &f.problems(),
        "src/chapter.md:5:",
        "anchor `there` not found",
    );
}

#[test]
fn an_unclosed_anchor_is_refused() {
    let f = Fixture::new("unclosed");
    f.edit("src/listing.rs", "// ANCHOR_END: here", "// the end");
    assert_one(&f.problems(), "src/chapter.md:5:", "never closed");
}

#[test]
fn a_snapshot_included_with_its_header_is_refused() {
    let f = Fixture::new("snaprange");
    f.edit("src/chapter.md", "out.snap:4:", "out.snap:2:");
    assert_one(
        &f.problems(),
        "src/chapter.md:7:",
        "just after its 3-line header",
    );
}

#[test]
fn a_katex_parse_error_names_page_and_line() {
    let f = Fixture::new("katex");
    f.edit(
        "src/chapter.md",
        "Some math",
        "Fine.\n\nBroken math: $\\frac{1}{$ and some",
    );
    assert_one(
        &f.problems(),
        "src/chapter.md:5:",
        "KaTeX cannot render `\\frac{1}{`",
    );
}

#[test]
fn an_invalid_html_key_names_book_toml_and_line() {
    let f = Fixture::new("htmlkey");
    f.edit(
        "book.toml",
        "theme = \"src/theme\"",
        "theme = \"src/theme\"\ncolour-scheme = \"x\"",
    );
    assert_one(
        &f.problems(),
        "book.toml:14:",
        "unknown field `colour-scheme`",
    );
}

#[test]
fn an_unknown_katex_key_is_refused() {
    let f = Fixture::new("katexkey");
    f.edit("book.toml", "no-css = true", "no-css = true\nno-ccs = true");
    assert_one(&f.problems(), "book.toml:11:", "unknown key `no-ccs`");
}

#[test]
fn a_katex_value_of_the_wrong_type_is_refused() {
    // mdbook-katex's README example; it silently resets every option, `no-css` included.
    let f = Fixture::new("katextype");
    f.edit(
        "book.toml",
        "no-css = true",
        "no-css = true\nmax-size = \"Infinity\"",
    );
    assert_one(
        &f.problems(),
        "book.toml:8:",
        "invalid [preprocessor.katex]",
    );
}

#[test]
fn the_cdn_stylesheet_is_refused() {
    let f = Fixture::new("cdn");
    f.edit("book.toml", "no-css = true", "no-css = false");
    assert_one(&f.problems(), "book.toml:8:", "must set `no-css = true`");
}

#[test]
fn any_other_mdbook_warning_fails_the_build() {
    // mdBook only warns that an ordering constraint names no preprocessor.
    let f = Fixture::new("warn");
    f.edit(
        "book.toml",
        "after = [\"links\"]",
        "after = [\"links\", \"lnks\"]",
    );
    assert_one(&f.problems(), "", "WARN from mdbook_driver");
}

#[test]
fn an_mdbook_error_fails_the_build() {
    let f = Fixture::new("summary");
    f.write(
        "src/SUMMARY.md",
        "# Summary\n\n- [Chapter](chapter.md)\n- [Gone](gone.md)\n",
    );
    assert_one(&f.problems(), "book.toml: mdBook failed", "gone.md");
}

#[test]
fn a_figure_no_crate_draws_or_no_page_shows_is_refused() {
    let f = Fixture::new("orphanfig");
    f.write("src/figures/gone-chapter.svg", "<svg/>");
    let problems = f.problems();
    assert_one(
        &problems,
        "src/figures/gone-chapter.svg:",
        "no crate draws this figure",
    );
    assert_one(
        &problems,
        "src/figures/gone-chapter.svg:",
        "no page shows this figure",
    );
    // Linked from the page, it is still nobody's: a removed chapter's leftovers are caught.
    f.edit(
        "src/chapter.md",
        "Some math:",
        "![a figure](figures/gone-chapter.svg)\n\nSome math:",
    );
    let problems = f.problems();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_one(
        &problems,
        "src/figures/gone-chapter.svg:",
        "no crate draws this figure",
    );
}

#[test]
fn a_malformed_review_question_is_refused_with_file_and_line() {
    let f = Fixture::new("cards");
    f.edit("src/chapter.md", "\nYes.\n", "\n");
    assert_one(&f.problems(), "src/chapter.md:11:", "answer is empty");
}

#[test]
fn the_review_cards_are_written_into_the_book() {
    let f = Fixture::new("cardsout");
    f.build().unwrap_or_else(|p| panic!("{p:#?}"));
    let dir = f.root.join("book/cards");
    assert!(dir.join("where-is-each-token.apkg").is_file());
    let note = std::fs::read_to_string(dir.join("obsidian/01-chapter.md")).expect("a note");
    assert!(note.contains("**Is this a fixture?**"), "{note}");
}

#[test]
fn a_missing_katex_stylesheet_is_refused() {
    let f = Fixture::new("nocss");
    std::fs::remove_file(f.root.join("src/katex/katex.min.css")).expect("remove");
    let problems = f.problems();
    assert_one(
        &problems,
        "book/katex/katex.min.css",
        "stylesheet is missing",
    );
    assert_one(
        &problems,
        "book/chapter.html:",
        "broken link: `katex/katex.min.css`",
    );
}

#[test]
fn a_book_without_search_is_refused() {
    let f = Fixture::new("nosearch");
    f.edit(
        "book.toml",
        "theme = \"src/theme\"",
        "theme = \"src/theme\"\n\n[output.html.search]\nenable = false",
    );
    assert_one(&f.problems(), "book:", "no search index");
}

#[test]
fn a_broken_link_is_refused() {
    let f = Fixture::new("link");
    f.edit(
        "src/chapter.md",
        "Some math",
        "See [nowhere](nowhere.md). Some math",
    );
    assert_one(
        &f.problems(),
        "book/chapter.html:",
        "broken link: `nowhere.html`",
    );
}

#[test]
fn an_anchor_name_must_match_whole() {
    let f = Fixture::new("prefix");
    f.edit("src/listing.rs", "ANCHOR: here", "ANCHOR: here-and-there");
    f.edit(
        "src/listing.rs",
        "ANCHOR_END: here",
        "ANCHOR_END: here-and-there",
    );
    assert_one(
        &f.problems(),
        "src/chapter.md:5:",
        "anchor `here` not found",
    );
}

#[test]
fn a_reversed_line_range_is_refused() {
    let f = Fixture::new("reversed");
    f.edit("src/chapter.md", "listing.rs:here", "listing.rs:5:2");
    assert_one(&f.problems(), "src/chapter.md:5:", "is reversed");
}

#[test]
fn includes_inside_included_files_are_checked() {
    let f = Fixture::new("nested");
    f.write(
        "src/part.txt",
        "before\n{{#include listing.rs:gone}}\nafter\n",
    );
    f.edit(
        "src/chapter.md",
        "Some math",
        "{{#include part.txt}}\n\nSome math",
    );
    assert_one(&f.problems(), "src/part.txt:2:", "anchor `gone` not found");
}

#[test]
fn a_snapshot_no_test_asserts_is_refused() {
    let f = Fixture::new("orphan");
    f.write("tests/x.rs", "// the test was deleted\n");
    assert_one(
        &f.problems(),
        "src/chapter.md:7:",
        "no test in tests/x.rs asserts",
    );
}

#[test]
fn tilde_fences_are_refused() {
    let f = Fixture::new("tilde");
    f.edit(
        "src/chapter.md",
        "Some math",
        "~~~\ncosts $5 and $6\n~~~\n\nSome math",
    );
    assert_one(&f.problems(), "src/chapter.md:3:", "backtick fences");
}

#[test]
fn a_katex_error_in_an_included_file_names_that_file() {
    let f = Fixture::new("katexinc");
    f.write("src/math.txt", "first line\nBroken: $\\sqrt{$ here\n");
    f.edit(
        "src/chapter.md",
        "Some math",
        "{{#include math.txt}}\n\nSome math",
    );
    assert_one(&f.problems(), "src/math.txt:2:", "included by");
}

#[test]
fn a_missing_fragment_is_refused() {
    let f = Fixture::new("fragment");
    f.edit(
        "src/chapter.md",
        "Some math",
        "See [below](#nowhere) and [here](chapter.md#chapter). Some math",
    );
    let problems = f.problems();
    assert_one(
        &problems,
        "book/chapter.html:",
        "no element has id `nowhere`",
    );
    assert!(
        !problems.iter().any(|p| p.contains("`chapter`")),
        "{problems:#?}"
    );
}

#[test]
fn anything_loaded_from_the_network_is_refused() {
    let f = Fixture::new("remote");
    f.write(
        "src/theme/head.hbs",
        "<link rel=\"stylesheet\" href=\"{{ path_to_root }}katex/katex.min.css\">\n\
         <script src=\"https://cdnjs.example.org/lib.js\"></script>\n",
    );
    assert_one(
        &f.problems(),
        "book/chapter.html:",
        "loads `https://cdnjs.example.org/lib.js`",
    );
}

#[test]
fn a_missing_katex_font_is_refused() {
    let f = Fixture::new("font");
    f.write(
        "src/katex/katex.min.css",
        "@font-face{font-family:KaTeX_Main;src:url(fonts/KaTeX_Main-Regular.woff2) format(\"woff2\")}\n",
    );
    assert_one(
        &f.problems(),
        "book/katex/katex.min.css",
        "KaTeX_Main-Regular.woff2 is missing",
    );
}

#[test]
fn a_long_listing_needs_a_waiver() {
    let f = Fixture::new("long");
    let body: String = (0..41).map(|i| format!("    let x{i} = {i};\n")).collect();
    f.edit(
        "src/listing.rs",
        "    let x = 1;\n",
        &format!("    let x = 1;\n{body}"),
    );
    let on = book::Options {
        listing_limit: Some(40),
        ..book::Options::default()
    };
    let problems: Vec<String> = match book::build_with(&f.root, &f.root.join("book"), &on) {
        Ok(_) => panic!("a 42-line listing passed a limit of 40"),
        Err(problems) => problems.iter().map(|p| f.strip(p)).collect(),
    };
    assert_one(
        &problems,
        "src/chapter.md:5:",
        "listing.rs:here renders 42 lines (limit 40)",
    );
    // The real build's default options refuse it too ...
    assert!(f.build().is_err(), "the default build enforces the limit");
    // ... and a waiver on the line before the code fence lets the listing through.
    f.edit(
        "src/chapter.md",
        "{{#include listing.rs:here}}",
        "<!-- long listing: the fixture needs it -->\n```rust\n{{#include listing.rs:here}}\n```",
    );
    book::build_with(&f.root, &f.root.join("book"), &on).unwrap_or_else(|p| panic!("{p:#?}"));
}

/// The real book passes every check too (the test command builds it again; this keeps
/// `cargo test` alone honest).
#[test]
fn the_book_itself_builds() {
    let root = xtask::root();
    let dest = std::env::temp_dir().join(format!("xtask-real-book-{}", std::process::id()));
    let result = book::build(&root, &dest);
    let _ = std::fs::remove_dir_all(&dest);
    if let Err(problems) = result {
        panic!("{problems:#?}");
    }
}
