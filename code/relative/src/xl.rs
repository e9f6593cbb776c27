//! Transformer-XL's relative attention (Dai, Yang, Yang, Carbonell, Le and Salakhutdinov,
//! *Transformer-XL: Attentive Language Models Beyond a Fixed-Length Context*, 2019,
//! arXiv:1901.02860, §3.3) and its sequel, DeBERTa's disentangled attention ([`crate::deberta`]).
//!
//! Dai et al. start from the logit of the absolute scheme, `(x_i + U_i) W_q ((x_j + U_j) W_k)ᵀ`,
//! expanded into four terms (a)–(d) ([`absolute_terms`]), and make three substitutions: the key's
//! absolute position `U_j` becomes the sinusoid of the distance, `R_{i−j}`; the query's position
//! term `U_i W_q` becomes two learned vectors, `u` in term (c) and `v` in term (d); and `W_k` splits
//! into `W_{k,E}` for content and `W_{k,R}` for position. [`pair_terms`] computes the four terms of
//! one pair for any key-side position vector, so that the substitutions can be checked: given
//! `U_j`, `u = v = U_i W_q` and `W_{k,E} = W_{k,R} = W_k`, it returns the absolute terms exactly.
//!
//! [`XlAttention::logits`] is the form the reference code uses (kimiyoung/transformer-xl,
//! `pytorch/mem_transformer.py`, `RelPartialLearnableMultiHeadAttn.forward`): `(q + u) · k` for
//! (a) + (c), and `(q + v) · r` shifted into place with the chapter's skewing for (b) + (d).
//! [`XlAttention::logits_slow`] computes every term of every pair as the equation reads.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use errors::bad;
use sinusoidal::Sinusoid;

use crate::Error;
use crate::shaw::skew;

/// The four terms of one logit, named as Dai et al. name them (§3.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Terms {
    /// (a) content-based addressing: query content against key content.
    pub a: f64,
    /// (b) content-dependent positional bias: query content against the key's position.
    pub b: f64,
    /// (c) global content bias: the query's position term against key content.
    pub c: f64,
    /// (d) global positional bias: the query's position term against the key's position.
    pub d: f64,
}

impl Terms {
    /// `a + b + c + d`.
    pub fn sum(&self) -> f64 {
        self.a + self.b + self.c + self.d
    }
}

/// The four terms of the absolute scheme's logit for the pair `(i, j)`, with content rows
/// `x` (`n × d_model`), absolute position rows `pos` (`n × d_model`) and projections `w_q`, `w_k`
/// (`d_model × d_head`): (a) `x_i W_q (x_j W_k)ᵀ`, (b) `x_i W_q (U_j W_k)ᵀ`, (c) `U_i W_q (x_j W_k)ᵀ`,
/// (d) `U_i W_q (U_j W_k)ᵀ`. Their sum is `(x_i + U_i) W_q ((x_j + U_j) W_k)ᵀ`.
///
/// # Errors
/// Shapes that do not fit, or `i`, `j` outside the rows.
pub fn absolute_terms(
    x: ArrayView2<'_, f64>,
    pos: ArrayView2<'_, f64>,
    w_q: ArrayView2<'_, f64>,
    w_k: ArrayView2<'_, f64>,
    (i, j): (usize, usize),
) -> Result<Terms, Error> {
    if x.dim() != pos.dim() || w_q.dim() != w_k.dim() || x.ncols() != w_q.nrows() {
        return Err(errors::shape(
            "x and U must both be n × d_model, W_q and W_k both d_model × d_head",
            x.shape().to_vec(),
            pos.shape().to_vec(),
        ));
    }
    if i >= x.nrows() || j >= x.nrows() {
        return Err(bad(
            "(i, j)",
            format!("({i}, {j})"),
            "both must be rows of x",
        ));
    }
    let q = |row: ArrayView1<'_, f64>| row.dot(&w_q); // (d_head)
    let k = |row: ArrayView1<'_, f64>| row.dot(&w_k); // (d_head)
    let (xi, xj, ui, uj) = (x.row(i), x.row(j), pos.row(i), pos.row(j));
    Ok(Terms {
        a: q(xi).dot(&k(xj)),
        b: q(xi).dot(&k(uj)),
        c: q(ui).dot(&k(xj)),
        d: q(ui).dot(&k(uj)),
    })
}

