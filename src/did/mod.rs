//! DID resolution for atproto: `did:plc` via a PLC directory and `did:web`
//! via `/.well-known/did.json`, with a bounded TTL cache.
//!
//! The document yields the account's signing key ([`DidDocument::atproto_key`]), which
//! [`auth`](crate::auth) checks service-auth tokens against, and its handle
//! ([`DidDocument::handle`]) and PDS ([`DidDocument::pds`]), which
//! [`identity`](crate::identity) shows in deliveries. One [`DidResolver`] per process
//! serves both, so they share its cache.

mod cache;
mod document;
mod fetch;
mod method;
mod resolver;
mod syntax;

#[cfg(test)]
pub(crate) mod tests;

use std::time::Duration;

pub use document::{DidDocument, DocumentError, Service, ServiceEndpoint, VerificationMethod};
pub use method::{check_did, did_web_authority, BadDid};
pub use resolver::DidResolver;
pub use syntax::{is_atproto_did, is_valid_did};

/// Default PLC directory.
pub const DEFAULT_PLC_URL: &str = "https://plc.directory";

/// Settings for [`DidResolver`].
#[derive(Debug, Clone)]
pub struct DidResolverConfig {
    /// Base URL of the PLC directory; documents are at `<plc_url>/<did>`.
    pub plc_url: url::Url,
    /// Whole-request HTTP timeout (also the connect timeout). Default 3 s,
    /// as in `@atproto/identity`.
    pub timeout: Duration,
    /// Largest document body accepted. Default 64 KiB (real ones are ~1 KiB).
    pub max_document_bytes: usize,
    /// How long a resolved document is used without re-fetching. Default
    /// 1 hour (upstream's "stale" TTL).
    pub cache_ttl: Duration,
    /// How long an expired document may still be served when re-fetching it
    /// fails transiently. Default 24 hours (upstream's max TTL).
    pub cache_max_stale: Duration,
    /// Most documents kept. Default 10 000.
    pub cache_capacity: usize,
    /// Fetch did:web documents of loopback hosts (`localhost`, `127.0.0.0/8`)
    /// over plain `http`, and allow loopback IP literals as did:web hosts.
    ///
    /// Default `false`. This is the testing hook for did:web: tests serve a
    /// real document from an HTTP server on `127.0.0.1:<port>` and resolve
    /// `did:web:127.0.0.1%3A<port>` through exactly the production code path
    /// except for the scheme. It mirrors `@atproto/identity`, which always
    /// uses `http` for `localhost`; here it is opt-in, limited to loopback
    /// (which cannot be reached from another machine, so it cannot be abused
    /// to downgrade a remote host), and needs no TLS test dependencies (a
    /// trusted extra root CA would need certificate generation at test time).
    /// Never enable it in production.
    pub allow_insecure_did_web_loopback: bool,
}

impl Default for DidResolverConfig {
    fn default() -> Self {
        Self {
            plc_url: url::Url::parse(DEFAULT_PLC_URL).expect("default PLC URL is valid"),
            timeout: Duration::from_secs(3),
            max_document_bytes: 64 * 1024,
            cache_ttl: Duration::from_secs(60 * 60),
            cache_max_stale: Duration::from_secs(24 * 60 * 60),
            cache_capacity: 10_000,
            allow_insecure_did_web_loopback: false,
        }
    }
}

/// Why a DID (or its signing key) could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidError {
    /// Not a syntactically valid DID (or not a valid did:plc / did:web id).
    #[error("invalid did {0:?}")]
    InvalidDid(String),
    /// A DID method (or did:web form) atproto does not support.
    #[error("unsupported did method: {0}")]
    UnsupportedMethod(String),
    /// The directory or host says the DID does not exist (404/410).
    #[error("did not found: {0}")]
    NotFound(String),
    /// The document is not valid JSON / not a DID document for this DID.
    #[error("did document for {did} is malformed: {reason}")]
    Malformed {
        /// The DID.
        did: String,
        /// What is wrong.
        reason: String,
    },
    /// The document is larger than the configured limit.
    #[error("did document for {did} exceeds {limit} bytes")]
    TooLarge {
        /// The DID.
        did: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Network error, timeout or unexpected HTTP status.
    #[error("could not fetch did document for {did}: {reason}")]
    Fetch {
        /// The DID.
        did: String,
        /// What failed.
        reason: String,
    },
    /// The document has no usable verification method with that id.
    #[error("did document for {did} has no #{key_id} key")]
    MissingKey {
        /// The DID.
        did: String,
        /// The key id (without `#`).
        key_id: String,
    },
    /// The verification method's key could not be decoded.
    #[error("did document for {did} has an unusable signing key: {reason}")]
    BadKey {
        /// The DID.
        did: String,
        /// What is wrong with the key.
        reason: String,
    },
    /// The HTTP client could not be constructed.
    #[error("could not build http client: {0}")]
    Client(String),
}

impl DidError {
    /// Whether retrying later might succeed (network trouble, 5xx), as
    /// opposed to a definite answer about the DID.
    pub fn is_transient(&self) -> bool {
        matches!(self, DidError::Fetch { .. })
    }
}
