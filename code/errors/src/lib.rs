//! The one error type of the workspace.
//!
//! Every crate of the book returns [`Error`] (and re-exports it, so `rope::Error` and
//! `attention::Error` name this same type). One type means `?` works across chapters with no
//! `From` glue, and a reader meets one message format everywhere:
//!
//! - a value that breaks a rule: `what = value is not allowed: rule`;
//! - inputs whose shapes do not fit: `shape mismatch: rule; expected [..], got [..]`;
//! - a few cases with a message of their own (an empty input, a non-finite entry, a fully
//!   masked row, a position past a table, a singular system, a config key that is missing or
//!   wrong, a file that is not JSON).
//!
//! Build values with [`bad`] and [`shape`]; match on the variants in tests.
//!
//! ```
//! use errors::{Error, bad};
//! let e = bad("d_model", 7, "it must be even: sin and cos come in pairs");
//! assert_eq!(e.to_string(), "d_model = 7 is not allowed: it must be even: sin and cos come in pairs");
//! assert!(matches!(e, Error::Bad { what: "d_model", .. }));
//! ```

use std::borrow::Cow;
use std::fmt;

/// Why a call was refused. Every message names the offending value and the rule it broke.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A value (a dimension, a count, a setting) that breaks the rule stated.
    Bad {
        /// Which value, e.g. `"d_model"`.
        what: &'static str,
        /// The value, as text.
        value: String,
        /// The rule it broke, e.g. `"it must be even"`.
        rule: Cow<'static, str>,
    },
    /// A key of a configuration file whose value breaks the rule stated.
    Key {
        /// The key, with its table where it has one (`rope_scaling.factor`).
        key: String,
        /// The value, as text.
        value: String,
        /// The rule it broke.
        rule: String,
    },
    /// Inputs whose shapes do not fit together.
    Shape {
        /// The rule, e.g. `"q and k must have the same number of columns (d_k)"`.
        rule: Cow<'static, str>,
        /// The shape expected.
        expected: Vec<usize>,
        /// The shape given.
        got: Vec<usize>,
    },
    /// An input with no elements where at least one is needed.
    Empty {
        /// Which input, e.g. `"q"`.
        what: &'static str,
    },
    /// A NaN or an infinity where only finite numbers make sense.
    NonFinite {
        /// Which input, e.g. `"bias"`.
        what: &'static str,
        /// Row and column of the first offending entry, for matrices.
        at: Option<(usize, usize)>,
        /// The offending value.
        value: f64,
    },
    /// A row of logits with no finite entry, so its softmax is undefined.
    FullyMasked {
        /// The row that is masked out entirely.
        row: usize,
    },
    /// A position with no row in a position table.
    PositionOutOfRange {
        /// The position asked for.
        position: usize,
        /// How many rows the table has (positions `0..len`).
        len: usize,
    },
    /// A least-squares problem whose matrix has dependent columns.
    Singular {
        /// The first column found to be (numerically) a combination of the earlier ones.
        column: usize,
    },
    /// A required configuration key is absent.
    Missing {
        /// The key.
        key: String,
        /// Why it is needed.
        why: String,
    },
    /// A file that is not valid JSON.
    Json(String),
    /// Text at a line of a file the book reads (a page, a review question) that breaks a rule.
    At {
        /// The file, as the reader would open it (`src/rope.md`).
        file: String,
        /// 1-based line.
        line: usize,
        /// The offending text, quoted.
        text: String,
        /// The rule it broke.
        rule: String,
    },
    /// A file that cannot be read or written.
    Io {
        /// The file.
        path: String,
        /// What failed: `"read"` or `"written"`.
        action: &'static str,
        /// The system's message.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bad { what, value, rule } => {
                write!(f, "{what} = {value} is not allowed: {rule}")
            }
            Error::Key { key, value, rule } => {
                write!(f, "`{key}` = {value} is not allowed: {rule}")
            }
            Error::Shape {
                rule,
                expected,
                got,
            } => write!(
                f,
                "shape mismatch: {rule}; expected {expected:?}, got {got:?}"
            ),
            Error::Empty { what } => write!(f, "`{what}` is empty: it needs at least one element"),
            Error::NonFinite {
                what,
                at: Some((row, col)),
                value,
            } => write!(
                f,
                "`{what}` holds {value} at row {row}, column {col}: every entry must be finite"
            ),
            Error::NonFinite {
                what,
                at: None,
                value,
            } => write!(f, "`{what}` holds {value}: every entry must be finite"),
            Error::FullyMasked { row } => write!(
                f,
                "row {row} of the logits has no finite entry: softmax needs at least one \
                 position a query may attend to"
            ),
            Error::PositionOutOfRange { position, len } => write!(
                f,
                "position {position} has no row: the table covers positions 0 to {}",
                len.saturating_sub(1)
            ),
            Error::Singular { column } => write!(
                f,
                "column {column} of the matrix is (numerically) a combination of the earlier \
                 columns: the least-squares solution is not unique"
            ),
            Error::Missing { key, why } => write!(f, "missing key `{key}`: {why}"),
            Error::Json(e) => write!(f, "not valid JSON: {e}"),
            Error::At {
                file,
                line,
                text,
                rule,
            } => write!(f, "{file}:{line}: {text} is not allowed: {rule}"),
            Error::Io {
                path,
                action,
                message,
            } => write!(f, "{path} cannot be {action}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The result type of every fallible function in the book's crates.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An [`Error::Bad`] naming `what`, its `value` and the `rule` it broke.
///
/// ```
/// let e = errors::bad("base", 0.0, "it must be a positive finite number");
/// assert_eq!(e.to_string(), "base = 0 is not allowed: it must be a positive finite number");
/// ```
pub fn bad(
    what: &'static str,
    value: impl fmt::Display,
    rule: impl Into<Cow<'static, str>>,
) -> Error {
    Error::Bad {
        what,
        value: value.to_string(),
        rule: rule.into(),
    }
}

/// An [`Error::Key`]: the configuration `key` holds `value`, which breaks `rule`.
///
/// ```
/// let e = errors::key("rope_scaling.factor", 0.5, "it must be at least 1");
/// assert_eq!(e.to_string(), "`rope_scaling.factor` = 0.5 is not allowed: it must be at least 1");
/// ```
pub fn key(key: impl Into<String>, value: impl fmt::Display, rule: impl Into<String>) -> Error {
    Error::Key {
        key: key.into(),
        value: value.to_string(),
        rule: rule.into(),
    }
}

/// An [`Error::Shape`]: `rule` says how the shapes must fit.
///
/// ```
/// let e = errors::shape("x must be d_model wide", [3, 4], [3, 5]);
/// assert_eq!(e.to_string(), "shape mismatch: x must be d_model wide; expected [3, 4], got [3, 5]");
/// ```
pub fn shape(
    rule: impl Into<Cow<'static, str>>,
    expected: impl Into<Vec<usize>>,
    got: impl Into<Vec<usize>>,
) -> Error {
    Error::Shape {
        rule: rule.into(),
        expected: expected.into(),
        got: got.into(),
    }
}

/// `Ok(())` if every value is finite, else an [`Error::NonFinite`] naming the first one
/// (`at` is `None`: use this for vectors and scalars).
///
/// ```
/// assert!(errors::ensure_finite("x", [1.0, 2.0]).is_ok());
/// let e = errors::ensure_finite("x", [1.0, f64::NAN]).unwrap_err();
/// assert_eq!(e.to_string(), "`x` holds NaN: every entry must be finite");
/// ```
pub fn ensure_finite(what: &'static str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    match values.into_iter().find(|x| !x.is_finite()) {
        Some(value) => Err(Error::NonFinite {
            what,
            at: None,
            value,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_names_value_and_rule() {
        let cases = [
            (
                Error::Empty { what: "q" },
                "`q` is empty: it needs at least one element",
            ),
            (
                Error::NonFinite {
                    what: "bias",
                    at: Some((1, 2)),
                    value: f64::INFINITY,
                },
                "`bias` holds inf at row 1, column 2: every entry must be finite",
            ),
            (
                Error::FullyMasked { row: 3 },
                "row 3 of the logits has no finite entry: softmax needs at least one position a \
                 query may attend to",
            ),
            (
                Error::PositionOutOfRange {
                    position: 8,
                    len: 8,
                },
                "position 8 has no row: the table covers positions 0 to 7",
            ),
            (
                Error::PositionOutOfRange {
                    position: 0,
                    len: 0,
                },
                "position 0 has no row: the table covers positions 0 to 0",
            ),
            (
                Error::Singular { column: 2 },
                "column 2 of the matrix is (numerically) a combination of the earlier columns: \
                 the least-squares solution is not unique",
            ),
            (
                Error::Missing {
                    key: "rope_theta".into(),
                    why: "the base of the frequencies".into(),
                },
                "missing key `rope_theta`: the base of the frequencies",
            ),
            (Error::Json("EOF".into()), "not valid JSON: EOF"),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn finite_values_pass_and_the_first_bad_one_is_named() {
        assert_eq!(ensure_finite("x", []), Ok(()));
        assert_eq!(
            ensure_finite("x", [1.0, f64::NEG_INFINITY, f64::NAN]),
            Err(Error::NonFinite {
                what: "x",
                at: None,
                value: f64::NEG_INFINITY
            })
        );
    }
}
