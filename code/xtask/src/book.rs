//! Renders the book with mdBook 0.5 and mdbook-katex in-process, and turns every silent failure
//! of that stack into an error naming a file (and a line where there is one).
//!
//! The checks, in order:
//! 1. `book.toml`: mdBook's own tables must deserialize (an unknown key in `[output.html]` would
//!    otherwise reset *every* HTML option to its default), and `[preprocessor.katex]` must hold
//!    only keys mdbook-katex knows, with the right types (it silently falls back to its defaults);
//!    `no-css` must be on, because the book serves KaTeX's stylesheet itself.
//! 2. Every include file and anchor exists ([`crate::includes`]).
//! 3. The build itself, with every WARN or ERROR event from mdBook or mdbook-katex collected; a
//!    KaTeX parse error is traced back to the page and line of the formula.
//! 4. The output: no CDN link, the KaTeX stylesheet present, no raw include directive left, and
//!    every relative link and image in the HTML resolves to a file.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use mdbook_driver::MDBook;
use mdbook_driver::config::{Config, HtmlConfig};
use mdbook_katex::cfg::KatexConfig;
use mdbook_katex::preprocess::KatexProcessor;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

use crate::{Problem, includes};

/// What a successful build reports.
#[derive(Debug, Clone)]
pub struct Built {
    /// Where the HTML went.
    pub dest: PathBuf,
    /// Wall time of the mdBook build alone (preprocessors and rendering).
    pub render_time: Duration,
    /// Number of HTML files written.
    pub pages: usize,
}

/// Builds the book rooted at `root` into `dest` and runs every check.
///
/// # Errors
/// Every problem found, each naming its file and, where possible, its line.
pub fn build(root: &Path, dest: &Path) -> Result<Built, Vec<Problem>> {
    let config = check_config(root)?;
    let src = root.join(&config.book.src);
    let problems = includes::check_all(&src);
    if !problems.is_empty() {
        return Err(problems);
    }

    let (result, events, render_time) = render(root, config, dest);
    let mut problems: Vec<Problem> = events
        .into_iter()
        .map(|e| locate_event(root, &src, e))
        .collect();
    if let Err(e) = result {
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        problems.push(Problem {
            file: root.join("book.toml"),
            line: None,
            message: format!("mdBook failed: {}", chain.join(": ")),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let pages = check_output(dest)?;
    Ok(Built {
        dest: dest.to_path_buf(),
        render_time,
        pages,
    })
}

/// The keys mdbook-katex 0.10.0 reads from `[preprocessor.katex]`, plus mdBook's own keys for
/// any preprocessor table.
const KATEX_KEYS: &[&str] = &[
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

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

/// Loads `book.toml` and refuses anything mdBook or mdbook-katex would silently ignore.
fn check_config(root: &Path) -> Result<Config, Vec<Problem>> {
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

/// A WARN or ERROR event seen during a build.
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    target: String,
    message: String,
    /// The formula being rendered, when the event happened inside mdbook-katex's render span.
    math: Option<String>,
}

static EVENTS: Mutex<Option<Vec<Captured>>> = Mutex::new(None);
static BUILD: Mutex<()> = Mutex::new(());

#[derive(Default)]
struct Fields {
    message: String,
    item: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "item" => self.item = Some(value.to_string()),
            "message" => self.message = value.to_string(),
            name => self.message.push_str(&format!(" {name}={value}")),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            // `#[instrument]` records `&str` arguments with Debug: strip the quotes again.
            "item" => {
                let s = format!("{value:?}");
                let s = s
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .map_or(s.clone(), |inner| inner.replace("\\\\", "\\"));
                self.item = Some(s);
            }
            name => self.message.push_str(&format!(" {name}={value:?}")),
        }
    }
}

/// The formula a span is rendering, kept in the span's extensions.
struct MathItem(String);

/// Collects WARN and ERROR events while a build runs; prints them otherwise.
struct Collector;

impl<S> Layer<S> for Collector
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(item), Some(span)) = (fields.item, ctx.span(id)) {
            span.extensions_mut().insert(MathItem(item));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let math = ctx.event_scope(event).and_then(|scope| {
            scope
                .into_iter()
                .find_map(|span| span.extensions().get::<MathItem>().map(|m| m.0.clone()))
        });
        let captured = Captured {
            level,
            target: event.metadata().target().to_string(),
            message: fields.message,
            math,
        };
        let mut events = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
        match events.as_mut() {
            Some(list) => list.push(captured),
            None => eprintln!("{}: {}", captured.level, captured.message),
        }
    }
}

