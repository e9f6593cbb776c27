//! RoPE against a compressed KV cache (DeepSeek-AI, *DeepSeek-V2: A Strong, Economical, and
//! Efficient Mixture-of-Experts Language Model*, 2024, arXiv:2405.04434, §2.1.2–2.1.3), for one
//! head. The cache keeps a latent `c_j = W_DKV h_j` per token; the key is `W_UK c_j`. Without a
//! rotation, `q_i · k_j = (W_Q h_i)ᵀ W_UK c_j = (W_UKᵀ W_Q h_i) · c_j`, so `W_UK` can be
//! absorbed into the query side once and keys never rebuilt. A rotation of the key sits between
//! the two matrices, `(R_i W_Q h_i)ᵀ R_j W_UK c_j = h_iᵀ W_Qᵀ R_{j−i} W_UK c_j`, and the middle
//! depends on the offset: no fixed matrix absorbs it. The decoupled form keeps the compressed part
//! unrotated and adds a small separate rotary part, `R_i W_QR h_i · R_j W_KR h_j`, whose rotated
//! key is cached as it is.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::{Error, Rope};

/// The projections of one head: `W_Q` (`d_head × d_model`), `W_DKV` (`d_c × d_model`), `W_UK`
/// (`d_head × d_c`), and for the decoupled rotary part `W_QR`, `W_KR` (`d_rope × d_model`).
#[derive(Debug, Clone)]
pub struct Head {
    /// Query projection.
    pub w_q: Array2<f64>,
    /// Down-projection to the latent that the cache keeps.
    pub w_dkv: Array2<f64>,
    /// Up-projection from the latent to the key.
    pub w_uk: Array2<f64>,
    /// Query projection of the decoupled rotary part.
    pub w_qr: Array2<f64>,
    /// Key projection of the decoupled rotary part (one key shared by all heads in DeepSeek-V2).
    pub w_kr: Array2<f64>,
}

fn project(w: ArrayView2<'_, f64>, x: ArrayView1<'_, f64>) -> Result<Array1<f64>, Error> {
    if w.ncols() != x.len() {
        return Err(errors::shape(
            "a projection's columns must match the vector",
            vec![w.ncols()],
            vec![x.len()],
        ));
    }
    Ok(w.dot(&x))
}

// ANCHOR: absorb
impl Head {
    /// The score the model means: query and key built in full, both rotated by `rope` if given.
    ///
    /// # Errors
    /// Shapes that do not chain, or a `rope` that is not `d_head` wide.
    pub fn score_explicit(
        &self,
        hi: ArrayView1<'_, f64>,
        hj: ArrayView1<'_, f64>,
        (i, j): (f64, f64),
        rope: Option<&Rope>,
    ) -> Result<f64, Error> {
        let q = project(self.w_q.view(), hi)?; // (d_head,)
        let k = project(self.w_uk.view(), project(self.w_dkv.view(), hj)?.view())?; // (d_head,)
        Ok(match rope {
            Some(r) => r.rotate(q.view(), i)?.dot(&r.rotate(k.view(), j)?),
            None => q.dot(&k),
        })
    }

    /// `W_UKᵀ W_Q` (`d_c × d_model`): the key's up-projection moved to the query side.
    pub fn absorbed(&self) -> Array2<f64> {
        self.w_uk.t().dot(&self.w_q)
    }

    /// The score from the cache alone: `(W_UKᵀ W_Q h_i) · c_j`, keys never rebuilt.
    ///
    /// # Errors
    /// Shapes that do not chain.
    pub fn score_absorbed(
        &self,
        absorbed: ArrayView2<'_, f64>,
        hi: ArrayView1<'_, f64>,
        c_j: ArrayView1<'_, f64>,
    ) -> Result<f64, Error> {
        Ok(project(absorbed, hi)?.dot(&c_j)) // (d_c,) · (d_c,)
    }
}
// ANCHOR_END: absorb

impl Head {
    /// The decoupled score, explicit: the compressed part unrotated, plus the rotary part.
    ///
    /// # Errors
    /// Shapes that do not chain, or a `rope` that is not `d_rope` wide.
    pub fn decoupled_explicit(
        &self,
        hi: ArrayView1<'_, f64>,
        hj: ArrayView1<'_, f64>,
        (i, j): (f64, f64),
        rope: &Rope,
    ) -> Result<f64, Error> {
        let content = self.score_explicit(hi, hj, (i, j), None)?;
        let qr = rope.rotate(project(self.w_qr.view(), hi)?.view(), i)?; // (d_rope,)
        let kr = rope.rotate(project(self.w_kr.view(), hj)?.view(), j)?; // (d_rope,)
        Ok(content + qr.dot(&kr))
    }

    // ANCHOR: decoupled
    /// What token `j` leaves in the cache: the latent `c_j` and its rotated key `R_j W_KR h_j`.
    ///
    /// # Errors
    /// Shapes that do not chain, or a bad `rope`.
    pub fn cache(
        &self,
        hj: ArrayView1<'_, f64>,
        j: f64,
        rope: &Rope,
    ) -> Result<(Array1<f64>, Array1<f64>), Error> {
        let kr = rope.rotate(project(self.w_kr.view(), hj)?.view(), j)?;
        Ok((project(self.w_dkv.view(), hj)?, kr))
    }

