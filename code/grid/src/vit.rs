//! A learned 2-D position table (ViT) and its resampling to a larger grid.
//!
//! ViT (Dosovitskiy et al., *An Image is Worth 16x16 Words*, 2020, arXiv:2010.11929) learns one
//! vector per patch position and, to fine-tune at a higher resolution, performs "2D interpolation
//! of the pre-trained position embeddings, according to their location in the original image"
//! (Section 3.2). Two interpolation conventions are in use:
//!
//! - [`Align::Corners`]: the corner patches of the old and new grids coincide. big_vision's
//!   `resample_posemb` (`big_vision/models/vit.py`, commit `0b73d7b0`) calls
//!   `scipy.ndimage.zoom(grid, zoom, order=1)`, which maps output index `o` to input
//!   `o · (n_in − 1) / (n_out − 1)` and interpolates linearly.
//! - [`Align::HalfPixel`]: the pixel *edges* coincide, PyTorch's
//!   `F.interpolate(mode="bilinear", align_corners=False)` (what timm's
//!   `resample_abs_pos_embed` in `timm/layers/pos_embed.py` calls with
//!   `interpolation="bilinear"`; its default is bicubic, which this crate does not implement).
//!
//! Both are computed for growing grids only, a choice of this crate: SciPy's `zoom` shrinks with
//! the same formula, but timm antialiases by default when it shrinks, and neither formula here
//! does.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2};

use errors::{bad, shape};

use crate::Error;

/// A grid of `rows × cols` patches (or tokens), both at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    rows: usize,
    cols: usize,
}

/// The largest side this crate accepts: 4096 patches (a 57 344-pixel image at patch size 14).
pub const MAX_SIDE: usize = 4096;

impl Grid {
    /// A grid of `rows × cols`.
    ///
    /// # Errors
    /// A side of zero, or one above [`MAX_SIDE`].
    ///
    /// ```
    /// use grid::Grid;
    /// assert_eq!(Grid::new(4, 6)?.len(), 24);
    /// let e = Grid::new(0, 6).unwrap_err();
    /// assert_eq!(e.to_string(), "grid rows = 0 is not allowed: a grid needs at least one row and \
    ///     one column");
    /// # Ok::<(), grid::Error>(())
    /// ```
    pub fn new(rows: usize, cols: usize) -> Result<Grid, Error> {
        for (what, n) in [("grid rows", rows), ("grid columns", cols)] {
            if n == 0 {
                return Err(bad(what, n, "a grid needs at least one row and one column"));
            }
            if n > MAX_SIDE {
                return Err(bad(what, n, "it must be at most 4096"));
            }
        }
        Ok(Grid { rows, cols })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// How many cells: `rows · cols`.
    #[allow(clippy::len_without_is_empty)] // a grid is never empty
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// The row-major index of cell `(row, col)`: the order ViT flattens its patches in.
    pub fn index(&self, row: usize, col: usize) -> usize {
        row * self.cols + col
    }
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.rows, self.cols)
    }
}

impl FromStr for Grid {
    type Err = String;

    /// `"4x6"`: rows, then columns.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = s
            .split_once('x')
            .and_then(|(r, c)| Some((r.trim().parse().ok()?, c.trim().parse().ok()?)));
        let (rows, cols) =
            parsed.ok_or_else(|| format!("expected ROWSxCOLS such as 4x6, got `{s}`"))?;
        Grid::new(rows, cols).map_err(|e| e.to_string())
    }
}

/// Which points of the old and new grids are made to coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The centres of the corner cells (`scipy.ndimage.zoom`, big_vision).
    Corners,
    /// The outer edges of the grids (PyTorch's `align_corners=False`).
    HalfPixel,
}

impl FromStr for Align {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "corners" => Ok(Align::Corners),
            "half-pixel" => Ok(Align::HalfPixel),
            _ => Err(format!("expected corners or half-pixel, got `{s}`")),
        }
    }
}

/// Where output index `o` of `n_out` reads in an input of `n_in` (`n_out ≥ n_in`): a fractional
/// index in `[0, n_in − 1]`.
///
/// ```
/// use grid::vit::{Align, source};
/// assert_eq!(source(3, 2, 4, Align::Corners), 1.0); // the last cell lands on the last cell
/// assert_eq!(source(1, 2, 4, Align::Corners), 1.0 / 3.0);
/// assert_eq!(source(0, 2, 4, Align::HalfPixel), 0.0); // −0.25, clamped
/// assert_eq!(source(1, 2, 4, Align::HalfPixel), 0.25);
/// ```
pub fn source(o: usize, n_in: usize, n_out: usize, align: Align) -> f64 {
    // ANCHOR: source
    let (o, n_in, n_out) = (o as f64, n_in as f64, n_out as f64);
    match align {
        Align::Corners if n_out > 1.0 => o * (n_in - 1.0) / (n_out - 1.0),
        Align::Corners => 0.0,
        Align::HalfPixel => ((o + 0.5) * n_in / n_out - 0.5).max(0.0),
    }
    // ANCHOR_END: source
}

