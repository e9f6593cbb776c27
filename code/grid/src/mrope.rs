//! M-RoPE, multimodal RoPE (Wang et al., *Qwen2-VL*, 2024, arXiv:2409.12191, Section 2.1): every
//! token has three position ids `(t, h, w)`, and each of the `d/2` rotary frequencies reads one
//! of them. `mrope_section` says how many frequencies read each.
//!
//! Two layouts, both in Hugging Face transformers 5.24.0:
//!
//! - [`Sections::Chunked`] (Qwen2-VL and Qwen2.5-VL, `recomposition_frequencies` in
//!   `modeling_qwen2_vl.py`): the frequencies are split into consecutive chunks of the section
//!   sizes, the first chunk reading `t`, the second `h`, the third `w` (`[16, 24, 24]`: `t` gets
//!   the 16 fastest frequencies, `w` the 24 slowest);
//! - [`Sections::Interleaved`] (Qwen3-VL, `modeling_qwen3_vl.py`): frequencies cycle
//!   `t, h, w, t, h, w, …` until the `h` and `w` sections are used up, the rest read `t`
//!   (`[24, 20, 20]`).
//!
//! The rotation is chapter 5's in the half-split layout (`rotate_half`, pair `(j, j + d/2)`),
//! with frequency `j` turned by the position id its section names.

use std::str::FromStr;

use ndarray::{Array1, ArrayView1};

use errors::bad;
use rope::{Layout, Rope};

use crate::Error;

/// One of the three position components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Time (the frame).
    T,
    /// Height (the row).
    H,
    /// Width (the column).
    W,
}

impl Axis {
    /// The three axes in the order position ids store them.
    pub const ALL: [Axis; 3] = [Axis::T, Axis::H, Axis::W];

    /// `0`, `1`, `2` for `t`, `h`, `w`.
    pub fn index(self) -> usize {
        match self {
            Axis::T => 0,
            Axis::H => 1,
            Axis::W => 2,
        }
    }

    /// `"t"`, `"h"` or `"w"`.
    pub fn name(self) -> &'static str {
        ["t", "h", "w"][self.index()]
    }
}

/// How `mrope_section` is laid over the frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sections {
    /// Consecutive chunks `t | h | w` (Qwen2-VL, Qwen2.5-VL).
    Chunked,
    /// `t, h, w` cycling, the rest `t` (Qwen3-VL, `mrope_interleaved`).
    Interleaved,
}

impl FromStr for Sections {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "chunked" => Ok(Sections::Chunked),
            "interleaved" => Ok(Sections::Interleaved),
            _ => Err(format!("expected chunked or interleaved, got `{s}`")),
        }
    }
}

/// M-RoPE for heads of width `head_dim`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mrope {
    rope: Rope,
    section: [usize; 3],
    layout: Sections,
    axes: Vec<Axis>,
}

