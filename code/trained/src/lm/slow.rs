//! The textbook form of the forward pass: one window, `f64`, plain loops for every product, each
//! head through the shared core `attention::scaled_dot_product`, every position formula straight
//! from its chapter's crate (`Sinusoid::encode`, `learned::add_positions`, `relative::alibi::bias`,
//! `relative::t5::T5Bias::matrix`, `rope::Rope::rotate`).

use attention::{Options, scaled_dot_product};
use ndarray::{Array1, Array2, ArrayView2, s};
use order::PositionTable;

use super::config::Real;
use super::forward::{EPS, gelu};
use super::params::Model;
use super::positions::{TestScaling, rope_frequencies};
use crate::heads::causal_buckets;
use crate::{Result, Scheme};

/// `a b` with three loops.
pub(crate) fn matmul_slow(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    Array2::from_shape_fn((m, n), |(i, j)| (0..k).map(|r| a[[i, r]] * b[[r, j]]).sum())
}

/// RMSNorm entry by entry: `x_c g_c / √(mean_c x_c² + ε)`.
fn rms_norm_slow(x: &Array2<f64>, gain: &Array2<f64>) -> Array2<f64> {
    let d = x.ncols();
    Array2::from_shape_fn(x.dim(), |(t, c)| {
        let ms: f64 = (0..d).map(|e| x[[t, e]] * x[[t, e]]).sum::<f64>() / d as f64;
        x[[t, c]] * gain[[0, c]] / (ms + EPS).sqrt()
    })
}

impl<F: Real> Model<F> {
    /// The logits of one window, `[n, vocab]`, computed the textbook way in `f64` with the same
    /// parameters as [`Model::forward`]. Slow: it allocates per row and multiplies with loops.
    ///
    /// # Errors
    /// An empty window, a token outside the vocabulary, a learned table too short for the window
    /// (chapter 3's error), settings an earlier chapter's code refuses.
    pub fn forward_slow(&self, window: &[u16], scaling: TestScaling) -> Result<Array2<f64>> {
        let m: Model<f64> = self.cast();
        let (n, d, dh) = (window.len(), m.cfg.d_model, m.cfg.head_dim());
        if n == 0 {
            return Err(errors::bad(
                "window length",
                0,
                "a window has at least one token",
            ));
        }
        if let Some(&t) = window.iter().find(|&&t| usize::from(t) >= m.cfg.vocab) {
            return Err(errors::bad(
                "token",
                t,
                "tokens are numbered below the vocabulary size",
            ));
        }
        let mut x = Array2::from_shape_fn((n, d), |(t, c)| m.embed[[usize::from(window[t]), c]]);
        match m.cfg.scheme {
            Scheme::Sinusoidal => {
                let sin = sinusoidal::Sinusoid::paper(d)?;
                for (p, mut row) in x.rows_mut().into_iter().enumerate() {
                    row += &sin.encode(p);
                }
            }
            Scheme::Learned => {
                x = learned::add_positions(x.view(), &PositionTable::new(m.pos.clone())?)?
            }
            _ => {}
        }
        let rope = rope::Rope::new(dh, m.cfg.rope_base, rope::Layout::Interleaved)?;
        let (freqs, factor) = rope_frequencies(&m.cfg, scaling, n)?;
        let plain = rope.inv_freq();
        let turn = |head: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
            let mut out = head.to_owned();
            for (p, mut row) in out.rows_mut().into_iter().enumerate() {
                let unchanged = freqs.iter().zip(&plain).all(|(a, b)| a == b) && factor == 1.0;
                let turned: Array1<f64> = if unchanged {
                    rope.rotate(head.row(p), p as f64)? // chapter 5's rotation, as trained
                } else {
                    let mut r = head.row(p).to_owned(); // chapter 6's frequencies, pair by pair
                    for (j, w) in freqs.iter().enumerate() {
                        let (sin, cos) = (p as f64 * w).sin_cos();
                        let (a, b) = (head[[p, 2 * j]], head[[p, 2 * j + 1]]);
                        r[2 * j] = factor * (a * cos - b * sin);
                        r[2 * j + 1] = factor * (a * sin + b * cos);
                    }
                    r
                };
                row.assign(&turned);
            }
            Ok(out)
        };
        for block in &m.blocks {
            let h1 = rms_norm_slow(&x, &block.norm1);
            let q = matmul_slow(h1.view(), block.wq.view());
            let k = matmul_slow(h1.view(), block.wk.view());
            let v = matmul_slow(h1.view(), block.wv.view());
            let mut o = Array2::zeros((n, d));
            for h in 0..m.cfg.heads {
                let cols = s![.., h * dh..(h + 1) * dh];
                let (mut qh, mut kh) = (q.slice(cols).to_owned(), k.slice(cols).to_owned());
                if m.cfg.scheme == Scheme::Rope {
                    qh = turn(qh.view())?;
                    kh = turn(kh.view())?;
                }
                let bias = match m.cfg.scheme {
                    Scheme::Alibi => Some(relative::alibi::bias(
                        relative::alibi::slopes(m.cfg.heads)?[h],
                        n,
                    )),
                    Scheme::T5 => Some(
                        relative::t5::T5Bias::new(causal_buckets(), m.t5.clone())?.matrix(h, n)?,
                    ),
                    _ => None,
                };
                let options = Options {
                    bias: bias.as_ref().map(|b| b.view()),
                    causal: true,
                    scale: None,
                };
                let head = scaled_dot_product(qh.view(), kh.view(), v.slice(cols), &options)?;
                o.slice_mut(cols).assign(&head.output);
            }
            x = &x + &matmul_slow(o.view(), block.wo.view());
            let h2 = rms_norm_slow(&x, &block.norm2);
            let u = matmul_slow(h2.view(), block.w1.view()).mapv(gelu);
            x = &x + &matmul_slow(u.view(), block.w2.view());
        }
        Ok(matmul_slow(
            rms_norm_slow(&x, &m.norm_f).view(),
            m.unembed.view(),
        ))
    }
}
