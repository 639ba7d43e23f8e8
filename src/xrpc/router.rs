//! Routes, built from the generated method types: each served method's path, HTTP method
//! and extractor come from its lexicon, never from a hand-typed string.

use super::{deadline, layers, ServedMethod, Xrpc, XrpcError};
use crate::api::{describe, owner, push, webhooks, well_known};
use crate::lexicon::dev::placehook::{
    describe_server::DescribeServer, list_deliveries::ListDeliveries, push_event::PushEvent,
    redeliver::Redeliver, rotate_secret::RotateSecret, test_webhook::TestWebhook,
};
use crate::lexicon::place::stream::server::{
    create_webhook::CreateWebhook, delete_webhook::DeleteWebhook, get_webhook::GetWebhook,
    list_webhooks::ListWebhooks, update_webhook::UpdateWebhook,
};
use crate::lexicon::METHODS;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::{Json, Router};
use placehook_lexrt::XrpcKind;

/// The service's router.
pub fn router(state: AppState) -> Router {
    let body_timeout = state.config.body_read_timeout;
    Router::new()
        .route("/xrpc/_health", only(get(health), "GET"))
        .xrpc(CreateWebhook, webhooks::create)
        .xrpc(UpdateWebhook, webhooks::update)
        .xrpc(DeleteWebhook, webhooks::delete)
        .xrpc(GetWebhook, webhooks::get)
        .xrpc(ListWebhooks, webhooks::list)
        .xrpc(PushEvent, push::push)
        .xrpc(RotateSecret, owner::rotate)
        .xrpc(Redeliver, owner::redeliver)
        .xrpc(TestWebhook, owner::test)
        .xrpc(ListDeliveries, owner::list)
        .xrpc(DescribeServer, describe::describe)
        .route("/xrpc/{nsid}", any(unimplemented))
        // Public data, which in-browser clients may resolve like any did:web.
        .route("/.well-known/did.json", get(well_known::did_document))
        // Only the routes above answer cross-origin requests.
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

/// Routing a served method to its handler.
pub trait XrpcRoutes {
    /// Serves `M` at `M::PATH` with `handler`: `GET` for a query, `POST` for a procedure,
    /// and a 400 naming the right one for any other HTTP method. The handler must take
    /// `(State<AppState>, Xrpc<M>)`, so a method cannot be routed to another's handler.
    fn xrpc<M, Mk, H>(self, method: M, handler: H) -> Self
    where
        M: ServedMethod,
        Mk: 'static,
        H: Handler<(Mk, State<AppState>, Xrpc<M>), AppState>;
}

impl XrpcRoutes for Router<AppState> {
    fn xrpc<M, Mk, H>(self, _: M, handler: H) -> Self
    where
        M: ServedMethod,
        Mk: 'static,
        H: Handler<(Mk, State<AppState>, Xrpc<M>), AppState>,
    {
        let route = match M::KIND {
            XrpcKind::Procedure => only(post(handler), "POST"),
            // `XrpcMethod` is only generated for queries and procedures.
            XrpcKind::Query | XrpcKind::Subscription => only(get(handler), "GET"),
        };
        self.route(M::PATH, route)
    }
}

/// Answers any other HTTP method than `expected` with a 400 that names it.
fn only(r: MethodRouter<AppState>, expected: &'static str) -> MethodRouter<AppState> {
    r.fallback(move |uri: Uri| async move { wrong_method(&uri, expected) })
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
