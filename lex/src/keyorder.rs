//! The order of the keys of every object in a JSON text, as JavaScript sees it.
//!
//! `serde_json::Map` keeps keys sorted, but the reference validator checks an object's
//! properties in the order `for (key in def.properties)` visits the parsed lexicon, and
//! stops at the first failure: with `{}` against `createWebhook` it names `url`, the
//! first property in the file, not `events`, the first in the alphabet. The parser
//! (`crate::parse`) takes the order from here.
//!
//! JavaScript's order is not quite the file's: keys that are array indices (`"0"`,
//! `"17"`) come first, ascending, then the other keys in the order they first appear.
//!
//! Only this module knows about it, rather than turning on serde_json's
//! `preserve_order` feature: that would change every map of the service (its JSON
//! output, its parse speed), not just lexicon documents.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;

use crate::parse::path_key;

/// Key order per object, addressed by the object's JSON path (`$.defs.main.record`,
/// keys written with [`path_key`], array items as `[i]`: the paths `crate::parse`
/// reports problems at).
#[derive(Debug, Clone, Default)]
pub struct KeyOrder {
    by_path: HashMap<String, Vec<String>>,
}

impl KeyOrder {
    /// Records the key order of every object in `text`.
    pub fn of_json(text: &[u8]) -> Result<KeyOrder, serde_json::Error> {
        let mut order = KeyOrder::default();
        let mut de = serde_json::Deserializer::from_slice(text);
        Walk {
            path: "$".into(),
            out: &mut order.by_path,
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(order)
    }

    /// The keys of the object at `path`, in JavaScript's order; `None` if unknown.
    pub fn keys(&self, path: &str) -> Option<&[String]> {
        self.by_path.get(path).map(Vec::as_slice)
    }

    /// `keys` reordered as the object at `path` has them. Keys the object did not have
    /// keep their given order, after the others; with no record of `path` (a document
    /// built in code), the given order is kept.
    pub fn arrange<'k>(
        &self,
        path: &str,
        keys: impl Iterator<Item = &'k String>,
    ) -> Vec<&'k String> {
        let mut keys: Vec<&String> = keys.collect();
        if let Some(order) = self.keys(path) {
            let rank = |k: &String| order.iter().position(|o| o == k).unwrap_or(usize::MAX);
            keys.sort_by_key(|k| rank(k));
        }
        keys
    }
}

/// JavaScript's property order: array indices ascending, then the rest as first seen.
fn js_order(mut keys: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    // A stable sort: non-index keys keep their order.
    keys.sort_by_key(|k| array_index(k).map_or((1, 0), |i| (0, i)));
    keys
}

/// `Some(n)` if `k` is the canonical decimal form of an array index (0 ..= 2^32 - 2).
fn array_index(k: &str) -> Option<u64> {
    let canonical = k == "0" || (!k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit()));
    let n: u64 = k.parse().ok().filter(|_| canonical && k.len() <= 10)?;
    (n < u64::from(u32::MAX)).then_some(n)
}

/// Walks one JSON value, recording the key order of each object below `path`.
struct Walk<'a> {
    path: String,
    out: &'a mut HashMap<String, Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value_seed(Walk {
                path: format!("{}.{}", self.path, path_key(&key)),
                out: &mut *self.out,
            })?;
            keys.push(key);
        }
        self.out.insert(self.path, js_order(keys));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(Walk {
                path: format!("{}[{i}]", self.path),
                out: &mut *self.out,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order_at_their_paths() {
        let text = br#"{"defs": {"main": {"properties": {"url": 1, "events": 2, "active": {"b": 1, "a": 2}}}},
                        "list": [{"z": 1, "y": 2}]}"#;
        let o = KeyOrder::of_json(text).unwrap();
        assert_eq!(o.keys("$").unwrap(), ["defs", "list"]);
        assert_eq!(
            o.keys("$.defs.main.properties").unwrap(),
            ["url", "events", "active"]
        );
        assert_eq!(o.keys("$.defs.main.properties.active").unwrap(), ["b", "a"]);
        assert_eq!(o.keys("$.list[0]").unwrap(), ["z", "y"]);
        assert_eq!(o.keys("$.nowhere"), None);
    }

    #[test]
    fn javascript_order_puts_array_indices_first_and_keeps_first_occurrence() {
        let text =
            br#"{"b": 1, "10": 2, "a": 3, "2": 4, "b": 5, "01": 6, "4294967295": 7, "-1": 8}"#;
        let o = KeyOrder::of_json(text).unwrap();
        assert_eq!(
            o.keys("$").unwrap(),
            ["2", "10", "b", "a", "01", "4294967295", "-1"]
        );
    }

    #[test]
    fn odd_keys_use_the_parsers_path_syntax() {
        let o = KeyOrder::of_json(br#"{"a b": {"y": 1, "x": 2}}"#).unwrap();
        assert_eq!(o.keys(r#"$.["a b"]"#).unwrap(), ["y", "x"]);
    }

    #[test]
    fn arrange_sorts_by_the_recorded_order_and_keeps_unknown_keys_last() {
        let o = KeyOrder::of_json(br#"{"c": 1, "a": 2, "b": 3}"#).unwrap();
        let given: Vec<String> = ["a", "b", "c", "d"].map(String::from).into();
        let got: Vec<&String> = o.arrange("$", given.iter());
        assert_eq!(got, ["c", "a", "b", "d"]);
        let same: Vec<&String> = o.arrange("$.none", given.iter());
        assert_eq!(same, ["a", "b", "c", "d"]);
    }
}
