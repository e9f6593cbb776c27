//! The chapter's exercises: a stub for each answer (in `answers`), the book's solution (in
//! `solutions`), and a check that holds either to the same assertions.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use learned::packing::{Reset, pack};
use learned::{Scheme, init_table, logits_at, train_toy, translation_gap};

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p learned --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    use super::*;

    // ANCHOR: exercise1_stub
    /// Exercise 1: how many gradient updates each of a table's `max_len` rows receives from one
    /// batch of sequences of the given lengths.
    pub fn updates_per_row(lengths: &[usize], max_len: usize) -> Vec<usize> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: the position each token is given, in stream order, when documents of the
    /// given lengths are packed into contexts of `context_len` tokens.
    pub fn positions(doc_lengths: &[usize], context_len: usize, reset: Reset) -> Vec<usize> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: the largest change in any logit of "John likes cats" at positions 0, 1, 2
    /// when all three tokens move on by `c`.
    pub fn shift_gap(scheme: Scheme, c: usize) -> f64 {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: the number of parameters of a position table for contexts of `l_max` tokens
    /// and a model of width `d`.
    pub fn table_parameters(l_max: usize, d: usize) -> usize {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

mod solutions {
    use super::*;

    // ANCHOR: exercise1
    /// Exercise 1: how many gradient updates each of a table's `max_len` rows receives from one
    /// batch of sequences of the given lengths.
    pub fn updates_per_row(lengths: &[usize], max_len: usize) -> Vec<usize> {
        // Row p learns from every sequence that reaches position p, that is, longer than p.
        (0..max_len)
            .map(|p| lengths.iter().filter(|&&n| n > p).count())
            .collect()
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: the position each token is given, in stream order, when documents of the
    /// given lengths are packed into contexts of `context_len` tokens.
    pub fn positions(doc_lengths: &[usize], context_len: usize, reset: Reset) -> Vec<usize> {
        let mut out = Vec::new();
        let mut offset = 0; // where the next token lands in its context
        for &len in doc_lengths {
            let mut start = offset; // where this document's run in the context began
            for _ in 0..len {
                out.push(match reset {
                    Reset::Never => offset,
                    Reset::AtDocumentStart => offset - start,
                });
                offset += 1;
                if offset == context_len {
                    (offset, start) = (0, 0); // a new context: the document continues at 0
                }
            }
        }
        out
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: the largest change in any logit of "John likes cats" at positions 0, 1, 2
    /// when all three tokens move on by `c`.
    pub fn shift_gap(scheme: Scheme, c: usize) -> f64 {
        let before = logits_at(&[0, 1, 2], scheme).unwrap();
        let after = logits_at(&[c, c + 1, c + 2], scheme).unwrap();
        (&after - &before).iter().fold(0.0, |m, d| m.max(d.abs()))
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: the number of parameters of a position table for contexts of `l_max` tokens
    /// and a model of width `d`.
    pub fn table_parameters(l_max: usize, d: usize) -> usize {
        l_max * d // one row of d numbers per position
    }
    // ANCHOR_END: exercise4
}

/// A batch of lengths 3, 5 and 2 updates rows 0 to 4 and nothing else; row 0 is updated by all
/// three sequences, row 4 by one.
fn check_exercise1(updates_per_row: fn(&[usize], usize) -> Vec<usize>) {
    assert_eq!(updates_per_row(&[3, 5, 2], 8), vec![3, 3, 2, 1, 1, 0, 0, 0]);
    // The toy training run counts the same, one sequence per step.
    for (lengths, max_len) in [(vec![3, 5, 2], 8), (vec![1, 4, 4, 6], 6), (vec![7], 9)] {
        let init = init_table(max_len, 4, 0.02, 11).unwrap();
        let run = train_toy(&init, &lengths, lengths.len(), 0.1).unwrap();
        assert_eq!(
            updates_per_row(&lengths, max_len),
            run.updates,
            "{lengths:?}"
        );
    }
    let init = init_table(8, 4, 0.02, 11).unwrap();
    let run = train_toy(&init, &[3, 5, 2], 3, 0.1).unwrap();
    assert_eq!(run.updates, vec![3, 3, 2, 1, 1, 0, 0, 0]);
    for p in 5..8 {
        assert_eq!(run.trained.lookup(p).unwrap(), init.lookup(p).unwrap());
    }
}

/// Without resets, a token's position can exceed its index in its document (a document starting
/// mid-context); with resets it never does, but after a split it falls short.
fn check_exercise2(positions: fn(&[usize], usize, Reset) -> Vec<usize>) {
    for (docs, context_len) in [(vec![2, 6], 5), (vec![5, 3, 7], 8), (vec![5, 3, 7], 6)] {
        for reset in [Reset::Never, Reset::AtDocumentStart] {
            let want: Vec<usize> = pack(&docs, context_len, reset)
                .unwrap()
                .iter()
                .map(|s| s.position)
                .collect();
            assert_eq!(
                positions(&docs, context_len, reset),
                want,
                "{docs:?}, {reset:?}"
            );
        }
    }
    // Documents of 2 and 6 tokens in contexts of 5: document 1 starts at offset 2, and its
    // token 3 starts context 1.
    let never = positions(&[2, 6], 5, Reset::Never);
    let reset = positions(&[2, 6], 5, Reset::AtDocumentStart);
    let index_in_doc = [0, 1, 0, 1, 2, 3, 4, 5];
    assert_eq!(never[2], 2); // told position 2 at index 0: larger
    assert!(reset.iter().zip(index_in_doc).all(|(&p, i)| p <= i));
    assert_eq!(reset[5], 0); // index 3, told position 0: smaller
    let never = pack(&[2, 6], 5, Reset::Never).unwrap();
    let first = never.iter().find(|s| s.doc == 1).unwrap();
    assert_eq!((first.index_in_doc, first.position), (0, 2));
    let reset = pack(&[2, 6], 5, Reset::AtDocumentStart).unwrap();
    assert!(reset.iter().all(|s| s.position <= s.index_in_doc));
    let split = reset
        .iter()
        .find(|s| s.doc == 1 && s.index_in_doc == 3)
        .unwrap();
    assert_eq!((split.context, split.position), (1, 0));
}

/// An absolute scheme changes the logits when every token moves on by the same c; a bias that
/// depends only on j − i (the next chapter's kind) leaves them exactly as they were.
fn check_exercise3(shift_gap: fn(Scheme, usize) -> f64) {
    for c in 1..6 {
        for scheme in [Scheme::Sinusoidal, Scheme::Learned] {
            let gap = shift_gap(scheme, c);
            assert!(gap > 1e-3, "{scheme:?}, {c}");
            assert_eq!(gap, translation_gap(&[0, 1, 2], c, scheme).unwrap());
        }
        assert_eq!(shift_gap(Scheme::RelativeBias, c), 0.0);
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

/// The table costs L_max × d parameters: 393 216 for BERT-base (512 × 768) and 786 432 for
/// GPT-2 small (1024 × 768); doubling the context doubles it.
fn check_exercise4(table_parameters: fn(usize, usize) -> usize) {
    assert_eq!(table_parameters(512, 768), 393_216);
    assert_eq!(table_parameters(1024, 768), 786_432);
    assert_eq!(table_parameters(2048, 768), 2 * table_parameters(1024, 768));
    let params = |l_max: usize, d: usize| init_table(l_max, d, 0.02, 0).unwrap().rows().len();
    assert_eq!(params(512, 768), table_parameters(512, 768));
    assert_eq!(params(1024, 768), 786_432);
    assert_eq!(params(2048, 768), 2 * params(1024, 768));
}

#[test]
fn exercise1() {
    check_exercise1(solutions::updates_per_row);
}

#[test]
#[ignore = "your answer: fill in answers::updates_per_row"]
fn exercise1_yours() {
    check_exercise1(answers::updates_per_row);
}

#[test]
fn exercise2() {
    check_exercise2(solutions::positions);
}

#[test]
#[ignore = "your answer: fill in answers::positions"]
fn exercise2_yours() {
    check_exercise2(answers::positions);
}

#[test]
fn exercise3() {
    check_exercise3(solutions::shift_gap);
}

#[test]
#[ignore = "your answer: fill in answers::shift_gap"]
fn exercise3_yours() {
    check_exercise3(answers::shift_gap);
}

#[test]
fn exercise4() {
    check_exercise4(solutions::table_parameters);
}

#[test]
#[ignore = "your answer: fill in answers::table_parameters"]
fn exercise4_yours() {
    check_exercise4(answers::table_parameters);
}
