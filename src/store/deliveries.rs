//! What owners see of deliveries: the per-webhook log with every attempt, and redelivery.

use rusqlite::{params, Connection, OptionalExtension};

use super::cursor::Scope;
use super::{datetime, Store, StoreError};
use crate::clock::from_ms;
use crate::lexicon::dev::placehook::defs::{Attempt, Delivery, DeliveryStatus, EventType};

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

impl Store {
    /// One page of a webhook's deliveries, newest first, optionally in one `status`.
    /// [`StoreError::WebhookNotFound`] unless the owner owns the webhook.
    pub async fn list_deliveries(
        &self,
        owner: &str,
        webhook_id: &str,
        limit: u32,
        cursor: Option<&str>,
        status: Option<&str>,
    ) -> Result<(Vec<Delivery>, Option<String>), StoreError> {
        let cursor_key = &self.cursor_key;
        self.db.read(|c| {
            super::webhooks::ensure_owned(c, owner, webhook_id)?;
            // Bound to owner, webhook and filter like webhook list cursors.
            let scope_owner = format!("deliveries\u{0}{owner}\u{0}{webhook_id}");
            let scope = Scope {
                owner: &scope_owner,
                active: None,
                event: status,
            };
            let before = match cursor {
                Some(cur) => scope.decode(cursor_key, cur)?,
                None => i64::MAX,
            };
            let limit = limit.clamp(1, 100) as usize;
            let sql = format!(
                "{SELECT_DELIVERY} WHERE d.webhook_id = ?1 AND d.seq < ?2 \
                 AND (?3 IS NULL OR d.state = ?3) ORDER BY d.seq DESC LIMIT ?4"
            );
            let mut rows: Vec<DeliveryRow> = c
                .prepare_cached(&sql)?
                .query_map(
                    params![webhook_id, before, status, limit as i64 + 1],
                    delivery_row,
                )?
                .collect::<Result<_, _>>()?;
            let next = if rows.len() > limit {
                rows.truncate(limit);
                rows.last().map(|r| scope.encode(cursor_key, r.0))
            } else {
                None
            };
            let out = rows
                .into_iter()
                .map(|row| to_delivery(c, row))
                .collect::<Result<_, _>>()?;
            Ok((out, next))
        })
    }

    /// One delivery of the owner's, by its id.
    pub async fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        self.db.read(|c| get_delivery(c, owner, id))
    }

    /// Queues a finished delivery of the owner's again, due now, keeping its id.
    /// `Ok(None)` if there is no such delivery; `Ok(Some(false))` when it is still pending
    /// or in flight.
    pub async fn redeliver(
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

fn get_delivery(c: &Connection, owner: &str, id: &str) -> Result<Option<Delivery>, StoreError> {
    let sql = format!(
        "{SELECT_DELIVERY} JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ? AND w.owner = ?"
    );
    let row = c
        .prepare_cached(&sql)?
        .query_row([id, owner], delivery_row)
        .optional()?;
    row.map(|r| to_delivery(c, r)).transpose()
}

fn to_delivery(c: &Connection, r: DeliveryRow) -> Result<Delivery, StoreError> {
    let (
        seq,
        id,
        webhook_id,
        event_id,
        kind,
        state,
        attempts,
        next_ms,
        last_error,
        created,
        completed,
    ) = r;
    let attempts_log = c
        .prepare_cached(
            "SELECT number, started_at, duration_ms, success, status_code, error, response_body \
             FROM delivery_attempts WHERE delivery_seq = ? ORDER BY number",
        )?
        .query_map([seq], |r| {
            Ok(Attempt {
                status_code: r.get(4)?,
                error: r.get(5)?,
                response_body: r.get(6)?,
                ..Attempt::new(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)
            })
        })?
        .collect::<Result<_, _>>()?;
    let pending = state == "pending";
    Ok(Delivery {
        next_attempt_at: pending.then(|| datetime::format(from_ms(next_ms))),
        last_error,
        completed_at: completed,
        ..Delivery::new(
            id,
            webhook_id,
            event_id,
            EventType::from(kind.as_str()),
            DeliveryStatus::from(state.as_str()),
            attempts,
            created,
            attempts_log,
        )
    })
}
