//! Some layers without position: RoPE in most layers, none (NoPE) in every few, as three model
//! families do, and Llama 4's query temperature on the layers without it. The rules are those of
//! Hugging Face transformers 5.24.0 as chapter 6's inspector reads them (`scaling::config`,
//! module `layers`): `Llama4TextConfig.__post_init__` and `SmolLM3Config.__post_init__`
//! (`no_rope_layers[i] = int((i + 1) % no_rope_layer_interval != 0)`, 1 = rotates; read by
//! `Llama4TextAttention.forward` and `SmolLM3Attention.forward` as `if self.use_rope`), and
//! `Cohere2Config.__post_init__` (Command A's model type: every `sliding_window_pattern`-th layer
//! is full attention, and `Cohere2Attention.forward` rotates only the sliding-window layers). The
//! temperature is `Llama4TextAttention.forward` (`if self.attn_temperature_tuning and not
//! self.use_rope`), read at transformers commit `000c33fdfde12e1ffafbfcdb3c926df5727a00b6`.

use errors::bad;

use crate::Error;

/// Which family's rule lays out the layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Llama 4 and SmolLM3: every `interval`-th layer has no RoPE (`no_rope_layer_interval`,
    /// default 4).
    NoRopeInterval(usize),
    /// Cohere2 (Command A): every `pattern`-th layer is full attention without RoPE, the others
    /// sliding-window attention with it (`sliding_window_pattern`, default 4).
    SlidingPattern(usize),
}

// ANCHOR: rotates
/// For each of `n` layers, whether it rotates its queries and keys.
///
/// # Errors
/// An interval or pattern of 0.
///
/// ```
/// use runtime::layers::{Rule, rotates};
/// assert_eq!(rotates(Rule::NoRopeInterval(4), 8)?, [true, true, true, false, true, true, true, false]);
/// assert_eq!(rotates(Rule::SlidingPattern(4), 4)?, [true, true, true, false]);
/// # Ok::<(), runtime::Error>(())
/// ```
pub fn rotates(rule: Rule, n: usize) -> Result<Vec<bool>, Error> {
    let every = match rule {
        Rule::NoRopeInterval(k) | Rule::SlidingPattern(k) => k,
    };
    if every == 0 {
        return Err(bad("interval", 0, "every k-th layer needs k of at least 1"));
    }
    Ok((0..n).map(|i| (i + 1) % every != 0).collect())
}
// ANCHOR_END: rotates

// ANCHOR: temperature
/// Llama 4's query temperature at position `p` on a layer without RoPE:
/// `1 + attn_scale · ln(1 + ⌊(p + 1) / floor_scale⌋)` (defaults 0.1 and 8192).
///
/// # Errors
/// A `floor_scale` of 0, or an `attn_scale` that is not finite.
///
/// ```
/// use runtime::layers::temperature;
/// assert_eq!(temperature(8190, 0.1, 8192)?, 1.0);
/// assert!((temperature(8191, 0.1, 8192)? - (1.0 + 0.1 * 2f64.ln())).abs() < 1e-15);
/// # Ok::<(), runtime::Error>(())
/// ```
pub fn temperature(p: usize, attn_scale: f64, floor_scale: usize) -> Result<f64, Error> {
    if floor_scale == 0 {
        return Err(bad(
            "floor_scale",
            0,
            "it divides the position: it must be at least 1",
        ));
    }
    if !attn_scale.is_finite() {
        return Err(bad("attn_scale", attn_scale, "it must be a finite number"));
    }
    let steps = ((p as f64 + 1.0) / floor_scale as f64).floor();
    Ok(1.0 + attn_scale * steps.ln_1p())
}
// ANCHOR_END: temperature
