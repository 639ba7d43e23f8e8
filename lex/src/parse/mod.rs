//! Parsing lexicon documents from JSON, with every problem reported at its JSON path.
//!
//! Hand-written rather than `serde`-derived so that one pass can collect *all* problems of a
//! document, each with a precise path, and so that the placement rules of the lexicon
//! language (what may be a named def, a property, an array item, a body) are enforced.

mod fields;
mod types;

use crate::keyorder::KeyOrder;
use crate::schema::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One problem in a lexicon document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path inside the document, e.g. `$.defs.main.record.properties.text.maxLength`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Where a schema appears; decides which types are allowed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `defs.main`
    MainDef,
    /// `defs.<other>`
    NamedDef,
    /// a property of an object
    Property,
    /// a property of params
    ParamProperty,
    /// items of an array that is itself a param
    ParamItems,
    /// items of an array
    Items,
    /// an input / output / message schema
    Body,
}

fn allowed(place: Place, ty: &str) -> bool {
    const DATA: &[&str] = &[
        "boolean", "integer", "string", "bytes", "cid-link", "blob", "unknown",
    ];
    match place {
        Place::MainDef => {
            DATA.contains(&ty)
                || matches!(
                    ty,
                    "record"
                        | "query"
                        | "procedure"
                        | "subscription"
                        | "permission-set"
                        | "object"
                        | "array"
                        | "token"
                )
        }
        Place::NamedDef => DATA.contains(&ty) || matches!(ty, "object" | "array" | "token"),
        Place::Property => DATA.contains(&ty) || matches!(ty, "array" | "ref" | "union"),
        Place::Items => DATA.contains(&ty) || matches!(ty, "ref" | "union"),
        Place::ParamProperty => {
            matches!(ty, "boolean" | "integer" | "string" | "unknown" | "array")
        }
        Place::ParamItems => matches!(ty, "boolean" | "integer" | "string" | "unknown"),
        Place::Body => matches!(ty, "object" | "ref" | "union"),
    }
}

/// Parse and check one lexicon document. Object properties keep `value`'s key order
/// (`serde_json` sorts keys; see [`parse_doc_ordered`] for the file's order).
pub fn parse_doc(value: &Value) -> Result<LexiconDoc, Vec<Problem>> {
    parse_doc_ordered(value, &KeyOrder::default())
}

/// Parse and check one lexicon document whose objects' key order is `order` (from the
/// same text as `value`): properties are listed, and so validated, in that order, as the
/// reference validates them.
pub fn parse_doc_ordered(value: &Value, order: &KeyOrder) -> Result<LexiconDoc, Vec<Problem>> {
    let mut p = Parser {
        problems: Vec::new(),
        doc_id: String::new(),
        order,
    };
    let doc = p.doc(value);
    if p.problems.is_empty() {
        Ok(doc.expect("a document without problems parses"))
    } else {
        Err(p.problems)
    }
}

struct Parser<'o> {
    problems: Vec<Problem>,
    doc_id: String,
    order: &'o KeyOrder,
}

