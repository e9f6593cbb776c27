//! Figures shown as images, not as controls.
//!
//! mdBook 0.5.4 writes every Markdown image outside a link as a zoom control: a `<label>` holding
//! a visually hidden checkbox, the image, and a second copy of the image shown on top of the page
//! when the box is ticked (`mdbook-html` 0.5.4, `src/html/tree.rs`, the `Tag::Image` arm of
//! `start_tag`). So each figure is a Tab stop that screen readers announce as a checkbox, and on
//! a phone a tap shows a smaller copy over the page. [`Figures`] runs after every other
//! preprocessor (includes and KaTeX) and writes each figure that stands as its own paragraph,
//! `![alt](figures/name.svg)`, as `<figure class="figure"><img src alt></figure>`: an image in a
//! figure, which the theme (`src/theme/fit.css`) sizes and, on a phone, scrolls.

use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The preprocessor; see the module's documentation.
pub struct Figures;

impl Preprocessor for Figures {
    fn name(&self) -> &str {
        "figures"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = rewrite(&chapter.content);
            }
        });
        Ok(book)
    }
}

/// The folder, relative to a page, that the book's figures are in.
const FIGURES: &str = "figures/";

/// `markdown` with every figure that is a paragraph of its own (a line holding only
/// `![alt](figures/….svg)`, with a blank line or the page's edge before and after it, outside
/// code fences) written as a `<figure>` holding a plain `<img>`.
///
/// ```
/// let page = "Text.\n\n![A \"curve\" & more](figures/a-b.svg)\n\nMore.\n";
/// assert_eq!(
///     xtask::book::images::rewrite(page),
///     "Text.\n\n<figure class=\"figure\"><img src=\"figures/a-b.svg\" \
///      alt=\"A &quot;curve&quot; &amp; more\"></figure>\n\nMore.\n"
/// );
/// ```
pub fn rewrite(markdown: &str) -> String {
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    let blank = |i: Option<&&str>| i.is_none_or(|l| l.trim().is_empty());
    let mut fence: Option<&str> = None;
    let mut out = String::with_capacity(markdown.len());
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
            out.push_str(line);
            continue;
        }
        let alone = blank(i.checked_sub(1).and_then(|j| lines.get(j))) && blank(lines.get(i + 1));
        match figure(trimmed) {
            Some((alt, src)) if alone => {
                out.push_str(&format!(
                    "<figure class=\"figure\"><img src=\"{}\" alt=\"{}\"></figure>",
                    escape(src),
                    escape(alt)
                ));
                out.push_str(&line[line.trim_end().len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The alt text and address of `line` if it is exactly one image of the figures folder.
fn figure(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("![")?;
    let (alt, src) = rest.strip_suffix(')')?.rsplit_once("](")?;
    (src.starts_with(FIGURES) && src.ends_with(".svg") && !src.contains([' ', '"', '(', ')']))
        .then_some((alt, src))
}

/// `s` safe inside a double-quoted HTML attribute.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_figure_alone_in_its_paragraph_outside_code_is_rewritten() {
        let fig = "![alt](figures/x-y.svg)";
        let html = "<figure class=\"figure\"><img src=\"figures/x-y.svg\" alt=\"alt\"></figure>";
        assert_eq!(rewrite(fig), html);
        assert_eq!(rewrite(&format!("{fig}\n")), format!("{html}\n"));
        assert_eq!(
            rewrite(&format!("a\n\n{fig}\r\n\nb")),
            format!("a\n\n{html}\r\n\nb")
        );
        // Inside a paragraph, the raw HTML block would swallow the next line: left to mdBook.
        let inline = format!("a\n{fig}\nb\n");
        assert_eq!(rewrite(&inline), inline);
        let after = format!("{fig}\nb\n");
        assert_eq!(rewrite(&after), after);
        // In a code fence it is an example, not a figure.
        let fenced = format!("```md\n\n{fig}\n\n```\n\n{fig}\n");
        assert_eq!(
            rewrite(&fenced),
            format!("```md\n\n{fig}\n\n```\n\n{html}\n")
        );
    }

    #[test]
    fn other_images_stay_markdown() {
        for line in [
            "![alt](img/x.svg)",
            "![alt](figures/x.png)",
            "![alt](figures/x.svg \"title\")",
            "![alt](figures/x.svg) and text",
            "[![alt](figures/x.svg)](figures/x.svg)",
        ] {
            assert_eq!(rewrite(line), line);
        }
    }

    #[test]
    fn alt_text_keeps_brackets_and_is_escaped() {
        assert_eq!(
            rewrite("![a [b] <c> \"d\" & e](figures/f.svg)"),
            "<figure class=\"figure\"><img src=\"figures/f.svg\" \
             alt=\"a [b] &lt;c&gt; &quot;d&quot; &amp; e\"></figure>"
        );
    }
}
