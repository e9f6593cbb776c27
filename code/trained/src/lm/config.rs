//! The language model's sizes and the number type it computes in.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, Neg, SubAssign};

use errors::bad;
use ndarray::{LinalgScalar, ScalarOperand};

use crate::{Result, Scheme};

/// The model's shape and its position scheme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// The position scheme, the one thing that varies between models.
    pub scheme: Scheme,
    /// Vocabulary size (256 for bytes).
    pub vocab: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Attention heads per block (`d_model / heads` wide each, an even number for RoPE).
    pub heads: usize,
    /// Decoder blocks.
    pub layers: usize,
    /// Hidden width of the feed-forward layer.
    pub ff: usize,
    /// The training length `L`: the rows of a learned table, and what RoPE scaling measures
    /// against.
    pub train_len: usize,
    /// RoPE's base.
    pub rope_base: f64,
}

impl Config {
    /// Checks the sizes.
    ///
    /// # Errors
    /// A vocabulary outside 2 to 65536, a width that does not split into heads of even width, no
    /// layers, a zero feed-forward width or training length, a RoPE base not above 1.
    ///
    /// ```
    /// use trained::{Scheme, lm::Config};
    /// let c = Config { scheme: Scheme::Rope, vocab: 256, d_model: 128, heads: 4, layers: 4,
    ///                  ff: 512, train_len: 64, rope_base: 10_000.0 };
    /// assert!(c.check().is_ok());
    /// assert_eq!(c.head_dim(), 32);
    /// let e = Config { heads: 3, ..c }.check().unwrap_err();
    /// assert!(e.to_string().contains("128 / 3"));
    /// ```
    pub fn check(&self) -> Result<()> {
        if !(2..=1 << 16).contains(&self.vocab) {
            return Err(bad(
                "vocab",
                self.vocab,
                "it must be 2 to 65536 (u16 tokens)",
            ));
        }
        if self.heads == 0
            || !self.d_model.is_multiple_of(self.heads)
            || !(self.d_model / self.heads).is_multiple_of(2)
            || self.d_model > 4096
        {
            return Err(bad(
                "d_model / heads",
                format!("{} / {}", self.d_model, self.heads),
                "the width (at most 4096) must split into heads of even width",
            ));
        }
        if self.layers == 0 || self.layers > 64 {
            return Err(bad("layers", self.layers, "it must be 1 to 64"));
        }
        if self.ff == 0 || self.ff > 16384 {
            return Err(bad(
                "ff",
                self.ff,
                "the feed-forward width must be 1 to 16384",
            ));
        }
        if self.train_len < 2 || self.train_len > 1 << 14 {
            return Err(bad("train_len", self.train_len, "it must be 2 to 16384"));
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

/// The number type the model computes in: `f32` for training and scoring, `f64` for the gradient
/// check against finite differences.
pub trait Real:
    LinalgScalar
    + ScalarOperand
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Neg<Output = Self>
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + Sum
{
    /// The value nearest to `x`.
    fn of(x: f64) -> Self;
    /// As an `f64`.
    fn to_f64(self) -> f64;
    /// `eˣ`.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// The square root.
    fn sqrt(self) -> Self;
    /// The hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The larger of two values.
    fn max(self, other: Self) -> Self;
}

macro_rules! real {
    ($t:ty) => {
        impl Real for $t {
            fn of(x: f64) -> Self {
                x as $t
            }
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
        }
    };
}
real!(f32);
real!(f64);
