//! Service-auth rejection reasons.

use crate::did::DidError;

/// Why a service-auth token was rejected. Each variant has a distinct,
/// human-readable message; [`AuthError::xrpc_error`] gives the XRPC error
/// name the official implementation uses for the same rejection.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// The `Authorization` header is missing or is not a bearer token.
    #[error("missing bearer token")]
    MissingToken,
    /// The bearer value does not even have a JWT's shape (three dot-separated
    /// segments); nor is it an API token, which the caller tries first.
    #[error("bearer token is not an API token (ph_...) or a JWT")]
    NotAJwt,
    /// The token is not a well-formed compact JWS with the required claims.
    #[error("malformed jwt: {0}")]
    MalformedToken(String),
    /// The header `alg` is not `ES256K` or `ES256`.
    #[error("jwt alg {0:?} is not supported (expected ES256K or ES256)")]
    UnsupportedAlgorithm(String),
    /// The header `typ` names another kind of token (`at+jwt`, ...).
    #[error("jwt typ {0:?} is not allowed for service auth")]
    BadType(String),
    /// `exp` is in the past (beyond the clock-skew allowance).
    #[error("jwt expired")]
    Expired,
    /// `exp` is further after `iat`, or after now, than the verifier accepts.
    #[error("jwt lifetime is too long: exp is too far after iat or now")]
    LifetimeTooLong,
    /// `iat` is later than now (beyond the clock-skew allowance): not issued yet.
    #[error("jwt iat is in the future")]
    IssuedInFuture,
    /// `exp` is before `iat`: a token that was never valid.
    #[error("jwt exp is before its iat")]
    ExpiresBeforeIssued,
    /// `aud` is not this service's DID (with an optional accepted fragment).
    #[error("jwt audience does not match service did")]
    BadAudience,
    /// The token has no `lxm` claim.
    #[error("jwt lxm is missing; it must be the called method {0}")]
    MissingLxm(String),
    /// The token's `lxm` is not the called method.
    #[error("jwt lxm does not match the called method {expected}")]
    BadLxm {
        /// The method being called.
        expected: String,
    },
    /// `iss` is not a DID (optionally with one `#service` fragment).
    #[error("jwt iss is not a valid did")]
    BadIssuer,
    /// The signature's `s` is in the upper half of the curve order.
    #[error("jwt signature is not in low-S form")]
    HighSSignature,
    /// The header `alg` does not match the curve of the issuer's key.
    #[error("jwt alg {alg} does not match the {key_alg} signing key of {did}")]
    AlgorithmMismatch {
        /// The caller DID.
        did: String,
        /// `alg` from the token header.
        alg: &'static str,
        /// `alg` of the key in the DID document.
        key_alg: &'static str,
    },
    /// The signature does not verify with the issuer's current key.
    #[error("jwt signature is invalid")]
    BadSignature,
    /// The issuer's DID document (or its signing key) could not be obtained.
    #[error("could not resolve signing key for {did}: {source}")]
    KeyResolution {
        /// The caller DID.
        did: String,
        /// What went wrong.
        #[source]
        source: DidError,
    },
    /// The token (its `jti`) has been used before.
    #[error("jwt has already been used (replayed jti)")]
    Replayed,
    /// The replay cache is at capacity with unexpired entries; fail closed.
    #[error("too many outstanding service tokens; try again later")]
    ReplayCacheFull,
}

impl AuthError {
    /// The XRPC error name for this rejection (what `@atproto/xrpc-server`
    /// puts in the `error` field of its 401 response where it has one).
    pub fn xrpc_error(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "AuthMissing",
            AuthError::NotAJwt
            | AuthError::MalformedToken(_)
            | AuthError::UnsupportedAlgorithm(_) => "BadJwt",
            AuthError::BadType(_) => "BadJwtType",
            AuthError::Expired => "JwtExpired",
            // Every problem with the validity window (iat..exp) has one name.
            AuthError::LifetimeTooLong
            | AuthError::IssuedInFuture
            | AuthError::ExpiresBeforeIssued => "BadJwtLifetime",
            AuthError::BadAudience => "BadJwtAudience",
            AuthError::MissingLxm(_) | AuthError::BadLxm { .. } => "BadJwtLexiconMethod",
            AuthError::BadIssuer => "BadJwtIss",
            AuthError::HighSSignature
            | AuthError::AlgorithmMismatch { .. }
            | AuthError::BadSignature => "BadJwtSignature",
            AuthError::KeyResolution { .. } => "BadJwtIss",
            AuthError::Replayed => "JwtReplayed",
            AuthError::ReplayCacheFull => "AuthUnavailable",
        }
    }
}
