//! One attempt of one delivery, in stages: render, sign, post, decide. Each stage is a
//! method of its own; [`Attempter::attempt`] runs them in order.

use super::http::Sender;
use super::retry::{decide, Answer, Decision};
use super::DeliveryConfig;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::model::{AttemptLog, Claimed, Outcome};
use crate::profile::{Profile, ProfileResolver};
use crate::render::{render, Rendered};
use crate::signing::{secret_key, signature_header};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::Semaphore;

/// What making attempts needs; one per dispatcher.
pub(super) struct Attempter {
    pub clock: Arc<dyn Clock>,
    pub sender: Sender,
    pub resolver: Arc<dyn ProfileResolver>,
    pub config: DeliveryConfig,
    pub metrics: Metrics,
    /// Requests in flight, across all webhooks.
    pub permits: Semaphore,
}

/// What the post stage brought back.
struct Posted {
    answer: Answer,
    log: AttemptLog,
    /// How long the lane should wait before its next request (Discord's bucket is empty).
    pause: Option<Duration>,
}

impl Attempter {
    /// Makes one attempt of `claimed`. Returns the outcome to record and how long the lane
    /// should pause before its next request.
    pub async fn attempt(&self, claimed: &Claimed) -> (Outcome, Option<Duration>) {
        if !claimed.endpoint.webhook.settings.active && !claimed.force {
            return (Outcome::Skipped, None);
        }
        let author = self.author(claimed).await;
        let started_at = self.clock.now();
        let body = match self.render(claimed, &author) {
            Ok(Some(body)) => body,
            Ok(None) => return (Outcome::Muted, None),
            Err(error) => return (failed(started_at, error), None),
        };
        let headers = self.sign(claimed, &body);
        let posted = self.post(claimed, headers, body, started_at).await;
        let pause = posted.pause;
        (self.decide(claimed, posted), pause)
    }

    /// The event's author (the subject for events without one), or just the DID when the
    /// look-up takes too long.
    async fn author(&self, claimed: &Claimed) -> Profile {
        let event = &claimed.event;
        let did = event.author.as_deref().unwrap_or(&event.subject);
        tokio::time::timeout(self.config.resolve_timeout, self.resolver.resolve(did))
            .await
            .unwrap_or_else(|_| Profile::did_only(did))
    }

    /// The body to post, or `None` when nothing is to be sent (muted).
    fn render(&self, claimed: &Claimed, author: &Profile) -> Result<Option<Vec<u8>>, String> {
        // Rendering is pure and bounded; should it still panic, the delivery fails with a
        // clear error instead of taking the lane down and panicking again at every start.
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            render(&claimed.event, &claimed.endpoint.webhook.settings, author)
        }));
        let payload = match rendered {
            Ok(Ok(Rendered::Send(p))) => p,
            Ok(Ok(Rendered::Muted)) => return Ok(None),
            Ok(Err(e)) => return Err(format!("cannot render the event: {e}")),
            Err(_) => return Err("rendering the event panicked (a bug; please report it)".into()),
        };
        let body =
            serde_json::to_vec(&payload).map_err(|e| format!("cannot encode the payload: {e}"))?;
        let max = self.config.max_payload_bytes;
        if body.len() > max {
            return Err(format!(
                "payload of {} bytes is over the {max} byte limit",
                body.len()
            ));
        }
        Ok(Some(body))
    }

    /// Standard Webhooks headers: `webhook-id` (receivers dedupe on it) and
    /// `webhook-timestamp` always, `webhook-signature` when the webhook has secrets.
    fn sign(&self, claimed: &Claimed, body: &[u8]) -> Vec<(&'static str, String)> {
        let ts = self.clock.now().unix_timestamp();
        let mut headers = vec![
            ("webhook-id", claimed.id.clone()),
            ("webhook-timestamp", ts.to_string()),
        ];
        let secrets = &claimed.endpoint.secrets;
        if !secrets.is_empty() {
            let keys: Vec<Vec<u8>> = secrets.iter().filter_map(|s| secret_key(s).ok()).collect();
            headers.push((
                "webhook-signature",
                signature_header(&keys, &claimed.id, ts, body),
            ));
        }
        headers
    }

    /// Posts the body under the global cap on requests in flight.
    async fn post(
        &self,
        claimed: &Claimed,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
        started_at: OffsetDateTime,
    ) -> Posted {
        let _permit = self.permits.acquire().await.ok();
        let sent = self
            .sender
            .post(&claimed.endpoint.webhook.settings.url, &headers, body)
            .await;
        match sent {
            Ok(res) => {
                self.metrics.attempt_latency(res.elapsed);
                let ok = (200..300).contains(&res.status);
                let log = AttemptLog {
                    started_at: Some(started_at),
                    duration_ms: i64::try_from(res.elapsed.as_millis()).unwrap_or(i64::MAX),
                    status_code: Some(res.status),
                    error: (!ok).then(|| format!("HTTP {}", res.status)),
                    response_body: (!res.body.is_empty()).then(|| res.body.clone()),
                };
                Posted {
                    answer: Answer::Status {
                        code: res.status,
                        retry_after: res.retry_after,
                    },
                    log,
                    pause: res.pause,
                }
            }
            Err(error) => {
                let elapsed = self.clock.now() - started_at;
                let log = AttemptLog {
                    started_at: Some(started_at),
                    duration_ms: elapsed.whole_milliseconds().clamp(0, i64::MAX as i128) as i64,
                    error: Some(error),
                    ..AttemptLog::default()
                };
                Posted {
                    answer: Answer::NoResponse,
                    log,
                    pause: None,
                }
            }
        }
    }

    /// What the answer means for the delivery: done, retry when, or give up.
    fn decide(&self, claimed: &Claimed, posted: Posted) -> Outcome {
        let Posted {
            answer, mut log, ..
        } = posted;
        let age = Duration::from_millis(
            u64::try_from(self.clock.now_ms() - claimed.created_ms).unwrap_or(0),
        );
        let decision = decide(
            &self.config.retry,
            claimed.attempt,
            age,
            &answer,
            rand::random::<f64>(),
        );
        match decision {
            Decision::Success => Outcome::Succeeded(log),
            Decision::Gone => Outcome::Failed {
                log,
                disable: Some("the endpoint answered 410 Gone".into()),
            },
            Decision::Retry { after, failure } => Outcome::Retry {
                next_ms: self.clock.now_ms()
                    + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2),
                log,
                failure,
            },
            Decision::GiveUp => {
                let why = log.error.take().unwrap_or_default();
                log.error = Some(format!("{why}; no attempts left"));
                Outcome::Failed { log, disable: None }
            }
        }
    }
}

/// A delivery that cannot be sent at all: failed at once, with why.
fn failed(started_at: OffsetDateTime, error: String) -> Outcome {
    let log = AttemptLog {
        started_at: Some(started_at),
        error: Some(error),
        ..AttemptLog::default()
    };
    Outcome::Failed { log, disable: None }
}
