//! JSON as Python writes it. transformers reads a `config.json` with Python's `json.loads`
//! (`PreTrainedConfig._dict_from_json_file` in `configuration_utils.py`, transformers 5.24.0), which
//! by default accepts the bare constants `Infinity`, `-Infinity` and `NaN` that strict JSON (and
//! `serde_json`) refuses. A text that strict JSON refuses is read again with each such constant
//! outside a string taken as the string `"Infinity"`, `"-Infinity"` or `"NaN"`, and every key that
//! held one is named in a note, so that a key the inspector reads is then refused by name (it is
//! not a finite number) and one it does not read is accepted, as the reference accepts it.
//!
//! transformers 5.24.0 also writes these numbers its own way: `PreTrainedConfig.to_json_string`
//! encodes each as an object `{"__float__": "Infinity"}` (`_encode_special_floats`), and
//! `_dict_from_json_file` decodes such an object back into the number (`_decode_special_floats`:
//! an object whose only key is `__float__`, holding one of the three names). The reader decodes
//! the same objects, into the same strings, and names each key; an object with another tag is
//! left as it is, as the reference leaves it.

use serde_json::Value;

const MARK: &str = "\u{1}python-json:";
const CONSTANTS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];

/// Parses `text` as strict JSON, else as Python's `json.loads` would; returns the value and the
/// paths (`a.b[2]`) of the keys that held a Python constant.
///
/// # Errors
/// The strict parser's message when the text is not JSON even with the constants allowed.
pub(crate) fn parse(text: &str) -> Result<(Value, Vec<String>), serde_json::Error> {
    let mut paths = Vec::new();
    let mut value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(strict) => {
            let Some(marked) = mark(text) else {
                return Err(strict);
            };
            let mut value: Value = serde_json::from_str(&marked).map_err(|_| strict)?;
            unmark(&mut value, String::new(), &mut paths);
            value
        }
    };
    let mut tagged = Vec::new();
    untag(&mut value, String::new(), &mut tagged);
    let notes = paths
        .into_iter()
        .map(|p| format!("{p} read as Python's json.loads reads it, as a non-finite number"))
        .chain(tagged.into_iter().map(|p| {
            format!("{p} (written as {{\"__float__\": …}}) read as transformers' _decode_special_floats reads it, as a non-finite number")
        }))
        .collect();
    Ok((value, notes))
}

/// Replaces each `{"__float__": "Infinity"}` (or `-Infinity`, `NaN`) by the string of its name.
fn untag(v: &mut Value, path: String, paths: &mut Vec<String>) {
    walk(v, path, &mut |v, path| {
        let tag = v
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.get("__float__"));
        match tag {
            Some(Value::String(k)) if CONSTANTS.contains(&k.as_str()) => {
                let k = k.clone();
                paths.push(format!("`{path}` = {k}"));
                *v = Value::String(k);
                true
            }
            _ => false,
        }
    });
}

/// Visits every value of the tree with its path (`a.b[2]`), depth first; where `visit` returns
/// true (it replaced the value), the walk does not go into it.
fn walk(v: &mut Value, path: String, visit: &mut dyn FnMut(&mut Value, &str) -> bool) {
    if visit(v, &path) {
        return;
    }
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                walk(x, format!("{path}[{i}]"), visit);
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, visit);
            }
        }
        _ => {}
    }
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
    walk(v, path, &mut |v, path| {
        if let Value::String(s) = v
            && let Some(k) = s.strip_prefix(MARK).map(str::to_string)
        {
            paths.push(format!("`{path}` = {k}"));
            *s = k;
        }
        false
    });
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
        assert_eq!(p.len(), 3);
        assert!(
            p[0].starts_with("`x.t[1]` = -Infinity read as Python's json.loads"),
            "{p:?}"
        );
        assert!(p[1].starts_with("`y` = NaN read as"), "{p:?}");
        assert!(p[2].starts_with("`z` = Infinity read as"), "{p:?}");
    }

    #[test]
    fn transformers_float_tags_are_decoded_as_the_reference_decodes_them() {
        let (v, p) = parse(
            r#"{"a": {"__float__": "Infinity"}, "b": [{"__float__": "NaN"}, 2],
                "c": {"t": {"__float__": "-Infinity"}},
                "d": {"__float__": "Inf"}, "e": {"__float__": "NaN", "x": 1}, "f": {"__float__": 1}}"#,
        )
        .unwrap();
        assert_eq!(
            (&v["a"], &v["b"][0], &v["c"]["t"]),
            (
                &Value::from("Infinity"),
                &Value::from("NaN"),
                &Value::from("-Infinity")
            )
        );
        // Another tag, another key beside it, or a tag that is not a string: left as they are.
        assert_eq!(v["d"]["__float__"], "Inf");
        assert_eq!(v["e"]["x"], 1);
        assert_eq!(v["f"]["__float__"], 1);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p.iter().all(|n| n.contains("_decode_special_floats")),
            "{p:?}"
        );
        assert!(p[0].starts_with("`a` = Infinity"), "{p:?}");
        assert!(p[1].starts_with("`b[0]` = NaN"), "{p:?}");
        assert!(p[2].starts_with("`c.t` = -Infinity"), "{p:?}");
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
