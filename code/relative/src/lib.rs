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

pub mod alibi;
pub mod figures;
pub mod invariance;
pub mod report;
pub mod shaw;
pub mod t5;
pub mod tiled;

pub use figures::figures;

pub use errors::{Error, Result};
