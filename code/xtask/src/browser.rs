//! The browser check: every rendered page opened in headless Chromium, as a reader opens it.
//!
//! The book build ([`crate::book`]) reads the HTML as text; this check lays it out. It serves the
//! built book from 127.0.0.1 (the [`crate::serve`] server, without live reload), starts Chromium
//! with a fresh profile and no network services of its own, and drives it over the DevTools
//! protocol (a few JSON messages over a WebSocket, see `Cdp`). For every page, at every width
//! and theme in [`Options`], it fails, naming page and element, on:
//!
//! - a console error, an uncaught exception, a failed request or an HTTP error status;
//! - any request that leaves the machine;
//! - KaTeX text laid out in a font that is not one of KaTeX's, or whose KaTeX font did not load;
//! - a formula without MathML (KaTeX's HTML is `aria-hidden`: without MathML a screen reader
//!   skips the formula);
//! - an image that did not load;
//! - an element of the page's content wider than the viewport that is not inside an element that
//!   scrolls sideways (`overflow-x: auto` or `scroll`), as a display equation without its own
//!   scroll box is on a phone;
//!
//! and, once per book, on a search (mdBook's `?search=` address) that finds nothing for one of
//! [`Options::search_terms`].
//!
//! Why a hand-written client and not a crate: see `CONTRIBUTING.md`, "The browser check". The
//! protocol part is `Cdp::call` and `Cdp::wait_for`; everything else is the check.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::Problem;

/// The programs tried, in order, when `CHROMIUM` is not set.
pub const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// How to get Chromium, for the line printed when it is missing.
pub const INSTALL_HINT: &str =
    "install Debian's package (`apt-get install chromium`) or set CHROMIUM=/path/to/chromium";

/// The flags Chromium runs with: headless, and quiet on the network (without the last four it
/// reaches for update, sync and field-trial servers, which a closed network refuses loudly).
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--remote-debugging-port=0",
];

/// A page load, a search or a script that takes longer than this is a failure.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the search terms live, relative to the book's `src/`: one term a line, `#` comments.
pub const SEARCH_TERMS_FILE: &str = "theme/search-terms.txt";

/// What the check opens and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Viewport widths in CSS pixels; each page is opened at each.
    pub widths: Vec<u32>,
    /// mdBook theme ids (`light`, `navy`, …); each page is opened in each, at every width.
    pub themes: Vec<String>,
    /// Terms that mdBook's search must find at least one page for.
    pub search_terms: Vec<String>,
    /// Print `print.html` to this file (relative to the book's folder) and count its pages.
    pub pdf: Option<PathBuf>,
}

impl Default for Options {
    /// A desktop and a phone width, the light theme and the dark theme the book prefers, no
    /// search terms, no PDF.
    fn default() -> Self {
        Options {
            widths: vec![1280, 390],
            themes: vec!["light".into(), "navy".into()],
            search_terms: Vec::new(),
            pdf: None,
        }
    }
}

/// What a clean run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// HTML pages opened.
    pub pages: usize,
    /// Page loads (pages × widths × themes).
    pub loads: usize,
    /// Pages in the printed PDF, when one was asked for.
    pub pdf_pages: Option<usize>,
    /// The browser's product and version, as it reports them.
    pub browser: String,
    /// Wall time of the whole check, Chromium's start included.
    pub time: Duration,
}

