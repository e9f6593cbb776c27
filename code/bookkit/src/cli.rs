//! Example programs: parse flags, print the result, or print the error and exit non-zero.

/// An example program's `--flag value` arguments, read with errors that name the flag, the value
/// and the rule, followed by the usage text.
///
/// ```
/// let args: Vec<String> = ["--dim", "8", "--fast"].iter().map(|s| s.to_string()).collect();
/// let mut flags = bookkit::Flags::new(&args, "usage: demo", &["--fast"])?;
/// assert_eq!(flags.get("--dim", 4usize, |d| *d <= 64, "a whole number up to 64")?, 8);
/// assert_eq!(flags.get("--base", 2.5f64, |_| true, "a number")?, 2.5); // absent: the default
/// assert!(flags.switch("--fast"));
/// flags.finish()?;
/// let bad: Vec<String> = ["--dim", "x"].iter().map(|s| s.to_string()).collect();
/// let e = bookkit::Flags::new(&bad, "usage: demo", &[])?
///     .get("--dim", 4usize, |_| true, "a whole number")
///     .unwrap_err();
/// assert_eq!(e, "--dim x: expected a whole number\nusage: demo");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone)]
pub struct Flags<'u> {
    pairs: Vec<(String, Option<String>)>,
    usage: &'u str,
}

impl<'u> Flags<'u> {
    /// Pairs each flag with its value; the flags in `switches` take none.
    ///
    /// # Errors
    /// `-h` or `--help` (the usage text), a bare value, or a flag with no value.
    pub fn new(args: &[String], usage: &'u str, switches: &[&str]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                return Err(usage.to_string());
            }
            if !flag.starts_with("--") {
                return Err(format!("unexpected argument `{flag}`\n{usage}"));
            }
            let value = if switches.contains(&flag.as_str()) {
                None
            } else {
                let v = it
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value\n{usage}"))?;
                Some(v.clone())
            };
            pairs.push((flag.clone(), value));
        }
        Ok(Flags { pairs, usage })
    }

    /// Removes every occurrence of `flag` and returns the last value given.
    fn take(&mut self, flag: &str) -> Option<String> {
        let mut last = None;
        self.pairs.retain(|(f, v)| {
            if f == flag {
                last = v.clone();
                false
            } else {
                true
            }
        });
        last
    }

    /// The value of `flag` if given, parsed, and refused unless `allowed`; `rule` says what is
    /// accepted.
    ///
    /// # Errors
    /// A value that does not parse or is not allowed.
    pub fn optional<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        allowed: impl Fn(&T) -> bool,
        rule: &str,
    ) -> Result<Option<T>, String> {
        let Some(value) = self.take(flag) else {
            return Ok(None);
        };
        match value.parse::<T>() {
            Ok(v) if allowed(&v) => Ok(Some(v)),
            _ => Err(format!("{flag} {value}: expected {rule}\n{}", self.usage)),
        }
    }

    /// As [`Flags::optional`], with a default when the flag is absent.
    ///
    /// # Errors
    /// As [`Flags::optional`].
    pub fn get<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        default: T,
        allowed: impl Fn(&T) -> bool,
        rule: &str,
    ) -> Result<T, String> {
        Ok(self.optional(flag, allowed, rule)?.unwrap_or(default))
    }

    /// A comma-separated list, or `default` when the flag is absent.
    ///
    /// # Errors
    /// An entry that does not parse, or a list that is not `allowed`.
    pub fn list<T: std::str::FromStr>(
        &mut self,
        flag: &str,
        default: Vec<T>,
        allowed: impl Fn(&[T]) -> bool,
        rule: &str,
    ) -> Result<Vec<T>, String> {
        let Some(value) = self.take(flag) else {
            return Ok(default);
        };
        let list: Result<Vec<T>, _> = value.split(',').map(|x| x.trim().parse::<T>()).collect();
        match list {
            Ok(v) if allowed(&v) => Ok(v),
            _ => Err(format!("{flag} {value}: expected {rule}\n{}", self.usage)),
        }
    }

    /// Whether the switch `flag` was given.
    pub fn switch(&mut self, flag: &str) -> bool {
        let before = self.pairs.len();
        self.pairs.retain(|(f, _)| f != flag);
        self.pairs.len() != before
    }

    /// Refuses any flag that was not read.
    ///
    /// # Errors
    /// The first unknown flag.
    pub fn finish(self) -> Result<(), String> {
        match self.pairs.first() {
            Some((flag, _)) => Err(format!("unexpected argument `{flag}`\n{}", self.usage)),
            None => Ok(()),
        }
    }
}

/// The shape every example program shares: run on the command-line arguments (without the
/// program name), print the text it returns, or print the error and exit with a failure status.
pub fn run_example<F>(run: F) -> std::process::ExitCode
where
    F: FnOnce(&[String]) -> Result<String, String>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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
