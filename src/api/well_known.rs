//! `GET /.well-known/did.json`: the service's DID document, which a PDS fetches to find
//! where to proxy `atproto-proxy: did:web:<host>#placehook` calls.

use crate::state::AppState;
use crate::xrpc::XrpcError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// The DID document, or 404 when the service DID is not a did:web of the public URL (the
/// reason was logged at start; the answer does not repeat the configuration).
pub async fn did_document(State(s): State<AppState>) -> Result<Json<serde_json::Value>, XrpcError> {
    match s.identity.document() {
        Some(doc) => Ok(Json(doc.clone())),
        None => Err(XrpcError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "this server publishes no DID document: its service DID is not a did:web of its \
             public URL",
        )),
    }
}
