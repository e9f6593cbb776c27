//! The Anki package: a ZIP holding a SQLite collection, read back with SQLite.

use std::fs;
use std::path::{Path, PathBuf};

use cards::{Options, collect};
use rusqlite::Connection;

fn fixture_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book")
}

/// The entries of a stored (uncompressed) ZIP: walks the local headers.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at =
        |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let mut out = Vec::new();
    let mut at = 0;
    while u32_at(at) == 0x0403_4b50 {
        assert_eq!(u16_at(at + 8), 0, "stored");
        let size = u32_at(at + 18);
        let name_len = u16_at(at + 26);
        let name = String::from_utf8(zip[at + 30..at + 30 + name_len].to_vec()).expect("UTF-8");
        let data = zip[at + 30 + name_len..at + 30 + name_len + size].to_vec();
        assert_eq!(cards::zip::crc32(&data) as usize, u32_at(at + 14), "{name}");
        out.push((name, data));
        at += 30 + name_len + size;
    }
    out
}

#[test]
fn the_package_holds_one_note_per_card_in_chapter_subdecks() {
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cards-apkg");
    let _ = fs::remove_dir_all(&dest);
    // A note from an earlier build whose chapter is gone, and a file that is not a note of ours.
    fs::create_dir_all(dest.join("obsidian")).expect("created");
    fs::write(
        dest.join("obsidian/03-gone.md"),
        "---\ntags:\n  - flashcards\npage: gone.md\n---\n",
    )
    .expect("written");
    fs::write(dest.join("obsidian/notes.md"), "mine\n").expect("written");
    let decks = collect(&fixture_book()).expect("the fixture parses");
    let options = Options {
        book_url: "https://example.org/".into(),
        mtime: 1_700_000_000,
    };
    let report = cards::write_all(&decks, &dest, &options).expect("the files are written");
    assert_eq!(
        report.counts,
        vec![
            ("First chapter".to_string(), 3),
            ("Second: the sequel".to_string(), 1)
        ]
    );

    assert!(
        report.to_string().starts_with("cards: 4 in 2 decks: "),
        "{report}"
    );
    for card in decks.iter().flat_map(|d| &d.cards) {
        // The id prints as the guid: 16 hex digits.
        assert_eq!(card.id.to_string(), card.id.guid());
        assert_eq!(card.id.to_string().len(), 16);
    }

    let zip = fs::read(&report.apkg).expect("the package exists");
    let files = entries(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["collection.anki2", "media"]);
    assert_eq!(files[1].1, b"{}");

    let db_path = dest.join("unpacked.anki2");
    fs::write(&db_path, &files[0].1).expect("written");
    let db = Connection::open(&db_path).expect("a SQLite database");
    let notes: Vec<(i64, String, String, String)> = db
        .prepare("SELECT id, guid, tags, flds FROM notes ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .expect("the notes read back");
    assert_eq!(notes.len(), 4);
    for card in decks.iter().flat_map(|d| &d.cards) {
        let note = notes
            .iter()
            .find(|n| n.1 == card.id.guid())
            .expect("every card is a note with its guid");
        assert_eq!(note.0, card.id.note_id());
    }
    // Math in Anki's delimiters, escaped dollars and code left alone, a link back to the book.
    let sqrt = notes
        .iter()
        .find(|n| {
            n.3.starts_with("Why is \\(\\sqrt{d}\\) in the logits?\u{1f}")
        })
        .expect("the math question");
    assert!(
        sqrt.3.contains("\\[\\frac{q \\cdot k}{\\sqrt{d}}\\]"),
        "{}",
        sqrt.3
    );
    assert!(
        !sqrt.3.contains("\\$5") && sqrt.3.contains("$5"),
        "{}",
        sqrt.3
    );
    assert!(sqrt.3.contains("<code>$x</code>"), "{}", sqrt.3);
    assert!(sqrt.3.ends_with(
        "<a href=\"https://example.org/first.html\">Where Is Each Token?, chapter 1: First chapter</a>"
    ));
    assert_eq!(sqrt.2, " where-is-each-token::01-first ");
    // The snapshot table became an HTML table.
    assert!(notes.iter().any(|n| n.3.contains("<table>")));

    // One card per note, each in its chapter's subdeck, and the decks are named in the collection.
    let cards: i64 = db
        .query_row("SELECT count(*) FROM cards", [], |r| r.get(0))
        .expect("count");
    assert_eq!(cards, 4);
    let decks_json: String = db
        .query_row("SELECT decks FROM col", [], |r| r.get(0))
        .expect("decks");
    let value: serde_json::Value = serde_json::from_str(&decks_json).expect("JSON");
    let mut deck_names: Vec<String> = value
        .as_object()
        .expect("an object")
        .values()
        .map(|d| d["name"].as_str().expect("a name").to_string())
        .collect();
    deck_names.sort();
    assert_eq!(
        deck_names,
        [
            "Default",
            "Where Is Each Token?",
            "Where Is Each Token?::1. First chapter",
            "Where Is Each Token?::2. Second: the sequel"
        ]
    );
    let per_deck: i64 = db
        .query_row("SELECT count(DISTINCT did) FROM cards", [], |r| r.get(0))
        .expect("count");
    assert_eq!(per_deck, 2);

    // The sort field is the question without its HTML; new cards are due in book order 1, 2, …
    let sort: String = db
        .query_row(
            "SELECT sfld FROM notes WHERE flds LIKE 'Why is%'",
            [],
            |r| r.get(0),
        )
        .expect("the math question");
    assert_eq!(sort, "Why is \\(\\sqrt{d}\\) in the logits?");
    let dues: Vec<i64> = db
        .prepare("SELECT due FROM cards ORDER BY due")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("dues");
    assert_eq!(dues, [1, 2, 3, 4]);
    // The note type has the three fields the cards fill, and the decks' options group exists.
    let (models, dconf): (String, String) = db
        .query_row("SELECT models, dconf FROM col", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("col");
    let models: serde_json::Value = serde_json::from_str(&models).expect("JSON");
    let model = models
        .as_object()
        .expect("an object")
        .values()
        .next()
        .expect("a model");
    let fields: Vec<&str> = model["flds"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(fields, ["Question", "Answer", "Source"]);
    let dconf: serde_json::Value = serde_json::from_str(&dconf).expect("JSON");
    assert!(
        dconf.get("1").is_some_and(|c| c["name"].is_string()),
        "{dconf}"
    );

    // The same input gives the same package, byte for byte.
    let again =
        cards::anki::package(&decks, "https://example.org/", 1_700_000_000, &dest).expect("packs");
    assert_eq!(again, zip);

    assert!(!dest.join("obsidian/03-gone.md").exists());
    assert!(dest.join("obsidian/notes.md").exists());

    // The Obsidian ZIP holds the same notes as the folder.
    let notes_zip = entries(&fs::read(&report.obsidian_zip).expect("exists"));
    assert_eq!(notes_zip.len(), 2);
    for (name, data) in notes_zip {
        assert_eq!(
            fs::read(report.obsidian.join(&name)).expect("the note"),
            data
        );
    }
}
