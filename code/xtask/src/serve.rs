//! `cargo xtask serve`: builds the book, serves it on 127.0.0.1, and rebuilds when a page, a
//! snapshot, a figure, a listing or `book.toml` changes.
//!
//! A deliberately small server (std only): GET and HEAD of files under the output folder, nothing
//! else. Reload the page in the browser after a rebuild.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

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

fn respond(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
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
    let (status, path) = match resolve(root, target) {
        Some(p) if p.is_file() => ("200 OK", p),
        _ => ("404 Not Found", root.join("404.html")),
    };
    let body = std::fs::read(&path).unwrap_or_else(|_| b"not found".to_vec());
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\n",
        content_type(&path),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method == "GET" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Serves `dir` on `127.0.0.1:port` from a background thread; returns the bound address.
///
/// # Errors
/// The port cannot be bound (in use, or not allowed).
pub fn spawn_server(dir: PathBuf, port: u16) -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                if let Err(e) = respond(stream, &dir) {
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

    #[test]
    fn serves_files_and_404s() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hello</p>").unwrap();
        std::fs::write(dir.join("404.html"), "gone").unwrap();
        let addr = spawn_server(dir.clone(), 0).unwrap();
        let get = |path: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let ok = get("/");
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(
            ok.contains("text/html") && ok.ends_with("<p>hello</p>"),
            "{ok}"
        );
        let missing = get("/nope.html");
        assert!(missing.starts_with("HTTP/1.1 404") && missing.ends_with("gone"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
