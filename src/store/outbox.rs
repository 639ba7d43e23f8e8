//! The transactional outbox: an accepted event and its deliveries are committed together,
//! and a webhook's lane claims its deliveries one at a time, in event order, with a lease.

use serde_json::Value;
use time::OffsetDateTime;

use super::row::{webhook_columns, WebhookRow};
use super::{datetime, events, Store, StoreError};
use crate::events::{Event, EventKind};
use crate::lexicon::place::stream::server::defs::Webhook;

/// What accepting an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The event's id (the earlier event's, for a duplicate).
    pub event_id: String,
    /// The webhooks a delivery was queued for (empty for a duplicate).
    pub webhooks: Vec<String>,
    /// The event had been accepted before; nothing new was queued.
    pub duplicate: bool,
}

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

/// When a run of failures switches a webhook off.
#[derive(Debug, Clone, Copy)]
pub struct DisablePolicy {
    /// At least this many consecutive failures...
    pub failures: i64,
    /// ...spanning at least this long (ms).
    pub min_span_ms: i64,
}

const SAVE_CURSOR: &str = "INSERT INTO jetstream_cursor (id, time_us) VALUES (1, ?1) \
    ON CONFLICT (id) DO UPDATE SET time_us = MAX(time_us, excluded.time_us)";

const SELECT_WEBHOOK_BY_ID: &str =
    concat!("SELECT ", webhook_columns!(), " FROM webhooks WHERE id = ?");

impl Store {
    /// Stores `event` and queues one delivery per active webhook of its subject that
    /// lists its type, in one transaction. With a `dedupe_key` already seen, nothing is
    /// written and the earlier event's id is returned.
    pub async fn accept_event(
        &self,
        event: &Event,
        dedupe_key: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Accepted, StoreError> {
        self.accept(event, dedupe_key, now, None).await
    }

    /// [`Store::accept_event`] for an event from the Jetstream consumer: the consumer's
    /// cursor moves to `cursor_us` in the same transaction.
    pub async fn accept_streamed_event(
        &self,
        event: &Event,
        dedupe_key: &str,
        now: OffsetDateTime,
        cursor_us: i64,
    ) -> Result<Accepted, StoreError> {
        self.accept(event, Some(dedupe_key), now, Some(cursor_us))
            .await
    }

    /// The Jetstream consumer's saved position (`time_us` of the last processed event).
    pub async fn jetstream_cursor(&self) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT time_us FROM jetstream_cursor WHERE id = 1")
                .fetch_optional(&self.reader)
                .await?;
        Ok(row.map(|(t,)| t))
    }

    /// Moves the Jetstream cursor forward to `time_us` (never back).
    pub async fn save_jetstream_cursor(&self, time_us: i64) -> Result<(), StoreError> {
        sqlx::query(SAVE_CURSOR)
            .bind(time_us)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn accept(
        &self,
        event: &Event,
        dedupe_key: Option<&str>,
        now: OffsetDateTime,
        cursor_us: Option<i64>,
    ) -> Result<Accepted, StoreError> {
        let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
        let record = event.record.as_ref().map(Value::to_string);
        let created = datetime::format(now);
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO events (id, type, subject, author, uri, record, dedupe_key, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING seq",
        )
        .bind(&event_id)
        .bind(event.kind.as_str())
        .bind(&event.subject)
        .bind(&event.author)
        .bind(&event.uri)
        .bind(&record)
        .bind(dedupe_key)
        .bind(&created)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(cursor) = cursor_us {
            sqlx::query(SAVE_CURSOR)
                .bind(cursor)
                .execute(&mut *tx)
                .await?;
        }
        let Some((event_seq,)) = inserted else {
            let (earlier,): (String,) =
                sqlx::query_as("SELECT id FROM events WHERE dedupe_key = ?")
                    .bind(dedupe_key)
                    .fetch_one(&mut *tx)
                    .await?;
            // Commits the cursor move, if any.
            tx.commit().await?;
            return Ok(Accepted {
                event_id: earlier,
                webhooks: Vec::new(),
                duplicate: true,
            });
        };
        let webhooks: Vec<(String,)> = sqlx::query_as(
            "INSERT INTO deliveries (id, event_seq, webhook_id, state, next_attempt_ms, created_at) \
             SELECT 'msg_' || lower(hex(randomblob(16))), ?1, id, 'pending', ?2, ?3 \
             FROM webhooks WHERE owner = ?4 AND active = 1 AND events_mask & ?5 != 0 \
             ORDER BY seq RETURNING webhook_id",
        )
        .bind(event_seq)
        .bind(to_ms(now))
        .bind(&created)
        .bind(&event.subject)
        .bind(events::bit(event.kind.webhook_event()))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Accepted {
            event_id,
            webhooks: webhooks.into_iter().map(|(w,)| w).collect(),
            duplicate: false,
        })
    }

