//! Chapter 5 of the book, "Rotary position embedding" (`src/rope.md`): Su et al., *RoFormer:
//! Enhanced Transformer with Rotary Position Embedding* (2021, arXiv:2104.09864).
//!
//! - [`Rope`]: the rotation `R_{Θ,m}` in both layouts (interleaved pairs, as in Hugging Face's
//!   GPT-J code and Meta's Llama reference code; half-split pairs with `rotate_half`, as in Hugging
//!   Face's Llama and GPT-NeoX code), with partial rotary, in a textbook form that follows the
//!   formula;
//! - [`fast`]: RoPE on `f32` tensors, a fast kernel with precomputed tables and its textbook twin,
//!   benchmarked against each other and a plain copy (`cargo bench -p rope`);
//! - [`model`]: RoPE inside attention: queries and keys only, a KV cache, tiled attention;
//! - [`derive`](mod@derive): the derivation's steps (complex form, phases, the score as a complex sum);
//! - [`decay`], [`precision`]: long-term decay and what low-precision angles do;
//! - [`linear`]: linear attention (`φ = elu + 1`) with and without RoPE;
//! - [`mla`]: RoPE against a compressed KV cache, and DeepSeek-V2's decoupled RoPE.
//!
//! Run the chapter's examples with `cargo run -p rope --example rotate` and
//! `cargo run -p rope --example decay`.
//!
//! # Slow and fast forms
//!
//! The fast form keeps the plain name; its textbook twin, which mirrors the formula, is named
//! `<name>_slow` and has the same signature.
//!
//! - [`fast::apply`] (fast, with its in-place twin [`fast::apply_in_place`]) and
//!   [`fast::apply_slow`] (slow): held equal by the test `fast::tests::apply_matches_apply_slow`,
//!   to 1e-6 (the two fast forms to the bit); `cargo bench -p rope` times all three.
//! - [`linear::linear_attention`] (fast, O(d_head · d_v) state) and
//!   [`linear::linear_attention_slow`] (the defining sum, O(n²)): held equal by the test
//!   `linear::tests::fast_equals_the_defining_sum`, to 1e-9; `tests/linear_memory.rs` measures
//!   their peak memory.
//!
//! The same test holds [`fast::apply_slow`] equal, to the bit, to [`Rope::rotate`] (the `f64`
//! form the chapter derives) on each row, rounded to `f32`. The frequencies `θ_j =
//! base^(−2j/rotary_dim)` are computed in one place, [`Rope::inv_freq`]; every other function
//! here reads them from it.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod decay;
pub mod derive;
pub mod fast;
pub mod figures;
mod layout;
pub mod linear;
pub mod mla;
pub mod model;
pub mod precision;
pub mod report;
mod rotary;

pub use figures::figures;
pub use layout::{Layout, half_from_interleaved, permute};
pub use rotary::Rope;

/// Why a call into this crate was refused: the workspace's one error type.
pub use errors::{Error, Result};

/// The base of the RoFormer paper and of most models.
pub const BASE: f64 = 10000.0;
