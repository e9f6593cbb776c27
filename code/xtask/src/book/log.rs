//! Log capture: mdBook and mdbook-katex report many failures only as `tracing` events, so a
//! global layer collects every WARN and ERROR while a build runs, and [`locate`] turns each one
//! into a [`Problem`] naming the page (and line) it is about.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

use crate::{Problem, includes};

/// A WARN or ERROR event seen during a build.
#[derive(Debug, Clone)]
pub struct Captured {
    /// WARN or ERROR.
    pub level: Level,
    /// The module that logged it (`mdbook_driver::…`, `mdbook_katex::…`).
    pub target: String,
    /// The message, with any other fields appended as ` name=value`.
    pub message: String,
    /// The formula being rendered, when the event happened inside mdbook-katex's render span.
    pub math: Option<String>,
}

static EVENTS: Mutex<Option<Vec<Captured>>> = Mutex::new(None);
static CAPTURE: Mutex<()> = Mutex::new(());

/// Runs `f` while collecting every WARN and ERROR event, from any thread; returns its result and
/// the events. One capture at a time: the collector is global, and rayon threads inside
/// mdbook-katex log from outside the calling thread.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<Captured>) {
    install();
    let _guard = CAPTURE.lock().unwrap_or_else(|e| e.into_inner());
    *EVENTS.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
    let value = f();
    let events = EVENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default();
    (value, events)
}

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

fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let subscriber = tracing_subscriber::registry()
            .with(Collector.with_filter(tracing_subscriber::filter::LevelFilter::INFO));
        // If the host program already installed a subscriber, events go there instead; the
        // build then still fails on anything mdBook returns as an error.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Names the page (and line) an event is about, where that can be told.
pub fn locate(root: &Path, src: &Path, event: Captured) -> Problem {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn warnings_and_errors_are_captured_from_any_thread() {
        let ((), events) = capture(|| {
            tracing::info!("not a problem");
            tracing::warn!(page = "a.md", "first");
            std::thread::spawn(|| tracing::error!("second"))
                .join()
                .unwrap();
            let span = tracing::info_span!("render", item = "x^");
            span.in_scope(|| tracing::warn!("bad math"));
        });
        let seen: Vec<_> = events
            .iter()
            .map(|e| (e.level, e.message.as_str(), e.math.as_deref()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (Level::WARN, "first page=a.md", None),
                (Level::ERROR, "second", None),
                (Level::WARN, "bad math", Some("x^")),
            ]
        );
    }

    #[test]
    fn events_are_traced_to_a_page_or_the_config() {
        let event = |message: &str| Captured {
            level: Level::ERROR,
            target: "mdbook".into(),
            message: message.into(),
            math: None,
        };
        let (root, src) = (Path::new("/b"), Path::new("/b/src"));
        let file = |message: &str| locate(root, src, event(message)).file;
        assert_eq!(
            file("link found in `ch/one.md` is broken"),
            PathBuf::from("/b/src/ch/one.md")
        );
        assert_eq!(
            file("invalid config for output.html"),
            PathBuf::from("/b/book.toml")
        );
        assert_eq!(file("something else"), PathBuf::from("/b/src"));
        assert_eq!(
            locate(root, src, event("x")).message,
            "ERROR from mdbook: x"
        );
    }
}
