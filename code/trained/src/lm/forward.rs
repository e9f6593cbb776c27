//! The forward pass, fast: a batch of windows stacked into one `[batch · n, d_model]` matrix so
//! that every projection is one matrix product (ndarray's `dot`, on matrixmultiply, single
//! threaded, so a rerun gives the same bits), attention per window and head.

use errors::bad;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, s};

use super::config::Real;
use super::params::Model;
use super::positions::Tables;
use crate::{Result, Scheme};

/// RMSNorm's `ε` (added to the mean square).
pub const EPS: f64 = 1e-6;

/// `√(2/π)`, GELU's tanh form (Hendrycks and Gimpel, 2016, arXiv:1606.08415, §2).
const GELU_C: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the same form.
const GELU_A: f64 = 0.044_715;

/// GELU in its tanh form: `u/2 · (1 + tanh(√(2/π) (u + 0.044715 u³)))`.
pub fn gelu<F: Real>(u: F) -> F {
    let half = F::of(0.5);
    half * u * (F::one() + (F::of(GELU_C) * (u + F::of(GELU_A) * u * u * u)).tanh())
}

/// The derivative of [`gelu`].
pub fn gelu_grad<F: Real>(u: F) -> F {
    let half = F::of(0.5);
    let t = (F::of(GELU_C) * (u + F::of(GELU_A) * u * u * u)).tanh();
    half * (F::one() + t)
        + half * u * (F::one() - t * t) * F::of(GELU_C) * (F::one() + F::of(3.0 * GELU_A) * u * u)
}

/// One RMSNorm's input normalised (`x̂ = x / rms(x)`) and `1 / rms(x)` per row.
#[derive(Debug, Clone)]
pub(crate) struct Normed<F> {
    pub(crate) xhat: Array2<F>,
    pub(crate) inv: Vec<F>,
    /// `x̂ ⊙ g`, the norm's output.
    pub(crate) out: Array2<F>,
}

pub(crate) fn rms_norm<F: Real>(x: &Array2<F>, gain: &Array2<F>) -> Normed<F> {
    let d = F::of(x.ncols() as f64);
    let mut xhat = x.clone();
    let mut inv = Vec::with_capacity(x.nrows());
    for mut row in xhat.rows_mut() {
        let ms = row.iter().map(|&v| v * v).sum::<F>() / d;
        let r = F::one() / (ms + F::of(EPS)).sqrt();
        row.mapv_inplace(|v| v * r); // x / √(mean x² + ε)
        inv.push(r);
    }
    let out = &xhat * gain; // [N, d] ⊙ [1, d]
    Normed { xhat, inv, out }
}

/// What the forward pass of one block keeps for the backward pass.
#[derive(Debug, Clone)]
pub(crate) struct BlockTrace<F> {
    pub(crate) norm1: Normed<F>,
    /// Rotated queries and keys, values, `[N, d_model]`.
    pub(crate) q: Array2<F>,
    pub(crate) k: Array2<F>,
    pub(crate) v: Array2<F>,
    /// Attention weights per window and head (`window · heads + head`), `[n, n]` each.
    pub(crate) att: Vec<Array2<F>>,
    /// The heads' outputs side by side, `[N, d_model]`.
    pub(crate) o: Array2<F>,
    pub(crate) norm2: Normed<F>,
    /// The feed-forward layer's pre-activation and activation, `[N, ff]`.
    pub(crate) u: Array2<F>,
    pub(crate) g: Array2<F>,
}

/// The forward pass of a batch, with what the backward pass needs.
#[derive(Debug, Clone)]
pub struct Trace<F = f32> {
    pub(crate) batch: usize,
    pub(crate) n: usize,
    /// Every token, window after window.
    pub(crate) tokens: Vec<usize>,
    pub(crate) blocks: Vec<BlockTrace<F>>,
    pub(crate) norm_f: Normed<F>,
    /// `[batch · n, vocab]`.
    pub logits: Array2<F>,
}