/// Transformer-XL's learned parameters for one head.
#[derive(Debug, Clone, PartialEq)]
pub struct XlAttention {
    /// `W_q`, `d_model × d_head`.
    pub w_q: Array2<f64>,
    /// `W_{k,E}`, the key projection for content, `d_model × d_head`.
    pub w_ke: Array2<f64>,
    /// `W_{k,R}`, the key projection for relative positions, `d_model × d_head`.
    pub w_kr: Array2<f64>,
    /// `u`, the global content bias, `d_head`.
    pub u: Array1<f64>,
    /// `v`, the global positional bias, `d_head`.
    pub v: Array1<f64>,
}

/// The four terms of one pair in Transformer-XL's form, for the query content `x_i`, the key
/// content `x_j` and the key-side position vector `r` (Transformer-XL passes `R_{i−j}`):
/// (a) `x_i W_q (x_j W_{k,E})ᵀ`, (b) `x_i W_q (r W_{k,R})ᵀ`, (c) `u (x_j W_{k,E})ᵀ`,
/// (d) `v (r W_{k,R})ᵀ`.
pub fn pair_terms(
    p: &XlAttention,
    x_i: ArrayView1<'_, f64>,
    x_j: ArrayView1<'_, f64>,
    r: ArrayView1<'_, f64>,
) -> Terms {
    // ANCHOR: pair_terms
    let q = x_i.dot(&p.w_q); // query content, (d_head)
    let k_e = x_j.dot(&p.w_ke); // key content, (d_head)
    let k_r = r.dot(&p.w_kr); // key position, (d_head)
    Terms {
        a: q.dot(&k_e),   // content-based addressing
        b: q.dot(&k_r),   // content-dependent positional bias
        c: p.u.dot(&k_e), // global content bias
        d: p.v.dot(&k_r), // global positional bias
    }
    // ANCHOR_END: pair_terms
}

impl XlAttention {
    /// Parameters drawn from a seeded generator (`N(0, 1/d_model)` projections, `N(0, 1)` biases).
    ///
    /// # Errors
    /// A zero width.
    pub fn seeded(d_model: usize, d_head: usize, seed: u64) -> Result<Self, Error> {
        if d_model == 0 || d_head == 0 || d_model > 4096 || d_head > 4096 {
            return Err(bad(
                "d_model, d_head",
                format!("{d_model}, {d_head}"),
                "both must lie in 1 … 4096",
            ));
        }
        let mut rng = bookkit::rng::SplitMix64(seed);
        let scale = 1.0 / (d_model as f64).sqrt();
        let mut m = || Array2::from_shape_fn((d_model, d_head), |_| scale * rng.next_gaussian());
        let (w_q, w_ke, w_kr) = (m(), m(), m());
        let u = Array1::from_shape_fn(d_head, |_| rng.next_gaussian());
        let v = Array1::from_shape_fn(d_head, |_| rng.next_gaussian());
        Ok(XlAttention {
            w_q,
            w_ke,
            w_kr,
            u,
            v,
        })
    }

    fn check(&self, x: ArrayView2<'_, f64>) -> Result<Sinusoid, Error> {
        let (d_model, d_head) = self.w_q.dim();
        if x.ncols() != d_model
            || x.nrows() == 0
            || self.w_ke.dim() != (d_model, d_head)
            || self.w_kr.dim() != (d_model, d_head)
            || self.u.len() != d_head
            || self.v.len() != d_head
        {
            return Err(errors::shape(
                "x must be n × d_model (n ≥ 1) and every parameter must fit W_q (d_model × d_head)",
                vec![x.nrows().max(1), d_model],
                x.shape().to_vec(),
            ));
        }
        Sinusoid::paper(d_model)
    }