/// For each output index: the two input indices it mixes and the weight of the second.
fn taps(n_in: usize, n_out: usize, align: Align) -> Vec<(usize, usize, f64)> {
    (0..n_out)
        .map(|o| {
            let s = source(o, n_in, n_out, align);
            // s ≤ n_in − 1 in both conventions (half-pixel: below n_in − 1/2), so lo is a cell.
            let lo = s.floor() as usize;
            (lo, (lo + 1).min(n_in - 1), s - lo as f64)
        })
        .collect()
}

fn check(table: ArrayView2<'_, f64>, old: Grid, new: Grid) -> Result<(), Error> {
    if table.nrows() != old.len() {
        return Err(shape(
            "a position table has one row per cell of the old grid",
            vec![old.len(), table.ncols()],
            vec![table.nrows(), table.ncols()],
        ));
    }
    if new.rows < old.rows || new.cols < old.cols {
        return Err(bad(
            "new grid",
            new,
            format!(
                "it must be at least as large as the old grid {old} on both axes (shrinking \
                 needs antialiasing, which this resampling does not do)"
            ),
        ));
    }
    if let Some((i, &v)) = table.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "table",
            at: Some((i / table.ncols().max(1), i % table.ncols().max(1))),
            value: v,
        });
    }
    Ok(())
}

/// The table resampled to `new`, separably: first along the rows of the grid, then along the
/// columns (each a 1-D linear interpolation), as `scipy.ndimage.zoom` and PyTorch do.
///
/// `table` has one row per cell of `old` in row-major order and one column per channel.
///
/// # Errors
/// A table that does not have `old.len()` rows, a `new` grid smaller than `old` on an axis, or a
/// non-finite entry.
///
/// ```
/// use grid::{Grid, vit::{Align, resample}};
/// use ndarray::array;
/// // A 1×2 table (one channel) stretched to 1×3: the middle cell is the mean.
/// let t = array![[0.0], [1.0]];
/// let r = resample(t.view(), Grid::new(1, 2)?, Grid::new(1, 3)?, Align::Corners)?;
/// assert_eq!(r, array![[0.0], [0.5], [1.0]]);
/// # Ok::<(), grid::Error>(())
/// ```
pub fn resample(
    table: ArrayView2<'_, f64>,
    old: Grid,
    new: Grid,
    align: Align,
) -> Result<Array2<f64>, Error> {
    check(table, old, new)?;
    let d = table.ncols();
    // Along the rows: [new.rows · old.cols, d].
    let mut tall = Array2::zeros((new.rows * old.cols, d));
    for (r, (lo, hi, f)) in taps(old.rows, new.rows, align).into_iter().enumerate() {
        for c in 0..old.cols {
            let (a, b) = (table.row(old.index(lo, c)), table.row(old.index(hi, c)));
            let mut dst = tall.row_mut(r * old.cols + c);
            dst.zip_mut_with(&a, |x, &y| *x = (1.0 - f) * y);
            dst.zip_mut_with(&b, |x, &y| *x += f * y);
        }
    }
    // Along the columns: [new.rows · new.cols, d].
    let mut out = Array2::zeros((new.len(), d));
    for (c, (lo, hi, f)) in taps(old.cols, new.cols, align).into_iter().enumerate() {
        for r in 0..new.rows {
            let (a, b) = (tall.row(r * old.cols + lo), tall.row(r * old.cols + hi));
            let mut dst = out.row_mut(new.index(r, c));
            dst.zip_mut_with(&a, |x, &y| *x = (1.0 - f) * y);
            dst.zip_mut_with(&b, |x, &y| *x += f * y);
        }
    }
    Ok(out)
}

