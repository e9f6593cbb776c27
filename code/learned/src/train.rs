//! A toy training run that shows which rows of the table learn.

use ndarray::Array1;
use order::PositionTable;

use crate::Error;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{INIT_STD, init_table};

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
}
