//! Chapter 7 of the book, "Position in a trained model" (`src/trained.md`).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod heads;
pub mod model;
pub mod nope;
pub mod scheme;
pub mod train;

pub use errors::{Error, Result};
pub use scheme::{RopeScaling, Scheme, Variant};
