//! Claiming and settling deliveries in batches: one transaction records the outcomes of
//! many lanes' attempts and claims each lane's next delivery, with a handful of
//! statements whatever the batch size (rows travel as JSON arrays through `json_each`).
//! The single writer connection is the service's bottleneck; this keeps its work per
//! delivery small.

use serde_json::{json, Value};
use std::collections::HashMap;
use time::OffsetDateTime;

use super::row::{webhook_columns, WebhookRow};
use super::{datetime, Store, StoreError};
use crate::events::{Event, EventKind};
use crate::lexicon::place::stream::server::defs::Webhook;

/// A delivery claimed for sending, with everything needed to render and sign it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Row key.
    pub seq: i64,
    /// The stable delivery id (`webhook-id`).
    pub id: String,
    /// The attempt about to be made (1 for the first).
    pub attempt: i64,
    /// Sent even though the webhook is inactive (test sends).
    pub force: bool,
    /// When the delivery was queued, Unix ms.
    pub created_ms: i64,
    /// The event.
    pub event: Event,
    /// The webhook as it is now.
    pub webhook: Webhook,
    /// Its signing secrets at claim time, newest first (none: unsigned).
    pub secrets: Vec<String>,
}

/// How an attempt went.
#[derive(Debug, Clone, Default)]
pub struct AttemptLog {
    /// When it started.
    pub started_at: Option<OffsetDateTime>,
    /// How long it took.
    pub duration_ms: i64,
    /// HTTP status, if a response came.
    pub status_code: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
    /// Start of the response body.
    pub response_body: Option<String>,
}

/// What to do with a claimed delivery after its attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A 2xx: done; the webhook's failure run ends.
    Succeeded(AttemptLog),
    /// A mute word matched: done, nothing was sent (counts as success).
    Muted,
    /// The webhook was inactive when its turn came: done, nothing was sent.
    Skipped,
    /// Try again at `next_ms`. `failure` says whether it counts towards `errorCount`
    /// (a rate-limit answer does not).
    Retry {
        /// The attempt.
        log: AttemptLog,
        /// When to try next, Unix ms.
        next_ms: i64,
        /// Counts as a consecutive failure.
        failure: bool,
    },
    /// No more attempts. With `disable`, the webhook is switched off for that reason.
    Failed {
        /// The attempt.
        log: AttemptLog,
        /// Why the webhook is switched off at once (e.g. 410 Gone).
        disable: Option<String>,
    },
}

impl Outcome {
    /// The outcome's name in metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Succeeded(_) => "succeeded",
            Outcome::Muted => "muted",
            Outcome::Skipped => "skipped",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// When a run of failures switches a webhook off.
#[derive(Debug, Clone, Copy)]
pub struct DisablePolicy {
    /// At least this many consecutive failures...
    pub failures: i64,
    /// ...spanning at least this long (ms).
    pub min_span_ms: i64,
}

/// One lane's request in a batch: settle its last attempt, claim its next delivery.
#[derive(Debug)]
pub struct SettleRequest<'a> {
    /// The attempt to record, if any.
    pub finished: Option<(&'a Claimed, &'a Outcome)>,
    /// Claim this webhook's next due delivery.
    pub claim: Option<&'a str>,
}

/// What a batch did for one request.
#[derive(Debug, Default)]
pub struct Settled {
    /// Why the webhook was switched off by this outcome, if it was.
    pub disabled: Option<String>,
    /// The next delivery, claimed.
    pub next: Option<Claimed>,
}

