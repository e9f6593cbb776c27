//! A tiny decoder-only transformer with its backward pass written out: token embeddings, the
//! position scheme, `layers` blocks of causal multi-head attention with a residual connection
//! (no MLP, no normalisation), and an unembedding. Every matrix product is a plain loop over
//! slices (single-threaded, so every run gives the same bits).

use ndarray::{Array2, ArrayView2, s};

use bookkit::rng::SplitMix64;
use errors::bad;
use order::PositionTable;
use relative::t5::bucket;
use scaling::{Base, YarnParams};
use sinusoidal::Sinusoid;

use crate::heads::causal_buckets;
use crate::{Error, RopeScaling, Scheme, Variant};

/// The model's sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dims {
    /// Vocabulary size; token 0 is the start marker.
    pub vocab: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Heads per layer (`d_model / heads` each).
    pub heads: usize,
    /// Attention layers.
    pub layers: usize,
    /// The training length `L`: the rows of a learned table, and what RoPE scaling measures
    /// against.
    pub train_len: usize,
    /// RoPE's base.
    pub rope_base: f64,
}

impl Dims {
    /// Checks the sizes.
    ///
    /// # Errors
    /// A vocabulary below 2, a width not divisible into heads of even width, no layers, or a
    /// zero training length.
    pub fn check(&self) -> Result<(), Error> {
        if self.vocab < 2 || self.vocab > 4096 {
            return Err(bad(
                "vocab",
                self.vocab,
                "it must be 2 to 4096 (a marker and at least one token)",
            ));
        }
        if self.heads == 0
            || !self.d_model.is_multiple_of(self.heads)
            || !(self.d_model / self.heads).is_multiple_of(2)
            || self.d_model > 1024
        {
            return Err(bad(
                "d_model / heads",
                format!("{} / {}", self.d_model, self.heads),
                "the width (at most 1024) must split into heads of even width",
            ));
        }
        if self.layers == 0 || self.layers > 8 {
            return Err(bad("layers", self.layers, "it must be 1 to 8"));
        }
        if self.train_len == 0 || self.train_len > 4096 {
            return Err(bad("train_len", self.train_len, "it must be 1 to 4096"));
        }
        if !(self.rope_base.is_finite() && self.rope_base > 1.0) {
            return Err(bad(
                "rope_base",
                self.rope_base,
                "it must be a finite number above 1",
            ));
        }
        Ok(())
    }

    /// The width of one head.
    pub fn head_dim(&self) -> usize {
        self.d_model / self.heads
    }
}

/// One attention block's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// `[d_model, d_model]` each: queries, keys, values (head `h` uses columns `h·dh..(h+1)·dh`)
    /// and the output projection.
    pub wq: Array2<f64>,
    /// Keys.
    pub wk: Array2<f64>,
    /// Values.
    pub wv: Array2<f64>,
    /// Output projection.
    pub wo: Array2<f64>,
    /// T5's `[buckets, heads]` bias table (empty for other schemes).
    pub t5: Array2<f64>,
}

/// The model: its scheme, sizes and every parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The position scheme.
    pub scheme: Scheme,
    /// Sizes.
    pub dims: Dims,
    /// `[vocab, d_model]` token embeddings.
    pub embed: Array2<f64>,
    /// `[train_len, d_model]` learned position table (empty for other schemes).
    pub pos: Array2<f64>,
    /// The attention blocks.
    pub layers: Vec<Layer>,
    /// `[d_model, vocab]` unembedding.
    pub unembed: Array2<f64>,
}

fn gaussian(rows: usize, cols: usize, std: f64, rng: &mut SplitMix64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |_| std * rng.next_gaussian())
}

