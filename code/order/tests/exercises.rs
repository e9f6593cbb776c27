//! The chapter's exercises. Each one is a function: `answers` holds the stub the page shows under
//! the question (the reader replaces its `todo!()`), `solutions` holds the answer the page shows
//! in its collapsed block, and one check function holds either to the same assertions.
//!
//! `cargo test -p order --test exercises` checks the solutions;
//! `cargo test -p order --test exercises -- --ignored` checks the reader's answers.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use attention::{Head, Options};
use ndarray::{Array1, Array2, ArrayView2};
use order::{PositionTable, Positions, Rnn, Token, embed, tokenize};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// Your answers: replace each `todo!()`, then run
/// `cargo test -p order --test exercises -- --ignored`.
#[allow(unused_variables)]
mod answers {
    use ndarray::{Array1, Array2, ArrayView2};
    use order::{PositionTable, Token};

    // ANCHOR: exercise1_stub
    /// Exercise 1: add the same vector `c` (`[1, d]`) to every row of `x` (`[n, d]`).
    pub fn add_to_every_token(x: ArrayView2<'_, f64>, c: ArrayView2<'_, f64>) -> Array2<f64> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise1_stub

    // ANCHOR: exercise2_stub
    /// Exercise 2: the outputs of the first and of the last token of `sentence` under a causal
    /// mask, with no position vectors, worked out *without* running masked attention.
    pub fn causal_first_and_last(sentence: &str) -> order::Result<(Array1<f64>, Array1<f64>)> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise2_stub

    // ANCHOR: exercise3_stub
    /// Exercise 3: row `p` of `table`, computed as a product instead of a lookup.
    pub fn lookup_by_product(table: &PositionTable, p: usize) -> order::Result<Array1<f64>> {
        todo!("your answer")
    }
    // ANCHOR_END: exercise3_stub

    // ANCHOR: exercise4_stub
    /// Exercise 4: with `W_h = 0`, does the network end in the same state for `a` and for `b`?
    pub fn same_final_state_without_recurrence(a: &[Token], b: &[Token]) -> bool {
        todo!("your answer")
    }
    // ANCHOR_END: exercise4_stub
}

/// The answers the page shows in its collapsed blocks.
mod solutions {
    use ndarray::{Array1, Array2, ArrayView2};
    use order::{PositionTable, Positions, Token, embed, one_hot, tokenize};

    // ANCHOR: exercise1
    /// Exercise 1: add the same vector `c` (`[1, d]`) to every row of `x` (`[n, d]`).
    pub fn add_to_every_token(x: ArrayView2<'_, f64>, c: ArrayView2<'_, f64>) -> Array2<f64> {
        // `c` broadcasts over the rows. Reordering the rows and then adding `c` is the same as
        // adding `c` and then reordering, so attention stays permutation-equivariant.
        &x + &c
    }
    // ANCHOR_END: exercise1

    // ANCHOR: exercise2
    /// Exercise 2: the outputs of the first and of the last token of `sentence` under a causal
    /// mask, with no position vectors, worked out *without* running masked attention.
    pub fn causal_first_and_last(sentence: &str) -> order::Result<(Array1<f64>, Array1<f64>)> {
        let x = embed(&tokenize(sentence)?); // [n, d]
        // The first token sees only itself: all its weight is on its own value vector x_0 W_V.
        let first = x.row(0).dot(&order::head().w_v); // [d]
        // The last token sees every token, exactly as without the mask.
        let full = order::attend(sentence, Positions::None)?.output; // [n, d]
        let last = full.row(full.nrows() - 1).to_owned(); // [d]
        Ok((first, last))
    }
    // ANCHOR_END: exercise2

    // ANCHOR: exercise3
    /// Exercise 3: row `p` of `table`, computed as a product instead of a lookup.
    pub fn lookup_by_product(table: &PositionTable, p: usize) -> order::Result<Array1<f64>> {
        // e_p^T P: a one-hot vector has no index L_max, so p = L_max fails here as well.
        Ok(one_hot(p, table.max_len())?.dot(&table.rows()))
    }
    // ANCHOR_END: exercise3

    // ANCHOR: exercise4
    /// Exercise 4: with `W_h = 0`, does the network end in the same state for `a` and for `b`?
    pub fn same_final_state_without_recurrence(a: &[Token], b: &[Token]) -> bool {
        // h_n = tanh(W_x x_n + b): only the last token reaches the final state.
        a.last().map(Token::id) == b.last().map(Token::id)
    }
    // ANCHOR_END: exercise4
}

fn permute_rows(x: ArrayView2<'_, f64>, perm: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn(x.dim(), |(i, c)| x[[perm[i], c]])
}

fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(-2.0..2.0f64, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
}

type AddToEveryToken = fn(ArrayView2<'_, f64>, ArrayView2<'_, f64>) -> Array2<f64>;
type FirstAndLast = fn(&str) -> order::Result<(Array1<f64>, Array1<f64>)>;

