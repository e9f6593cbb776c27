//! Dual Chunk Attention (An et al., *Training-Free Long-Context Scaling of Large Language
//! Models*, 2024, arXiv:2402.17463): keys take their position within a chunk of `s` tokens; a
//! query sees its own chunk with positions as inside it (intra-chunk), the chunk before with its
//! positions moved on by `s` up to a ceiling (successive-chunk), and every older chunk from the
//! ceiling (inter-chunk). Read in `HKUNLP/ChunkLlama`, `chunkllama_attn_replace.py`
//! (`ChunkLlamaRotaryEmbedding._set_cos_sin_cache`, `forward`, `replace_with_chunkllama`), at
//! commit `2add4d7c99d24dcc1ab03414cc602abb2e28cf2c`.
//!
//! The paper's Figure 2 and equations 2 to 7 use a chunk size `s`, the pretraining length `c` and
//! a local window `w = c − s`; the code's `chunk_size` is the largest position it ever uses (the
//! paper's `c − 1`) and its `chunk_len = chunk_size − local_window` is the paper's `s`.

use errors::bad;

use crate::Error;
use crate::remap::Remap;

/// Dual Chunk Attention with chunk length `s` and ceiling `m` (the largest query position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dca {
    chunk: usize,
    ceiling: usize,
}

impl Dca {
    /// In the code's terms: `chunk_size` (the ceiling) and `local_window`; `replace_with_chunkllama`
    /// sets them to `3L/4` and `L/8` for a pretraining length `L`.
    ///
    /// # Errors
    /// A local window that leaves no chunk (`local_window ≥ chunk_size`).
    ///
    /// ```
    /// use runtime::{Dca, remap::Remap};
    /// let d = Dca::code(9, 3)?; // chunks of 6, ceiling 9: the paper's s = 6, c = 10
    /// assert_eq!(d.relative(7, 6), Some(1.0)); // intra-chunk
    /// assert_eq!(d.relative(6, 5), Some(1.0)); // successive: 0 + 6 − 5
    /// assert_eq!(d.relative(12, 0), Some(9.0)); // inter-chunk: 9 − 0
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn code(chunk_size: usize, local_window: usize) -> Result<Self, Error> {
        if local_window >= chunk_size {
            return Err(bad(
                "local_window",
                local_window,
                format!(
                    "it must be below chunk_size = {chunk_size}, which leaves chunks of chunk_size − local_window tokens"
                ),
            ));
        }
        Ok(Dca {
            chunk: chunk_size - local_window,
            ceiling: chunk_size,
        })
    }

    /// In the paper's terms: chunk size `s` and pretraining length `c` (ceiling `c − 1`).
    ///
    /// # Errors
    /// A chunk of 0 tokens, or one not shorter than the pretraining length.
    ///
    /// ```
    /// assert_eq!(runtime::Dca::paper(6, 10)?, runtime::Dca::code(9, 3)?);
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn paper(s: usize, c: usize) -> Result<Self, Error> {
        if s == 0 || s >= c {
            return Err(bad(
                "s",
                s,
                format!("a chunk holds 1 to c − 1 tokens (c = {c})"),
            ));
        }
        Ok(Dca {
            chunk: s,
            ceiling: c - 1,
        })
    }

    /// Chunk length `s`.
    pub fn chunk(&self) -> usize {
        self.chunk
    }

    /// The largest query position (the code's `chunk_size`).
    pub fn ceiling(&self) -> usize {
        self.ceiling
    }
}

impl Remap for Dca {
    fn name(&self) -> String {
        format!("DCA s = {}, ceiling {}", self.chunk, self.ceiling)
    }

    // ANCHOR: pair
    fn pair(&self, i: usize, j: usize) -> (f64, f64) {
        let (s, m) = (self.chunk, self.ceiling);
        let key = (j % s) as f64; // `k_t = arange % chunk_len`
        let q = if i / s == j / s {
            i % s // intra-chunk: `q_t`
        } else if i / s == j / s + 1 {
            (i % s + s).min(m) // successive chunk: `qc_t`, clamped at chunk_size
        } else {
            (2 * s - 1).min(m) // older chunks: `qc_t` at index chunk_len − 1
        };
        (q as f64, key)
    }
    // ANCHOR_END: pair
}
