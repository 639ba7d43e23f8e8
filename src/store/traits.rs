//! What the service needs from storage, as traits a backend implements.
//!
//! The API, the dispatcher and the event sources use [`super::Store`], which wraps a
//! backend with the caches (listing pages, what sending reads, the subscription
//! generation) and invalidates them through one point (`changes.rs`). A backend only
//! reads and writes; it caches nothing that another writer could make stale.
//!
//! Guarantees every backend gives:
//! - Each method is atomic: it commits all of its writes or none, and a failed call
//!   changes nothing (a call that fails *after* committing, e.g. the connection drops on
//!   the answer, may have changed everything; callers treat it as a change).
//! - An accepted event and the deliveries it queued commit together
//!   ([`Outbox::accept_event`]), with the source cursor when one is given: after a crash a
//!   source resumes from a cursor no later than its last accepted event, and a record
//!   accepted twice (same dedupe key) queues nothing the second time.
//! - A delivery is pending until its outcome is recorded; an outcome recorded twice (a
//!   lane handing it in again) changes nothing the second time. So a crash between a send
//!   and its record sends that delivery again, with the same id: at-least-once.
//!
//! Properties of the SQLite backend only (one `serve` per database file, enforced by an
//! OS lock): the dispatcher is alone, so [`DeliveryQueue::due_deliveries`] writes no claim
//! (a delivery taken is held in memory), and [`DeliveryQueue::release_claims`] at start
//! returns every delivery an older build left claimed. A backend shared by several
//! processes must instead hold a webhook's lane under a lease, and release only lapsed
//! leases.

use std::future::Future;
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::changes::Changes;
use super::StoreError;
use crate::clock::Clock;
use crate::events::{Event, EventKind};
use crate::model::{
    Accepted, DeliveryRecord, DeliveryState, DisablePolicy, Endpoint, Finished, TokenInfo, Webhook,
    WebhookPatch, WebhookSettings,
};

/// A result that comes later: the answer to a write queued now.
pub type Pending<R> = oneshot::Receiver<Result<R, StoreError>>;

/// One page in keyset order: rows with their position, newest first.
pub type Page<T> = Vec<(i64, T)>;

/// An owner's webhooks. Every method is scoped to `owner`: another owner's webhook is
/// [`StoreError::WebhookNotFound`], never visible.
pub trait Webhooks: Send + Sync {
    /// Stores a new webhook; `url_key` is the normalised URL duplicates are judged on.
    /// [`StoreError::TooManyWebhooks`] when the owner has `max_per_owner` already,
    /// [`StoreError::DuplicateWebhook`] when another of theirs has the same `url_key` and
    /// shares an event; the checks and the insert are one atomic step, so concurrent
    /// creates (from any process) cannot overshoot either, and "too many" wins over
    /// "duplicate".
    fn create_webhook(
        &self,
        owner: &str,
        settings: &WebhookSettings,
        url_key: &str,
        max_per_owner: u32,
    ) -> impl Future<Output = Result<Webhook, StoreError>> + Send;

