//! DID documents and the atproto data read from them.
//!
//! Validation mirrors `@atproto/identity`: `id` must be a string equal to the
//! resolved DID, `alsoKnownAs` an array of strings, each verification method
//! needs string `id`, `type` and `controller`, each service string `id` and
//! `type` plus a string or object `serviceEndpoint`. Unknown fields are
//! ignored.

use serde::Deserialize;

use crate::auth::keys::{KeyError, PublicKey};

/// A verification method entry of a DID document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VerificationMethod {
    /// `#atproto` or `<did>#atproto` style id.
    pub id: String,
    /// `Multikey` or a legacy `Ecdsa*VerificationKey2019` type.
    #[serde(rename = "type")]
    pub method_type: String,
    /// DID controlling the key.
    pub controller: String,
    /// The multibase-encoded public key, if given in that form.
    #[serde(rename = "publicKeyMultibase", default)]
    pub public_key_multibase: Option<String>,
}

/// A service entry of a DID document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Service {
    /// `#atproto_pds` style id.
    pub id: String,
    /// e.g. `AtprotoPersonalDataServer`.
    #[serde(rename = "type")]
    pub service_type: String,
    /// The endpoint: a URL string, or (rarely) a JSON object.
    #[serde(rename = "serviceEndpoint")]
    pub service_endpoint: ServiceEndpoint,
}

/// A service endpoint value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ServiceEndpoint {
    /// A URL.
    Url(String),
    /// A structured endpoint (not used by atproto).
    Map(serde_json::Map<String, serde_json::Value>),
}

/// A resolved DID document (the parts atproto uses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DidDocument {
    /// The DID the document describes.
    pub id: String,
    /// `alsoKnownAs` URIs; the handle is the first `at://` entry.
    #[serde(rename = "alsoKnownAs", default)]
    pub also_known_as: Vec<String>,
    /// Verification methods (public keys).
    #[serde(rename = "verificationMethod", default)]
    pub verification_methods: Vec<VerificationMethod>,
    /// Service endpoints.
    #[serde(rename = "service", default)]
    pub services: Vec<Service>,
}

/// Why a document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON, or not the shape of a DID document.
    #[error("not a valid did document: {0}")]
    Shape(String),
    /// The document's `id` is not the DID that was resolved.
    #[error("document id {found:?} does not match the resolved did")]
    IdMismatch {
        /// The `id` found in the document.
        found: String,
    },
}

impl DidDocument {
    /// Parse and validate a document fetched for `did`.
    pub fn parse(did: &str, body: &[u8]) -> Result<Self, DocumentError> {
        let doc: DidDocument =
            serde_json::from_slice(body).map_err(|e| DocumentError::Shape(e.to_string()))?;
        if doc.id != did {
            return Err(DocumentError::IdMismatch { found: doc.id });
        }
        Ok(doc)
    }

    /// Find an entry whose id is `#<fragment>` or `<this did>#<fragment>`.
    fn matches_id(&self, item_id: &str, fragment: &str) -> bool {
        let local = item_id.strip_prefix(self.id.as_str()).unwrap_or(item_id);
        local.strip_prefix('#') == Some(fragment)
    }

    /// The verification method with id `#<fragment>` (or `<did>#<fragment>`).
    pub fn verification_method(&self, fragment: &str) -> Option<&VerificationMethod> {
        self.verification_methods
            .iter()
            .find(|m| self.matches_id(&m.id, fragment))
    }

    /// The public key of verification method `#<fragment>`. `Ok(None)` when
    /// there is no such entry (or it has no `publicKeyMultibase`).
    pub fn public_key(&self, fragment: &str) -> Result<Option<PublicKey>, KeyError> {
        let Some(method) = self.verification_method(fragment) else {
            return Ok(None);
        };
        let Some(multibase) = &method.public_key_multibase else {
            return Ok(None);
        };
        PublicKey::from_verification_method(&method.method_type, multibase).map(Some)
    }

    /// The atproto signing key (`#atproto`).
    pub fn atproto_key(&self) -> Result<Option<PublicKey>, KeyError> {
        self.public_key("atproto")
    }

    /// The handle: the first `at://` entry of `alsoKnownAs`, without the
    /// prefix. Unverified: a handle must also resolve back to this DID.
    pub fn handle(&self) -> Option<&str> {
        self.also_known_as
            .iter()
            .find_map(|aka| aka.strip_prefix("at://"))
    }

    /// The http(s) endpoint of service `#<fragment>` if its type is
    /// `service_type` and its endpoint is a parseable URL string.
    pub fn service_endpoint(&self, fragment: &str, service_type: &str) -> Option<&str> {
        let service = self
            .services
            .iter()
            .find(|s| self.matches_id(&s.id, fragment))?;
        if service.service_type != service_type {
            return None;
        }
        let ServiceEndpoint::Url(url) = &service.service_endpoint else {
            return None;
        };
        let parsed = url::Url::parse(url).ok()?;
        matches!(parsed.scheme(), "http" | "https").then_some(url.as_str())
    }

    /// The PDS endpoint (`#atproto_pds`, type `AtprotoPersonalDataServer`).
    pub fn pds(&self) -> Option<&str> {
        self.service_endpoint("atproto_pds", "AtprotoPersonalDataServer")
    }
}
