//! Parsing lexicon documents from JSON, with every problem reported at its JSON path.
//!
//! Hand-written rather than `serde`-derived so that one pass can collect *all* problems of a
//! document, each with a precise path, and so that the placement rules of the lexicon
//! language (what may be a named def, a property, an array item, a body) are enforced.

use crate::keyorder::KeyOrder;
use crate::schema::*;
use serde_json::{Map, Value};
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

    fn integer(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
        let s = IntegerSchema {
            meta,
            default: self.opt_int(path, obj, "default"),
            minimum: self.opt_int(path, obj, "minimum"),
            maximum: self.opt_int(path, obj, "maximum"),
            enum_: self.opt_list(path, obj, "enum", int_of, "integers"),
            const_: self.opt_int(path, obj, "const"),
        };
        if let (Some(min), Some(max)) = (s.minimum, s.maximum) {
            if min > max {
                self.err(path, "minimum is greater than maximum");
            }
        }
        Schema::Integer(s)
    }

    fn string(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
        let format = self.opt_str(path, obj, "format");
        if let Some(f) = &format {
            if placehook_lexrt::formats::Format::from_name(f).is_none() {
                self.err(
                    &format!("{path}.format"),
                    format!("unknown string format {f:?}"),
                );
            }
        }
        let s = StringSchema {
            meta,
            format,
            default: self.opt_str(path, obj, "default"),
            min_length: self.opt_uint(path, obj, "minLength"),
            max_length: self.opt_uint(path, obj, "maxLength"),
            min_graphemes: self.opt_uint(path, obj, "minGraphemes"),
            max_graphemes: self.opt_uint(path, obj, "maxGraphemes"),
            // The reference rewrites every string item starting with `#` in any array of a
            // loaded document to `lex:<id>#...` (its ref resolution is that broad), so an
            // enum value `#foo` only matches the string `lex:<id>#foo`.
            enum_: self.opt_str_list(path, obj, "enum").map(|list| {
                list.into_iter()
                    .map(|v| match v.starts_with('#') {
                        true => format!("lex:{}{v}", self.doc_id),
                        false => v,
                    })
                    .collect()
            }),
            const_: self.opt_str(path, obj, "const"),
            known_values: self.opt_str_list(path, obj, "knownValues"),
        };
        self.bounds(path, s.min_length, s.max_length, "minLength", "maxLength");
        self.bounds(
            path,
            s.min_graphemes,
            s.max_graphemes,
            "minGraphemes",
            "maxGraphemes",
        );
        Schema::String(s)
    }

    fn array(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        meta: Meta,
        place: Place,
    ) -> Option<Schema> {
        let items_place = if place == Place::ParamProperty {
            Place::ParamItems
        } else {
            Place::Items
        };
        let items_path = format!("{path}.items");
        let items = match obj.get("items") {
            Some(v) => self.schema(&items_path, v, items_place),
            None => {
                self.err(path, "missing required field \"items\"");
                None
            }
        };
        let min_length = self.opt_uint(path, obj, "minLength");
        let max_length = self.opt_uint(path, obj, "maxLength");
        self.bounds(path, min_length, max_length, "minLength", "maxLength");
        Some(Schema::Array(Box::new(ArraySchema {
            meta,
            items: items?,
            min_length,
            max_length,
        })))
    }

    fn object(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        meta: Meta,
        params: bool,
    ) -> ObjectSchema {
        let required = self.opt_str_list(path, obj, "required").unwrap_or_default();
        let nullable = self.opt_str_list(path, obj, "nullable").unwrap_or_default();
        let place = if params {
            Place::ParamProperty
        } else {
            Place::Property
        };
        let mut properties = Vec::new();
        match obj.get("properties") {
            Some(Value::Object(props)) => {
                let in_order = self
                    .order
                    .arrange(&format!("{path}.properties"), props.keys());
                for name in in_order {
                    let v = &props[name];
                    let p = format!("{path}.properties.{}", path_key(name));
                    if let Some(s) = self.schema(&p, v, place) {
                        properties.push((name.clone(), s));
                    }
                }
            }
            Some(_) => self.err(&format!("{path}.properties"), "must be an object"),
            None if params => {}
            None => self.err(path, "missing required field \"properties\""),
        }
        let defined = |n: &String| obj["properties"].get(n.as_str()).is_some();
        for (i, name) in required.iter().enumerate() {
            if !obj.contains_key("properties") || !defined(name) {
                self.err(
                    &format!("{path}.required[{i}]"),
                    format!("required field {name:?} is not defined in properties"),
                );
            }
        }
        for (i, name) in nullable.iter().enumerate() {
            if !obj.contains_key("properties") || !defined(name) {
                self.err(
                    &format!("{path}.nullable[{i}]"),
                    format!("nullable field {name:?} is not defined in properties"),
                );
            }
        }
        ObjectSchema {
            meta,
            required,
            nullable,
            properties,
        }
    }

    fn union(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
        let raw = match self.opt_str_list(path, obj, "refs") {
            Some(r) => r,
            None => {
                if !obj.contains_key("refs") {
                    self.err(path, "missing required field \"refs\"");
                }
                Vec::new()
            }
        };
        let refs = raw
            .iter()
            .enumerate()
            .map(|(i, r)| self.resolve_ref(&format!("{path}.refs[{i}]"), r))
            .collect();
        let closed = self.opt_bool(path, obj, "closed").unwrap_or(false);
        Schema::Union(UnionSchema {
            meta,
            raw,
            refs,
            closed,
        })
    }

    fn record(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Option<Schema> {
        let key = self.opt_str(path, obj, "key");
        if let Some(k) = &key {
            let ok = matches!(k.as_str(), "tid" | "nsid" | "any")
                || k.strip_prefix("literal:")
                    .is_some_and(|l| placehook_lexrt::formats::record_key(l).is_ok());
            if !ok {
                self.err(
                    &format!("{path}.key"),
                    format!("record key {k:?} must be tid, nsid, any or literal:<record-key>"),
                );
            }
        }
        let rpath = format!("{path}.record");
        let record = match obj.get("record") {
            Some(Value::Object(r)) => {
                if r.get("type").and_then(Value::as_str) != Some("object") {
                    self.err(
                        &format!("{rpath}.type"),
                        "a record's schema must be an object",
                    );
                    return None;
                }
                let m = Meta {
                    description: self.opt_str(&rpath, r, "description"),
                };
                self.object(&rpath, r, m, false)
            }
            Some(_) => {
                self.err(&rpath, "must be an object");
                return None;
            }
            None => {
                self.err(path, "missing required field \"record\"");
                return None;
            }
        };
        Some(Schema::Record(RecordSchema { meta, key, record }))
    }

    fn method(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        meta: Meta,
        procedure: bool,
    ) -> Schema {
        let parameters = self.params(path, obj);
        let input = procedure.then(|| self.body(path, obj, "input")).flatten();
        let output = self.body(path, obj, "output");
        let errors = self.errors(path, obj);
        let m = MethodSchema {
            meta,
            parameters,
            input,
            output,
            errors,
        };
        if procedure {
            Schema::Procedure(m)
        } else {
            Schema::Query(m)
        }
    }

    fn subscription(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
        let parameters = self.params(path, obj);
        // The reference requires `message` with a union schema.
        let mut message = None;
        let mpath = format!("{path}.message");
        match obj.get("message") {
            Some(Value::Object(mo)) => match mo.get("schema") {
                Some(s) if s.get("type").and_then(Value::as_str) == Some("union") => {
                    message = self
                        .schema(&format!("{mpath}.schema"), s, Place::Body)
                        .map(Box::new);
                }
                _ => self.err(&mpath, "a subscription message must have a union schema"),
            },
            Some(_) => self.err(&mpath, "must be an object"),
            None => self.err(path, "missing required field \"message\""),
        }
        let errors = self.errors(path, obj);
        Schema::Subscription(SubscriptionSchema {
            meta,
            parameters,
            message,
            errors,
        })
    }

    fn params(&mut self, path: &str, obj: &Map<String, Value>) -> Option<ObjectSchema> {
        let v = obj.get("parameters")?;
        let ppath = format!("{path}.parameters");
        let Some(o) = v.as_object() else {
            self.err(&ppath, "must be an object");
            return None;
        };
        if o.get("type").and_then(Value::as_str) != Some("params") {
            self.err(
                &format!("{ppath}.type"),
                "parameters must have type \"params\"",
            );
            return None;
        }
        let meta = Meta {
            description: self.opt_str(&ppath, o, "description"),
        };
        Some(self.object(&ppath, o, meta, true))
    }

    fn body(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<Body> {
        let v = obj.get(key)?;
        let bpath = format!("{path}.{key}");
        let Some(b) = v.as_object() else {
            self.err(&bpath, "must be an object");
            return None;
        };
        let encoding = self.req_str(&bpath, b, "encoding").unwrap_or_default();
        let schema = b
            .get("schema")
            .and_then(|s| self.schema(&format!("{bpath}.schema"), s, Place::Body))
            .map(Box::new);
        Some(Body {
            description: self.opt_str(&bpath, b, "description"),
            encoding,
            schema,
        })
    }

    fn errors(&mut self, path: &str, obj: &Map<String, Value>) -> Vec<ErrorDecl> {
        let mut out = Vec::new();
        match obj.get("errors") {
            None => {}
            Some(Value::Array(list)) => {
                for (i, e) in list.iter().enumerate() {
                    let epath = format!("{path}.errors[{i}]");
                    let Some(eo) = e.as_object() else {
                        self.err(&epath, "must be an object");
                        continue;
                    };
                    let Some(name) = self.req_str(&epath, eo, "name") else {
                        continue;
                    };
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                        self.err(
                            &format!("{epath}.name"),
                            "an error name must be non-empty ASCII without spaces",
                        );
                    }
                    out.push(ErrorDecl {
                        name,
                        description: self.opt_str(&epath, eo, "description"),
                    });
                }
            }
            Some(_) => self.err(&format!("{path}.errors"), "must be an array"),
        }
        out
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

    // ----- small field readers -----

    fn req_str(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a string");
                None
            }
            None => {
                self.err(path, format!("missing required field {key:?}"));
                None
            }
        }
    }

    fn opt_str(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a string");
                None
            }
            None => None,
        }
    }

    fn opt_bool(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<bool> {
        match obj.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a boolean");
                None
            }
            None => None,
        }
    }

    fn opt_int(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<i64> {
        let v = obj.get(key)?;
        let i = int_of(v);
        if i.is_none() {
            self.err(&format!("{path}.{key}"), "must be an integer");
        }
        i
    }

    fn opt_uint(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<u64> {
        let v = obj.get(key)?;
        match int_of(v) {
            Some(i) if i >= 0 => Some(i as u64),
            _ => {
                self.err(&format!("{path}.{key}"), "must be a non-negative integer");
                None
            }
        }
    }

    fn opt_list<T>(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
        item: impl Fn(&Value) -> Option<T>,
        what: &str,
    ) -> Option<Vec<T>> {
        let v = obj.get(key)?;
        let list = v.as_array().and_then(|a| a.iter().map(&item).collect());
        if list.is_none() {
            self.err(
                &format!("{path}.{key}"),
                format!("must be an array of {what}"),
            );
        }
        list
    }

    fn opt_str_list(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<Vec<String>> {
        self.opt_list(path, obj, key, |v| v.as_str().map(str::to_owned), "strings")
    }

    fn bounds(&mut self, path: &str, min: Option<u64>, max: Option<u64>, lo: &str, hi: &str) {
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                self.err(path, format!("{lo} is greater than {hi}"));
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
