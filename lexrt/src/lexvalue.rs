//! How the reference sees a JSON value after `jsonToLex`, computed in place.
//!
//! The reference converts `{"$link"}` objects to CIDs, `{"$bytes"}` objects to byte arrays
//! and blob-shaped objects to `BlobRef`s before validating, and its object checks use
//! JavaScript property access (arrays count as objects; inherited `Object.prototype`
//! members are "present"). Converting a whole value would allocate on every validation, so
//! instead each position is classified when it is validated; the conversion is local to an
//! object and its direct children, which makes this exact.

use crate::js::{self, object};
use crate::path::{Path, VResult};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// A JSON value as the reference's validators see it.
#[derive(Debug, Clone, Copy)]
pub enum LexValue<'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    String(&'a str),
    Array(&'a [Value]),
    /// A plain object (no special meaning).
    Map(&'a Map<String, Value>),
    /// `{"$link": "<cid>"}`
    Cid,
    /// `{"$bytes": "<base64>"}` with its decoded length.
    Bytes(usize),
    /// A typed (`$type: blob`) or legacy (`{cid, mimeType}`) blob.
    Blob,
}

/// Classify `v` exactly as `jsonToLex` (non-strict) followed by `ipldToLex` would.
pub fn classify(v: &Value) -> LexValue<'_> {
    match v {
        Value::Null => LexValue::Null,
        Value::Bool(b) => LexValue::Bool(*b),
        Value::Number(n) => LexValue::Number(n),
        Value::String(s) => LexValue::String(s),
        Value::Array(a) => LexValue::Array(a),
        Value::Object(m) => classify_map(m),
    }
}

fn classify_map(m: &Map<String, Value>) -> LexValue<'_> {
    // Fast path: a map with none of the special keys is plain. One pass over a small map's
    // keys is cheaper than several hash look-ups.
    if m.len() <= 16 && !m.keys().any(|k| is_special_key(k)) {
        return LexValue::Map(m);
    }
    if let Some(link) = m.get("$link") {
        if m.len() == 1 && link.as_str().is_some_and(is_link) {
            return LexValue::Cid;
        }
    } else if let Some(b) = m.get("$bytes") {
        if m.len() == 1 {
            if let Some(len) = b.as_str().and_then(js::base64::decoded_len) {
                return LexValue::Bytes(len);
            }
        }
    }
    if is_blob(m) {
        return LexValue::Blob;
    }
    if is_cid_like(m) {
        return LexValue::Cid;
    }
    LexValue::Map(m)
}

/// multiformats' `CID.asCID` also accepts any object whose `/` property is a non-null
/// primitive strictly equal to its `bytes` property (a "CID from another implementation").
fn is_cid_like(m: &Map<String, Value>) -> bool {
    match (m.get("/"), m.get("bytes")) {
        (Some(a), Some(b)) => match (a, b) {
            (Value::String(x), Value::String(y)) => x == y,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Number(x), Value::Number(y)) => {
                js::number::to_number(x) == js::number::to_number(y)
            }
            _ => false,
        },
        _ => false,
    }
}

/// Keys that can make an object special (`$link`, `$bytes`, `$type`, `cid`, `/`); the
/// first byte rules out almost every ordinary key before any string comparison.
#[inline]
pub fn is_special_key(k: &str) -> bool {
    match k.as_bytes().first() {
        Some(b'$') => matches!(k, "$link" | "$bytes" | "$type"),
        Some(b'c') => k == "cid",
        Some(b'/') => k == "/",
        _ => false,
    }
}

/// `parseLexLink`: a non-empty string of at most 2048 chars that parses as a CID.
fn is_link(s: &str) -> bool {
    !s.is_empty() && crate::formats::cid(s).is_ok()
}

/// `BlobRef.asBlobRef` on the converted map: the typed shape (exactly `$type`, `ref`,
/// `mimeType`, `size`, with `ref` a CID link) or the legacy shape (exactly `cid` and
/// `mimeType`, both strings). A legacy blob whose `cid` does not parse makes the whole
/// conversion throw; that is reported by [`check_convertible`].
fn is_blob(m: &Map<String, Value>) -> bool {
    let typed = m.get("$type").and_then(Value::as_str) == Some("blob");
    let legacy = m.get("cid").is_some_and(Value::is_string)
        && m.get("mimeType").is_some_and(Value::is_string);
    if !typed && !legacy {
        return false;
    }
    if typed
        && m.len() == 4
        && m.get("ref")
            .is_some_and(|r| matches!(classify(r), LexValue::Cid))
        && m.get("mimeType").is_some_and(Value::is_string)
        && m.get("size").is_some_and(Value::is_number)
    {
        return true;
    }
    legacy && m.len() == 2
}

/// Whether `jsonToLex` accepts the whole value at all: it throws on a `__proto__` key
/// anywhere, and on a legacy blob whose `cid` is not a valid CID among the objects its
/// second pass (`ipldToLex`) walks, which stops at CIDs, byte arrays and blobs.
pub fn check_convertible(v: &Value, path: &Path<'_>) -> VResult {
    walk_convertible(v, path, true)
}