    /// The four terms of every causal pair `j ≤ i`, as the equation reads: `R_{i−j}` is the
    /// sinusoid of the distance (the paper's frequencies, `sinusoidal::Sinusoid::paper`; the
    /// reference code lays it out as `[sin | cos]` halves, a fixed permutation that `W_{k,R}`
    /// absorbs). Pairs with `j > i` are left at zero: Transformer-XL is causal.
    ///
    /// # Errors
    /// Shapes that do not fit, or an odd `d_model`.
    pub fn terms_slow(&self, x: ArrayView2<'_, f64>) -> Result<Vec<Vec<Terms>>, Error> {
        let enc = self.check(x)?;
        let n = x.nrows();
        let zero = Terms {
            a: 0.0,
            b: 0.0,
            c: 0.0,
            d: 0.0,
        };
        Ok((0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        if j > i {
                            zero
                        } else {
                            pair_terms(self, x.row(i), x.row(j), enc.encode(i - j).view())
                        }
                    })
                    .collect()
            })
            .collect())
    }

    /// The logits `a + b + c + d` of every causal pair, term by term (the textbook form of
    /// [`XlAttention::logits`]); zero above the diagonal.
    ///
    /// # Errors
    /// As [`XlAttention::terms_slow`].
    pub fn logits_slow(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        let terms = self.terms_slow(x)?;
        let n = x.nrows();
        Ok(Array2::from_shape_fn((n, n), |(i, j)| terms[i][j].sum()))
    }

    /// The logits as the reference code computes them: (a) + (c) as `(Q + u) K_Eᵀ`, and (b) + (d)
    /// as `(Q + v) Eᵀ` with `E` the projected sinusoids of the distances `n − 1, …, 1, 0`, lined up
    /// with Huang et al.'s skewing ([`crate::shaw::skew`], the reference's `_rel_shift`). Entries
    /// above the diagonal are leftovers of the skew for the causal mask to hide; they are set to
    /// zero here, as in [`XlAttention::logits_slow`].
    ///
    /// # Errors
    /// As [`XlAttention::terms_slow`].
    ///
    /// ```
    /// use ndarray::Array2;
    /// use relative::xl::XlAttention;
    /// let p = XlAttention::seeded(8, 4, 1)?;
    /// let x = Array2::from_shape_fn((5, 8), |(i, j)| ((i * 8 + j) as f64).sin());
    /// let fast = p.logits(x.view())?;
    /// let slow = p.logits_slow(x.view())?;
    /// assert!((&fast - &slow).iter().all(|d| d.abs() < 1e-12));
    /// # Ok::<(), relative::Error>(())
    /// ```
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        let enc = self.check(x)?;
        let n = x.nrows();
        // ANCHOR: xl_fast
        let q = x.dot(&self.w_q); // (n, d_head)
        let k_e = x.dot(&self.w_ke); // (n, d_head)
        // Row r embeds the distance n − 1 − r, i.e. the offset j − i = r − (n − 1), as skew expects.
        let mut r = Array2::<f64>::zeros((n, x.ncols())); // (n, d_model)
        for (row, mut out) in r.rows_mut().into_iter().enumerate() {
            out.assign(&enc.encode(n - 1 - row)); // R_{n−1−row}
        }
        let k_r = r.dot(&self.w_kr); // (n, d_head)
        let ac = (&q + &self.u).dot(&k_e.t()); // (a) + (c), (n, n)
        let bd = skew((&q + &self.v).dot(&k_r.t()).view())?; // (b) + (d), lined up, (n, n)
        let mut logits = ac + bd;
        // ANCHOR_END: xl_fast
        logits
            .indexed_iter_mut()
            .filter(|((i, j), _)| j > i)
            .for_each(|(_, x)| *x = 0.0);
        Ok(logits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    /// Tokens and absolute positions (n × d_model each) and the query and key weights
    /// (d_model × d_head), at random small sizes.
    fn tokens_and_weights()
    -> impl Strategy<Value = (Array2<f64>, Array2<f64>, Array2<f64>, Array2<f64>)> {
        (1usize..8, 1usize..6, 1usize..5).prop_flat_map(|(n, d_model, d_head)| {
            (
                matrix(n, d_model),
                matrix(n, d_model),
                matrix(d_model, d_head),
                matrix(d_model, d_head),
            )
        })
    }

    proptest! {
        /// The four absolute terms add up to the absolute logit.
        #[test]
        fn absolute_terms_add_up(
            (x, pos, w_q, w_k) in tokens_and_weights(),
            ij in (0usize..8, 0usize..8),
        ) {
            let n = x.nrows();
            let (i, j) = (ij.0 % n, ij.1 % n);
            let t = absolute_terms(x.view(), pos.view(), w_q.view(), w_k.view(), (i, j)).unwrap();
            let h = &x + &pos;
            let logit = h.row(i).dot(&w_q).dot(&h.row(j).dot(&w_k));
            // Four products of at most 5 × 6 terms of size ≤ 4 each, regrouped: 1e-12 is ample.
            prop_assert!((t.sum() - logit).abs() < 1e-12);
        }

        /// The substitutions run backwards: with U_j in place of R_{i−j}, u = v = U_i W_q and
        /// W_{k,E} = W_{k,R} = W_k, Transformer-XL's four terms are the absolute four, one by one.
        #[test]
        fn the_relative_terms_are_the_absolute_ones_after_the_substitutions(
            (x, pos, w_q, w_k) in tokens_and_weights(),
            ij in (0usize..8, 0usize..8),
        ) {
            let n = x.nrows();
            let (i, j) = (ij.0 % n, ij.1 % n);
            let query_position = pos.row(i).dot(&w_q);
            let p = XlAttention {
                w_q: w_q.clone(), w_ke: w_k.clone(), w_kr: w_k.clone(),
                u: query_position.clone(), v: query_position,
            };
            let rel = pair_terms(&p, x.row(i), x.row(j), pos.row(j));
            let abs = absolute_terms(x.view(), pos.view(), w_q.view(), w_k.view(), (i, j)).unwrap();
            for (r, a) in [(rel.a, abs.a), (rel.b, abs.b), (rel.c, abs.c), (rel.d, abs.d)] {
                prop_assert!((r - a).abs() < 1e-12);
            }
        }

        /// The reference code's grouped, skewed form equals the four terms summed pair by pair.
        #[test]
        fn skewed_logits_equal_the_four_terms(
            x in (1usize..12).prop_flat_map(|n| matrix(n, 6)), seed in any::<u64>(),
        ) {
            let p = XlAttention::seeded(6, 3, seed).unwrap();
            let fast = p.logits(x.view()).unwrap();
            let slow = p.logits_slow(x.view()).unwrap();
            prop_assert!((&fast - &slow).iter().all(|d| d.abs() < 1e-12));
        }
    }

    #[test]
    fn seeded_parameters_are_checked_and_scaled_as_documented() {
        for (d_model, d_head) in [(0, 2), (4, 0), (4097, 2), (4, 4097)] {
            assert!(
                XlAttention::seeded(d_model, d_head, 1).is_err(),
                "{d_model}, {d_head}"
            );
        }
        assert!(XlAttention::seeded(4096, 1, 1).is_ok());
        assert!(XlAttention::seeded(1, 4096, 1).is_ok());
        // Projections from N(0, 1/d_model) (standard deviation 1/8 for d_model = 64, over 64 × 32
        // draws within a few percent), biases from N(0, 1) (over 32 draws, within ±0.4).
        let p = XlAttention::seeded(64, 32, 7).unwrap();
        let sd = |a: ndarray::ArrayViewD<'_, f64>| {
            (a.iter().map(|x| x * x).sum::<f64>() / a.len() as f64).sqrt()
        };
        for w in [&p.w_q, &p.w_ke, &p.w_kr] {
            assert!((sd(w.view().into_dyn()) - 0.125).abs() < 0.01);
        }
        for b in [&p.u, &p.v] {
            assert!((sd(b.view().into_dyn()) - 1.0).abs() < 0.4);
        }
    }

    #[test]
    fn each_term_by_hand() {
        // d_model = 2, d_head = 1: every term is a product of scalars that can be written out.
        let p = XlAttention {
            w_q: ndarray::array![[1.0], [2.0]],
            w_ke: ndarray::array![[3.0], [0.0]],
            w_kr: ndarray::array![[0.0], [5.0]],
            u: ndarray::array![7.0],
            v: ndarray::array![11.0],
        };
        let (xi, xj, r) = (
            ndarray::array![1.0, 1.0],
            ndarray::array![2.0, 0.0],
            ndarray::array![0.0, 1.0],
        );
        let t = pair_terms(&p, xi.view(), xj.view(), r.view());
        // q = 1 + 2 = 3; k_E = 2·3 = 6; k_R = 1·5 = 5.
        assert_eq!((t.a, t.b, t.c, t.d), (18.0, 15.0, 42.0, 55.0));
        assert_eq!(t.sum(), 130.0);
    }

    #[test]
    fn logits_depend_on_the_distance_only() {
        // Terms (b) and (d) of a pair see positions only through i − j: the same content at
        // pairs (i, j) and (i + c, j + c) gives the same logit.
        let p = XlAttention::seeded(8, 4, 3).unwrap();
        let mut rng = bookkit::rng::SplitMix64(5);
        let tokens = Array2::from_shape_fn((3, 8), |_| rng.next_gaussian());
        let n = 9;
        let x = Array2::from_shape_fn((n, 8), |(i, c)| tokens[[i % 3, c]]);
        let l = p.logits(x.view()).unwrap();
        // Rows 3 and 6 hold token 0, rows 1 and 4 token 1: distance 2 each time.
        assert!((l[[3, 1]] - l[[6, 4]]).abs() < 1e-12);
        assert!(
            (l[[8, 2]] - l[[5, 2]]).abs() > 1e-6,
            "different distances differ"
        );
        assert!(p.logits(Array2::zeros((3, 7)).view()).is_err());
        assert!(p.logits(Array2::zeros((0, 8)).view()).is_err());
        assert!(XlAttention::seeded(0, 4, 1).is_err());
        assert!(
            XlAttention::seeded(7, 4, 1)
                .unwrap()
                .logits(Array2::zeros((2, 7)).view())
                .is_err()
        );
        let e =
            absolute_terms(x.view(), x.view(), p.w_q.view(), p.w_ke.view(), (9, 0)).unwrap_err();
        assert!(e.to_string().contains("(9, 0)"), "{e}");
        assert!(
            absolute_terms(x.view(), tokens.view(), p.w_q.view(), p.w_ke.view(), (0, 0)).is_err()
        );
        // Projections that fit each other but not the width of x.
        let narrow = Array2::<f64>::zeros((7, 4));
        assert!(absolute_terms(x.view(), x.view(), narrow.view(), narrow.view(), (0, 0)).is_err());
        // A key projection of a different shape from the query projection.
        let wide = Array2::<f64>::zeros((8, 5));
        assert!(absolute_terms(x.view(), x.view(), p.w_q.view(), wide.view(), (0, 0)).is_err());
    }

    #[test]
    fn each_parameter_of_the_wrong_shape_is_an_error_on_its_own() {
        let p = XlAttention::seeded(8, 4, 3).unwrap();
        let x = Array2::<f64>::from_elem((3, 8), 0.1);
        assert!(p.logits(x.view()).is_ok() && p.terms_slow(x.view()).is_ok());
        let broken: [fn(&mut XlAttention); 4] = [
            |p| p.w_ke = Array2::zeros((8, 3)),
            |p| p.w_kr = Array2::zeros((7, 4)),
            |p| p.u = Array1::zeros(3),
            |p| p.v = Array1::zeros(5),
        ];
        for (which, spoil) in broken.iter().enumerate() {
            let mut q = p.clone();
            spoil(&mut q);
            assert!(q.logits(x.view()).is_err(), "parameter {which}");
            assert!(q.terms_slow(x.view()).is_err(), "parameter {which}");
        }
    }
}
