//! Reading a webhook's next delivery, and recording the outcomes of many lanes' attempts
//! in one transaction. The single writer is the service's bottleneck, so a commit is shared
//! by as many outcomes as are ready, and taking a delivery writes nothing: a lane holds
//! its delivery in memory (one lane per webhook, one dispatcher per database), and a
//! delivery whose outcome never got written is still pending, so it is sent again after a
//! crash, with the same id.

use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

use super::merged::{Answer, Merged};
use super::row::{webhook_columns, WebhookRow};
use super::{datetime, Sqlite};
use crate::clock::Clock;
use crate::events::{Event, EventKind};
use crate::model::{AttemptLog, Claimed, DisablePolicy, Endpoint, Finished, Outcome};
use crate::store::changes::{Changes, Touched};
use crate::store::traits::{Due, RecordOutcome};
use crate::store::StoreError;
use std::sync::Arc;

// One statement per row: each is a prepared-statement step on the writer thread, a few
// microseconds, so there is nothing to gain from folding rows into JSON arrays.
// No row changed: the delivery went with its webhook or event while it was being sent;
// there is nothing left to record it on.
const FINISH: &str = "UPDATE deliveries SET state = ?2, attempts = attempts + ?3, \
    next_attempt_ms = COALESCE(?4, next_attempt_ms), lease_until_ms = NULL, last_error = ?5, \
    completed_at = ?6 WHERE seq = ?1 AND state IN ('pending', 'inflight')";

const LOG_ATTEMPT: &str = "INSERT OR REPLACE INTO delivery_attempts (delivery_seq, number, \
    started_at, duration_ms, success, status_code, error, response_body) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const SUCCEEDED: &str = "UPDATE webhooks SET error_count = 0, failing_since = NULL, \
    last_triggered = ?1 WHERE id = ?2";

const FAILED: &str = "UPDATE webhooks SET error_count = error_count + 1, \
    failing_since = COALESCE(failing_since, ?1) WHERE id = ?2";

const DISABLE_RUN: &str = "UPDATE webhooks SET active = 0, disabled_at = ?1, \
    disabled_reason = 'switched off after ' || error_count || \
    ' consecutive failed deliveries since ' || failing_since \
    WHERE id = ?2 AND active = 1 AND error_count >= ?3 AND failing_since <= ?4 \
    RETURNING disabled_reason";

const DISABLE_NOW: &str = "UPDATE webhooks SET active = 0, disabled_at = ?1, \
    disabled_reason = ?3 WHERE id = ?2 RETURNING disabled_reason";

// `INDEXED BY`: without statistics SQLite might pick another index and sort, which grows
// with the queue; the pending index finds a webhook's next delivery directly. The lane's
// deliveries whose outcome is being written are still pending: `?3` leaves room to pass
// over them.
const NEXT: &str = "SELECT d.seq, d.id, d.attempts + 1, d.event_seq, d.force, d.created_at \
    FROM deliveries AS d INDEXED BY deliveries_pending WHERE d.webhook_id = ?1 \
    AND d.state = 'pending' AND d.next_attempt_ms <= ?2 ORDER BY d.seq LIMIT ?3";

const EVENT: &str = "SELECT type, subject, author, uri, record FROM events WHERE seq = ?";

const WEBHOOK: &str = concat!("SELECT ", webhook_columns!(), " FROM webhooks WHERE id = ?");

const SECRETS: &str = "SELECT secret, expires_at FROM webhook_secrets WHERE webhook_id = ?1 \
    AND (expires_at IS NULL OR expires_at > ?2) ORDER BY rowid DESC";

/// Records lanes' outcomes, as many to a transaction as are waiting when the writer gets
/// to them (see `merged.rs`). Cheap to clone.
#[derive(Clone)]
pub struct OutcomeWriter {
    merged: Merged<Finished, Option<String>>,
}

impl RecordOutcome for OutcomeWriter {
    fn record(&self, finished: Finished) -> Answer<Option<String>> {
        self.merged.write(finished)
    }
}

impl Sqlite {
    pub(super) fn outcome_writer(
        &self,
        policy: DisablePolicy,
        clock: Arc<dyn Clock>,
        changes: Arc<Changes>,
    ) -> OutcomeWriter {
        let merged = Merged::new(
            self.db.clone(),
            move |c, batch: &[Finished]| {
                let finished: Vec<(&Claimed, &Outcome)> =
                    batch.iter().map(|f| (&f.0, &f.1)).collect();
                write_outcomes(c, &finished, policy, clock.now())
            },
            move |batch: &[Finished], results: Option<&[Option<String>]>| {
                let finished: Vec<&Claimed> = batch.iter().map(|f| &f.0).collect();
                settled(&changes, &finished, results);
            },
        );
        OutcomeWriter { merged }
    }

