//! DeBERTa's disentangled attention (He, Liu, Gao and Chen, *DeBERTa: Decoding-enhanced BERT with
//! Disentangled Attention*, 2020, arXiv:2006.03654, §3.1): content and relative position kept as
//! separate vectors, and three of the four terms of the logit kept: content-to-content,
//! content-to-position and position-to-content, with the relative distance `δ(i, j)` clipped at
//! `k`. The position-to-position term is dropped, and the sum is divided by `√(3 d_head)`.

use ndarray::{Array2, ArrayView2};

use errors::bad;

use crate::Error;

/// DeBERTa's relative distance from token `i` to token `j`, an index into the `2k` rows of the
/// relative position table: `0` for `i − j ≤ −k`, `2k − 1` for `i − j ≥ k`, and `i − j + k`
/// otherwise (§3.1, eq. 3).
///
/// ```
/// use relative::deberta::delta;
/// assert_eq!(delta(5, 5, 4), 4); // the same token: the middle row k
/// assert_eq!(delta(7, 5, 4), 6); // i − j = 2
/// assert_eq!(delta(0, 9, 4), 0); // far ahead: clipped to the first row
/// assert_eq!(delta(9, 0, 4), 7); // far behind: clipped to row 2k − 1
/// ```
pub fn delta(i: usize, j: usize, k: usize) -> usize {
    // ANCHOR: delta
    if j >= i {
        k.saturating_sub(j - i) // i − j ≤ −k gives 0
    } else {
        k.saturating_add(i - j).min(2 * k.max(1) - 1) // i − j ≥ k gives 2k − 1
    }
    // ANCHOR_END: delta
}

/// The three terms of one DeBERTa logit (before the division by `√(3 d_head)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disentangled {
    /// Content-to-content, `Q^c_i · K^c_j`.
    pub c2c: f64,
    /// Content-to-position, `Q^c_i · K^r_{δ(i, j)}`.
    pub c2p: f64,
    /// Position-to-content, `K^c_j · Q^r_{δ(j, i)}`.
    pub p2c: f64,
}

/// One head of disentangled attention: content projections and a shared table of `2k` relative
/// position embeddings with its own projections.
#[derive(Debug, Clone, PartialEq)]
pub struct DeBerta {
    k: usize,
    w_qc: Array2<f64>,
    w_kc: Array2<f64>,
    w_qr: Array2<f64>,
    w_kr: Array2<f64>,
    p: Array2<f64>,
}

impl DeBerta {
    /// Seeded parameters: projections `d_model × d_head` from `N(0, 1/d_model)`, and the `2k ×
    /// d_model` relative position table from `N(0, 1)`.
    ///
    /// # Errors
    /// `k = 0` or a width of zero, or sizes beyond 4096.
    pub fn seeded(k: usize, d_model: usize, d_head: usize, seed: u64) -> Result<Self, Error> {
        if k == 0 || k > 4096 || d_model == 0 || d_head == 0 || d_model > 4096 || d_head > 4096 {
            return Err(bad(
                "k, d_model, d_head",
                format!("{k}, {d_model}, {d_head}"),
                "each must lie in 1 … 4096",
            ));
        }
        let mut rng = bookkit::rng::SplitMix64(seed);
        let scale = 1.0 / (d_model as f64).sqrt();
        let mut m =
            |r: usize, c: usize, s: f64| Array2::from_shape_fn((r, c), |_| s * rng.next_gaussian());
        Ok(DeBerta {
            k,
            w_qc: m(d_model, d_head, scale),
            w_kc: m(d_model, d_head, scale),
            w_qr: m(d_model, d_head, scale),
            w_kr: m(d_model, d_head, scale),
            p: m(2 * k, d_model, 1.0),
        })
    }

    fn check(&self, h: ArrayView2<'_, f64>) -> Result<(), Error> {
        if h.ncols() != self.w_qc.nrows() || h.nrows() == 0 {
            return Err(errors::shape(
                "the hidden states must be n × d_model, n ≥ 1",
                vec![h.nrows().max(1), self.w_qc.nrows()],
                h.shape().to_vec(),
            ));
        }
        Ok(())
    }

