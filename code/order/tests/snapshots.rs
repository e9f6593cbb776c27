//! The chapter's tables, checked. The page includes these snapshot files (after their 3-line
//! header), so the numbers the reader sees are the numbers checked here.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use order::Positions;
use order::report::{compare, embeddings, position_vectors, rnn};

const A: &str = "John likes cats";
const B: &str = "cats like John";

#[test]
fn token_embeddings() {
    bookkit::snapshot!("embeddings", embeddings());
}

#[test]
fn attention_without_positions() {
    bookkit::snapshot!(
        "no_positions",
        compare(A, B, Positions::None, false).unwrap()
    );
}

#[test]
fn recurrent_states() {
    bookkit::snapshot!("rnn", rnn(&[A, B]).unwrap());
}

#[test]
fn learned_and_fixed_position_vectors() {
    bookkit::snapshot!("position_vectors", position_vectors(4).unwrap());
}

#[test]
fn attention_with_learned_positions() {
    bookkit::snapshot!("learned", compare(A, B, Positions::Learned, false).unwrap());
}

#[test]
fn attention_with_fixed_encoding() {
    bookkit::snapshot!("fixed", compare(A, B, Positions::Fixed, false).unwrap());
}

#[test]
fn causal_attention_without_positions() {
    bookkit::snapshot!("causal", compare(A, B, Positions::None, true).unwrap());
}

#[test]
fn figure_captions() {
    bookkit::snapshot!("caption_positions", order::figures::positions_caption());
}