impl Mrope {
    /// M-RoPE with `mrope_section = section` laid out by `layout`.
    ///
    /// # Errors
    /// A bad head width or base (as chapter 5's [`Rope::new`]); sections that do not add up to
    /// `head_dim / 2` (Qwen2-VL's `torch.split` would fail too); for the interleaved layout, an
    /// `h` or `w` section larger than a third of the frequencies (its stride-3 slots run out).
    ///
    /// ```
    /// use grid::mrope::{Mrope, Sections};
    /// assert!(Mrope::new(128, 1e6, [16, 24, 24], Sections::Chunked).is_ok());
    /// let e = Mrope::new(128, 1e6, [16, 24, 32], Sections::Chunked).unwrap_err();
    /// assert_eq!(e.to_string(), "mrope_section = [16, 24, 32] is not allowed: its sizes add up \
    ///     to 72 but a head of 128 has 64 frequencies");
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn new(
        head_dim: usize,
        base: f64,
        section: [usize; 3],
        layout: Sections,
    ) -> Result<Mrope, Error> {
        let rope = Rope::new(head_dim, base, Layout::HalfSplit)?;
        let half = head_dim / 2;
        let sum: usize = section.iter().sum();
        if sum != half {
            return Err(bad(
                "mrope_section",
                format!("{section:?}"),
                format!(
                    "its sizes add up to {sum} but a head of {head_dim} has {half} frequencies"
                ),
            ));
        }
        if layout == Sections::Interleaved && 3 * section[1].max(section[2]) > half {
            return Err(bad(
                "mrope_section",
                format!("{section:?}"),
                format!(
                    "interleaved, the h and w sections take every third of the {half} \
                     frequencies, so each must be at most {}",
                    half / 3
                ),
            ));
        }
        let axes = (0..half)
            .map(|j| match layout {
                Sections::Chunked if j < section[0] => Axis::T,
                Sections::Chunked if j < section[0] + section[1] => Axis::H,
                Sections::Chunked => Axis::W,
                Sections::Interleaved if j % 3 == 1 && j < 3 * section[1] => Axis::H,
                Sections::Interleaved if j % 3 == 2 && j < 3 * section[2] => Axis::W,
                Sections::Interleaved => Axis::T,
            })
            .collect();
        Ok(Mrope {
            rope,
            section,
            layout,
            axes,
        })
    }

    /// The head width.
    pub fn head_dim(&self) -> usize {
        self.rope.head_dim()
    }

    /// `mrope_section`.
    pub fn section(&self) -> [usize; 3] {
        self.section
    }

    /// The layout.
    pub fn layout(&self) -> Sections {
        self.layout
    }

    /// Which position component frequency `j` reads, for `j = 0 … d/2 − 1`.
    ///
    /// ```
    /// use grid::mrope::{Axis, Mrope, Sections};
    /// let m = Mrope::new(12, 1e4, [2, 2, 2], Sections::Chunked)?;
    /// assert_eq!(m.axes(), [Axis::T, Axis::T, Axis::H, Axis::H, Axis::W, Axis::W]);
    /// let m = Mrope::new(12, 1e4, [2, 2, 2], Sections::Interleaved)?;
    /// assert_eq!(m.axes(), [Axis::T, Axis::H, Axis::W, Axis::T, Axis::H, Axis::W]);
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    /// The frequencies `θ_j = base^(−2j/d)`, chapter 5's.
    pub fn inv_freq(&self) -> Array1<f64> {
        self.rope.inv_freq()
    }

    /// Rotates `x` to position ids `pos = [t, h, w]`: pair `(j, j + d/2)` turns by
    /// `pos[axis_j] · θ_j`.
    ///
    /// # Errors
    /// A vector that is not one head wide, or an id beyond 2^53.
    ///
    /// ```
    /// use grid::mrope::{Mrope, Sections};
    /// use rope::{Layout, Rope};
    /// use ndarray::array;
    /// // A text token has t = h = w: M-RoPE is then 1-D RoPE, to the bit.
    /// let m = Mrope::new(4, 1e4, [1, 0, 1], Sections::Chunked)?;
    /// let x = array![0.5, -1.0, 2.0, 0.25];
    /// let one_d = Rope::new(4, 1e4, Layout::HalfSplit)?.rotate(x.view(), 7.0)?;
    /// assert_eq!(m.rotate(x.view(), [7, 7, 7])?, one_d);
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn rotate(&self, x: ArrayView1<'_, f64>, pos: [u64; 3]) -> Result<Array1<f64>, Error> {
        crate::axial::one_head(x, self.head_dim())?;
        if let Some(&p) = pos.iter().find(|&&p| p > 1 << 53) {
            return Err(bad("position id", p, "it must be at most 2^53"));
        }
        // ANCHOR: rotate
        let mut out = x.to_owned(); // [d]
        for ((a, b, theta), axis) in self.rope.pairs().into_iter().zip(&self.axes) {
            let m = pos[axis.index()] as f64; // this frequency's component
            let (sin, cos) = (m * theta).sin_cos();
            out[a] = x[a] * cos - x[b] * sin;
            out[b] = x[a] * sin + x[b] * cos;
        }
        // ANCHOR_END: rotate
        Ok(out)
    }

