//! Values and refusals outside the doc tests: each accessor, each rule a constructor checks (on
//! both sides of its boundary), and the logits on small cases worked out by hand.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::{Array2, array};
use rope::{Layout, Rope};
use runtime::cache::Positions;
use runtime::fire::{Fire, Input, Mlp};
use runtime::remap::{Plain, logits, logits_by_offset};
use runtime::{Cache, Cope, Dca, Kerple, ReRope, Remap, SelfExtend};

#[test]
fn accessors_return_the_settings() {
    let c = Cache::new(3, 5, Positions::InCache).unwrap();
    assert_eq!((c.sinks(), c.window()), (3, 5));
    let d = Dca::code(12, 2).unwrap();
    assert_eq!((d.chunk(), d.ceiling()), (10, 12));
    let r = ReRope::new(7, 16).unwrap();
    assert_eq!(r.window(), 7);
    let s = SelfExtend::new(3, 6).unwrap();
    assert_eq!((s.group(), s.window()), (3, 6));
    assert_eq!(Plain.name(), "RoPE");
    assert_eq!(Plain.query_scale(9), 1.0);
    assert_eq!(Cope::new(Array2::zeros((5, 2))).unwrap().npos_max(), 5);
}

#[test]
fn constructors_refuse_on_the_far_side_of_each_rule() {
    assert!(Dca::paper(0, 10).is_err());
    assert!(Dca::paper(10, 10).is_err());
    assert!(Dca::paper(9, 10).is_ok());
    assert!(Dca::code(4, 4).is_err());
    assert!(Kerple::power(0.0, 1.0).is_err());
    assert!(Kerple::power(f64::NAN, 1.0).is_err());
    assert!(Kerple::power(f64::INFINITY, 1.0).is_err());
    assert!(Kerple::power(1.0, 2.0).is_ok());
    assert!(Kerple::power(1.0, 2.0 + 1e-12).is_err());
    assert!(Kerple::log(1.0, 0.0).is_err());
    assert!(Kerple::log(-1.0, 1.0).is_err());
    assert!(Kerple::log(1e-300, 1e-300).is_ok());
    assert!(ReRope::leaky(4, 16, 1.0).is_err());
    assert!(ReRope::leaky(4, 16, f64::NAN).is_err());
    assert!(ReRope::leaky(4, 16, f64::INFINITY).is_err());
    assert!(ReRope::leaky(4, 16, 1.0 + 1e-9).is_ok());
    assert!(ReRope::new(4, 1).is_err());
    assert!(SelfExtend::new(2, 0).is_err());
    assert!(Cope::new(Array2::zeros((0, 2))).is_err());
    assert!(Cope::new(array![[f64::NAN]]).is_err());
    assert!(Fire::new(Mlp::line(1.0).unwrap(), Input::Log { c: 0.0 }).is_err());
    assert!(
        Fire::new(
            Mlp::line(1.0).unwrap(),
            Input::Progressive {
                c: 1.0,
                threshold: 0.0
            }
        )
        .is_err()
    );
    assert!(Mlp::new(vec![], vec![], vec![], 0.0).is_err());
    assert!(Mlp::new(vec![1.0], vec![0.0, 1.0], vec![1.0], 0.0).is_err());
    assert!(Mlp::new(vec![1.0], vec![0.0], vec![f64::NAN], 0.0).is_err());
}

#[test]
fn mlp_adds_its_biases() {
    // 3 + 2·relu(1·x − 1) − 1·relu(−x + 0.5): at x = 2, 3 + 2 − 0 = 5; at x = 0, 3 + 0 − 0.5.
    let m = Mlp::new(vec![1.0, -1.0], vec![-1.0, 0.5], vec![2.0, -1.0], 3.0).unwrap();
    assert_eq!(m.at(2.0), 5.0);
    assert_eq!(m.at(0.0), 2.5);
}

