//! A tiny decoder-only transformer with its backward pass written out: token embeddings, the
//! position scheme, `layers` blocks of causal multi-head attention with a residual connection
//! (no MLP, no normalisation), and an unembedding. Every matrix product is a plain loop over
//! slices (single-threaded, so every run gives the same bits).
//!
//! The code is split by concern: this file holds the sizes and the parameters; [`Positions`]
//! (`positions.rs`) what each scheme adds at one length; `forward.rs` the fast forward and
//! backward passes; `slow.rs` the textbook forward pass they are tested against; `linalg.rs` the
//! plain matrix products and RoPE's rotation.

use ndarray::Array2;

use bookkit::rng::SplitMix64;
use errors::bad;

use crate::heads::causal_buckets;
use crate::{Error, Scheme};

mod forward;
mod linalg;
mod positions;
mod slow;

pub use forward::Trace;
pub use positions::{Positions, rope_frequencies};

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Variant;

    pub(crate) const DIMS: Dims = Dims {
        vocab: 7,
        d_model: 8,
        heads: 2,
        layers: 2,
        train_len: 6,
        rope_base: 10_000.0,
    };

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
}
