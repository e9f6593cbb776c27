//! Reading typed values out of a JSON object, with errors that name each key where it lives:
//! `factor` at the top level, `rope_scaling.factor` in the scaling table.

use errors::{Error, key};
use serde_json::{Map, Value};

use crate::Result;

/// An object of the config and the name its keys are reached by: `""` for the top level, the
/// table's key (`rope_scaling`, `rope_parameters`) for the scaling table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'a> {
    /// The keys and values.
    pub map: &'a Map<String, Value>,
    /// Where the object lives.
    pub name: &'a str,
}

impl<'a> Obj<'a> {
    /// The full name of `k` in this object, as errors give it.
    pub fn path(&self, k: &str) -> String {
        if self.name.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.name)
        }
    }

    /// Whether the object has `k` (even as `null`).
    pub fn has(&self, k: &str) -> bool {
        self.map.contains_key(k)
    }

    /// The value of `k`, if present.
    pub fn get(&self, k: &str) -> Option<&'a Value> {
        self.map.get(k)
    }

    /// A number; `None` when absent or `null`.
    pub fn f64(&self, k: &str) -> Result<Option<f64>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| key(self.path(k), v, "it must be a number")),
        }
    }

    /// A non-negative whole number; `None` when absent or `null`.
    pub fn usize(&self, k: &str) -> Result<Option<usize>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| key(self.path(k), v, "it must be a non-negative whole number")),
        }
    }

    /// A required list of numbers (LongRoPE's factor lists).
    pub fn list(&self, k: &str) -> Result<Vec<f64>> {
        let v = self.require(
            self.map.get(k),
            k,
            "LongRoPE needs a factor per rotated pair",
        )?;
        let list = v
            .as_array()
            .ok_or_else(|| key(self.path(k), v, "it must be a list of numbers"))?;
        list.iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| key(self.path(k), x, "every entry must be a number"))
            })
            .collect()
    }

    /// `value`, or an [`Error::Missing`] naming `k` and saying `why` it is needed.
    pub fn require<T>(&self, value: Option<T>, k: &str, why: &str) -> Result<T> {
        value.ok_or_else(|| self.missing(k, why))
    }

    /// An [`Error::Missing`] naming `k`.
    pub fn missing(&self, k: &str, why: &str) -> Error {
        Error::Missing {
            key: self.path(k),
            why: why.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_named_with_their_object() {
        let map: Map<String, Value> =
            serde_json::from_str(r#"{"a": 1.5, "n": 3, "s": "x", "z": null, "l": [1, "y"]}"#)
                .unwrap();
        let top = Obj {
            map: &map,
            name: "",
        };
        let table = Obj {
            map: &map,
            name: "rope_scaling",
        };
        assert_eq!(top.f64("a"), Ok(Some(1.5)));
        assert_eq!(top.f64("z"), Ok(None));
        assert_eq!(top.usize("n"), Ok(Some(3)));
        assert_eq!(
            top.usize("a").unwrap_err().to_string(),
            "`a` = 1.5 is not allowed: it must be a non-negative whole number"
        );
        assert_eq!(
            table.f64("s").unwrap_err().to_string(),
            "`rope_scaling.s` = \"x\" is not allowed: it must be a number"
        );
        assert_eq!(
            table.list("l").unwrap_err().to_string(),
            "`rope_scaling.l` = \"y\" is not allowed: every entry must be a number"
        );
        assert_eq!(
            table.list("m").unwrap_err().to_string(),
            "missing key `rope_scaling.m`: LongRoPE needs a factor per rotated pair"
        );
    }
}