impl Parser<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn doc(&mut self, v: &Value) -> Option<LexiconDoc> {
        let Some(obj) = v.as_object() else {
            self.err("$", "a lexicon document must be a JSON object");
            return None;
        };
        match obj.get("lexicon") {
            Some(l) if l.as_f64() == Some(1.0) => {}
            Some(_) => self.err("$.lexicon", "must be 1"),
            None => self.err("$", "missing required field \"lexicon\""),
        }
        let id = self.req_str("$", obj, "id").unwrap_or_default();
        if !id.is_empty() && placehook_lexrt::formats::nsid(&id).is_err() {
            self.err("$.id", format!("{id:?} is not a valid NSID"));
        }
        self.doc_id = id.clone();
        let revision = self.opt_int("$", obj, "revision");
        let description = self.opt_str("$", obj, "description");
        let mut defs = BTreeMap::new();
        match obj.get("defs") {
            None => self.err("$", "missing required field \"defs\""),
            Some(Value::Object(d)) => {
                if d.is_empty() {
                    self.err("$.defs", "must define at least one def");
                }
                for (name, def) in d {
                    let path = format!("$.defs.{}", path_key(name));
                    if !valid_def_name(name) {
                        self.err(&path, format!("{name:?} is not a valid def name"));
                    }
                    let place = if name == "main" {
                        Place::MainDef
                    } else {
                        Place::NamedDef
                    };
                    if let Some(s) = self.schema(&path, def, place) {
                        defs.insert(name.clone(), s);
                    }
                }
            }
            Some(_) => self.err("$.defs", "must be an object"),
        }
        Some(LexiconDoc {
            id,
            revision,
            description,
            defs,
        })
    }

    fn schema(&mut self, path: &str, v: &Value, place: Place) -> Option<Schema> {
        let Some(obj) = v.as_object() else {
            self.err(path, "a type definition must be a JSON object");
            return None;
        };
        let Some(ty) = obj.get("type").and_then(Value::as_str) else {
            self.err(path, "missing string field \"type\"");
            return None;
        };
        if !allowed(place, ty) {
            let msg = match place {
                Place::NamedDef if is_main_only(ty) => {
                    format!("type {ty:?} is only allowed as the \"main\" def")
                }
                _ => format!("type {ty:?} is not allowed here"),
            };
            self.err(&format!("{path}.type"), msg);
            return None;
        }
        let meta = Meta {
            description: self.opt_str(path, obj, "description"),
        };
        Some(match ty {
            "boolean" => Schema::Boolean(BooleanSchema {
                meta,
                default: self.opt_bool(path, obj, "default"),
                const_: self.opt_bool(path, obj, "const"),
            }),
            "integer" => self.integer(path, obj, meta),
            "string" => self.string(path, obj, meta),
            "bytes" => {
                let s = BytesSchema {
                    meta,
                    min_length: self.opt_uint(path, obj, "minLength"),
                    max_length: self.opt_uint(path, obj, "maxLength"),
                };
                self.bounds(path, s.min_length, s.max_length, "minLength", "maxLength");
                Schema::Bytes(s)
            }
            "cid-link" => Schema::CidLink(meta),
            "blob" => Schema::Blob(BlobSchema {
                meta,
                accept: self.opt_str_list(path, obj, "accept"),
                max_size: self.opt_uint(path, obj, "maxSize"),
            }),
            "unknown" => Schema::Unknown(meta),
            "token" => Schema::Token(meta),
            "array" => self.array(path, obj, meta, place)?,
            "object" => Schema::Object(self.object(path, obj, meta, false)),
            "params" => Schema::Params(self.object(path, obj, meta, true)),
            "ref" => {
                let raw = self.req_str(path, obj, "ref").unwrap_or_default();
                let target = self.resolve_ref(&format!("{path}.ref"), &raw);
                Schema::Ref(RefSchema { meta, raw, target })
            }
            "union" => self.union(path, obj, meta),
            "record" => self.record(path, obj, meta)?,
            "query" | "procedure" => self.method(path, obj, meta, ty == "procedure"),
            "subscription" => self.subscription(path, obj, meta),
            "permission-set" => {
                let permissions = match obj.get("permissions") {
                    Some(Value::Array(a)) => a.clone(),
                    Some(_) => {
                        self.err(&format!("{path}.permissions"), "must be an array");
                        Vec::new()
                    }
                    None => {
                        self.err(path, "missing required field \"permissions\"");
                        Vec::new()
                    }
                };
                Schema::PermissionSet(PermissionSetSchema {
                    meta,
                    title: self.opt_str(path, obj, "title"),
                    permissions,
                })
            }
            other => {
                self.err(&format!("{path}.type"), format!("unknown type {other:?}"));
                return None;
            }
        })
    }

    /// Resolve a ref as written to absolute `nsid#name`.
    fn resolve_ref(&mut self, path: &str, raw: &str) -> String {
        match resolve_ref(&self.doc_id, raw) {
            Ok(r) => r,
            Err(msg) => {
                self.err(path, msg);
                String::new()
            }
        }
    }
}

/// Resolve a ref written in document `doc_id` to absolute `nsid#name` form.
pub fn resolve_ref(doc_id: &str, raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("a ref must not be empty".into());
    }
    let (nsid, name) = match raw.split_once('#') {
        Some(("", name)) => (doc_id, name),
        Some((nsid, name)) => (nsid, name),
        None => (raw, "main"),
    };
    if name.contains('#') {
        return Err(format!("ref {raw:?} has more than one '#'"));
    }
    if placehook_lexrt::formats::nsid(nsid).is_err() {
        return Err(format!("ref {raw:?} does not name a valid NSID"));
    }
    if !valid_def_name(name) {
        return Err(format!("ref {raw:?} has an invalid def name"));
    }
    Ok(format!("{nsid}#{name}"))
}

fn is_main_only(ty: &str) -> bool {
    matches!(
        ty,
        "record" | "query" | "procedure" | "subscription" | "permission-set"
    )
}

/// Def names: an ASCII letter then letters, digits, `_` or `-`.
fn valid_def_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && name.len() <= 63
}

/// A JSON number that is an integer (`2.0` counts).
pub(crate) fn int_of(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
}

/// Render an object key for a JSON path: bare when it is an identifier, quoted otherwise.
pub fn path_key(k: &str) -> String {
    let simple = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        && !k.as_bytes()[0].is_ascii_digit();
    if simple {
        k.to_string()
    } else {
        format!("[{}]", serde_json::to_string(k).expect("strings serialise"))
    }
}
