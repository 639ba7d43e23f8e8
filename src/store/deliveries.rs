//! What owners see of deliveries: the per-webhook log with every attempt, and redelivery.

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

type AttemptRow = (
    i64,
    String,
    i64,
    bool,
    Option<i64>,
    Option<String>,
    Option<String>,
);

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
        super::webhooks::ensure_owned(&self.reader, owner, webhook_id).await?;
        // Bound to owner, webhook and filter like webhook list cursors.
        let scope_owner = format!("deliveries\u{0}{owner}\u{0}{webhook_id}");
        let scope = Scope {
            owner: &scope_owner,
            active: None,
            event: status,
        };
        let before = match cursor {
            Some(c) => scope.decode(&self.cursor_key, c)?,
            None => i64::MAX,
        };
        let limit = limit.clamp(1, 100) as usize;
        let sql = format!(
            "{SELECT_DELIVERY} WHERE d.webhook_id = ?1 AND d.seq < ?2 AND (?3 IS NULL OR d.state = ?3) \
             ORDER BY d.seq DESC LIMIT ?4"
        );
        let mut rows: Vec<DeliveryRow> = sqlx::query_as(&sql)
            .bind(webhook_id)
            .bind(before)
            .bind(status)
            .bind(limit as i64 + 1)
            .fetch_all(&self.reader)
            .await?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| scope.encode(&self.cursor_key, r.0))
        } else {
            None
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.to_delivery(row).await?);
        }
        Ok((out, next))
    }

    /// One delivery of the owner's, by its id.
    pub async fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        let sql = format!(
            "{SELECT_DELIVERY} JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ? AND w.owner = ?"
        );
        let row: Option<DeliveryRow> = sqlx::query_as(&sql)
            .bind(id)
            .bind(owner)
            .fetch_optional(&self.reader)
            .await?;
        match row {
            Some(r) => Ok(Some(self.to_delivery(r).await?)),
            None => Ok(None),
        }
    }

    /// Queues a finished delivery of the owner's again, due now, keeping its id.
    /// `Ok(None)` if there is no such delivery; `Err(DeliveryInProgress)`-like `Ok(Some(false))`
    /// when it is still pending or in flight.
    pub async fn redeliver(
        &self,
        owner: &str,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<bool>, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_ms = ?, completed_at = NULL, \
             force = 1 WHERE id = ? AND state NOT IN ('pending', 'inflight') \
             AND webhook_id IN (SELECT id FROM webhooks WHERE owner = ?)",
        )
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(Some(true));
        }
        Ok(self.get_delivery(owner, id).await?.map(|_| false))
    }

    async fn to_delivery(&self, r: DeliveryRow) -> Result<Delivery, StoreError> {
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
        let rows: Vec<AttemptRow> = sqlx::query_as(
            "SELECT number, started_at, duration_ms, success, status_code, error, response_body \
             FROM delivery_attempts WHERE delivery_seq = ? ORDER BY number",
        )
        .bind(seq)
        .fetch_all(&self.reader)
        .await?;
        let attempts_log = rows
            .into_iter()
            .map(
                |(number, started_at, duration_ms, success, status_code, error, body)| Attempt {
                    number,
                    started_at,
                    duration_ms,
                    success,
                    status_code,
                    error,
                    response_body: body,
                    type_: None,
                    extra: Default::default(),
                },
            )
            .collect();
        let pending = state == "pending";
        Ok(Delivery {
            id,
            webhook_id,
            event_id,
            event_type: EventType::from(kind.as_str()),
            status: DeliveryStatus::from(state.as_str()),
            attempt_count: attempts,
            next_attempt_at: pending.then(|| datetime::format(from_ms(next_ms))),
            last_error,
            created_at: created,
            completed_at: completed,
            attempts: attempts_log,
            type_: None,
            extra: Default::default(),
        })
    }
}
