//! The command line, declared with clap's derive: `cargo xtask --help` and
//! `cargo xtask <command> --help` are generated from these doc comments, and a mistyped command
//! or flag gets a suggestion.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Builds, serves and checks the book "Where Is Each Token?".
#[derive(Debug, Parser)]
#[command(bin_name = "cargo xtask", arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The build tool's commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Cmd {
    /// Build the book, serve it, rebuild it on every change
    ///
    /// Serves http://127.0.0.1:PORT/, rebuilds when src/, code/ or book.toml change, and the
    /// open page reloads itself when a rebuild finishes.
    Serve {
        /// The port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Build the book with every check
    Book {
        /// Where to write the HTML [default: book/]
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
    },
    /// Redraw every figure into src/figures/
    ///
    /// Runs the figure test (tests/figures.rs) of every crate under code/ that has one, with
    /// FIGURES_UPDATE=always, then lists the SVGs that changed: review `git diff src/figures`.
    Figures,
    /// List every Rust listing the book includes, longest first
    ///
    /// Each `{{#include}}` or `{{#rustdoc_include}}` of a .rs file: the lines it renders, the
    /// page and line of the directive, the file and anchor or range, and any
    /// `<!-- long listing: reason -->` waiver; then how the lengths are distributed.
    Listings,
    /// Write the review cards: an Anki package and Obsidian notes
    ///
    /// Reads every chapter's `## Review questions` and writes `where-is-each-token.apkg` (one
    /// subdeck per chapter) and one Obsidian note per chapter into DIR. With --obsidian, updates
    /// a folder of your vault instead: cards keep their review history, new questions are
    /// added, removed ones are listed and kept, with their history, in a retired-cards note.
    Cards {
        /// Where to write the package and notes [default: book/cards]
        #[arg(long, value_name = "DIR", conflicts_with = "obsidian")]
        dest: Option<PathBuf>,
        /// An Obsidian vault folder to update in place
        #[arg(long, value_name = "DIR")]
        obsidian: Option<PathBuf>,
        /// Where the book is published (e.g. `https://example.org/book/`): each card links to its
        /// page there. Without it, the links are relative page names (order.html)
        #[arg(long, value_name = "URL", default_value = "")]
        book_url: String,
    },
    /// Build the book, then open every page in headless Chromium and check it as a reader sees it
    ///
    /// Each page at 1280 and 390 px, in the light and navy themes: no console error, failed or
    /// off-machine request; math in KaTeX's fonts; every image loaded; nothing wider than a
    /// phone's screen outside a box that scrolls; the search finds every term in
    /// src/theme/search-terms.txt; a skip link first and the contents reachable by keyboard.
    /// Also prints the book to book/where-is-each-token.pdf (title page, contents, bookmarks,
    /// page numbers) and checks its outline.
    /// Chromium comes from $CHROMIUM or PATH (Debian: `apt-get install chromium`).
    Browser,
    /// Run every check CI runs
    ///
    /// fmt, clippy, the tests with CI=true (insta and the figure tests compare and never write),
    /// rustdoc, the book build with all its checks, and the browser check (skipped, saying so,
    /// when Chromium is missing, unless CI=true).
    Test,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cmd, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(args.iter().copied())).map(|c| c.command)
    }

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_and_flags_parse() {
        assert_eq!(parse(&["serve"]).unwrap(), Cmd::Serve { port: 3000 });
        assert_eq!(
            parse(&["serve", "--port", "8080"]).unwrap(),
            Cmd::Serve { port: 8080 }
        );
        assert_eq!(
            parse(&["book", "--dest", "out"]).unwrap(),
            Cmd::Book {
                dest: Some(PathBuf::from("out"))
            }
        );
        assert_eq!(parse(&["figures"]).unwrap(), Cmd::Figures);
        assert_eq!(parse(&["test"]).unwrap(), Cmd::Test);
        assert_eq!(parse(&["browser"]).unwrap(), Cmd::Browser);
        assert_eq!(parse(&["listings"]).unwrap(), Cmd::Listings);
        assert_eq!(
            parse(&["cards", "--obsidian", "v", "--book-url", "https://x/"]).unwrap(),
            Cmd::Cards {
                dest: None,
                obsidian: Some(PathBuf::from("v")),
                book_url: "https://x/".into()
            }
        );
        // A vault update writes no package, so a destination with it is a mistake.
        assert!(parse(&["cards", "--obsidian", "v", "--dest", "d"]).is_err());
    }

    #[test]
    fn mistakes_are_refused_with_a_suggestion() {
        let typo = parse(&["serv"]).unwrap_err();
        assert_eq!(typo.kind(), ErrorKind::InvalidSubcommand);
        assert!(typo.to_string().contains("'serve'"), "{typo}");

        let flag = parse(&["serve", "--prot", "1"]).unwrap_err();
        assert_eq!(flag.kind(), ErrorKind::UnknownArgument);
        assert!(flag.to_string().contains("--port"), "{flag}");

        let port = parse(&["serve", "--port", "70000"]).unwrap_err();
        assert_eq!(port.kind(), ErrorKind::ValueValidation);

        let none = parse(&[]).unwrap_err();
        assert_eq!(
            none.kind(),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
    }
}
