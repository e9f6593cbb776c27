//! Solutions to the chapter's exercises.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use learned::packing::{Reset, pack};
use learned::{Scheme, init_table, logits_at, train_toy, translation_gap};

// ANCHOR: exercise1
/// Exercise 1: a batch of lengths 3, 5 and 2 updates rows 0 to 4 and nothing else; row 0 is
/// updated by all three sequences, row 4 by one.
#[test]
fn which_rows_a_batch_updates() {
    let init = init_table(8, 4, 0.02, 11).unwrap();
    let run = train_toy(&init, &[3, 5, 2], 3, 0.1).unwrap();
    assert_eq!(run.updates, vec![3, 3, 2, 1, 1, 0, 0, 0]);
    for p in 5..8 {
        assert_eq!(run.trained.lookup(p).unwrap(), init.lookup(p).unwrap());
    }
}
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: without resets, a token's position can exceed its index in its document (a
/// document starting mid-context); with resets it never does, but after a split it falls short.
#[test]
fn resets_never_overstate_positions() {
    let never = pack(&[2, 6], 5, Reset::Never).unwrap();
    // Document 1 starts at offset 2: its first token is told it is at position 2.
    let first = never.iter().find(|s| s.doc == 1).unwrap();
    assert_eq!((first.index_in_doc, first.position), (0, 2));
    let reset = pack(&[2, 6], 5, Reset::AtDocumentStart).unwrap();
    assert!(reset.iter().all(|s| s.position <= s.index_in_doc));
    // Its token 3 lands at the start of context 1 and is told position 0.
    let split = reset
        .iter()
        .find(|s| s.doc == 1 && s.index_in_doc == 3)
        .unwrap();
    assert_eq!((split.context, split.position), (1, 0));
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: an absolute scheme changes the logits when every token moves on by the same c; a
/// bias that depends only on j − i (the next chapter's kind) leaves them exactly as they were.
#[test]
fn absolute_changes_relative_does_not() {
    for c in 1..6 {
        for scheme in [Scheme::Sinusoidal, Scheme::Learned] {
            assert!(
                translation_gap(&[0, 1, 2], c, scheme).unwrap() > 1e-3,
                "{scheme:?}, {c}"
            );
        }
        assert_eq!(
            translation_gap(&[0, 1, 2], c, Scheme::RelativeBias).unwrap(),
            0.0
        );
    }
    let (a, b) = (
        logits_at(&[0, 1, 2], Scheme::RelativeBias).unwrap(),
        logits_at(&[100, 101, 102], Scheme::RelativeBias).unwrap(),
    );
    assert_eq!(a, b);
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: the table costs L_max × d parameters: 393 216 for BERT-base (512 × 768) and
/// 786 432 for GPT-2 small (1024 × 768); doubling the context doubles it.
#[test]
fn table_parameters() {
    let params = |l_max: usize, d: usize| init_table(l_max, d, 0.02, 0).unwrap().rows().len();
    assert_eq!(params(512, 768), 393_216);
    assert_eq!(params(1024, 768), 786_432);
    assert_eq!(params(2048, 768), 2 * params(1024, 768));
}
// ANCHOR_END: exercise4
