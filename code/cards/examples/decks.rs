//! Writes the review cards of a book (the Anki package and the Obsidian notes), or updates an
//! Obsidian vault folder. `cargo xtask cards` does the same for this book; this example also
//! takes another book's root (the fixture book) and a fixed time stamp, which
//! `tests/anki_check.py` needs to show that a later package updates notes in place.

use std::path::PathBuf;

use clap::Parser;

/// Writes a book's review cards as an Anki package and Obsidian notes.
#[derive(Parser)]
struct Args {
    /// The book's root folder (the one holding src/SUMMARY.md)
    #[arg(default_value = ".")]
    root: PathBuf,
    /// Where to write [default: ROOT/book/cards]
    dest: Option<PathBuf>,
    /// The Anki notes' modification time, seconds since the Unix epoch [default: now]
    mtime: Option<i64>,
    /// Update this Obsidian vault folder instead of writing DEST
    #[arg(long, value_name = "DIR", conflicts_with_all = ["dest", "mtime"])]
    vault: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    bookkit::cli::run(|args: Args| -> cards::Result<String> {
        let decks = cards::collect(&args.root)?;
        if let Some(dir) = args.vault {
            let r = cards::update_vault(&decks, &dir, "")?;
            let mut out = format!(
                "{} notes written, {} cards kept their history, {} added, {} removed\n",
                r.written.len(),
                r.kept_history,
                r.added.len(),
                r.removed.len()
            );
            for (file, q, history) in &r.removed {
                let kept = if *history { " (history kept)" } else { "" };
                out.push_str(&format!("removed from {file}: {q}{kept}\n"));
            }
            return Ok(out);
        }
        let dest = args.dest.unwrap_or_else(|| args.root.join("book/cards"));
        let mut options = cards::Options::now("");
        if let Some(t) = args.mtime {
            options.mtime = t;
        }
        let report = cards::write_all(&decks, &dest, &options)?;
        let mut out = format!("{report}\n");
        for (title, n) in &report.counts {
            out.push_str(&format!("  {n:>3}  {title}\n"));
        }
        Ok(out)
    })
}
