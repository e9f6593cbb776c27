//! Position information: a learned table (a positional *embedding*), the one-hot view of a
//! lookup, the fixed sinusoidal function (a positional *encoding*, previewed here and derived in
//! chapter 2), and adding either one to the token matrix.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::{D_MODEL, Error};

// ANCHOR: table
/// A learned position embedding: a table with one trainable row per position, exactly like a word
/// embedding table indexed by position instead of by token.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionTable {
    rows: Array2<f64>, // [max_len, d]
}

impl PositionTable {
    /// The row for `position`.
    ///
    /// # Errors
    /// [`Error::PositionOutOfRange`] past the last row: a learned table has nothing to say there.
    pub fn lookup(&self, position: usize) -> Result<ArrayView1<'_, f64>, Error> {
        if position >= self.rows.nrows() {
            return Err(Error::PositionOutOfRange {
                position,
                len: self.rows.nrows(),
            });
        }
        Ok(self.rows.row(position))
    }
}
// ANCHOR_END: table

impl PositionTable {
    /// Wraps a `[max_len, d]` table.
    ///
    /// # Errors
    /// [`Error::Bad`] for zero rows or columns.
    ///
    /// ```
    /// use order::PositionTable;
    /// let table = PositionTable::new(ndarray::Array2::zeros((8, 4)))?;
    /// assert_eq!(table.max_len(), 8);
    /// assert!(PositionTable::new(ndarray::Array2::zeros((0, 4))).is_err());
    /// # Ok::<(), order::Error>(())
    /// ```
    pub fn new(rows: Array2<f64>) -> Result<Self, Error> {
        if rows.nrows() == 0 {
            return Err(errors::bad(
                "max_len",
                0,
                "a position table needs at least one row",
            ));
        }
        if rows.ncols() == 0 {
            return Err(errors::bad(
                "d",
                0,
                "position vectors need at least one component",
            ));
        }
        Ok(PositionTable { rows })
    }

    /// How many positions the table covers.
    ///
    /// ```
    /// assert_eq!(order::PositionTable::chapter().max_len(), 8);
    /// ```
    pub fn max_len(&self) -> usize {
        self.rows.nrows()
    }

    /// The whole table.
    pub fn rows(&self) -> ArrayView2<'_, f64> {
        self.rows.view()
    }

    /// The chapter's table: 8 positions × [`D_MODEL`], values drawn uniformly from
    /// `[-0.5, 0.5]` by a seeded generator, standing in for a freshly initialised trainable table
    /// (no training happens in this chapter).
    ///
    /// ```
    /// let table = order::PositionTable::chapter();
    /// assert_eq!(table.rows().dim(), (8, order::D_MODEL));
    /// assert!(table.rows().iter().all(|v| (-0.5..0.5).contains(v)));
    /// assert_eq!(table, order::PositionTable::chapter()); // seeded: the same every run
    /// ```
    pub fn chapter() -> Self {
        let mut rng = bookkit::rng::SplitMix64(0x5EED);
        let rows = Array2::from_shape_fn((8, D_MODEL), |_| rng.next_f64() - 0.5);
        PositionTable::new(rows).expect("8 × 4 is a valid table")
    }
}

/// The one-hot vector of `index` among `len` classes.
///
/// # Errors
/// [`Error::PositionOutOfRange`] when `index >= len`.
///
/// ```
/// use order::{one_hot, PositionTable};
/// // Looking a row up is multiplying its one-hot vector by the table.
/// let table = PositionTable::chapter();
/// let by_product = one_hot(3, table.max_len())?.dot(&table.rows());
/// assert_eq!(by_product, table.lookup(3)?);
/// # Ok::<(), order::Error>(())
/// ```
pub fn one_hot(index: usize, len: usize) -> Result<Array1<f64>, Error> {
    if len == 0 {
        return Err(errors::bad(
            "len",
            0,
            "a one-hot vector needs at least one class",
        ));
    }
    if index >= len {
        return Err(Error::PositionOutOfRange {
            position: index,
            len,
        });
    }
    let mut v = Array1::zeros(len);
    v[index] = 1.0;
    Ok(v)
}

/// A fixed positional encoding: a function from positions to vectors, nothing learned. This is the
/// sinusoidal encoding of Vaswani et al. (2017), which chapter 2 derives:
/// `PE(p)_{2i} = sin(p ω_i)`, `PE(p)_{2i+1} = cos(p ω_i)`, `ω_i = 10000^{-2i/d}`.
///
/// Chapter 2's crate (`sinusoidal`) comes later in the book and may not be a dependency here, so
/// this preview computes `ω_i` itself; `sinusoidal`'s test `chapter_one_preview_is_the_same_encoding`
/// holds it equal, bit for bit, to `sinusoidal::frequencies` and `Sinusoid::encode`.
///
/// # Errors
/// [`Error::Bad`] when `d` is zero or odd (sines and cosines come in pairs).
///
/// ```
/// let pe = order::fixed_encoding(0, 4)?;
/// assert_eq!(pe.to_vec(), vec![0.0, 1.0, 0.0, 1.0]);
/// // Defined for every position, however large: no table to run off the end of.
/// assert!(order::fixed_encoding(1_000_000, 4).is_ok());
/// # Ok::<(), order::Error>(())
/// ```
pub fn fixed_encoding(position: usize, d: usize) -> Result<Array1<f64>, Error> {
    if d == 0 || d % 2 == 1 {
        return Err(errors::bad(
            "d",
            d,
            "the encoding needs a positive even width (sin and cos pairs)",
        ));
    }
    Ok(Array1::from_shape_fn(d, |c| {
        encoding_entry(position as f64, c, d)
    }))
}

