//! Chapter 1 of the book, "Why position?" (`src/order.md`): self-attention cannot tell
//! "John likes cats" from "cats like John", a recurrent network can, and adding a position vector
//! to each token breaks the tie.
//!
//! Run the chapter's examples with `cargo run -p order --example why_position`.
//!
//! Every number the chapter prints comes from [`report`], which the example prints and the
//! snapshot tests check.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};

pub mod figures;
pub mod report;

pub use figures::figures;

pub use errors::{Error, Result};

/// The error for a word outside the toy vocabulary, listing the vocabulary.
fn unknown_word(word: &str) -> Error {
    let words: Vec<&str> = VOCAB.iter().map(|t| t.word).collect();
    errors::bad(
        "word",
        format!("`{word}`"),
        format!("the toy vocabulary is {}", words.join(", ")),
    )
}

/// The width of the toy model's vectors.
pub const D_MODEL: usize = 4;

/// A token of the toy vocabulary and the words that map to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token's name as printed.
    pub word: &'static str,
    /// Its row in the embedding table (private: only [`VOCAB`] makes tokens, so every id has a
    /// row).
    id: usize,
    /// The surface forms that map to it (lower case).
    forms: &'static [&'static str],
}

impl Token {
    /// Its row in the embedding table.
    pub fn id(&self) -> usize {
        self.id
    }
}

/// The vocabulary: three tokens. "likes" and "like" share a token on purpose, so that the two
/// sentences hold exactly the same tokens and differ *only* in order.
pub const VOCAB: [Token; 3] = [
    Token {
        word: "John",
        id: 0,
        forms: &["john"],
    },
    Token {
        word: "like",
        id: 1,
        forms: &["like", "likes"],
    },
    Token {
        word: "cats",
        id: 2,
        forms: &["cats", "cat"],
    },
];

