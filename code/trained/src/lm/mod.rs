//! A decoder-only language model in `f32`, fast enough to train on real text on a CPU: token
//! embeddings, the position scheme as the one variable, pre-norm blocks (RMSNorm, causal
//! multi-head attention, a GELU feed-forward layer, residuals), a final norm and an untied
//! unembedding, with its gradient written out.
//!
//! The evaluation code (held-out text, bits per character at several lengths, the probes) only
//! needs a model that scores a window of tokens: the [`Scorer`] trait below.

use crate::Result;

// ANCHOR: scorer
/// Something that scores a window of tokens: a trained model, or a count-based baseline.
pub trait Scorer {
    /// The natural-log loss (nats) of predicting token `t + 1` from tokens `0..=t`, for every
    /// `t` in `0..window.len() - 1`: one value fewer than the window has tokens.
    ///
    /// # Errors
    /// An empty window, a token outside the vocabulary, or a window longer than the scheme
    /// allows (a learned position table has no row past the training length).
    fn token_losses(&self, window: &[u16]) -> Result<Vec<f32>>;

    /// The name tables and figures use.
    fn name(&self) -> String;
}
// ANCHOR_END: scorer

pub mod backward;
pub mod bench;
pub mod config;
pub mod finetune;
pub mod forward;
pub mod params;
pub mod positions;
pub mod runs;
pub mod slow;
pub mod suite;
pub mod task;
pub mod train;

pub use config::{Config, Real};
pub use forward::Trace;
pub use params::{Block, Model};
pub use positions::{DYNAMIC_FACTOR, Tables, TestScaling, rope_frequencies};
pub use train::{Progress, Schedule, TrainConfig, fit, fit_with, train};

/// A trained model read with a test-time change of RoPE's frequencies.
#[derive(Debug, Clone, Copy)]
pub struct Scaled<'a> {
    /// The model.
    pub model: &'a Model,
    /// What RoPE does past `L` (ignored by other schemes).
    pub scaling: TestScaling,
}

fn score(model: &Model, scaling: TestScaling, window: &[u16]) -> Result<Vec<f32>> {
    if window.is_empty() {
        return Err(errors::bad(
            "window length",
            0,
            "a window has at least one token",
        ));
    }
    let tables = Tables::new(&model.cfg, scaling, window.len())?;
    Ok(model.forward(&[window], &tables)?.token_losses())
}

/// A RoPE model extended to `factor · L`: every window read with the frequencies of `scaling` at
/// that fixed factor ([`Tables::extended`]), windows of `L` or fewer tokens included.
#[derive(Debug, Clone, Copy)]
pub struct Extended<'a> {
    /// The model.
    pub model: &'a Model,
    /// The frequency change.
    pub scaling: TestScaling,
    /// The fixed factor `s`.
    pub factor: f64,
}

impl Scorer for Extended<'_> {
    fn token_losses(&self, window: &[u16]) -> Result<Vec<f32>> {
        if window.is_empty() {
            return Err(errors::bad(
                "window length",
                0,
                "a window has at least one token",
            ));
        }
        let tables = Tables::extended(&self.model.cfg, self.scaling, self.factor, window.len())?;
        Ok(self.model.forward(&[window], &tables)?.token_losses())
    }

    fn name(&self) -> String {
        format!(
            "{}{} (×{})",
            self.model.cfg.scheme.name(),
            self.scaling.suffix(),
            self.factor
        )
    }
}

impl Scorer for Model {
    fn token_losses(&self, window: &[u16]) -> Result<Vec<f32>> {
        score(self, TestScaling::None, window)
    }

    fn name(&self) -> String {
        self.cfg.scheme.name().to_string()
    }
}

impl Scorer for Scaled<'_> {
    fn token_losses(&self, window: &[u16]) -> Result<Vec<f32>> {
        score(self.model, self.scaling, window)
    }

    fn name(&self) -> String {
        format!("{}{}", self.model.cfg.scheme.name(), self.scaling.suffix())
    }
}
