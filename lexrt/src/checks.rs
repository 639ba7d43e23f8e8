//! Checks for the primitive lexicon types, in the reference's order.
//!
//! Rules are plain data (`const`-constructible, so generated code keeps them in statics
//! and the dynamic validator builds them from a parsed schema).

use crate::formats::Format;
use crate::js;
use crate::lexvalue::{classify, LexValue};
use crate::path::{Path, VResult};
use crate::text;
use serde_json::Value;
use std::borrow::Cow;

/// `1 byte`, `2 bytes`: a bound with its unit, singular for one.
fn count(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// A list of strings usable in a `static` (borrowed) or built at run time (owned).
pub type StrList = Cow<'static, [Cow<'static, str>]>;

/// `boolean` constraints.
#[derive(Debug, Clone, Default)]
pub struct BoolRules {
    pub const_: Option<bool>,
}

/// `integer` constraints. Values are compared as JavaScript numbers (`f64`).
#[derive(Debug, Clone, Default)]
pub struct IntRules {
    pub const_: Option<i64>,
    pub enum_: Option<Cow<'static, [i64]>>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

/// `string` constraints.
#[derive(Debug, Clone, Default)]
pub struct StringRules {
    pub const_: Option<Cow<'static, str>>,
    pub enum_: Option<StrList>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_graphemes: Option<u64>,
    pub max_graphemes: Option<u64>,
    pub format: Option<Format>,
}

/// `bytes` constraints.
#[derive(Debug, Clone, Default)]
pub struct BytesRules {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

/// Validate a present `boolean`.
pub fn check_bool(path: &Path<'_>, v: &Value, r: &BoolRules) -> VResult {
    let Value::Bool(b) = v else {
        return Err(path.error("must be a boolean"));
    };
    if let Some(c) = r.const_ {
        if *b != c {
            return Err(path.error(format!("must be {c}")));
        }
    }
    Ok(())
}

/// Validate a present `integer`.
pub fn check_int(path: &Path<'_>, v: &Value, r: &IntRules) -> VResult {
    let n = match v {
        Value::Number(n) if js::number::is_integer(n) => js::number::to_number(n),
        _ => return Err(path.error("must be an integer")),
    };
    if let Some(c) = r.const_ {
        if n != c as f64 {
            return Err(path.error(format!("must be {c}")));
        }
    }
    if let Some(e) = &r.enum_ {
        if !e.iter().any(|x| *x as f64 == n) {
            let list: Vec<String> = e.iter().map(i64::to_string).collect();
            return Err(path.error(format!("must be one of ({})", list.join("|"))));
        }
    }
    if let Some(max) = r.maximum {
        if n > max as f64 {
            return Err(path.error(format!("can not be greater than {max}")));
        }
    }
    if let Some(min) = r.minimum {
        if n < min as f64 {
            return Err(path.error(format!("can not be less than {min}")));
        }
    }
    Ok(())
}

/// Validate a present `string`.
pub fn check_string(path: &Path<'_>, v: &Value, r: &StringRules) -> VResult {
    let Value::String(s) = v else {
        return Err(path.error("must be a string"));
    };
    check_str(path, s, r)
}

/// Validate string contents (also used for query parameters).
pub fn check_str(path: &Path<'_>, s: &str, r: &StringRules) -> VResult {
    if let Some(c) = &r.const_ {
        if s != c {
            return Err(path.error(format!("must be {c}")));
        }
    }
    if let Some(e) = &r.enum_ {
        if !e.iter().any(|x| x == s) {
            let list: Vec<&str> = e.iter().map(|x| x.as_ref()).collect();
            return Err(path.error(format!("must be one of ({})", list.join("|"))));
        }
    }
    let bytes = s.len() as u64;
    if let Some(max) = r.max_length {
        if bytes > max {
            return Err(path.error(format!("must not be longer than {}", count(max, "byte"))));
        }
    }
    if let Some(min) = r.min_length {
        if bytes < min {
            return Err(path.error(format!("must not be shorter than {}", count(min, "byte"))));
        }
    }
    if let Some(max) = r.max_graphemes {
        if !text::graphemes_at_most(s, max as usize) {
            return Err(path.error(format!(
                "must not be longer than {}",
                count(max, "grapheme")
            )));
        }
    }
    if let Some(min) = r.min_graphemes {
        if !text::graphemes_at_least(s, min as usize) {
            return Err(path.error(format!(
                "must not be shorter than {}",
                count(min, "grapheme")
            )));
        }
    }
    if let Some(f) = r.format {
        if let Err(e) = f.check(s) {
            return Err(path.error(format!("must be a valid {} ({e})", f.name())));
        }
    }
    Ok(())
}

/// Validate a present `bytes` value (`{"$bytes": base64}`).
pub fn check_bytes(path: &Path<'_>, v: &Value, r: &BytesRules) -> VResult {
    let LexValue::Bytes(len) = classify(v) else {
        return Err(path.error("must be a byte array ({\"$bytes\": base64})"));
    };
    let len = len as u64;
    if let Some(max) = r.max_length {
        if len > max {
            return Err(path.error(format!("must not be larger than {}", count(max, "byte"))));
        }
    }
    if let Some(min) = r.min_length {
        if len < min {
            return Err(path.error(format!("must not be smaller than {}", count(min, "byte"))));
        }
    }
    Ok(())
}

/// Validate a present `cid-link` value (`{"$link": cid}`).
pub fn check_cid_link(path: &Path<'_>, v: &Value) -> VResult {
    match classify(v) {
        LexValue::Cid => Ok(()),
        _ => Err(path.error("must be a CID link ({\"$link\": cid})")),
    }
}

/// Validate a present `blob` value.
///
/// The reference accepts any blob ref here and leaves `accept` / `maxSize` to the PDS at
/// upload time; we give the same verdict (see [`blob_constraints`] for the stricter check).
pub fn check_blob(path: &Path<'_>, v: &Value) -> VResult {
    match classify(v) {
        LexValue::Blob => Ok(()),
        _ => Err(path.error("should be a blob ref")),
    }
}

/// The blob's declared `accept` patterns and `maxSize`, for callers that want them
/// enforced (e.g. before fetching a thumbnail). `image/*` matches any image type and
/// `*/*` anything.
pub fn blob_constraints(
    path: &Path<'_>,
    v: &Value,
    accept: Option<&[Cow<'static, str>]>,
    max_size: Option<u64>,
) -> VResult {
    let mime = v.get("mimeType").and_then(Value::as_str).unwrap_or("");
    if let Some(list) = accept {
        if !list.iter().any(|pat| mime_matches(pat, mime)) {
            return Err(path.error(format!("mimeType {mime:?} is not accepted")));
        }
    }
    if let (Some(max), Some(size)) = (max_size, v.get("size").and_then(Value::as_f64)) {
        if size > max as f64 {
            return Err(path.error(format!(
                "size must not be larger than {}",
                count(max, "byte")
            )));
        }
    }
    Ok(())
}

/// Whether a MIME type matches an `accept` pattern (`type/subtype`, `type/*`, `*/*`).
pub fn mime_matches(pattern: &str, mime: &str) -> bool {
    if pattern == "*/*" || pattern == mime {
        return true;
    }
    match pattern.strip_suffix("/*") {
        Some(prefix) => mime
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/')),
        None => false,
    }
}

/// Array length bounds (maximum checked first, as the reference does).
pub fn check_array_len(path: &Path<'_>, len: usize, min: Option<u64>, max: Option<u64>) -> VResult {
    if let Some(max) = max {
        if len as u64 > max {
            return Err(path.error(format!("must not have more than {}", count(max, "element"))));
        }
    }
    if let Some(min) = min {
        if (len as u64) < min {
            return Err(path.error(format!(
                "must not have fewer than {}",
                count(min, "element")
            )));
        }
    }
    Ok(())
}

/// Validate a present `unknown` value: any object (arrays included, as in JavaScript).
pub fn check_unknown(path: &Path<'_>, v: &Value) -> VResult {
    match v {
        Value::Object(_) | Value::Array(_) => Ok(()),
        _ => Err(path.error("must be an object")),
    }
}

/// Whether `v` passes the reference's `isObj` (non-null, typeof "object").
pub fn is_obj(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Array(_))
}

/// The `$type` of a discriminated object (`isDiscriminatedObject`), if it is one.
pub fn discriminator(v: &Value) -> Option<&str> {
    match classify(v) {
        LexValue::Map(m) => m.get("$type").and_then(Value::as_str),
        _ => None,
    }
}

/// `refsContainType`: whether a `$type` names one of the union's refs.
///
/// `refs` are absolute `nsid#name`. A `$type` may be written `nsid` for `nsid#main`,
/// `nsid#main`, or with the `lex:` prefix the reference uses internally. Returns the
/// matching ref, or an error message when the reference would throw (`#` twice, or a
/// relative `#name`).
pub fn match_union<'r>(refs: &[&'r str], ty: &str) -> Result<Option<&'r str>, &'static str> {
    let hashes = ty.bytes().filter(|b| *b == b'#').count();
    if hashes > 1 {
        return Err("$type can only have one hash segment");
    }
    if ty.starts_with('#') {
        return Err("$type must not be a relative ref");
    }
    let ty = ty.strip_prefix("lex:").unwrap_or(ty);
    Ok(refs.iter().copied().find(|r| {
        if hashes == 1 {
            *r == ty
        } else {
            r.strip_suffix("#main") == Some(ty)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(r: VResult) -> String {
        r.unwrap_err().message
    }

    /// A bound of one is singular: `1 byte`, not `1 bytes`.
    #[test]
    fn bounds_of_one_are_singular_and_others_plural() {
        let p = Path::Root;
        let one = StringRules {
            min_length: Some(1),
            ..Default::default()
        };
        assert_eq!(
            msg(check_str(&p, "", &one)),
            "must not be shorter than 1 byte"
        );
        let max = StringRules {
            max_length: Some(1),
            max_graphemes: Some(2),
            ..Default::default()
        };
        assert_eq!(
            msg(check_str(&p, "ab", &max)),
            "must not be longer than 1 byte"
        );
        let graphemes = StringRules {
            min_graphemes: Some(1),
            max_graphemes: Some(2),
            ..Default::default()
        };
        assert_eq!(
            msg(check_str(&p, "", &graphemes)),
            "must not be shorter than 1 grapheme"
        );
        assert_eq!(
            msg(check_str(&p, "abc", &graphemes)),
            "must not be longer than 2 graphemes"
        );
        let bytes = BytesRules {
            min_length: Some(1),
            max_length: Some(1),
        };
        let empty = json!({"$bytes": ""});
        assert_eq!(
            msg(check_bytes(&p, &empty, &bytes)),
            "must not be smaller than 1 byte"
        );
        assert_eq!(
            msg(check_array_len(&p, 0, Some(1), None)),
            "must not have fewer than 1 element"
        );
        assert_eq!(
            msg(check_array_len(&p, 2, None, Some(1))),
            "must not have more than 1 element"
        );
        assert_eq!(
            msg(check_array_len(&p, 4, None, Some(3))),
            "must not have more than 3 elements"
        );
        let blob = json!({"$type": "blob", "mimeType": "image/png", "size": 2});
        assert_eq!(
            msg(blob_constraints(&p, &blob, None, Some(1))),
            "size must not be larger than 1 byte"
        );
    }
}