/// The Chromium to run: `$CHROMIUM` if set, else the first of [`CANDIDATES`] on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    CANDIDATES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The search terms in `src/<SEARCH_TERMS_FILE>` (none if the file is absent).
pub fn search_terms(src: &Path) -> Vec<String> {
    std::fs::read_to_string(src.join(SEARCH_TERMS_FILE))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// A problem with a page of the built book (`dest/page`).
fn at(dest: &Path, page: &str, message: String) -> Problem {
    Problem {
        file: dest.join(page),
        line: None,
        message,
    }
}

/// Opens every page of the book built in `dest` in the Chromium at `chromium`.
///
/// # Errors
/// Every problem found, each naming the page (as its file in `dest`), the width and theme, and
/// the element or request at fault; or one problem saying why the browser could not be driven.
pub fn check(dest: &Path, chromium: &Path, options: &Options) -> Result<Checked, Vec<Problem>> {
    let start = Instant::now();
    let fail = |message: String| vec![at(dest, "", message)];
    let mut pages: Vec<String> = crate::walk(dest)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .filter_map(|p| {
            let rel = p.strip_prefix(dest).ok()?.to_string_lossy().into_owned();
            // Files copied from src/ as they are (the theme's templates) are not pages, nor is
            // toc.html, the sidebar mdBook shows in a frame to readers without JavaScript.
            (!rel.starts_with("theme/") && rel != "toc.html").then_some(rel)
        })
        .collect();
    pages.sort();
    if pages.is_empty() {
        return Err(fail("no HTML page to open: build the book first".into()));
    }
    let addr = crate::serve::spawn_static(dest.to_path_buf(), 0)
        .map_err(|e| fail(format!("cannot serve the book on 127.0.0.1: {e}")))?;
    let origin = format!("http://{addr}/");
    let browser = Browser::start(chromium).map_err(&fail)?;
    let mut cdp = Cdp::connect(&browser.ws_url).map_err(&fail)?;
    let version = cdp
        .call("Browser.getVersion", json!({}), None)
        .map_err(&fail)?;
    let product = version["product"].as_str().unwrap_or("?").to_string();
    let session = cdp.open_tab().map_err(&fail)?;

    let mut problems = Vec::new();
    let mut loads = 0;
    for theme in &options.themes {
        let script = cdp
            .call(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": format!(
                    "try {{ localStorage.setItem('mdbook-theme', {}); }} catch (e) {{}}",
                    json!(theme)
                ) }),
                Some(&session),
            )
            .map_err(&fail)?;
        for &width in &options.widths {
            cdp.set_width(&session, width).map_err(&fail)?;
            for page in &pages {
                let url = format!("{origin}{page}");
                let found = cdp
                    .open(&session, &url, &origin, PAGE_CHECK)
                    .map_err(|e| fail(format!("{page} at {width} px, {theme} theme: {e}")))?;
                loads += 1;
                problems.extend(
                    found
                        .into_iter()
                        .map(|m| at(dest, page, format!("at {width} px, {theme} theme: {m}"))),
                );
            }
        }
        let id = &script["identifier"];
        cdp.call(
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": id }),
            Some(&session),
        )
        .map_err(&fail)?;
    }

    let width = options.widths.first().copied().unwrap_or(1280);
    cdp.set_width(&session, width).map_err(&fail)?;
    for term in &options.search_terms {
        let url = format!("{origin}index.html?search={}", percent_encode(term));
        let found = cdp
            .open(&session, &url, &origin, SEARCH_CHECK)
            .map_err(|e| fail(format!("searching for {term:?}: {e}")))?;
        problems.extend(
            found
                .into_iter()
                .map(|m| at(dest, "index.html", format!("search for {term:?}: {m}"))),
        );
    }

    let pdf_pages = match &options.pdf {
        Some(file) => {
            let path = dest.join(file);
            match cdp.print_pdf(&session, &format!("{origin}print.html"), &origin) {
                Ok((bytes, found)) => {
                    problems.extend(
                        found
                            .into_iter()
                            .map(|m| at(dest, "print.html", format!("printing: {m}"))),
                    );
                    std::fs::write(&path, &bytes)
                        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
                    let n = pdf_page_count(&bytes);
                    if n == 0 {
                        problems.push(at(
                            dest,
                            "print.html",
                            "the printed PDF has no pages".into(),
                        ));
                    }
                    Some(n)
                }
                Err(e) => return Err(fail(format!("printing print.html: {e}"))),
            }
        }
        None => None,
    };
    drop(cdp);
    drop(browser);
    if problems.is_empty() {
        Ok(Checked {
            pages: pages.len(),
            loads,
            pdf_pages,
            browser: product,
            time: start.elapsed(),
        })
    } else {
        Err(problems)
    }
}

