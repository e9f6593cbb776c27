//! Chapter 9 of the book, "Position decided at run time" (`src/runtime.md`): schemes that choose
//! a token's position while the model runs, or learn it as a function, rather than fixing it before.
//!
//! - [`remap`]: the trait every test-time scheme implements (the positions a trained RoPE model
//!   rotates query `i` and key `j` by) and the logits it gives;
//! - [`cache`]: the rolling KV cache with attention sinks (StreamingLLM), positions in the cache
//!   or in the text;
//! - [`self_extend`], [`rerope`], [`dca`]: Self-Extend, ReRoPE and Dual Chunk Attention, each a
//!   relative-position matrix held to its reference code by `tests/reference.rs`;
//! - [`cope`]: CoPE, positions counted by learned gates;
//! - [`fire`], [`kerple`]: learned functions of distance, beside chapter 4's T5 buckets and ALiBi;
//! - [`layers`]: RoPE and NoPE layers interleaved (Llama 4, SmolLM3, Command A) and Llama 4's
//!   query temperature;
//! - [`random`]: randomized positions;
//! - [`report`]: the chapter's tables; [`mod@figures`]: its figures.
//!
//! Run the chapter's examples with `cargo run -p runtime --example matrix -- --scheme dca`,
//! `cargo run -p runtime --example cache -- --sinks 4 --window 8 --len 40` and
//! `cargo run -p runtime --example cope`.
//!
//! # Slow and fast forms
//!
//! The fast form keeps the plain name; its textbook twin is named `<name>_slow`.
//!
//! - [`Cope::bias`] (the query against each integer embedding once, then interpolated, as the
//!   paper's listing does) and [`Cope::bias_slow`] (the embedding interpolated for every pair,
//!   then the dot product): held equal by the test `cope_forms_agree` in `tests/properties.rs`,
//!   to 1e-12.
//!
//! [`remap::logits`] (queries and keys rotated by their own positions, as the references do) and
//! [`remap::logits_by_offset`] (the key alone turned by the relative position) are two forms of
//! the same RoPE identity, not a fast and a slow one; `offset_form_agrees` holds them equal.
//!
//! # Errors
//!
//! Every function returns the workspace's one error type, [`Error`]: a window, group or chunk of
//! 0, parameters outside a kernel's range, shapes that do not fit, or more positions than a range
//! holds.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub use errors::{Error, Result};

pub mod cache;
pub mod cope;
pub mod dca;
pub mod figures;
pub mod fire;
pub mod kerple;
pub mod layers;
pub mod random;
pub mod remap;
pub mod report;
pub mod rerope;
pub mod self_extend;

pub use cache::Cache;
pub use cope::Cope;
pub use dca::Dca;
pub use figures::figures;
pub use fire::Fire;
pub use kerple::Kerple;
pub use remap::Remap;
pub use rerope::ReRope;
pub use self_extend::SelfExtend;
