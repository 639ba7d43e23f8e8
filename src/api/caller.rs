//! Who is calling: an API token (`ph_...`) or an ATProto inter-service auth JWT.

use crate::auth::bearer_token;
use crate::state::AppState;
use crate::xrpc::XrpcError;
use axum::http::{header, HeaderMap};

/// Prefix of placehook API tokens; anything else in a Bearer header is treated as a JWT.
pub const API_TOKEN_PREFIX: &str = "ph_";

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account the request acts for; it owns the webhooks it touches.
    pub did: String,
    /// Whether the caller may push producer events.
    pub producer: bool,
}

impl AppState {
    /// Authenticate the caller of method `lxm`.
    pub async fn caller(&self, headers: &HeaderMap, lxm: &str) -> Result<Caller, XrpcError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(XrpcError::auth_required(
                "authentication required: send Authorization: Bearer <token>",
            ));
        };
        let token =
            value.to_str().ok().and_then(bearer_token).ok_or_else(|| {
                XrpcError::auth_required("Authorization must be `Bearer <token>`")
            })?;
        if token.starts_with(API_TOKEN_PREFIX) {
            let info = self
                .store
                .authenticate_token(token)
                .await?
                .ok_or_else(|| XrpcError::auth_required("API token is unknown or revoked"))?;
            return Ok(Caller {
                did: info.did,
                producer: info.producer,
            });
        }
        let token = self.verifier.verify_token(token, lxm).await?;
        // What the caller's PDS signed, for operators checking a proxy set-up (the
        // signature and the token itself are never logged).
        tracing::debug!(
            iss = %token.did,
            aud = %token.aud,
            lxm = %token.lxm,
            alg = %token.alg,
            typ = token.typ.as_deref().unwrap_or(""),
            iat = token.iat,
            exp = token.exp,
            jti = token.jti.as_deref().unwrap_or(""),
            "service auth accepted"
        );
        Ok(Caller {
            did: token.did,
            producer: false,
        })
    }
}

/// Who may call a method, checked by [`crate::xrpc::Xrpc`] after the request has been
/// decoded and validated.
pub trait Access: Send + 'static {
    /// What a handler learns about the caller.
    type Caller: Send + 'static;

    /// Authenticates the caller of method `lxm`.
    fn authenticate(
        s: &AppState,
        headers: &HeaderMap,
        lxm: &'static str,
    ) -> impl std::future::Future<Output = Result<Self::Caller, XrpcError>> + Send;
}

/// Anyone, without credentials.
pub struct Public;

/// An account: an API token or a service-auth JWT.
pub struct Account;

/// A producer: an API token made with `placehook token create --producer` (403 for any
/// other authenticated caller).
pub struct Producer;

impl Access for Public {
    type Caller = ();

    async fn authenticate(_: &AppState, _: &HeaderMap, _: &'static str) -> Result<(), XrpcError> {
        Ok(())
    }
}

impl Access for Account {
    type Caller = Caller;

    async fn authenticate(
        s: &AppState,
        headers: &HeaderMap,
        lxm: &'static str,
    ) -> Result<Caller, XrpcError> {
        s.caller(headers, lxm).await
    }
}

impl Access for Producer {
    type Caller = Caller;

    async fn authenticate(
        s: &AppState,
        headers: &HeaderMap,
        lxm: &'static str,
    ) -> Result<Caller, XrpcError> {
        let caller = s.caller(headers, lxm).await?;
        if !caller.producer {
            return Err(XrpcError::forbidden(
                "only producer tokens may push events (placehook token create --producer)",
            ));
        }
        Ok(caller)
    }
}