impl Model {
    /// A freshly initialised model: embeddings `N(0, 1)`, projections `N(0, 1/d_model)`, a learned
    /// table as chapter 3 starts it (`learned::init_table`, spread 0.02), a T5 table of zeros.
    ///
    /// # Errors
    /// Sizes [`Dims::check`] refuses.
    ///
    /// ```
    /// use trained::{Scheme, model::{Dims, Model}};
    /// let dims = Dims { vocab: 8, d_model: 16, heads: 2, layers: 1, train_len: 8, rope_base: 10000.0 };
    /// let m = Model::new(Scheme::Learned, dims, 1)?;
    /// assert_eq!(m.pos.dim(), (8, 16));
    /// assert_eq!(m.parameter_count(), 8 * 16 + 8 * 16 + 4 * 16 * 16 + 16 * 8);
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn new(scheme: Scheme, dims: Dims, seed: u64) -> Result<Model, Error> {
        dims.check()?;
        let mut rng = SplitMix64(seed);
        let d = dims.d_model;
        let w = 1.0 / (d as f64).sqrt();
        let embed = gaussian(dims.vocab, d, 1.0, &mut rng);
        let layers = (0..dims.layers)
            .map(|_| Layer {
                wq: gaussian(d, d, w, &mut rng),
                wk: gaussian(d, d, w, &mut rng),
                wv: gaussian(d, d, w, &mut rng),
                wo: gaussian(d, d, w, &mut rng),
                t5: if scheme == Scheme::T5 {
                    Array2::zeros((causal_buckets().num_buckets(), dims.heads))
                } else {
                    Array2::zeros((0, dims.heads))
                },
            })
            .collect();
        let unembed = gaussian(d, dims.vocab, w, &mut rng);
        let pos = if scheme == Scheme::Learned {
            learned::init_table(dims.train_len, d, learned::INIT_STD, rng.next_u64())?
                .rows()
                .to_owned()
        } else {
            Array2::zeros((0, d))
        };
        Ok(Model {
            scheme,
            dims,
            embed,
            pos,
            layers,
            unembed,
        })
    }

    /// Every parameter matrix, in a fixed order.
    pub fn tensors(&self) -> Vec<&Array2<f64>> {
        let mut out = vec![&self.embed, &self.pos];
        for l in &self.layers {
            out.extend([&l.wq, &l.wk, &l.wv, &l.wo, &l.t5]);
        }
        out.push(&self.unembed);
        out
    }

    /// Every parameter matrix, mutably, in the order of [`Model::tensors`].
    pub fn tensors_mut(&mut self) -> Vec<&mut Array2<f64>> {
        let mut out = vec![&mut self.embed, &mut self.pos];
        for l in &mut self.layers {
            out.extend([&mut l.wq, &mut l.wk, &mut l.wv, &mut l.wo, &mut l.t5]);
        }
        out.push(&mut self.unembed);
        out
    }

    /// How many numbers the model learns.
    pub fn parameter_count(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }

    /// A model of the same shape with every parameter zero (the gradient's container).
    pub fn zeros_like(&self) -> Model {
        let mut z = self.clone();
        for t in z.tensors_mut() {
            t.fill(0.0);
        }
        z
    }
}

/// What the position scheme contributes at one length: computed once per length and shared by
/// every sequence of that length.
#[derive(Debug, Clone)]
pub struct Positions {
    n: usize,
    /// Sinusoids to add to the input, `[n, d_model]`.
    add: Option<Array2<f64>>,
    /// ALiBi's bias per head, `[n, n]` each.
    alibi: Vec<Array2<f64>>,
    /// T5's bucket per (query, key), row-major `n × n`.
    buckets: Vec<usize>,
    /// RoPE's `cos` and `sin` per (position, pair), `[n, head_dim / 2]`, already multiplied by
    /// the attention factor.
    rope: Option<(Array2<f64>, Array2<f64>)>,
}

impl Positions {
    /// The scheme's tables for sequences of `n` tokens. RoPE's frequencies come from
    /// `rope::Rope::inv_freq`; past the training length `L`, PI and YaRN use chapter 6's
    /// `scaling::linear` and `scaling::yarn` with factor `n / L` (at or below `L`, none).
    ///
    /// # Errors
    /// Zero `n`, or settings an earlier chapter's code refuses.
    pub fn new(variant: Variant, dims: &Dims, n: usize) -> Result<Positions, Error> {
        if n == 0 || n > 1 << 14 {
            return Err(bad("n", n, "a sequence has 1 to 16384 tokens"));
        }
        let mut p = Positions {
            n,
            add: None,
            alibi: Vec::new(),
            buckets: Vec::new(),
            rope: None,
        };
        match variant.scheme {
            Scheme::Sinusoidal => p.add = Some(Sinusoid::paper(dims.d_model)?.matrix(n)),
            Scheme::Alibi => {
                p.alibi = relative::alibi::slopes(dims.heads)?
                    .into_iter()
                    .map(|m| relative::alibi::bias(m, n))
                    .collect();
            }
            Scheme::T5 => {
                let cfg = causal_buckets();
                p.buckets = (0..n * n)
                    .map(|ij| bucket((ij % n) as i64 - (ij / n) as i64, cfg))
                    .collect();
            }
            Scheme::Rope => {
                let (inv_freq, factor) = rope_frequencies(variant.scaling, dims, n)?;
                let half = inv_freq.len();
                let angle = |t: usize, j: usize| t as f64 * inv_freq[j];
                let cos = Array2::from_shape_fn((n, half), |(t, j)| factor * angle(t, j).cos());
                let sin = Array2::from_shape_fn((n, half), |(t, j)| factor * angle(t, j).sin());
                p.rope = Some((cos, sin));
            }
            Scheme::NoPe | Scheme::Learned => {}
        }
        Ok(p)
    }

