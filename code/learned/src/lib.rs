//! Chapter 3 of the book, "Learned position embeddings" (`src/learned.md`): a trainable table
//! with one row per position, as in BERT and GPT-2; its hard length limit; rows that training
//! never reaches; what packing documents into fixed contexts does to "position"; and why any
//! absolute scheme changes attention scores when every position moves by the same amount; and
//! what a trained table looks like along its principal components ([`pca`]).
//!
//! Run the chapter's examples with `cargo run -p learned --example packing` and
//! `cargo run -p learned --example train`.
//!
//! # Slow and fast forms
//!
//! None: every function here is the one form the chapter shows. (The workspace's rule, for the
//! crates that have pairs: the form used keeps the plain name, the textbook form is
//! `<name>_slow` with the same signature, and a test holds them equal.) No frequency
//! `θ_j = base^(−2j/d)` is computed here either: the training target and the sinusoidal scheme
//! call `sinusoidal::Sinusoid::paper`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod figures;
pub mod packing;
pub mod pca;
pub mod report;
mod shift;
mod table;
mod train;

pub use figures::figures;
pub use shift::{Scheme, logits_at, translation_gap};
pub use table::{INIT_STD, add_positions, init_table};
pub use train::{Trained, train_toy};

pub use errors::{Error, Result};