fn walk_convertible(v: &Value, path: &Path<'_>, ipld: bool) -> VResult {
    match v {
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                if matches!(item, Value::Object(_) | Value::Array(_)) {
                    walk_convertible(item, &path.index(i), ipld)?;
                }
            }
            Ok(())
        }
        Value::Object(m) => {
            let mut special = false;
            for k in m.keys() {
                if k.as_bytes().first() == Some(&b'_') && k == "__proto__" {
                    return Err(path.error("invalid key: __proto__"));
                }
                special |= is_special_key(k);
            }
            let kind = if special {
                classify_map(m)
            } else {
                LexValue::Map(m)
            };
            if ipld {
                if let LexValue::Blob = kind {
                    if let Some(cid) = m.get("cid").and_then(Value::as_str) {
                        if m.len() == 2 && crate::formats::cid(cid).is_err() {
                            return Err(path.key("cid").error("legacy blob has an invalid cid"));
                        }
                    }
                }
            }
            let ipld = ipld && matches!(kind, LexValue::Map(_));
            for (k, child) in m {
                if matches!(child, Value::Object(_) | Value::Array(_)) {
                    walk_convertible(child, &path.key(k), ipld)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The result of JavaScript's `value[key]` on a validated object.
#[derive(Debug, Clone)]
pub enum Prop<'a> {
    /// `undefined`
    Missing,
    /// A JSON value (own property, or an array's index / `length`).
    Present(Cow<'a, Value>),
    /// An inherited method (a function): present, and invalid for every lexicon type.
    Function,
}

/// An object-like value, classified once, whose properties are then read JS-style.
#[derive(Debug, Clone, Copy)]
pub enum ObjView<'a> {
    /// A plain map.
    Map(&'a Map<String, Value>),
    /// An array (JavaScript arrays are objects).
    Array(&'a [Value]),
    /// A converted CID, byte array or blob.
    Special,
}

/// View `v` as an object if it passes the reference's `isObj`.
pub fn obj_view(v: &Value) -> Option<ObjView<'_>> {
    match v {
        Value::Object(m) => Some(match classify_map(m) {
            LexValue::Map(m) => ObjView::Map(m),
            _ => ObjView::Special,
        }),
        Value::Array(a) => Some(ObjView::Array(a)),
        _ => None,
    }
}

impl<'a> ObjView<'a> {
    /// JavaScript property access `value[key]`.
    pub fn get(&self, key: &str) -> Prop<'a> {
        match *self {
            ObjView::Map(m) => match m.get(key) {
                Some(v) => Prop::Present(Cow::Borrowed(v)),
                None => inherited(object::is_object_proto(key)),
            },
            // Converted CIDs, byte arrays and blobs expose class fields in the reference;
            // no lexicon names its properties after them, so they are treated as objects
            // without own properties here.
            ObjView::Special => inherited(object::is_object_proto(key)),
            ObjView::Array(a) => {
                if key == "length" {
                    return Prop::Present(Cow::Owned(Value::from(a.len())));
                }
                if let Some(i) = object::array_index(key) {
                    return match a.get(i) {
                        Some(v) => Prop::Present(Cow::Borrowed(v)),
                        None => Prop::Missing,
                    };
                }
                inherited(object::is_array_proto(key) || object::is_object_proto(key))
            }
        }
    }
}

/// JavaScript property access `value[key]` (`Missing` for non-objects).
pub fn get_prop<'a>(value: &'a Value, key: &str) -> Prop<'a> {
    match obj_view(value) {
        Some(view) => view.get(key),
        None => Prop::Missing,
    }
}

fn inherited(is_method: bool) -> Prop<'static> {
    if is_method {
        Prop::Function
    } else {
        Prop::Missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_special_objects() {
        let cid = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
        assert!(matches!(classify(&json!({"$link": cid})), LexValue::Cid));
        assert!(matches!(
            classify(&json!({"$link": cid, "x": 1})),
            LexValue::Map(_)
        ));
        assert!(matches!(
            classify(&json!({"$bytes": "AAEC"})),
            LexValue::Bytes(3)
        ));
        let blob =
            json!({"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/png", "size": 3});
        assert!(matches!(classify(&blob), LexValue::Blob));
        let legacy = json!({"cid": cid, "mimeType": "image/png"});
        assert!(matches!(classify(&legacy), LexValue::Blob));
    }

    #[test]
    fn arrays_have_length_and_methods() {
        let v = json!([1, 2]);
        assert!(matches!(get_prop(&v, "length"), Prop::Present(_)));
        assert!(matches!(get_prop(&v, "map"), Prop::Function));
        assert!(matches!(get_prop(&v, "1"), Prop::Present(_)));
        assert!(matches!(get_prop(&v, "01"), Prop::Missing));
        assert!(matches!(get_prop(&json!({}), "toString"), Prop::Function));
    }

    #[test]
    fn proto_key_is_not_convertible() {
        let v = json!({"a": [{"__proto__": 1}]});
        assert!(check_convertible(&v, &Path::Root).is_err());
    }
}