    /// The three terms of every pair, as §3.1 writes them, one dot product each.
    ///
    /// # Errors
    /// Hidden states that are not `n × d_model`.
    pub fn terms(&self, h: ArrayView2<'_, f64>) -> Result<Vec<Vec<Disentangled>>, Error> {
        self.check(h)?;
        let (q_c, k_c) = (h.dot(&self.w_qc), h.dot(&self.w_kc)); // (n, d_head) each
        let (q_r, k_r) = (self.p.dot(&self.w_qr), self.p.dot(&self.w_kr)); // (2k, d_head) each
        let n = h.nrows();
        Ok((0..n)
            .map(|i| {
                (0..n)
                    .map(|j| Disentangled {
                        c2c: q_c.row(i).dot(&k_c.row(j)),
                        c2p: q_c.row(i).dot(&k_r.row(delta(i, j, self.k))),
                        p2c: k_c.row(j).dot(&q_r.row(delta(j, i, self.k))),
                    })
                    .collect()
            })
            .collect())
    }

    /// The logits `(c2c + c2p + p2c) / √(3 d_head)`, pair by pair (the textbook form of
    /// [`DeBerta::logits`]).
    ///
    /// # Errors
    /// As [`DeBerta::terms`].
    pub fn logits_slow(&self, h: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        let t = self.terms(h)?;
        let scale = 1.0 / (3.0 * self.w_qc.ncols() as f64).sqrt();
        let n = h.nrows();
        Ok(Array2::from_shape_fn((n, n), |(i, j)| {
            let d = t[i][j];
            (d.c2c + d.c2p + d.p2c) * scale
        }))
    }

