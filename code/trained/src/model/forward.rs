//! The fast forward pass, the copy task's loss and the backward pass written out.

use ndarray::{Array2, s};

use errors::bad;
use order::PositionTable;

use super::linalg::{matmul, matmul_nt, matmul_tn, rotate};
use super::{Layer, Model, Positions};
use crate::{Error, Scheme};

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone)]
pub struct Trace {
    tokens: Vec<usize>,
    /// The input of each layer and, last, the final residual stream, `[n, d_model]`.
    xs: Vec<Array2<f64>>,
    /// Per layer: rotated queries and keys, values, `[n, d_model]`.
    qkv: Vec<[Array2<f64>; 3]>,
    /// Per layer and head: the attention weights, `[n, n]`.
    pub weights: Vec<Vec<Array2<f64>>>,
    /// Per layer: the heads' outputs side by side, `[n, d_model]`.
    outs: Vec<Array2<f64>>,
    /// `[n, vocab]`.
    pub logits: Array2<f64>,
}

impl Model {
    pub(super) fn check_tokens(
        &self,
        tokens: &[usize],
        positions: &Positions,
    ) -> Result<(), Error> {
        if tokens.len() != positions.len() {
            return Err(errors::shape(
                "one token per position of the tables",
                vec![positions.len()],
                vec![tokens.len()],
            ));
        }
        if let Some(&t) = tokens.iter().find(|&&t| t >= self.dims.vocab) {
            return Err(bad(
                "token",
                t,
                "tokens are numbered below the vocabulary size",
            ));
        }
        Ok(())
    }

    /// The input to the first layer: token embeddings plus, for the absolute schemes, positions.
    pub(super) fn input(
        &self,
        tokens: &[usize],
        positions: &Positions,
    ) -> Result<Array2<f64>, Error> {
        let n = tokens.len();
        let x = Array2::from_shape_fn((n, self.dims.d_model), |(t, c)| self.embed[[tokens[t], c]]);
        match self.scheme {
            // Chapter 3's lookup: past the table it fails, naming the first position with no row.
            Scheme::Learned => {
                learned::add_positions(x.view(), &PositionTable::new(self.pos.clone())?)
            }
            _ => Ok(match &positions.add {
                Some(pe) => x + pe,
                None => x,
            }),
        }
    }

    // ANCHOR: forward
    /// Runs the model on one sequence and keeps what the backward pass needs.
    ///
    /// # Errors
    /// Tokens outside the vocabulary, a length other than the tables', or (learned) a sequence
    /// longer than the table.
    pub fn forward(&self, tokens: &[usize], positions: &Positions) -> Result<Trace, Error> {
        self.check_tokens(tokens, positions)?;
        let (n, dh) = (tokens.len(), self.dims.head_dim());
        let scale = 1.0 / (dh as f64).sqrt();
        let mut x = self.input(tokens, positions)?; // [n, d]
        let mut trace = Trace {
            tokens: tokens.to_vec(),
            xs: Vec::new(),
            qkv: Vec::new(),
            weights: Vec::new(),
            outs: Vec::new(),
            logits: Array2::zeros((0, 0)),
        };
        for layer in &self.layers {
            let mut q = matmul(x.view(), layer.wq.view()); // [n, d]
            let mut k = matmul(x.view(), layer.wk.view()); // [n, d]
            let v = matmul(x.view(), layer.wv.view()); // [n, d]
            if let Some((cos, sin)) = &positions.rope {
                rotate(&mut q, cos, sin, dh, false); // R_t q_t, head by head
                rotate(&mut k, cos, sin, dh, false);
            }
            let mut out = Array2::zeros((n, self.dims.d_model)); // heads side by side
            let mut weights = Vec::new();
            for h in 0..self.dims.heads {
                let cols = s![.., h * dh..(h + 1) * dh];
                let mut a = matmul_nt(q.slice(cols), k.slice(cols)) * scale; // [n, n]
                for i in 0..n {
                    for j in 0..=i {
                        a[[i, j]] += self.bias(positions, h, layer, i, j); // ALiBi or T5
                    }
                    let max = (0..=i).map(|j| a[[i, j]]).fold(f64::NEG_INFINITY, f64::max);
                    let mut sum = 0.0;
                    for j in 0..n {
                        a[[i, j]] = if j <= i { (a[[i, j]] - max).exp() } else { 0.0 }; // causal
                        sum += a[[i, j]];
                    }
                    a.row_mut(i).mapv_inplace(|w| w / sum); // softmax over keys j ≤ i
                }
                out.slice_mut(cols).assign(&matmul(a.view(), v.slice(cols))); // [n, dh]
                weights.push(a);
            }
            let next = &x + &matmul(out.view(), layer.wo.view()); // residual
            trace.xs.push(std::mem::replace(&mut x, next));
            trace.qkv.push([q, k, v]);
            trace.weights.push(weights);
            trace.outs.push(out);
        }
        trace.logits = matmul(x.view(), self.unembed.view()); // [n, vocab]
        trace.xs.push(x);
        Ok(trace)
    }
    // ANCHOR_END: forward

