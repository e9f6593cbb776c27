//! Chapter 1 of the book, "Why position?" (`src/order.md`): self-attention cannot tell
//! "John likes cats" from "cats like John", a recurrent network can, and adding a position vector
//! to each token breaks the tie.
//!
//! Run the chapter's examples with `cargo run -p order --example why_position`.
//!
//! The crate has one module per idea, and every public item is also re-exported here:
//!
//! | module                   | what it holds                                                  |
//! |:-------------------------|:---------------------------------------------------------------|
//! | [`vocab`]                | the toy vocabulary, [`tokenize`], the embeddings, the [`head`] |
//! | [`rnn`]                  | the recurrent network [`Rnn`]                                  |
//! | [`positions`]            | [`PositionTable`], [`one_hot`], [`fixed_encoding`], [`with_positions`] |
//! | [`report`]               | every table the chapter prints (examples print, tests check)   |
//! | [`figures`](mod@figures) | the chapter's figures                                          |
//!
//! # Slow and fast forms
//!
//! This chapter has no slow/fast pair. It does compute the sinusoidal frequencies
//! `ω_i = 10000^(−2i/d)` once, in [`fixed_encoding`], as a preview of chapter 2: the `sinusoidal`
//! crate's test `chapter_one_preview_is_the_same_encoding` holds it equal, bit for bit, to
//! `sinusoidal::frequencies` and `sinusoidal::Sinusoid::encode`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod figures;
pub mod positions;
pub mod report;
pub mod rnn;
pub mod vocab;

pub use errors::{Error, Result};
pub use figures::figures;
pub use positions::{PositionTable, Positions, fixed_encoding, one_hot, with_positions};
pub use rnn::Rnn;
pub use vocab::{D_MODEL, Token, VOCAB, embed, head, mean_pool, token_table, tokenize};

/// Runs the chapter's head on a sentence with the chosen position information.
///
/// # Errors
/// Unknown words, a sentence longer than the learned table, or an attention error.
///
/// ```
/// use order::{attend, Positions};
/// let a = attend("John likes cats", Positions::None)?;
/// let b = attend("cats like John", Positions::None)?;
/// // "John" is row 0 of the first sentence and row 2 of the second: same output.
/// let diff = (&a.output.row(0) - &b.output.row(2)).mapv(f64::abs).sum();
/// assert!(diff < 1e-12);
/// # Ok::<(), order::Error>(())
/// ```
pub fn attend(sentence: &str, positions: Positions) -> Result<attention::Attention, Error> {
    attend_with(sentence, positions, false)
}

/// As [`attend`], optionally with a causal mask (each token sees only itself and earlier ones).
///
/// # Errors
/// As [`attend`].
///
/// ```
/// use order::{attend_with, Positions};
/// let w = attend_with("John likes cats", Positions::None, true)?.weights;
/// assert_eq!(w[[0, 0]], 1.0); // the first token sees only itself
/// # Ok::<(), order::Error>(())
/// ```
pub fn attend_with(
    sentence: &str,
    positions: Positions,
    causal: bool,
) -> Result<attention::Attention, Error> {
    let x = with_positions(embed(&tokenize(sentence)?).view(), positions)?;
    let options = attention::Options {
        causal,
        ..attention::Options::default()
    };
    head().forward(x.view(), &options)
}