/// `s` with everything but ASCII letters and digits percent-encoded, for a query value.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The number of pages in a PDF as Chromium writes it: the `/Type /Page` objects (not
/// `/Type /Pages`, the page tree).
pub fn pdf_page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .chain(text.match_indices("/Type/Page"))
        .filter(|(i, m)| {
            let next = text[i + m.len()..].chars().next();
            next.is_none_or(|c| !c.is_ascii_alphanumeric())
        })
        .count()
}

/// A Chromium process with a fresh profile, killed and its profile removed on drop.
struct Browser {
    child: Child,
    profile: PathBuf,
    ws_url: String,
}

impl Browser {
    fn start(chromium: &Path) -> Result<Self, String> {
        // One fresh profile per browser: Chromium refuses a profile another instance holds.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile =
            std::env::temp_dir().join(format!("xtask-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)
            .map_err(|e| format!("cannot make a profile folder {}: {e}", profile.display()))?;
        let mut child = Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        let stderr = child.stderr.take().ok_or("no stderr from Chromium")?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Read Chromium's stderr until it names its DevTools address, then keep draining it so
        // the pipe never fills; the last lines are kept for an error message.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(url) = line.split("DevTools listening on ").nth(1) {
                    sent = tx.send(Ok(url.trim().to_string())).is_ok();
                } else if !sent {
                    let _ = tx.send(Err(line));
                }
            }
        });
        let mut browser = Browser {
            child,
            profile,
            ws_url: String::new(),
        };
        let deadline = Instant::now() + TIMEOUT;
        let mut said = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Ok(url)) => {
                    browser.ws_url = url;
                    return Ok(browser);
                }
                Ok(Err(line)) => said.push(line),
                Err(_) => {
                    return Err(format!(
                        "{} did not open its DevTools port within {} s; it said:\n{}",
                        chromium.display(),
                        TIMEOUT.as_secs(),
                        said.join("\n")
                    ));
                }
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A DevTools-protocol connection to the browser: numbered calls, and the events that arrive in
/// between, kept until asked for. Pages are driven through one flat session
/// (`Target.attachToTarget` with `flatten`), so every message travels on this one socket.
struct Cdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    events: Vec<Value>,
}

