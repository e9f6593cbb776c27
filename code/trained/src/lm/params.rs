//! The model's parameters: every learned number, in named matrices, and their initialisation.

use bookkit::rng::SplitMix64;
use ndarray::Array2;

use super::config::{Config, Real};
use crate::heads::causal_buckets;
use crate::{Result, Scheme};

/// One pre-norm decoder block.
#[derive(Debug, Clone, PartialEq)]
pub struct Block<F = f32> {
    /// `[1, d_model]` gain of the RMSNorm before attention.
    pub norm1: Array2<F>,
    /// `[d_model, d_model]` queries (head `h` uses columns `h·dh..(h+1)·dh`).
    pub wq: Array2<F>,
    /// `[d_model, d_model]` keys.
    pub wk: Array2<F>,
    /// `[d_model, d_model]` values.
    pub wv: Array2<F>,
    /// `[d_model, d_model]` output projection of the heads.
    pub wo: Array2<F>,
    /// `[1, d_model]` gain of the RMSNorm before the feed-forward layer.
    pub norm2: Array2<F>,
    /// `[d_model, ff]` the feed-forward layer's first matrix (GELU after it).
    pub w1: Array2<F>,
    /// `[ff, d_model]` its second matrix.
    pub w2: Array2<F>,
}

/// A decoder-only language model: its configuration and every parameter. The unembedding is
/// untied (its own matrix, not the embedding's transpose).
#[derive(Debug, Clone, PartialEq)]
pub struct Model<F = f32> {
    /// Shape and scheme.
    pub cfg: Config,
    /// `[vocab, d_model]` token embeddings.
    pub embed: Array2<F>,
    /// `[train_len, d_model]` learned position table (`[0, d_model]` for other schemes).
    pub pos: Array2<F>,
    /// `[buckets, heads]` T5's bias per bucket of offsets and head, shared by every block as in
    /// T5 (`[0, heads]` for other schemes).
    pub t5: Array2<F>,
    /// The decoder blocks.
    pub blocks: Vec<Block<F>>,
    /// `[1, d_model]` gain of the final RMSNorm.
    pub norm_f: Array2<F>,
    /// `[d_model, vocab]` unembedding.
    pub unembed: Array2<F>,
}

fn gaussian<F: Real>(rows: usize, cols: usize, std: f64, rng: &mut SplitMix64) -> Array2<F> {
    Array2::from_shape_fn((rows, cols), |_| F::of(std * rng.next_gaussian()))
}

impl<F: Real> Model<F> {
    /// A freshly initialised model: embeddings `N(0, 1)`; `W_q, W_k, W_v, W_1` and the
    /// unembedding `N(0, 1/fan_in)`; the two matrices that write into the residual stream
    /// (`W_o, W_2`) the same divided by `√(2·layers)` (as GPT-2 scales them); gains 1; a learned
    /// table as chapter 3 starts it (`learned::init_table`); a T5 table of zeros.
    ///
    /// # Errors
    /// A configuration [`Config::check`] refuses.
    ///
    /// ```
    /// use trained::{Scheme, lm::{Config, Model}};
    /// let cfg = Config { scheme: Scheme::Learned, vocab: 8, d_model: 16, heads: 2, layers: 1,
    ///                    ff: 32, train_len: 8, rope_base: 10_000.0 };
    /// let m: Model = Model::new(cfg, 1)?;
    /// assert_eq!(m.pos.dim(), (8, 16));
    /// assert_eq!(m.parameter_count(), 8 * 16 + 8 * 16 + 4 * 16 * 16 + 2 * 16 * 32 + 3 * 16 + 16 * 8);
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn new(cfg: Config, seed: u64) -> Result<Model<F>> {
        cfg.check()?;
        let mut rng = SplitMix64(seed);
        let (d, ff) = (cfg.d_model, cfg.ff);
        let wd = 1.0 / (d as f64).sqrt();
        let residual = 1.0 / (2.0 * cfg.layers as f64).sqrt();
        let embed = gaussian(cfg.vocab, d, 1.0, &mut rng);
        let blocks = (0..cfg.layers)
            .map(|_| Block {
                norm1: Array2::from_elem((1, d), F::one()),
                wq: gaussian(d, d, wd, &mut rng),
                wk: gaussian(d, d, wd, &mut rng),
                wv: gaussian(d, d, wd, &mut rng),
                wo: gaussian(d, d, wd * residual, &mut rng),
                norm2: Array2::from_elem((1, d), F::one()),
                w1: gaussian(d, ff, wd, &mut rng),
                w2: gaussian(ff, d, residual / (ff as f64).sqrt(), &mut rng),
            })
            .collect();
        let unembed = gaussian(d, cfg.vocab, wd, &mut rng);
        let pos = if cfg.scheme == Scheme::Learned {
            learned::init_table(cfg.train_len, d, learned::INIT_STD, rng.next_u64())?
                .rows()
                .mapv(F::of)
        } else {
            Array2::zeros((0, d))
        };
        let t5_rows = if cfg.scheme == Scheme::T5 {
            causal_buckets().num_buckets()
        } else {
            0
        };
        Ok(Model {
            cfg,
            embed,
            pos,
            t5: Array2::zeros((t5_rows, cfg.heads)),
            blocks,
            norm_f: Array2::from_elem((1, d), F::one()),
            unembed,
        })
    }