    /// The logits with the position terms computed once per table row and gathered, as the
    /// paper's §3.1 algorithm does: `Q^c (K^r)ᵀ` and `K^c (Q^r)ᵀ` are `n × 2k`, and each pair reads
    /// its entry at `δ(i, j)` and `δ(j, i)`.
    ///
    /// # Errors
    /// As [`DeBerta::terms`].
    ///
    /// ```
    /// use ndarray::Array2;
    /// use relative::deberta::DeBerta;
    /// let m = DeBerta::seeded(3, 8, 4, 1)?;
    /// let h = Array2::from_shape_fn((6, 8), |(i, j)| ((i + 2 * j) as f64).cos());
    /// let (fast, slow) = (m.logits(h.view())?, m.logits_slow(h.view())?);
    /// assert!((&fast - &slow).iter().all(|d| d.abs() < 1e-12));
    /// # Ok::<(), relative::Error>(())
    /// ```
    pub fn logits(&self, h: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        self.check(h)?;
        let n = h.nrows();
        // ANCHOR: deberta
        let q_c = h.dot(&self.w_qc); // (n, d_head)
        let k_c = h.dot(&self.w_kc); // (n, d_head)
        let c2p = q_c.dot(&self.p.dot(&self.w_kr).t()); // Q^c (K^r)ᵀ, (n, 2k)
        let p2c = k_c.dot(&self.p.dot(&self.w_qr).t()); // K^c (Q^r)ᵀ, (n, 2k)
        let c2c = q_c.dot(&k_c.t()); // (n, n)
        let scale = 1.0 / (3.0 * q_c.ncols() as f64).sqrt();
        let logits = Array2::from_shape_fn((n, n), |(i, j)| {
            (c2c[[i, j]] + c2p[[i, delta(i, j, self.k)]] + p2c[[j, delta(j, i, self.k)]]) * scale
        });
        // ANCHOR_END: deberta
        Ok(logits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::matrix;
    use proptest::prelude::*;

    #[test]
    fn delta_follows_the_paper() {
        let k = 3;
        // i − j from −5 to 5 at i = 10: rows 0, 0, 0, 1, 2, 3, 4, 5, 5, 5, 5.
        let rows: Vec<usize> = (5..=15).rev().map(|j| delta(10, j, k)).collect();
        assert_eq!(rows, [0, 0, 0, 1, 2, 3, 4, 5, 5, 5, 5]);
        assert_eq!(delta(0, usize::MAX, k), 0);
        assert_eq!(delta(usize::MAX, 0, k), 5);
        // Every row of the 2k-row table is reachable, and nothing beyond it.
        let all: std::collections::BTreeSet<usize> = (0..20)
            .flat_map(|i| (0..20).map(move |j| delta(i, j, k)))
            .collect();
        assert_eq!(
            all.into_iter().collect::<Vec<_>>(),
            (0..2 * k).collect::<Vec<_>>()
        );
    }

    proptest! {
        #[test]
        fn gathered_logits_equal_the_terms(
            h in (1usize..14).prop_flat_map(|n| matrix(n, 6)), k in 1usize..5, seed in any::<u64>(),
        ) {
            let m = DeBerta::seeded(k, 6, 3, seed).unwrap();
            let (fast, slow) = (m.logits(h.view()).unwrap(), m.logits_slow(h.view()).unwrap());
            prop_assert!((&fast - &slow).iter().all(|d| d.abs() < 1e-12));
        }
    }

    #[test]
    fn seeded_parameters_are_checked_and_scaled_as_documented() {
        for (k, d_model, d_head) in [
            (0, 4, 2),
            (1, 0, 2),
            (1, 4, 0),
            (4097, 4, 2),
            (1, 4097, 2),
            (1, 4, 4097),
        ] {
            assert!(
                DeBerta::seeded(k, d_model, d_head, 1).is_err(),
                "{k}, {d_model}, {d_head}"
            );
        }
        for (k, d_model, d_head) in [(4096, 1, 1), (1, 4096, 1), (1, 1, 4096)] {
            assert!(
                DeBerta::seeded(k, d_model, d_head, 1).is_ok(),
                "{k}, {d_model}, {d_head}"
            );
        }
        // Projections from N(0, 1/d_model): with d_model = 64, 64 × 32 draws have a standard
        // deviation within a few percent of 1/8; the table from N(0, 1).
        let m = DeBerta::seeded(4, 64, 32, 7).unwrap();
        let sd = |a: &Array2<f64>| (a.iter().map(|x| x * x).sum::<f64>() / a.len() as f64).sqrt();
        for w in [&m.w_qc, &m.w_kc, &m.w_qr, &m.w_kr] {
            assert!((sd(w) - 0.125).abs() < 0.01, "{}", sd(w));
        }
        assert!((sd(&m.p) - 1.0).abs() < 0.1, "{}", sd(&m.p));
    }

    #[test]
    fn each_term_reads_its_own_inputs() {
        let m = DeBerta::seeded(2, 4, 2, 9).unwrap();
        let mut rng = bookkit::rng::SplitMix64(1);
        let h = Array2::from_shape_fn((5, 4), |_| rng.next_gaussian());
        let t = m.terms(h.view()).unwrap();
        let (q_c, k_c) = (h.dot(&m.w_qc), h.dot(&m.w_kc));
        let (q_r, k_r) = (m.p.dot(&m.w_qr), m.p.dot(&m.w_kr));
        // Pair (4, 1): i − j = 3 ≥ k, so c2p reads row 2k − 1 = 3; δ(1, 4) = 0 for p2c.
        let d = t[4][1];
        assert!((d.c2c - q_c.row(4).dot(&k_c.row(1))).abs() < 1e-15);
        assert!((d.c2p - q_c.row(4).dot(&k_r.row(3))).abs() < 1e-15);
        assert!((d.p2c - k_c.row(1).dot(&q_r.row(0))).abs() < 1e-15);
        // Translation: the same two tokens one place apart give the same logit anywhere.
        let tokens = Array2::from_shape_fn((2, 4), |_| rng.next_gaussian());
        let x = Array2::from_shape_fn((6, 4), |(i, c)| tokens[[i % 2, c]]);
        let l = m.logits(x.view()).unwrap();
        assert!((l[[1, 0]] - l[[5, 4]]).abs() < 1e-12);
        assert!(
            (l[[1, 0]] - l[[5, 0]]).abs() > 1e-9,
            "distances 1 and 5 differ"
        );
        assert!(m.logits(Array2::zeros((3, 5)).view()).is_err());
        assert!(DeBerta::seeded(0, 4, 2, 1).is_err());
    }
}