impl Cdp {
    fn connect(url: &str) -> Result<Self, String> {
        let (ws, _) =
            tungstenite::connect(url).map_err(|e| format!("cannot connect to {url}: {e}"))?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(TIMEOUT))
                .map_err(|e| format!("cannot set a read timeout: {e}"))?;
        }
        Ok(Cdp {
            ws,
            next_id: 0,
            events: Vec::new(),
        })
    }

    fn read(&mut self) -> Result<Value, String> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(text.as_str())
                        .map_err(|e| format!("the browser sent bad JSON: {e}"));
                }
                Ok(Message::Close(_)) => return Err("the browser closed the connection".into()),
                Ok(_) => {}
                Err(e) => return Err(format!("reading from the browser: {e}")),
            }
        }
    }

    /// Sends `method` with `params` (to `session`, or to the browser) and returns its result.
    fn call(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("sending {method}: {e}"))?;
        loop {
            let reply = self.read()?;
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    return Err(format!("{method} failed: {error}"));
                }
                return Ok(reply["result"].clone());
            }
            if reply.get("method").is_some() {
                self.events.push(reply);
            }
        }
    }

    /// Waits for the event `method` on `session`; the events before it stay queued.
    fn wait_for(&mut self, method: &str, session: &str) -> Result<Value, String> {
        let is_it = |e: &Value| e["method"] == method && e["sessionId"] == session;
        if let Some(i) = self.events.iter().position(is_it) {
            return Ok(self.events.remove(i));
        }
        loop {
            let event = self.read()?;
            if is_it(&event) {
                return Ok(event);
            }
            if event.get("method").is_some() {
                self.events.push(event);
            }
        }
    }

    /// A new tab, attached as a flat session with the domains the check listens to enabled.
    fn open_tab(&mut self) -> Result<String, String> {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }), None)?;
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
            None,
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("Target.attachToTarget gave no session")?
            .to_string();
        for domain in ["Page", "Runtime", "Network", "Log"] {
            self.call(&format!("{domain}.enable"), json!({}), Some(&session))?;
        }
        Ok(session)
    }

    fn set_width(&mut self, session: &str, width: u32) -> Result<(), String> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 844, "deviceScaleFactor": 1, "mobile": width < 600 }),
            Some(session),
        )
        .map(|_| ())
    }

    /// Loads `url`, waits for its load event and its fonts, runs `script` (an expression whose
    /// promise resolves to a list of problems) and returns those problems with the ones the
    /// browser reported while loading (console errors, failed or off-machine requests).
    fn open(
        &mut self,
        session: &str,
        url: &str,
        origin: &str,
        script: &str,
    ) -> Result<Vec<String>, String> {
        self.events.clear();
        let nav = self.call("Page.navigate", json!({ "url": url }), Some(session))?;
        if let Some(e) = nav.get("errorText") {
            return Err(format!("cannot load {url}: {e}"));
        }
        self.wait_for("Page.loadEventFired", session)?;
        let mut found = self.evaluate(session, &wrap(script))?;
        found.extend(self.loading_problems(session, origin));
        Ok(found)
    }

    fn evaluate(&mut self, session: &str, script: &str) -> Result<Vec<String>, String> {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": script, "awaitPromise": true, "returnByValue": true,
                    "timeout": TIMEOUT.as_millis() }),
            Some(session),
        )?;
        if let Some(e) = result.get("exceptionDetails") {
            return Err(format!("the check's script failed: {e}"));
        }
        Ok(result["result"]["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The problems among the queued events of `session`, which are then dropped.
    fn loading_problems(&mut self, session: &str, origin: &str) -> Vec<String> {
        let mut urls = std::collections::HashMap::new();
        let mut found = Vec::new();
        for event in self.events.drain(..).filter(|e| e["sessionId"] == session) {
            let p = &event["params"];
            match event["method"].as_str().unwrap_or("") {
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or("").to_string();
                    if !stays_on_machine(&url, origin) {
                        found.push(format!("request off the machine: {url}"));
                    }
                    urls.insert(p["requestId"].to_string(), url);
                }
                "Network.loadingFailed" => {
                    let url = urls
                        .get(&p["requestId"].to_string())
                        .cloned()
                        .unwrap_or_default();
                    found.push(format!("failed request: {url} ({})", p["errorText"]));
                }
                "Network.responseReceived" => {
                    let status = p["response"]["status"].as_u64().unwrap_or(0);
                    if status >= 400 {
                        let url = p["response"]["url"].as_str().unwrap_or("");
                        found.push(format!("failed request: {url} (HTTP {status})"));
                    }
                }
                "Runtime.exceptionThrown" => {
                    let d = &p["exceptionDetails"];
                    let text = d["exception"]["description"]
                        .as_str()
                        .or(d["text"].as_str())
                        .unwrap_or("");
                    found.push(format!("uncaught exception: {}", first_line(text)));
                }
                "Runtime.consoleAPICalled" if p["type"] == "error" => {
                    let args: Vec<String> = p["args"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|v| {
                                    v["value"]
                                        .as_str()
                                        .map(String::from)
                                        .or(v["description"].as_str().map(String::from))
                                        .unwrap_or_else(|| v["value"].to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    found.push(format!("console error: {}", first_line(&args.join(" "))));
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    let e = &p["entry"];
                    let url = e["url"].as_str().unwrap_or("");
                    found.push(format!(
                        "console error: {}{}",
                        e["text"].as_str().unwrap_or(""),
                        if url.is_empty() {
                            String::new()
                        } else {
                            format!(" ({url})")
                        }
                    ));
                }
                _ => {}
            }
        }
        found.sort();
        found.dedup();
        found
    }

    /// Loads `url` (mdBook's print page, whose own `window.print()` call is stubbed first) in
    /// the light theme and prints it to PDF with its CSS page size; returns the PDF and the problems seen loading it.
    fn print_pdf(
        &mut self,
        session: &str,
        url: &str,
        origin: &str,
    ) -> Result<(Vec<u8>, Vec<String>), String> {
        // Paper is printed in the light theme, whatever theme the pages were last opened in.
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "window.print = function () {}; \
                               try { localStorage.setItem('mdbook-theme', 'light'); } catch (e) {}" }),
            Some(session),
        )?;
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "media": "print" }),
            Some(session),
        )?;
        let found = self.open(session, url, origin, PRINT_CHECK)?;
        let printed = self.call(
            "Page.printToPDF",
            json!({ "printBackground": true, "preferCSSPageSize": true,
                    "displayHeaderFooter": false }),
            Some(session),
        )?;
        let data = printed["data"]
            .as_str()
            .ok_or("Page.printToPDF gave no data")?;
        let bytes = data_encoding::BASE64
            .decode(data.as_bytes())
            .map_err(|e| format!("Page.printToPDF gave bad base64: {e}"))?;
        Ok((bytes, found))
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Whether a request for `url` stays on this machine: the book's own server, or no network at
/// all (`data:`, `blob:`, `about:`).
pub fn stays_on_machine(url: &str, origin: &str) -> bool {
    url.starts_with(origin)
        || ["data:", "blob:", "about:"]
            .iter()
            .any(|s| url.starts_with(s))
}