// An upsert rather than `UPDATE ... FROM json_each`: SQLite would plan that join with the
// whole deliveries table as the outer loop (no statistics on `json_each`), so a batch cost
// grew with the queue. Here each JSON row is looked up by primary key. Only existing
// rows are proposed, so the insert path never runs; spare columns of the proposed row
// carry `unattempted` (attempts) and "keep the due time" (next_attempt_ms = -1).
const FINISH: &str = "INSERT INTO deliveries (seq, id, event_seq, webhook_id, state, attempts, \
    next_attempt_ms, last_error, created_at, completed_at) \
    SELECT json_extract(value, '$.seq'), '', 0, '', json_extract(value, '$.state'), \
    json_extract(value, '$.unattempted'), COALESCE(json_extract(value, '$.next'), -1), \
    json_extract(value, '$.error'), '', json_extract(value, '$.done') FROM json_each(?1) \
    WHERE EXISTS (SELECT 1 FROM deliveries AS d WHERE d.seq = json_extract(value, '$.seq')) \
    ON CONFLICT (seq) DO UPDATE SET state = excluded.state, \
    attempts = deliveries.attempts - excluded.attempts, \
    next_attempt_ms = CASE WHEN excluded.next_attempt_ms < 0 THEN deliveries.next_attempt_ms \
                      ELSE excluded.next_attempt_ms END, \
    lease_until_ms = NULL, last_error = excluded.last_error, \
    completed_at = excluded.completed_at";

const LOG_ATTEMPTS: &str = "INSERT OR REPLACE INTO delivery_attempts (delivery_seq, number, \
    started_at, duration_ms, success, status_code, error, response_body) \
    SELECT json_extract(value, '$.seq'), json_extract(value, '$.n'), json_extract(value, '$.at'), \
    json_extract(value, '$.ms'), json_extract(value, '$.ok'), json_extract(value, '$.status'), \
    json_extract(value, '$.error'), json_extract(value, '$.body') FROM json_each(?1)";

const SUCCEEDED: &str = "UPDATE webhooks SET error_count = 0, failing_since = NULL, \
    last_triggered = ?1 WHERE id IN (SELECT value FROM json_each(?2))";

const FAILED: &str = "UPDATE webhooks SET error_count = error_count + 1, \
    failing_since = COALESCE(failing_since, ?1) WHERE id IN (SELECT value FROM json_each(?2))";

const DISABLE_RUNS: &str = "UPDATE webhooks SET active = 0, disabled_at = ?1, \
    disabled_reason = 'switched off after ' || error_count || \
    ' consecutive failed deliveries since ' || failing_since \
    WHERE id IN (SELECT value FROM json_each(?2)) AND active = 1 AND error_count >= ?3 \
    AND failing_since <= ?4 RETURNING id, disabled_reason";

const DISABLE_NOW: &str = "UPDATE webhooks SET active = 0, disabled_at = ?1, \
    disabled_reason = (SELECT json_extract(value, '$.reason') FROM json_each(?2) \
                       WHERE json_extract(value, '$.id') = webhooks.id) \
    WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each(?2)) \
    RETURNING id, disabled_reason";

// `INDEXED BY`: without statistics SQLite would walk `deliveries_due` and sort, which
// grows with the queue; the lane index finds a webhook's next delivery directly.
const CLAIM: &str = "UPDATE deliveries SET state = 'inflight', attempts = attempts + 1, \
    lease_until_ms = ?1 WHERE seq IN (SELECT (SELECT d.seq FROM deliveries AS d \
    INDEXED BY deliveries_lane WHERE d.webhook_id = j.value AND d.state = 'pending' \
    AND d.next_attempt_ms <= ?2 ORDER BY d.seq LIMIT 1) FROM json_each(?3) AS j) \
    RETURNING seq, id, webhook_id, attempts, event_seq, force, created_at";

const EVENTS: &str = "SELECT seq, type, subject, author, uri, record FROM events \
    WHERE seq IN (SELECT value FROM json_each(?1))";

const WEBHOOKS: &str = concat!(
    "SELECT ",
    webhook_columns!(),
    " FROM webhooks WHERE id IN (SELECT value FROM json_each(?1))"
);

const SECRETS: &str = "SELECT webhook_id, secret FROM webhook_secrets \
    WHERE webhook_id IN (SELECT value FROM json_each(?1)) \
    AND (expires_at IS NULL OR expires_at > ?2) ORDER BY rowid DESC";

