//! `dev.placehook.describeServer` and `GET /metrics`.

use crate::events::EventKind;
use crate::lexicon::dev::placehook::defs::{EventType, RetryPolicy};
use crate::lexicon::dev::placehook::describe_server;
use crate::state::AppState;
use crate::xrpc::request::decode_params;
use crate::xrpc::XrpcError;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

/// `dev.placehook.describeServer` (no authentication: it describes public limits).
pub async fn describe(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<describe_server::Output>, XrpcError> {
    let _: serde_json::Value = decode_params(
        q.as_deref(),
        describe_server::PARAMS,
        describe_server::validate_params,
    )?;
    let d = &s.config.delivery;
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    Ok(Json(describe_server::Output {
        version: env!("CARGO_PKG_VERSION").to_string(),
        did: Some(s.config.service_did.clone()),
        event_types: EventKind::ALL
            .iter()
            .map(|k| EventType::from(k.as_str()))
            .collect(),
        max_webhooks_per_owner: i64::from(s.config.max_webhooks_per_owner),
        max_payload_bytes: Some(d.max_payload_bytes as i64),
        request_timeout_ms: Some(i64::try_from(d.delivery_timeout.as_millis()).unwrap_or(i64::MAX)),
        retry_policy: RetryPolicy {
            schedule_seconds: d.retry_schedule.0.iter().map(|s| secs(*s)).collect(),
            max_attempts: d.retry_schedule.0.len() as i64 + 1,
            max_age_seconds: secs(d.retry_max_age),
            jitter_percent: i64::from(d.retry_jitter_percent),
            max_retry_after_seconds: Some(secs(d.max_retry_after)),
            disable_after_failures: Some(i64::from(d.disable_after_failures)),
            disable_after_seconds: Some(secs(d.disable_after)),
            type_: None,
            extra: Default::default(),
        },
        signature_scheme: describe_server::OutputSignatureScheme::from("standard-webhooks-v1"),
        type_: None,
        extra: Default::default(),
    }))
}

/// `GET /metrics` (Prometheus text format).
pub async fn metrics(State(s): State<AppState>) -> Result<impl IntoResponse, XrpcError> {
    let (queued, disabled) = s.store.queue_stats().await?;
    // Read apart: a delivery taken just now may not be counted as queued yet.
    let inflight = s.dispatcher.in_flight().clamp(0, queued);
    let pending = queued - inflight;
    let body = s.metrics.render(pending, inflight, disabled);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    ))
}