    /// Every parameter matrix, in a fixed order.
    pub fn tensors(&self) -> Vec<&Array2<F>> {
        let mut out = vec![&self.embed, &self.pos, &self.t5];
        for b in &self.blocks {
            out.extend([&b.norm1, &b.wq, &b.wk, &b.wv, &b.wo, &b.norm2, &b.w1, &b.w2]);
        }
        out.extend([&self.norm_f, &self.unembed]);
        out
    }

    /// Every parameter matrix, mutably, in the order of [`Model::tensors`].
    pub fn tensors_mut(&mut self) -> Vec<&mut Array2<F>> {
        let mut out = vec![&mut self.embed, &mut self.pos, &mut self.t5];
        for b in &mut self.blocks {
            out.extend([
                &mut b.norm1,
                &mut b.wq,
                &mut b.wk,
                &mut b.wv,
                &mut b.wo,
                &mut b.norm2,
                &mut b.w1,
                &mut b.w2,
            ]);
        }
        out.extend([&mut self.norm_f, &mut self.unembed]);
        out
    }

    /// Whether AdamW's weight decay applies to each tensor of [`Model::tensors`]: the matrices
    /// that multiply the stream (projections, feed-forward, unembedding), not the embeddings,
    /// position parameters or gains.
    pub fn decays(&self) -> Vec<bool> {
        let mut out = vec![false, false, false];
        for _ in &self.blocks {
            out.extend([false, true, true, true, true, false, true, true]);
        }
        out.extend([false, true]);
        out
    }

    /// How many numbers the model learns.
    pub fn parameter_count(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }

    /// A model of the same shape with every parameter zero (the gradient's container).
    pub fn zeros_like(&self) -> Model<F> {
        let mut z = self.clone();
        for t in z.tensors_mut() {
            t.fill(F::zero());
        }
        z
    }

    /// The same model in another number type (`f32` to `f64` for the gradient check).
    pub fn cast<G: Real>(&self) -> Model<G> {
        let c = |a: &Array2<F>| a.mapv(|x| G::of(x.to_f64()));
        Model {
            cfg: self.cfg,
            embed: c(&self.embed),
            pos: c(&self.pos),
            t5: c(&self.t5),
            blocks: self
                .blocks
                .iter()
                .map(|b| Block {
                    norm1: c(&b.norm1),
                    wq: c(&b.wq),
                    wk: c(&b.wk),
                    wv: c(&b.wv),
                    wo: c(&b.wo),
                    norm2: c(&b.norm2),
                    w1: c(&b.w1),
                    w2: c(&b.w2),
                })
                .collect(),
            norm_f: c(&self.norm_f),
            unembed: c(&self.unembed),
        }
    }
}