type ClaimRow = (i64, String, String, i64, i64, bool, String);
type EventRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Records the finished attempts and claims the next deliveries of `requests` in one
    /// transaction; the answers come back in the same order. A claim lasts until
    /// `now + lease_ms`. Failures count towards switching a webhook off per `policy`.
    pub async fn settle_batch(
        &self,
        requests: &[SettleRequest<'_>],
        policy: DisablePolicy,
        now: OffsetDateTime,
        lease_ms: i64,
    ) -> Result<Vec<Settled>, StoreError> {
        let now_s = datetime::format(now);
        let now_ms = super::outbox::to_ms(now);
        let mut out: Vec<Settled> = requests.iter().map(|_| Settled::default()).collect();
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let finished: Vec<(usize, &Claimed, &Outcome)> = requests
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.finished.map(|(c, o)| (i, c, o)))
            .collect();
        if !finished.is_empty() {
            let disabled = record(&mut tx, &finished, policy, &now_s, now).await?;
            for (i, c, _) in &finished {
                out[*i].disabled = disabled.get(c.webhook.id.as_str()).cloned();
            }
        }
        let claims: Vec<(usize, &str)> = requests
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.claim.map(|w| (i, w)))
            .collect();
        if !claims.is_empty() {
            let ids: Vec<&str> = claims.iter().map(|(_, w)| *w).collect();
            let mut claimed = claim(&mut tx, &ids, now_ms, lease_ms, now).await?;
            for (i, w) in claims {
                out[i].next = claimed.remove(w);
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// Writes outcomes; returns the webhooks switched off, with why.
async fn record(
    tx: &mut sqlx::SqliteConnection,
    finished: &[(usize, &Claimed, &Outcome)],
    policy: DisablePolicy,
    now_s: &str,
    now: OffsetDateTime,
) -> Result<HashMap<String, String>, StoreError> {
    let mut rows = Vec::new();
    let mut logs = Vec::new();
    let (mut ok, mut failed, mut gone) = (Vec::new(), Vec::new(), Vec::new());
    for (_, c, o) in finished {
        let (state, next, log) = match o {
            Outcome::Succeeded(log) => ("succeeded", None, Some(log)),
            Outcome::Muted => ("muted", None, None),
            Outcome::Skipped => ("skipped", None, None),
            Outcome::Retry { log, next_ms, .. } => ("pending", Some(*next_ms), Some(log)),
            Outcome::Failed { log, .. } => ("failed", None, Some(log)),
        };
        // Muted and skipped deliveries made no request: the claim's attempt is not one.
        let unattempted = i64::from(matches!(o, Outcome::Muted | Outcome::Skipped));
        rows.push(json!({
            "seq": c.seq, "state": state, "next": next,
            "error": log.and_then(|l| l.error.clone()),
            "done": next.is_none().then_some(now_s), "unattempted": unattempted,
        }));
        if let Some(l) = log {
            logs.push(json!({
                "seq": c.seq, "n": c.attempt,
                "at": datetime::format(l.started_at.unwrap_or(now)),
                "ms": l.duration_ms, "ok": matches!(o, Outcome::Succeeded(_)),
                "status": l.status_code, "error": l.error, "body": l.response_body,
            }));
        }
        let id = c.webhook.id.as_str();
        match o {
            Outcome::Succeeded(_) => ok.push(id),
            Outcome::Retry { failure: true, .. } | Outcome::Failed { .. } => failed.push(id),
            _ => {}
        }
        if let Outcome::Failed {
            disable: Some(reason),
            ..
        } = o
        {
            gone.push(json!({"id": id, "reason": reason}));
        }
    }
    sqlx::query(FINISH)
        .bind(Value::from(rows).to_string())
        .execute(&mut *tx)
        .await?;
    if !logs.is_empty() {
        sqlx::query(LOG_ATTEMPTS)
            .bind(Value::from(logs).to_string())
            .execute(&mut *tx)
            .await?;
    }
    if !ok.is_empty() {
        sqlx::query(SUCCEEDED)
            .bind(now_s)
            .bind(json!(ok).to_string())
            .execute(&mut *tx)
            .await?;
    }
    let mut disabled = HashMap::new();
    if !failed.is_empty() {
        let failed = json!(failed).to_string();
        sqlx::query(FAILED)
            .bind(now_s)
            .bind(&failed)
            .execute(&mut *tx)
            .await?;
        let since = datetime::format(crate::clock::from_ms(
            super::outbox::to_ms(now) - policy.min_span_ms,
        ));
        let off: Vec<(String, String)> = sqlx::query_as(DISABLE_RUNS)
            .bind(now_s)
            .bind(&failed)
            .bind(policy.failures)
            .bind(since)
            .fetch_all(&mut *tx)
            .await?;
        disabled.extend(off);
    }
    if !gone.is_empty() {
        let off: Vec<(String, String)> = sqlx::query_as(DISABLE_NOW)
            .bind(now_s)
            .bind(Value::from(gone).to_string())
            .fetch_all(&mut *tx)
            .await?;
        disabled.extend(off);
    }
    Ok(disabled)
}

/// Claims each webhook's next due delivery; returns them by webhook id.
async fn claim(
    tx: &mut sqlx::SqliteConnection,
    webhooks: &[&str],
    now_ms: i64,
    lease_ms: i64,
    now: OffsetDateTime,
) -> Result<HashMap<String, Claimed>, StoreError> {
    let rows: Vec<ClaimRow> = sqlx::query_as(CLAIM)
        .bind(now_ms + lease_ms)
        .bind(now_ms)
        .bind(json!(webhooks).to_string())
        .fetch_all(&mut *tx)
        .await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let event_seqs: Vec<i64> = rows.iter().map(|r| r.4).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let ids_json = json!(ids).to_string();
    let events: Vec<EventRow> = sqlx::query_as(EVENTS)
        .bind(json!(event_seqs).to_string())
        .fetch_all(&mut *tx)
        .await?;
    let events: HashMap<i64, Event> = events
        .into_iter()
        .map(|r| Ok((r.0, to_event(r)?)))
        .collect::<Result<_, StoreError>>()?;
    let hooks: Vec<WebhookRow> = sqlx::query_as(WEBHOOKS)
        .bind(&ids_json)
        .fetch_all(&mut *tx)
        .await?;
    let mut hooks: HashMap<String, Webhook> = hooks
        .iter()
        .map(|r| r.to_webhook().map(|w| (w.id.clone(), w)))
        .collect::<Result<_, _>>()?;
    let secrets: Vec<(String, String)> = sqlx::query_as(SECRETS)
        .bind(&ids_json)
        .bind(datetime::format(now))
        .fetch_all(&mut *tx)
        .await?;
    let mut by_hook: HashMap<String, Vec<String>> = HashMap::new();
    for (w, s) in secrets {
        by_hook.entry(w).or_default().push(s);
    }
    let mut out = HashMap::new();
    for (seq, id, webhook_id, attempt, event_seq, force, created_at) in rows {
        // One event fans out to many webhooks: its deliveries share the event row. Both
        // rows exist (the claim and these reads are one transaction, and deliveries
        // cascade with their event and webhook).
        let event = events.get(&event_seq).cloned();
        let (Some(event), Some(webhook)) = (event, hooks.remove(&webhook_id)) else {
            continue;
        };
        out.insert(
            webhook_id.clone(),
            Claimed {
                seq,
                id,
                attempt,
                force,
                created_ms: datetime::parse_ms(&created_at).unwrap_or(now_ms),
                event,
                webhook,
                secrets: by_hook.remove(&webhook_id).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

fn to_event((_, kind, subject, author, uri, record): EventRow) -> Result<Event, StoreError> {
    let kind = EventKind::parse(&kind).ok_or_else(|| {
        super::error::decode_error(std::io::Error::other(format!("unknown event type {kind}")))
    })?;
    let record = record
        .map(|r| serde_json::from_str(&r))
        .transpose()
        .map_err(super::error::decode_error)?;
    Ok(Event {
        kind,
        subject,
        author,
        uri,
        record,
    })
}
