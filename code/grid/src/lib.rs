//! Chapter 8 of the book, "Position beyond one dimension: images and video" (`src/grid.md`):
//! tokens on a grid (rows and columns) and in time.
//!
//! - [`vit`]: a learned 2-D table, one vector per patch (ViT, Dosovitskiy et al., 2020,
//!   arXiv:2010.11929), and its resampling to a larger grid for fine-tuning at a higher
//!   resolution, in both interpolation conventions ([`resample`]);
//! - [`axial`]: 2-D RoPE with half the pairs turning with the column and half with the row
//!   ([`Axial`]), and with mixed, learned directions ([`Mixed`], Heo et al., 2024,
//!   arXiv:2403.13298), both built on chapter 5's [`rope::Rope`];
//! - [`mrope`]: M-RoPE (Qwen2-VL, Wang et al., 2024, arXiv:2409.12191), three position components
//!   over the sections of the rotary frequencies (`mrope_section`), chunked or interleaved;
//! - [`positions`]: the `(t, h, w)` position ids of a sequence mixing text, images and video, as
//!   Hugging Face transformers' `get_rope_index` computes them in 5.24.0 and in 4.57.1;
//! - [`published`]: M-RoPE settings read from a published config by chapter 6's reader;
//! - [`report`]: the chapter's tables; [`mod@figures`]: its figures.
//!
//! Run the chapter's examples with
//! `cargo run -p grid --example mrope -- --sequence text:3,image:4x6,text:2,video:3x4x4,text:2`,
//! `cargo run -p grid --example axial -- --grid 4x6` and
//! `cargo run -p grid --example resample -- --from 2x2 --to 4x4`.
//!
//! # Slow and fast forms
//!
//! The fast form keeps the plain name; its textbook twin is named `<name>_slow`.
//!
//! - [`vit::resample`] (separable: along the rows, then along the columns) and
//!   [`vit::resample_slow`] (each new cell mixes its four old neighbours with the bilinear
//!   weights): held equal by the test `resample_forms_agree` in `tests/properties.rs`, to 1e-12.
//! - [`Axial::rotate`] (chapter 5's rotation on each half of the head) and [`Axial::rotate_slow`]
//!   (every pair with its axis and frequency written out): held equal, to the bit, by the test
//!   `axial_forms_agree` in `tests/properties.rs`.
//!
//! # Frequencies
//!
//! No frequency is computed here: [`Axial`] uses chapter 5's [`rope::Rope::inv_freq`] for a
//! width of `d/2` and [`mrope::Mrope`] for a width of `d`, and both equal
//! `sinusoidal::frequencies` to the bit (the tests `frequencies_are_chapter_twos` and
//! `qwen_sections_count_back`).
//!
//! # Errors
//!
//! Every function returns the workspace's one error type, [`Error`]: a grid with a side of 0, a
//! table of the wrong shape, sections that do not add up to the rotary frequencies, a sequence
//! that `get_rope_index` could not read, or a position id at or past the model's limit.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub use errors::{Error, Result};

pub mod axial;
pub mod figures;
pub mod mrope;
pub mod positions;
pub mod published;
pub mod report;
pub mod vit;

pub use axial::{Axial, Mixed};
pub use figures::figures;
pub use mrope::{Axis, Mrope, Sections};
pub use positions::{Model, Release, Segment, Setup, position_ids};
pub use vit::{Align, Grid, resample, resample_slow};
