//! An Anki package (`.apkg`) with one subdeck per chapter.
//!
//! An `.apkg` is a ZIP archive holding `collection.anki2`, a SQLite database in Anki's schema 11
//! (the format every Anki since 2.1 imports), and `media`, a JSON index of media files (none
//! here). The collection holds one note type, "Where Is Each Token? (question and answer)", with
//! the fields Question, Answer and Source, and one note per review question:
//!
//! - the note's guid and id come from the card's [`CardId`](crate::CardId), so importing a newer
//!   package updates the notes it already imported instead of adding copies (Anki updates a note
//!   whose guid it knows when the package's copy is newer, hence the `mtime` argument);
//! - the deck is `Where Is Each Token?::N. Chapter title`, the tag `where-is-each-token::NN-stem`;
//! - Markdown becomes HTML and the math delimiters become Anki's `\(…\)` and `\[…\]`.

use std::path::Path;

use errors::{Error, Result};
use pulldown_cmark::{Options, Parser, html};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use crate::{BOOK, Deck, fnv1a64, id::masked, math, obsidian::slug, zip};

/// The note type's name.
pub const NOTETYPE: &str = "Where Is Each Token? (question and answer)";

/// The schema of an Anki 2.1 collection (version 11), as Anki creates it.
const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

const CSS: &str = ".card { font-family: sans-serif; font-size: 20px; text-align: left; \
max-width: 40em; margin: 0 auto; }\n.source { margin-top: 1.5em; font-size: 14px; opacity: 0.7; }\n\
table { border-collapse: collapse; } td, th { border: 1px solid #888; padding: 0 0.4em; }";

/// The stable id of a name (deck, note type): its FNV-1a hash, 52 bits.
fn stable_id(name: &str) -> i64 {
    masked(fnv1a64(name.as_bytes()))
}

/// The deck a chapter's notes go to: `Where Is Each Token?::1. Why position?`.
pub fn deck_name(deck: &Deck) -> String {
    format!(
        "{BOOK}::{}. {}",
        deck.chapter.number,
        deck.chapter.title.replace("::", ":")
    )
}

/// The tag of a chapter's notes: `where-is-each-token::01-order`.
pub fn tag(deck: &Deck) -> String {
    format!(
        "{}::{:02}-{}",
        slug(BOOK),
        deck.chapter.number,
        deck.chapter.stem()
    )
}

/// Markdown with `$…$` / `$$…$$` math as HTML with Anki's `\(…\)` / `\[…\]`.
///
/// The math is set aside before the Markdown is rendered, so that `_` and `*` inside a formula
/// are not taken for emphasis, and put back HTML-escaped.
///
/// ```
/// let html = cards::anki::html("A *b* $x_1 < y_2$ \\$5\n\n$$d/2$$").unwrap();
/// assert_eq!(html, "<p>A <em>b</em> \\(x_1 &lt; y_2\\) $5</p>\n<p>\\[d/2\\]</p>\n");
/// ```
pub fn html(markdown: &str) -> Result<String> {
    let pieces = math::split(markdown).map_err(|at| {
        errors::bad(
            "card text",
            markdown.chars().take(60).collect::<String>(),
            format!("the `$` at byte {at} is never closed"),
        )
    })?;
    let mut text = String::new();
    let mut formulas = Vec::new();
    for piece in pieces {
        match piece {
            math::Piece::Text(t) | math::Piece::Code(t) => text.push_str(t),
            math::Piece::Inline(t) => {
                text.push_str(&placeholder(formulas.len()));
                formulas.push(format!("\\({}\\)", escape(t)));
            }
            math::Piece::Display(t) => {
                text.push_str(&placeholder(formulas.len()));
                formulas.push(format!("\\[{}\\]", escape(t)));
            }
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(&text, Options::ENABLE_TABLES));
    for (i, f) in formulas.iter().enumerate() {
        out = out.replace(&placeholder(i), f);
    }
    Ok(out)
}

/// A one-paragraph fragment without its `<p>` wrapper (a question, on the card's front).
fn inline(html: &str) -> String {
    let t = html.trim_end();
    match t.strip_prefix("<p>").and_then(|t| t.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html.to_string(),
    }
}

/// A marker that Markdown leaves alone: private-use characters around a number.
fn placeholder(i: usize) -> String {
    format!("\u{e000}{i}\u{e001}")
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text of an HTML fragment without its tags (Anki's sort field).
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn sql(e: rusqlite::Error) -> Error {
    Error::Io {
        path: "collection.anki2".into(),
        action: "written",
        message: e.to_string(),
    }
}

/// The note type (schema 11 JSON): three fields, one card template.
fn notetype(mid: i64, did: i64, mtime: i64) -> Value {
    let field = |name: &str, ord: u32| {
        json!({"name": name, "ord": ord, "sticky": false, "rtl": false,
               "font": "Arial", "size": 20, "media": []})
    };
    json!({
        "id": mid, "name": NOTETYPE, "type": 0, "mod": mtime, "usn": -1, "sortf": 0,
        "did": did, "tags": [], "vers": [], "css": CSS,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "flds": [field("Question", 0), field("Answer", 1), field("Source", 2)],
        "tmpls": [{
            "name": "Question and answer", "ord": 0, "did": null, "bqfmt": "", "bafmt": "",
            "qfmt": "{{Question}}",
            "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Answer}}\n<div class=\"source\">{{Source}}</div>"
        }],
        "req": [[0, "any", [0]]]
    })
}

fn deck_json(id: i64, name: &str, mtime: i64) -> Value {
    json!({
        "id": id, "name": name, "mod": mtime, "usn": -1, "desc": "", "dyn": 0, "conf": 1,
        "collapsed": false, "browserCollapsed": false, "extendNew": 0, "extendRev": 0,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0]
    })
}

fn deck_options() -> Value {
    json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": true, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 7],
                "order": 1, "perDay": 20, "separate": true},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
        "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1.0, "maxIvl": 36500,
                "minSpace": 1, "perDay": 200}
    }})
}

