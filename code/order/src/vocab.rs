//! The toy model's vocabulary, its token embeddings and its one attention head: everything the
//! chapter needs to turn a sentence into a matrix `X` and run attention on it.

use ndarray::{Array1, Array2, ArrayView2, array};

use crate::Error;

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
    ///
    /// ```
    /// let ids: Vec<usize> = order::VOCAB.iter().map(|t| t.id()).collect();
    /// assert_eq!(ids, [0, 1, 2]);
    /// ```
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

/// The error for a word outside the toy vocabulary, listing the vocabulary.
fn unknown_word(word: &str) -> Error {
    let words: Vec<&str> = VOCAB.iter().map(|t| t.word).collect();
    errors::bad(
        "word",
        format!("`{word}`"),
        format!("the toy vocabulary is {}", words.join(", ")),
    )
}

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
///
/// ```
/// assert_eq!(order::token_table().dim(), (3, order::D_MODEL));
/// ```
pub fn token_table() -> Array2<f64> {
    array![
        [1.0, 0.0, 1.0, 0.0], // John
        [0.0, 1.0, 0.0, 1.0], // like
        [1.0, 1.0, 0.0, 0.0], // cats
    ]
}

/// The token matrix `X` of a sentence, `[n, D_MODEL]`: row `i` is the embedding of the `i`-th
/// token.
///
/// ```
/// let x = order::embed(&order::tokenize("cats like John")?);
/// assert_eq!(x.row(2), order::token_table().row(0)); // John
/// # Ok::<(), order::Error>(())
/// ```
pub fn embed(tokens: &[Token]) -> Array2<f64> {
    let table = token_table();
    Array2::from_shape_fn((tokens.len(), D_MODEL), |(i, c)| table[[tokens[i].id, c]])
}

/// The one attention head used throughout the chapter: fixed projections, no training.
///
/// ```
/// assert_eq!(order::head().w_v.dim(), (order::D_MODEL, order::D_MODEL));
/// ```
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
///
/// ```
/// let m = order::mean_pool(ndarray::array![[1.0, 2.0], [3.0, 4.0]].view())?;
/// assert_eq!(m.to_vec(), vec![2.0, 3.0]);
/// # Ok::<(), order::Error>(())
/// ```
pub fn mean_pool(x: ArrayView2<'_, f64>) -> Result<Array1<f64>, Error> {
    x.mean_axis(ndarray::Axis(0))
        .ok_or(Error::Empty { what: "sentence" })
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
    fn mean_pool_refuses_an_empty_sentence() {
        assert_eq!(
            mean_pool(Array2::<f64>::zeros((0, 4)).view()),
            Err(Error::Empty { what: "sentence" })
        );
    }
}
