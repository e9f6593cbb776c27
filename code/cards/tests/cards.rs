//! The decks: read from the book, written for Obsidian and Anki, read back.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use cards::{CardId, Chapter, Deck, Error, collect, obsidian, source};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book")
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cards-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("the scratch folder can be created");
    dir
}

fn pairs(deck: &Deck) -> Vec<(String, String)> {
    deck.cards
        .iter()
        .map(|c| (c.question.clone(), c.answer.clone()))
        .collect()
}

#[test]
fn every_chapter_has_8_to_15_cards() {
    let decks = collect(&repo_root()).expect("the book's review questions parse");
    // The numbered chapters are SUMMARY.md's list items (chapters are added without touching
    // this test).
    let summary = fs::read_to_string(repo_root().join("src/SUMMARY.md")).expect("SUMMARY.md");
    let chapters = summary.lines().filter(|l| l.starts_with("- [")).count();
    assert_eq!(decks.len(), chapters, "one deck per numbered chapter");
    for deck in &decks {
        let n = deck.cards.len();
        assert!(
            (8..=15).contains(&n),
            "chapter {} has {n} cards; aim for 8 to 15",
            deck.chapter.title
        );
    }
}

#[test]
fn the_seed_questions_are_in_chapter_1() {
    let decks = collect(&repo_root()).expect("the book parses");
    let order = &decks[0];
    assert_eq!(order.chapter.page, "order.md");
    // The seed note writes straight apostrophes, the book typographic ones: compared as card
    // ids compare them (`normalize` folds the two), so the seed's cards keep their ids.
    let questions: Vec<String> = order
        .cards
        .iter()
        .map(|c| cards::normalize(&c.question))
        .collect();
    for seed in [
        "What's the difference between a positional embedding and a positional encoding?",
        "Why do transformers need positional encodings but RNNs don't?",
    ] {
        assert!(questions.contains(&cards::normalize(seed)), "{seed}");
    }
}

#[test]
fn notes_parse_back_into_the_same_cards() {
    for root in [repo_root(), fixture_book()] {
        for deck in collect(&root).expect("the decks parse") {
            let note = obsidian::render(&deck, "", &HashMap::new());
            let back: Vec<(String, String)> = obsidian::parse(&note)
                .into_iter()
                .map(|c| {
                    assert_eq!(c.history, None);
                    (c.question, c.answer)
                })
                .collect();
            assert_eq!(back, pairs(&deck), "{}", deck.chapter.page);
            // The plugin ends a card at a blank line: a card's lines must have none.
            for card in obsidian::parse(&note) {
                let block = format!("**{}**\n?\n", card.question);
                let at = note.find(&block).expect("the card is in the note");
                let rest = &note[at + block.len()..];
                let end = rest.find("\n\n").unwrap_or(rest.len());
                assert_eq!(
                    rest[..end].lines().count(),
                    card.answer.lines().count(),
                    "{}",
                    card.question
                );
            }
        }
    }
}

#[test]
fn includes_are_expanded_into_the_answer() {
    let decks = collect(&fixture_book()).expect("the fixture parses");
    let answer = &decks[0].cards[0].answer;
    assert_eq!(
        answer,
        "The score is 4, as the snapshot shows:\n\n| offset | score |\n|--:|--:|\n| 0 | 4.0000 |"
    );
    // The <details> block above the section is not a card.
    assert_eq!(decks[0].cards.len(), 3);
    assert_eq!(decks[1].chapter.title, "Second: the sequel");
}

#[test]
fn ids_are_stable_and_change_only_with_the_question() {
    // The same value on every run and every machine: a re-imported deck finds its notes.
    let id = CardId::new(
        "order",
        "Why do transformers need positional encodings but RNNs don't?",
    );
    assert_eq!(
        id,
        CardId::new(
            "order",
            "Why do transformers need positional encodings but RNNs don't?"
        )
    );
    assert_eq!(id.guid(), format!("{:016x}", id.0));
    assert_eq!(
        CardId::new("first", "Is it?").0,
        cards::fnv1a64("first\u{1f}Is it?".as_bytes())
    );

    let decks = collect(&repo_root()).expect("the book parses");
    let again = collect(&repo_root()).expect("the book parses");
    assert_eq!(decks, again);

    // Every note id and card id in the book is distinct.
    let mut notes = std::collections::HashSet::new();
    let mut cards_ids = std::collections::HashSet::new();
    for card in decks.iter().flat_map(|d| &d.cards) {
        // Past times in milliseconds (2001 to 2018), which Anki keeps on import.
        assert!((1_000_000_000_000..1_549_755_813_888).contains(&card.id.note_id()));
        assert!((1_000_000_000_000..1_549_755_813_888).contains(&card.id.card_id()));
        assert!(notes.insert(card.id.note_id()), "{}", card.question);
        assert!(cards_ids.insert(card.id.card_id()), "{}", card.question);
    }

    // Rewording the answer keeps the id; rewording the question changes it.
    let chapter = Chapter {
        number: 1,
        title: "T".into(),
        page: "t.md".into(),
    };
    let page = |q: &str, a: &str| {
        format!(
            "# T\n\n## Review questions\n\n<details><summary>{q}</summary>\n\n{a}\n\n</details>\n"
        )
    };
    let id_of = |text: String| {
        source::parse_page(&chapter, &text, "src/t.md", Path::new("."))
            .expect("the page parses")
            .cards[0]
            .id
    };
    let base = id_of(page("Why rotate?", "Because."));
    assert_eq!(base, id_of(page("Why rotate?", "A different answer.")));
    assert_eq!(base, id_of(page("Why   rotate? ", "Because.")));
    assert_ne!(base, id_of(page("Why rotate q?", "Because.")));
}