    /// The length these tables are for.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the tables are for an empty sequence (never: [`Positions::new`] refuses `n = 0`).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// RoPE's inverse frequencies and cos/sin factor at length `n`, with the test-time scaling.
///
/// # Errors
/// Settings chapter 6's code refuses.
///
/// ```
/// use trained::{RopeScaling, model::{Dims, rope_frequencies}};
/// let dims = Dims { vocab: 8, d_model: 16, heads: 2, layers: 1, train_len: 16, rope_base: 10000.0 };
/// let (plain, _) = rope_frequencies(RopeScaling::None, &dims, 64)?;
/// let (pi, f) = rope_frequencies(RopeScaling::Pi, &dims, 64)?;
/// assert_eq!((plain[0], pi[0], f), (1.0, 0.25, 1.0)); // 64 tokens, trained on 16: factor 4
/// # Ok::<(), trained::Error>(())
/// ```
pub fn rope_frequencies(
    scaling: RopeScaling,
    dims: &Dims,
    n: usize,
) -> Result<(Vec<f64>, f64), Error> {
    let rope = rope::Rope::new(dims.head_dim(), dims.rope_base, rope::Layout::Interleaved)?;
    let plain = rope.inv_freq().to_vec();
    if n <= dims.train_len || scaling == RopeScaling::None {
        return Ok((plain, 1.0));
    }
    let base = Base::new(dims.head_dim(), dims.rope_base, dims.train_len)?;
    let factor = n as f64 / dims.train_len as f64;
    let scaled = match scaling {
        RopeScaling::Pi => scaling::linear(&base, factor)?,
        _ => scaling::yarn(&base, &YarnParams::with_factor(factor))?,
    };
    Ok((scaled.inv_freq, scaled.attention_factor))
}

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

/// `a b` for `[m, k]` and `[k, n]`.
pub(crate) fn matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let n = b.ncols();
    let mut out = Array2::zeros((m, n));
    for i in 0..m {
        for r in 0..k {
            let x = a[[i, r]];
            if x == 0.0 {
                continue;
            }
            let mut row = out.row_mut(i);
            for (o, &y) in row.iter_mut().zip(b.row(r)) {
                *o += x * y;
            }
        }
    }
    out
}

/// `aᵀ b` for `[k, m]` and `[k, n]`.
pub(crate) fn matmul_tn(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    matmul(a.t(), b)
}

/// `a bᵀ` for `[m, k]` and `[n, k]`.
pub(crate) fn matmul_nt(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut out = Array2::zeros((a.nrows(), b.nrows()));
    for (i, ra) in a.rows().into_iter().enumerate() {
        for (j, rb) in b.rows().into_iter().enumerate() {
            out[[i, j]] = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
        }
    }
    out
}

/// Rotates every head of `x` (`[n, d_model]`) in place: pair `(2j, 2j+1)` of each head at
/// position `t` by `t θ_j` (`inverse`: by `−t θ_j`), scaled by the table's factor.
fn rotate(
    x: &mut Array2<f64>,
    cos: &Array2<f64>,
    sin: &Array2<f64>,
    head_dim: usize,
    inverse: bool,
) {
    let half = head_dim / 2;
    let sign = if inverse { -1.0 } else { 1.0 };
    for (t, mut row) in x.rows_mut().into_iter().enumerate() {
        for h0 in (0..row.len()).step_by(head_dim) {
            for j in 0..half {
                let (c, s) = (cos[[t, j]], sign * sin[[t, j]]);
                let (a, b) = (row[h0 + 2 * j], row[h0 + 2 * j + 1]);
                row[h0 + 2 * j] = a * c - b * s; // [n, d]: x_a cos − x_b sin
                row[h0 + 2 * j + 1] = a * s + b * c; // x_a sin + x_b cos
            }
        }
    }
}

