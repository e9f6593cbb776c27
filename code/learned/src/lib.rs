//! Chapter 3 of the book, "Learned position embeddings" (`src/learned.md`): a trainable table
//! with one row per position, as in BERT and GPT-2; its hard length limit; rows that training
//! never reaches; what packing documents into fixed contexts does to "position"; and why any
//! absolute scheme changes attention scores when every position moves by the same amount.
//!
//! Run the chapter's examples with `cargo run -p learned --example packing` and
//! `cargo run -p learned --example train`.
//!
//! # Slow and fast forms
//!
//! None: every function here is the one form the chapter shows. (The workspace's rule, for the
//! crates that have pairs: the form used keeps the plain name, the textbook form is
//! `<name>_slow` with the same signature, and a test holds them equal.) No frequency
//! `θ_j = base^(−2j/d)` is computed here either: the training target and the sinusoidal scheme
//! call `sinusoidal::Sinusoid::paper`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use bookkit::rng::SplitMix64;
use ndarray::{Array1, Array2, ArrayView2};
use order::PositionTable;

pub mod figures;
pub mod packing;
pub mod report;

pub use figures::figures;

pub use errors::{Error, Result};

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

/// The outcome of [`train_toy`].
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    /// The table before training.
    pub initial: PositionTable,
    /// The table after training.
    pub trained: PositionTable,
    /// How many gradient updates each row received.
    pub updates: Vec<usize>,
}

/// A toy training run that shows which rows learn. Each step takes one training sequence, whose
/// length cycles through `lengths`, and nudges the rows of the positions it covers toward a target
/// vector per position (here the sinusoidal encoding, standing in for whatever the task makes
/// useful) by gradient descent on `½‖P[p] − target(p)‖²`. A row whose position no sequence reaches
/// gets no gradient, ever.
///
/// # Errors
/// No lengths, a zero length, a length longer than the table, an odd width (the target needs sine
/// and cosine pairs), or a learning rate outside `(0, 1]`.
pub fn train_toy(
    initial: &PositionTable,
    lengths: &[usize],
    steps: usize,
    lr: f64,
) -> Result<Trained, Error> {
    let (max_len, d) = initial.rows().dim();
    if lengths.is_empty() || lengths.contains(&0) {
        return Err(errors::bad(
            "lengths",
            format!("{lengths:?}"),
            "training needs at least one sequence length, each at least 1",
        ));
    }
    if let Some(&too_long) = lengths.iter().find(|&&n| n > max_len) {
        return Err(errors::bad(
            "sequence length",
            too_long.to_string(),
            "a training sequence cannot be longer than the table (positions past the end have no row)",
        ));
    }
    if !(lr > 0.0 && lr <= 1.0) {
        return Err(errors::bad(
            "learning rate",
            lr.to_string(),
            "it must lie in (0, 1], where no step overshoots its target",
        ));
    }
    // ANCHOR: train
    let target = sinusoidal::Sinusoid::paper(d)?; // t(p), a target vector per position
    let mut rows = initial.rows().to_owned(); // P, max_len × d
    let mut updates = vec![0usize; max_len]; // gradients each row has received
    for step in 0..steps {
        let n = lengths[step % lengths.len()];
        for (p, count) in updates.iter_mut().enumerate().take(n) {
            // ∂/∂P[p] of ½‖P[p] − t(p)‖² is P[p] − t(p).
            let grad: Array1<f64> = &rows.row(p) - &target.encode(p);
            rows.row_mut(p).scaled_add(-lr, &grad);
            *count += 1;
        }
    }
    // ANCHOR_END: train
    Ok(Trained {
        initial: initial.clone(),
        trained: PositionTable::new(rows)?,
        updates,
    })
}

