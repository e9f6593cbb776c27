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

    /// The smallest relative position a key outside the neighbour window gets, over the pairs of
    /// the first `n` tokens: the grouped position nearest the window (`None` when no two of the
    /// `n` tokens are `w` apart). A key at distance `d = i − j ≥ w` is shown at
    /// `⌊i/G⌋ − ⌊j/G⌋ + w − w/G`, and `⌊i/G⌋ − ⌊j/G⌋ ≥ ⌊d/G⌋ ≥ ⌊w/G⌋`, which the pair
    /// `(i, j) = (w, 0)` attains: so this is that pair's position, `⌊w/G⌋ + w − w/G`.
    ///
    /// ```
    /// use runtime::{SelfExtend, remap::Remap};
    /// // w = 4: G = 6 shows the keys just outside the window at 4 − 4/6, nearer 3 than G = 3 does.
    /// let near = |g| SelfExtend::new(g, 4).unwrap().nearest_grouped(64).unwrap();
    /// assert!((near(6) - (4.0 - 4.0 / 6.0)).abs() < 1e-12);
    /// assert!((near(3) - (1.0 + 4.0 - 4.0 / 3.0)).abs() < 1e-12);
    /// assert_eq!(SelfExtend::new(6, 4).unwrap().nearest_grouped(4), None);
    /// // No pair of 64 tokens at a distance of 4 or more comes nearer (up to the rounding of
    /// // `⌊i/G⌋ + w − w/G` at larger `i`).
    /// let se = SelfExtend::new(6, 4).unwrap();
    /// let all = (4..64).flat_map(|i| (0..=i - 4).map(move |j| (i, j)));
    /// assert!(all.filter_map(|(i, j)| se.relative(i, j)).all(|r| r > near(6) - 1e-12));
    /// ```
    pub fn nearest_grouped(&self, n: usize) -> Option<f64> {
        if n <= self.window {
            return None;
        }
        self.relative(self.window, 0)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `nearest_grouped` is the smallest position of any pair outside the window, by brute force
    /// over every pair of 40 tokens, for every group and window up to 12 and 8. Positions of
    /// size 10 to 40 computed as `⌊i/G⌋ + w − w/G` round differently for different `i`: 1e-12.
    #[test]
    fn nearest_grouped_is_the_smallest_outside_the_window() {
        for g in 1..=12 {
            for w in 1..=8 {
                let se = SelfExtend::new(g, w).unwrap();
                let brute = (w..40)
                    .flat_map(|i| (0..=i - w).map(move |j| (i, j)))
                    .filter_map(|(i, j)| se.relative(i, j))
                    .reduce(f64::min);
                let (near, brute) = (se.nearest_grouped(40).unwrap(), brute.unwrap());
                assert!(
                    (near - brute).abs() < 1e-12,
                    "G = {g}, w = {w}: {near} vs {brute}"
                );
                let closed = (w / g) as f64 + w as f64 - w as f64 / g as f64;
                assert!((near - closed).abs() < 1e-12, "G = {g}, w = {w}");
            }
        }
        assert_eq!(
            SelfExtend::new(3, 4)
                .unwrap()
                .nearest_grouped(5)
                .map(|_| ()),
            Some(())
        );
    }
}
