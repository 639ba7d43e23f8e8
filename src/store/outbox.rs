//! The transactional outbox: an accepted event and its deliveries are committed together;
//! the scheduler's queries (due work, lapsed claims, depth, pruning). Claiming and
//! settling deliveries is in `settle.rs`.

use serde_json::Value;
use time::OffsetDateTime;

use super::{datetime, events, Store, StoreError};
use crate::events::Event;

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

const SAVE_CURSOR: &str = "INSERT INTO jetstream_cursor (id, time_us) VALUES (1, ?1) \
    ON CONFLICT (id) DO UPDATE SET time_us = MAX(time_us, excluded.time_us)";

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
