//! The fields of each lexicon type, read into its schema.

use super::{int_of, path_key, Parser, Place};
use crate::schema::*;
use serde_json::{Map, Value};

impl Parser<'_> {
    pub(super) fn integer(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
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

    pub(super) fn string(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
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

    pub(super) fn array(
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

    pub(super) fn object(
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

    pub(super) fn union(&mut self, path: &str, obj: &Map<String, Value>, meta: Meta) -> Schema {
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

    pub(super) fn record(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        meta: Meta,
    ) -> Option<Schema> {
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

    pub(super) fn method(
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

    pub(super) fn subscription(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        meta: Meta,
    ) -> Schema {
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

    pub(super) fn params(&mut self, path: &str, obj: &Map<String, Value>) -> Option<ObjectSchema> {
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

    pub(super) fn body(&mut self, path: &str, obj: &Map<String, Value>, key: &str) -> Option<Body> {
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

    pub(super) fn errors(&mut self, path: &str, obj: &Map<String, Value>) -> Vec<ErrorDecl> {
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
}