/// The textbook form of [`resample`]: each new cell reads its source point `(y, x)` and mixes
/// the four old cells around it with the bilinear weights `(1 − fy)(1 − fx)`, `(1 − fy) fx`,
/// `fy (1 − fx)` and `fy fx`.
///
/// # Errors
/// As [`resample`].
///
/// ```
/// use grid::{Grid, vit::{Align, resample, resample_slow}};
/// use ndarray::array;
/// let t = array![[0.0], [1.0], [2.0], [4.0]]; // a 2×2 grid
/// let (old, new) = (Grid::new(2, 2)?, Grid::new(3, 3)?);
/// let slow = resample_slow(t.view(), old, new, Align::Corners)?;
/// assert_eq!(slow[[4, 0]], 1.75); // the centre: the mean of the four corners
/// assert_eq!(slow, resample(t.view(), old, new, Align::Corners)?);
/// # Ok::<(), grid::Error>(())
/// ```
pub fn resample_slow(
    table: ArrayView2<'_, f64>,
    old: Grid,
    new: Grid,
    align: Align,
) -> Result<Array2<f64>, Error> {
    check(table, old, new)?;
    // ANCHOR: bilinear
    let mut out = Array2::zeros((new.len(), table.ncols())); // [new rows · new cols, d]
    for r in 0..new.rows {
        let (y, x_rows) = (source(r, old.rows, new.rows, align), old.rows - 1);
        let (y0, fy) = (y.floor() as usize, y - y.floor());
        let y1 = (y0 + 1).min(x_rows);
        for c in 0..new.cols {
            let x = source(c, old.cols, new.cols, align);
            let (x0, fx) = (x.floor() as usize, x - x.floor());
            let x1 = (x0 + 1).min(old.cols - 1);
            for ch in 0..table.ncols() {
                let v = |yy: usize, xx: usize| table[[old.index(yy, xx), ch]];
                out[[new.index(r, c), ch]] = (1.0 - fy) * ((1.0 - fx) * v(y0, x0) + fx * v(y0, x1))
                    + fy * ((1.0 - fx) * v(y1, x0) + fx * v(y1, x1));
            }
        }
    }
    // ANCHOR_END: bilinear
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn grids_parse_and_refuse() {
        assert_eq!("4x6".parse::<Grid>(), Ok(Grid::new(4, 6).unwrap()));
        assert_eq!(Grid::new(4, 6).unwrap().to_string(), "4x6");
        assert!("4x".parse::<Grid>().unwrap_err().contains("ROWSxCOLS"));
        assert!("0x3".parse::<Grid>().unwrap_err().contains("grid rows = 0"));
        assert!(
            "3x0"
                .parse::<Grid>()
                .unwrap_err()
                .contains("grid columns = 0")
        );
        assert!(Grid::new(4096, 1).is_ok());
        assert!(Grid::new(1, 4097).is_err());
        assert!(Grid::new(4097, 1).is_err());
        assert_eq!(Grid::new(3, 5).unwrap().index(2, 1), 11);
        assert_eq!("corners".parse::<Align>(), Ok(Align::Corners));
        assert_eq!("half-pixel".parse::<Align>(), Ok(Align::HalfPixel));
        assert!("cubic".parse::<Align>().is_err());
    }

    #[test]
    fn bad_tables_are_refused() {
        let g = |r, c| Grid::new(r, c).unwrap();
        let t = Array2::<f64>::zeros((4, 2));
        let e = resample(t.view(), g(2, 3), g(4, 4), Align::Corners).unwrap_err();
        assert!(e.to_string().contains("expected [6, 2], got [4, 2]"), "{e}");
        let e = resample(t.view(), g(2, 2), g(1, 4), Align::Corners).unwrap_err();
        assert!(
            e.to_string().starts_with("new grid = 1x4 is not allowed"),
            "{e}"
        );
        assert!(resample(t.view(), g(2, 2), g(4, 1), Align::Corners).is_err());
        let mut bad = t.clone();
        bad[[3, 1]] = f64::NAN;
        let e = resample_slow(bad.view(), g(2, 2), g(3, 3), Align::HalfPixel).unwrap_err();
        assert!(
            matches!(
                e,
                Error::NonFinite {
                    at: Some((3, 1)),
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn half_pixel_taps_match_pytorch_by_hand() {
        // 2 → 4: sources −0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper tap clamped).
        let t = taps(2, 4, Align::HalfPixel);
        assert_eq!(
            t,
            vec![(0, 1, 0.0), (0, 1, 0.25), (0, 1, 0.75), (1, 1, 0.25)]
        );
        let r = resample(
            array![[0.0], [4.0]].view(),
            Grid::new(1, 2).unwrap(),
            Grid::new(1, 4).unwrap(),
            Align::HalfPixel,
        )
        .unwrap();
        assert_eq!(r, array![[0.0], [1.0], [3.0], [4.0]]);
        // One cell stretched: every new cell is that cell, in both conventions.
        assert_eq!(taps(1, 3, Align::Corners), vec![(0, 0, 0.0); 3]);
        assert_eq!(source(0, 1, 1, Align::Corners), 0.0);
    }
}
