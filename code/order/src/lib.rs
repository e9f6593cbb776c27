//! Chapter 1 of the book, "Why position?" (`src/order.md`): self-attention cannot tell
//! "John likes cats" from "cats like John", a recurrent network can, and adding a position vector
//! to each token breaks the tie.
//!
//! Run the chapter's examples with `cargo run -p order --example why_position`.
//!
//! Every number the chapter prints comes from [`report`], which the example prints and the
//! snapshot tests check.

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::fmt;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};

pub mod figures;
pub mod report;

pub use figures::figures;

/// Why a call into this crate was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A word outside the toy vocabulary.
    UnknownWord {
        /// The word as given.
        word: String,
    },
    /// A sentence with no words.
    EmptySentence,
    /// A position with no row in a position table.
    PositionOutOfRange {
        /// The position asked for.
        position: usize,
        /// How many rows the table has (positions `0..len`).
        len: usize,
    },
    /// A dimension that does not fit the rule stated.
    BadDimension {
        /// Which dimension, e.g. `"d_model"`.
        what: &'static str,
        /// Its value.
        value: usize,
        /// The rule it broke.
        rule: &'static str,
    },
    /// A matrix whose shape does not fit the others.
    Shape {
        /// The rule.
        rule: &'static str,
        /// The shape expected.
        expected: Vec<usize>,
        /// The shape given.
        got: Vec<usize>,
    },
    /// The attention core refused its inputs.
    Attention(attention::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownWord { word } => write!(
                f,
                "unknown word `{word}`: the toy vocabulary is {}",
                VOCAB.iter().map(|t| t.word).collect::<Vec<_>>().join(", ")
            ),
            Error::EmptySentence => write!(f, "the sentence is empty: it needs at least one word"),
            Error::PositionOutOfRange { position, len } => write!(
                f,
                "position {position} has no row: the table covers positions 0 to {}",
                len.saturating_sub(1)
            ),
            Error::BadDimension { what, value, rule } => {
                write!(f, "{what} = {value} is not allowed: {rule}")
            }
            Error::Shape {
                rule,
                expected,
                got,
            } => write!(
                f,
                "shape mismatch: {rule}; expected {expected:?}, got {got:?}"
            ),
            Error::Attention(e) => write!(f, "attention: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<attention::Error> for Error {
    fn from(e: attention::Error) -> Self {
        Error::Attention(e)
    }
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
/// [`Error::EmptySentence`], or [`Error::UnknownWord`] naming the first word outside [`VOCAB`].
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
                .ok_or_else(|| Error::UnknownWord { word: w.into() })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if tokens.is_empty() {
        return Err(Error::EmptySentence);
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
/// [`Error::EmptySentence`] for a matrix with no rows (the mean of nothing is undefined).
pub fn mean_pool(x: ArrayView2<'_, f64>) -> Result<Array1<f64>, Error> {
    x.mean_axis(ndarray::Axis(0)).ok_or(Error::EmptySentence)
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
            return Err(Error::Shape {
                rule: "W_h must be [d_h, d_h] with d_h = len(b)",
                expected: vec![d_h, d_h],
                got: self.w_h.shape().to_vec(),
            });
        }
        if self.w_x.nrows() != d_h {
            return Err(Error::Shape {
                rule: "W_x must be [d_h, d_model] with d_h = len(b)",
                expected: vec![d_h, self.w_x.ncols()],
                got: self.w_x.shape().to_vec(),
            });
        }
        if x.ncols() != self.w_x.ncols() {
            return Err(Error::Shape {
                rule: "each input row must be as wide as W_x has columns",
                expected: vec![x.nrows(), self.w_x.ncols()],
                got: x.shape().to_vec(),
            });
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
    /// As [`Rnn::states`], and [`Error::EmptySentence`] for no rows.
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
            return Err(Error::EmptySentence);
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
    /// [`Error::BadDimension`] for zero rows or columns.
    pub fn new(rows: Array2<f64>) -> Result<Self, Error> {
        if rows.nrows() == 0 {
            return Err(Error::BadDimension {
                what: "max_len",
                value: 0,
                rule: "a position table needs at least one row",
            });
        }
        if rows.ncols() == 0 {
            return Err(Error::BadDimension {
                what: "d",
                value: 0,
                rule: "position vectors need at least one component",
            });
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
        let mut rng = SplitMix64(0x5EED);
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
        return Err(Error::BadDimension {
            what: "len",
            value: 0,
            rule: "a one-hot vector needs at least one class",
        });
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
/// [`Error::BadDimension`] when `d` is zero or odd (sines and cosines come in pairs).
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
        return Err(Error::BadDimension {
            what: "d",
            value: d,
            rule: "the encoding needs a positive even width (sin and cos pairs)",
        });
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
        return Err(Error::Shape {
            rule: "the learned table's rows are d_model wide, so x must be too",
            expected: vec![x.nrows(), D_MODEL],
            got: x.shape().to_vec(),
        });
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
    Ok(head().forward(x.view(), &options)?)
}

/// A tiny deterministic generator (SplitMix64) so the stand-in tables are the same everywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded).
    pub fn next_gaussian(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // in (0, 1], so the logarithm is finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_reference_values() {
        // First outputs of SplitMix64 seeded with 1234567 (Vigna's reference implementation).
        let mut r = SplitMix64(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn tokenize_errors_name_the_word() {
        let e = tokenize("John loves cats").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown word `loves`: the toy vocabulary is John, like, cats"
        );
        assert_eq!(tokenize("  "), Err(Error::EmptySentence));
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
            Err(Error::EmptySentence)
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
            Err(Error::EmptySentence)
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
