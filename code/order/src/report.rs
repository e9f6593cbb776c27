//! The tables the chapter shows. Each function returns Markdown: the example prints it, a snapshot
//! test checks it, and the page includes the snapshot.

use bookkit::{Table, fixed, tuple};
use ndarray::{Array1, ArrayView1};

use crate::{
    Error, PositionTable, Positions, Rnn, Token, VOCAB, attend_with, embed, fixed_encoding,
    mean_pool, token_table, tokenize,
};

/// Decimals shown in the chapter's tables.
pub const DECIMALS: usize = 3;

fn vec3(v: ArrayView1<'_, f64>) -> String {
    tuple(v.iter().copied(), DECIMALS)
}

fn max_abs_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// The token embedding table.
pub fn embeddings() -> String {
    let table = token_table();
    let mut t = Table::new(["token", "embedding"]);
    for token in VOCAB {
        t.row([token.word.to_string(), vec3(table.row(token.id()))]);
    }
    t.to_string()
}

/// For each token of `a`, its position in `a` and the position of the same occurrence in `b`.
///
/// # Errors
/// [`Error::Shape`] when the sentences do not hold the same tokens.
pub fn match_tokens(a: &[Token], b: &[Token]) -> Result<Vec<(usize, usize)>, Error> {
    let mut sorted_a: Vec<usize> = a.iter().map(Token::id).collect();
    let mut sorted_b: Vec<usize> = b.iter().map(Token::id).collect();
    sorted_a.sort_unstable();
    sorted_b.sort_unstable();
    if sorted_a != sorted_b {
        return Err(errors::shape(
            "the two sentences must hold the same tokens, in any order (token ids shown)",
            sorted_a,
            sorted_b,
        ));
    }
    let mut used = vec![false; b.len()];
    let mut pairs = Vec::with_capacity(a.len());
    for (i, token) in a.iter().enumerate() {
        let j = (0..b.len())
            .find(|&j| !used[j] && b[j].id() == token.id())
            .expect("the multisets are equal");
        used[j] = true;
        pairs.push((i, j));
    }
    Ok(pairs)
}

/// Attention outputs of the same tokens in two sentences, side by side, with the largest
/// difference per token and the mean-pooled sentence vectors.
///
/// # Errors
/// Unknown words, sentences with different tokens, a sentence longer than the learned table.
pub fn compare(a: &str, b: &str, positions: Positions, causal: bool) -> Result<String, Error> {
    let (ta, tb) = (tokenize(a)?, tokenize(b)?);
    let pairs = match_tokens(&ta, &tb)?;
    let (out_a, out_b) = (
        attend_with(a, positions, causal)?.output,
        attend_with(b, positions, causal)?.output,
    );
    let mut t = Table::new([
        "token".to_string(),
        format!("output in “{a}”"),
        format!("output in “{b}”"),
        "largest difference".to_string(),
    ]);
    for (i, j) in pairs {
        let (ra, rb) = (out_a.row(i), out_b.row(j));
        t.row([
            format!("{} (at {i} / {j})", ta[i].word),
            vec3(ra),
            vec3(rb),
            fixed(max_abs_diff(ra, rb), DECIMALS),
        ]);
    }
    let (pa, pb) = (mean_pool(out_a.view())?, mean_pool(out_b.view())?);
    t.row([
        "mean of all rows".to_string(),
        vec3(pa.view()),
        vec3(pb.view()),
        fixed(max_abs_diff(pa.view(), pb.view()), DECIMALS),
    ]);
    Ok(t.to_string())
}

/// The RNN's hidden states for each sentence, step by step.
///
/// # Errors
/// Unknown words.
pub fn rnn(sentences: &[&str]) -> Result<String, Error> {
    let net = Rnn::chapter();
    let mut t = Table::new(["sentence", "step", "token", "hidden state h_t"]);
    let mut finals: Vec<Array1<f64>> = Vec::new();
    for s in sentences {
        let tokens = tokenize(s)?;
        let states = net.states(embed(&tokens).view())?;
        for (step, (token, h)) in tokens.iter().zip(states.rows()).enumerate() {
            let name = if step == 0 {
                format!("“{s}”")
            } else {
                String::new()
            };
            t.row([
                name,
                (step + 1).to_string(),
                token.word.to_string(),
                vec3(h),
            ]);
        }
        finals.push(states.row(states.nrows() - 1).to_owned());
    }
    let mut out = t.to_string();
    if let [first, second, ..] = finals.as_slice() {
        out.push_str(&format!(
            "\nLargest difference between the final states: {}\n",
            fixed(max_abs_diff(first.view(), second.view()), DECIMALS)
        ));
    }
    Ok(out)
}

/// The first rows of the learned table next to the fixed encoding of the same positions.
///
/// # Errors
/// `positions` longer than the learned table.
pub fn position_vectors(positions: usize) -> Result<String, Error> {
    let table = PositionTable::chapter();
    let mut t = Table::new([
        "position",
        "learned row (a parameter, looked up)",
        "fixed encoding (a function, computed)",
    ]);
    for p in 0..positions {
        t.row([
            p.to_string(),
            vec3(table.lookup(p)?),
            vec3(fixed_encoding(p, crate::D_MODEL)?.view()),
        ]);
    }
    Ok(t.to_string())
}

/// Everything the example prints, in the chapter's order.
///
/// # Errors
/// As the parts.
pub fn all(a: &str, b: &str) -> Result<String, Error> {
    let mut out = String::new();
    let sections: [(&str, String); 7] = [
        ("Token embeddings", embeddings()),
        (
            "Self-attention, no positions",
            compare(a, b, Positions::None, false)?,
        ),
        ("A recurrent network", rnn(&[a, b])?),
        ("Position vectors", position_vectors(4)?),
        (
            "Self-attention, learned positions added",
            compare(a, b, Positions::Learned, false)?,
        ),
        (
            "Self-attention, fixed encoding added",
            compare(a, b, Positions::Fixed, false)?,
        ),
        (
            "Causal self-attention, no positions",
            compare(a, b, Positions::None, true)?,
        ),
    ];
    for (title, body) in sections {
        out.push_str(&format!("## {title}\n\n{body}\n"));
    }
    Ok(out)
}
