//! Chromium as a process, and the DevTools-protocol client that drives it.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::scripts::{PRINT_CHECK, wrap};
use super::{FLAGS, PRINT_WIDTH_PX, TIMEOUT, stays_on_machine};

/// What printing the print page gives: the PDF, the print check's problems and the chapters of
/// the page's table of contents (each link's text without its number), which the PDF's outline
/// must hold.
pub(super) struct Printed {
    pub(super) pdf: Vec<u8>,
    pub(super) problems: Vec<String>,
    pub(super) chapters: Vec<String>,
    pub(super) headings: Vec<String>,
}

/// The chapters of mdBook's table of contents on the open page: each chapter link's text
/// without the chapter's number (a `<strong>`).
const CHAPTERS: &str = "return [...document.querySelectorAll(\
    '#mdbook-sidebar li.chapter-item > a[href], #mdbook-sidebar li.chapter-item > span > a[href]')]\
    .map(a => [...a.childNodes].filter(n => n.nodeName !== 'STRONG').map(n => n.textContent)\
    .join('').replace(/\\s+/g, ' ').trim()).filter(Boolean);";

/// The words of every heading (h1 to h4) of the open page's text, a formula by what it shows.
const HEADINGS: &str = "return [...document.querySelectorAll('main h1, main h2, main h3, main h4')]\
    .map(h => { const c = h.cloneNode(true); c.querySelectorAll('.katex-mathml').forEach(m => m.remove());\
    return c.textContent.replace(/\\s+/g, ' ').trim(); }).filter(Boolean);";

/// A Chromium process with a fresh profile, killed and its profile removed on drop.
pub(super) struct Browser {
    child: Child,
    profile: PathBuf,
    pub(super) ws_url: String,
}

impl Browser {
    pub(super) fn start(chromium: &Path) -> Result<Self, String> {
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
pub(super) struct Cdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    events: Vec<Value>,
}

impl Cdp {
    pub(super) fn connect(url: &str) -> Result<Self, String> {
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
    pub(super) fn call(
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
    pub(super) fn open_tab(&mut self) -> Result<String, String> {
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

    pub(super) fn set_width(&mut self, session: &str, width: u32) -> Result<(), String> {
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
    pub(super) fn open(
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

    /// Runs `body` (a script as the page checks are written, see [`wrap`]) in the page open in
    /// `session` and returns the problems it found.
    pub(super) fn run(&mut self, session: &str, body: &str) -> Result<Vec<String>, String> {
        self.evaluate(session, &wrap(body))
    }

    /// Presses and releases `key` (`Tab` or `Enter`) as a keyboard does, so that the browser
    /// moves focus or activates what has it.
    pub(super) fn press(&mut self, session: &str, key: &str) -> Result<(), String> {
        let (code, text) = match key {
            "Tab" => (9, ""),
            "Enter" => (13, "\r"),
            _ => return Err(format!("the check presses Tab or Enter, not {key:?}")),
        };
        // A key that types nothing goes down as a raw key, as Chromium's own input does.
        let down = if text.is_empty() {
            "rawKeyDown"
        } else {
            "keyDown"
        };
        for kind in [down, "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                        "nativeVirtualKeyCode": code, "text": if kind == "keyUp" { "" } else { text } }),
                Some(session),
            )?;
        }
        Ok(())
    }

    pub(super) fn evaluate(&mut self, session: &str, script: &str) -> Result<Vec<String>, String> {
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
    pub(super) fn loading_problems(&mut self, session: &str, origin: &str) -> Vec<String> {
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
    /// the light theme and prints it to PDF with its CSS page size, an outline (bookmarks, from the
    /// headings; Chromium builds it from the tagged PDF's structure, so both are asked for) and
    /// page numbers in the footer.
    pub(super) fn print_pdf(
        &mut self,
        session: &str,
        url: &str,
        origin: &str,
    ) -> Result<Printed, String> {
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
        // Laid out at the page's width, the print check and the book's own script (which
        // scales what is still too wide) see the layout that is printed.
        self.set_width(session, PRINT_WIDTH_PX)?;
        let problems = self.open(session, url, origin, PRINT_CHECK)?;
        let chapters = self.run(session, CHAPTERS)?;
        let headings = self.run(session, HEADINGS)?;
        let printed = self.call(
            "Page.printToPDF",
            json!({ "printBackground": true, "preferCSSPageSize": true,
                    "generateTaggedPDF": true, "generateDocumentOutline": true,
                    "displayHeaderFooter": true, "headerTemplate": "<span></span>",
                    "footerTemplate": FOOTER }),
            Some(session),
        )?;
        let data = printed["data"]
            .as_str()
            .ok_or("Page.printToPDF gave no data")?;
        let bytes = data_encoding::BASE64
            .decode(data.as_bytes())
            .map_err(|e| format!("Page.printToPDF gave bad base64: {e}"))?;
        Ok(Printed {
            pdf: bytes,
            problems,
            chapters,
            headings,
        })
    }
}

/// The printed page's footer: its number and the count, centred in the bottom margin (Chromium
/// fills the `pageNumber` and `totalPages` spans; the template sets its own font size, as the
/// default is too small to read).
const FOOTER: &str = "<div style=\"width: 100%; text-align: center; font-size: 9px; \
     font-family: sans-serif; color: #555;\"><span class=\"pageNumber\"></span> / \
     <span class=\"totalPages\"></span></div>";

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