fn install_collector() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let subscriber = tracing_subscriber::registry()
            .with(Collector.with_filter(tracing_subscriber::filter::LevelFilter::INFO));
        // If the host program already installed a subscriber, events go there instead; the
        // build then still fails on anything mdBook returns as an error.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Runs mdBook with KaTeX registered in-process; returns its result and the events it logged.
fn render(
    root: &Path,
    mut config: Config,
    dest: &Path,
) -> (anyhow::Result<()>, Vec<Captured>, Duration) {
    install_collector();
    // One build at a time: the collector is global, and rayon threads inside mdbook-katex log
    // from outside the calling thread.
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    *EVENTS.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
    config.build.build_dir = dest.to_path_buf();
    let start = Instant::now();
    let result = MDBook::load_with_config(root, config).and_then(|mut book| {
        book.with_preprocessor(KatexProcessor);
        book.build()
    });
    let elapsed = start.elapsed();
    let events = EVENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default();
    (result, events, elapsed)
}

/// Names the page (and line) an event is about, where that can be told.
fn locate_event(root: &Path, src: &Path, event: Captured) -> Problem {
    let what = format!("{} from {}: {}", event.level, event.target, event.message);
    if let Some(math) = &event.math {
        for page in includes::pages(src) {
            let Ok(text) = std::fs::read_to_string(&page) else {
                continue;
            };
            if let Some(offset) = text.find(math.as_str()) {
                let line = text[..offset].matches('\n').count() + 1;
                return Problem {
                    file: page,
                    line: Some(line),
                    message: format!("KaTeX cannot render `{math}`: {what}"),
                };
            }
        }
        // Not typed in a page: look in the files the pages include.
        for page in includes::pages(src) {
            let Ok(text) = std::fs::read_to_string(&page) else {
                continue;
            };
            for include in includes::find(&page, &text) {
                if let Ok(inner) = std::fs::read_to_string(&include.target)
                    && let Some(offset) = inner.find(math.as_str())
                {
                    return Problem {
                        file: include.target.clone(),
                        line: Some(inner[..offset].matches('\n').count() + 1),
                        message: format!(
                            "KaTeX cannot render `{math}` (included by {}:{}): {what}",
                            page.display(),
                            include.line
                        ),
                    };
                }
            }
        }
        return Problem {
            file: src.to_path_buf(),
            line: None,
            message: format!("KaTeX cannot render `{math}` (source not found): {what}"),
        };
    }
    // mdBook names the page in some messages ("found in `order.md`"); the config is the other
    // usual culprit.
    let page = regex::Regex::new(r"in `([^`]+\.md)`")
        .expect("valid pattern")
        .captures(&event.message)
        .map(|c| src.join(&c[1]));
    let file = match page {
        Some(page) => page,
        None if event.message.contains("output.html") || event.message.contains("config") => {
            root.join("book.toml")
        }
        None => src.to_path_buf(),
    };
    Problem {
        file,
        line: None,
        message: what,
    }
}

