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