/// Logits of one pair worked out by hand: head width 2, one frequency θ = 1, so RoPE turns by
/// the position in radians; q = (1, 0) at P_q and k = (1, 0) at P_k score cos(P_q − P_k) / √2.
#[test]
fn logits_are_the_turned_dot_product_over_root_d() {
    let rope = Rope::new(2, 10000.0, Layout::HalfSplit).unwrap();
    let x = Array2::from_shape_fn((20, 2), |(_, c)| if c == 0 { 1.0 } else { 0.0 });
    let root2 = 2f64.sqrt();
    let plain = logits(&Plain, &rope, x.view(), x.view()).unwrap();
    assert!((plain[[5, 2]] - 3f64.cos() / root2).abs() < 1e-15);
    // ReRoPE beyond L = 8 scales the query by ln(i + 1)/ln 8, and clips the distance at 4.
    let r = ReRope::new(4, 8).unwrap();
    for f in [logits, logits_by_offset] {
        let z = f(&r, &rope, x.view(), x.view()).unwrap();
        let want = (20f64.ln() / 8f64.ln()) * 4f64.cos() / root2;
        assert!((z[[19, 0]] - want).abs() < 1e-14);
        assert!((z[[19, 17]] - (20f64.ln() / 8f64.ln()) * 2f64.cos() / root2).abs() < 1e-14);
    }
    // An evicted key has no logit.
    let c = Cache::new(1, 2, Positions::InCache).unwrap();
    assert_eq!(
        logits(&c, &rope, x.view(), x.view()).unwrap()[[9, 4]],
        f64::NEG_INFINITY
    );
}

#[test]
fn logits_refuse_what_does_not_fit() {
    let rope = Rope::new(2, 10000.0, Layout::HalfSplit).unwrap();
    let ok = Array2::<f64>::zeros((3, 2));
    for f in [logits, logits_by_offset] {
        assert!(f(&Plain, &rope, Array2::zeros((3, 4)).view(), ok.view()).is_err());
        assert!(f(&Plain, &rope, ok.view(), Array2::zeros((2, 2)).view()).is_err());
        assert!(f(&Plain, &rope, ok.view(), Array2::zeros((3, 3)).view()).is_err());
        let mut bad = ok.clone();
        bad[[1, 1]] = f64::NAN;
        assert!(f(&Plain, &rope, bad.view(), ok.view()).is_err());
        assert!(f(&Plain, &rope, ok.view(), bad.view()).is_err());
        assert!(f(&Plain, &rope, ok.view(), ok.view()).is_ok());
    }
}

#[test]
fn cope_logits_add_the_bias_to_the_scaled_scores() {
    // d = 1, q = k = 2: the score is 2·2/1 = 4 and every gate σ(4); e[p] = p gives the bias q·p.
    let cope = Cope::new(array![[0.0], [1.0], [2.0], [3.0]]).unwrap();
    let q = array![[2.0], [2.0], [2.0]];
    let z = cope.logits(q.view(), q.view()).unwrap();
    let g = 1.0 / (1.0 + (-4.0f64).exp());
    assert!((z[[2, 0]] - (4.0 + 2.0 * 3.0 * g)).abs() < 1e-12);
    assert!((z[[2, 2]] - (4.0 + 2.0 * g)).abs() < 1e-12);
    assert_eq!(z[[0, 2]], f64::NEG_INFINITY);
    assert_eq!(z[[1, 2]], f64::NEG_INFINITY);
    assert!(z[[2, 1]].is_finite());
    // With d = 4 the score is divided by 2, not by 4.
    let wide = Cope::new(Array2::zeros((2, 4))).unwrap();
    let q4 = Array2::from_elem((1, 4), 1.0);
    assert_eq!(wide.logits(q4.view(), q4.view()).unwrap()[[0, 0]], 2.0);
    assert!(cope.logits(q.view(), array![[2.0], [2.0]].view()).is_err());
    // The checks: a square, finite logit matrix and queries [n, d].
    let z = Array2::zeros((3, 3));
    assert!(cope.bias(q.view(), Array2::zeros((3, 2)).view()).is_err());
    assert!(cope.bias(Array2::zeros((3, 2)).view(), z.view()).is_err());
    assert!(cope.bias(Array2::zeros((2, 1)).view(), z.view()).is_err());
    assert!(
        cope.bias_slow(Array2::from_elem((3, 1), f64::NAN).view(), z.view())
            .is_err()
    );
    assert!(runtime::cope::positions(array![[f64::NAN]].view(), 4).is_err());
    assert!(runtime::cope::positions(z.view(), 0).is_err());
}