    /// Queues `event` for one of the owner's webhooks only, sent even if the webhook is
    /// inactive or does not list the event's type (a test send). Returns the delivery id.
    pub async fn queue_test_delivery(
        &self,
        owner: &str,
        webhook_id: &str,
        event: &Event,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let created = datetime::format(now);
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        super::webhooks::ensure_owned(&mut *tx, owner, webhook_id).await?;
        let (event_seq,): (i64,) = sqlx::query_as(
            "INSERT INTO events (id, type, subject, author, uri, record, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(format!("evt_{}", uuid::Uuid::now_v7().simple()))
        .bind(event.kind.as_str())
        .bind(&event.subject)
        .bind(&event.author)
        .bind(&event.uri)
        .bind(event.record.as_ref().map(Value::to_string))
        .bind(&created)
        .fetch_one(&mut *tx)
        .await?;
        let (id,): (String,) = sqlx::query_as(
            "INSERT INTO deliveries (id, event_seq, webhook_id, state, next_attempt_ms, force, created_at) \
             VALUES ('msg_' || lower(hex(randomblob(16))), ?, ?, 'pending', ?, 1, ?) RETURNING id",
        )
        .bind(event_seq)
        .bind(webhook_id)
        .bind(to_ms(now))
        .bind(&created)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims the webhook's next due delivery (lowest `seq` first) until `now_ms +
    /// lease_ms`. `None` when it has nothing due.
    pub async fn claim_next(
        &self,
        webhook_id: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<Claimed>, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let claimed: Option<(i64, String, i64, i64, bool, String)> = sqlx::query_as(
            "UPDATE deliveries SET state = 'inflight', attempts = attempts + 1, lease_until_ms = ?1 \
             WHERE seq = (SELECT seq FROM deliveries WHERE webhook_id = ?2 AND state = 'pending' \
                          AND next_attempt_ms <= ?3 ORDER BY seq LIMIT 1) \
             RETURNING seq, id, attempts, event_seq, force, created_at",
        )
        .bind(now_ms + lease_ms)
        .bind(webhook_id)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((seq, id, attempt, event_seq, force, created_at)) = claimed else {
            return Ok(None);
        };
        let event = load_event(&mut tx, event_seq).await?;
        let row: WebhookRow = sqlx::query_as(SELECT_WEBHOOK_BY_ID)
            .bind(webhook_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Claimed {
            seq,
            id,
            attempt,
            force,
            created_ms: datetime::parse_ms(&created_at).unwrap_or(now_ms),
            event,
            webhook: row.to_webhook()?,
        }))
    }

    /// Records the outcome of a claimed delivery's attempt and updates the webhook's
    /// `errorCount`, `lastTriggered` and (per `policy`) whether it is switched off.
    /// Returns the reason when this outcome switched the webhook off.
    pub async fn finish(
        &self,
        claimed: &Claimed,
        outcome: &Outcome,
        policy: DisablePolicy,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let now_s = datetime::format(now);
        let webhook = claimed.webhook.id.as_str();
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let (state, next_ms, log) = match outcome {
            Outcome::Succeeded(log) => ("succeeded", None, Some(log)),
            Outcome::Muted => ("muted", None, None),
            Outcome::Skipped => ("skipped", None, None),
            Outcome::Retry { log, next_ms, .. } => ("pending", Some(*next_ms), Some(log)),
            Outcome::Failed { log, .. } => ("failed", None, Some(log)),
        };
        let done = next_ms.is_none();
        // Muted and skipped deliveries made no request: the claim's attempt is not one.
        let unattempted = i64::from(matches!(outcome, Outcome::Muted | Outcome::Skipped));
        sqlx::query(
            "UPDATE deliveries SET state = ?, next_attempt_ms = COALESCE(?, next_attempt_ms), \
             lease_until_ms = NULL, last_error = ?, completed_at = ?, attempts = attempts - ? \
             WHERE seq = ?",
        )
        .bind(state)
        .bind(next_ms)
        .bind(log.and_then(|l| l.error.clone()))
        .bind(done.then_some(&now_s))
        .bind(unattempted)
        .bind(claimed.seq)
        .execute(&mut *tx)
        .await?;
        if let Some(log) = log {
            sqlx::query(
                "INSERT OR REPLACE INTO delivery_attempts (delivery_seq, number, started_at, \
                 duration_ms, success, status_code, error, response_body) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(claimed.seq)
            .bind(claimed.attempt)
            .bind(datetime::format(log.started_at.unwrap_or(now)))
            .bind(log.duration_ms)
            .bind(matches!(outcome, Outcome::Succeeded(_)))
            .bind(log.status_code.map(i64::from))
            .bind(&log.error)
            .bind(&log.response_body)
            .execute(&mut *tx)
            .await?;
        }
        let failure = match outcome {
            Outcome::Succeeded(_) => {
                sqlx::query(
                    "UPDATE webhooks SET error_count = 0, failing_since = NULL, \
                     last_triggered = ? WHERE id = ?",
                )
                .bind(&now_s)
                .bind(webhook)
                .execute(&mut *tx)
                .await?;
                false
            }
            Outcome::Retry { failure, .. } => *failure,
            Outcome::Failed { .. } => true,
            Outcome::Muted | Outcome::Skipped => false,
        };
        let mut disabled = None;
        if failure {
            sqlx::query(
                "UPDATE webhooks SET error_count = error_count + 1, \
                 failing_since = COALESCE(failing_since, ?) WHERE id = ?",
            )
            .bind(&now_s)
            .bind(webhook)
            .execute(&mut *tx)
            .await?;
            let since = datetime::format(crate::clock::from_ms(to_ms(now) - policy.min_span_ms));
            let run: Option<(i64,)> = sqlx::query_as(
                "SELECT error_count FROM webhooks WHERE id = ? AND active = 1 \
                 AND error_count >= ? AND failing_since <= ?",
            )
            .bind(webhook)
            .bind(policy.failures)
            .bind(&since)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((n,)) = run {
                disabled = Some(format!(
                    "switched off after {n} consecutive failed deliveries since {}",
                    claimed
                        .webhook
                        .last_triggered
                        .as_deref()
                        .unwrap_or("its creation")
                ));
            }
        }
        if let Outcome::Failed {
            disable: Some(reason),
            ..
        } = outcome
        {
            disabled = Some(reason.clone());
        }
        if let Some(reason) = &disabled {
            sqlx::query(
                "UPDATE webhooks SET active = 0, disabled_reason = ?, disabled_at = ? \
                 WHERE id = ?",
            )
            .bind(reason)
            .bind(&now_s)
            .bind(webhook)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(disabled)
    }

    /// The webhooks with a pending delivery due by `now_ms`, and the earliest time a
    /// not-yet-due one becomes due.
    pub async fn due_webhooks(
        &self,
        now_ms: i64,
    ) -> Result<(Vec<String>, Option<i64>), StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT webhook_id, MIN(next_attempt_ms) FROM deliveries WHERE state = 'pending' \
             GROUP BY webhook_id",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut due = Vec::new();
        let mut next: Option<i64> = None;
        for (webhook, at) in rows {
            if at <= now_ms {
                due.push(webhook);
            } else {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Ok((due, next))
    }

    /// Returns deliveries whose claim has lapsed (their sender died) to the queue, or,
    /// with `all`, every claimed delivery (at start, when no sender can be alive).
    pub async fn release_claims(&self, now_ms: i64, all: bool) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', lease_until_ms = NULL \
             WHERE state = 'inflight' AND (?1 OR lease_until_ms <= ?2)",
        )
        .bind(all)
        .bind(now_ms)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deliveries waiting or being sent, and webhooks switched off by placehook.
    pub async fn queue_stats(&self) -> Result<(i64, i64, i64), StoreError> {
        let (pending, inflight): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'inflight'), 0) \
             FROM deliveries WHERE state IN ('pending', 'inflight')",
        )
        .fetch_one(&self.reader)
        .await?;
        let (disabled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhooks WHERE disabled_reason IS NOT NULL")
                .fetch_one(&self.reader)
                .await?;
        Ok((pending, inflight, disabled))
    }

    /// Deletes finished events (and their deliveries and attempts) created before
    /// `before`; events with a delivery still pending or in flight are kept.
    pub async fn prune(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.created_at < ? \
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq \
                             AND d.state IN ('pending', 'inflight')) LIMIT 10000)",
        )
        .bind(datetime::format(before))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }
}

/// Unix milliseconds of a datetime.
pub(crate) fn to_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

async fn load_event(conn: &mut sqlx::SqliteConnection, seq: i64) -> Result<Event, StoreError> {
    let (kind, subject, author, uri, record): (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as("SELECT type, subject, author, uri, record FROM events WHERE seq = ?")
        .bind(seq)
        .fetch_one(&mut *conn)
        .await?;
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
