//! `dev.placehook.describeServer` and `GET /metrics`.

use crate::api::caller::Public;
use crate::events::EventKind;
use crate::lexicon::dev::placehook::defs::{EventType, RetryPolicy};
use crate::lexicon::dev::placehook::describe_server::{self, DescribeServer};
use crate::state::AppState;
use crate::xrpc::{Reply, ServedMethod, Xrpc, XrpcError};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

/// No authentication: it describes public limits.
impl ServedMethod for DescribeServer {
    type Access = Public;
}

/// `dev.placehook.describeServer`
pub async fn describe(State(s): State<AppState>, _: Xrpc<DescribeServer>) -> Reply<DescribeServer> {
    let d = &s.config.delivery;
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let schedule_seconds: Vec<i64> = d.retry_schedule.0.iter().map(|s| secs(*s)).collect();
    let max_attempts = d.retry_schedule.0.len() as i64 + 1;
    let max_age_seconds = secs(d.retry_max_age);
    let jitter_percent = i64::from(d.retry_jitter_percent);
    let retry_policy = RetryPolicy {
        max_retry_after_seconds: Some(secs(d.max_retry_after)),
        disable_after_failures: Some(i64::from(d.disable_after_failures)),
        disable_after_seconds: Some(secs(d.disable_after)),
        ..RetryPolicy::new(
            schedule_seconds,
            max_attempts,
            max_age_seconds,
            jitter_percent,
        )
    };
    let event_types = EventKind::ALL
        .iter()
        .map(|k| EventType::from(k.as_str()))
        .collect();
    Ok(Json(describe_server::Output {
        did: Some(s.identity.did().to_string()),
        service_ids: Some(crate::service_did::service_fragments()),
        max_payload_bytes: Some(d.max_payload_bytes as i64),
        request_timeout_ms: Some(i64::try_from(d.delivery_timeout.as_millis()).unwrap_or(i64::MAX)),
        ..describe_server::Output::new(
            env!("CARGO_PKG_VERSION").to_string(),
            event_types,
            i64::from(s.config.max_webhooks_per_owner),
            retry_policy,
            describe_server::OutputSignatureScheme::from("standard-webhooks-v1"),
        )
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
