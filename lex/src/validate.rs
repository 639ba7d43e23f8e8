//! Validation of JSON values against any def of a [`Catalog`] loaded at run time.
//!
//! The catalog is compiled once into a graph of [`Node`]s whose rules are the same
//! [`placehook_lexrt`] structs that generated code uses, so `placehook lex validate` and the
//! compiled-in validation share every primitive check.

use crate::catalog::Catalog;
use crate::schema::{ObjectSchema, Schema};
use placehook_lexrt::formats::Format;
use placehook_lexrt::{self as rt, get_prop, Path, Prop, VResult};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// Index of a def in [`Validator::defs`].
type DefId = usize;

#[derive(Debug)]
enum Node {
    Bool(rt::BoolRules, bool),
    Int(rt::IntRules, bool),
    Str(rt::StringRules, bool),
    Bytes(rt::BytesRules),
    CidLink,
    Blob,
    Unknown,
    Array(Box<Node>, Option<u64>, Option<u64>),
    Object(Vec<Prop_>),
    Ref(DefId),
    /// Member refs (absolute), their defs (`None` when missing), and `closed`.
    Union(Vec<String>, Vec<Option<DefId>>, bool),
    /// A def that is not a data type (record, token, query, ...): never a valid value.
    Other(&'static str),
    /// A ref whose target does not exist (the reference throws when it is reached).
    Missing(String),
}

#[derive(Debug)]
struct Prop_ {
    name: String,
    node: Node,
    required: bool,
    nullable: bool,
}

/// What `--def` names, and so how a value is checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A record: `$type` must name it, then the record object.
    Record,
    /// A named object def.
    Object,
    /// Query parameters.
    Params,
    /// Procedure input body.
    Input,
    /// Subscription message.
    Message,
    /// Any other def, validated as if a property referenced it.
    Value,
}

/// A def chosen for validation, compiled once.
#[derive(Debug)]
pub struct Entry {
    /// How values are checked.
    pub target: Target,
    /// The def as named by the user (for the record `$type` comparison).
    name: String,
    /// The record object, object def, parameters or input schema.
    node: Option<Node>,
    /// For params: which are required.
    required: Vec<String>,
}

/// A compiled catalog.
#[derive(Debug)]
pub struct Validator {
    defs: Vec<Node>,
    index: HashMap<String, DefId>,
    schemas: Vec<Schema>,
}

impl Validator {
    /// Compile every def of `catalog`.
    pub fn new(catalog: &Catalog) -> Validator {
        let mut v = Validator {
            defs: Vec::new(),
            index: HashMap::new(),
            schemas: Vec::new(),
        };
        for doc in catalog.docs() {
            for (name, def) in &doc.defs {
                let id = v.schemas.len();
                v.index.insert(format!("{}#{}", doc.id, name), id);
                v.schemas.push(def.clone());
            }
        }
        let schemas = std::mem::take(&mut v.schemas);
        v.defs = schemas.iter().map(|s| v.compile_def(s)).collect();
        v.schemas = schemas;
        v
    }

    /// Resolve `--def NSID[#name]` to an entry point, or say that no such def exists.
    pub fn entry(&self, def: &str) -> Result<Entry, String> {
        let name = def.strip_prefix("lex:").unwrap_or(def);
        let full = if name.contains('#') {
            name.to_string()
        } else {
            format!("{name}#main")
        };
        let id = *self
            .index
            .get(&full)
            .ok_or_else(|| format!("no def {full} in the loaded lexicons"))?;
        let mut required = Vec::new();
        let nsid = full.split_once('#').map_or(full.as_str(), |(n, _)| n);
        let mut name = name.to_string();
        let (target, node) = match &self.schemas[id] {
            Schema::Record(r) => {
                // The record's `$type` must be the bare NSID.
                name = nsid.to_string();
                (
                    Target::Record,
                    Some(Node::Object(self.compile_props(&r.record))),
                )
            }
            Schema::Object(_) => (Target::Object, Some(Node::Ref(id))),
            Schema::Query(m) => {
                required = m
                    .parameters
                    .as_ref()
                    .map(|p| p.required.clone())
                    .unwrap_or_default();
                (
                    Target::Params,
                    m.parameters
                        .as_ref()
                        .map(|p| Node::Object(self.compile_props(p))),
                )
            }
            Schema::Subscription(m) => {
                (Target::Message, m.message.as_ref().map(|s| self.compile(s)))
            }
            Schema::Procedure(m) => (
                Target::Input,
                m.input
                    .as_ref()
                    .and_then(|b| b.schema.as_ref())
                    .map(|s| self.compile(s)),
            ),
            _ => (Target::Value, Some(Node::Ref(id))),
        };
        Ok(Entry {
            target,
            name,
            node,
            required,
        })
    }

