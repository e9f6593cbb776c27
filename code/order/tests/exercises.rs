//! Solutions to the chapter's exercises. The page shows each one in a collapsed block.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use attention::{Head, Options};
use ndarray::{Array1, Array2, ArrayView2};
use order::{PositionTable, Positions, Rnn, embed, one_hot, tokenize};
use proptest::prelude::*;

fn permute_rows(x: ArrayView2<'_, f64>, perm: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn(x.dim(), |(i, c)| x[[perm[i], c]])
}

fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(-2.0..2.0f64, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
}

// ANCHOR: exercise1
proptest! {
    /// Exercise 1: adding the *same* vector c to every token is not position information.
    /// Reordering the tokens and then adding c gives the same input as adding c and then
    /// reordering, so attention stays permutation-equivariant.
    #[test]
    fn a_constant_offset_keeps_the_symmetry(
        x in matrix(4, 3), c in matrix(1, 3),
        (wq, wk, wv) in (matrix(3, 3), matrix(3, 3), matrix(3, 3)),
        perm in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    ) {
        let head = Head::new(wq, wk, wv).unwrap();
        let opts = Options::default();
        // The sentence as written, with c added to every token (c broadcasts over the rows)…
        let out = head.forward((&x + &c).view(), &opts).unwrap().output;
        // …and the reordered sentence, with c added to every token.
        let reordered = permute_rows(x.view(), &perm) + &c;
        let out_p = head.forward(reordered.view(), &opts).unwrap().output;
        let d = &out_p - &permute_rows(out.view(), &perm);
        prop_assert!(d.iter().all(|v| v.abs() < 1e-12));
    }
}
// ANCHOR_END: exercise1

// ANCHOR: exercise2
/// Exercise 2: a causal mask alone already breaks the symmetry, with no position vectors at all.
/// The first token can only attend to itself, so its output is its own value vector; the last
/// token attends to everything, so its output is the same as without the mask.
#[test]
fn a_causal_mask_alone_reveals_order() {
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
}
// ANCHOR_END: exercise2

// ANCHOR: exercise3
/// Exercise 3: a lookup is a one-hot vector times the table, and a position past the table's end
/// has no one-hot vector and no row.
#[test]
fn lookup_is_a_one_hot_product() {
    let table = PositionTable::chapter();
    for p in 0..table.max_len() {
        let row: Array1<f64> = one_hot(p, table.max_len()).unwrap().dot(&table.rows());
        assert_eq!(row.view(), table.lookup(p).unwrap());
    }
    assert!(one_hot(8, 8).is_err());
    assert!(table.lookup(8).is_err());
}
// ANCHOR_END: exercise3

// ANCHOR: exercise4
/// Exercise 4: with W_h = 0 the recurrence is cut, and the final state only sees the last token:
/// "cats like John" and "like cats John" become indistinguishable.
#[test]
fn without_recurrence_the_rnn_forgets_order() {
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
}
// ANCHOR_END: exercise4