/// Rotates every head of `x` (`[batch · n, d_model]`, row `r` at position `r mod n`) in place:
/// pair `(2j, 2j+1)` by `p θ_j` (`inverse`: by `−p θ_j`), times the tables' factor.
pub(crate) fn rotate<F: Real>(
    x: &mut Array2<F>,
    cos: &Array2<F>,
    sin: &Array2<F>,
    dh: usize,
    inverse: bool,
) {
    let (n, half) = cos.dim();
    for (r, mut row) in x.rows_mut().into_iter().enumerate() {
        let p = r % n;
        for h0 in (0..row.len()).step_by(dh) {
            for j in 0..half {
                let (c, s) = (
                    cos[[p, j]],
                    if inverse { -sin[[p, j]] } else { sin[[p, j]] },
                );
                let (a, b) = (row[h0 + 2 * j], row[h0 + 2 * j + 1]);
                row[h0 + 2 * j] = a * c - b * s; // x_a cos − x_b sin
                row[h0 + 2 * j + 1] = a * s + b * c; // x_a sin + x_b cos
            }
        }
    }
}

impl<F: Real> Model<F> {
    /// Checks a batch against the tables and the vocabulary; returns its tokens, flattened.
    pub(crate) fn batch_tokens(&self, seqs: &[&[u16]], tables: &Tables<F>) -> Result<Vec<usize>> {
        if seqs.is_empty() {
            return Err(bad("batch", 0, "a batch holds at least one window"));
        }
        if let Some(s) = seqs.iter().find(|s| s.len() != tables.n) {
            return Err(errors::shape(
                "every window as long as the tables",
                vec![tables.n],
                vec![s.len()],
            ));
        }
        if self.cfg.scheme == Scheme::Learned && tables.n > self.pos.nrows() {
            return Err(bad(
                "window length",
                tables.n,
                "a learned table has no row past L − 1",
            ));
        }
        let tokens: Vec<usize> = seqs
            .iter()
            .flat_map(|s| s.iter().map(|&t| usize::from(t)))
            .collect();
        if let Some(&t) = tokens.iter().find(|&&t| t >= self.cfg.vocab) {
            return Err(bad(
                "token",
                t,
                format!(
                    "tokens are numbered below the vocabulary size {}",
                    self.cfg.vocab
                ),
            ));
        }
        Ok(tokens)
    }

    /// The causal softmax of one head's scores in place: scale, the scheme's bias for offset
    /// `i − j` (ALiBi's `−m (i − j)`, T5's learned bucket value), then a softmax over `j ≤ i`.
    fn causal_softmax(&self, a: &mut Array2<F>, tables: &Tables<F>, head: usize, scale: F) {
        let n = a.nrows();
        for (i, mut row) in a.rows_mut().into_iter().enumerate() {
            let mut max = F::of(f64::NEG_INFINITY);
            for j in 0..=i {
                let bias = match self.cfg.scheme {
                    Scheme::Alibi => -tables.slopes[head] * F::of((i - j) as f64),
                    Scheme::T5 => self.t5[[tables.buckets[i - j], head]],
                    _ => F::zero(),
                };
                row[j] = row[j] * scale + bias;
                max = max.max(row[j]);
            }
            let mut sum = F::zero();
            for j in 0..=i {
                row[j] = (row[j] - max).exp();
                sum += row[j];
            }
            let inv = F::one() / sum;
            for j in 0..=i {
                row[j] *= inv;
            }
            for j in i + 1..n {
                row[j] = F::zero(); // causal: no key after the query
            }
        }
    }

