//! [`ServiceAuthVerifier`]: checks atproto inter-service JWTs.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::jwt::{self, Alg};
use crate::auth::keys::{self, PublicKey, SignatureError};
use crate::auth::replay::{replay_key, ReplayCache};
use crate::auth::AuthError;
use crate::did::DidResolver;

/// Default clock-skew allowance applied to `exp` and `iat`.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(30);
/// Default longest accepted token lifetime (`exp` − `iat`, and `exp` − now). A PDS's
/// `com.atproto.server.getServiceAuth` issues at most one hour.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Default number of unexpired tokens remembered for replay protection.
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The caller's DID (`iss` without any fragment).
    pub did: String,
    /// The `iss` fragment naming a service of the caller (e.g.
    /// `atproto_labeler`), if any.
    pub service: Option<String>,
    /// The `aud` claim as sent (this service's DID, maybe with a fragment).
    pub aud: String,
    /// The `lxm` claim (equal to the called method).
    pub lxm: String,
    /// The `jti` claim, if any.
    pub jti: Option<String>,
    /// Issued at, Unix seconds.
    pub iat: f64,
    /// Expiry, Unix seconds.
    pub exp: f64,
    /// The signature algorithm.
    pub alg: Alg,
    /// The header's `typ`, if any.
    pub typ: Option<String>,
}

/// Verifies `Authorization: Bearer` service-auth JWTs addressed to this
/// service, mirroring `verifyJwt` of `@atproto/xrpc-server`:
///
/// * `typ` may be absent or anything except `at+jwt`, `refresh+jwt`,
///   `dpop+jwt` (compared case-insensitively); `alg` must be `ES256K`/`ES256`.
/// * `exp` must not be past (allowing [`DEFAULT_CLOCK_SKEW`]).
/// * Unlike upstream, `iat` is required, must not be in the future (allowing the same
///   skew) nor after `exp`, and `exp` may be at most [`DEFAULT_MAX_LIFETIME`] after
///   `iat` and after now: what a PDS's `com.atproto.server.getServiceAuth` issues at
///   most, and a bound on how long replay entries live.
/// * `aud` must be the service DID, or `service_did#<id>` for an id of placehook's DID
///   document services ([`crate::service_did::SERVICES`]: `placehook`, `streamplace`),
///   or of [`ServiceAuthVerifier::with_service_ids`]. PDSes sign for the bare DID or,
///   newer ones (atproto proposal 0014), for `did#<service id>` as proxied to.
/// * `lxm` must equal the called method.
/// * `iss` is a DID, optionally `did#service`; the signing key is the
///   DID document's `#atproto` key, or `#atproto_label` when `iss` ends in
///   `#atproto_labeler` (as the official PDS and AppView do).
/// * The signature is 64-byte `r||s`, low-S on both curves (stricter than
///   upstream's service-auth path, which passes `allowMalleableSig`).
/// * On a signature failure the DID is re-resolved once bypassing the cache.
/// * Accepted tokens are remembered by issuer + `jti` (or, without a `jti`,
///   by signature) until `exp`, and a second use is rejected.
#[derive(Debug)]
pub struct ServiceAuthVerifier {
    service_did: String,
    service_ids: Vec<String>,
    resolver: Arc<DidResolver>,
    replay: ReplayCache,
    clock_skew: Duration,
    max_lifetime: Duration,
}

impl ServiceAuthVerifier {
    /// A verifier for tokens addressed to `service_did`, with defaults.
    pub fn new(service_did: String, resolver: Arc<DidResolver>) -> Self {
        Self {
            service_did,
            service_ids: crate::service_did::service_ids()
                .map(str::to_string)
                .collect(),
            resolver,
            replay: ReplayCache::new(DEFAULT_REPLAY_CAPACITY),
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_lifetime: DEFAULT_MAX_LIFETIME,
        }
    }