#[test]
fn every_formula_passes_katex() {
    let opts = |display: bool| {
        katex::Opts::builder()
            .display_mode(display)
            .throw_on_error(true)
            .build()
            .expect("the options are valid")
    };
    let mut count = 0;
    for root in [repo_root(), fixture_book()] {
        for deck in collect(&root).expect("the decks parse") {
            for card in &deck.cards {
                for text in [&card.question, &card.answer] {
                    for (tex, display) in cards::math::formulas(text).expect("math is balanced") {
                        if let Err(e) = katex::render_with_opts(tex, opts(display)) {
                            panic!(
                                "{}:{}: KaTeX rejects `{tex}`: {e}",
                                deck.chapter.page, card.line
                            );
                        }
                        count += 1;
                    }
                }
            }
        }
    }
    assert!(count > 30, "only {count} formulas found");
    // And KaTeX does reject bad math, so the loop above checks something.
    assert!(katex::render_with_opts(r"\frac{1}{", opts(false)).is_err());
}

/// Copies the fixture vault into a scratch folder.
fn fixture_vault(name: &str) -> PathBuf {
    let dir = scratch(name);
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vault");
    for entry in fs::read_dir(from).expect("the fixture vault exists") {
        let entry = entry.expect("a directory entry");
        fs::copy(entry.path(), dir.join(entry.file_name())).expect("the fixture copies");
    }
    dir
}

#[test]
fn a_vault_update_keeps_review_history() {
    let dir = fixture_vault("vault");
    let decks = collect(&fixture_book()).expect("the fixture parses");
    let report = cards::update_vault(&decks, &dir, "").expect("the vault updates");

    // The card that survived keeps its history and takes the book's new answer.
    let note = fs::read_to_string(dir.join("01-first-chapter.md")).expect("the note exists");
    let cards = obsidian::parse(&note);
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[0].question, "What does the table say at offset 0?");
    assert_eq!(cards[0].answer, decks[0].cards[0].answer);
    assert_eq!(
        cards[0].history.as_deref(),
        Some("<!--SR:!2024-02-11,84,290-->")
    );
    // Never reviewed, still no history; the new card has none either.
    assert_eq!(cards[1].history, None);
    assert_eq!(cards[2].question, "Which question is new?");
    assert_eq!(cards[2].history, None);
    assert_eq!(report.kept_history, 1);
    assert_eq!(
        report.added,
        vec![
            (
                "01-first-chapter.md".to_string(),
                "Which question is new?".to_string()
            ),
            (
                "02-second-the-sequel.md".to_string(),
                "Is the second chapter short?".to_string()
            ),
        ]
    );

    // The removed card is reported and kept, history and all, outside the plugin's decks.
    assert_eq!(
        report.removed,
        vec![(
            "01-first-chapter.md".to_string(),
            "A question the book no longer asks".to_string(),
            true
        )]
    );
    let retired = fs::read_to_string(dir.join("01-first-chapter.retired-cards.md"))
        .expect("the retired cards are kept");
    assert!(
        !retired.contains("tags:") && !retired.contains("#flashcards"),
        "the plugin must not schedule retired cards"
    );
    assert!(
        !retired.lines().any(|l| l == "?" || l == "??"),
        "no card separator the plugin knows"
    );
    let kept = obsidian::parse(&retired);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].question, "A question the book no longer asks");
    assert_eq!(
        kept[0].history.as_deref(),
        Some("<!--SR:!2024-03-01,12,250-->")
    );

    // The reader's own note is untouched.
    assert_eq!(
        fs::read_to_string(dir.join("my-own-note.md")).expect("still there"),
        "A note of the reader's that the update must not touch.\n"
    );

    // A second update changes nothing and reports nothing new.
    let before: Vec<String> = ["01-first-chapter.md", "01-first-chapter.retired-cards.md"]
        .iter()
        .map(|f| fs::read_to_string(dir.join(f)).expect("exists"))
        .collect();
    let again = cards::update_vault(&decks, &dir, "").expect("the vault updates");
    assert!(again.added.is_empty() && again.removed.is_empty());
    assert_eq!(again.kept_history, 1);
    let after: Vec<String> = ["01-first-chapter.md", "01-first-chapter.retired-cards.md"]
        .iter()
        .map(|f| fs::read_to_string(dir.join(f)).expect("exists"))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn a_renamed_chapter_keeps_its_history() {
    let dir = fixture_vault("vault-renamed");
    // The reader's note was written when the chapter had another title and number.
    fs::rename(dir.join("01-first-chapter.md"), dir.join("03-old-title.md")).expect("renamed");
    let decks = collect(&fixture_book()).expect("the fixture parses");
    let report = cards::update_vault(&decks, &dir, "").expect("the vault updates");
    assert_eq!(
        report.renamed,
        vec![(
            "03-old-title.md".to_string(),
            "01-first-chapter.md".to_string()
        )]
    );
    assert!(!dir.join("03-old-title.md").exists());
    assert_eq!(report.kept_history, 1);
    assert_eq!(report.removed.len(), 1);
    let cards =
        obsidian::parse(&fs::read_to_string(dir.join("01-first-chapter.md")).expect("note"));
    assert_eq!(
        cards[0].history.as_deref(),
        Some("<!--SR:!2024-02-11,84,290-->")
    );
}

