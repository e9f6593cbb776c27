//! The publishing workflow (`.github/workflows/book.yml`) stays a thin caller of the commands a
//! contributor runs: it cannot run on the machines the book is written on, so this reads it.

use std::path::Path;

fn workflow() -> String {
    let path = xtask::root().join(".github/workflows/book.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The one-line `run:` commands of the workflow, in order (the toolchain step, a block, is left
/// out: it installs, it does not build or check).
fn commands(yaml: &str) -> Vec<String> {
    yaml.lines()
        .map(|l| l.trim().trim_start_matches("- "))
        .filter_map(|l| l.strip_prefix("run:").map(str::trim))
        .filter(|c| *c != "|")
        .map(String::from)
        .collect()
}

#[test]
fn the_workflow_runs_the_test_command_then_writes_the_cards_for_the_published_book() {
    let yaml = workflow();
    let run = commands(&yaml);
    assert_eq!(
        run,
        [
            "bash .ci/run",
            "cargo xtask cards --book-url \"${{ steps.pages.outputs.base_url }}/\"",
        ],
        "the workflow's commands changed: keep it to .ci/run and the xtask commands"
    );
    // `.ci/run` is the README's test command and nothing else.
    let ci = std::fs::read_to_string(xtask::root().join(".ci/run")).expect(".ci/run");
    assert!(ci.trim_end().ends_with("exec cargo xtask test"), "{ci}");
}

#[test]
fn the_workflow_publishes_the_rendered_book_with_its_pdf_and_card_decks() {
    let yaml = workflow();
    // The test command leaves the pages, the PDF and the decks in book/; the whole folder is
    // the site.
    assert!(
        yaml.contains("uses: actions/upload-pages-artifact@"),
        "{yaml}"
    );
    assert!(yaml.contains("          path: book\n"), "{yaml}");
    assert!(yaml.contains("uses: actions/deploy-pages@"), "{yaml}");
    let book = Path::new("book");
    assert_eq!(
        book.join(xtask::book::PDF),
        Path::new("book/where-is-each-token.pdf")
    );
    assert_eq!(book.join(xtask::book::CARDS_DIR), Path::new("book/cards"));
    // Deployed only from main, never from a pull request.
    assert!(
        yaml.contains("if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"),
        "{yaml}"
    );
}