    /// Validate one value against an entry point.
    pub fn validate(&self, entry: &Entry, value: &Value) -> VResult {
        let root = Path::Root;
        rt::check_convertible(value, &root)?;
        let Some(node) = &entry.node else {
            // A method without parameters or input schema accepts anything.
            return Ok(());
        };
        match entry.target {
            Target::Record => {
                if !rt::is_obj(value) {
                    return Err(root.error("record must be an object"));
                }
                let ty = match get_prop(value, "$type") {
                    Prop::Present(Cow::Borrowed(Value::String(s))) => s.as_str(),
                    _ => return Err(root.key("$type").error("must be a string")),
                };
                if ty.matches('#').count() > 1
                    || ty.strip_prefix("lex:").unwrap_or(ty) != entry.name
                {
                    return Err(root
                        .key("$type")
                        .error(format!("must be {}, got {ty}", entry.name)));
                }
                self.object(&root, node, value)
            }
            Target::Object => {
                if !rt::is_obj(value) {
                    return Err(root.error("must be an object"));
                }
                self.one_of(&root, node, value, true)
            }
            Target::Params => self.params(&root, node, &entry.required, value),
            Target::Input | Target::Message => self.one_of(&root, node, value, true),
            Target::Value => self.one_of(&root, node, value, false),
        }
    }

    /// `params()`: a non-object counts as `{}`; each parameter is a primitive or an array.
    fn params(&self, path: &Path<'_>, node: &Node, required: &[String], value: &Value) -> VResult {
        let Node::Object(props) = node else {
            return Ok(());
        };
        let empty = Value::Object(Default::default());
        let value = if rt::is_obj(value) { value } else { &empty };
        for p in props {
            let ppath = path.key(&p.name);
            match get_prop(value, &p.name) {
                Prop::Missing => {
                    if required.contains(&p.name) && !has_default(&p.node) {
                        return Err(path.error(format!("must have the property {:?}", p.name)));
                    }
                }
                Prop::Function => return Err(ppath.error("must not be a function")),
                Prop::Present(v) => self.check(&ppath, &p.node, &v)?,
            }
        }
        Ok(())
    }

    fn object(&self, path: &Path<'_>, node: &Node, value: &Value) -> VResult {
        let Some(view) = rt::obj_view(value) else {
            return Err(path.error("must be an object"));
        };
        let Node::Object(props) = node else {
            // `object()` on a non-object def (e.g. a record reached through a body ref)
            // only checks that the value is an object.
            return Ok(());
        };
        for p in props {
            match view.get(&p.name) {
                Prop::Present(v) if v.is_null() && p.nullable => {}
                Prop::Missing => {
                    if p.required && !self.concrete_has_default(&p.node) {
                        return Err(path.error(format!("must have the property {:?}", p.name)));
                    }
                }
                Prop::Function => {
                    return Err(path.key(&p.name).error("must not be a function"));
                }
                Prop::Present(v) => self.one_of(&path.key(&p.name), &p.node, &v, false)?,
            }
        }
        Ok(())
    }

    /// `validateOneOf`: resolve a ref or union member, then validate.
    fn one_of(&self, path: &Path<'_>, node: &Node, value: &Value, must_be_obj: bool) -> VResult {
        let concrete = match node {
            Node::Union(raw, ids, closed) => {
                let Some(ty) = rt::discriminator(value) else {
                    return Err(
                        path.error("must be an object which includes the \"$type\" property")
                    );
                };
                let refs: Vec<&str> = raw.iter().map(String::as_str).collect();
                match rt::match_union(&refs, ty).map_err(|m| path.error(m))? {
                    Some(r) => {
                        let i = refs
                            .iter()
                            .position(|x| *x == r)
                            .expect("matched ref is listed");
                        match ids[i] {
                            Some(id) => &self.defs[id],
                            None => return Err(path.error(format!("lexicon not found: {r}"))),
                        }
                    }
                    None if *closed => {
                        return Err(path.error(format!("$type must be one of {}", raw.join(", "))))
                    }
                    None => return Ok(()),
                }
            }
            Node::Ref(id) => &self.defs[*id],
            other => other,
        };
        if let Node::Missing(t) = concrete {
            return Err(path.error(format!("lexicon not found: {t}")));
        }
        if must_be_obj {
            self.object(path, concrete, value)
        } else {
            self.check(path, concrete, value)
        }
    }

