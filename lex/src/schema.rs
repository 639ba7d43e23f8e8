//! The lexicon language as Rust data: one enum over every lexicon type.
//!
//! Documents are parsed by [`crate::parse`]; this module only holds the model. Refs are
//! stored already resolved to absolute `nsid#name` form (`#main` spelled out) so that
//! later stages never need to know which document a ref appeared in.

use std::collections::BTreeMap;

/// A parsed lexicon document (`lexicon: 1`).
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconDoc {
    /// The document's NSID.
    pub id: String,
    /// Optional `revision` number.
    pub revision: Option<i64>,
    /// Optional document description.
    pub description: Option<String>,
    /// Named definitions, sorted by name (deterministic iteration).
    pub defs: BTreeMap<String, Schema>,
}

/// Any lexicon type, as it may appear as a def, a property, an array item or a body schema.
///
/// Which variants are allowed where is enforced by the parser, not by this type.
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// `boolean`
    Boolean(BooleanSchema),
    /// `integer`
    Integer(IntegerSchema),
    /// `string`
    String(StringSchema),
    /// `bytes`
    Bytes(BytesSchema),
    /// `cid-link`
    CidLink(Meta),
    /// `blob`
    Blob(BlobSchema),
    /// `unknown`
    Unknown(Meta),
    /// `array`
    Array(Box<ArraySchema>),
    /// `object`
    Object(ObjectSchema),
    /// `params` (query / procedure parameters)
    Params(ObjectSchema),
    /// `token`
    Token(Meta),
    /// `ref`
    Ref(RefSchema),
    /// `union`
    Union(UnionSchema),
    /// `record` (main only)
    Record(RecordSchema),
    /// `query` (main only)
    Query(MethodSchema),
    /// `procedure` (main only)
    Procedure(MethodSchema),
    /// `subscription` (main only)
    Subscription(SubscriptionSchema),
    /// `permission-set` (main only)
    PermissionSet(PermissionSetSchema),
}

/// Fields every type may carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// The `description`, if any.
    pub description: Option<String>,
}

/// `boolean`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BooleanSchema {
    pub meta: Meta,
    pub default: Option<bool>,
    pub const_: Option<bool>,
}

/// `integer`. Bounds are kept as `f64` because the reference compares JS numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntegerSchema {
    pub meta: Meta,
    pub default: Option<i64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub enum_: Option<Vec<i64>>,
    pub const_: Option<i64>,
}

/// `string`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringSchema {
    pub meta: Meta,
    pub format: Option<String>,
    pub default: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_graphemes: Option<u64>,
    pub max_graphemes: Option<u64>,
    pub enum_: Option<Vec<String>>,
    pub const_: Option<String>,
    pub known_values: Option<Vec<String>>,
}

/// `bytes`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BytesSchema {
    pub meta: Meta,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

/// `blob`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlobSchema {
    pub meta: Meta,
    pub accept: Option<Vec<String>>,
    pub max_size: Option<u64>,
}

/// `array`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArraySchema {
    pub meta: Meta,
    pub items: Schema,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

/// `object` and `params`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectSchema {
    pub meta: Meta,
    pub required: Vec<String>,
    pub nullable: Vec<String>,
    /// Properties in document order (the reference validates them in that order).
    pub properties: Vec<(String, Schema)>,
}

impl ObjectSchema {
    /// Whether `name` is listed in `required`.
    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| r == name)
    }
    /// Whether `name` is listed in `nullable`.
    pub fn is_nullable(&self, name: &str) -> bool {
        self.nullable.iter().any(|r| r == name)
    }
}

/// `ref`: `target` is absolute (`nsid#name`).
#[derive(Debug, Clone, PartialEq)]
pub struct RefSchema {
    pub meta: Meta,
    /// The ref as written in the document.
    pub raw: String,
    /// The resolved absolute ref, always with a `#name` part.
    pub target: String,
}

/// `union`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionSchema {
    pub meta: Meta,
    /// Refs as written in the document.
    pub raw: Vec<String>,
    /// Resolved absolute refs (`nsid#name`), same order as `raw`.
    pub refs: Vec<String>,
    /// `closed: true` rejects an unknown `$type`.
    pub closed: bool,
}

/// `record`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSchema {
    pub meta: Meta,
    /// `tid`, `nsid`, `any` or `literal:<value>`.
    pub key: Option<String>,
    pub record: ObjectSchema,
}

/// An XRPC body (`input` / `output`).
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub description: Option<String>,
    pub encoding: String,
    /// An object, a ref, or a union.
    pub schema: Option<Box<Schema>>,
}

/// A declared XRPC error.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDecl {
    pub name: String,
    pub description: Option<String>,
}

/// `query` and `procedure`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSchema {
    pub meta: Meta,
    pub parameters: Option<ObjectSchema>,
    pub input: Option<Body>,
    pub output: Option<Body>,
    pub errors: Vec<ErrorDecl>,
}

/// `subscription`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionSchema {
    pub meta: Meta,
    pub parameters: Option<ObjectSchema>,
    /// The message schema (a union).
    pub message: Option<Box<Schema>>,
    pub errors: Vec<ErrorDecl>,
}

/// `permission-set`: kept as data; it has no runtime values to validate.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionSetSchema {
    pub meta: Meta,
    pub title: Option<String>,
    pub permissions: Vec<serde_json::Value>,
}

impl Schema {
    /// The lexicon `type` name of this schema.
    pub fn type_name(&self) -> &'static str {
        match self {
            Schema::Boolean(_) => "boolean",
            Schema::Integer(_) => "integer",
            Schema::String(_) => "string",
            Schema::Bytes(_) => "bytes",
            Schema::CidLink(_) => "cid-link",
            Schema::Blob(_) => "blob",
            Schema::Unknown(_) => "unknown",
            Schema::Array(_) => "array",
            Schema::Object(_) => "object",
            Schema::Params(_) => "params",
            Schema::Token(_) => "token",
            Schema::Ref(_) => "ref",
            Schema::Union(_) => "union",
            Schema::Record(_) => "record",
            Schema::Query(_) => "query",
            Schema::Procedure(_) => "procedure",
            Schema::Subscription(_) => "subscription",
            Schema::PermissionSet(_) => "permission-set",
        }
    }

    /// The description, whatever the type.
    pub fn description(&self) -> Option<&str> {
        let meta = match self {
            Schema::CidLink(m) | Schema::Unknown(m) | Schema::Token(m) => m,
            Schema::Boolean(s) => &s.meta,
            Schema::Integer(s) => &s.meta,
            Schema::String(s) => &s.meta,
            Schema::Bytes(s) => &s.meta,
            Schema::Blob(s) => &s.meta,
            Schema::Array(s) => &s.meta,
            Schema::Object(s) | Schema::Params(s) => &s.meta,
            Schema::Ref(s) => &s.meta,
            Schema::Union(s) => &s.meta,
            Schema::Record(s) => &s.meta,
            Schema::Query(s) | Schema::Procedure(s) => &s.meta,
            Schema::Subscription(s) => &s.meta,
            Schema::PermissionSet(s) => &s.meta,
        };
        meta.description.as_deref()
    }
}
