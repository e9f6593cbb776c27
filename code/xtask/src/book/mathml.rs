//! mdbook-katex with MathML made safe for Markdown.
//!
//! With `output = "htmlAndMathml"`, mdbook-katex 0.10.0 writes each formula's MathML into the
//! page before mdBook parses it as Markdown, and the MathML carries the TeX source in an
//! `<annotation>`. Markdown then reads that source: `\mathrm{PE}(p)_{2i} … (p)_{2i+1}` becomes
//! `<em>…</em>` across the formula (mdBook warns of unbalanced tags) and `\,` loses its
//! backslash. [`Katex`] runs mdbook-katex and then writes every character Markdown would act on
//! inside `<math>…</math>` text as an HTML character reference, which Markdown passes through
//! as the character itself.

use mdbook_driver::book::{Book, BookItem};
use mdbook_katex::preprocess::KatexProcessor;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// mdbook-katex under its own name (so `[preprocessor.katex]` configures it), followed by
/// [`protect`] on every chapter.
pub struct Katex;

impl Preprocessor for Katex {
    fn name(&self) -> &str {
        KatexProcessor.name()
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> anyhow::Result<Book> {
        let mut book = KatexProcessor.run(ctx, book)?;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = protect(&chapter.content);
            }
        });
        Ok(book)
    }
}

/// `html` with the Markdown-active characters in the text of every `<math>…</math>` element
/// written as character references (tags and everything outside MathML unchanged).
///
/// ```
/// let math = r#"<math><annotation encoding="application/x-tex">a_{1} * b_{2}\,</annotation></math>"#;
/// assert_eq!(
///     xtask::book::mathml::protect(&format!("*x* {math}")),
///     "*x* <math><annotation encoding=\"application/x-tex\">a&#95;{1} &#42; b&#95;{2}&#92;,</annotation></math>"
/// );
/// ```
pub fn protect(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<math") {
        out.push_str(&rest[..start]);
        let math = &rest[start..];
        let end = math
            .find("</math>")
            .map_or(math.len(), |e| e + "</math>".len());
        let mut in_tag = false;
        for c in math[..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ => {}
            }
            match (in_tag, entity(c)) {
                (false, Some(e)) => out.push_str(e),
                _ => out.push(c),
            }
        }
        rest = &math[end..];
    }
    out.push_str(rest);
    out
}

/// The character reference for a character CommonMark treats as syntax in inline text.
fn entity(c: char) -> Option<&'static str> {
    Some(match c {
        '\\' => "&#92;",
        '_' => "&#95;",
        '*' => "&#42;",
        '`' => "&#96;",
        '[' => "&#91;",
        ']' => "&#93;",
        '~' => "&#126;",
        '!' => "&#33;",
        '$' => "&#36;",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_inside_math_changes() {
        let html = "a_b <span class=\"x_y\">c*d</span> \
                    <math xmlns=\"m\"><mi mathvariant=\"x_y\">_</mi><mo>*</mo>\
                    <annotation>\\sum_{i} [x]~`y`!$</annotation></math> e_f";
        assert_eq!(
            protect(html),
            "a_b <span class=\"x_y\">c*d</span> \
             <math xmlns=\"m\"><mi mathvariant=\"x_y\">&#95;</mi><mo>&#42;</mo>\
             <annotation>&#92;sum&#95;{i} &#91;x&#93;&#126;&#96;y&#96;&#33;&#36;</annotation></math> e_f"
        );
    }

    #[test]
    fn every_formula_is_protected_and_an_unclosed_one_to_the_end() {
        assert_eq!(
            protect("<math>a_1</math>_<math>b_2</math>"),
            "<math>a&#95;1</math>_<math>b&#95;2</math>"
        );
        assert_eq!(protect("x <math>a_1"), "x <math>a&#95;1");
        assert_eq!(protect("no math_here"), "no math_here");
    }
}