impl Model {
    fn check_tokens(&self, tokens: &[usize], positions: &Positions) -> Result<(), Error> {
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
    fn input(&self, tokens: &[usize], positions: &Positions) -> Result<Array2<f64>, Error> {
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
    use super::*;
    use crate::train::copy_task;

    pub(crate) const DIMS: Dims = Dims {
        vocab: 7,
        d_model: 8,
        heads: 2,
        layers: 2,
        train_len: 6,
        rope_base: 10_000.0,
    };

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

    #[test]
    fn bad_inputs_are_refused() {
        let m = Model::new(Scheme::Learned, DIMS, 1).unwrap();
        let p = Positions::new(Variant::plain(Scheme::Learned), &DIMS, 8).unwrap();
        let e = m.forward(&[0; 8], &p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "position 6 has no row: the table covers positions 0 to 5"
        );
        assert!(m.forward(&[0; 7], &p).is_err()); // length differs from the tables
        assert!(m.forward(&[9; 8], &p).is_err()); // token outside the vocabulary
        assert!(Positions::new(Variant::plain(Scheme::NoPe), &DIMS, 0).is_err());
        for bad in [
            Dims { vocab: 1, ..DIMS },
            Dims { heads: 3, ..DIMS },
            Dims { heads: 8, ..DIMS },
            Dims { layers: 0, ..DIMS },
            Dims {
                train_len: 0,
                ..DIMS
            },
            Dims {
                rope_base: 1.0,
                ..DIMS
            },
        ] {
            assert!(Model::new(Scheme::NoPe, bad, 1).is_err(), "{bad:?}");
        }
        assert!(Model::new(Scheme::NoPe, DIMS, 1).is_ok());
    }

    #[test]
    fn yarn_keeps_the_fast_pair_and_interpolates_the_slow_ones() {
        // Head width 8, base 10000, L = 16: θ = 1, 0.1, 0.01, 0.001. Only θ_0 turns more than
        // once in 16 tokens (16 / 2π ≈ 2.5 turns), so YaRN's correction range is pairs 0 to 1:
        // pair 0 kept, the rest divided by s = 4; the cos/sin factor is 0.1 ln 4 + 1.
        let dims = crate::experiment::DIMS;
        let (f, factor) = rope_frequencies(RopeScaling::Yarn, &dims, 64).unwrap();
        let plain = rope::Rope::new(8, 10_000.0, rope::Layout::Interleaved)
            .unwrap()
            .inv_freq();
        assert_eq!(f[0], plain[0]);
        for j in 1..4 {
            assert!((f[j] - plain[j] / 4.0).abs() < 1e-15, "{j}");
        }
        assert!((factor - (0.1 * 4f64.ln() + 1.0)).abs() < 1e-12);
        // At or below L nothing changes, whatever the scaling.
        for s in [RopeScaling::Pi, RopeScaling::Yarn] {
            assert_eq!(
                rope_frequencies(s, &dims, 16).unwrap(),
                (plain.to_vec(), 1.0)
            );
        }
        // The paper's ramp (linear in the number of turns, chapter 6's `yarn_paper`) would not
        // keep pair 0: it turns 16/2π ≈ 2.55 times in L, so γ = (2.55 − 1)/(32 − 1) ≈ 0.05 and
        // θ'_0 = 0.95 θ_0/4 + 0.05 θ_0 ≈ 0.287, close to PI's 0.25. The chapter's YaRN result
        // rests on the reference code's ramp, which is linear in the pair index.
        let base = Base::new(8, 10_000.0, 16).unwrap();
        let paper = scaling::yarn_paper(&base, 4.0, 16, 32.0, 1.0).unwrap();
        assert!(
            (paper.inv_freq[0] - 0.287).abs() < 0.002,
            "{}",
            paper.inv_freq[0]
        );
        let (pi, one) = rope_frequencies(RopeScaling::Pi, &dims, 32).unwrap();
        assert_eq!((pi[1], one), (plain[1] / 2.0, 1.0));
    }

    #[test]
    fn matmuls_agree_with_ndarray() {
        let mut rng = SplitMix64(2);
        let a = Array2::from_shape_fn((3, 4), |_| rng.next_gaussian());
        let b = Array2::from_shape_fn((4, 5), |_| rng.next_gaussian());
        let c = Array2::from_shape_fn((5, 4), |_| rng.next_gaussian());
        let close = |x: &Array2<f64>, y: &Array2<f64>| (x - y).iter().all(|d| d.abs() < 1e-12);
        assert!(close(&matmul(a.view(), b.view()), &a.dot(&b)));
        assert!(close(&matmul_tn(b.view(), c.t()), &b.t().dot(&c.t())));
        assert!(close(&matmul_nt(a.view(), c.view()), &a.dot(&c.t())));
    }
}