/// Splits on whitespace and maps each word to its token, ignoring case and a final `.`.
///
/// # Errors
/// [`Error::Empty { what: "sentence" }`], or [`Error::Bad`] naming the first word outside [`VOCAB`].
///
/// ```
/// let a = order::tokenize("John likes cats")?;
/// let b = order::tokenize("cats like John.")?;
/// let ids = |t: &[order::Token]| t.iter().map(|t| t.id()).collect::<Vec<_>>();
/// assert_eq!(ids(&a), [0, 1, 2]);
/// assert_eq!(ids(&b), [2, 1, 0]);
/// assert!(order::tokenize("dogs like John").is_err());
/// # Ok::<(), order::Error>(())
/// ```
// ANCHOR: tokenize
pub fn tokenize(sentence: &str) -> Result<Vec<Token>, Error> {
    let tokens = sentence
        .split_whitespace()
        .map(|w| {
            let form = w.trim_end_matches('.').to_lowercase();
            VOCAB
                .iter()
                .find(|t| t.forms.contains(&form.as_str()))
                .copied()
                .ok_or_else(|| unknown_word(w))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if tokens.is_empty() {
        return Err(Error::Empty { what: "sentence" });
    }
    Ok(tokens)
}
// ANCHOR_END: tokenize

/// The token embedding table, one row per token of [`VOCAB`]: small fixed numbers chosen by hand
/// so that every token differs from the others in two coordinates.
pub fn token_table() -> Array2<f64> {
    array![
        [1.0, 0.0, 1.0, 0.0], // John
        [0.0, 1.0, 0.0, 1.0], // like
        [1.0, 1.0, 0.0, 0.0], // cats
    ]
}

/// The token matrix `X` of a sentence: row `i` is the embedding of the `i`-th token.
pub fn embed(tokens: &[Token]) -> Array2<f64> {
    let table = token_table();
    Array2::from_shape_fn((tokens.len(), D_MODEL), |(i, c)| table[[tokens[i].id, c]])
}

/// The one attention head used throughout the chapter: fixed projections, no training.
pub fn head() -> attention::Head {
    let w_q = array![
        [1.0, 0.0, 0.5, 0.0],
        [0.0, 1.0, 0.0, -0.5],
        [0.5, 0.0, -1.0, 0.0],
        [0.0, 0.5, 0.0, 1.0],
    ];
    let w_k = array![
        [0.5, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.5],
        [0.0, 0.0, 1.0, 1.0],
        [-0.5, 0.0, 1.0, 0.0],
    ];
    let w_v = array![
        [1.0, 0.0, 0.0, 0.5],
        [0.0, 1.0, 0.5, 0.0],
        [0.0, 0.5, 1.0, 0.0],
        [0.5, 0.0, 0.0, 1.0],
    ];
    attention::Head::new(w_q, w_k, w_v).expect("the fixed projections fit together")
}

/// Mean over the rows: one order-independent way to pool a sentence into one vector.
///
/// # Errors
/// [`Error::Empty { what: "sentence" }`] for a matrix with no rows (the mean of nothing is undefined).
pub fn mean_pool(x: ArrayView2<'_, f64>) -> Result<Array1<f64>, Error> {
    x.mean_axis(ndarray::Axis(0))
        .ok_or(Error::Empty { what: "sentence" })
}

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

    /// Every hidden state `h_1 … h_n` (rows), starting from `h_0 = 0`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `x` is not `d_model` wide or the weights do not fit together.
    // ANCHOR: rnn
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
        let mut h = Array1::<f64>::zeros(d_h);
        let mut all = Array2::<f64>::zeros((x.nrows(), d_h));
        for (t, x_t) in x.rows().into_iter().enumerate() {
            // The state depends on the previous state: this line is where order enters.
            h = (self.w_h.dot(&h) + self.w_x.dot(&x_t) + &self.b).mapv(f64::tanh);
            all.row_mut(t).assign(&h);
        }
        Ok(all)
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

// ANCHOR: table
/// A learned position embedding: a table with one trainable row per position, exactly like a word
/// embedding table indexed by position instead of by token.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionTable {
    rows: Array2<f64>,
}

impl PositionTable {
    /// Wraps a `[max_len, d]` table.
    ///
    /// # Errors
    /// [`Error::Bad`] for zero rows or columns.
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
    /// How many positions the table covers.
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
// ANCHOR: encoding
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

/// Entry `c` of the encoding of (possibly fractional) position `p` for width `d`.
pub(crate) fn encoding_entry(p: f64, c: usize, d: usize) -> f64 {
    let i = (c / 2) as f64;
    let omega = 10000f64.powf(-2.0 * i / d as f64);
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

/// The transformer's input: token embeddings plus, row by row, the vector of each position.
///
/// # Errors
/// [`Error::PositionOutOfRange`] when the sentence is longer than the learned table.
// ANCHOR: add_positions
pub fn with_positions(x: ArrayView2<'_, f64>, positions: Positions) -> Result<Array2<f64>, Error> {
    if positions == Positions::Learned && x.ncols() != D_MODEL {
        return Err(errors::shape(
            "the learned table's rows are d_model wide, so x must be too",
            vec![x.nrows(), D_MODEL],
            x.shape().to_vec(),
        ));
    }
    let mut out = x.to_owned();
    let table = PositionTable::chapter();
    for (p, mut row) in out.rows_mut().into_iter().enumerate() {
        match positions {
            Positions::None => {}
            Positions::Learned => row += &table.lookup(p)?,
            Positions::Fixed => row += &fixed_encoding(p, x.ncols())?,
        }
    }
    Ok(out)
}
// ANCHOR_END: add_positions

/// Runs the chapter's head on a sentence with the chosen position information.
///
/// # Errors
/// Unknown words, a sentence longer than the learned table, or an attention error.
///
/// ```
/// use order::{attend, Positions};
/// let a = attend("John likes cats", Positions::None)?;
/// let b = attend("cats like John", Positions::None)?;
/// // "John" is row 0 of the first sentence and row 2 of the second: same output.
/// let diff = (&a.output.row(0) - &b.output.row(2)).mapv(f64::abs).sum();
/// assert!(diff < 1e-12);
/// # Ok::<(), order::Error>(())
/// ```
pub fn attend(sentence: &str, positions: Positions) -> Result<attention::Attention, Error> {
    attend_with(sentence, positions, false)
}

/// As [`attend`], optionally with a causal mask (each token sees only itself and earlier ones).
///
/// # Errors
/// As [`attend`].
pub fn attend_with(
    sentence: &str,
    positions: Positions,
    causal: bool,
) -> Result<attention::Attention, Error> {
    let x = with_positions(embed(&tokenize(sentence)?).view(), positions)?;
    let options = attention::Options {
        causal,
        ..attention::Options::default()
    };
    head().forward(x.view(), &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_errors_name_the_word() {
        let e = tokenize("John loves cats").unwrap_err();
        assert_eq!(
            e.to_string(),
            "word = `loves` is not allowed: the toy vocabulary is John, like, cats"
        );
        assert_eq!(tokenize("  "), Err(Error::Empty { what: "sentence" }));
    }

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
    fn bad_shapes_are_errors_not_panics() {
        let narrow = Array2::<f64>::zeros((2, 3));
        let e = with_positions(narrow.view(), Positions::Learned).unwrap_err();
        assert!(e.to_string().contains("expected [2, 4], got [2, 3]"), "{e}");
        assert!(with_positions(narrow.view(), Positions::Fixed).is_err()); // odd width
        assert_eq!(
            mean_pool(Array2::<f64>::zeros((0, 4)).view()),
            Err(Error::Empty { what: "sentence" })
        );
        let e = one_hot(0, 0).unwrap_err();
        assert!(e.to_string().contains("at least one class"), "{e}");
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