    /// The decoupled score from the cache: absorbed content part plus rotated rotary part.
    ///
    /// # Errors
    /// Shapes that do not chain, or a bad `rope`.
    pub fn decoupled_absorbed(
        &self,
        absorbed: ArrayView2<'_, f64>,
        hi: ArrayView1<'_, f64>,
        i: f64,
        (c_j, kr_j): (&Array1<f64>, &Array1<f64>),
        rope: &Rope,
    ) -> Result<f64, Error> {
        let qr = rope.rotate(project(self.w_qr.view(), hi)?.view(), i)?;
        Ok(self.score_absorbed(absorbed, hi, c_j.view())? + qr.dot(kr_j))
    }
    // ANCHOR_END: decoupled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BASE, Layout};

    const D_MODEL: usize = 16;
    const D_C: usize = 6;
    const D_HEAD: usize = 8;
    const D_ROPE: usize = 4;

    fn setup(seed: u64) -> (Head, Vec<Array1<f64>>) {
        let mut rng = bookkit::rng::SplitMix64(seed);
        let mut m =
            |r, c| Array2::from_shape_fn((r, c), |_| rng.next_gaussian() / (c as f64).sqrt());
        let head = Head {
            w_q: m(D_HEAD, D_MODEL),
            w_dkv: m(D_C, D_MODEL),
            w_uk: m(D_HEAD, D_C),
            w_qr: m(D_ROPE, D_MODEL),
            w_kr: m(D_ROPE, D_MODEL),
        };
        let hs = (0..6)
            .map(|_| Array1::from_shape_fn(D_MODEL, |_| rng.next_gaussian()))
            .collect();
        (head, hs)
    }

    /// Without RoPE, the absorbed score from the cache is the full score (the same products
    /// summed in another order: 1e-12 on scores of order 10).
    #[test]
    fn absorption_works_without_rope() {
        for seed in 0..20 {
            let (head, hs) = setup(seed);
            let a = head.absorbed();
            for hi in &hs {
                for hj in &hs {
                    let c = head.w_dkv.dot(hj);
                    let full = head
                        .score_explicit(hi.view(), hj.view(), (3.0, 1.0), None)
                        .unwrap();
                    let cached = head.score_absorbed(a.view(), hi.view(), c.view()).unwrap();
                    assert!((full - cached).abs() < 1e-12, "{full} vs {cached}");
                }
            }
        }
    }

    /// With RoPE on the compressed key, the same absorbed matrix gives the right score only at
    /// offset 0 (where R_iᵀ R_j = I) and a wrong one elsewhere: for every seed some offset
    /// misses by more than 0.05, far above rounding.
    #[test]
    fn absorption_fails_with_rope_on_the_compressed_key() {
        let rope = Rope::new(D_HEAD, BASE, Layout::Interleaved).unwrap();
        for seed in 0..20 {
            let (head, hs) = setup(seed);
            let a = head.absorbed();
            let (hi, hj) = (hs[0].view(), hs[1].view());
            let cached = head
                .score_absorbed(a.view(), hi, head.w_dkv.dot(&hj).view())
                .unwrap();
            let at = |i: f64, j: f64| head.score_explicit(hi, hj, (i, j), Some(&rope)).unwrap();
            assert!((at(7.0, 7.0) - cached).abs() < 1e-12);
            let worst = (1..8)
                .map(|d| (at(10.0, 10.0 - d as f64) - cached).abs())
                .fold(0.0, f64::max);
            assert!(worst > 0.05, "seed {seed}: {worst}");
        }
    }

    /// The decoupled form: content absorbed, rotary key cached already rotated. It equals the
    /// explicit score, and it is relative (shifting both positions by 1000 changes nothing
    /// beyond angle rounding, ~1e-13 per angle).
    #[test]
    fn decoupled_rope_is_absorbable_and_relative() {
        let rope = Rope::new(D_ROPE, BASE, Layout::Interleaved).unwrap();
        for seed in 0..20 {
            let (head, hs) = setup(seed);
            let a = head.absorbed();
            for (i, hi) in hs.iter().enumerate() {
                for (j, hj) in hs.iter().enumerate() {
                    let (i, j) = (i as f64, j as f64);
                    let full = head
                        .decoupled_explicit(hi.view(), hj.view(), (i, j), &rope)
                        .unwrap();
                    let (c, kr) = head.cache(hj.view(), j, &rope).unwrap();
                    let cached = head
                        .decoupled_absorbed(a.view(), hi.view(), i, (&c, &kr), &rope)
                        .unwrap();
                    assert!((full - cached).abs() < 1e-12, "{full} vs {cached}");
                    let shifted = head
                        .decoupled_explicit(hi.view(), hj.view(), (i + 1000.0, j + 1000.0), &rope)
                        .unwrap();
                    assert!((full - shifted).abs() < 1e-10);
                }
            }
        }
    }

    #[test]
    fn shapes_are_checked() {
        let (head, _) = setup(0);
        let short = Array1::zeros(3);
        assert!(
            head.score_explicit(short.view(), short.view(), (0.0, 0.0), None)
                .is_err()
        );
        let rope = Rope::new(D_ROPE, BASE, Layout::Interleaved).unwrap();
        assert!(head.cache(short.view(), 0.0, &rope).is_err());
    }
}