/// Walks the rendered HTML: no CDN, the KaTeX stylesheet present, no include left unexpanded,
/// every relative `href` and `src` pointing at a file. Returns the number of pages.
fn check_output(dest: &Path) -> Result<usize, Vec<Problem>> {
    let mut problems = Vec::new();
    let css = dest.join("katex/katex.min.css");
    if !css.is_file() {
        problems.push(Problem {
            file: css.clone(),
            line: None,
            message: "KaTeX's stylesheet is missing from the output: math would render as \
                      garbled text (src/katex/ must hold katex.min.css and its fonts)"
                .into(),
        });
    }
    if !walk(dest).iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("searchindex") && n.ends_with(".js"))
    }) {
        problems.push(Problem {
            file: dest.to_path_buf(),
            line: None,
            message: "no search index was written: mdbook-driver needs its `search` feature and \
                      [output.html.search] must stay enabled"
                .into(),
        });
    }
    let link = regex::Regex::new(r##"(?:href|src)="([^"#?]*)(?:\?[^"#]*)?(?:#([^"]*))?""##)
        .expect("valid pattern");
    let remote = regex::Regex::new(
        r#"<(?:link|script|img|source|iframe)\b[^>]*?(?:href|src)="((?:https?:)?//[^"]+)""#,
    )
    .expect("valid pattern");
    problems.extend(check_katex_fonts(dest));
    let html: Vec<PathBuf> = walk(dest)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for page in &html {
        let Ok(text) = std::fs::read_to_string(page) else {
            continue;
        };
        let at = |needle: &str, message: String| Problem {
            file: page.clone(),
            line: line_of(&text, needle),
            message,
        };
        // Anything the page loads (stylesheets, scripts, images, fonts) must come with the book.
        for cap in remote.captures_iter(&text) {
            problems.push(at(
                &cap[1],
                format!(
                    "loads `{}` from the network: the book must render offline",
                    &cap[1]
                ),
            ));
        }
        if text.contains("{{#include") || text.contains("{{#rustdoc_include") {
            problems.push(at(
                "{{#",
                "holds an include directive that was not expanded".into(),
            ));
        }
        let dir = page.parent().unwrap_or(dest);
        for cap in link.captures_iter(&text) {
            let target = &cap[1];
            let fragment = cap.get(2).map(|m| m.as_str()).filter(|f| !f.is_empty());
            if target.is_empty() {
                // A link within the page: its fragment must name an element of this page.
                if let Some(f) = fragment
                    && !text.contains(&format!("id=\"{f}\""))
                {
                    problems.push(at(
                        &format!("#{f}\""),
                        format!("broken link: no element has id `{f}` on this page"),
                    ));
                }
                continue;
            }
            if target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with("data:")
                || target.starts_with("javascript:")
                || target.contains("{{")
            {
                continue;
            }
            let path = if let Some(abs) = target.strip_prefix('/') {
                dest.join(abs)
            } else {
                dir.join(target)
            };
            let exists = path.is_file() || path.join("index.html").is_file();
            if !exists {
                problems.push(at(
                    &format!("\"{target}"),
                    format!("broken link: `{target}` does not exist in the rendered book"),
                ));
            } else if let Some(f) = fragment
                && path.extension().is_some_and(|e| e == "html")
                && !std::fs::read_to_string(&path).is_ok_and(|t| t.contains(&format!("id=\"{f}\"")))
            {
                problems.push(at(
                    &format!("\"{target}#{f}"),
                    format!("broken link: `{target}` has no element with id `{f}`"),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(html.len())
    } else {
        Err(problems)
    }
}

/// Every font KaTeX's stylesheet asks for first (the woff2 file of each `@font-face`) must be in
/// the output, or formulas silently fall back to system fonts.
fn check_katex_fonts(dest: &Path) -> Vec<Problem> {
    let css_path = dest.join("katex/katex.min.css");
    let Ok(css) = std::fs::read_to_string(&css_path) else {
        return Vec::new(); // reported as a missing stylesheet
    };
    let first_url = regex::Regex::new(r"src:url\(([^)]+)\)").expect("valid pattern");
    first_url
        .captures_iter(&css)
        .filter_map(|cap| {
            let font = css_path.parent().unwrap_or(dest).join(&cap[1]);
            (!font.is_file()).then(|| Problem {
                file: css_path.clone(),
                line: None,
                message: format!(
                    "KaTeX font {} is missing: copy it from the katex 0.16.4 npm package into \
                     src/katex/fonts/",
                    &cap[1]
                ),
            })
        })
        .collect()
}

/// Every file under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
