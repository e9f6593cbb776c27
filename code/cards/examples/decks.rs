//! Writes the decks of a book: the Anki package, the Obsidian notes and their ZIP.
//!
//! ```text
//! cargo run -p cards --example decks -- [ROOT] [DEST] [MTIME]
//! ```
//!
//! ROOT is the repository root (default `.`), DEST the output folder (default `book/cards`),
//! MTIME the Anki notes' time in seconds since the Unix epoch (default: now). With
//! `--vault DIR` instead of DEST it updates an Obsidian vault folder and reports what changed.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: decks [ROOT] [DEST] [MTIME]\n       decks [ROOT] --vault DIR\n\
             Writes the Anki package and Obsidian notes of the book at ROOT into DEST\n\
             (default book/cards), or updates the Obsidian vault folder DIR."
        );
        return ExitCode::SUCCESS;
    }
    let root = PathBuf::from(args.first().map_or(".", String::as_str));
    let decks = match cards::collect(&root) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.get(1).map(String::as_str) == Some("--vault") {
        let Some(dir) = args.get(2) else {
            eprintln!("error: --vault needs a folder");
            return ExitCode::FAILURE;
        };
        return match cards::update_vault(&decks, &PathBuf::from(dir), "") {
            Ok(r) => {
                println!(
                    "{} notes written, {} cards kept their history, {} added, {} removed",
                    r.written.len(),
                    r.kept_history,
                    r.added.len(),
                    r.removed.len()
                );
                for (file, q, history) in &r.removed {
                    let kept = if *history { " (history kept)" } else { "" };
                    println!("removed from {file}: {q}{kept}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let dest = args
        .get(1)
        .map_or_else(|| root.join("book/cards"), PathBuf::from);
    let mut options = cards::Options::now("");
    if let Some(t) = args.get(2) {
        match t.parse() {
            Ok(t) => options.mtime = t,
            Err(_) => {
                eprintln!("error: MTIME = {t} is not a number of seconds");
                return ExitCode::FAILURE;
            }
        }
    }
    match cards::write_all(&decks, &dest, &options) {
        Ok(report) => {
            println!("{report}");
            for (title, n) in &report.counts {
                println!("  {n:>3}  {title}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
