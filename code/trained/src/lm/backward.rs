//! The backward pass, written out: every product of the forward pass gives two products here,
//! again through ndarray's `dot`.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, s};

use super::config::Real;
use super::forward::{Normed, Trace, gelu_grad, rotate};
use super::params::Model;
use super::positions::Tables;
use crate::Scheme;

/// `acc += aᵀ b`.
fn add_tn<F: Real>(acc: &mut Array2<F>, a: &Array2<F>, b: &Array2<F>) {
    general_mat_mul(F::one(), &a.t(), b, F::one(), acc);
}

/// Back through one RMSNorm with gain `g`: adds `∂loss/∂g` to `dgain` and returns `∂loss/∂x`,
/// `r (x̂' − x̂ · mean(x̂' ⊙ x̂))` row by row with `x̂' = dy ⊙ g` and `r = 1/rms(x)`.
fn rms_norm_back<F: Real>(
    n: &Normed<F>,
    gain: &Array2<F>,
    dy: &Array2<F>,
    dgain: &mut Array2<F>,
) -> Array2<F> {
    let d = F::of(dy.ncols() as f64);
    let mut dx = dy * gain; // x̂' = dy ⊙ g
    for (r, (mut row, xh)) in dx.rows_mut().into_iter().zip(n.xhat.rows()).enumerate() {
        let mut dot = F::zero();
        for (c, (&dxh, &x)) in row.iter().zip(xh).enumerate() {
            dgain[[0, c]] += dy[[r, c]] * x; // ∂/∂g_c = Σ_rows dy ⊙ x̂
            dot += dxh * x;
        }
        let mean = dot / d;
        let inv = n.inv[r];
        for (v, &x) in row.iter_mut().zip(xh) {
            *v = inv * (*v - x * mean);
        }
    }
    dx
}

impl<F: Real> Model<F> {
    // ANCHOR: backward
    /// Adds to `grad` (a model of the same shape) the gradient of a loss whose gradient with
    /// respect to the logits is `dlogits`, back through the forward pass recorded in `trace`.
    pub fn backward(
        &self,
        trace: &Trace<F>,
        dlogits: &Array2<F>,
        tables: &Tables<F>,
        grad: &mut Model<F>,
    ) {
        let (n, dh, heads) = (trace.n, self.cfg.head_dim(), self.cfg.heads);
        let scale = F::one() / F::of(dh as f64).sqrt();
        add_tn(&mut grad.unembed, &trace.norm_f.out, dlogits); // dU = hᵀ dlogits
        let dh_f = dlogits.dot(&self.unembed.t()); // [N, d]
        let mut dx = rms_norm_back(&trace.norm_f, &self.norm_f, &dh_f, &mut grad.norm_f);
        for (l, block) in self.blocks.iter().enumerate().rev() {
            let (t, g) = (&trace.blocks[l], &mut grad.blocks[l]);
            // Feed-forward: x_out = x_mid + GELU(h₂ W₁) W₂.
            add_tn(&mut g.w2, &t.g, &dx);
            let mut du = dx.dot(&block.w2.t()); // [N, ff]
            du.zip_mut_with(&t.u, |d, &u| *d *= gelu_grad(u));
            add_tn(&mut g.w1, &t.norm2.out, &du);
            let dh2 = du.dot(&block.w1.t());
            dx += &rms_norm_back(&t.norm2, &block.norm2, &dh2, &mut g.norm2);
            // Attention: x_mid = x_in + o W_o.
            add_tn(&mut g.wo, &t.o, &dx);
            let dout = dx.dot(&block.wo.t()); // [N, d]
            let mut dq = Array2::zeros(dout.dim());
            let mut dk = Array2::zeros(dout.dim());
            let mut dv = Array2::zeros(dout.dim());
            for w in 0..trace.batch {
                for h in 0..heads {
                    let tile = s![w * n..(w + 1) * n, h * dh..(h + 1) * dh]; // n × dh
                    let a = &t.att[w * heads + h]; // [n, n]
                    let mut ds = dout.slice(tile).dot(&t.v.slice(tile).t()); // ∂/∂a, [n, n]
                    general_mat_mul(
                        F::one(),
                        &a.t(),
                        &dout.slice(tile),
                        F::zero(),
                        &mut dv.slice_mut(tile),
                    );
                    // Softmax backward, row by row: ∂/∂s = a ⊙ (∂/∂a − Σ_j a ∂/∂a).
                    for (i, (mut drow, arow)) in ds.rows_mut().into_iter().zip(a.rows()).enumerate()
                    {
                        let dot: F = (0..=i).map(|j| arow[j] * drow[j]).sum();
                        for j in 0..n {
                            drow[j] = if j <= i {
                                arow[j] * (drow[j] - dot)
                            } else {
                                F::zero()
                            };
                        }
                        if self.cfg.scheme == Scheme::T5 {
                            for j in 0..=i {
                                grad.t5[[tables.buckets[i - j], h]] += drow[j];
                            }
                        }
                    }
                    general_mat_mul(
                        scale,
                        &ds,
                        &t.k.slice(tile),
                        F::zero(),
                        &mut dq.slice_mut(tile),
                    );
                    general_mat_mul(
                        scale,
                        &ds.t(),
                        &t.q.slice(tile),
                        F::zero(),
                        &mut dk.slice_mut(tile),
                    );
                }
            }
            if let Some((cos, sin)) = &tables.rope {
                rotate(&mut dq, cos, sin, dh, true); // the rotation's transpose
                rotate(&mut dk, cos, sin, dh, true);
            }
            let h1 = &t.norm1.out;
            add_tn(&mut g.wq, h1, &dq);
            add_tn(&mut g.wk, h1, &dk);
            add_tn(&mut g.wv, h1, &dv);
            let mut dh1 = dq.dot(&block.wq.t());
            general_mat_mul(F::one(), &dk, &block.wk.t(), F::one(), &mut dh1);
            general_mat_mul(F::one(), &dv, &block.wv.t(), F::one(), &mut dh1);
            dx += &rms_norm_back(&t.norm1, &block.norm1, &dh1, &mut g.norm1);
        }
        for (r, row) in dx.rows().into_iter().enumerate() {
            let mut e = grad.embed.row_mut(trace.tokens[r]);
            e += &row;
            if self.cfg.scheme == Scheme::Learned {
                let mut p = grad.pos.row_mut(r % n);
                p += &row;
            }
        }
    }
    // ANCHOR_END: backward
}
