//! The chapter's central claim, as property tests: without position information, self-attention
//! is permutation-equivariant, so any order-independent pooling cannot tell two orders apart.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use attention::{Head, Options};
use ndarray::{Array2, ArrayView2};
use order::{Positions, Rnn, embed, mean_pool, tokenize, with_positions};
use proptest::prelude::*;

/// Rows of `x` reordered: row `i` of the result is row `perm[i]` of `x` (that is, `P x`).
fn permute_rows(x: ArrayView2<'_, f64>, perm: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn(x.dim(), |(i, c)| x[[perm[i], c]])
}

fn max_abs(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> f64 {
    (&a - &b).iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(-2.0..2.0f64, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).expect("sized"))
}

/// A random problem: n tokens of width d, a random head, and a random permutation of 0..n.
fn problem() -> impl Strategy<Value = (Array2<f64>, Head, Vec<usize>)> {
    (1usize..7, 1usize..6, 1usize..5).prop_flat_map(|(n, d, d_k)| {
        (
            matrix(n, d),
            matrix(d, d_k),
            matrix(d, d_k),
            matrix(d, d),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(|(x, wq, wk, wv, perm)| (x, Head::new(wq, wk, wv).expect("shapes fit"), perm))
    })
}

// ANCHOR: equivariance
proptest! {
    /// Attn(P X) = P Attn(X) for every permutation P, and the weights permute on both sides.
    #[test]
    fn self_attention_is_permutation_equivariant((x, head, perm) in problem()) {
        let opts = Options::default();
        let out = head.forward(x.view(), &opts).unwrap();
        let px = permute_rows(x.view(), &perm);
        let out_p = head.forward(px.view(), &opts).unwrap();
        // Outputs: the same rows, in the permuted order. The two sides sum the same terms in a
        // different order, nothing more; outputs here stay below ~50 in size, where 1e-12 is
        // ~100 ulps, ample for sums of at most six terms.
        let p_out = permute_rows(out.output.view(), &perm);
        prop_assert!(max_abs(out_p.output.view(), p_out.view()) < 1e-12);
        // Weights: W(PX)[i][j] = W(X)[perm[i]][perm[j]].
        for i in 0..perm.len() {
            for j in 0..perm.len() {
                let d = out_p.weights[[i, j]] - out.weights[[perm[i], perm[j]]];
                prop_assert!(d.abs() < 1e-12);
            }
        }
        // So any symmetric pooling, such as the mean, cannot see the order.
        let (m, m_p) = (mean_pool(out.output.view()).unwrap(), mean_pool(out_p.output.view()).unwrap());
        prop_assert!((&m - &m_p).iter().all(|v| v.abs() < 1e-12));
    }
}
// ANCHOR_END: equivariance

/// All 3! orders of the three words.
fn all_orders() -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for a in 0..3 {
        for b in 0..3 {
            for c in 0..3 {
                if a != b && b != c && a != c {
                    out.push(vec![a, b, c]);
                }
            }
        }
    }
    out
}

/// The two-sentence example is one instance: every reordering of the three words gives the same
/// output rows for the same words.
#[test]
fn every_reordering_of_the_sentence_gives_the_same_rows() {
    let words = ["John", "likes", "cats"];
    let a = order::attend(&words.join(" "), Positions::None)
        .unwrap()
        .output;
    for perm in all_orders() {
        let reordered: Vec<&str> = perm.iter().map(|&i| words[i]).collect();
        let b = order::attend(&reordered.join(" "), Positions::None)
            .unwrap()
            .output;
        assert!(max_abs(b.view(), permute_rows(a.view(), &perm).view()) < 1e-12);
    }
}

#[test]
fn positions_break_the_symmetry() {
    // "John" sits at 0 in one sentence and at 2 in the other; with positions added its output
    // differs by far more than rounding.
    for positions in [Positions::Learned, Positions::Fixed] {
        let a = order::attend("John likes cats", positions).unwrap().output;
        let b = order::attend("cats like John", positions).unwrap().output;
        let diff = (&a.row(0) - &b.row(2))
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(diff > 0.1, "{positions:?}: {diff}");
        let pooled = (&mean_pool(a.view()).unwrap() - &mean_pool(b.view()).unwrap())
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(pooled > 0.05, "{positions:?}: {pooled}");
    }
}

#[test]
fn with_positions_adds_exactly_the_position_rows() {
    let x = embed(&tokenize("cats like John").unwrap());
    let plain = with_positions(x.view(), Positions::None).unwrap();
    assert_eq!(plain, x);
    let table = order::PositionTable::chapter();
    let learned = with_positions(x.view(), Positions::Learned).unwrap();
    for p in 0..3 {
        assert_eq!(learned.row(p), &x.row(p) + &table.lookup(p).unwrap());
    }
}

/// The RNN, by contrast, is not blind to order: every reordering of the three words changes the
/// final state.
#[test]
fn the_rnn_tells_orders_apart() {
    let rnn = Rnn::chapter();
    let words = ["John", "likes", "cats"];
    let h = |s: &str| {
        rnn.final_state(embed(&tokenize(s).unwrap()).view())
            .unwrap()
    };
    let original = h(&words.join(" "));
    for perm in all_orders().into_iter().filter(|p| p != &[0, 1, 2]) {
        let reordered: Vec<&str> = perm.iter().map(|&i| words[i]).collect();
        let d = &original - &h(&reordered.join(" "));
        assert!(
            d.iter().fold(0.0f64, |m, v| m.max(v.abs())) > 0.05,
            "{perm:?}"
        );
    }
}