#[test]
fn a_returning_question_gets_its_history_back() {
    let dir = fixture_vault("vault-return");
    let mut decks = collect(&fixture_book()).expect("the fixture parses");
    cards::update_vault(&decks, &dir, "").expect("the vault updates");
    // The book asks the retired question again.
    let mut back = decks[0].cards[2].clone();
    back.question = "A question the book no longer asks".into();
    back.id = CardId::new("first", &back.question);
    decks[0].cards.push(back);
    let report = cards::update_vault(&decks, &dir, "").expect("the vault updates");
    assert_eq!(report.kept_history, 2);
    let cards =
        obsidian::parse(&fs::read_to_string(dir.join("01-first-chapter.md")).expect("note"));
    assert_eq!(
        cards[3].history.as_deref(),
        Some("<!--SR:!2024-03-01,12,250-->")
    );
    assert!(!dir.join("01-first-chapter.retired-cards.md").exists());
}

#[test]
fn a_second_removal_keeps_the_cards_retired_before() {
    let dir = fixture_vault("vault-second-removal");
    let mut decks = collect(&fixture_book()).expect("the fixture parses");
    cards::update_vault(&decks, &dir, "").expect("the vault updates");
    // The book now drops one more question of chapter 1.
    let dropped = decks[0].cards.remove(1);
    let report = cards::update_vault(&decks, &dir, "").expect("the vault updates");
    assert_eq!(
        report.removed,
        vec![(
            "01-first-chapter.md".to_string(),
            dropped.question.clone(),
            false
        )]
    );
    let retired = obsidian::parse(
        &fs::read_to_string(dir.join("01-first-chapter.retired-cards.md")).expect("retired"),
    );
    let questions: Vec<&str> = retired.iter().map(|c| c.question.as_str()).collect();
    assert_eq!(
        questions,
        [
            "A question the book no longer asks",
            dropped.question.as_str()
        ]
    );
    assert_eq!(
        retired[0].history.as_deref(),
        Some("<!--SR:!2024-03-01,12,250-->")
    );
}

