//! The storage traits, implemented by the SQLite backend's methods (one file per area).

use std::sync::Arc;

use time::OffsetDateTime;

use super::{OutcomeWriter, Sqlite};
use crate::clock::Clock;
use crate::events::{Event, EventKind};
use crate::model::{
    Accepted, DeliveryRecord, DeliveryState, DisablePolicy, Endpoint, TokenInfo, Webhook,
    WebhookPatch, WebhookSettings,
};
use crate::store::changes::Changes;
use crate::store::traits::{
    Backend, Cursors, DeliveryQueue, Due, Outbox, Page, Position, Tokens, Webhooks,
};
use crate::store::StoreError;

impl Webhooks for Sqlite {
    async fn create_webhook(
        &self,
        owner: &str,
        settings: &WebhookSettings,
        url_key: &str,
        max_per_owner: u32,
    ) -> Result<Webhook, StoreError> {
        Sqlite::create_webhook(self, owner, settings, url_key, max_per_owner).await
    }

    async fn get_webhook(&self, owner: &str, id: &str) -> Result<Option<Webhook>, StoreError> {
        Sqlite::get_webhook(self, owner, id).await
    }

    async fn update_webhook(
        &self,
        owner: &str,
        id: &str,
        patch: &WebhookPatch,
        url_key: Option<&str>,
    ) -> Result<Webhook, StoreError> {
        Sqlite::update_webhook(self, owner, id, patch, url_key).await
    }

    async fn delete_webhook(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        Sqlite::delete_webhook(self, owner, id).await
    }

    async fn list_webhooks(
        &self,
        owner: &str,
        limit: usize,
        before: i64,
        active: Option<bool>,
        event: Option<EventKind>,
    ) -> Result<Page<Webhook>, StoreError> {
        Sqlite::list_webhooks(self, owner, limit, before, active, event).await
    }

    async fn rotate_secret(
        &self,
        owner: &str,
        webhook_id: &str,
        secret: &str,
        overlap: time::Duration,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        Sqlite::rotate_secret(self, owner, webhook_id, secret, overlap, now).await
    }

    async fn active_subscriptions(&self) -> Result<Vec<(String, Vec<EventKind>)>, StoreError> {
        Sqlite::active_subscriptions(self).await
    }

    fn cursor_key(&self) -> &[u8] {
        &self.cursor_key
    }
}

impl Tokens for Sqlite {
    async fn create_token(
        &self,
        did: &str,
        producer: bool,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String), StoreError> {
        Sqlite::create_token(self, did, producer, label).await
    }

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        Sqlite::list_tokens(self).await
    }

    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        Sqlite::revoke_token(self, id).await
    }

    async fn authenticate_token(&self, secret: &str) -> Result<Option<TokenInfo>, StoreError> {
        Sqlite::authenticate_token(self, secret).await
    }
}

impl Outbox for Sqlite {
    async fn accept_event(
        &self,
        event: &Event,
        dedupe_key: Option<&str>,
        now: OffsetDateTime,
        position: Option<Position>,
    ) -> Result<Accepted, StoreError> {
        Sqlite::accept_event(self, event, dedupe_key, now, position).await
    }

    async fn queue_test_delivery(
        &self,
        owner: &str,
        webhook_id: &str,
        event: &Event,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        Sqlite::queue_test_delivery(self, owner, webhook_id, event, now).await
    }

    async fn list_deliveries(
        &self,
        owner: &str,
        webhook_id: &str,
        limit: usize,
        before: i64,
        state: Option<DeliveryState>,
    ) -> Result<Page<DeliveryRecord>, StoreError> {
        Sqlite::list_deliveries(self, owner, webhook_id, limit, before, state).await
    }

    async fn get_delivery(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        Sqlite::get_delivery(self, owner, id).await
    }

    async fn redeliver(
        &self,
        owner: &str,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<bool>, StoreError> {
        Sqlite::redeliver(self, owner, id, now_ms).await
    }

    async fn queue_stats(&self) -> Result<(i64, i64), StoreError> {
        Sqlite::queue_stats(self).await
    }

    async fn prune(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Sqlite::prune(self, before).await
    }
}

impl DeliveryQueue for Sqlite {
    type Outcomes = OutcomeWriter;

    async fn due_webhooks(&self, now_ms: i64) -> Result<(Vec<String>, Option<i64>), StoreError> {
        Sqlite::due_webhooks(self, now_ms).await
    }

    async fn due_deliveries(
        &self,
        webhook_id: &str,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<Due>, StoreError> {
        Sqlite::due_deliveries(self, webhook_id, now_ms, limit).await
    }

    async fn event(&self, seq: i64) -> Result<Option<Event>, StoreError> {
        Sqlite::event(self, seq).await
    }

    async fn endpoint(
        &self,
        webhook_id: &str,
        now_ms: i64,
    ) -> Result<Option<Endpoint>, StoreError> {
        Sqlite::endpoint(self, webhook_id, now_ms).await
    }

    fn outcome_writer(
        &self,
        policy: DisablePolicy,
        clock: Arc<dyn Clock>,
        changes: Arc<Changes>,
    ) -> OutcomeWriter {
        Sqlite::outcome_writer(self, policy, clock, changes)
    }

    async fn release_claims(&self) -> Result<u64, StoreError> {
        Sqlite::release_claims(self).await
    }
}

impl Cursors for Sqlite {
    async fn jetstream_cursor(&self) -> Result<Option<i64>, StoreError> {
        Sqlite::jetstream_cursor(self).await
    }

    async fn save_jetstream_cursor(&self, time_us: i64) -> Result<(), StoreError> {
        Sqlite::save_jetstream_cursor(self, time_us).await
    }

    async fn stream_cursor(&self, source: &str) -> Result<Option<i64>, StoreError> {
        Sqlite::stream_cursor(self, source).await
    }

    async fn save_stream_cursor(&self, source: &str, position: i64) -> Result<(), StoreError> {
        Sqlite::save_stream_cursor(self, source, position).await
    }

    async fn forget_stream_cursor(&self, source: &str) -> Result<(), StoreError> {
        Sqlite::forget_stream_cursor(self, source).await
    }
}

impl Backend for Sqlite {
    async fn close(&self) {
        let db = self.db.clone();
        let _ = tokio::task::spawn_blocking(move || db.close()).await;
    }
}
