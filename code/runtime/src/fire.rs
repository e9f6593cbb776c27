//! FIRE, functional interpolation for relative positions (Li et al., *Functional Interpolation
//! for Relative Positions Improves Long Context Transformers*, 2023, arXiv:2310.04418): the bias
//! of query `i` and key `j ≤ i` is a small learned MLP of the distance, after a log transform and
//! a division by the query's own position, `f_θ(ψ(i − j) / ψ(max(T, i)))` with `ψ(x) = ln(c·x + 1)`
//! and a threshold `T` (the paper's `L`, renamed here because the book's `L` is the training
//! length) below which short contexts are not stretched. The paper gives no reference
//! repository; this follows its definition of the bias (§3) with `c` and `T` as given numbers.
//!
//! With a threshold above every position the divisor is the constant `ψ(T)`, and the line
//! `−p·ψ(T)·relu` with `c = a` gives KERPLE's log kernel `−p·ln(1 + a(i − j))` at every query below
//! `T`; [`Input::Log`] drops the divisor outright, and [`Input::Raw`] the log too, which with
//! `−m·relu` is chapter 4's ALiBi (the test `fire_holds_alibi_and_kerple_log`).

use ndarray::Array2;

use errors::{bad, shape};

use crate::Error;

/// A one-hidden-layer ReLU network from a number to a number: `b₂ + Σ_h w₂[h]·relu(w₁[h]·x + b₁[h])`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

impl Mlp {
    /// # Errors
    /// Layers of different widths, no hidden unit, or a non-finite weight.
    pub fn new(w1: Vec<f64>, b1: Vec<f64>, w2: Vec<f64>, b2: f64) -> Result<Self, Error> {
        if w1.is_empty() || b1.len() != w1.len() || w2.len() != w1.len() {
            return Err(shape(
                "w1, b1 and w2 hold one entry per hidden unit",
                [w1.len(), w1.len(), w1.len()],
                [w1.len(), b1.len(), w2.len()],
            ));
        }
        errors::ensure_finite("mlp", w1.iter().chain(&b1).chain(&w2).copied().chain([b2]))?;
        Ok(Mlp { w1, b1, w2, b2 })
    }

    /// `−m·relu(x)`: one unit, the line through 0 with slope `−m` for `x ≥ 0`.
    ///
    /// # Errors
    /// A non-finite `m`.
    pub fn line(m: f64) -> Result<Self, Error> {
        Mlp::new(vec![1.0], vec![0.0], vec![-m], 0.0)
    }

    /// The network at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.b2
            + self
                .w1
                .iter()
                .zip(&self.b1)
                .zip(&self.w2)
                .map(|((w1, b1), w2)| w2 * (w1 * x + b1).max(0.0))
                .sum::<f64>()
    }
}

/// What FIRE feeds its network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    /// The paper's: `ψ(i − j) / ψ(max(T, i))`, `ψ(x) = ln(c·x + 1)`.
    Progressive {
        /// The log transform's `c > 0`.
        c: f64,
        /// The threshold `T > 0` (the paper's `L`).
        threshold: f64,
    },
    /// `ψ(i − j)` alone: no division by the query's position.
    Log {
        /// The log transform's `c > 0`.
        c: f64,
    },
    /// The distance `i − j` itself.
    Raw,
}

/// One head's FIRE bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Fire {
    mlp: Mlp,
    input: Input,
}

impl Fire {
    /// # Errors
    /// A `c` or threshold that is not a positive finite number.
    ///
    /// ```
    /// use runtime::fire::{Fire, Input, Mlp};
    /// let fire = Fire::new(Mlp::line(1.0)?, Input::Progressive { c: 1.0, threshold: 4.0 })?;
    /// assert_eq!(fire.bias(2, 2), 0.0); // distance 0
    /// // Query 8, key 0: ln(9) / ln(9) = 1 through −relu: −1, at any length beyond T.
    /// assert!((fire.bias(8, 0) + 1.0).abs() < 1e-15);
    /// # Ok::<(), runtime::Error>(())
    /// ```
    pub fn new(mlp: Mlp, input: Input) -> Result<Self, Error> {
        let ok = |what, x: f64| {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(bad(
                    what,
                    x,
                    "FIRE's c and threshold T are positive finite numbers",
                ))
            }
        };
        match input {
            Input::Progressive { c, threshold } => {
                ok("c", c)?;
                ok("threshold", threshold)?;
            }
            Input::Log { c } => ok("c", c)?,
            Input::Raw => {}
        }
        Ok(Fire { mlp, input })
    }

    // ANCHOR: input
    /// The number the network reads for query `i` and key `j ≤ i`.
    pub fn input(&self, i: usize, j: usize) -> f64 {
        let psi = |c: f64, x: f64| (c * x).ln_1p();
        let d = (i - j) as f64;
        match self.input {
            Input::Progressive { c, threshold } => psi(c, d) / psi(c, threshold.max(i as f64)),
            Input::Log { c } => psi(c, d),
            Input::Raw => d,
        }
    }
    // ANCHOR_END: input

    /// The bias of query `i` and key `j ≤ i`.
    pub fn bias(&self, i: usize, j: usize) -> f64 {
        self.mlp.at(self.input(i, j))
    }

    /// The causal bias matrix; 0 above the diagonal, which the causal mask removes.
    pub fn matrix(&self, n: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, n), |(i, j)| if j <= i { self.bias(i, j) } else { 0.0 })
    }
}
