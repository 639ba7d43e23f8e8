//! Caller authentication: atproto inter-service auth.
//!
//! A caller sends `Authorization: Bearer <JWT>`, a compact JWS signed
//! (`ES256K` or `ES256`) with the `#atproto` key in its DID document, with
//! claims `iss` (caller DID), `aud` (our DID), `exp`, `lxm` (the called
//! method) and usually `iat`/`jti`. [`ServiceAuthVerifier`] checks all of it,
//! resolving the caller's DID document through [`DidResolver`](crate::did::DidResolver).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use placehook::auth::ServiceAuthVerifier;
//! use placehook::did;
//! let resolver = Arc::new(did::DidResolver::new(did::DidResolverConfig::default())?);
//! let verifier = ServiceAuthVerifier::new("did:web:hooks.example".into(), resolver);
//! # let token = "";
//! let caller = verifier.verify(token, "place.stream.server.createWebhook").await?;
//! # Ok(()) }
//! ```

mod error;
pub mod jwt;
pub mod keys;
mod replay;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;
mod verifier;

#[cfg(test)]
mod tests;

pub use error::AuthError;
pub use verifier::{
    bearer_token, ServiceAuthVerifier, VerifiedToken, DEFAULT_CLOCK_SKEW, DEFAULT_MAX_LIFETIME,
    DEFAULT_REPLAY_CAPACITY,
};