/// The package's bytes: every deck's cards, notes stamped with `mtime` (seconds since the Unix
/// epoch). `book_url` prefixes the page names in each note's Source field.
///
/// The SQLite file is built in `scratch` (a directory that must exist; the file is removed
/// afterwards).
pub fn package(decks: &[Deck], book_url: &str, mtime: i64, scratch: &Path) -> Result<Vec<u8>> {
    let db_path = scratch.join(format!("collection-{}.anki2", std::process::id()));
    let _ = std::fs::remove_file(&db_path);
    let result = build_collection(decks, book_url, mtime, &db_path).and_then(|()| {
        std::fs::read(&db_path).map_err(|e| crate::source::unreadable(&db_path, &e))
    });
    let _ = std::fs::remove_file(&db_path);
    let collection = result?;
    zip::archive(&[("collection.anki2", &collection), ("media", b"{}")])
}

fn build_collection(decks: &[Deck], book_url: &str, mtime: i64, path: &Path) -> Result<()> {
    let mut db = Connection::open(path).map_err(sql)?;
    db.execute_batch(SCHEMA).map_err(sql)?;
    let mid = stable_id(NOTETYPE);
    let top = stable_id(BOOK);
    let mut deck_map = serde_json::Map::new();
    deck_map.insert("1".into(), deck_json(1, "Default", mtime));
    deck_map.insert(top.to_string(), deck_json(top, BOOK, mtime));
    for deck in decks {
        let name = deck_name(deck);
        let did = stable_id(&name);
        deck_map.insert(did.to_string(), deck_json(did, &name, mtime));
    }
    let models = json!({ mid.to_string(): notetype(mid, top, mtime) });
    let conf = json!({
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200,
        "timeLim": 0, "estTimes": true, "dueCounts": true, "curModel": mid.to_string(),
        "nextPos": 1, "sortType": "noteFld", "sortBackwards": false, "addToCur": true
    });
    let tx = db.transaction().map_err(sql)?;
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            mtime,
            mtime * 1000,
            conf.to_string(),
            models.to_string(),
            Value::Object(deck_map).to_string(),
            deck_options().to_string()
        ],
    )
    .map_err(sql)?;
    let mut due = 0i64;
    for deck in decks {
        let did = stable_id(&deck_name(deck));
        let tag = tag(deck);
        let source = format!(
            "<a href=\"{book_url}{}\">{BOOK}, chapter {}: {}</a>",
            deck.chapter.html(),
            deck.chapter.number,
            escape(&deck.chapter.title)
        );
        for card in &deck.cards {
            let question = inline(&html(&card.question)?);
            let answer = html(&card.answer)?;
            let fields = [question.as_str(), answer.as_str(), source.as_str()].join("\u{1f}");
            due += 1;
            tx.execute(
                "INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, 0, 0, '')",
                params![
                    card.id.note_id(),
                    card.id.guid(),
                    mid,
                    mtime,
                    format!(" {tag} "),
                    fields,
                    strip_tags(&question)
                ],
            )
            .map_err(sql)?;
            tx.execute(
                "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                params![card.id.card_id(), card.id.note_id(), did, mtime, due],
            )
            .map_err(sql)?;
        }
    }
    tx.commit().map_err(sql)?;
    db.close().map_err(|(_, e)| sql(e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_paragraph_loses_its_wrapper_and_two_keep_theirs() {
        assert_eq!(inline("<p>Why <em>d</em>?</p>\n"), "Why <em>d</em>?");
        let two = "<p>One.</p>\n<p>Two?</p>\n";
        assert_eq!(inline(two), two);
    }

    #[test]
    fn the_sort_field_is_the_text_between_the_tags() {
        assert_eq!(
            strip_tags(" <em>Why</em> is \\(a &lt; b\\) <a href=\"x\">true</a>? "),
            "Why is \\(a &lt; b\\) true?"
        );
    }
}
