//! Chapter 4 of the book, "Relative position" (`src/relative.md`): schemes that make attention
//! depend on the offset `j − i` rather than on where each token is.
//!
//! - [`shaw`]: Shaw, Uszkoreit and Vaswani (2018), learned vectors per clipped offset, in the
//!   keys and the values; the explicit `n × n × d` form, a gather form and Huang et al.'s skewing;
//! - [`t5`]: T5's bucketed scalar biases (Raffel et al., 2020), bucket for bucket as the reference
//!   code computes them;
//! - [`alibi`]: ALiBi's fixed per-head linear penalties (Press, Smith and Lewis, 2022);
//! - [`tiled`]: attention computed block by block with an online softmax, never holding the
//!   `n × n` scores, with a bias computed per pair on the fly;
//! - [`invariance`]: the translation-invariance test every scheme in the book is put through.
//!
//! Run the chapter's examples with `cargo run -p relative --example buckets`,
//! `cargo run -p relative --example alibi -- --heads 12` and
//! `cargo run --release -p relative --example memory`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::fmt;

pub mod alibi;
pub mod figures;
pub mod invariance;
pub mod meter;
pub mod report;
pub mod shaw;
pub mod t5;
pub mod tiled;

pub use figures::figures;

/// Why a call into this crate was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A setting that breaks the rule stated.
    Bad {
        /// Which setting.
        what: &'static str,
        /// Its value, as text.
        value: String,
        /// The rule.
        rule: &'static str,
    },
    /// Matrices whose shapes do not fit.
    Shape {
        /// The rule.
        rule: &'static str,
        /// The shape expected.
        expected: Vec<usize>,
        /// The shape given.
        got: Vec<usize>,
    },
    /// From the attention core.
    Attention(attention::Error),
    /// From the absolute-position chapters.
    Absolute(learned::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bad { what, value, rule } => {
                write!(f, "{what} = {value} is not allowed: {rule}")
            }
            Error::Shape {
                rule,
                expected,
                got,
            } => write!(
                f,
                "shape mismatch: {rule}; expected {expected:?}, got {got:?}"
            ),
            Error::Attention(e) => write!(f, "attention: {e}"),
            Error::Absolute(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<attention::Error> for Error {
    fn from(e: attention::Error) -> Self {
        Error::Attention(e)
    }
}

impl From<learned::Error> for Error {
    fn from(e: learned::Error) -> Self {
        Error::Absolute(e)
    }
}

/// An [`Error::Bad`] naming `what`, its `value` and the `rule` it broke.
pub fn bad(what: &'static str, value: impl fmt::Display, rule: &'static str) -> Error {
    Error::Bad {
        what,
        value: value.to_string(),
        rule,
    }
}

pub(crate) fn ensure_finite(what: &'static str, values: &[f64]) -> Result<(), Error> {
    match values.iter().find(|v| !v.is_finite()) {
        Some(v) => Err(bad(what, v, "every entry must be finite")),
        None => Ok(()),
    }
}
