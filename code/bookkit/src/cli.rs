//! Example programs: parse flags, print the result, or print the error and exit non-zero.

/// The shape every example program shares, with flags declared by clap's derive: parse the
/// arguments (clap prints `--help`, and a clear error with a suggestion for a mistyped flag),
/// run, print the text returned, or print the error and exit with a failure status.
///
/// ```no_run
/// use clap::Parser;
///
/// /// Doubles a number.
/// #[derive(Parser)]
/// struct Args {
///     /// The number.
///     #[arg(long, default_value_t = 2)]
///     x: u32,
/// }
///
/// fn main() -> std::process::ExitCode {
///     bookkit::cli::run(|args: Args| Ok::<_, String>(format!("{}\n", 2 * args.x)))
/// }
/// ```
pub fn run<A, E, F>(run: F) -> std::process::ExitCode
where
    A: clap::Parser,
    E: std::fmt::Display,
    F: FnOnce(A) -> Result<String, E>,
{
    finish(run(A::parse()))
}

/// Prints what an example returned: the text on standard output and a success status, or
/// `error: …` on standard error and a failure status.
///
/// ```
/// use std::process::ExitCode;
/// let status = bookkit::cli::finish(Err::<String, _>("d_model = 7 is not allowed: it must be even"));
/// assert_eq!(format!("{status:?}"), format!("{:?}", ExitCode::FAILURE));
/// let status = bookkit::cli::finish(Ok::<_, String>(String::new()));
/// assert_eq!(format!("{status:?}"), format!("{:?}", ExitCode::SUCCESS));
/// ```
pub fn finish<E: std::fmt::Display>(result: Result<String, E>) -> std::process::ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A clap value parser for a comma-separated list (`--lengths 4,8,12`), with the entry that fails
/// named in the error.
///
/// ```
/// let p = bookkit::cli::list::<usize>;
/// assert_eq!(p("4, 8,12"), Ok(vec![4, 8, 12]));
/// assert_eq!(p("4,x").unwrap_err(), "`x` is not a valid entry of the list");
/// ```
///
/// # Errors
/// The first entry that does not parse.
pub fn list<T: std::str::FromStr>(text: &str) -> Result<Vec<T>, String> {
    text.split(',')
        .map(|x| {
            x.trim()
                .parse::<T>()
                .map_err(|_| format!("`{}` is not a valid entry of the list", x.trim()))
        })
        .collect()
}
