//! `cargo xtask serve`: builds the book, serves it on 127.0.0.1, and rebuilds when a page, a
//! snapshot, a figure, a listing or `book.toml` changes.
//!
//! A deliberately small server (std only): GET and HEAD of files under the output folder, and
//! live reload. Every HTML page it sends carries a small script (added as the page is sent; the
//! built book on disk never holds it) that long-polls [`RELOAD_PATH`]: the request waits until
//! the rebuild loop reports a finished build ([`Builds::finished`]), and the page then reloads
//! itself, as under `mdbook serve`. mdBook's own server does the same over a WebSocket, with
//! tokio, axum and tower-http; a long poll needs none of them.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

/// The path the injected script polls; it answers with the number of finished builds.
pub const RELOAD_PATH: &str = "/__reload";

/// How long a poll waits for a build before answering with the unchanged count.
const POLL_WAIT: Duration = Duration::from_secs(30);

/// The number of builds finished since the server started, shared by the rebuild loop (which
/// counts) and the server (whose pollers wait for the count to move).
#[derive(Debug, Clone, Default)]
pub struct Builds(Arc<(Mutex<u64>, Condvar)>);

impl Builds {
    /// Counts one finished build and wakes every waiting page.
    pub fn finished(&self) {
        let (count, moved) = &*self.0;
        *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        moved.notify_all();
    }

    /// The number of finished builds.
    pub fn count(&self) -> u64 {
        *self.0.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the count differs from `seen` or `timeout` passes; returns the count.
    pub fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let (count, moved) = &*self.0;
        let guard = count.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = moved
            .wait_timeout_while(guard, timeout, |n| *n == seen)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// The script every served HTML page gets: ask [`RELOAD_PATH`] whether a build newer than
/// `count` finished (the server holds the request until one does), and reload when it has.
fn reload_script(count: u64) -> String {
    format!(
        "<script>\n\
         // Added by `cargo xtask serve`, not part of the book: reload when a rebuild finishes.\n\
         (function () {{\n\
           var seen = \"{count}\";\n\
           function poll() {{\n\
             fetch(\"{RELOAD_PATH}?since=\" + seen, {{ cache: \"no-store\" }})\n\
               .then(function (r) {{ return r.text(); }})\n\
               .then(function (n) {{ if (n !== seen) {{ location.reload(); }} else {{ poll(); }} }})\n\
               .catch(function () {{ setTimeout(poll, 1000); }});\n\
           }}\n\
           poll();\n\
         }})();\n\
         </script>\n"
    )
}

/// `html` with the reload script inserted before its last `</body>` (or appended).
pub fn inject_reload(html: &[u8], count: u64) -> Vec<u8> {
    let script = reload_script(count);
    let at = html
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The content type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "ico" => "image/x-icon",
        "txt" | "md" | "rs" | "snap" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a request path to a file under `root`, refusing anything that climbs out of it.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let path = request_path.split(['?', '#']).next().unwrap_or("");
    let path = percent_decode(path)?;
    let mut out = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `since` query parameter of a reload poll, if it holds a count.
fn since(target: &str) -> Option<u64> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|n| n.parse().ok())
}

fn respond(mut stream: TcpStream, root: &Path, builds: Option<&Builds>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    if method != "GET" && method != "HEAD" {
        return stream.write_all(
            b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
    let (status, content_type, body) =
        if let Some(builds) = builds.filter(|_| target.split('?').next() == Some(RELOAD_PATH)) {
            let count = match since(target) {
                Some(seen) => builds.wait_past(seen, POLL_WAIT),
                None => builds.count(),
            };
            (
                "200 OK",
                "text/plain; charset=utf-8",
                count.to_string().into_bytes(),
            )
        } else {
            let (status, path) = match resolve(root, target) {
                Some(p) if p.is_file() => ("200 OK", p),
                _ => ("404 Not Found", root.join("404.html")),
            };
            let body = std::fs::read(&path).unwrap_or_else(|_| b"not found".to_vec());
            let content_type = content_type(&path);
            let body = match builds {
                Some(builds) if content_type.starts_with("text/html") => {
                    inject_reload(&body, builds.count())
                }
                _ => body,
            };
            (status, content_type, body)
        };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method == "GET" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Serves `dir` on `127.0.0.1:port` from a background thread, with live reload driven by
/// `builds`; returns the bound address.
///
/// # Errors
/// The port cannot be bound (in use, or not allowed).
pub fn spawn_server(
    dir: PathBuf,
    port: u16,
    builds: Builds,
) -> std::io::Result<std::net::SocketAddr> {
    spawn(dir, port, Some(builds))
}

/// Serves `dir` on `127.0.0.1:port` as it is on disk, with no live reload (what the browser
/// check opens); returns the bound address.
///
/// # Errors
/// The port cannot be bound (in use, or not allowed).
pub fn spawn_static(dir: PathBuf, port: u16) -> std::io::Result<std::net::SocketAddr> {
    spawn(dir, port, None)
}

fn spawn(dir: PathBuf, port: u16, builds: Option<Builds>) -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let builds = builds.clone();
            std::thread::spawn(move || {
                if let Err(e) = respond(stream, &dir, builds.as_ref()) {
                    eprintln!("serve: {e}");
                }
            });
        }
    });
    Ok(addr)
}