/// Adding the *same* vector to every token is not position information: the offset input still
/// permutes with the tokens, so attention stays permutation-equivariant (random inputs, heads
/// and permutations).
fn check_exercise1(add: AddToEveryToken) {
    let x = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
    let c = ndarray::array![[10.0, 20.0]];
    assert_eq!(
        add(x.view(), c.view()),
        ndarray::array![[11.0, 22.0], [13.0, 24.0]]
    );
    let problems = (
        matrix(4, 3),
        matrix(1, 3),
        (matrix(3, 3), matrix(3, 3), matrix(3, 3)),
        Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    );
    TestRunner::default()
        .run(&problems, |(x, c, (wq, wk, wv), perm)| {
            let head = Head::new(wq, wk, wv).unwrap();
            let opts = Options::default();
            // The sentence as written, with c added to every token…
            let out = head
                .forward(add(x.view(), c.view()).view(), &opts)
                .unwrap()
                .output;
            // …and the reordered sentence, with c added to every token.
            let reordered = add(permute_rows(x.view(), &perm).view(), c.view());
            let out_p = head.forward(reordered.view(), &opts).unwrap().output;
            let d = &out_p - &permute_rows(out.view(), &perm);
            prop_assert!(d.iter().all(|v| v.abs() < 1e-12));
            Ok(())
        })
        .unwrap();
}

#[test]
fn exercise1() {
    check_exercise1(solutions::add_to_every_token);
}

#[test]
#[ignore = "your answer: fill in answers::add_to_every_token"]
fn exercise1_yours() {
    check_exercise1(answers::add_to_every_token);
}

/// A causal mask alone already breaks the symmetry, with no position vectors at all: the first
/// token's output is its own value vector, the last token's is the same as without the mask.
fn check_exercise2(first_and_last: FirstAndLast) {
    let causal = |s| order::attend_with(s, Positions::None, true).unwrap().output;
    let (a, b) = (causal("John likes cats"), causal("cats like John"));
    // "John" is first in a, last in b.
    let john_first = a.row(0);
    let john_last = b.row(2);
    assert!((&john_first - &john_last).iter().any(|v| v.abs() > 0.1));
    // First token: exactly its value vector v = x W_v.
    let x = embed(&tokenize("John").unwrap());
    let v = x.dot(&order::head().w_v);
    assert!((&john_first - &v.row(0)).iter().all(|d| d.abs() < 1e-15));
    // Last token: the same as full (unmasked) attention.
    let full = order::attend("cats like John", Positions::None)
        .unwrap()
        .output;
    assert!((&john_last - &full.row(2)).iter().all(|d| d.abs() < 1e-12));
    // The answer predicts both, for every order of the three words.
    for s in [
        "John likes cats",
        "cats like John",
        "like cats John",
        "John cats like",
    ] {
        let out = causal(s);
        let (first, last) = first_and_last(s).unwrap();
        assert!(
            (&out.row(0) - &first).iter().all(|d| d.abs() < 1e-15),
            "{s}"
        );
        assert!((&out.row(2) - &last).iter().all(|d| d.abs() < 1e-12), "{s}");
    }
    assert!(first_and_last("dogs like John").is_err());
}

#[test]
fn exercise2() {
    check_exercise2(solutions::causal_first_and_last);
}

#[test]
#[ignore = "your answer: fill in answers::causal_first_and_last"]
fn exercise2_yours() {
    check_exercise2(answers::causal_first_and_last);
}

/// A lookup is a one-hot vector times the table, and a position past the table's end has no
/// one-hot vector and no row.
fn check_exercise3(by_product: fn(&PositionTable, usize) -> order::Result<Array1<f64>>) {
    let table = PositionTable::chapter();
    for p in 0..table.max_len() {
        let row = by_product(&table, p).unwrap();
        assert_eq!(row.view(), table.lookup(p).unwrap());
    }
    assert!(by_product(&table, 8).is_err());
    assert!(order::one_hot(8, 8).is_err());
    assert!(table.lookup(8).is_err());
}

#[test]
fn exercise3() {
    check_exercise3(solutions::lookup_by_product);
}

#[test]
#[ignore = "your answer: fill in answers::lookup_by_product"]
fn exercise3_yours() {
    check_exercise3(answers::lookup_by_product);
}

/// All 3! orders of "John likes cats".
fn all_orders() -> Vec<Vec<Token>> {
    let words = ["John", "likes", "cats"];
    let mut out = Vec::new();
    for (a, b, c) in [
        (0, 1, 2),
        (0, 2, 1),
        (1, 0, 2),
        (1, 2, 0),
        (2, 0, 1),
        (2, 1, 0),
    ] {
        out.push(tokenize(&[words[a], words[b], words[c]].join(" ")).unwrap());
    }
    out
}

/// With W_h = 0 the recurrence is cut, and the final state only sees the last token: "cats like
/// John" and "like cats John" become indistinguishable.
fn check_exercise4(same: fn(&[Token], &[Token]) -> bool) {
    let mut rnn = Rnn::chapter();
    rnn.w_h.fill(0.0);
    let h = |s: &str| {
        rnn.final_state(embed(&tokenize(s).unwrap()).view())
            .unwrap()
    };
    assert_eq!(h("cats like John"), h("like cats John"));
    // The chapter's network, with its recurrence, tells them apart.
    let full = Rnn::chapter();
    let g = |s: &str| {
        full.final_state(embed(&tokenize(s).unwrap()).view())
            .unwrap()
    };
    assert!(
        (&g("cats like John") - &g("like cats John"))
            .iter()
            .any(|d| d.abs() > 0.05)
    );
    // The answer predicts exactly which pairs of orders the cut network confuses.
    let state = |t: &[Token]| rnn.final_state(embed(t).view()).unwrap();
    for a in all_orders() {
        for b in all_orders() {
            assert_eq!(same(&a, &b), state(&a) == state(&b), "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn exercise4() {
    check_exercise4(solutions::same_final_state_without_recurrence);
}

#[test]
#[ignore = "your answer: fill in answers::same_final_state_without_recurrence"]
fn exercise4_yours() {
    check_exercise4(answers::same_final_state_without_recurrence);
}