// ANCHOR: encoding
/// Entry `c` of the encoding of (possibly fractional) position `p` for width `d`.
pub(crate) fn encoding_entry(p: f64, c: usize, d: usize) -> f64 {
    let i = (c / 2) as f64; // entries 2i and 2i + 1 share the frequency ω_i
    let omega = 10000f64.powf(-2.0 * i / d as f64); // ω_i = 10000^(-2i/d)
    if c.is_multiple_of(2) {
        (p * omega).sin()
    } else {
        (p * omega).cos()
    }
}
// ANCHOR_END: encoding

/// Which position information, if any, is added to the token embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// None: the transformer sees a bag of tokens.
    None,
    /// The learned table [`PositionTable::chapter`].
    Learned,
    /// The fixed encoding [`fixed_encoding`].
    Fixed,
}

/// The transformer's input: token embeddings `x` (`[n, d]`) plus, row by row, the vector of each
/// position.
///
/// # Errors
/// [`Error::PositionOutOfRange`] when the sentence is longer than the learned table;
/// [`Error::Shape`] when the learned table's width is not `x`'s; [`Error::Bad`] for an odd width
/// with the fixed encoding.
///
/// ```
/// use order::{embed, tokenize, with_positions, Positions};
/// let x = embed(&tokenize("John likes cats")?);
/// let with = with_positions(x.view(), Positions::Fixed)?;
/// // Position 0 adds (0, 1, 0, 1) to John's (1, 0, 1, 0).
/// assert_eq!(with.row(0).to_vec(), vec![1.0, 1.0, 1.0, 1.0]);
/// # Ok::<(), order::Error>(())
/// ```
pub fn with_positions(x: ArrayView2<'_, f64>, positions: Positions) -> Result<Array2<f64>, Error> {
    if positions == Positions::Learned && x.ncols() != D_MODEL {
        return Err(errors::shape(
            "the learned table's rows are d_model wide, so x must be too",
            vec![x.nrows(), D_MODEL],
            x.shape().to_vec(),
        ));
    }
    // ANCHOR: add_positions
    let mut out = x.to_owned(); // [n, d]
    let table = PositionTable::chapter();
    for (p, mut row) in out.rows_mut().into_iter().enumerate() {
        match positions {
            Positions::None => {}
            Positions::Learned => row += &table.lookup(p)?, // x_p + P_emb[p]
            Positions::Fixed => row += &fixed_encoding(p, x.ncols())?, // x_p + PE(p)
        }
    }
    Ok(out)
    // ANCHOR_END: add_positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attend;

    #[test]
    fn learned_table_has_a_length_limit() {
        let table = PositionTable::chapter();
        assert!(table.lookup(7).is_ok());
        let e = table.lookup(8).unwrap_err();
        assert_eq!(
            e.to_string(),
            "position 8 has no row: the table covers positions 0 to 7"
        );
        let long = "John like cats John like cats John like cats";
        assert!(matches!(
            attend(long, Positions::Learned),
            Err(Error::PositionOutOfRange {
                position: 8,
                len: 8
            })
        ));
        // The fixed encoding has no such limit.
        assert!(attend(long, Positions::Fixed).is_ok());
        assert!(PositionTable::new(Array2::zeros((0, 4))).is_err());
        assert!(PositionTable::new(Array2::zeros((3, 0))).is_err());
    }

    #[test]
    fn fixed_encoding_refuses_odd_and_zero_widths() {
        for d in [0, 3] {
            let e = fixed_encoding(1, d).unwrap_err();
            assert!(e.to_string().contains("positive even width"), "{e}");
        }
        let pe = fixed_encoding(1, 4).unwrap();
        let want = [1f64.sin(), 1f64.cos(), 0.01f64.sin(), 0.01f64.cos()];
        for (a, b) in pe.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        let narrow = Array2::<f64>::zeros((2, 3));
        let e = with_positions(narrow.view(), Positions::Learned).unwrap_err();
        assert!(e.to_string().contains("expected [2, 4], got [2, 3]"), "{e}");
        assert!(with_positions(narrow.view(), Positions::Fixed).is_err()); // odd width
        let e = one_hot(0, 0).unwrap_err();
        assert!(e.to_string().contains("at least one class"), "{e}");
    }
}
