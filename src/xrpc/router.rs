//! Routes, built from the generated method constants.

use super::{deadline, layers, XrpcError};
use crate::api::{describe, owner, push, webhooks};
use crate::lexicon::dev::placehook as ph;
use crate::lexicon::place::stream::server as srv;
use crate::lexicon::METHODS;
use crate::state::AppState;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::{Json, Router};
use placehook_lexrt::XrpcKind;

/// The service's router.
pub fn router(state: AppState) -> Router {
    let body_timeout = state.config.body_read_timeout;
    Router::new()
        .route("/xrpc/_health", query(get(health)))
        .route(
            &path(srv::create_webhook::NSID),
            procedure(post(webhooks::create)),
        )
        .route(
            &path(srv::update_webhook::NSID),
            procedure(post(webhooks::update)),
        )
        .route(
            &path(srv::delete_webhook::NSID),
            procedure(post(webhooks::delete)),
        )
        .route(&path(srv::get_webhook::NSID), query(get(webhooks::get)))
        .route(&path(srv::list_webhooks::NSID), query(get(webhooks::list)))
        .route(&path(ph::push_event::NSID), procedure(post(push::push)))
        .route(
            &path(ph::rotate_secret::NSID),
            procedure(post(owner::rotate)),
        )
        .route(
            &path(ph::redeliver::NSID),
            procedure(post(owner::redeliver)),
        )
        .route(&path(ph::test_webhook::NSID), procedure(post(owner::test)))
        .route(&path(ph::list_deliveries::NSID), query(get(owner::list)))
        .route(
            &path(ph::describe_server::NSID),
            query(get(describe::describe)),
        )
        .route("/xrpc/{nsid}", any(unimplemented))
        // Only the XRPC routes above answer cross-origin requests.
        .layer(layers::cors())
        .route("/metrics", get(describe::metrics))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::map_response(layers::xrpc_error_bodies))
        .layer(tower::util::MapRequestLayer::new(move |req| {
            deadline::with_body_deadline(req, body_timeout)
        }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(tower_http::trace::TraceLayer::new_for_http().on_failure(layers::log_failure))
}

fn path(nsid: &str) -> String {
    format!("/xrpc/{nsid}")
}

fn procedure(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|uri: Uri| async move { wrong_method(&uri, "POST") })
}

fn query(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|uri: Uri| async move { wrong_method(&uri, "GET") })
}

fn wrong_method(uri: &Uri, expected: &str) -> XrpcError {
    let nsid = uri.path().trim_start_matches("/xrpc/");
    XrpcError::invalid_request(format!("{nsid} must be called with {expected}"))
}

/// `GET /xrpc/_health`
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }))
}

/// Any other NSID: declared by a lexicon we ship but not served here, or unknown.
async fn unimplemented(Path(nsid): Path<String>) -> XrpcError {
    let known = METHODS
        .iter()
        .any(|(n, k)| *n == nsid && *k != XrpcKind::Subscription);
    if known {
        tracing::debug!(%nsid, "lexicon method without a handler");
    }
    XrpcError::not_implemented(&nsid)
}

async fn not_found() -> XrpcError {
    XrpcError::new(StatusCode::NOT_FOUND, "NotFound", "not found")
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    XrpcError::internal(&"handler panicked").into_response()
}
