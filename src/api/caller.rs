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
        let did = self.verifier.verify(token, lxm).await?;
        Ok(Caller {
            did,
            producer: false,
        })
    }
}

/// A procedure call: its input, validated and typed (and raw, for partial updates), and
/// who made it.
pub struct Call<T> {
    /// The typed input.
    pub input: T,
    /// The input as sent.
    pub raw: serde_json::Value,
    /// The authenticated caller.
    pub caller: Caller,
}

impl AppState {
    /// Decodes and validates a procedure's body, then authenticates the caller of `nsid`
    /// (in that order, so a malformed request is a 400 whoever sends it).
    pub async fn procedure<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: axum::body::Body,
        nsid: &str,
        validate: fn(&serde_json::Value) -> placehook_lexrt::VResult,
    ) -> Result<Call<T>, XrpcError> {
        let (input, raw) =
            crate::xrpc::request::decode_input(headers, body, self.config.max_body_bytes, validate)
                .await?;
        let caller = self.caller(headers, nsid).await?;
        Ok(Call { input, raw, caller })
    }

    /// Decodes and validates a query's parameters, then authenticates the caller of `nsid`.
    pub async fn query<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        query: Option<&str>,
        nsid: &str,
        kinds: &[(&str, placehook_lexrt::ParamKind)],
        validate: fn(&serde_json::Value) -> placehook_lexrt::VResult,
    ) -> Result<(T, Caller), XrpcError> {
        let params = crate::xrpc::request::decode_params(query, kinds, validate)?;
        let caller = self.caller(headers, nsid).await?;
        Ok((params, caller))
    }
}
