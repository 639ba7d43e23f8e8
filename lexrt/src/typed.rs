//! Validation of generated Rust types (already-deserialised values).
//!
//! The same constraints as the JSON path, checked on typed fields: serde has already
//! enforced the JSON types, so only lengths, bounds, formats and union membership remain.

use crate::checks::{check_array_len, check_str, BoolRules, BytesRules, IntRules};
use crate::path::{Path, VResult};
use crate::types::{Blob, Bytes, CidLink};
use serde_json::{Map, Value};

/// A generated type that can check its own lexicon constraints.
pub trait Validate {
    /// Check every constraint, reporting paths below `path`.
    fn validate_at(&self, path: &Path<'_>) -> VResult;

    /// Check every constraint of this value.
    fn validate(&self) -> VResult {
        self.validate_at(&Path::Root)
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_at(&self, path: &Path<'_>) -> VResult {
        (**self).validate_at(path)
    }
}

/// `boolean` `const`.
pub fn check_bool_typed(path: &Path<'_>, v: bool, r: &BoolRules) -> VResult {
    match r.const_ {
        Some(c) if c != v => Err(path.error(format!("must be {c}"))),
        _ => Ok(()),
    }
}

/// `integer` constraints on an `i64` (compared as JavaScript numbers, like the JSON path).
pub fn check_i64(path: &Path<'_>, v: i64, r: &IntRules) -> VResult {
    crate::checks::check_int(path, &Value::from(v), r)
}

/// `bytes` length bounds.
pub fn check_bytes_typed(path: &Path<'_>, v: &Bytes, r: &BytesRules) -> VResult {
    let len = v.0.len() as u64;
    if r.max_length.is_some_and(|m| len > m) || r.min_length.is_some_and(|m| len < m) {
        return Err(path.error("byte length out of bounds"));
    }
    Ok(())
}

/// A `cid-link` must hold a parseable CID.
pub fn check_cid_typed(path: &Path<'_>, v: &CidLink) -> VResult {
    crate::formats::cid(&v.link).map_err(|e| path.error(format!("must be a CID link ({e})")))
}

/// A blob's CID must parse (a legacy blob with a bad CID fails conversion in the reference).
pub fn check_blob_typed(path: &Path<'_>, v: &Blob) -> VResult {
    crate::formats::cid(v.cid()).map_err(|e| path.error(format!("blob cid is invalid ({e})")))
}

/// Unknown fields must still be convertible (`__proto__` keys, bad legacy blobs).
pub fn check_extra(path: &Path<'_>, extra: &Map<String, Value>) -> VResult {
    for (k, v) in extra {
        if k == "__proto__" {
            return Err(path.error("invalid key: __proto__"));
        }
        if matches!(v, Value::Object(_) | Value::Array(_)) {
            crate::check_convertible(v, &path.key(k))?;
        }
    }
    Ok(())
}

/// A string with its rules (also used for enum types through `as_str`).
pub fn check_str_typed(path: &Path<'_>, v: &str, r: &crate::StringRules) -> VResult {
    check_str(path, v, r)
}

/// Array length bounds on a typed list.
pub fn check_len_typed(path: &Path<'_>, len: usize, min: Option<u64>, max: Option<u64>) -> VResult {
    check_array_len(path, len, min, max)
}
