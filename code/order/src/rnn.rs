//! The recurrent network the chapter compares attention with: it reads one token at a time, so
//! order is part of the computation.

use ndarray::{Array1, Array2, ArrayView2, array};

use crate::Error;

/// An Elman-style recurrent network in its modern form, `h_t = tanh(W_h h_{t-1} + W_x x_t + b)`
/// with `h_0 = 0`, and fixed weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Rnn {
    /// Hidden-to-hidden weights, `[d_h, d_h]`.
    pub w_h: Array2<f64>,
    /// Input-to-hidden weights, `[d_h, d_model]`.
    pub w_x: Array2<f64>,
    /// Bias, `[d_h]`.
    pub b: Array1<f64>,
}

impl Rnn {
    /// The chapter's network: three hidden units, weights fixed by hand.
    ///
    /// ```
    /// let rnn = order::Rnn::chapter();
    /// assert_eq!((rnn.w_h.dim(), rnn.w_x.dim(), rnn.b.len()), ((3, 3), (3, order::D_MODEL), 3));
    /// ```
    pub fn chapter() -> Self {
        Rnn {
            w_h: array![[0.5, -0.4, 0.0], [0.3, 0.5, -0.2], [0.0, 0.4, 0.5]],
            w_x: array![
                [1.0, 0.0, -0.5, 0.0],
                [0.0, 1.0, 0.0, -0.5],
                [0.5, 0.0, 0.0, 1.0],
            ],
            b: array![0.0, 0.1, -0.1],
        }
    }

    /// Every hidden state `h_1 … h_n` (rows, `[n, d_h]`), starting from `h_0 = 0`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `x` is not `d_model` wide or the weights do not fit together.
    ///
    /// ```
    /// use order::{embed, tokenize, Rnn};
    /// let h = Rnn::chapter().states(embed(&tokenize("John likes cats")?).view())?;
    /// assert_eq!(h.dim(), (3, 3)); // one state of 3 units per token
    /// # Ok::<(), order::Error>(())
    /// ```
    pub fn states(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        let d_h = self.b.len();
        if self.w_h.dim() != (d_h, d_h) {
            return Err(errors::shape(
                "W_h must be [d_h, d_h] with d_h = len(b)",
                vec![d_h, d_h],
                self.w_h.shape().to_vec(),
            ));
        }
        if self.w_x.nrows() != d_h {
            return Err(errors::shape(
                "W_x must be [d_h, d_model] with d_h = len(b)",
                vec![d_h, self.w_x.ncols()],
                self.w_x.shape().to_vec(),
            ));
        }
        if x.ncols() != self.w_x.ncols() {
            return Err(errors::shape(
                "each input row must be as wide as W_x has columns",
                vec![x.nrows(), self.w_x.ncols()],
                x.shape().to_vec(),
            ));
        }
        Ok(self.unroll(x))
    }

    // ANCHOR: rnn
    /// The recurrence itself, on inputs that `Rnn::states` has checked.
    fn unroll(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut h = Array1::<f64>::zeros(self.b.len()); // h_0 = 0, [d_h]
        let mut all = Array2::<f64>::zeros((x.nrows(), self.b.len())); // [n, d_h]
        for (t, x_t) in x.rows().into_iter().enumerate() {
            // The state depends on the previous state: this line is where order enters.
            h = (self.w_h.dot(&h) + self.w_x.dot(&x_t) + &self.b).mapv(f64::tanh); // [d_h]
            all.row_mut(t).assign(&h);
        }
        all
    }
    // ANCHOR_END: rnn

    /// The last hidden state `h_n`, the RNN's summary of the whole sentence.
    ///
    /// # Errors
    /// As [`Rnn::states`], and [`Error::Empty { what: "sentence" }`] for no rows.
    ///
    /// ```
    /// use order::{embed, tokenize, Rnn};
    /// let rnn = Rnn::chapter();
    /// let a = rnn.final_state(embed(&tokenize("John likes cats")?).view())?;
    /// let b = rnn.final_state(embed(&tokenize("cats like John")?).view())?;
    /// // Same tokens, different order, different summaries.
    /// assert!((&a - &b).mapv(f64::abs).sum() > 0.1);
    /// # Ok::<(), order::Error>(())
    /// ```
    pub fn final_state(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>, Error> {
        let states = self.states(x)?;
        let n = states.nrows();
        if n == 0 {
            return Err(Error::Empty { what: "sentence" });
        }
        Ok(states.row(n - 1).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{embed, tokenize};

    #[test]
    fn rnn_refuses_mismatched_inputs() {
        let rnn = Rnn::chapter();
        let e = rnn.states(Array2::zeros((2, 3)).view()).unwrap_err();
        assert!(e.to_string().contains("expected [2, 4], got [2, 3]"), "{e}");
        assert_eq!(
            rnn.final_state(Array2::zeros((0, 4)).view()),
            Err(Error::Empty { what: "sentence" })
        );
    }

    #[test]
    fn weights_that_do_not_fit_are_errors_not_panics() {
        let mut rnn = Rnn::chapter();
        rnn.w_x = Array2::zeros((2, 4));
        let e = rnn.states(Array2::zeros((1, 4)).view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shape mismatch: W_x must be [d_h, d_model] with d_h = len(b); expected [3, 4], \
             got [2, 4]"
        );
    }

    #[test]
    fn rnn_step_matches_hand_computation() {
        // One token: h_1 = tanh(W_x x + b) since h_0 = 0. John = (1, 0, 1, 0).
        let h = Rnn::chapter()
            .final_state(embed(&tokenize("John").unwrap()).view())
            .unwrap();
        let want = [0.5f64.tanh(), 0.1f64.tanh(), 0.4f64.tanh()];
        for (a, b) in h.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
    }
}
