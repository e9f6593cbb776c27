//! `book.toml`: refuse anything mdBook or mdbook-katex would silently ignore.
//!
//! mdBook logs an invalid `[output.html]` and then renders with *all* HTML defaults; mdbook-katex
//! ignores unknown keys and falls back to its defaults on any invalid value (`no-css` included).

use std::path::Path;

use mdbook_driver::config::{Config, HtmlConfig};
use mdbook_katex::cfg::KatexConfig;

use super::line_of;
use crate::Problem;

/// The keys mdbook-katex 0.10.0 reads from `[preprocessor.katex]`, plus mdBook's own keys for
/// any preprocessor table.
pub const KATEX_KEYS: &[&str] = &[
    "output",
    "leqno",
    "fleqn",
    "throw-on-error",
    "error-color",
    "min-rule-thickness",
    "max-size",
    "max-expand",
    "trust",
    "no-css",
    "include-src",
    "macros",
    "block-delimiter",
    "inline-delimiter",
    "pre-render",
    "after",
    "before",
    "renderers",
    "command",
    "optional",
];

/// Loads `root/book.toml` and checks `[output.html]` and `[preprocessor.katex]`.
///
/// # Errors
/// Every problem found, each naming `book.toml` and the line of the offending key.
pub fn check(root: &Path) -> Result<Config, Vec<Problem>> {
    let file = root.join("book.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        vec![Problem {
            file: file.clone(),
            line: None,
            message: format!("cannot be read: {e}"),
        }]
    })?;
    let at = |needle: &str, message: String| Problem {
        file: file.clone(),
        line: line_of(&text, needle),
        message,
    };
    let config = Config::from_disk(&file).map_err(|e| {
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        vec![at("", chain.join(": "))]
    })?;
    let mut problems = Vec::new();

    // mdBook logs an invalid [output.html] and then renders with all defaults.
    if let Err(e) = config.get::<HtmlConfig>("output.html") {
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        let message = chain.join(": ").trim_end().to_string();
        // serde names the offending key as "unknown field `key`" or "invalid type ... `key`".
        let needle = regex::Regex::new(r"field `([^`]+)`")
            .expect("valid pattern")
            .captures(&message)
            .map_or("[output.html]".to_string(), |c| format!("{} ", &c[1]));
        problems.push(at(&needle, format!("invalid [output.html]: {message}")));
    }

    // mdbook-katex falls back to its defaults on any error, and ignores unknown keys.
    match config.get::<toml::Value>("preprocessor.katex") {
        Ok(Some(raw)) => {
            if let Some(table) = raw.as_table() {
                for key in table.keys() {
                    if !KATEX_KEYS.contains(&key.as_str()) {
                        problems.push(at(
                            &format!("{key} "),
                            format!(
                                "unknown key `{key}` in [preprocessor.katex]; mdbook-katex \
                                 0.10 knows {}",
                                KATEX_KEYS.join(", ")
                            ),
                        ));
                    }
                }
            }
            match raw.clone().try_into::<KatexConfig>() {
                Ok(katex) if !katex.no_css => problems.push(at(
                    "[preprocessor.katex]",
                    "[preprocessor.katex] must set `no-css = true`: the book serves KaTeX's \
                     stylesheet from src/katex, and the default links a CDN"
                        .into(),
                )),
                Ok(_) => {}
                Err(e) => problems.push(at(
                    "[preprocessor.katex]",
                    format!("invalid [preprocessor.katex]: {e}"),
                )),
            }
        }
        Ok(None) => problems.push(at(
            "",
            "no [preprocessor.katex] table: math would not be rendered".into(),
        )),
        Err(e) => problems.push(at("[preprocessor.katex]", e.to_string())),
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks `toml` as a book's configuration; returns `line: message` per problem.
    fn problems(name: &str, toml: &str) -> Vec<String> {
        let root = std::env::temp_dir().join(format!("xtask-config-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("book.toml"), toml).unwrap();
        let result = check(&root);
        std::fs::remove_dir_all(&root).unwrap();
        match result {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .iter()
                .map(|p| format!("{}: {}", p.line.unwrap_or(0), p.message))
                .collect(),
        }
    }

    #[test]
    fn a_good_config_passes() {
        let good = "[book]\ntitle = \"t\"\n\n[preprocessor.katex]\nno-css = true\n";
        assert_eq!(problems("good", good), Vec::<String>::new());
    }

    #[test]
    fn katex_keys_and_values_are_checked() {
        let none = problems("none", "[book]\ntitle = \"t\"\n");
        assert_eq!(none.len(), 1);
        assert!(
            none[0].contains("no [preprocessor.katex] table"),
            "{none:?}"
        );

        let typo = problems("typo", "[preprocessor.katex]\nno-css = true\nmacro = 1\n");
        assert_eq!(typo.len(), 1);
        assert!(typo[0].starts_with("3: unknown key `macro`"), "{typo:?}");

        let cdn = problems("cdn", "[preprocessor.katex]\nno-css = false\n");
        assert_eq!(cdn.len(), 1);
        assert!(
            cdn[0].starts_with("1: [preprocessor.katex] must set `no-css = true`"),
            "{cdn:?}"
        );
    }
}