/// Attention logits of the chapter-1 head for its three tokens ("John likes cats") placed at
/// `positions`, with the position information of `scheme`.
///
/// # Errors
/// A position past the learned table, or the wrong number of positions.
pub fn logits_at(positions: &[usize], scheme: Scheme) -> Result<Array2<f64>, Error> {
    let tokens = order::tokenize("John likes cats")?;
    if positions.len() != tokens.len() {
        return Err(errors::bad(
            "positions",
            format!("{positions:?}"),
            "give one position per token of \"John likes cats\"",
        ));
    }
    // ANCHOR: logits_at
    let mut x = order::embed(&tokens);
    let mut bias = Array2::<f64>::zeros((positions.len(), positions.len()));
    for (i, &p) in positions.iter().enumerate() {
        match scheme {
            // Absolute: a vector per position, added to the token.
            Scheme::Sinusoidal => {
                let v = sinusoidal::Sinusoid::paper(order::D_MODEL)?.encode(p);
                let mut row = x.row_mut(i);
                row += &v;
            }
            Scheme::Learned => {
                let v = order::PositionTable::chapter().lookup(p)?.to_owned();
                let mut row = x.row_mut(i);
                row += &v;
            }
            // Relative: nothing added to the tokens; a bias that depends on j − i only.
            Scheme::RelativeBias => {
                for (j, &q) in positions.iter().enumerate() {
                    bias[[i, j]] = -0.5 * (q as f64 - p as f64).abs();
                }
            }
        }
    }
    let head = order::head();
    let (q, k) = (x.dot(&head.w_q), x.dot(&head.w_k));
    let options = attention::Options {
        bias: Some(bias.view()),
        ..attention::Options::default()
    };
    attention::logits(q.view(), k.view(), &options)
    // ANCHOR_END: logits_at
}

/// Where position information enters the attention logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Absolute: the fixed sinusoidal encoding (chapter 2) added to each token.
    Sinusoidal,
    /// Absolute: chapter 1's learned table (8 rows) added to each token.
    Learned,
    /// Relative (a preview of the next chapter): no vectors added; the bias `-|j − i| / 2` is
    /// added to the logits.
    RelativeBias,
}

/// The largest change in any logit when every position moves on by `c`.
///
/// # Errors
/// As [`logits_at`].
pub fn translation_gap(positions: &[usize], c: usize, scheme: Scheme) -> Result<f64, Error> {
    let before = logits_at(positions, scheme)?;
    let moved = positions
        .iter()
        .map(|p| p.checked_add(c))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            errors::bad(
                "shift",
                c.to_string(),
                "every shifted position must still fit in a usize",
            )
        })?;
    let after = logits_at(&moved, scheme)?;
    Ok((&after - &before).iter().fold(0.0, |m, v| m.max(v.abs())))
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
        assert!(translation_gap(&[0, 1, 2], usize::MAX, Scheme::RelativeBias).is_err());
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

    #[test]
    fn training_only_moves_reached_rows() {
        let init = init_table(12, 4, INIT_STD, 5).unwrap();
        let run = train_toy(&init, &[3, 8, 5], 30, 0.1).unwrap();
        for p in 0..12 {
            let moved = &run.trained.lookup(p).unwrap() - &init.lookup(p).unwrap();
            let reached = p < 8;
            assert_eq!(run.updates[p] > 0, reached, "row {p}");
            if reached {
                assert!(moved.iter().any(|v| v.abs() > 1e-3), "row {p} should move");
            } else {
                // Bit for bit the initial values.
                assert!(moved.iter().all(|&v| v == 0.0), "row {p} must not move");
            }
        }
        // Rows 0..3 are in every sequence: 30 updates each; rows 5..8 in one sequence of three.
        assert_eq!(run.updates[0], 30);
        assert_eq!(run.updates[7], 10);
    }

    #[test]
    fn training_refuses_bad_settings() {
        let init = init_table(4, 4, INIT_STD, 5).unwrap();
        assert!(train_toy(&init, &[], 1, 0.1).is_err());
        assert!(train_toy(&init, &[0], 1, 0.1).is_err());
        let e = train_toy(&init, &[5], 1, 0.1).unwrap_err();
        assert!(e.to_string().contains("sequence length = 5"), "{e}");
        assert!(train_toy(&init, &[2], 1, 0.0).is_err());
        assert!(train_toy(&init, &[2], 1, f64::NAN).is_err());
        let odd = init_table(4, 3, INIT_STD, 5).unwrap();
        assert!(train_toy(&odd, &[2], 1, 0.1).is_err());
    }

    #[test]
    fn logits_need_one_position_per_token() {
        assert!(logits_at(&[0, 1], Scheme::Sinusoidal).is_err());
        assert!(logits_at(&[0, 1, 8], Scheme::Learned).is_err());
    }
}
