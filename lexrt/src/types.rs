//! Rust types for the ATProto data model's special JSON shapes, used by generated code.

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `bytes`: serialised as `{"$bytes": "<base64, no padding>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr {
            #[serde(rename = "$bytes")]
            bytes: String,
        }
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.0);
        Repr { bytes: b64 }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Repr {
            #[serde(rename = "$bytes")]
            bytes: String,
        }
        let r = Repr::deserialize(d)?;
        let trimmed = r.bytes.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// `cid-link`: serialised as `{"$link": "<cid>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CidLink {
    /// The CID string.
    #[serde(rename = "$link")]
    pub link: String,
}

/// `blob`: a reference to uploaded data, `{"$type": "blob", ref, mimeType, size}`, or the
/// legacy `{cid, mimeType}` form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Blob {
    /// The current form.
    Typed(TypedBlob),
    /// The legacy form.
    Legacy {
        /// The CID string.
        cid: String,
        /// The MIME type.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
}

/// The current blob form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedBlob {
    /// Always `blob`.
    #[serde(rename = "$type")]
    pub type_: String,
    /// The content's CID.
    #[serde(rename = "ref")]
    pub ref_: CidLink,
    /// The MIME type.
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    /// Size in bytes.
    pub size: i64,
}

impl Blob {
    /// The content CID, whatever the form.
    pub fn cid(&self) -> &str {
        match self {
            Blob::Typed(t) => &t.ref_.link,
            Blob::Legacy { cid, .. } => cid,
        }
    }
    /// The MIME type, whatever the form.
    pub fn mime_type(&self) -> &str {
        match self {
            Blob::Typed(t) => &t.mime_type,
            Blob::Legacy { mime_type, .. } => mime_type,
        }
    }
}

/// serde helpers for `Option<Option<T>>`: absent = `None`, `null` = `Some(None)`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialize the inner option (`None` is skipped by the field attribute).
    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// A present field is `Some`, even when `null`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
