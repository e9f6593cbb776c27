//! Numbers and tables for snapshots: fixed decimals, never `-0.000`, Markdown tables.

/// `x` with exactly `decimals` digits after the point, never `-0.000`.
///
/// ```
/// assert_eq!(bookkit::fixed(-0.00001, 3), "0.000");
/// assert_eq!(bookkit::fixed(-1.23456, 3), "-1.235");
/// assert_eq!(bookkit::fixed(2.0, 0), "2");
/// assert_eq!(bookkit::fixed(f64::NAN, 2), "NaN");
/// ```
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// A Markdown table built row by row; the page shows it as a table, the snapshot keeps it as text.
///
/// ```
/// let mut t = bookkit::Table::new(["token", "value"]);
/// t.row(["John".to_string(), bookkit::fixed(0.5, 2)]);
/// assert_eq!(t.to_string(), "| token | value |\n|:--|--:|\n| John | 0.50 |\n");
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings; the first column is left-aligned, the rest right.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (it may be shorter than the header; missing cells stay empty).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "| {} |", self.header.join(" | "))?;
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { ":--" } else { "--:" })
            .collect();
        writeln!(f, "|{}|", align.join("|"))?;
        for row in &self.rows {
            let mut cells = row.clone();
            cells.resize(self.header.len().max(row.len()), String::new());
            writeln!(f, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}

/// Formats a vector as `(a, b, c)` with fixed decimals.
///
/// ```
/// assert_eq!(bookkit::tuple([1.0, -0.0, 0.25], 2), "(1.00, 0.00, 0.25)");
/// ```
pub fn tuple(values: impl IntoIterator<Item = f64>, decimals: usize) -> String {
    let parts: Vec<String> = values.into_iter().map(|x| fixed(x, decimals)).collect();
    format!("({})", parts.join(", "))
}

/// `n` in Unicode superscript digits (with a superscript minus), for exponents in figure text:
/// `2` followed by `superscript(-8)` reads 2⁻⁸ where a page's typeset math reads $2^{-8}$.
///
/// ```
/// assert_eq!(bookkit::format::superscript(-8), "⁻⁸");
/// assert_eq!(bookkit::format::superscript(1024), "¹⁰²⁴");
/// assert_eq!(bookkit::format::superscript(0), "⁰");
/// ```
pub fn superscript(n: i64) -> String {
    in_digits(n, '⁻', ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'])
}

/// `n` written with `digits` for 0 to 9 and `minus` before a negative number.
fn in_digits(n: i64, minus: char, digits: [char; 10]) -> String {
    let sign = if n < 0 { Some(minus) } else { None };
    sign.into_iter()
        .chain(
            n.unsigned_abs()
                .to_string()
                .bytes()
                .map(|b| digits[usize::from(b - b'0')]),
        )
        .collect()
}

/// `n` in Unicode subscript digits (with a subscript minus), for indices in figure text: `m`
/// followed by `subscript(3)` reads m₃ where a page's typeset math reads $m_3$.
///
/// ```
/// assert_eq!(bookkit::format::subscript(3), "₃");
/// assert_eq!(bookkit::format::subscript(-12), "₋₁₂");
/// ```
pub fn subscript(n: i64) -> String {
    in_digits(n, '₋', ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_never_shows() {
        for x in [-0.0, -1e-9, -0.0004] {
            assert_eq!(fixed(x, 3), "0.000");
        }
        assert_eq!(fixed(-0.0005001, 3), "-0.001");
    }
}
