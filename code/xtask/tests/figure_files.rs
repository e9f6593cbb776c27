//! Every committed figure, read as a reader sees it: text at least 11 px at the content column's
//! width, no legend over data (see `xtask::svg` for the rule and how it is measured), and colours
//! that reach WCAG's contrast in the light and the dark scheme, with a legend for two or more
//! curves (`xtask::contrast`).

use xtask::svg::check_dir;

#[test]
fn every_figure_has_readable_text_and_legends_clear_of_data() {
    let dir = xtask::root().join(xtask::figures::FIGURE_DIR);
    assert!(
        xtask::walk(&dir)
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "svg")),
        "the book has figures in {}",
        dir.display()
    );
    let problems: Vec<String> = check_dir(&dir).iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
