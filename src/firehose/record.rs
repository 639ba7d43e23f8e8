//! A DAG-CBOR record as the JSON value the rest of placehook works with (the ATProto data
//! model's JSON form: bytes as `{"$bytes": base64}`, links as `{"$link": cid}`), so a
//! firehose record validates and renders exactly as the same record from Jetstream.
//!
//! Written here because the IPLD crates convert to DAG-JSON (`{"/": ...}`), which is not
//! the ATProto JSON form; decoding itself is `serde_ipld_dagcbor`'s.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use ipld_core::ipld::Ipld;
use serde_json::{Map, Number, Value};

/// Why a record did not convert.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not DAG-CBOR.
    #[error("not DAG-CBOR: {0}")]
    Decode(String),
    /// A value JSON cannot hold (an integer past 64 bits, a non-finite float).
    #[error("a value JSON cannot hold")]
    Unrepresentable,
}

/// Decodes a DAG-CBOR record block into its ATProto JSON form.
pub fn to_json(bytes: &[u8]) -> Result<Value, RecordError> {
    let ipld: Ipld =
        serde_ipld_dagcbor::from_slice(bytes).map_err(|e| RecordError::Decode(e.to_string()))?;
    convert(ipld)
}

fn convert(ipld: Ipld) -> Result<Value, RecordError> {
    Ok(match ipld {
        Ipld::Null => Value::Null,
        Ipld::Bool(b) => Value::Bool(b),
        Ipld::Integer(i) => {
            if let Ok(n) = i64::try_from(i) {
                Value::from(n)
            } else {
                Value::from(u64::try_from(i).map_err(|_| RecordError::Unrepresentable)?)
            }
        }
        Ipld::Float(f) => Value::Number(Number::from_f64(f).ok_or(RecordError::Unrepresentable)?),
        Ipld::String(s) => Value::String(s),
        Ipld::Bytes(b) => single("$bytes", STANDARD_NO_PAD.encode(b)),
        Ipld::Link(cid) => single("$link", cid.to_string()),
        Ipld::List(items) => {
            Value::Array(items.into_iter().map(convert).collect::<Result<_, _>>()?)
        }
        Ipld::Map(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| Ok((k, convert(v)?)))
                .collect::<Result<Map<_, _>, RecordError>>()?,
        ),
    })
}

fn single(key: &str, value: String) -> Value {
    let mut m = Map::with_capacity(1);
    m.insert(key.to_string(), Value::String(value));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipld_core::cid::Cid;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn links_bytes_and_blobs_take_their_json_forms() {
        let cid: Cid = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"
            .parse()
            .unwrap();
        let mut blob = BTreeMap::new();
        blob.insert("$type".to_string(), Ipld::String("blob".into()));
        blob.insert("ref".to_string(), Ipld::Link(cid));
        blob.insert("mimeType".to_string(), Ipld::String("image/jpeg".into()));
        blob.insert("size".to_string(), Ipld::Integer(1234));
        let mut rec = BTreeMap::new();
        rec.insert("thumb".to_string(), Ipld::Map(blob));
        rec.insert("raw".to_string(), Ipld::Bytes(vec![1, 2, 3]));
        rec.insert("n".to_string(), Ipld::Integer(-5));
        rec.insert(
            "list".to_string(),
            Ipld::List(vec![Ipld::Null, Ipld::Bool(true)]),
        );
        let bytes = serde_ipld_dagcbor::to_vec(&Ipld::Map(rec)).unwrap();
        assert_eq!(
            to_json(&bytes).unwrap(),
            json!({
                "thumb": {"$type": "blob", "ref": {"$link": cid.to_string()},
                          "mimeType": "image/jpeg", "size": 1234},
                "raw": {"$bytes": "AQID"},
                "n": -5,
                "list": [null, true],
            })
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [&b""[..], b"\xff", b"\xa1\x61", b"{\"json\":1}"] {
            assert!(to_json(bad).is_err(), "{bad:?}");
        }
    }
}
