//! Chapter 7 of the book, "Position in a trained model" (`src/trained.md`): the schemes of the
//! earlier chapters put to work.
//!
//! - [`nope`]: a causal head with no position information that counts: uniform attention and a
//!   marker give `1/(t + 1)` (Kazemnejad et al., 2023, arXiv:2305.19466, Theorem 1);
//! - [`heads`]: heads built by hand that read the token `Δ` back, for every scheme that can
//!   express one (learned, sinusoidal through chapter 2's `M_Δ`, T5, RoPE), and what ALiBi and
//!   NoPE do instead;
//! - [`model`]: a tiny decoder-only transformer (attention only) whose position scheme is the one
//!   thing that varies, with its backward pass written out; [`train`]: the copy task, Adam and
//!   the training loop; [`experiment`]: the comparison past the training length, its
//!   configuration and fingerprint, its results file;
//! - [`report`]: the chapter's tables; [`mod@figures`]: its figures.
//! - [`lm`]: a decoder-only language model in `f32` (pre-norm blocks with RMSNorm, causal
//!   multi-head attention and a GELU feed-forward layer, an untied unembedding) with its gradient
//!   written out, every matrix product through ndarray's `dot`, AdamW and its training loop, and
//!   the [`lm::Scorer`] trait that held-out evaluation scores models through; its experiments in
//!   one run ([`lm::suite`]): train short, test long ([`lm::runs`]), the retrieval probe, the
//!   fine-tune to `4L` ([`lm::finetune`]), the Reverse task ([`lm::task`]) and the size step;
//! - [`lm_results`]: experiment 1's committed results read back, for the page's order table,
//!   figure and the claims its sentences make;
//! - [`text`]: real text: the shipped corpus (the King James Version, byte tokens, a held-out
//!   block, the training sampler), bits per character at `L` to `16L`, the repeated-phrase
//!   probe, a bigram baseline, and the first line of a results file.
//!
//! Every scheme comes from the crate of the chapter that derives it: `sinusoidal::Sinusoid`,
//! `learned::add_positions`, `relative::t5::bucket` and `relative::alibi`, `rope::Rope`, and
//! chapter 6's `scaling::linear` and `scaling::yarn` for RoPE past its length.
//!
//! Run the chapter's examples with `cargo run -p trained --example heads` and
//! `cargo run -p trained --example experiment` (the whole experiment, a few minutes; this crate is
//! optimised even in the dev profile, see the root `Cargo.toml`).
//!
//! # Slow and fast forms
//!
//! | form used | textbook form | held equal by |
//! |:--|:--|:--|
//! | [`model::Model::forward`] (loops over slices, RoPE from cos/sin tables) | [`model::Model::forward_slow`] (the shared `attention::scaled_dot_product` per head, `rope::Rope::rotate`, chapter 4's bias matrices) | `model::slow::tests::forward_equals_the_textbook_form` (every variant, lengths L to 4L, 1e-12) |
//! | [`model::Model::backward`] (the gradient written out) | finite differences of [`train::loss`] | `tests/gradients.rs` (every parameter of every scheme, and RoPE under PI and YaRN) |
//! | [`lm::Model::forward`] (a batch as one matrix, ndarray's `dot`, `f32` or `f64`) | [`lm::Model::forward_slow`] (one window in `f64`, loops, the attention core per head, each position formula from its chapter's crate) | `tests/lm.rs` `the_fast_forward_pass_equals_the_textbook_form` (every scheme and test-time RoPE change, 1e-12 in `f64`, 1e-4 in `f32`) |
//! | [`text::eval::bits_per_char`] (each window scored once) | [`text::eval::bits_per_char_slow`] (each character's window scored afresh) | `text::eval::tests` (1e-12), and the bigram's mean `−log2 p` over the text by hand |
//! | [`lm::Model::backward`] (the gradient written out) | finite differences of the loss in `f64` | `tests/lm.rs` `every_gradient_matches_finite_differences` (every parameter of every scheme, and RoPE under each test-time change) |
//!
//! The hand-built heads compute their weights with the shared core
//! (`attention::scaled_dot_product`); the closed forms [`heads::t5_weight`] and
//! [`heads::periodic_weight`] are tied to them by `heads::tests` and `tests/properties.rs`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod experiment;
pub mod figures;
pub mod heads;
pub mod lm;
pub mod lm_results;
pub mod model;
pub mod nope;
pub mod report;
pub mod scheme;
pub mod text;
pub mod train;

pub use errors::{Error, Result};
pub use figures::figures;
pub use scheme::{RopeScaling, Scheme, Variant};
