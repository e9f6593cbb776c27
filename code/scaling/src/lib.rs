//! Chapter 6 of the book, "Beyond the training length" (`src/scaling.md`): how each published
//! RoPE scaling scheme changes the inverse frequencies `θ_j` (and, for some, the attention scale),
//! computed as Hugging Face transformers' `modeling_rope_utils.py` computes them.
//!
//! We follow that file as of transformers 5.24.0 (the release read for this chapter, layout
//! `rope_parameters`). Where older releases computed something else, the function says so and
//! names the release.
//!
//! One file per scheme, each taking a [`Base`] and returning a [`Scaled`]:
//!
//! - [`base`]: the unscaled setup [`Base`], its frequencies `θ_j`, the outcome [`Scaled`];
//! - [`mod@linear`]: position interpolation (Chen et al., 2023), [`linear()`];
//! - [`mod@ntk`]: NTK-aware scaling and dynamic NTK (bloc97; emozilla, 2023), [`ntk()`] and
//!   [`dynamic()`];
//! - [`mod@yarn`]: YaRN (Peng et al., 2023) as its reference code computes it, [`yarn()`], and as
//!   its paper writes it, [`yarn_paper()`];
//! - [`mod@llama3`]: Llama 3's wavelength bands, [`llama3()`];
//! - [`mod@longrope`]: LongRoPE's searched per-frequency factors (Ding et al., 2024),
//!   [`longrope()`];
//! - [`scheme`]: [`Scheme`], a scheme with its parameters as a config gives them, and
//!   [`compute`], which runs any of them;
//! - [`mod@logits`]: [`LogitScale`], the softmax scale of the attention logits beside a scheme's
//!   cos/sin factor (DeepSeek's YaRN changes both);
//! - [`config`]: reading a `config.json` ([`config::parse`] for RoPE models, [`config::read`],
//!   which also names what a model without RoPE uses); [`report`]: the chapter's tables;
//!   [`mod@figures`]: its figures; [`explore`]: the figure a reader can move, with its data.
//!
//! Run the chapter's inspector with
//! `cargo run -p scaling --example inspect -- code/scaling/tests/fixtures/llama-3.1-8b.json`, or
//! install it as a command with `cargo install --path code/scaling` and run `rope-inspect
//! CONFIG.json` (or a model folder, or a model id in the local Hugging Face cache; `--json` for
//! scripts): module [`cli`].
//!
//! # Slow and fast forms
//!
//! The book names a pair of functions that compute the same thing two ways `name` (the fast
//! form) and `name_slow` (the form that mirrors the formula), and ties them with a test. This
//! crate has no such pair: every scheme is one short loop over the pairs, already in the form of
//! its formula.
//!
//! [`yarn()`] and [`yarn_paper()`] look like a pair but are not: they are *different formulas*
//! (the reference code ramps linearly in the pair index over a range rounded outward, the paper
//! linearly in the number of turns), and in the middle of the ramp they disagree by as much as
//! 0.34 in `θ'_j / θ_j` (factor 16, d = 128, base 10000, L = 4096). So the `_slow` rule does not apply, and `yarn_paper` names its source
//! instead. The test `yarn::tests::yarn_and_yarn_paper_agree_outside_both_ramps` holds them
//! equal, bit for bit, where both must agree (every pair kept or fully interpolated, and the
//! attention factor); the snapshot `yarn_paper_vs_code` shows where they differ.
//!
//! # Where `θ_j` is computed
//!
//! `θ_j = theta^(−2j/d)` is computed in one place, `base::inv_freq`, as the reference writes it:
//! `1 / theta^(2j/d)`. [`Base::inv_freq`] calls it with the model's base and the NTK-style
//! schemes with their enlarged base; the tables in [`report`] go through it too.
//!
//! # Errors
//!
//! Every function returns the workspace's one error type, [`Error`]. Every value this crate
//! checks is named by the config key it comes from (`factor`, `rope_theta`, `beta_fast`, …), so
//! its errors are [`Error::Key`]s (`` `key` = value is not allowed: rule ``), or
//! [`Error::Missing`] and [`Error::Json`] from the config reader. The reader names a key that
//! lives in the scaling table with the table (`rope_scaling.factor`).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub use errors::{Error, Result};

pub mod base;
pub mod cli;
pub mod config;
pub mod explore;
pub mod figures;
pub mod linear;
pub mod llama3;
pub mod logits;
pub mod longrope;
pub mod ntk;
pub mod report;
pub mod scheme;
pub mod yarn;

pub use base::{Base, Scaled};
pub use figures::figures;
pub use linear::linear;
pub use llama3::llama3;
pub use logits::LogitScale;
pub use longrope::longrope;
pub use ntk::{dynamic, ntk};
pub use scheme::{Scheme, compute};
pub use yarn::{YarnParams, correction_dim, correction_range, get_mscale, yarn, yarn_paper};
