//! Chapter 4 of the book, "Relative position" (`src/relative.md`): schemes that make attention
//! depend on the offset `j − i` rather than on where each token is.
//!
//! - [`shaw`]: Shaw, Uszkoreit and Vaswani (2018), learned vectors per clipped offset, in the
//!   keys and the values; the explicit `n × n × d` form, a gather form and Huang et al.'s skewing;
//! - [`t5`]: T5's bucketed scalar biases (Raffel et al., 2020), bucket for bucket as the reference
//!   code computes them;
//! - [`alibi`]: ALiBi's fixed per-head linear penalties (Press, Smith and Lewis, 2022);
//! - [`tiled`]: attention computed block by block with an online softmax, never holding the
//!   `n × n` scores: first the plain algorithm ([`tiled::online`]), then with a mask, a bias
//!   computed per pair on the fly, and Shaw et al.'s value term ([`tiled::tiled`]);
//!   [`tiled::bias_grad`] computes the gradient of T5's learned table tile by tile, as the
//!   FlashAttention backward recomputes its weights;
//! - [`xl`]: Transformer-XL's four terms (Dai et al., 2019), absolute and relative, and
//!   [`deberta`]: DeBERTa's disentangled attention (He et al., 2020), the sequel;
//! - [`kernelized`]: linear attention with a relative bias, through FFT Toeplitz products
//!   (Luo et al. 2021), and bidirectional ALiBi as two scans;
//! - [`invariance`]: the translation-invariance test every scheme in the book is put through.
//!
//! # Slow and fast forms
//!
//! The workspace's rule: the form a program would use keeps the plain name, the textbook form
//! that mirrors the formula is `<name>_slow` with the same signature, and a test holds them equal.
//!
//! | form used | textbook form | held equal by |
//! |:--|:--|:--|
//! | [`tiled::tiled`] | [`tiled::tiled_slow`] (full bias and score matrices) | `tiled::positions::tests::tiled_equals_slow` (random shapes, tiles, masks, ALiBi and T5 biases, to 1e-12); also `tests/memory.rs` |
//! | [`tiled::online`] | [`attention::scaled_dot_product`] (the shared core) | `tiled::online::tests::online_equals_explicit_attention` (1e-12) |
//! | [`tiled::tiled_with_pair_values`] | [`shaw::Shaw::outputs_explicit`] | `tiled::positions::tests::shaw_fits_tiled_attention_with_running_offset_sums` (1e-12) |
//! | [`tiled::bias_grad`] | [`tiled::bias_grad_slow`] (full softmax Jacobian) | `tiled::backward::tests::bias_grad_equals_slow` (1e-11); both against finite differences in `bias_grad_matches_finite_differences` |
//! | [`xl::XlAttention::logits`] (grouped and skewed, as the reference code) | [`xl::XlAttention::logits_slow`] (four terms per pair) | `xl::tests::skewed_logits_equal_the_four_terms` (1e-12) |
//! | [`deberta::DeBerta::logits`] (gathered) | [`deberta::DeBerta::logits_slow`] (three terms per pair) | `deberta::tests::gathered_logits_equal_the_terms` (1e-12) |
//! | [`kernelized::kernelized`] (FFT Toeplitz products) | [`kernelized::kernelized_slow`] (the `n × n` sum) | `kernelized::tests::fft_form_equals_the_explicit_sum` (random shapes, biases, causal masks, to 1e-9) |
//! | [`kernelized::fft::toeplitz`] | [`kernelized::fft::toeplitz_slow`] | `kernelized::fft::tests::toeplitz_equals_slow` (1e-11) |
//! | [`t5::bucket`] (the reference code, in `f32`) | [`t5::bucket_slow`] (the printed formula, in `f64`) | `t5::tests::the_textbook_form_agrees_with_the_reference_on_t5_defaults` and `tests/t5_reference.rs`; where they differ is pinned by `t5::tests::single_precision_matters_at_exact_boundaries` |
//!
//! Shaw et al.'s three forms of the key term are the chapter's subject and keep the names the
//! chapter gives them: [`shaw::Shaw::logits_explicit`], [`shaw::Shaw::logits_gather`] and
//! [`shaw::skew`], held equal by `shaw::keys::tests::explicit_and_gather_agree`,
//! `shaw::skew::tests::skewing_lines_up_with_the_explicit_form` and
//! `skewing_matches_shaw_with_a_large_clip`; the value term's two forms,
//! [`shaw::Shaw::outputs_explicit`] and [`shaw::Shaw::outputs_bucketed`], by
//! `shaw::values::tests::explicit_and_bucketed_outputs_agree`.
//!
//! No frequency `θ_j = base^(−2j/d)` is computed here: the sinusoidal scheme of the line-up calls
//! `sinusoidal::Sinusoid::paper`.
//!
//! Run the chapter's examples with `cargo run -p relative --example buckets`,
//! `cargo run -p relative --example alibi -- --heads 12`,
//! `cargo run -p relative --example xl` and
//! `cargo run --release -p relative --example memory`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod alibi;
pub mod deberta;
pub mod explore;
pub mod figures;
pub mod invariance;
pub mod kernelized;
pub mod report;
pub mod shaw;
pub mod t5;
pub mod tiled;
pub mod xl;

pub use figures::figures;

pub use errors::{Error, Result};

/// Strategies the unit tests share.
#[cfg(test)]
pub(crate) mod strategies {
    use ndarray::Array2;
    use proptest::prelude::*;

    /// A `rows × cols` matrix with entries in `[-2, 2)`.
    pub(crate) fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(-2.0..2.0f64, rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
    }
}
