//! What owners see of deliveries: the per-webhook log with every attempt, and redelivery.

use rusqlite::{params, Connection, OptionalExtension};

use super::Sqlite;
use crate::events::EventKind;
use crate::model::{AttemptRecord, DeliveryRecord, DeliveryState};
use crate::store::traits::Page;
use crate::store::{decode_error, StoreError};

const SELECT_DELIVERY: &str = "SELECT d.seq, d.id, d.webhook_id, e.id, e.type, d.state, \
    d.attempts, d.next_attempt_ms, d.last_error, d.created_at, d.completed_at \
    FROM deliveries d JOIN events e ON e.seq = d.event_seq";

type DeliveryRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    String,
    Option<String>,
);

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

impl Sqlite {
    pub(super) async fn list_deliveries(
        &self,
        owner: &str,
        webhook_id: &str,
        limit: usize,
        before: i64,
        state: Option<DeliveryState>,
    ) -> Result<Page<DeliveryRecord>, StoreError> {
        self.db.read(|c| {
            super::webhooks::ensure_owned(c, owner, webhook_id)?;
            let sql = format!(
                "{SELECT_DELIVERY} WHERE d.webhook_id = ?1 AND d.seq < ?2 \
                 AND (?3 IS NULL OR d.state = ?3) ORDER BY d.seq DESC LIMIT ?4"
            );
            let rows: Vec<DeliveryRow> = c
                .prepare_cached(&sql)?
                .query_map(
                    params![
                        webhook_id,
                        before,
                        state.map(DeliveryState::as_str),
                        limit as i64
                    ],
                    delivery_row,
                )?
                .collect::<Result<_, _>>()?;
            rows.into_iter()
                .map(|row| Ok((row.0, to_delivery(c, row)?)))
                .collect()
        })
    }

    /// One delivery of the owner's, by its id.
    pub(super) async fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        self.db.read(|c| get_delivery(c, owner, id))
    }

    /// Queues a finished delivery of the owner's again, due now, keeping its id.
    /// `Ok(None)` if there is no such delivery; `Ok(Some(false))` when it is still pending
    /// or in flight.
    pub(super) async fn redeliver(
        &self,
        owner: &str,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<bool>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_owned());
        self.db
            .write(move |c| {
                let queued = c
                    .prepare_cached(
                        "UPDATE deliveries SET state = 'pending', next_attempt_ms = ?, \
                         completed_at = NULL, force = 1 WHERE id = ? \
                         AND state NOT IN ('pending', 'inflight') \
                         AND webhook_id IN (SELECT id FROM webhooks WHERE owner = ?)",
                    )?
                    .execute(params![now_ms, id, owner])?;
                if queued > 0 {
                    return Ok(Some(true));
                }
                Ok(get_delivery(c, &owner, &id)?.map(|_| false))
            })
            .await
    }
}

fn get_delivery(
    c: &Connection,
    owner: &str,
    id: &str,
) -> Result<Option<DeliveryRecord>, StoreError> {
    let sql = format!(
        "{SELECT_DELIVERY} JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ? AND w.owner = ?"
    );
    let row = c
        .prepare_cached(&sql)?
        .query_row([id, owner], delivery_row)
        .optional()?;
    row.map(|r| to_delivery(c, r)).transpose()
}

fn to_delivery(c: &Connection, r: DeliveryRow) -> Result<DeliveryRecord, StoreError> {
    let (
        seq,
        id,
        webhook_id,
        event_id,
        kind,
        state,
        attempt_count,
        next_ms,
        last_error,
        created_at,
        completed_at,
    ) = r;
    let attempts = c
        .prepare_cached(
            "SELECT number, started_at, duration_ms, success, status_code, error, response_body \
             FROM delivery_attempts WHERE delivery_seq = ? ORDER BY number",
        )?
        .query_map([seq], |r| {
            Ok(AttemptRecord {
                number: r.get(0)?,
                started_at: r.get(1)?,
                duration_ms: r.get(2)?,
                success: r.get(3)?,
                status_code: r.get(4)?,
                error: r.get(5)?,
                response_body: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let unknown = |what: &str, name: &str| {
        decode_error(std::io::Error::other(format!("unknown {what} {name}")))
    };
    let state = DeliveryState::parse(&state).ok_or_else(|| unknown("state", &state))?;
    Ok(DeliveryRecord {
        id,
        webhook_id,
        event_id,
        event_kind: EventKind::parse(&kind).ok_or_else(|| unknown("event type", &kind))?,
        state,
        attempt_count,
        next_attempt_ms: (state == DeliveryState::Pending).then_some(next_ms),
        last_error,
        created_at,
        completed_at,
        attempts,
    })
}
