//! The one XRPC error type: `{status, error, message}`, rendered as the XRPC body.
//!
//! Every domain error maps into it here, in one place, so handlers return typed errors and
//! never build responses by hand. Internal details (SQL, I/O) are logged, never sent.

use crate::auth::AuthError;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use placehook_lexrt::{MethodError, ValidationError, XrpcErrorBody};
use std::borrow::Cow;

/// An XRPC error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrpcError {
    /// HTTP status.
    pub status: StatusCode,
    /// XRPC error name (a lexicon-declared name where one fits).
    pub error: Cow<'static, str>,
    /// Human-readable message.
    pub message: String,
}

impl XrpcError {
    /// An error with a status, name and message.
    pub fn new(
        status: StatusCode,
        error: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        XrpcError {
            status,
            error: error.into(),
            message: message.into(),
        }
    }

    /// 400 `InvalidRequest`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }

    /// 401 `AuthenticationRequired`.
    pub fn auth_required(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AuthenticationRequired", message)
    }

    /// 403 `Forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 404 `WebhookNotFound`, identical for a missing id and another owner's id.
    pub fn webhook_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "WebhookNotFound",
            "webhook not found",
        )
    }

    /// 413 `PayloadTooLarge`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            format!("request body is larger than {limit} bytes"),
        )
    }

    /// 408 `RequestTimeout`: the body did not arrive within `limit`.
    pub fn body_timeout(limit: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            format!(
                "the request body did not arrive within {}",
                humantime::format_duration(limit)
            ),
        )
    }

    /// An error for an answer given by status alone (by the HTTP layer, not a handler),
    /// with the usual XRPC name for that status.
    pub fn for_status(status: StatusCode, message: impl Into<String>) -> Self {
        let name = match status.as_u16() {
            401 => "AuthenticationRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            408 => "RequestTimeout",
            413 => "PayloadTooLarge",
            414 => "UriTooLong",
            429 => "RateLimitExceeded",
            431 => "HeadersTooLarge",
            501 => "MethodNotImplemented",
            503 => "ServiceUnavailable",
            500.. => "InternalServerError",
            _ => "InvalidRequest",
        };
        Self::new(status, name, message)
    }

    /// The JSON body `{"error", "message"}`.
    pub fn body_bytes(&self) -> Vec<u8> {
        let body = XrpcErrorBody {
            error: &self.error,
            message: Some(&self.message),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// 501 `MethodNotImplemented`.
    pub fn not_implemented(nsid: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "MethodNotImplemented",
            format!("method {nsid} is not implemented by this server"),
        )
    }

    /// 500 `InternalServerError`; the cause is logged here and not sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "internal server error",
        )
    }

    /// A lexicon-declared error of a method, with the status that fits it.
    pub fn declared(status: StatusCode, name: &'static str, message: impl Into<String>) -> Self {
        Self::new(status, name, message)
    }
}

/// A method's generated error enum, with the HTTP status each of its variants is sent
/// with (chosen by variant in `api::errors`, never by name), so that handlers return the
/// lexicon's errors with `?`.
pub trait DeclaredStatus: MethodError {
    /// The status this error is sent with.
    fn status(&self) -> StatusCode;
}

impl<E: DeclaredStatus> From<E> for XrpcError {
    /// The declared name, and its message (the name again when it has none).
    fn from(e: E) -> Self {
        let message = e.message().unwrap_or(e.name()).to_string();
        XrpcError::new(e.status(), e.name(), message)
    }
}

impl From<ValidationError> for XrpcError {
    fn from(e: ValidationError) -> Self {
        XrpcError::invalid_request(format!("{}: {}", e.path, e.message))
    }
}

impl From<StoreError> for XrpcError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::TooManyWebhooks => XrpcError::declared(
                StatusCode::BAD_REQUEST,
                "TooManyWebhooks",
                "this account has reached its webhook limit",
            ),
            StoreError::DuplicateWebhook => XrpcError::declared(
                StatusCode::BAD_REQUEST,
                "DuplicateWebhook",
                "a webhook with this URL already receives one of these events",
            ),
            StoreError::WebhookNotFound => XrpcError::webhook_not_found(),
            StoreError::InvalidCursor => XrpcError::declared(
                StatusCode::BAD_REQUEST,
                "InvalidCursor",
                "the cursor is malformed or belongs to another query",
            ),
            StoreError::Busy => XrpcError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the database is busy; retry shortly",
            ),
            other => XrpcError::internal(&other),
        }
    }
}

impl From<AuthError> for XrpcError {
    /// 401 with the reference implementation's error name for the rejection
    /// (`BadJwtSignature`, `JwtExpired`, ...) and our own message.
    fn from(e: AuthError) -> Self {
        XrpcError::new(StatusCode::UNAUTHORIZED, e.xrpc_error(), e.to_string())
    }
}

impl IntoResponse for XrpcError {
    fn into_response(self) -> Response {
        let body = XrpcErrorBody {
            error: &self.error,
            message: Some(&self.message),
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="placehook""#),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_error_has_its_status_and_name() {
        let table = [
            (StoreError::TooManyWebhooks, 400, "TooManyWebhooks"),
            (StoreError::DuplicateWebhook, 400, "DuplicateWebhook"),
            (StoreError::WebhookNotFound, 404, "WebhookNotFound"),
            (StoreError::InvalidCursor, 400, "InvalidCursor"),
            (StoreError::Busy, 503, "ServiceUnavailable"),
        ];
        for (e, status, name) in table {
            let x = XrpcError::from(e);
            assert_eq!((x.status.as_u16(), x.error.as_ref()), (status, name));
        }
    }

    #[test]
    fn bare_statuses_get_their_xrpc_names() {
        let table = [
            (400, "InvalidRequest"),
            (405, "MethodNotAllowed"),
            (408, "RequestTimeout"),
            (414, "UriTooLong"),
            (415, "InvalidRequest"),
            (431, "HeadersTooLarge"),
            (500, "InternalServerError"),
            (502, "InternalServerError"),
            (501, "MethodNotImplemented"),
        ];
        for (status, name) in table {
            let x = XrpcError::for_status(StatusCode::from_u16(status).unwrap(), "m");
            assert_eq!(x.error, name, "{status}");
            let body: serde_json::Value = serde_json::from_slice(&x.body_bytes()).unwrap();
            assert_eq!(body, serde_json::json!({"error": name, "message": "m"}));
        }
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let x = XrpcError::internal(&"UNIQUE constraint failed: webhooks.id");
        assert_eq!(x.message, "internal server error");
        assert!(!x.message.contains("UNIQUE"));
    }
}