    /// The owner's webhook with this id.
    fn get_webhook(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Webhook>, StoreError>> + Send;

    /// Applies `patch` and sets `updatedAt`; `url_key` is the new URL's normalised form.
    /// Switching a webhook on clears a switch-off and its failure count. Atomic, with the
    /// same duplicate rule as create.
    fn update_webhook(
        &self,
        owner: &str,
        id: &str,
        patch: &WebhookPatch,
        url_key: Option<&str>,
    ) -> impl Future<Output = Result<Webhook, StoreError>> + Send;

    /// Deletes the webhook with its deliveries and secrets; `false` if there was none.
    fn delete_webhook(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Up to `limit` of the owner's webhooks positioned before `before`, newest first,
    /// optionally only those `active` (or not) and/or listing `event`.
    fn list_webhooks(
        &self,
        owner: &str,
        limit: usize,
        before: i64,
        active: Option<bool>,
        event: Option<EventKind>,
    ) -> impl Future<Output = Result<Page<Webhook>, StoreError>> + Send;

    /// Makes `secret` the signing secret; earlier ones still valid keep signing until
    /// `now + overlap`. Returns when the previous one stops signing, if there was one.
    fn rotate_secret(
        &self,
        owner: &str,
        webhook_id: &str,
        secret: &str,
        overlap: time::Duration,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Every owner with an active webhook, with that webhook's events.
    fn active_subscriptions(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, Vec<EventKind>)>, StoreError>> + Send;

    /// The key list cursors are signed with; the same for every process on the database.
    fn cursor_key(&self) -> &[u8];
}

/// Operator-issued API tokens. Only a hash of each secret is kept.
pub trait Tokens: Send + Sync {
    /// Issues a token for `did`; returns it and its secret (shown once).
    fn create_token(
        &self,
        did: &str,
        producer: bool,
        label: Option<&str>,
    ) -> impl Future<Output = Result<(TokenInfo, String), StoreError>> + Send;

    /// Every token, newest first.
    fn list_tokens(&self) -> impl Future<Output = Result<Vec<TokenInfo>, StoreError>> + Send;

    /// Revokes a token by id; `false` if there is none (or it was revoked already).
    fn revoke_token(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The unrevoked token with this secret. May note when it was last used (at most
    /// once a minute, so authenticating stays a read).
    fn authenticate_token(
        &self,
        secret: &str,
    ) -> impl Future<Output = Result<Option<TokenInfo>, StoreError>> + Send;
}

/// Where a stream source is, saved with the events it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// The Jetstream consumer's `time_us` (shared by every Jetstream URL: it is a time).
    Jetstream(i64),
    /// A named stream's position (the repo firehose's `seq`, keyed by the URL it was read
    /// from: a relay's seq says nothing about a PDS's).
    Stream {
        /// The stream.
        source: String,
        /// Its new position.
        position: i64,
    },
}

/// Events in, deliveries queued: the transactional outbox, and the delivery log.
pub trait Outbox: Send + Sync {
    /// Stores `event` and queues one delivery per active webhook of its subject that
    /// lists its type, atomically, moving the source's cursor to `position` in the same
    /// transaction. With a `dedupe_key` seen before, nothing is queued and the earlier
    /// event's id is returned (the cursor still moves).
    fn accept_event(
        &self,
        event: &Event,
        dedupe_key: Option<&str>,
        now: OffsetDateTime,
        position: Option<Position>,
    ) -> impl Future<Output = Result<Accepted, StoreError>> + Send;

    /// Queues `event` for one of the owner's webhooks only, sent even if it is inactive
    /// or does not list the type (a test send). Returns the delivery id.
    fn queue_test_delivery(
        &self,
        owner: &str,
        webhook_id: &str,
        event: &Event,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// Up to `limit` of the webhook's deliveries positioned before `before`, newest
    /// first, optionally in one `state`; [`StoreError::WebhookNotFound`] unless the owner
    /// owns the webhook.
    fn list_deliveries(
        &self,
        owner: &str,
        webhook_id: &str,
        limit: usize,
        before: i64,
        state: Option<DeliveryState>,
    ) -> impl Future<Output = Result<Page<DeliveryRecord>, StoreError>> + Send;

    /// One of the owner's deliveries, by id.
    fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<DeliveryRecord>, StoreError>> + Send;

    /// Queues a finished delivery again, due at `now_ms`, keeping its id. `None`: no such
    /// delivery; `Some(false)`: it is still pending.
    fn redeliver(
        &self,
        owner: &str,
        id: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<bool>, StoreError>> + Send;

    /// Unfinished deliveries, and webhooks switched off by placehook.
    fn queue_stats(&self) -> impl Future<Output = Result<(i64, i64), StoreError>> + Send;

    /// Deletes finished events (with their deliveries and attempts) created before
    /// `before`, a bounded batch at a time; never an event with an unfinished delivery,
    /// nor the newest event (event numbers must not be reused: the send cache keys on
    /// them). Returns how many went.
    fn prune(&self, before: OffsetDateTime)
        -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// A delivery due to be sent, as the queue holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Its position in the queue (sends go in this order, per webhook).
    pub seq: i64,
    /// The stable delivery id.
    pub id: String,
    /// The attempt about to be made.
    pub attempt: i64,
    /// Its event's number.
    pub event_seq: i64,
    /// Sent even if the webhook is inactive.
    pub force: bool,
    /// When it was queued, Unix ms.
    pub created_ms: i64,
}

/// What the dispatcher reads and records.
pub trait DeliveryQueue: Send + Sync {
    /// The writer of attempt outcomes for one dispatcher; `changes` hears of every
    /// webhook an outcome touched (and of a switch-off) before the outcome's answer.
    type Outcomes: RecordOutcome;

    /// The webhooks with a delivery due by `now_ms`, and when the next not-yet-due one
    /// becomes due.
    fn due_webhooks(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = Result<(Vec<String>, Option<i64>), StoreError>> + Send;

    /// Up to `limit` of the webhook's pending deliveries due by `now_ms`, in queue order.
    fn due_deliveries(
        &self,
        webhook_id: &str,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send;

    /// An accepted event by number; `None` once pruned. Events never change.
    fn event(&self, seq: i64) -> impl Future<Output = Result<Option<Event>, StoreError>> + Send;

    /// The webhook as it is now, with its owner and the secrets valid at `now_ms`;
    /// `None` if it is gone.
    fn endpoint(
        &self,
        webhook_id: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<Endpoint>, StoreError>> + Send;

    /// See [`DeliveryQueue::Outcomes`].
    fn outcome_writer(
        &self,
        policy: DisablePolicy,
        clock: Arc<dyn Clock>,
        changes: Arc<Changes>,
    ) -> Self::Outcomes;

    /// Returns claims that cannot be held any more to the queue (see the module docs).
    fn release_claims(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Records attempt outcomes; cheap to clone.
pub trait RecordOutcome: Clone + Send + Sync + 'static {
    /// Queues `finished` for recording now; the answer comes once it is committed and
    /// says why its webhook was switched off by it, if it was. Recording is idempotent.
    fn record(&self, finished: Finished) -> Pending<Option<String>>;
}

/// Where each stream source is (besides [`Outbox::accept_event`]'s `position`).
pub trait Cursors: Send + Sync {
    /// The Jetstream consumer's saved `time_us`.
    fn jetstream_cursor(&self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Moves the Jetstream cursor forward to `time_us` (never back).
    fn save_jetstream_cursor(
        &self,
        time_us: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A named stream's saved position, `None` if it was never read.
    fn stream_cursor(
        &self,
        source: &str,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Moves a named stream's cursor forward to `position` (never back).
    fn save_stream_cursor(
        &self,
        source: &str,
        position: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets a named stream's cursor (its host reset its sequence).
    fn forget_stream_cursor(
        &self,
        source: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Everything a backend provides.
pub trait Backend: Webhooks + Tokens + Outbox + DeliveryQueue + Cursors {
    /// Finishes queued writes and closes.
    fn close(&self) -> impl Future<Output = ()> + Send;
}