    /// How many frequencies read each axis, `[t, h, w]` (the section sizes, counted back).
    pub fn counts(&self) -> [usize; 3] {
        let mut c = [0; 3];
        for a in &self.axes {
            c[a.index()] += 1;
        }
        c
    }
}

/// Parses `mrope_section` written as `16,24,24`.
///
/// # Errors
/// Anything but three non-negative integers separated by commas, as text for clap.
///
/// ```
/// assert_eq!(grid::mrope::parse_section("16,24,24"), Ok([16, 24, 24]));
/// assert!(grid::mrope::parse_section("16,24").is_err());
/// ```
pub fn parse_section(text: &str) -> Result<[usize; 3], String> {
    let v: Vec<usize> = bookkit::cli::list(text)?;
    <[usize; 3]>::try_from(v).map_err(|v| {
        format!(
            "expected three sizes t,h,w such as 16,24,24, got {} of them",
            v.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen_sections_count_back() {
        let q2 = Mrope::new(128, 1e6, [16, 24, 24], Sections::Chunked).unwrap();
        assert_eq!(q2.counts(), [16, 24, 24]);
        assert_eq!(q2.axes()[15], Axis::T);
        assert_eq!(q2.axes()[16], Axis::H);
        assert_eq!(q2.axes()[39], Axis::H);
        assert_eq!(q2.axes()[40], Axis::W);
        let q3 = Mrope::new(128, 5e6, [24, 20, 20], Sections::Interleaved).unwrap();
        assert_eq!(q3.counts(), [24, 20, 20]);
        assert_eq!(
            &q3.axes()[57..],
            &[
                Axis::T,
                Axis::H,
                Axis::W,
                Axis::T,
                Axis::T,
                Axis::T,
                Axis::T
            ]
        );
        assert_eq!(
            (q3.section(), q3.layout(), q3.head_dim()),
            ([24, 20, 20], Sections::Interleaved, 128)
        );
        assert_eq!(q3.inv_freq(), sinusoidal::frequencies(128, 5e6).unwrap());
    }

    #[test]
    fn bad_sections_are_refused() {
        let e = Mrope::new(128, 1e6, [4, 30, 30], Sections::Interleaved).unwrap_err();
        assert!(e.to_string().contains("each must be at most 21"), "{e}");
        assert!(Mrope::new(128, 1e6, [22, 21, 21], Sections::Interleaved).is_ok());
        assert!(Mrope::new(128, 1e6, [21, 22, 21], Sections::Interleaved).is_err());
        assert!(Mrope::new(128, 1e6, [21, 21, 22], Sections::Interleaved).is_err());
        assert!(Mrope::new(7, 1e6, [1, 1, 1], Sections::Chunked).is_err());
        let m = Mrope::new(4, 1e4, [1, 0, 1], Sections::Chunked).unwrap();
        let e = m.rotate(Array1::zeros(3).view(), [0; 3]).unwrap_err();
        assert!(e.to_string().contains("expected [4], got [3]"), "{e}");
        let e = m
            .rotate(Array1::zeros(4).view(), [0, (1 << 53) + 1, 0])
            .unwrap_err();
        assert!(
            e.to_string().starts_with("position id = 9007199254740993"),
            "{e}"
        );
        assert!(m.rotate(Array1::zeros(4).view(), [1 << 53; 3]).is_ok());
        assert_eq!("chunked".parse::<Sections>(), Ok(Sections::Chunked));
        assert_eq!("interleaved".parse::<Sections>(), Ok(Sections::Interleaved));
        assert!("mixed".parse::<Sections>().is_err());
        assert!(
            parse_section("1,2,3,4")
                .unwrap_err()
                .contains("got 4 of them")
        );
        assert!(parse_section("a,b,c").is_err());
        assert_eq!(Axis::ALL.map(Axis::name), ["t", "h", "w"]);
    }
}
