//! One extractor for every served method: [`Xrpc<M>`] decodes, validates and
//! authenticates a call of `M` from the method's generated [`XrpcMethod`] parts.
//!
//! Order matches the reference XRPC server: params, then input, then authentication, so a
//! malformed request is a 400 whoever sends it.

use super::{request, DeclaredStatus, XrpcError};
use crate::api::caller::Access;
use crate::state::AppState;
use axum::extract::{FromRequest, MatchedPath, Request};
use axum::Json;
use placehook_lexrt::{VResult, XrpcKind, XrpcMethod};
use serde_json::Value;

/// A lexicon method this server serves: the generated [`XrpcMethod`], plus who may call
/// it and any checks of its input beyond the lexicon's. Every declared error needs a
/// status ([`DeclaredStatus`]).
pub trait ServedMethod: XrpcMethod<Error: DeclaredStatus> {
    /// Who may call it: `Public`, `Account` or `Producer` (see [`Access`]).
    type Access: Access;

    /// Validates the input as sent; the lexicon's checks unless the method adds its own.
    fn check_input(value: &Value) -> VResult {
        Self::validate_input(value)
    }
}

/// A call of `M`: its parameters and input, decoded and validated, and who made it.
pub struct Xrpc<M: ServedMethod> {
    /// The typed parameters (`rt::Empty` when the method declares none).
    pub params: M::Params,
    /// The typed input (`rt::Empty` for queries).
    pub input: M::Input,
    /// The input as sent (partial updates need to know which fields were present);
    /// `null` for queries.
    pub raw: Value,
    /// The caller, as `M`'s access requires (`()` for public methods).
    pub caller: <M::Access as Access>::Caller,
}

/// What a handler of `M` answers: its output as JSON, or an XRPC error.
pub type Reply<M> = Result<Json<<M as XrpcMethod>::Output>, XrpcError>;

impl<M: ServedMethod> FromRequest<AppState> for Xrpc<M> {
    type Rejection = XrpcError;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, XrpcError> {
        let (parts, body) = req.into_parts();
        debug_assert!(
            parts
                .extensions
                .get::<MatchedPath>()
                .is_none_or(|p| p.as_str() == M::PATH),
            "Xrpc<{}> extracted on another method's route",
            M::NSID
        );
        let params = request::decode_params(parts.uri.query(), M::PARAMS, M::validate_params)?;
        let (input, raw) = match (M::KIND, M::INPUT_ENCODING) {
            (XrpcKind::Procedure, Some(encoding)) => {
                let limit = s.config.max_body_bytes;
                request::decode_input(&parts.headers, body, limit, encoding, M::check_input).await?
            }
            // No body is read: `M::Input` is `rt::Empty`, which decodes from anything.
            _ => (
                serde_json::from_value(Value::Null).map_err(|e| XrpcError::internal(&e))?,
                Value::Null,
            ),
        };
        let caller = M::Access::authenticate(s, &parts.headers, M::NSID).await?;
        Ok(Xrpc {
            params,
            input,
            raw,
            caller,
        })
    }
}