/// The newest modification time of anything the book is built from.
pub fn newest_input(root: &Path) -> Option<SystemTime> {
    let mut inputs = crate::walk(&root.join("src"));
    inputs.extend(crate::walk(&root.join("code")).into_iter().filter(|p| {
        !p.components().any(|c| c.as_os_str() == "target")
            && p.extension()
                .is_some_and(|e| e == "rs" || e == "snap" || e == "toml")
    }));
    inputs.push(root.join("book.toml"));
    inputs
        .iter()
        .filter_map(|p| p.metadata().and_then(|m| m.modified()).ok())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::time::Instant;

    #[test]
    fn requests_cannot_leave_the_root() {
        let root = Path::new("/srv/book");
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(
            resolve(root, "/order.html?x=1#top"),
            Some(PathBuf::from("/srv/book/order.html"))
        );
        assert_eq!(
            resolve(root, "/figures/a%20b.svg"),
            Some(PathBuf::from("/srv/book/figures/a b.svg"))
        );
    }

    fn get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    fn body(response: &str) -> &str {
        response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }

    #[test]
    fn serves_files_and_404s() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hello</p>").unwrap();
        std::fs::write(dir.join("404.html"), "gone").unwrap();
        std::fs::write(dir.join("a.css"), "p{}").unwrap();
        let addr = spawn_server(dir.clone(), 0, Builds::default()).unwrap();
        let ok = get(addr, "/");
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains("text/html"), "{ok}");
        assert!(body(&ok).starts_with("<p>hello</p><script>"), "{ok}");
        let css = get(addr, "/a.css");
        assert!(css.contains("text/css") && body(&css) == "p{}", "{css}");
        let missing = get(addr, "/nope.html");
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
        assert!(body(&missing).starts_with("gone<script>"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pages_reload_when_a_build_finishes() {
        let dir = std::env::temp_dir().join(format!("xtask-reload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let page = "<html><body><p>hi</p></body></html>";
        std::fs::write(dir.join("ch.html"), page).unwrap();
        let builds = Builds::default();
        let addr = spawn_server(dir.clone(), 0, builds.clone()).unwrap();

        // The served page carries the script, with the count it was served at, before </body>.
        let served = get(addr, "/ch.html");
        let html = body(&served);
        assert!(html.starts_with("<html><body><p>hi</p><script>"), "{html}");
        assert!(html.ends_with("</script>\n</body></html>"), "{html}");
        assert!(html.contains("var seen = \"0\";") && html.contains(RELOAD_PATH));
        // The file on disk does not.
        assert_eq!(std::fs::read_to_string(dir.join("ch.html")).unwrap(), page);

        // The endpoint answers with the count, which moves when a build finishes.
        assert_eq!(body(&get(addr, RELOAD_PATH)), "0");
        builds.finished();
        assert_eq!(body(&get(addr, RELOAD_PATH)), "1");
        assert!(body(&get(addr, "/ch.html")).contains("var seen = \"1\";"));

        // A poll that has seen the current count waits for the next build.
        let start = Instant::now();
        let waiting = std::thread::spawn(move || get(addr, &format!("{RELOAD_PATH}?since=1")));
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            !waiting.is_finished(),
            "the poll answered before a build finished"
        );
        builds.finished();
        let answer = waiting.join().unwrap();
        assert_eq!(body(&answer), "2");
        assert!(start.elapsed() >= Duration::from_millis(300));
        // A poll that is behind answers at once.
        assert_eq!(body(&get(addr, &format!("{RELOAD_PATH}?since=0"))), "2");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_script_goes_before_the_last_body_tag() {
        let out = inject_reload(b"<body>a</body>b</body>", 7);
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("<body>a</body>b<script>"), "{out}");
        assert!(
            out.ends_with("</script>\n</body>") && out.contains("\"7\""),
            "{out}"
        );
        assert!(
            String::from_utf8(inject_reload(b"plain", 0))
                .unwrap()
                .starts_with("plain<script>")
        );
    }
}
