//! The learned table: one trainable row per position, initialised like the other weights, and
//! added to the tokens.

use bookkit::rng::SplitMix64;
use ndarray::{Array2, ArrayView2};
use order::PositionTable;

use crate::Error;

/// The spread BERT's `initializer_range` and GPT-1's initialisation use: 0.02 (BERT draws from a
/// normal distribution truncated at two standard deviations; GPT-2's released code uses 0.01 for
/// its position table). The chapter's tables use a plain normal with this spread.
pub const INIT_STD: f64 = 0.02;

/// A fresh table of `max_len` rows of width `d`, entries drawn from `N(0, std²)` by a seeded
/// generator.
///
/// # Errors
/// Zero `max_len` or `d`, more than 2^28 entries, or a `std` that is not positive and finite.
///
/// ```
/// let table = learned::init_table(512, 8, learned::INIT_STD, 7)?;
/// assert_eq!(table.max_len(), 512);
/// assert!(table.lookup(512).is_err()); // no row past the end
/// # Ok::<(), learned::Error>(())
/// ```
pub fn init_table(max_len: usize, d: usize, std: f64, seed: u64) -> Result<PositionTable, Error> {
    if !(std.is_finite() && std > 0.0) {
        return Err(errors::bad(
            "std",
            std.to_string(),
            "the initial spread must be a positive finite number",
        ));
    }
    if max_len.checked_mul(d).is_none_or(|n| n > 1 << 28) {
        return Err(errors::bad(
            "max_len × d",
            format!("{max_len} × {d}"),
            "a table here holds at most 2^28 entries",
        ));
    }
    let mut rng = SplitMix64(seed);
    let rows = Array2::from_shape_fn((max_len, d), |_| std * rng.next_gaussian());
    PositionTable::new(rows)
}

/// The model's input: token embeddings `x` (one row per token) plus the table's rows
/// `0..n`.
///
/// # Errors
/// A sequence longer than the table (naming the first position with no row), or a width
/// mismatch.
pub fn add_positions(x: ArrayView2<'_, f64>, table: &PositionTable) -> Result<Array2<f64>, Error> {
    let width = table.rows().ncols();
    if x.ncols() != width {
        return Err(errors::bad(
            "token width",
            x.ncols().to_string(),
            "token embeddings must be as wide as the position table's rows",
        ));
    }
    // ANCHOR: add
    let mut out = x.to_owned(); // one row per token
    for (p, mut row) in out.rows_mut().into_iter().enumerate() {
        row += &table.lookup(p)?; // x_p + P[p]; fails at p = max_len: there is no row to add
    }
    Ok(out)
    // ANCHOR_END: add
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_matches_its_spread() {
        let t = init_table(256, 64, INIT_STD, 1).unwrap();
        let n = (256 * 64) as f64;
        let mean = t.rows().sum() / n;
        let var = t.rows().mapv(|v| (v - mean).powi(2)).sum() / n;
        // 16384 samples: the sample std is within a few percent of 0.02 (its own standard error
        // is 0.02/√(2n) ≈ 1.1e-4).
        assert!((var.sqrt() - INIT_STD).abs() < 5e-4, "{}", var.sqrt());
        assert!(mean.abs() < 1e-3, "{mean}");
        assert!(init_table(4, 4, 0.0, 1).is_err());
        assert!(init_table(0, 4, 0.02, 1).is_err());
        assert!(init_table(2, usize::MAX, 0.02, 1).is_err());
    }

    #[test]
    fn adding_positions_past_the_table_is_an_error() {
        let table = init_table(4, 2, INIT_STD, 3).unwrap();
        let x = Array2::<f64>::ones((5, 2));
        let e = add_positions(x.view(), &table).unwrap_err();
        assert_eq!(
            e.to_string(),
            "position 4 has no row: the table covers positions 0 to 3"
        );
        let ok = add_positions(x.slice(ndarray::s![..4, ..]), &table).unwrap();
        assert_eq!(ok.row(3), &x.row(3) + &table.lookup(3).unwrap());
        let wide = Array2::<f64>::ones((2, 3));
        assert!(add_positions(wide.view(), &table).is_err());
    }
}
