//! The textbook form of the forward pass, built from the earlier chapters' code.

use ndarray::{Array2, ArrayView2, s};

use super::{Model, Positions, rope_frequencies};
use crate::heads::causal_buckets;
use crate::{Error, RopeScaling, Scheme, Variant};

impl Model {
    /// The textbook form of [`Model::forward`]'s logits, with the same inputs: each head through
    /// the shared core `attention::scaled_dot_product`, RoPE through `rope::Rope::rotate` (PI as
    /// a rotation to position `t / s`, YaRN pair by pair from chapter 6's frequencies), ALiBi's
    /// and T5's biases as the chapter 4 crate builds them. Slow: it allocates per row.
    ///
    /// # Errors
    /// As [`Model::forward`].
    pub fn forward_slow(
        &self,
        tokens: &[usize],
        positions: &Positions,
        variant: Variant,
    ) -> Result<Array2<f64>, Error> {
        use attention::{Options, scaled_dot_product};
        self.check_tokens(tokens, positions)?;
        let (n, dh) = (tokens.len(), self.dims.head_dim());
        let rope = rope::Rope::new(dh, self.dims.rope_base, rope::Layout::Interleaved)?;
        let (freqs, factor) = rope_frequencies(variant.scaling, &self.dims, n)?;
        let turn = |x: ArrayView2<'_, f64>| -> Result<Array2<f64>, Error> {
            let mut out = x.to_owned();
            for (t, mut row) in out.rows_mut().into_iter().enumerate() {
                let rotated = match variant.scaling {
                    _ if n <= self.dims.train_len => rope.rotate(x.row(t), t as f64)?,
                    RopeScaling::None => rope.rotate(x.row(t), t as f64)?,
                    RopeScaling::Pi => rope.rotate(x.row(t), t as f64 * freqs[0])?, // θ_0 = 1: t / s
                    RopeScaling::Yarn => {
                        let mut r = x.row(t).to_owned();
                        for (j, w) in freqs.iter().enumerate() {
                            let (sin, cos) = (t as f64 * w).sin_cos();
                            r[2 * j] = factor * (x[[t, 2 * j]] * cos - x[[t, 2 * j + 1]] * sin);
                            r[2 * j + 1] = factor * (x[[t, 2 * j]] * sin + x[[t, 2 * j + 1]] * cos);
                        }
                        r
                    }
                };
                row.assign(&rotated);
            }
            Ok(out)
        };
        let mut x = self.input(tokens, positions)?;
        for layer in &self.layers {
            let (q, k, v) = (x.dot(&layer.wq), x.dot(&layer.wk), x.dot(&layer.wv));
            let mut out = Array2::zeros((n, self.dims.d_model));
            for h in 0..self.dims.heads {
                let cols = s![.., h * dh..(h + 1) * dh];
                let (mut qh, mut kh) = (q.slice(cols).to_owned(), k.slice(cols).to_owned());
                if self.scheme == Scheme::Rope {
                    qh = turn(qh.view())?;
                    kh = turn(kh.view())?;
                }
                let bias = match self.scheme {
                    Scheme::Alibi => Some(relative::alibi::bias(
                        relative::alibi::slopes(self.dims.heads)?[h],
                        n,
                    )),
                    Scheme::T5 => Some(
                        relative::t5::T5Bias::new(causal_buckets(), layer.t5.clone())?
                            .matrix(h, n)?,
                    ),
                    _ => None,
                };
                let options = Options {
                    bias: bias.as_ref().map(|b| b.view()),
                    causal: true,
                    scale: None,
                };
                let head = scaled_dot_product(qh.view(), kh.view(), v.slice(cols), &options)?;
                out.slice_mut(cols).assign(&head.output);
            }
            x = &x + &out.dot(&layer.wo);
        }
        Ok(x.dot(&self.unembed))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::DIMS;
    use super::*;
    use crate::train::copy_task;
    use bookkit::rng::SplitMix64;

    #[test]
    fn forward_equals_the_textbook_form() {
        let variants = Variant::ALL;
        for v in variants {
            let mut m = Model::new(v.scheme, DIMS, 3).unwrap();
            for l in &mut m.layers {
                l.t5.mapv_inplace(|_| 0.0);
                let mut rng = SplitMix64(9);
                l.t5.mapv_inplace(|_| rng.next_gaussian()); // non-zero biases to compare
            }
            let lengths: &[usize] = if v.scheme == Scheme::Learned {
                &[6]
            } else {
                &[6, 12, 24]
            };
            for &n in lengths {
                let p = Positions::new(v, &DIMS, n).unwrap();
                let (tokens, _) = copy_task(n, DIMS.vocab, 2, 4);
                let fast = m.forward(&tokens, &p).unwrap().logits;
                let slow = m.forward_slow(&tokens, &p, v).unwrap();
                // Same sums in a different order (loops against matrixmultiply): 1e-12 on logits
                // of size about 10.
                let gap = (&fast - &slow).iter().fold(0.0f64, |g, x| g.max(x.abs()));
                assert!(gap < 1e-12, "{} n={n}: {gap}", v.name());
            }
        }
    }
}
