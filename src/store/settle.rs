//! Claiming and settling deliveries in batches: one transaction records the outcomes of
//! many lanes' attempts and claims each lane's next delivery, with a handful of
//! statements whatever the batch size (rows travel as JSON arrays through `json_each`).
//! The single writer connection is the service's bottleneck; this keeps its work per
//! delivery small.

use rusqlite::{params, Connection};
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
        let finished: Vec<(&Claimed, &Outcome)> =
            requests.iter().filter_map(|r| r.finished).collect();
        let outcomes = (!finished.is_empty()).then(|| Outcomes::new(&finished, &now_s, now));
        let since = datetime::format(crate::clock::from_ms(now_ms - policy.min_span_ms));
        let claims: Vec<String> = requests
            .iter()
            .filter_map(|r| r.claim.map(str::to_owned))
            .collect();
        let (disabled, mut claimed) = self
            .db
            .write(move |c| {
                let disabled = match outcomes {
                    Some(o) => o.record(c, &now_s, policy.failures, &since)?,
                    None => HashMap::new(),
                };
                let claimed = if claims.is_empty() {
                    HashMap::new()
                } else {
                    claim(c, &claims, now_ms, lease_ms, now)?
                };
                Ok((disabled, claimed))
            })
            .await?;
        Ok(requests
            .iter()
            .map(|r| Settled {
                disabled: r
                    .finished
                    .and_then(|(c, _)| disabled.get(c.webhook.id.as_str()).cloned()),
                next: r.claim.and_then(|w| claimed.remove(w)),
            })
            .collect())
    }
}

/// The outcomes of a batch as the JSON arrays its statements read.
struct Outcomes {
    rows: String,
    logs: Option<String>,
    ok: Option<String>,
    failed: Option<String>,
    gone: Option<String>,
}

impl Outcomes {
    fn new(finished: &[(&Claimed, &Outcome)], now_s: &str, now: OffsetDateTime) -> Self {
        let mut rows = Vec::new();
        let mut logs = Vec::new();
        let (mut ok, mut failed, mut gone) = (Vec::new(), Vec::new(), Vec::new());
        for (c, o) in finished {
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
        let some = |v: Vec<Value>| (!v.is_empty()).then(|| Value::from(v).to_string());
        Self {
            rows: Value::from(rows).to_string(),
            logs: some(logs),
            ok: (!ok.is_empty()).then(|| json!(ok).to_string()),
            failed: (!failed.is_empty()).then(|| json!(failed).to_string()),
            gone: some(gone),
        }
    }

    /// Writes the outcomes; returns the webhooks switched off, with why. `since`: a run of
    /// failures that began at or before it is long enough to switch a webhook off.
    fn record(
        &self,
        c: &Connection,
        now_s: &str,
        failures: i64,
        since: &str,
    ) -> Result<HashMap<String, String>, StoreError> {
        c.prepare_cached(FINISH)?.execute([&self.rows])?;
        if let Some(logs) = &self.logs {
            c.prepare_cached(LOG_ATTEMPTS)?.execute([logs])?;
        }
        if let Some(ok) = &self.ok {
            c.prepare_cached(SUCCEEDED)?.execute([now_s, ok])?;
        }
        let mut disabled = HashMap::new();
        let pair = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
        if let Some(failed) = &self.failed {
            c.prepare_cached(FAILED)?.execute([now_s, failed])?;
            let mut q = c.prepare_cached(DISABLE_RUNS)?;
            let off = q.query_map(params![now_s, failed, failures, since], pair)?;
            for row in off {
                let (id, why): (String, String) = row?;
                disabled.insert(id, why);
            }
        }
        if let Some(gone) = &self.gone {
            let mut q = c.prepare_cached(DISABLE_NOW)?;
            for row in q.query_map([now_s, gone], pair)? {
                let (id, why): (String, String) = row?;
                disabled.insert(id, why);
            }
        }
        Ok(disabled)
    }
}

/// Claims each webhook's next due delivery; returns them by webhook id.
fn claim(
    c: &Connection,
    webhooks: &[String],
    now_ms: i64,
    lease_ms: i64,
    now: OffsetDateTime,
) -> Result<HashMap<String, Claimed>, StoreError> {
    let rows: Vec<ClaimRow> = c
        .prepare_cached(CLAIM)?
        .query_map(
            params![now_ms + lease_ms, now_ms, json!(webhooks).to_string()],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )?
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let event_seqs: Vec<i64> = rows.iter().map(|r| r.4).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let ids_json = json!(ids).to_string();
    let mut events = HashMap::new();
    let mut q = c.prepare_cached(EVENTS)?;
    let found = q.query_map([json!(event_seqs).to_string()], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })?;
    for row in found {
        let row: EventRow = row?;
        events.insert(row.0, to_event(row)?);
    }
    let mut hooks: HashMap<String, Webhook> = HashMap::new();
    let mut q = c.prepare_cached(WEBHOOKS)?;
    for row in q.query_map([&ids_json], WebhookRow::from_row)? {
        let w = row?.to_webhook()?;
        hooks.insert(w.id.clone(), w);
    }
    let mut by_hook: HashMap<String, Vec<String>> = HashMap::new();
    let mut q = c.prepare_cached(SECRETS)?;
    for row in q.query_map([&ids_json, &datetime::format(now)], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (w, s) = row?;
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