    /// The additive bias of head `h` for query `i` and key `j ≤ i`.
    fn bias(&self, positions: &Positions, h: usize, layer: &Layer, i: usize, j: usize) -> f64 {
        match self.scheme {
            Scheme::Alibi => positions.alibi[h][[i, j]],
            Scheme::T5 => layer.t5[[positions.buckets[i * positions.n + j], h]],
            _ => 0.0,
        }
    }

    /// The loss of one sequence on the copy task (mean cross-entropy over the positions that have
    /// a target), and its gradient `∂loss/∂logits`.
    pub(crate) fn loss_grad(
        &self,
        trace: &Trace,
        targets: &[Option<usize>],
    ) -> (f64, Array2<f64>, usize, usize) {
        let logits = &trace.logits;
        let mut grad = Array2::zeros(logits.dim());
        let count = targets.iter().flatten().count().max(1) as f64;
        let (mut loss, mut correct, mut counted) = (0.0, 0, 0);
        for (t, target) in targets.iter().enumerate() {
            let Some(y) = *target else { continue };
            let row = logits.row(t);
            let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
            let z: f64 = row.iter().map(|x| (x - max).exp()).sum();
            loss += (z.ln() + max - row[y]) / count;
            let best = row
                .iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |b, (i, &x)| if x > b.1 { (i, x) } else { b },
                );
            correct += usize::from(best.0 == y);
            counted += 1;
            for (c, g) in grad.row_mut(t).iter_mut().enumerate() {
                let p = (row[c] - max).exp() / z;
                *g = (p - f64::from(u8::from(c == y))) / count;
            }
        }
        (loss, grad, correct, counted)
    }

    // ANCHOR: backward
    /// Adds the gradient of a loss with `∂loss/∂logits = dlogits` to `grad` (a model of the same
    /// shape), going back through the forward pass recorded in `trace`.
    pub fn backward(
        &self,
        trace: &Trace,
        dlogits: &Array2<f64>,
        positions: &Positions,
        grad: &mut Model,
    ) {
        let (n, dh) = (trace.tokens.len(), self.dims.head_dim());
        let scale = 1.0 / (dh as f64).sqrt();
        let last = &trace.xs[self.layers.len()];
        grad.unembed += &matmul_tn(last.view(), dlogits.view()); // dU = xᵀ dlogits
        let mut dx = matmul_nt(dlogits.view(), self.unembed.view()); // [n, d]
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let (x, [q, k, v]) = (&trace.xs[l], &trace.qkv[l]);
            let g = &mut grad.layers[l];
            g.wo += &matmul_tn(trace.outs[l].view(), dx.view());
            let dout = matmul_nt(dx.view(), layer.wo.view()); // [n, d]
            let (mut dq, mut dk, mut dv) = (
                Array2::zeros((n, self.dims.d_model)),
                Array2::zeros((n, self.dims.d_model)),
                Array2::zeros((n, self.dims.d_model)),
            );
            for h in 0..self.dims.heads {
                let cols = s![.., h * dh..(h + 1) * dh];
                let a = &trace.weights[l][h]; // [n, n]
                let da = matmul_nt(dout.slice(cols), v.slice(cols)); // [n, n]
                dv.slice_mut(cols)
                    .assign(&matmul_tn(a.view(), dout.slice(cols)));
                // Softmax backward, row by row: ds = a ⊙ (da − Σ_j a da).
                let mut ds = Array2::zeros((n, n));
                for i in 0..n {
                    let dot: f64 = (0..=i).map(|j| a[[i, j]] * da[[i, j]]).sum();
                    for j in 0..=i {
                        ds[[i, j]] = a[[i, j]] * (da[[i, j]] - dot);
                        if self.scheme == Scheme::T5 {
                            g.t5[[positions.buckets[i * n + j], h]] += ds[[i, j]];
                        }
                    }
                }
                dq.slice_mut(cols)
                    .assign(&(matmul(ds.view(), k.slice(cols)) * scale));
                dk.slice_mut(cols)
                    .assign(&(matmul_tn(ds.view(), q.slice(cols)) * scale));
            }
            if let Some((cos, sin)) = &positions.rope {
                rotate(&mut dq, cos, sin, dh, true); // the rotation's transpose
                rotate(&mut dk, cos, sin, dh, true);
            }
            g.wq += &matmul_tn(x.view(), dq.view());
            g.wk += &matmul_tn(x.view(), dk.view());
            g.wv += &matmul_tn(x.view(), dv.view());
            dx = dx
                + matmul_nt(dq.view(), layer.wq.view())
                + matmul_nt(dk.view(), layer.wk.view())
                + matmul_nt(dv.view(), layer.wv.view());
        }
        for (t, row) in dx.rows().into_iter().enumerate() {
            let mut e = grad.embed.row_mut(trace.tokens[t]);
            e += &row;
            if self.scheme == Scheme::Learned {
                let mut p = grad.pos.row_mut(t);
                p += &row;
            }
        }
    }
    // ANCHOR_END: backward
}
