//! The chapter's tables, checked. The page includes these snapshot files (after their 3-line
//! header), so the numbers the reader sees are the numbers checked here.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use order::Positions;
use order::report::{compare, embeddings, position_vectors, rnn};

const A: &str = "John likes cats";
const B: &str = "cats like John";

fn check(name: &str, value: String) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, value);
    });
}

#[test]
fn token_embeddings() {
    check("embeddings", embeddings());
}

#[test]
fn attention_without_positions() {
    check(
        "no_positions",
        compare(A, B, Positions::None, false).unwrap(),
    );
}

#[test]
fn recurrent_states() {
    check("rnn", rnn(&[A, B]).unwrap());
}

#[test]
fn learned_and_fixed_position_vectors() {
    check("position_vectors", position_vectors(4).unwrap());
}

#[test]
fn attention_with_learned_positions() {
    check("learned", compare(A, B, Positions::Learned, false).unwrap());
}

#[test]
fn attention_with_fixed_encoding() {
    check("fixed", compare(A, B, Positions::Fixed, false).unwrap());
}

#[test]
fn causal_attention_without_positions() {
    check("causal", compare(A, B, Positions::None, true).unwrap());
}
