//! Absolute is not relative: what moving every position by the same amount does to the logits.

use ndarray::Array2;

use crate::Error;

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
            // Relative: nothing added to the tokens; a bias −|Δ|/2 of the offset Δ = i − j only.
            Scheme::RelativeBias => {
                for (j, &pj) in positions.iter().enumerate() {
                    bias[[i, j]] = -0.5 * (p as f64 - pj as f64).abs();
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
    fn logits_need_one_position_per_token() {
        assert!(logits_at(&[0, 1], Scheme::Sinusoidal).is_err());
        assert!(logits_at(&[0, 1, 8], Scheme::Learned).is_err());
        assert!(translation_gap(&[0, 1, 2], usize::MAX, Scheme::RelativeBias).is_err());
    }
}
