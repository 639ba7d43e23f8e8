//! The transactional outbox: an accepted event and its deliveries are committed together;
//! the scheduler's queries (due work, lapsed claims, depth, pruning). Claiming and
//! settling deliveries is in `settle.rs`.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use time::OffsetDateTime;

use super::{datetime, events, Sqlite};
use crate::events::Event;
use crate::model::Accepted;
use crate::store::traits::Position;
use crate::store::StoreError;

const SAVE_CURSOR: &str = "INSERT INTO jetstream_cursor (id, time_us) VALUES (1, ?1) \
    ON CONFLICT (id) DO UPDATE SET time_us = MAX(time_us, excluded.time_us)";

impl Sqlite {
    /// The Jetstream consumer's saved position (`time_us` of the last processed event).
    pub(super) async fn jetstream_cursor(&self) -> Result<Option<i64>, StoreError> {
        self.db.read(|c| {
            Ok(
                c.prepare_cached("SELECT time_us FROM jetstream_cursor WHERE id = 1")?
                    .query_row([], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    /// Moves the Jetstream cursor forward to `time_us` (never back).
    pub(super) async fn save_jetstream_cursor(&self, time_us: i64) -> Result<(), StoreError> {
        self.db
            .write(move |c| {
                c.prepare_cached(SAVE_CURSOR)?.execute([time_us])?;
                Ok(())
            })
            .await
    }

    pub(super) async fn accept_event(
        &self,
        event: &Event,
        dedupe_key: Option<&str>,
        now: OffsetDateTime,
        position: Option<Position>,
    ) -> Result<Accepted, StoreError> {
        let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
        let record = event.record.as_ref().map(Value::to_string);
        let created = datetime::format(now);
        let (kind, bit) = (event.kind.as_str(), events::bit(event.kind));
        let (subject, author, uri) = (
            event.subject.clone(),
            event.author.clone(),
            event.uri.clone(),
        );
        let dedupe_key = dedupe_key.map(str::to_owned);
        self.db
            .write(move |c| {
                let inserted: Option<i64> = c
                    .prepare_cached(
                        "INSERT INTO events (id, type, subject, author, uri, record, dedupe_key, \
                         created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                         ON CONFLICT (dedupe_key) DO NOTHING RETURNING seq",
                    )?
                    .query_row(
                        params![event_id, kind, subject, author, uri, record, dedupe_key, created],
                        |r| r.get(0),
                    )
                    .optional()?;
                match &position {
                    Some(Position::Jetstream(time_us)) => {
                        c.prepare_cached(SAVE_CURSOR)?.execute([time_us])?;
                    }
                    Some(Position::Stream { source, position }) => {
                        super::stream_cursor::save(c, source, *position)?;
                    }
                    None => {}
                }
                let Some(event_seq) = inserted else {
                    // Commits the cursor move, if any.
                    let earlier: String = c
                        .prepare_cached("SELECT id FROM events WHERE dedupe_key = ?")?
                        .query_row([&dedupe_key], |r| r.get(0))?;
                    return Ok(Accepted {
                        event_id: earlier,
                        webhooks: Vec::new(),
                        duplicate: true,
                    });
                };
                let webhooks: Vec<String> = c
                    .prepare_cached(
                        "SELECT id FROM webhooks WHERE owner = ?1 AND active = 1 \
                         AND events_mask & ?2 != 0 ORDER BY seq",
                    )?
                    .query_map(params![subject, bit], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut insert = c.prepare_cached(
                    "INSERT INTO deliveries (id, event_seq, webhook_id, state, next_attempt_ms, \
                     created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                )?;
                for webhook in &webhooks {
                    insert.execute(params![
                        delivery_id(),
                        event_seq,
                        webhook,
                        to_ms(now),
                        created
                    ])?;
                }
                Ok(Accepted {
                    event_id: event_id.clone(),
                    webhooks,
                    duplicate: false,
                })
            })
            .await
    }

    /// Queues `event` for one of the owner's webhooks only, sent even if the webhook is
    /// inactive or does not list the event's type (a test send). Returns the delivery id.
    pub(super) async fn queue_test_delivery(
        &self,
        owner: &str,
        webhook_id: &str,
        event: &Event,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let created = datetime::format(now);
        let (owner, webhook_id) = (owner.to_owned(), webhook_id.to_owned());
        let event = event.clone();
        self.db
            .write(move |c| {
                super::webhooks::ensure_owned(c, &owner, &webhook_id)?;
                let event_seq: i64 = c
                    .prepare_cached(
                        "INSERT INTO events (id, type, subject, author, uri, record, created_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                    )?
                    .query_row(
                        params![
                            format!("evt_{}", uuid::Uuid::now_v7().simple()),
                            event.kind.as_str(),
                            event.subject,
                            event.author,
                            event.uri,
                            event.record.as_ref().map(Value::to_string),
                            created
                        ],
                        |r| r.get(0),
                    )?;
                let id = delivery_id();
                c.prepare_cached(
                    "INSERT INTO deliveries (id, event_seq, webhook_id, state, next_attempt_ms, \
                     force, created_at) VALUES (?, ?, ?, 'pending', ?, 1, ?)",
                )?
                .execute(params![
                    id,
                    event_seq,
                    webhook_id,
                    to_ms(now),
                    created
                ])?;
                Ok(id)
            })
            .await
    }

    /// The webhooks with a pending delivery due by `now_ms`, and the earliest time a
    /// not-yet-due one becomes due.
    pub(super) async fn due_webhooks(
        &self,
        now_ms: i64,
    ) -> Result<(Vec<String>, Option<i64>), StoreError> {
        // Groups every pending delivery: off the runtime's threads.
        let rows: Vec<(String, i64)> = self
            .db
            .read_blocking(|c| {
                let mut q = c.prepare_cached(
                    "SELECT webhook_id, MIN(next_attempt_ms) FROM deliveries \
                     WHERE state = 'pending' GROUP BY webhook_id",
                )?;
                let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
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

    /// Returns deliveries that earlier builds left claimed (state `inflight`) to the queue;
    /// run at start, when no sender can be alive. Taking a delivery writes nothing now.
    pub(super) async fn release_claims(&self) -> Result<u64, StoreError> {
        let released = self
            .db
            .write(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE deliveries SET state = 'pending', lease_until_ms = NULL \
                     WHERE state = 'inflight'",
                )?
                .execute([])?)
            })
            .await?;
        Ok(released as u64)
    }

    /// Deliveries not yet finished (waiting, or being sent: the store does not tell them
    /// apart), and webhooks switched off by placehook.
    pub(super) async fn queue_stats(&self) -> Result<(i64, i64), StoreError> {
        self.db.read_blocking(queue_stats).await
    }

    /// Deletes finished events (and their deliveries and attempts) created before
    /// `before`; events with a delivery still pending or in flight are kept, and so is the
    /// newest event. SQLite numbers a new row one past the highest, so deleting the
    /// highest would give its number to the next event, and the lanes' cache of decoded
    /// events (`send_cache.rs`, by number) would hand them the old one.
    pub(super) async fn prune(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        let before = datetime::format(before);
        let pruned = self
            .db
            .write(move |c| {
                Ok(c.prepare_cached(
                    "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e \
                     WHERE e.created_at < ? AND e.seq < (SELECT MAX(seq) FROM events) \
                     AND NOT EXISTS (SELECT 1 FROM deliveries d \
                     WHERE d.event_seq = e.seq AND d.state IN ('pending', 'inflight')) \
                     LIMIT 10000)",
                )?
                .execute([&before])?)
            })
            .await?;
        Ok(pruned as u64)
    }
}

fn queue_stats(c: &Connection) -> Result<(i64, i64), StoreError> {
    let queued = c
        .prepare_cached(
            // Apart, so that each count can use its partial index.
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending') + \
             (SELECT COUNT(*) FROM deliveries WHERE state = 'inflight')",
        )?
        .query_row([], |r| r.get(0))?;
    let disabled = c
        .prepare_cached("SELECT COUNT(*) FROM webhooks WHERE disabled_reason IS NOT NULL")?
        .query_row([], |r| r.get(0))?;
    Ok((queued, disabled))
}

/// A new delivery id (the Standard Webhooks `webhook-id`): `msg_` and a UUIDv7. Random
/// ids would put every insert on a random page of the id index, and every commit would
/// write as many index pages as it has deliveries; time-ordered ones append.
fn delivery_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// Unix milliseconds of a datetime.
pub(crate) fn to_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}
