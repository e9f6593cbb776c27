//! ReRoPE (Su 2023, "Rectified Rotary Position Embeddings"; a blog post and the code of
//! `bojone/rerope`, no paper): relative positions up to a window as trained, every larger one
//! clipped to the window, and queries scaled up with the length. Read in `rerope_patch.py`,
//! `forward_with_rerope`, and `leaky_rerope_patch.py`, `forward_with_leaky_rerope`, at commit
//! `acfe78840357a94d0bb504cb8865eeaa752df1a6`.

use errors::bad;

use crate::Error;
use crate::remap::Remap;

/// ReRoPE with window `w` for a model trained on `training` tokens, optionally leaky.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReRope {
    window: usize,
    training: usize,
    leak: Option<f64>,
}

impl ReRope {
    /// Plain ReRoPE: `M[i][j] = min(i − j, w)`.
    ///
    /// # Errors
    /// A window of 0, or a training length below 2 (its logarithm divides the query scale).
    ///
    /// ```
    /// use runtime::{ReRope, remap::Remap};
    /// let r = runtime::ReRope::new(4, 16)?;
    /// assert_eq!(r.relative(10, 8), Some(2.0));
    /// assert_eq!(r.relative(10, 1), Some(4.0));
    /// assert!(ReRope::new(0, 16).is_err());
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn new(window: usize, training: usize) -> Result<Self, Error> {
        if window == 0 {
            return Err(bad("window", 0, "ReRoPE needs a window of at least 1"));
        }
        if training < 2 {
            return Err(bad(
                "training",
                training,
                "the query scale divides by ln(training length): it must be at least 2",
            ));
        }
        Ok(ReRope {
            window,
            training,
            leak: None,
        })
    }

    /// Leaky ReRoPE: beyond the window, positions grow again at `1/k` of their pace,
    /// `M[i][j] = w + (i − j − w)/k` (the code's second, linearly scaled rotary table).
    ///
    /// # Errors
    /// As [`ReRope::new`], and a factor `k` that is not a finite number above 1.
    ///
    /// ```
    /// use runtime::{ReRope, remap::Remap};
    /// let r = ReRope::leaky(4, 16, 4.0)?;
    /// assert_eq!(r.relative(20, 0), Some(8.0)); // 4 + 16 / 4
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn leaky(window: usize, training: usize, k: f64) -> Result<Self, Error> {
        if !(k.is_finite() && k > 1.0) {
            return Err(bad(
                "k",
                k,
                "leaky ReRoPE's factor must be a finite number above 1",
            ));
        }
        Ok(ReRope {
            leak: Some(k),
            ..ReRope::new(window, training)?
        })
    }

    /// The window `w`.
    pub fn window(&self) -> usize {
        self.window
    }
}

impl Remap for ReRope {
    fn name(&self) -> String {
        match self.leak {
            None => format!("ReRoPE w = {}", self.window),
            Some(k) => format!("leaky ReRoPE w = {}, k = {k}", self.window),
        }
    }

    // ANCHOR: pair
    fn pair(&self, i: usize, j: usize) -> (f64, f64) {
        let (d, w) = (i - j, self.window);
        if d < w {
            return (i as f64, j as f64); // inside the window: as trained
        }
        // Outside it the code turns the query by w and leaves the key unturned (position 0).
        match self.leak {
            None => (w as f64, 0.0),
            Some(k) => (w as f64 + (d - w) as f64 / k, 0.0),
        }
    }

    /// `max(1, ln(i + 1) / ln(L))`: the code multiplies every query by it (`query_states *= ...`).
    fn query_scale(&self, i: usize) -> f64 {
        ((i as f64 + 1.0).ln() / (self.training as f64).ln()).max(1.0)
    }
    // ANCHOR_END: pair
}