    /// Taking writes nothing: one dispatcher serves a database file (`lock.rs`), so a
    /// delivery held in memory needs no claim on disk.
    pub(super) async fn due_deliveries(
        &self,
        webhook_id: &str,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<Due>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db.read(|c| {
            let mut q = c.prepare_cached(NEXT)?;
            let rows = q.query_map(params![webhook_id, now_ms, limit], |r| {
                let created: String = r.get(5)?;
                Ok(Due {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    attempt: r.get(2)?,
                    event_seq: r.get(3)?,
                    force: r.get(4)?,
                    created_ms: datetime::parse_ms(&created).unwrap_or(now_ms),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub(super) async fn event(&self, seq: i64) -> Result<Option<Event>, StoreError> {
        let row = self.db.read(|c| {
            Ok(c.prepare_cached(EVENT)?
                .query_row([seq], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?)
        })?;
        row.map(to_event).transpose()
    }

    pub(super) async fn endpoint(
        &self,
        webhook_id: &str,
        now_ms: i64,
    ) -> Result<Option<Endpoint>, StoreError> {
        let now_s = datetime::format(crate::clock::from_ms(now_ms));
        self.db.read(|c| read_endpoint(c, webhook_id, &now_s))
    }
}

/// Writes the outcomes of `finished` inside the caller's transaction; answers, in order,
/// why each one's webhook was switched off by it, if it was.
fn write_outcomes(
    c: &Connection,
    finished: &[(&Claimed, &Outcome)],
    policy: DisablePolicy,
    now: OffsetDateTime,
) -> Result<Vec<Option<String>>, StoreError> {
    let now_s = datetime::format(now);
    let now_ms = super::outbox::to_ms(now);
    let since = datetime::format(crate::clock::from_ms(now_ms - policy.min_span_ms));
    let disabled = Outcomes::new(finished, now).record(c, &now_s, policy.failures, &since)?;
    Ok(finished
        .iter()
        .map(|(c, _)| disabled.get(c.endpoint.webhook.id.as_str()).cloned())
        .collect())
}

/// After outcomes were written (`results`) or failed to be (`None`): what was cached
/// about their webhooks goes. Outcomes move `errorCount` and `lastTriggered`; one that
/// switched a webhook off (or may have) changes who receives what.
fn settled(changes: &Changes, finished: &[&Claimed], results: Option<&[Option<String>]>) {
    let disabled = results.is_none_or(|r| r.iter().any(Option::is_some));
    let touched = if disabled {
        Touched::Subscriptions
    } else {
        Touched::Listing
    };
    changes.webhooks(finished.iter().map(|c| c.endpoint.owner.as_str()), touched);
}

/// One finished attempt, as the statements write it.
struct Row {
    seq: i64,
    webhook: String,
    state: &'static str,
    attempted: i64,
    next_ms: Option<i64>,
    error: Option<String>,
    log: Option<(i64, String, AttemptLog, bool)>,
    /// Counts towards `errorCount` (Some(false): ends the failure run).
    failure: Option<bool>,
    disable: Option<String>,
}

/// The outcomes of a batch, owned, for the writer thread.
struct Outcomes(Vec<Row>);

impl Outcomes {
    fn new(finished: &[(&Claimed, &Outcome)], now: OffsetDateTime) -> Self {
        let rows = finished.iter().map(|(c, o)| {
            let (state, next_ms, log) = match o {
                Outcome::Succeeded(log) => ("succeeded", None, Some(log)),
                Outcome::Muted => ("muted", None, None),
                Outcome::Skipped => ("skipped", None, None),
                Outcome::Retry { log, next_ms, .. } => ("pending", Some(*next_ms), Some(log)),
                Outcome::Failed { log, .. } => ("failed", None, Some(log)),
            };
            let ok = matches!(o, Outcome::Succeeded(_));
            Row {
                seq: c.seq,
                webhook: c.endpoint.webhook.id.clone(),
                state,
                // Muted and skipped deliveries made no request: the claim's attempt is not one.
                attempted: i64::from(!matches!(o, Outcome::Muted | Outcome::Skipped)),
                next_ms,
                error: log.and_then(|l| l.error.clone()),
                log: log.map(|l| {
                    let at = datetime::format(l.started_at.unwrap_or(now));
                    (c.attempt, at, l.clone(), ok)
                }),
                failure: match o {
                    Outcome::Succeeded(_) => Some(false),
                    Outcome::Retry { failure: true, .. } | Outcome::Failed { .. } => Some(true),
                    _ => None,
                },
                disable: match o {
                    Outcome::Failed { disable, .. } => disable.clone(),
                    _ => None,
                },
            }
        });
        Self(rows.collect())
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
        let mut disabled = HashMap::new();
        // Held for the whole batch: every row runs these, and looking a statement up in
        // the cache hashes its text.
        let mut finish = c.prepare_cached(FINISH)?;
        let mut log_attempt = c.prepare_cached(LOG_ATTEMPT)?;
        let mut succeeded = c.prepare_cached(SUCCEEDED)?;
        // Webhooks whose failure run this batch has ended already: every success in a
        // batch writes the same values, so a second one would rewrite the row for nothing
        // (a lane can have several successes in one batch). A failure after it opens a
        // new run, and the next success writes again.
        let mut reset: HashSet<&str> = HashSet::new();
        for r in &self.0 {
            let done = r.next_ms.is_none().then_some(now_s);
            let changed = finish.execute(params![
                r.seq,
                r.state,
                r.attempted,
                r.next_ms,
                r.error,
                done
            ])?;
            if changed == 0 {
                continue;
            }
            if let Some((n, at, l, ok)) = &r.log {
                log_attempt.execute(params![
                    r.seq,
                    n,
                    at,
                    l.duration_ms,
                    ok,
                    l.status_code,
                    l.error,
                    l.response_body
                ])?;
            }
            match r.failure {
                Some(false) if reset.insert(r.webhook.as_str()) => {
                    succeeded.execute([now_s, &r.webhook])?;
                }
                Some(true) => {
                    reset.remove(r.webhook.as_str());
                    c.prepare_cached(FAILED)?.execute([now_s, &r.webhook])?;
                    let off: Option<String> = c
                        .prepare_cached(DISABLE_RUN)?
                        .query_row(params![now_s, r.webhook, failures, since], |x| x.get(0))
                        .optional()?;
                    if let Some(why) = off {
                        disabled.insert(r.webhook.clone(), why);
                    }
                }
                // A success after one in this batch, or no attempt made.
                Some(false) | None => {}
            }
            if let Some(reason) = &r.disable {
                let off: Option<String> = c
                    .prepare_cached(DISABLE_NOW)?
                    .query_row([now_s, &r.webhook, reason], |x| x.get(0))
                    .optional()?;
                if let Some(why) = off {
                    disabled.insert(r.webhook.clone(), why);
                }
            }
        }
        Ok(disabled)
    }
}

fn read_endpoint(
    c: &Connection,
    webhook_id: &str,
    now_s: &str,
) -> Result<Option<Endpoint>, StoreError> {
    let row = c
        .prepare_cached(WEBHOOK)?
        .query_row([webhook_id], WebhookRow::from_row)
        .optional()?;
    let Some(row) = row else {
        return Ok(None);
    };
    let owner = row.owner.clone();
    let webhook = row.into_webhook()?;
    let mut secrets = Vec::new();
    let mut until_ms: Option<i64> = None;
    let mut q = c.prepare_cached(SECRETS)?;
    let mut rows = q.query(params![webhook_id, now_s])?;
    while let Some(r) = rows.next()? {
        secrets.push(r.get(0)?);
        if let Some(at) = r
            .get::<_, Option<String>>(1)?
            .and_then(|a| datetime::parse_ms(&a))
        {
            until_ms = Some(until_ms.map_or(at, |u| u.min(at)));
        }
    }
    Ok(Some(Endpoint {
        webhook,
        owner,
        secrets,
        until_ms,
    }))
}

type EventRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn to_event((kind, subject, author, uri, record): EventRow) -> Result<Event, StoreError> {
    let kind = EventKind::parse(&kind).ok_or_else(|| {
        crate::store::decode_error(std::io::Error::other(format!("unknown event type {kind}")))
    })?;
    let record = record
        .map(|r| serde_json::from_str(&r))
        .transpose()
        .map_err(crate::store::decode_error)?;
    Ok(Event {
        kind,
        subject,
        author,
        uri,
        record,
    })
}
