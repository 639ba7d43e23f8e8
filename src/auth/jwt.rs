//! Compact JWS parsing for atproto service-auth tokens.
//!
//! Parsing checks structure only (three base64url segments, JSON objects,
//! claim types, a supported `alg`, an allowed `typ`); time, audience,
//! method and signature checks live in [`crate::auth::ServiceAuthVerifier`].

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::auth::AuthError;
use crate::did::is_valid_did;

/// Longest token accepted, in bytes. Real service tokens are ~600 bytes.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// `typ` header values that name other kinds of JWT and are never accepted
/// as service-auth tokens (the same list as `@atproto/xrpc-server`).
pub const FORBIDDEN_TYPES: [&str; 3] = ["at+jwt", "refresh+jwt", "dpop+jwt"];

/// A JWS signature algorithm atproto allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// ECDSA over secp256k1 with SHA-256.
    Es256k,
    /// ECDSA over NIST P-256 with SHA-256.
    Es256,
}

impl Alg {
    /// The JOSE name: `ES256K` or `ES256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Es256k => "ES256K",
            Alg::Es256 => "ES256",
        }
    }

    /// Parse a JOSE `alg` name (exact, case-sensitive as JOSE requires).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ES256K" => Some(Alg::Es256k),
            "ES256" => Some(Alg::Es256),
            _ => None,
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of a service-auth token.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Issuer: the caller's DID, optionally `did#service_id`.
    pub iss: String,
    /// Audience: the called service's DID, optionally `did#service_id`.
    pub aud: String,
    /// Expiry, seconds since the Unix epoch (JSON numbers may be fractional).
    pub exp: f64,
    /// Issued-at, seconds since the Unix epoch. Required: every PDS sends it, and
    /// without it a token's lifetime (`exp` − `iat`) cannot be bounded.
    pub iat: f64,
    /// Lexicon method (NSID) the token is bound to, if present.
    pub lxm: Option<String>,
    /// Unique token id, if present.
    pub jti: Option<String>,
}

/// A structurally valid, not yet verified, token.
#[derive(Debug, Clone)]
pub struct UnverifiedJwt<'a> {
    /// Signature algorithm from the header.
    pub alg: Alg,
    /// `typ` header, if present.
    pub typ: Option<String>,
    /// Decoded claims.
    pub claims: Claims,
    /// The signed bytes: `base64url(header) "." base64url(payload)`.
    pub signing_input: &'a str,
    /// The base64url signature segment as sent.
    pub signature_b64: &'a str,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
}

fn malformed(reason: &str) -> AuthError {
    AuthError::MalformedToken(reason.to_string())
}

fn decode_json_object(segment: &str, what: &str) -> Result<Map<String, Value>, AuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| malformed(&format!("{what} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(malformed(&format!("{what} is not a JSON object"))),
    }
}

fn opt_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, AuthError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(&format!("{key} must be a string"))),
    }
}

fn opt_number(map: &Map<String, Value>, key: &str) -> Result<Option<f64>, AuthError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| malformed(&format!("{key} must be a number"))),
        Some(_) => Err(malformed(&format!("{key} must be a number"))),
    }
}

/// Parse a compact JWS into header fields, claims and signature bytes.
///
/// Rejects anything that is not three dot-separated segments as
/// [`AuthError::NotAJwt`], and (as [`AuthError::MalformedToken`]) segments that
/// are not unpadded base64url holding JSON objects, a header without a
/// string `alg`, claims without string `iss`/`aud` and numeric `exp`/`iat`, or
/// non-string `lxm`/`jti`. Rejects algorithms other than `ES256K`/`ES256`
/// ([`AuthError::UnsupportedAlgorithm`]) and the forbidden `typ` values
/// ([`AuthError::BadType`]). A missing `typ` is accepted, as upstream does.
pub fn parse(token: &str) -> Result<UnverifiedJwt<'_>, AuthError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("token is too long"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::NotAJwt);
    };
    let header = decode_json_object(h, "header")?;
    let alg_name = match header.get("alg") {
        Some(Value::String(a)) => a.as_str(),
        _ => return Err(malformed("header has no alg")),
    };
    let typ = match header.get("typ") {
        None => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(malformed("typ must be a string")),
    };
    if let Some(t) = &typ {
        if FORBIDDEN_TYPES.iter().any(|f| t.eq_ignore_ascii_case(f)) {
            return Err(AuthError::BadType(t.clone()));
        }
    }
    let alg =
        Alg::from_name(alg_name).ok_or_else(|| AuthError::UnsupportedAlgorithm(alg_name.into()))?;

    let payload = decode_json_object(p, "payload")?;
    let claims = Claims {
        iss: opt_string(&payload, "iss")?.ok_or_else(|| malformed("iss is missing"))?,
        aud: opt_string(&payload, "aud")?.ok_or_else(|| malformed("aud is missing"))?,
        exp: opt_number(&payload, "exp")?.ok_or_else(|| malformed("exp is missing"))?,
        iat: opt_number(&payload, "iat")?.ok_or_else(|| malformed("iat is missing"))?,
        lxm: opt_string(&payload, "lxm")?,
        jti: opt_string(&payload, "jti")?,
    };

    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| malformed("signature is not base64url"))?;
    if signature.len() != 64 {
        return Err(malformed("signature is not 64 bytes"));
    }
    Ok(UnverifiedJwt {
        alg,
        typ,
        claims,
        signing_input: &token[..h.len() + 1 + p.len()],
        signature_b64: s,
        signature,
    })
}

/// Split `did#fragment` into the DID and fragment. Returns `None` unless
/// the DID part is a syntactically valid DID and the fragment (if any) is
/// non-empty and contains no further `#` (the rule upstream applies to `iss`).
pub fn split_did_fragment(value: &str) -> Option<(&str, Option<&str>)> {
    let (did, fragment) = match value.split_once('#') {
        None => (value, None),
        Some((did, frag)) if !frag.is_empty() && !frag.contains('#') => (did, Some(frag)),
        Some(_) => return None,
    };
    is_valid_did(did).then_some((did, fragment))
}
