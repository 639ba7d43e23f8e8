//! What the dispatcher reads and records, through the send cache: a lane's next
//! deliveries with their event and webhook, mostly decoded already.

use std::sync::Arc;

use super::traits::{DeliveryQueue, Pending, RecordOutcome};
use super::{on_backend, sqlite, Store, StoreError};
use crate::clock::Clock;
use crate::events::Event;
use crate::model::{Claimed, DisablePolicy, Endpoint, Finished};

/// Records lanes' outcomes (see [`RecordOutcome`]); cheap to clone.
#[derive(Clone)]
pub enum OutcomeWriter {
    /// SQLite's: as many outcomes to a transaction as are waiting.
    Sqlite(sqlite::OutcomeWriter),
}

impl OutcomeWriter {
    /// Queues `finished` for recording. The answer, once it is committed, says why its
    /// webhook was switched off by it, if it was.
    pub fn record(&self, finished: Finished) -> Pending<Option<String>> {
        match self {
            Self::Sqlite(w) => w.record(finished),
        }
    }
}

impl Store {
    /// The writer of outcomes for one dispatcher. Failures count towards switching a
    /// webhook off per `policy`; `clock` dates the records.
    pub fn outcome_writer(&self, policy: DisablePolicy, clock: Arc<dyn Clock>) -> OutcomeWriter {
        let changes = self.changes.clone();
        on_backend!(self, b => OutcomeWriter::Sqlite(b.outcome_writer(policy, clock, changes)))
    }

    /// The webhooks with a pending delivery due by `now_ms`, and the earliest time a
    /// not-yet-due one becomes due.
    pub async fn due_webhooks(
        &self,
        now_ms: i64,
    ) -> Result<(Vec<String>, Option<i64>), StoreError> {
        on_backend!(self, b => b.due_webhooks(now_ms).await)
    }

    /// Returns claims no sender can hold any more to the queue; run at start.
    pub async fn release_claims(&self) -> Result<u64, StoreError> {
        on_backend!(self, b => b.release_claims().await)
    }

    /// Up to `want` of the webhook's next due deliveries, in order, each with its event
    /// and its webhook as they are now, passing over the deliveries in `skip` (sent, their
    /// outcome not yet written): a lane reads ahead in one query rather than one per send.
    pub async fn next_deliveries(
        &self,
        webhook_id: &str,
        now_ms: i64,
        skip: &[i64],
        want: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        let due =
            on_backend!(self, b => b.due_deliveries(webhook_id, now_ms, skip.len() + want).await)?;
        let mut due = due
            .into_iter()
            .filter(|d| !skip.contains(&d.seq))
            .take(want)
            .peekable();
        if due.peek().is_none() {
            return Ok(Vec::new());
        }
        // Each read sees its own snapshot: the event or the webhook may have been
        // deleted since, and the delivery with it.
        let Some(endpoint) = self.endpoint(webhook_id, now_ms).await? else {
            return Ok(Vec::new());
        };
        let mut claimed = Vec::with_capacity(want);
        for d in due {
            let Some(event) = self.event(d.event_seq).await? else {
                continue;
            };
            claimed.push(Claimed {
                seq: d.seq,
                id: d.id,
                attempt: d.attempt,
                force: d.force,
                created_ms: d.created_ms,
                event,
                endpoint: endpoint.clone(),
            });
        }
        Ok(claimed)
    }

    /// The webhook of a delivery read earlier, as it is now (its settings may have
    /// changed since); `None` if it was deleted, and the delivery with it.
    pub async fn current_endpoint(
        &self,
        claimed: &Claimed,
        now_ms: i64,
    ) -> Result<Option<Arc<Endpoint>>, StoreError> {
        self.endpoint(&claimed.endpoint.webhook.id, now_ms).await
    }

    /// The event, from the cache or read (and kept); `None` if it is gone.
    async fn event(&self, seq: i64) -> Result<Option<Arc<Event>>, StoreError> {
        let cache = &self.changes.sends;
        if let Some(e) = cache.event(seq) {
            return Ok(Some(e));
        }
        let Some(e) = on_backend!(self, b => b.event(seq).await)? else {
            return Ok(None);
        };
        let e = Arc::new(e);
        cache.put_event(seq, e.clone());
        Ok(Some(e))
    }

    /// The webhook as it is now, from the cache or read (and kept); `None` if it is gone.
    async fn endpoint(
        &self,
        webhook_id: &str,
        now_ms: i64,
    ) -> Result<Option<Arc<Endpoint>>, StoreError> {
        let cache = &self.changes.sends;
        if let Some(t) = cache.endpoint(webhook_id, now_ms) {
            return Ok(Some(t));
        }
        // Taken before reading: a change that commits meanwhile leaves the entry stale.
        let generation = cache.generation();
        let Some(t) = on_backend!(self, b => b.endpoint(webhook_id, now_ms).await)? else {
            return Ok(None);
        };
        let t = Arc::new(t);
        cache.put_endpoint(webhook_id, generation, t.clone());
        Ok(Some(t))
    }
}
