//! Self-Extend (Jin et al., *LLM Maybe LongLM: Self-Extend LLM Context Window Without Tuning*,
//! 2024, arXiv:2401.01325): a neighbour window of `w` tokens keeps its trained positions; keys
//! further away share a position with their group of `G`, the floor division of the position by
//! `G`, shifted so the two regions meet. Read in `datamllab/LongLM`, `self_extend_patch/Llama.py`,
//! `self_extend_forward`, at commit `cdbbb061dc76438c46d7e1ddc500f8e4bf255574`.

use errors::bad;

use crate::Error;
use crate::remap::Remap;

/// Self-Extend with group size `G` (`group_size_1`) and neighbour window `w` (`group_size_2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfExtend {
    group: usize,
    window: usize,
}

impl SelfExtend {
    /// # Errors
    /// A group size or a window of 0.
    ///
    /// ```
    /// use runtime::{SelfExtend, remap::Remap};
    /// let s = SelfExtend::new(4, 8)?;
    /// assert_eq!(s.relative(20, 14), Some(6.0)); // neighbours: 20 − 14
    /// assert_eq!(s.relative(20, 0), Some(11.0)); // ⌊20/4⌋ + 8 − 8/4 − ⌊0/4⌋
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn new(group: usize, window: usize) -> Result<Self, Error> {
        if group == 0 {
            return Err(bad(
                "group",
                0,
                "Self-Extend divides positions by the group size: it must be at least 1",
            ));
        }
        if window == 0 {
            return Err(bad(
                "window",
                0,
                "the neighbour window must hold at least 1 token",
            ));
        }
        Ok(SelfExtend { group, window })
    }

    /// The group size `G`.
    pub fn group(&self) -> usize {
        self.group
    }

    /// The neighbour window `w`.
    pub fn window(&self) -> usize {
        self.window
    }
}

impl Remap for SelfExtend {
    fn name(&self) -> String {
        format!("Self-Extend G = {}, w = {}", self.group, self.window)
    }

    // ANCHOR: pair
    fn pair(&self, i: usize, j: usize) -> (f64, f64) {
        let (g, w) = (self.group, self.window);
        if i - j < w {
            return (i as f64, j as f64); // the neighbour mask: positions as trained
        }
        // Grouped: `query_position // G + w − w / G` (a true division in the code) against
        // `key_position // G`.
        let q = (i / g) as f64 + w as f64 - w as f64 / g as f64;
        (q, (j / g) as f64)
    }
    // ANCHOR_END: pair
}