    /// `validate`: check a value against a concrete (non-ref) node.
    fn check(&self, path: &Path<'_>, node: &Node, value: &Value) -> VResult {
        match node {
            Node::Bool(r, _) => rt::check_bool(path, value, r),
            Node::Int(r, _) => rt::check_int(path, value, r),
            Node::Str(r, _) => rt::check_string(path, value, r),
            Node::Bytes(r) => rt::check_bytes(path, value, r),
            Node::CidLink => rt::check_cid_link(path, value),
            Node::Blob => rt::check_blob(path, value),
            Node::Unknown => rt::check_unknown(path, value),
            Node::Object(_) => self.object(path, node, value),
            Node::Array(items, min, max) => {
                let Value::Array(list) = value else {
                    return Err(path.error("must be an array"));
                };
                rt::check_array_len(path, list.len(), *min, *max)?;
                for (i, item) in list.iter().enumerate() {
                    self.one_of(&path.index(i), items, item, false)?;
                }
                Ok(())
            }
            Node::Ref(_) | Node::Union(..) => self.one_of(path, node, value, false),
            Node::Other(ty) => Err(path.error(format!("unexpected lexicon type: {ty}"))),
            Node::Missing(t) => Err(path.error(format!("lexicon not found: {t}"))),
        }
    }

    fn concrete_has_default(&self, node: &Node) -> bool {
        match node {
            Node::Ref(id) => has_default(&self.defs[*id]),
            other => has_default(other),
        }
    }

    // ----- compilation -----

    fn compile_def(&self, s: &Schema) -> Node {
        match s {
            Schema::Record(_) => Node::Other("record"),
            Schema::Query(_) => Node::Other("query"),
            Schema::Procedure(_) => Node::Other("procedure"),
            Schema::Subscription(_) => Node::Other("subscription"),
            Schema::PermissionSet(_) => Node::Other("permission-set"),
            Schema::Token(_) => Node::Other("token"),
            other => self.compile(other),
        }
    }

    fn compile_props(&self, o: &ObjectSchema) -> Vec<Prop_> {
        o.properties
            .iter()
            .map(|(name, s)| Prop_ {
                name: name.clone(),
                node: self.compile(s),
                required: o.is_required(name),
                nullable: o.is_nullable(name),
            })
            .collect()
    }

    fn id_of(&self, target: &str) -> Result<DefId, String> {
        self.index
            .get(target)
            .copied()
            .ok_or_else(|| target.to_string())
    }

    fn compile(&self, s: &Schema) -> Node {
        match s {
            Schema::Boolean(b) => Node::Bool(rules::boolean(b), b.default.is_some()),
            Schema::Integer(i) => Node::Int(rules::integer(i), i.default.is_some()),
            Schema::String(st) => Node::Str(rules::string(st), st.default.is_some()),
            Schema::Bytes(b) => Node::Bytes(rules::bytes(b)),
            Schema::CidLink(_) => Node::CidLink,
            Schema::Blob(_) => Node::Blob,
            Schema::Unknown(_) => Node::Unknown,
            Schema::Array(a) => {
                Node::Array(Box::new(self.compile(&a.items)), a.min_length, a.max_length)
            }
            Schema::Object(o) | Schema::Params(o) => Node::Object(self.compile_props(o)),
            Schema::Ref(r) => match self.id_of(&r.target) {
                Ok(id) => Node::Ref(id),
                Err(t) => Node::Missing(t),
            },
            Schema::Union(u) => Node::Union(
                u.refs.clone(),
                u.refs.iter().map(|t| self.id_of(t).ok()).collect(),
                u.closed,
            ),
            other => self.compile_def(other),
        }
    }
}

fn has_default(node: &Node) -> bool {
    matches!(
        node,
        Node::Bool(_, true) | Node::Int(_, true) | Node::Str(_, true)
    )
}

/// Building runtime rules from parsed schemas.
pub mod rules {
    use super::*;
    use crate::schema::{BooleanSchema, BytesSchema, IntegerSchema, StringSchema};

    /// Rules for a `boolean` schema.
    pub fn boolean(b: &BooleanSchema) -> rt::BoolRules {
        rt::BoolRules { const_: b.const_ }
    }

    /// Rules for an `integer` schema.
    pub fn integer(i: &IntegerSchema) -> rt::IntRules {
        rt::IntRules {
            const_: i.const_,
            enum_: i.enum_.clone().map(Cow::Owned),
            minimum: i.minimum,
            maximum: i.maximum,
        }
    }

    /// Rules for a `string` schema.
    pub fn string(s: &StringSchema) -> rt::StringRules {
        rt::StringRules {
            const_: s.const_.clone().map(Cow::Owned),
            enum_: s
                .enum_
                .as_ref()
                .map(|e| Cow::Owned(e.iter().cloned().map(Cow::Owned).collect())),
            min_length: s.min_length,
            max_length: s.max_length,
            min_graphemes: s.min_graphemes,
            max_graphemes: s.max_graphemes,
            format: s.format.as_deref().and_then(Format::from_name),
        }
    }

    /// Rules for a `bytes` schema.
    pub fn bytes(b: &BytesSchema) -> rt::BytesRules {
        rt::BytesRules {
            min_length: b.min_length,
            max_length: b.max_length,
        }
    }
}
