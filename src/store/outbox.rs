//! Events in, the delivery log, tokens and cursors: straight to the backend (none of it
//! is cached).

use time::OffsetDateTime;

use super::cursor::Scope;
use super::traits::{Cursors, Outbox, Position, Tokens, Webhooks};
use super::{on_backend, Store, StoreError};
use crate::events::Event;
use crate::model::{Accepted, DeliveryRecord, DeliveryState, TokenInfo};

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
        on_backend!(self, b => b.accept_event(event, dedupe_key, now, None).await)
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
        let at = Some(Position::Jetstream(cursor_us));
        on_backend!(self, b => b.accept_event(event, Some(dedupe_key), now, at).await)
    }

    /// The Jetstream consumer's saved position (`time_us` of the last processed event).
    pub async fn jetstream_cursor(&self) -> Result<Option<i64>, StoreError> {
        on_backend!(self, b => b.jetstream_cursor().await)
    }

    /// Moves the Jetstream cursor forward to `time_us` (never back).
    pub async fn save_jetstream_cursor(&self, time_us: i64) -> Result<(), StoreError> {
        on_backend!(self, b => b.save_jetstream_cursor(time_us).await)
    }

    /// The saved position of stream `source`, `None` if it was never read.
    ///
    /// The firehose keys its `seq` by the URL it reads from, because a relay's seq says
    /// nothing about a PDS's or another relay's. So after a failover to a URL with no
    /// saved cursor the consumer starts at that host's live tail: frames the new host
    /// sent between the last one read from the old host and the connection are not
    /// replayed (the old host's seq cannot be translated), and anything both hosts
    /// deliver is still accepted once, by its record's dedupe key. Going back to a URL
    /// read before resumes from that URL's own cursor.
    pub async fn stream_cursor(&self, source: &str) -> Result<Option<i64>, StoreError> {
        on_backend!(self, b => b.stream_cursor(source).await)
    }

    /// Moves stream `source`'s cursor forward to `position` (never back).
    pub async fn save_stream_cursor(&self, source: &str, position: i64) -> Result<(), StoreError> {
        on_backend!(self, b => b.save_stream_cursor(source, position).await)
    }

    /// Forgets stream `source`'s cursor, for a host that says the cursor is ahead of its
    /// stream (its sequence was reset): positions from its new sequence can then be saved.
    pub async fn forget_stream_cursor(&self, source: &str) -> Result<(), StoreError> {
        on_backend!(self, b => b.forget_stream_cursor(source).await)
    }

    /// [`Store::accept_event`] for an event read from stream `source`: its cursor moves to
    /// `position` in the same transaction (also when the event is a duplicate).
    pub async fn accept_streamed_event_from(
        &self,
        event: &Event,
        dedupe_key: &str,
        now: OffsetDateTime,
        source: &str,
        position: i64,
    ) -> Result<Accepted, StoreError> {
        let at = Some(Position::Stream {
            source: source.to_owned(),
            position,
        });
        on_backend!(self, b => b.accept_event(event, Some(dedupe_key), now, at).await)
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
        on_backend!(self, b => b.queue_test_delivery(owner, webhook_id, event, now).await)
    }

    /// One page of a webhook's deliveries, newest first, optionally in one `status` (a
    /// status no delivery can have matches nothing). [`StoreError::WebhookNotFound`]
    /// unless the owner owns the webhook.
    pub async fn list_deliveries(
        &self,
        owner: &str,
        webhook_id: &str,
        limit: u32,
        cursor: Option<&str>,
        status: Option<&str>,
    ) -> Result<(Vec<DeliveryRecord>, Option<String>), StoreError> {
        // Bound to owner, webhook and filter like webhook list cursors.
        let scope_owner = format!("deliveries\u{0}{owner}\u{0}{webhook_id}");
        let scope = Scope {
            owner: &scope_owner,
            active: None,
            event: status,
        };
        let key = on_backend!(self, b => b.cursor_key());
        let before = match cursor {
            Some(c) => scope.decode(key, c)?,
            None => i64::MAX,
        };
        let state = match status.map(DeliveryState::parse) {
            None => None,
            Some(Some(s)) => Some(s),
            Some(None) => {
                // Still says whether the webhook is the owner's.
                on_backend!(self, b => b.list_deliveries(owner, webhook_id, 1, i64::MIN, None).await)?;
                return Ok((Vec::new(), None));
            }
        };
        let limit = limit.clamp(1, 100) as usize;
        let mut rows = on_backend!(self, b => b.list_deliveries(owner, webhook_id, limit + 1, before, state).await)?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(seq, _)| scope.encode(key, *seq))
        } else {
            None
        };
        Ok((rows.into_iter().map(|(_, d)| d).collect(), next))
    }

    /// One delivery of the owner's, by its id.
    pub async fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        on_backend!(self, b => b.get_delivery(owner, id).await)
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
        on_backend!(self, b => b.redeliver(owner, id, now_ms).await)
    }

    /// Deliveries not yet finished, and webhooks switched off by placehook.
    pub async fn queue_stats(&self) -> Result<(i64, i64), StoreError> {
        on_backend!(self, b => b.queue_stats().await)
    }

    /// Deletes finished events created before `before` (see [`Outbox::prune`]).
    pub async fn prune(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        on_backend!(self, b => b.prune(before).await)
    }

    /// Issues a token for `did`; returns it and its secret, which is shown only now.
    pub async fn create_token(
        &self,
        did: &str,
        producer: bool,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String), StoreError> {
        on_backend!(self, b => b.create_token(did, producer, label).await)
    }

    /// Every token, newest first.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        on_backend!(self, b => b.list_tokens().await)
    }

    /// Revokes a token by id; `false` if there is none or it was revoked already.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        on_backend!(self, b => b.revoke_token(id).await)
    }

    /// The unrevoked token with this secret.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<TokenInfo>, StoreError> {
        on_backend!(self, b => b.authenticate_token(secret).await)
    }
}