    // ANCHOR: forward
    /// Runs the model on a batch of windows of the tables' length, keeping what the backward
    /// pass needs.
    ///
    /// # Errors
    /// An empty batch, a window of another length than the tables', a token outside the
    /// vocabulary.
    pub fn forward(&self, seqs: &[&[u16]], tables: &Tables<F>) -> Result<Trace<F>> {
        let tokens = self.batch_tokens(seqs, tables)?;
        let (batch, n, d, dh) = (seqs.len(), tables.n, self.cfg.d_model, self.cfg.head_dim());
        let scale = F::one() / F::of(dh as f64).sqrt();
        let mut x = Array2::from_shape_fn((batch * n, d), |(r, c)| self.embed[[tokens[r], c]]);
        for w in 0..batch {
            let mut rows = x.slice_mut(s![w * n..(w + 1) * n, ..]); // [n, d]
            match (&tables.add, self.cfg.scheme) {
                (Some(pe), _) => rows += pe, // sinusoids
                (None, Scheme::Learned) => rows += &self.pos.slice(s![..n, ..]), // table rows 0..n
                _ => {}
            }
        }
        let mut blocks = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let norm1 = rms_norm(&x, &block.norm1);
            let mut q = norm1.out.dot(&block.wq); // [N, d]
            let mut k = norm1.out.dot(&block.wk);
            let v = norm1.out.dot(&block.wv);
            if let Some((cos, sin)) = &tables.rope {
                rotate(&mut q, cos, sin, dh, false);
                rotate(&mut k, cos, sin, dh, false);
            }
            let mut o = Array2::zeros((batch * n, d));
            let mut att = Vec::with_capacity(batch * self.cfg.heads);
            for w in 0..batch {
                for h in 0..self.cfg.heads {
                    let tile = s![w * n..(w + 1) * n, h * dh..(h + 1) * dh]; // n × dh
                    let mut a = q.slice(tile).dot(&k.slice(tile).t()); // [n, n]
                    self.causal_softmax(&mut a, tables, h, scale);
                    general_mat_mul(
                        F::one(),
                        &a,
                        &v.slice(tile),
                        F::zero(),
                        &mut o.slice_mut(tile),
                    );
                    att.push(a);
                }
            }
            general_mat_mul(F::one(), &o, &block.wo, F::one(), &mut x); // x += o W_o
            let norm2 = rms_norm(&x, &block.norm2);
            let u = norm2.out.dot(&block.w1); // [N, ff]
            let g = u.mapv(gelu);
            general_mat_mul(F::one(), &g, &block.w2, F::one(), &mut x); // x += GELU(u) W_2
            blocks.push(BlockTrace {
                norm1,
                q,
                k,
                v,
                att,
                o,
                norm2,
                u,
                g,
            });
        }
        let norm_f = rms_norm(&x, &self.norm_f);
        let logits = norm_f.out.dot(&self.unembed); // [N, vocab]
        Ok(Trace {
            batch,
            n,
            tokens,
            blocks,
            norm_f,
            logits,
        })
    }
    // ANCHOR_END: forward
}

impl<F: Real> Trace<F> {
    /// The loss in nats of each next-token prediction, window after window (`n − 1` per window).
    pub fn token_losses(&self) -> Vec<F> {
        let mut out = Vec::with_capacity(self.batch * (self.n - 1));
        for w in 0..self.batch {
            for t in 0..self.n - 1 {
                let r = w * self.n + t;
                let row = self.logits.row(r);
                let max = row.fold(F::of(f64::NEG_INFINITY), |m, &x| m.max(x));
                let z: F = row.iter().map(|&x| (x - max).exp()).sum();
                out.push(z.ln() + max - row[self.tokens[r + 1]]);
            }
        }
        out
    }

    /// The mean next-token loss over the batch and its gradient `∂loss/∂logits`.
    pub fn loss_grad(&self) -> (F, Array2<F>) {
        let mut grad = Array2::zeros(self.logits.dim());
        let count = F::of((self.batch * (self.n - 1)).max(1) as f64);
        let mut loss = F::zero();
        for w in 0..self.batch {
            for t in 0..self.n - 1 {
                let r = w * self.n + t;
                let y = self.tokens[r + 1];
                let row = self.logits.row(r);
                let max = row.fold(F::of(f64::NEG_INFINITY), |m, &x| m.max(x));
                let z: F = row.iter().map(|&x| (x - max).exp()).sum();
                loss += (z.ln() + max - row[y]) / count;
                for (c, gr) in grad.row_mut(r).iter_mut().enumerate() {
                    let p = (row[c] - max).exp() / z;
                    *gr = (p - if c == y { F::one() } else { F::zero() }) / count;
                }
            }
        }
        (loss, grad)
    }
}
