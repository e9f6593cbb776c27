//! `cargo xtask <command>`: see `cargo xtask help`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use xtask::{Problem, book, figures, root, serve};

const HELP: &str = "\
cargo xtask <command>

  serve [--port N]   build the book, serve it on http://127.0.0.1:N (default 3000),
                     rebuild when src/, code/ or book.toml change
  book [--dest DIR]  build the book into DIR (default book/) with every check
  figures            redraw every figure into src/figures/ (then review and commit)
  test               everything CI runs: fmt, clippy, tests (CI=true), rustdoc, the book
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("book") => flag(&args, "--dest").and_then(|dest| {
            let dest = dest.map_or_else(|| root().join("book"), PathBuf::from);
            build_book(&dest).map(|_| ())
        }),
        Some("serve") => flag(&args, "--port").and_then(|port| {
            let port = match port {
                None => 3000,
                Some(p) => p
                    .parse::<u16>()
                    .map_err(|_| format!("--port {p}: a port is a whole number from 0 to 65535"))?,
            };
            serve_book(port)
        }),
        Some("figures") => write_figures(),
        Some("test") => test(),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `name`, if present; an error if the flag has no value or an unknown flag
/// appears.
fn flag(args: &[String], name: &str) -> Result<Option<String>, String> {
    let mut value = None;
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        if arg == name {
            value = Some(
                rest.next()
                    .ok_or_else(|| format!("{name} needs a value"))?
                    .clone(),
            );
        } else {
            return Err(format!(
                "unexpected argument `{arg}` (this command takes {name})"
            ));
        }
    }
    Ok(value)
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

fn serve_book(port: u16) -> Result<(), String> {
    let root = root();
    let dest = root.join("book");
    if let Err(e) = build_book(&dest) {
        eprintln!("error: {e}\n(serving anyway; fix the problems and save to rebuild)");
    }
    let addr = serve::spawn_server(dest.clone(), port)
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("serving http://{addr}/ (Ctrl-C stops)");
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
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
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
    println!(
        "\nall checks passed in {:.1} s:",
        start.elapsed().as_secs_f64()
    );
    for (step, t) in timings {
        println!("  {step:<8} {:>6.1} s", t.as_secs_f64());
    }
    Ok(())
}
