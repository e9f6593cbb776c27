//! JSON as Python writes it. transformers reads a `config.json` with Python's `json.loads`
//! (`PreTrainedConfig._dict_from_json_file` in `configuration_utils.py`, transformers 5.24.0), which
//! by default accepts the bare constants `Infinity`, `-Infinity` and `NaN` that strict JSON (and
//! `serde_json`) refuses. A text that strict JSON refuses is read again with each such constant
//! outside a string taken as the string `"Infinity"`, `"-Infinity"` or `"NaN"`, and every key that
//! held one is named in a note, so that a key the inspector reads is then refused by name (it is
//! not a finite number) and one it does not read is accepted, as the reference accepts it.

use serde_json::Value;

const MARK: &str = "\u{1}python-json:";
const CONSTANTS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];

/// Parses `text` as strict JSON, else as Python's `json.loads` would; returns the value and the
/// paths (`a.b[2]`) of the keys that held a Python constant.
///
/// # Errors
/// The strict parser's message when the text is not JSON even with the constants allowed.
pub(crate) fn parse(text: &str) -> Result<(Value, Vec<String>), serde_json::Error> {
    let strict = match serde_json::from_str(text) {
        Ok(v) => return Ok((v, Vec::new())),
        Err(e) => e,
    };
    let Some(marked) = mark(text) else {
        return Err(strict);
    };
    let mut value: Value = serde_json::from_str(&marked).map_err(|_| strict)?;
    let mut paths = Vec::new();
    unmark(&mut value, String::new(), &mut paths);
    Ok((value, paths))
}

/// Replaces each constant outside a string with a marked string; `None` if there is none.
fn mark(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 32);
    let (mut in_string, mut escaped, mut found) = (false, false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(k) = CONSTANTS.iter().find(|k| rest.starts_with(*k)) {
            out.push('"');
            out.push_str(&MARK.replace('\u{1}', "\\u0001"));
            out.push_str(k);
            out.push('"');
            rest = &rest[k.len()..];
            found = true;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    found.then_some(out)
}

fn unmark(v: &mut Value, path: String, paths: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(k) = s.strip_prefix(MARK).map(str::to_string) {
                paths.push(format!("`{path}` = {k}"));
                *s = k;
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                unmark(x, format!("{path}[{i}]"), paths);
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                unmark(x, p, paths);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_json_is_untouched_and_python_constants_are_named() {
        let (v, p) = parse(r#"{"a": 1}"#).unwrap();
        assert_eq!((v["a"].as_i64(), p.len()), (Some(1), 0));
        let (v, p) =
            parse(r#"{"s": "NaN Infinity \" -Infinity", "x": {"t": [1, -Infinity]}, "y": NaN, "z": Infinity}"#)
                .unwrap();
        assert_eq!(v["s"], "NaN Infinity \" -Infinity");
        assert_eq!(v["x"]["t"][1], "-Infinity");
        assert_eq!(
            (v["y"].as_str(), v["z"].as_str()),
            (Some("NaN"), Some("Infinity"))
        );
        assert_eq!(p, ["`x.t[1]` = -Infinity", "`y` = NaN", "`z` = Infinity"]);
    }

    #[test]
    fn text_that_is_not_json_even_for_python_keeps_the_strict_message() {
        let strict = serde_json::from_str::<Value>("{\"a\": Infinityx}")
            .unwrap_err()
            .to_string();
        assert_eq!(parse("{\"a\": Infinityx}").unwrap_err().to_string(), strict);
        assert!(parse("not json").is_err());
        assert!(parse("{\"a\": \"NaN\"").is_err());
    }
}