/// The error of a page holding `section` after its heading.
fn page_error(section: &str) -> String {
    let chapter = Chapter {
        number: 1,
        title: "T".into(),
        page: "t.md".into(),
    };
    let text = format!("# T\n\nIntro.\n\n## Review questions\n\n{section}");
    match source::parse_page(&chapter, &text, "src/t.md", Path::new(".")) {
        Ok(deck) => panic!("expected an error, got {} cards", deck.cards.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_blocks_fail_with_file_and_line() {
    // Line 7 is the first line after the heading and its blank line.
    let unclosed = page_error("<details><summary>Q?</summary>\n\nA.\n");
    assert!(unclosed.starts_with("src/t.md:7: "), "{unclosed}");
    assert!(unclosed.contains("never closed"), "{unclosed}");

    let empty = page_error("<details><summary>  </summary>\n\nA.\n\n</details>\n");
    assert!(
        empty.starts_with("src/t.md:7: ") && empty.contains("question is empty"),
        "{empty}"
    );

    let no_answer = page_error("<details><summary>Q?</summary>\n\n</details>\n");
    assert!(no_answer.starts_with("src/t.md:7: ") && no_answer.contains("answer is empty"));

    let stray = page_error("<details><summary>Q?</summary>\nA.\n</details>\n\nStray text.\n");
    assert!(
        stray.starts_with("src/t.md:11: ") && stray.contains("only <details>"),
        "{stray}"
    );

    let two_lines = page_error("<details><summary>Q\ncontinued</summary>\nA.\n</details>\n");
    assert!(two_lines.starts_with("src/t.md:7: ") && two_lines.contains("one line"));

    let math = page_error("<details><summary>Q?</summary>\n\nIt costs $5.\n\n</details>\n");
    assert!(
        math.starts_with("src/t.md:9: ") && math.contains("never closed"),
        "{math}"
    );

    let include = page_error(
        "<details><summary>Q?</summary>\n\n{{#include missing.snap:4:}}\n\n</details>\n",
    );
    assert!(include.starts_with("src/t.md:9: ") && include.contains("cannot be read"));

    let plugin =
        page_error("<details><summary>Q?</summary>\n\nUse Layout::Interleaved.\n\n</details>\n");
    assert!(
        plugin.starts_with("src/t.md:9: ") && plugin.contains("one-line card"),
        "{plugin}"
    );

    let tab = page_error("<details><summary>Is $n\times n$ fine?</summary>\n\nA.\n\n</details>\n");
    assert!(
        tab.starts_with("src/t.md:7: ") && tab.contains("U+0009"),
        "{tab}"
    );

    let none = page_error("\n");
    assert!(none.contains("no question"), "{none}");
}

#[test]
fn the_section_ends_at_the_next_heading_and_a_block_at_the_next_block() {
    let chapter = Chapter {
        number: 1,
        title: "T".into(),
        page: "t.md".into(),
    };
    let block = "<details><summary>Q?</summary>\n\nA.\n\n</details>\n";
    for heading in ["## Further reading", "# Part two"] {
        let text = format!("## Review questions\n\n{block}\n{heading}\n\nNot a card.\n");
        let deck = source::parse_page(&chapter, &text, "src/t.md", Path::new("."))
            .unwrap_or_else(|e| panic!("{heading}: {e}"));
        assert_eq!(pairs(&deck), [("Q?".to_string(), "A.".to_string())]);
    }

    // A block left open is reported even when another block follows it.
    let open = page_error(&format!("<details><summary>P?</summary>\n\nA.\n\n{block}"));
    assert!(
        open.starts_with("src/t.md:7: ") && open.contains("never closed"),
        "{open}"
    );
    // An unclosed dollar in the question is found on the question's line.
    let math = page_error("<details><summary>Is $x fine?</summary>\n\nA.\n\n</details>\n");
    assert!(
        math.starts_with("src/t.md:7: ") && math.contains("never closed"),
        "{math}"
    );
    // An unclosed dollar on the answer's second line is reported on that line.
    let second =
        page_error("<details><summary>Q?</summary>\n\nFirst line.\nIt costs $5.\n\n</details>\n");
    assert!(
        second.starts_with("src/t.md:10: ") && second.contains("never closed"),
        "{second}"
    );
    // An empty section is reported on its heading's line.
    let none = page_error("\n");
    assert!(none.starts_with("src/t.md:5: "), "{none}");
}

#[test]
fn a_duplicate_question_fails_with_both_places() {
    let mut decks = collect(&fixture_book()).expect("the fixture parses");
    let mut copy = decks[0].cards[1].clone();
    copy.line = 42;
    decks[1].cards.push(copy);
    let err = source::check_duplicates(&decks).expect_err("a duplicate is an error");
    assert!(matches!(err, Error::At { line: 42, .. }));
    let msg = err.to_string();
    assert!(msg.starts_with("src/second.md:42: "), "{msg}");
    assert!(msg.contains("already asked at src/first.md:"), "{msg}");
}

#[test]
fn the_counts_on_the_page_match_the_decks() {
    let decks = collect(&repo_root()).expect("the book parses");
    let table = cards::counts_table(&decks);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/counts.md");
    // Rewritten only on request and never in CI, as insta does with INSTA_UPDATE.
    let ci = matches!(std::env::var("CI").as_deref(), Ok("true" | "1"));
    if !ci && std::env::var("CARDS_UPDATE").as_deref() == Ok("always") {
        fs::write(&path, &table).expect("the table can be written");
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        table,
        "the card counts changed: rerun with CARDS_UPDATE=always and commit {}",
        path.display()
    );
    // The page shows the committed table.
    let page = fs::read_to_string(repo_root().join("src/cards.md")).expect("the page exists");
    assert!(page.contains("{{#include ../code/cards/tests/snapshots/counts.md}}"));
}
