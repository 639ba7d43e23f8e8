//! Request and response policies around every route: CORS, a body deadline, XRPC bodies
//! on every error, and how loudly a failed request is logged.

use super::XrpcError;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::time::Duration;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::cors::{Any, CorsLayer};
use tracing::{Level, Span};

/// XRPC is called from browsers too (the official clients run there), so `/xrpc/*`
/// answers CORS preflights for any origin. Never with credentials: a cross-origin request
/// can carry a bearer token it was given, never this site's cookies.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            HeaderName::from_static("atproto-proxy"),
            HeaderName::from_static("atproto-accept-labelers"),
        ])
        .max_age(Duration::from_secs(24 * 60 * 60))
}

/// Gives any error response that is not already an XRPC body one (axum's own rejections,
/// such as 405 or an undecodable path, come with an empty or plain-text body), keeping
/// its status and other headers. hyper's parse-error answers rely on this: no 400, 414 or
/// 431 the service writes has an empty body (see `server::parse_errors`).
pub async fn xrpc_error_bodies(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(res.headers()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let message = match plain_text(&parts.headers, body).await {
        Some(text) => text,
        None => status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase(),
    };
    let mut fresh = XrpcError::for_status(status, message).into_response();
    for name in parts.headers.keys() {
        if name == CONTENT_TYPE || name == CONTENT_LENGTH || fresh.headers().contains_key(name) {
            continue;
        }
        for value in parts.headers.get_all(name) {
            fresh.headers_mut().append(name, value.clone());
        }
    }
    fresh
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// A short plain-text body, to become the error's message.
async fn plain_text(headers: &HeaderMap, body: Body) -> Option<String> {
    let ct = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    if !ct.starts_with("text/plain") {
        return None;
    }
    let bytes = http_body_util::Limited::new(body, 1024)
        .collect()
        .await
        .ok()?
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// How loudly a failed request (a 5xx) is logged: errors only for the server's own
/// faults. 501 is a caller asking for a method this server does not have, so anyone could
/// fill the log with it; 503 is a busy database, already retried by the caller.
pub fn failure_level(class: &ServerErrorsFailureClass) -> Level {
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::NOT_IMPLEMENTED) => Level::DEBUG,
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => Level::WARN,
        ServerErrorsFailureClass::StatusCode(s) if !s.is_server_error() => Level::DEBUG,
        ServerErrorsFailureClass::StatusCode(_) | ServerErrorsFailureClass::Error(_) => {
            Level::ERROR
        }
    }
}

/// `TraceLayer`'s failure callback, at [`failure_level`].
pub fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _: &Span) {
    match failure_level(&class) {
        Level::ERROR => tracing::error!(classification = %class, ?latency, "response failed"),
        Level::WARN => tracing::warn!(classification = %class, ?latency, "response failed"),
        _ => tracing::debug!(classification = %class, ?latency, "response failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_faults_are_errors() {
        let status =
            |s: u16| ServerErrorsFailureClass::StatusCode(StatusCode::from_u16(s).unwrap());
        assert_eq!(failure_level(&status(501)), Level::DEBUG);
        assert_eq!(failure_level(&status(404)), Level::DEBUG);
        assert_eq!(failure_level(&status(400)), Level::DEBUG);
        assert_eq!(failure_level(&status(503)), Level::WARN);
        assert_eq!(failure_level(&status(500)), Level::ERROR);
        assert_eq!(failure_level(&status(502)), Level::ERROR);
        let err = ServerErrorsFailureClass::Error("body stream failed".into());
        assert_eq!(failure_level(&err), Level::ERROR);
    }

    #[tokio::test]
    async fn error_bodies_become_xrpc_and_keep_their_headers() {
        let res = Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header("allow", "GET,HEAD")
            .body(Body::empty())
            .unwrap();
        let res = xrpc_error_bodies(res).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers()["allow"], "GET,HEAD");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "MethodNotAllowed");
        assert_eq!(body["message"], "method not allowed");

        let res = Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .header(CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("Invalid URL: Invalid UTF-8 in `nsid`"))
            .unwrap();
        let res = xrpc_error_bodies(res).await;
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "InvalidRequest");
        assert_eq!(body["message"], "Invalid URL: Invalid UTF-8 in `nsid`");
    }
}
