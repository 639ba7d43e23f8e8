//! XRPC support used by generated method code.

use crate::path::{Path, VResult, ValidationError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The kind of an XRPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrpcKind {
    /// `GET`, params in the query string.
    Query,
    /// `POST`, with an optional body.
    Procedure,
    /// A websocket subscription.
    Subscription,
}

/// One XRPC query or procedure, as a type: the generator emits a unit struct per method
/// (named after the NSID's last segment, e.g. `create_webhook::CreateWebhook`) that
/// gathers what its module holds, so servers and clients can be written once, generically.
pub trait XrpcMethod: Send + Sync + 'static {
    /// The method's NSID.
    const NSID: &'static str;
    /// Its HTTP path, `/xrpc/<NSID>`.
    const PATH: &'static str;
    /// Query (`GET`) or procedure (`POST`).
    const KIND: XrpcKind;
    /// Parameter names and kinds, for [`params_from_pairs`].
    const PARAMS: &'static [(&'static str, ParamKind)];
    /// The input body's declared encoding; `None` for queries and bodiless procedures.
    const INPUT_ENCODING: Option<&'static str>;
    /// The output body's declared encoding; `None` without an output.
    const OUTPUT_ENCODING: Option<&'static str>;
    /// The decoded parameters ([`Empty`] when the method declares none).
    type Params: DeserializeOwned + Send + 'static;
    /// The decoded input ([`Empty`] without a body, JSON for a body without a schema).
    type Input: DeserializeOwned + Send + 'static;
    /// The output ([`Empty`] without a body, JSON for a body without a schema).
    type Output: Serialize + DeserializeOwned + Send + 'static;
    /// The errors the lexicon declares for this method.
    type Error: MethodError;
    /// Validate decoded parameters (see [`params_from_pairs`]) as the reference would.
    fn validate_params(value: &Value) -> VResult;
    /// Validate an input body as the reference would.
    fn validate_input(value: &Value) -> VResult;
    /// Validate an output body as the reference would.
    fn validate_output(value: &Value) -> VResult;
}

/// The errors one method declares: its generated `Error` enum, one variant per name,
/// each with an optional message.
pub trait MethodError: std::error::Error + Send + Sync + 'static {
    /// Every declared name, in lexicon order.
    const NAMES: &'static [&'static str];
    /// The XRPC `error` name.
    fn name(&self) -> &'static str;
    /// The human-readable message, if any.
    fn message(&self) -> Option<&str>;
}

/// A part a method does not declare: no parameters, no input, no output. Decodes from any
/// value (ignoring it) and encodes as `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Empty;

impl Serialize for Empty {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        s.serialize_map(Some(0))?.end()
    }
}

impl<'de> serde::Deserialize<'de> for Empty {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Empty)
    }
}

/// The XRPC error body `{"error": Name, "message": text}`.
#[derive(Debug, Clone, Serialize)]
pub struct XrpcErrorBody<'a> {
    /// The error name (ASCII, no spaces).
    pub error: &'a str,
    /// The message, omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
}

/// How a query parameter is decoded from its string form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// exactly `true` or `false`
    Boolean,
    /// `^-?\d+$`
    Integer,
    /// any string
    String,
    /// kept as a string
    Unknown,
    /// repeated key, each item of the inner kind
    Array(&'static ParamKind),
}

/// Decode query-string pairs into a JSON object per the method's parameter kinds, ready
/// for `validate_params`. Keys the method does not declare are ignored.
pub fn params_from_pairs(
    pairs: &[(String, String)],
    kinds: &[(&str, ParamKind)],
) -> Result<Value, ValidationError> {
    let mut out = serde_json::Map::new();
    for (name, kind) in kinds {
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            continue;
        }
        let path = Path::Root;
        let path = path.key(name);
        let value = match kind {
            ParamKind::Array(inner) => Value::Array(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| decode(&path.index(i), v, inner))
                    .collect::<Result<_, _>>()?,
            ),
            scalar => {
                if values.len() > 1 {
                    return Err(path.error("must not be repeated"));
                }
                decode(&path, values[0], scalar)?
            }
        };
        out.insert((*name).to_string(), value);
    }
    Ok(Value::Object(out))
}

fn decode(path: &Path<'_>, raw: &str, kind: &ParamKind) -> Result<Value, ValidationError> {
    match kind {
        ParamKind::Boolean => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(path.error("must be a boolean (true or false)")),
        },
        ParamKind::Integer => {
            let digits = raw.strip_prefix('-').unwrap_or(raw);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(path.error("must be an integer"));
            }
            raw.parse::<i64>()
                .map(Value::from)
                .map_err(|_| path.error("integer is out of range"))
        }
        ParamKind::String | ParamKind::Unknown | ParamKind::Array(_) => {
            Ok(Value::String(raw.to_string()))
        }
    }
}

/// Serialize a union member and tag it with its `$type`.
pub fn union_to_value<T: Serialize>(member: &T, type_: &str) -> Result<Value, serde_json::Error> {
    let mut v = serde_json::to_value(member)?;
    if let Value::Object(m) = &mut v {
        m.insert("$type".into(), Value::String(type_.to_string()));
    }
    Ok(v)
}

/// Deserialize a union member.
pub fn union_from_value<T: DeserializeOwned>(v: Value) -> Result<Box<T>, serde_json::Error> {
    serde_json::from_value(v).map(Box::new)
}

/// A record's `$type` must name its lexicon (`nsid`, or `lex:nsid`).
pub fn check_record_type(value: &Value, nsid: &str) -> VResult {
    let root = Path::Root;
    if !crate::is_obj(value) {
        return Err(root.error("record must be an object"));
    }
    let path = root.key("$type");
    match value.get("$type").and_then(Value::as_str) {
        Some(t) if t.matches('#').count() <= 1 && t.strip_prefix("lex:").unwrap_or(t) == nsid => {
            Ok(())
        }
        Some(t) => Err(path.error(format!("must be {nsid}, got {t}"))),
        None => Err(path.error("must be a string")),
    }
}

/// Validate a whole value against a def's check function, as `lex validate` does for
/// defs that are neither records, objects nor methods.
pub fn check_value(value: &Value, check: fn(&Path<'_>, &Value) -> VResult) -> VResult {
    crate::check_convertible(value, &Path::Root)?;
    check(&Path::Root, value)
}