    /// Set the clock-skew allowance for `exp` and `iat`.
    pub fn with_clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Set the longest accepted remaining lifetime of a token.
    pub fn with_max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = max;
        self
    }

    /// Set how many unexpired tokens are remembered for replay protection.
    pub fn with_replay_capacity(mut self, capacity: usize) -> Self {
        self.replay = ReplayCache::new(capacity);
        self
    }

    /// Accept `aud = service_did#<id>` for these ids instead of placehook's service ids
    /// (plain `service_did` is always accepted).
    pub fn with_service_ids(mut self, ids: Vec<String>) -> Self {
        self.service_ids = ids;
        self
    }

    /// This service's DID.
    pub fn service_did(&self) -> &str {
        &self.service_did
    }

    /// The resolver used for issuer keys.
    pub fn resolver(&self) -> &Arc<DidResolver> {
        &self.resolver
    }

    /// Verify a compact JWS for a call to `lxm`; returns the caller DID
    /// (`iss` without fragment).
    pub async fn verify(&self, token: &str, lxm: &str) -> Result<String, AuthError> {
        self.verify_token(token, lxm).await.map(|t| t.did)
    }

    /// Verify an `Authorization` header value (`Bearer <jwt>`) for `lxm`.
    pub async fn verify_header(
        &self,
        authorization: Option<&str>,
        lxm: &str,
    ) -> Result<VerifiedToken, AuthError> {
        let token = authorization
            .and_then(bearer_token)
            .ok_or(AuthError::MissingToken)?;
        self.verify_token(token, lxm).await
    }

    /// Verify a compact JWS for a call to `lxm`, returning all its details.
    pub async fn verify_token(&self, token: &str, lxm: &str) -> Result<VerifiedToken, AuthError> {
        let jwt = jwt::parse(token)?;
        let claims = &jwt.claims;
        let now = unix_now();
        let skew = self.clock_skew.as_secs_f64();
        self.check_times(claims.iat, claims.exp, now)?;
        if !self.audience_ok(&claims.aud) {
            return Err(AuthError::BadAudience);
        }
        match &claims.lxm {
            None => return Err(AuthError::MissingLxm(lxm.to_string())),
            Some(got) if got != lxm => {
                return Err(AuthError::BadLxm {
                    expected: lxm.to_string(),
                })
            }
            Some(_) => {}
        }
        let (did, service) = jwt::split_did_fragment(&claims.iss).ok_or(AuthError::BadIssuer)?;
        // Token-intrinsic signature checks need no network.
        keys::check_low_s(jwt.alg, &jwt.signature).map_err(|e| sig_error(e, did, jwt.alg, None))?;

        let key_id = if service == Some("atproto_labeler") {
            "atproto_label"
        } else {
            "atproto"
        };
        let msg = jwt.signing_input.as_bytes();
        let key = self.signing_key(did, key_id, false).await?;
        if let Err(first) = key.verify(jwt.alg, msg, &jwt.signature) {
            // Keys rotate: retry once with a freshly resolved document.
            let fresh = self.signing_key(did, key_id, true).await?;
            if fresh == key {
                return Err(sig_error(first, did, jwt.alg, Some(&key)));
            }
            fresh
                .verify(jwt.alg, msg, &jwt.signature)
                .map_err(|e| sig_error(e, did, jwt.alg, Some(&fresh)))?;
        }

        let replay_key = match &claims.jti {
            Some(jti) => replay_key(&[did, "jti", jti]),
            None => replay_key(&[did, "sig", jwt.signature_b64]),
        };
        let expires_at = (claims.exp + skew).ceil() as i64;
        self.replay
            .check_and_insert(replay_key, expires_at, now.floor() as i64)?;

        Ok(VerifiedToken {
            did: did.to_string(),
            service: service.map(str::to_string),
            aud: claims.aud.clone(),
            lxm: lxm.to_string(),
            jti: claims.jti.clone(),
            iat: claims.iat,
            exp: claims.exp,
            alg: jwt.alg,
            typ: jwt.typ.clone(),
        })
    }

    /// The validity window: `iat` <= now < `exp` (each allowing the clock skew), and not
    /// longer than the lifetime limit, counted from `iat` and from now.
    fn check_times(&self, iat: f64, exp: f64, now: f64) -> Result<(), AuthError> {
        let skew = self.clock_skew.as_secs_f64();
        let max = self.max_lifetime.as_secs_f64();
        if now > exp + skew {
            return Err(AuthError::Expired);
        }
        if iat > now + skew {
            return Err(AuthError::IssuedInFuture);
        }
        if exp < iat {
            return Err(AuthError::ExpiresBeforeIssued);
        }
        if exp - iat > max + skew || exp - now > max + skew {
            return Err(AuthError::LifetimeTooLong);
        }
        Ok(())
    }

    fn audience_ok(&self, aud: &str) -> bool {
        if aud == self.service_did {
            return true;
        }
        let Some(fragment) = aud
            .strip_prefix(self.service_did.as_str())
            .and_then(|rest| rest.strip_prefix('#'))
        else {
            return false;
        };
        if fragment.is_empty() || fragment.contains('#') {
            return false;
        }
        self.service_ids.iter().any(|id| id == fragment)
    }

    async fn signing_key(
        &self,
        did: &str,
        key_id: &str,
        fresh: bool,
    ) -> Result<PublicKey, AuthError> {
        self.resolver
            .resolve_key(did, key_id, fresh)
            .await
            .map_err(|source| AuthError::KeyResolution {
                did: did.to_string(),
                source,
            })
    }
}

fn sig_error(err: SignatureError, did: &str, alg: Alg, key: Option<&PublicKey>) -> AuthError {
    match (err, key) {
        (SignatureError::Malformed, _) => {
            AuthError::MalformedToken("signature is not a valid ECDSA signature".into())
        }
        (SignatureError::HighS, _) => AuthError::HighSSignature,
        (SignatureError::AlgMismatch, Some(key)) => AuthError::AlgorithmMismatch {
            did: did.to_string(),
            alg: alg.as_str(),
            key_alg: key.alg().as_str(),
        },
        _ => AuthError::BadSignature,
    }
}

/// Extract the token from an `Authorization` header value: `Bearer <token>`
/// (scheme case-insensitive, surrounding whitespace trimmed).
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
