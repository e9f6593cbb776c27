//! Finding the math in a card's Markdown.
//!
//! The book writes inline math as `$…$` and display math as `$$…$$`; `\$` is a literal dollar,
//! and nothing inside backtick code is math. [`split`] cuts a text into those pieces, which lets
//! the Anki writer swap the delimiters for `\(…\)` / `\[…\]` and the tests hand every formula to
//! KaTeX.

/// One piece of a card's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Markdown with no math in it (it may hold escaped dollars `\$`).
    Text(&'a str),
    /// Backtick code, backticks included: never math.
    Code(&'a str),
    /// The TeX between `$` and `$`.
    Inline(&'a str),
    /// The TeX between `$$` and `$$`.
    Display(&'a str),
}

/// Cuts `text` into text, code and math. An opening `$` or `$$` without its closing partner is
/// an error; it carries the byte offset of the opening delimiter.
///
/// ```
/// use cards::math::{split, Piece};
/// let pieces = split(r"costs \$5: $n^2$ and `$x` then $$d/2$$").unwrap();
/// assert_eq!(pieces, vec![
///     Piece::Text(r"costs \$5: "),
///     Piece::Inline("n^2"),
///     Piece::Text(" and "),
///     Piece::Code("`$x`"),
///     Piece::Text(" then "),
///     Piece::Display("d/2"),
/// ]);
/// assert_eq!(split("one $x").unwrap_err(), 4);
/// ```
pub fn split(text: &str) -> Result<Vec<Piece<'_>>, usize> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0; // start of the current text piece
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2, // an escaped character, `\$` included, is text
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &text[i..i + run];
                // The code span ends at the next run of exactly as many backticks.
                let mut j = i + run;
                let mut end = None;
                while let Some(k) = text[j..].find(fence) {
                    let at = j + k;
                    let len = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                    if len == run {
                        end = Some(at + run);
                        break;
                    }
                    j = at + len;
                }
                match end {
                    Some(end) => {
                        push_text(&mut pieces, &text[start..i]);
                        pieces.push(Piece::Code(&text[i..end]));
                        i = end;
                        start = end;
                    }
                    // An unmatched run of backticks is literal text.
                    None => i += run,
                }
            }
            b'$' => {
                let display = bytes.get(i + 1) == Some(&b'$');
                let open = if display { 2 } else { 1 };
                let close = find_closing(text, i + open, display).ok_or(i)?;
                push_text(&mut pieces, &text[start..i]);
                let tex = &text[i + open..close];
                pieces.push(if display {
                    Piece::Display(tex)
                } else {
                    Piece::Inline(tex)
                });
                i = close + open;
                start = i;
            }
            _ => i += 1,
        }
    }
    push_text(&mut pieces, &text[start.min(text.len())..]);
    Ok(pieces)
}

/// The offset of the closing `$` (or `$$`) at or after `from`, skipping escaped characters.
fn find_closing(text: &str, from: usize, display: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' if !display => return Some(i),
            b'$' if bytes.get(i + 1) == Some(&b'$') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn push_text<'a>(pieces: &mut Vec<Piece<'a>>, text: &'a str) {
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
}

/// Every formula in `text`: `(tex, display)` pairs in order of appearance.
///
/// ```
/// let f = cards::math::formulas("$a$ and $$b$$").unwrap();
/// assert_eq!(f, vec![("a", false), ("b", true)]);
/// ```
pub fn formulas(text: &str) -> Result<Vec<(&str, bool)>, usize> {
    Ok(split(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Inline(t) => Some((t, false)),
            Piece::Display(t) => Some((t, true)),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_span_skips_longer_backtick_runs_inside_it() {
        // The single-backtick span opened at 0 runs past the `` at 4..6 to the ` at 7.
        assert_eq!(
            split("`abc``d`x $y$"),
            Ok(vec![
                Piece::Code("`abc``d`"),
                Piece::Text("x "),
                Piece::Inline("y"),
            ])
        );
    }

    #[test]
    fn an_unmatched_backtick_is_text_and_the_math_after_it_is_found() {
        assert_eq!(
            split("a ` $x$"),
            Ok(vec![Piece::Text("a ` "), Piece::Inline("x")])
        );
    }

    #[test]
    fn an_escaped_dollar_inside_math_does_not_close_it() {
        assert_eq!(
            split(r"$a\$b$ c"),
            Ok(vec![Piece::Inline(r"a\$b"), Piece::Text(" c")])
        );
        assert_eq!(split(r"$$a\$$b$$"), Ok(vec![Piece::Display(r"a\$$b")]));
    }

    #[test]
    fn a_single_dollar_inside_display_math_does_not_close_it() {
        assert_eq!(
            split("$$a $ b$$ c"),
            Ok(vec![Piece::Display("a $ b"), Piece::Text(" c")])
        );
        assert_eq!(split("$$a $ b"), Err(0));
    }
}
