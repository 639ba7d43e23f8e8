//! One attempt of one claimed delivery: render, sign, send, decide, record.

use super::dispatcher::Inner;
use super::retry::{decide, Answer, Decision};
use crate::model::{AttemptLog, Claimed, Outcome};
use crate::profile::Profile;
use crate::render::{render, Rendered};
use crate::signing::{secret_key, signature_header};
use std::time::Duration;

/// Makes one attempt: render, sign, send, decide. Returns the outcome to record and how
/// long the lane should pause before its next request (Discord's bucket is empty).
pub(super) async fn attempt(inner: &Inner, claimed: &Claimed) -> (Outcome, Option<Duration>) {
    let webhook = &claimed.endpoint.webhook;
    if !webhook.active && !claimed.force {
        return (Outcome::Skipped, None);
    }
    let author_did = claimed
        .event
        .author
        .as_deref()
        .unwrap_or(&claimed.event.subject);
    let author = match tokio::time::timeout(
        inner.config.resolve_timeout,
        inner.resolver.resolve(author_did),
    )
    .await
    {
        Ok(p) => p,
        Err(_) => Profile::did_only(author_did),
    };
    let started_at = inner.clock.now();
    let failed = |error: String| {
        let log = AttemptLog {
            started_at: Some(started_at),
            error: Some(error),
            ..AttemptLog::default()
        };
        (Outcome::Failed { log, disable: None }, None)
    };
    // Rendering is pure and bounded; should it still panic, the delivery fails with a
    // clear error instead of taking the lane down and panicking again at every start.
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        render(&claimed.event, webhook, &author)
    }));
    let payload = match rendered {
        Ok(Ok(Rendered::Send(p))) => p,
        Ok(Ok(Rendered::Muted)) => return (Outcome::Muted, None),
        Ok(Err(e)) => return failed(format!("cannot render the event: {e}")),
        Err(_) => return failed("rendering the event panicked (a bug; please report it)".into()),
    };
    let body = match serde_json::to_vec(&payload) {
        Ok(b) => b,
        Err(e) => return failed(format!("cannot encode the payload: {e}")),
    };
    if body.len() > inner.config.max_payload_bytes {
        return failed(format!(
            "payload of {} bytes is over the {} byte limit",
            body.len(),
            inner.config.max_payload_bytes
        ));
    }
    let headers = sign_headers(inner, claimed, &body);
    let _permit = inner.permits.acquire().await.ok();
    let sent = inner.sender.post(&webhook.url, &headers, body).await;
    let elapsed = inner.clock.now() - started_at;
    let (answer, mut log, pause) = match sent {
        Ok(res) => {
            inner.metrics.attempt_latency(res.elapsed);
            let log = AttemptLog {
                started_at: Some(started_at),
                duration_ms: i64::try_from(res.elapsed.as_millis()).unwrap_or(i64::MAX),
                status_code: Some(res.status),
                error: (!(200..300).contains(&res.status)).then(|| format!("HTTP {}", res.status)),
                response_body: (!res.body.is_empty()).then(|| res.body.clone()),
            };
            (
                Answer::Status {
                    code: res.status,
                    retry_after: res.retry_after,
                },
                log,
                res.pause,
            )
        }
        Err(error) => {
            let log = AttemptLog {
                started_at: Some(started_at),
                duration_ms: elapsed.whole_milliseconds().clamp(0, i64::MAX as i128) as i64,
                error: Some(error),
                ..AttemptLog::default()
            };
            (Answer::NoResponse, log, None)
        }
    };
    let age = Duration::from_millis(
        u64::try_from(inner.clock.now_ms() - claimed.created_ms).unwrap_or(0),
    );
    let outcome = match decide(
        &inner.config.retry,
        claimed.attempt,
        age,
        &answer,
        rand::random::<f64>(),
    ) {
        Decision::Success => Outcome::Succeeded(log),
        Decision::Gone => Outcome::Failed {
            log,
            disable: Some("the endpoint answered 410 Gone".into()),
        },
        Decision::Retry { after, failure } => Outcome::Retry {
            next_ms: inner.clock.now_ms()
                + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2),
            log,
            failure,
        },
        Decision::GiveUp => {
            let why = log.error.take().unwrap_or_default();
            log.error = Some(format!("{why}; no attempts left"));
            Outcome::Failed { log, disable: None }
        }
    };
    (outcome, pause)
}

/// Standard Webhooks headers: `webhook-id` (receivers dedupe on it) and
/// `webhook-timestamp` always, `webhook-signature` when the webhook has secrets.
fn sign_headers(inner: &Inner, claimed: &Claimed, body: &[u8]) -> Vec<(&'static str, String)> {
    let ts = inner.clock.now().unix_timestamp();
    let mut headers = vec![
        ("webhook-id", claimed.id.clone()),
        ("webhook-timestamp", ts.to_string()),
    ];
    if !claimed.endpoint.secrets.is_empty() {
        let keys: Vec<Vec<u8>> = claimed
            .endpoint
            .secrets
            .iter()
            .filter_map(|s| secret_key(s).ok())
            .collect();
        headers.push((
            "webhook-signature",
            signature_header(&keys, &claimed.id, ts, body),
        ));
    }
    headers
}