/// Shared by the page checks: a short description of an element, and waiting for fonts.
const PRELUDE: &str = r#"
const describe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).filter(Boolean);
  if (cls.length) s += '.' + cls.slice(0, 2).join('.');
  // A formula is named by its TeX source (MathML's annotation) where it has one.
  const tex = el.querySelector && el.querySelector('annotation');
  const html = el.querySelector && el.querySelector('.katex-html');
  const raw = tex ? tex.textContent : html ? html.textContent : (el.textContent || el.getAttribute('src') || '');
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text) s += ' "' + (text.length > 60 ? text.slice(0, 60) + '…' : text) + '"';
  return s;
};
const settle = () => document.fonts.ready.then(() => new Promise(r => setTimeout(r, 50)));
"#;

/// The per-page check, run after the load event: KaTeX fonts, images, overflow.
const PAGE_CHECK: &str = r#"
await settle();
const found = [];
const vw = document.documentElement.clientWidth;
const faces = {};
document.fonts.forEach(f => {
  const fam = f.family.replace(/["']/g, '');
  (faces[fam] = faces[fam] || []).push(f.status);
});
const badMath = new Map();
for (const el of document.querySelectorAll('.katex-html *')) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const fam = getComputedStyle(el).fontFamily.split(',')[0].trim().replace(/["']/g, '');
  let why = null;
  if (!fam.startsWith('KaTeX_')) {
    why = 'laid out in ' + fam + ', not in a KaTeX font';
  } else if (!(faces[fam] || []).includes('loaded')) {
    why = 'its font ' + fam + ' did not load (' + (faces[fam] || ['no @font-face for it']).join(', ') + ')';
  }
  const formula = el.closest('.katex') || el;
  if (why && !badMath.has(formula)) badMath.set(formula, why);
}
const silent = [...document.querySelectorAll('.katex')].filter(k => !k.querySelector('.katex-mathml math'));
silent.slice(0, 3).forEach(k => found.push('KaTeX ' + describe(k) + ': no MathML, so screen readers skip it (set output = "htmlAndMathml")'));
if (silent.length > 3) found.push('… and ' + (silent.length - 3) + ' more formulas without MathML');
[...badMath].slice(0, 3).forEach(([el, why]) => found.push('KaTeX ' + describe(el) + ': ' + why));
if (badMath.size > 3) found.push('… and ' + (badMath.size - 3) + ' more formulas like these');
for (const img of document.images) {
  if (!img.complete || img.naturalWidth === 0) found.push('image did not load: ' + describe(img));
}
const main = document.querySelector('main') || document.body;
// Inside `main`, a box that scrolls or clips holds its content: the box itself is measured.
const held = (el) => {
  for (let a = el.parentElement; a && a !== main.parentElement; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true;
  }
  return false;
};
const wide = [];
for (const el of main.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= vw + 1 || held(el)) continue;
  const block = el.closest('.katex-display, table, pre, figure, p, li, h1, h2, h3, h4, dd, blockquote') || el;
  if (wide.includes(block)) continue;
  wide.push(block);
  const reach = Math.max(r.right, block.getBoundingClientRect().left + block.scrollWidth);
  found.push('wider than the ' + vw + ' px viewport (reaches ' + Math.round(reach) +
    ' px) outside any box that scrolls: ' + describe(block));
}
const sw = document.documentElement.scrollWidth;
if (!wide.length && sw > vw + 1) {
  // Something outside the content (or positioned out of it) widens the page:   // name the outermost element whose right edge is the page's.
  const far = [...document.body.querySelectorAll('*')].find(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && Math.abs(r.right + window.scrollX - sw) < 2;
  });
  found.push('the page scrolls sideways (' + sw + ' px wide in ' + vw + ' px): ' +
    (far ? describe(far) + ' ends at its right edge' : 'no element ends at its right edge'));
}
return found;
"#;

/// Waits until mdBook's search has answered the term in the address (`?search=`), then checks
/// that it found something.
const SEARCH_CHECK: &str = r#"
const header = document.getElementById('mdbook-searchresults-header');
const list = document.getElementById('mdbook-searchresults');
if (!header || !list) return ['the page has no search box'];
const t0 = Date.now();
while (!header.innerText.trim() && Date.now() - t0 < 10000) await new Promise(r => setTimeout(r, 50));
if (!header.innerText.trim()) return ['the search did not answer within 10 s'];
return list.children.length ? [] : ['found nothing (' + header.innerText.trim() + ')'];
"#;

/// The print page, laid out for print: every `<details>` shows its content, every image loaded.
const PRINT_CHECK: &str = r#"
await settle();
const found = [];
let closed = 0;
for (const d of document.querySelectorAll('details')) {
  const shown = [...d.children].some(c => c.tagName !== 'SUMMARY' && c.checkVisibility() && c.getBoundingClientRect().height > 0);
  if (!shown && closed++ < 3) found.push('prints closed: ' + describe(d.querySelector('summary') || d));
}
if (closed > 3) found.push('… and ' + (closed - 3) + ' more closed <details>');
for (const img of document.images) {
  if (!img.complete || img.naturalWidth === 0) found.push('image did not load: ' + describe(img));
}
return found;
"#;

/// `body` as an expression: an async function with [`PRELUDE`] in scope, called.
fn wrap(body: &str) -> String {
    format!("(async () => {{\n{PRELUDE}\n{body}\n}})()")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_books_server_and_local_schemes_stay_on_the_machine() {
        let origin = "http://127.0.0.1:4000/";
        assert!(stays_on_machine("http://127.0.0.1:4000/rope.html", origin));
        assert!(stays_on_machine("data:font/woff2;base64,AAAA", origin));
        assert!(stays_on_machine("blob:http://127.0.0.1:4000/x", origin));
        assert!(!stays_on_machine(
            "https://cdn.jsdelivr.net/katex.css",
            origin
        ));
        assert!(!stays_on_machine("http://127.0.0.1:4001/x", origin));
        assert!(!stays_on_machine("http://127.0.0.1:40000/x", origin));
    }

    #[test]
    fn search_terms_are_percent_encoded() {
        assert_eq!(percent_encode("RoPE"), "RoPE");
        assert_eq!(percent_encode("Transformer-XL"), "Transformer%2DXL");
        assert_eq!(percent_encode("a b"), "a%20b");
    }

    #[test]
    fn pdf_pages_are_counted_without_the_page_tree() {
        let pdf = b"1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >> \
                    3 0 obj <</Type/Page/Parent 1 0 R>>";
        assert_eq!(pdf_page_count(pdf), 2);
        assert_eq!(pdf_page_count(b"no pages"), 0);
    }

    #[test]
    fn search_terms_skip_comments_and_blanks() {
        let dir = std::env::temp_dir().join(format!("xtask-terms-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("theme")).unwrap();
        std::fs::write(
            dir.join(SEARCH_TERMS_FILE),
            "# terms\nRoPE\n\n  ALiBi  \n#x\n",
        )
        .unwrap();
        assert_eq!(search_terms(&dir), vec!["RoPE", "ALiBi"]);
        assert!(search_terms(&dir.join("nowhere")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
