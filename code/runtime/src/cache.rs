//! The rolling KV cache with attention sinks (Xiao et al., *Efficient Streaming Language Models
//! with Attention Sinks*, 2023, arXiv:2309.17453): keep the first few tokens (the sinks) and a
//! window of the most recent ones, evict the rest. Read in `mit-han-lab/streaming-llm` at commit
//! `2e5042606d69933d88fbf909bd77907456b9b4dd`: `streaming_llm/kv_cache.py`,
//! `StartRecentKVCache.evict_for_space` (what is kept), and
//! `streaming_llm/pos_shift/modify_llama.py`, `llama_pos_shift_attention_forward` (keys are cached
//! unrotated and rotated at their slot in the cache, `key_position_ids = torch.arange(kv_seq_len)`;
//! the query at the next slot).

use errors::bad;

use crate::Error;
use crate::remap::Remap;

/// Which positions a kept key is rotated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// Its slot in the cache (StreamingLLM's position shift): distances never exceed the cache.
    InCache,
    /// Its place in the text (a cache of keys rotated once, when they were computed): distances
    /// grow with the stream.
    InText,
}

/// A cache of `sinks` first tokens and the `window` most recent ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cache {
    sinks: usize,
    window: usize,
    positions: Positions,
}

impl Cache {
    /// # Errors
    /// A window of 0 (the newest token must fit).
    ///
    /// ```
    /// use runtime::{Cache, cache::Positions};
    /// let c = Cache::new(2, 3, Positions::InCache)?;
    /// assert_eq!(c.kept(8), [0, 1, 5, 6, 7]);
    /// assert_eq!(c.slot(8, 5), Some(2));
    /// assert_eq!(c.slot(8, 3), None); // evicted
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn new(sinks: usize, window: usize, positions: Positions) -> Result<Self, Error> {
        if window == 0 {
            return Err(bad(
                "window",
                0,
                "the cache must keep at least the newest token",
            ));
        }
        Ok(Cache {
            sinks,
            window,
            positions,
        })
    }

    /// The sink count.
    pub fn sinks(&self) -> usize {
        self.sinks
    }

    /// The recent window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// The text positions in the cache once `len` tokens have been seen, in cache order: all of
    /// them while they fit in `sinks + window`, else the first `sinks` and the last `window`.
    // ANCHOR: kept
    pub fn kept(&self, len: usize) -> Vec<usize> {
        let (s, w) = (self.sinks, self.window);
        if len <= s + w {
            return (0..len).collect();
        }
        (0..s).chain(len - w..len).collect()
    }
    // ANCHOR_END: kept

    /// The slot of text position `j` in the cache after `len` tokens, `None` once evicted.
    pub fn slot(&self, len: usize, j: usize) -> Option<usize> {
        let (s, w) = (self.sinks, self.window);
        if j >= len {
            None
        } else if len <= s + w || j < s {
            Some(j)
        } else if j >= len - w {
            Some(s + j - (len - w))
        } else {
            None
        }
    }
}

impl Remap for Cache {
    fn name(&self) -> String {
        let base = match self.sinks {
            0 => format!("window {}", self.window),
            s => format!("{s} sinks + window {}", self.window),
        };
        match self.positions {
            Positions::InCache => format!("{base}, positions in the cache"),
            Positions::InText => format!("{base}, positions in the text"),
        }
    }

    fn visible(&self, i: usize, j: usize) -> bool {
        self.slot(i + 1, j).is_some()
    }

    // ANCHOR: pair
    fn pair(&self, i: usize, j: usize) -> (f64, f64) {
        match self.positions {
            Positions::InText => (i as f64, j as f64),
            Positions::InCache => {
                // The query is the newest entry: its slot is the cache's length minus one.
                let query = self.slot(i + 1, i).unwrap_or(i);
                let key = self.slot(i + 1, j).unwrap_or(j);
                (query as f64, key as f64)
            }
        }
    }
    // ANCHOR_END: pair
}
