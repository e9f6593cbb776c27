//! `cargo xtask <command>`: see `cargo xtask --help` and [`xtask::cli`].

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::Parser;
use xtask::cli::{Cli, Cmd};
use xtask::{Problem, book, browser, ci, figures, listings, root, serve};

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Book { dest } => {
            let dest = dest.unwrap_or_else(|| root().join("book"));
            build_book(&dest).map(|_| ())
        }
        Cmd::Serve { port } => serve_book(port),
        Cmd::Figures => write_figures(),
        Cmd::Listings => {
            let root = root();
            let found = listings::find(&root.join("src"));
            print!("{}", listings::report(&root, &found));
            Ok(())
        }
        Cmd::Cards {
            dest,
            obsidian,
            book_url,
        } => write_cards(dest, obsidian, &book_url),
        Cmd::Browser => {
            let dest = root().join("book");
            build_book(&dest).and_then(|_| match browser::find_chromium() {
                Some(chromium) => browser_check(&dest, &chromium),
                None => Err(format!("no Chromium found: {}", browser::INSTALL_HINT)),
            })
        }
        Cmd::Test => test(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "the book has {} problem(s):\n{}",
        problems.len(),
        lines.join("\n")
    )
}

fn build_book(dest: &Path) -> Result<book::Built, String> {
    let built = book::build(&root(), dest).map_err(|p| report(&p))?;
    println!(
        "book: {} pages in {} (rendered in {} ms)",
        built.pages,
        built.dest.display(),
        built.render_time.as_millis()
    );
    Ok(built)
}

fn browser_check(dest: &Path, chromium: &Path) -> Result<(), String> {
    let options = browser::Options {
        search_terms: browser::search_terms(&root().join("src")),
        pdf: Some(PathBuf::from(book::PDF)),
        ..browser::Options::default()
    };
    println!(
        "browser: {} at {:?} px in the {} theme(s), searching for {}",
        chromium.display(),
        options.widths,
        options.themes.join(", "),
        options.search_terms.join(", ")
    );
    let checked = browser::check(dest, chromium, &options).map_err(|p| report(&p))?;
    println!(
        "browser: {} pages, {} loads in {}, {} search terms found, {} in {:.1} s",
        checked.pages,
        checked.loads,
        checked.browser,
        options.search_terms.len(),
        checked
            .pdf_pages
            .zip(checked.pdf_bookmarks)
            .map_or(String::new(), |(n, b)| format!(
                "{} printed with {n} pages and {b} bookmarks,",
                book::PDF
            )),
        checked.time.as_secs_f64()
    );
    Ok(())
}

fn write_cards(
    dest: Option<PathBuf>,
    obsidian: Option<PathBuf>,
    book_url: &str,
) -> Result<(), String> {
    let root = root();
    let fail = |e: cards::Error| book::card_problem(&root, &e).to_string();
    let decks = cards::collect(&root).map_err(fail)?;
    if let Some(dir) = obsidian {
        let r = cards::update_vault(&decks, &dir, book_url).map_err(fail)?;
        println!(
            "{}: {} notes written, {} cards kept their review history, {} added, {} removed",
            dir.display(),
            r.written.len(),
            r.kept_history,
            r.added.len(),
            r.removed.len()
        );
        for (file, question) in &r.added {
            println!("  added to {file}: {question}");
        }
        for (file, question, history) in &r.removed {
            let kept = if *history {
                " (its history moved to the retired-cards note)"
            } else {
                ""
            };
            println!("  removed from {file}: {question}{kept}");
        }
        for (old, new) in &r.renamed {
            println!("  renamed: {old} → {new}");
        }
        return Ok(());
    }
    let dest = dest.unwrap_or_else(|| root.join("book").join(book::CARDS_DIR));
    let report = cards::write_all(&decks, &dest, &cards::Options::now(book_url)).map_err(fail)?;
    println!("{report}");
    Ok(())
}

fn serve_book(port: u16) -> Result<(), String> {
    let root = root();
    let dest = root.join("book");
    if let Err(e) = build_book(&dest) {
        eprintln!("error: {e}\n(serving anyway; fix the problems and save to rebuild)");
    }
    let builds = serve::Builds::default();
    let addr = serve::spawn_server(dest.clone(), port, builds.clone())
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("serving http://{addr}/ (open pages reload after each rebuild; Ctrl-C stops)");
    let mut seen = serve::newest_input(&root);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = serve::newest_input(&root);
        if now != seen {
            seen = now;
            println!("change seen, rebuilding");
            if let Err(e) = build_book(&dest) {
                eprintln!("error: {e}");
            }
            // Reload open pages either way: a failed check may still have rewritten them.
            builds.finished();
        }
    }
}

/// Runs every crate's figure test in write mode, then says which SVGs moved.
fn write_figures() -> Result<(), String> {
    let root = root();
    let crates = figures::crates_with_figures(&root)?;
    if crates.is_empty() {
        return Err("no crate under code/ has a tests/figures.rs".into());
    }
    if ci() {
        return Err("CI is set, so the figure tests would only compare: unset it to redraw".into());
    }
    let dir = root.join(figures::FIGURE_DIR);
    let before = figures::contents(&dir);
    let mut args = vec!["test", "--locked"];
    for name in &crates {
        args.extend(["-p", name.as_str()]);
    }
    args.extend(["--test", "figures"]);
    cargo(&args, &[(figures::UPDATE_VAR, "always")])?;
    let moved = figures::changes(&before, &figures::contents(&dir));
    if moved.is_empty() {
        println!(
            "\nno figure changed ({} crates: {})",
            crates.len(),
            crates.join(", ")
        );
    } else {
        println!("\nin {}/:", figures::FIGURE_DIR);
        for line in &moved {
            println!("  {line}");
        }
        println!(
            "\nlook at them and review `git diff {}` before committing",
            figures::FIGURE_DIR
        );
    }
    Ok(())
}

fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<Duration, String> {
    let start = Instant::now();
    println!("\n==> cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(start.elapsed())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// The one test command: what `.ci/run` runs and what the README tells contributors to run.
fn test() -> Result<(), String> {
    let start = Instant::now();
    let mut timings = vec![("fmt", cargo(&["fmt", "--all", "--check"], &[])?)];
    timings.push((
        "clippy",
        cargo(
            &[
                "clippy",
                "--locked",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )?,
    ));
    // CI=true: insta fails on a new or changed snapshot and writes nothing.
    timings.push((
        "tests",
        cargo(&["test", "--locked", "--workspace"], &[("CI", "true")])?,
    ));
    timings.push((
        "rustdoc",
        cargo(
            &["doc", "--locked", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )?,
    ));
    let book_start = Instant::now();
    println!("\n==> the book");
    build_book(&root().join("book"))?;
    timings.push(("book", book_start.elapsed()));
    println!("\n==> the browser check");
    let browser_start = Instant::now();
    match browser::find_chromium() {
        Some(chromium) => {
            browser_check(&root().join("book"), &chromium)?;
            timings.push(("browser", browser_start.elapsed()));
        }
        None if ci() => {
            return Err(format!(
                "CI is set and no Chromium was found, so the browser check cannot run: {}",
                browser::INSTALL_HINT
            ));
        }
        None => println!(
            "SKIPPED the browser check: no Chromium found ({}); CI runs it",
            browser::INSTALL_HINT
        ),
    }
    println!(
        "\nall checks passed in {:.1} s:",
        start.elapsed().as_secs_f64()
    );
    for (step, t) in timings {
        println!("  {step:<8} {:>6.1} s", t.as_secs_f64());
    }
    Ok(())
}
