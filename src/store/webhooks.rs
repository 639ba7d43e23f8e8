//! Webhooks through the caches: writes say what they touched (`changes.rs`), listings
//! sign their cursors and keep answers in the page cache.

use std::sync::Arc;

use super::changes::Touched;
use super::cursor::Scope;
use super::page_cache::PageKey;
use super::traits::Webhooks;
use super::{on_backend, Store, StoreError};
use crate::events::EventKind;
use crate::model::{Webhook, WebhookPatch, WebhookSettings};

/// The largest page `list_webhooks` returns, whatever `limit` asks for. Callers validate
/// the lexicon's 1..=100 first; this only bounds memory if one does not.
pub const MAX_PAGE: u32 = 1000;

impl Store {
    /// Stores a new webhook for `owner` (see [`Webhooks::create_webhook`]).
    pub async fn create_webhook(
        &self,
        owner: &str,
        settings: &WebhookSettings,
        url_key: &str,
        max_per_owner: u32,
    ) -> Result<Webhook, StoreError> {
        let created =
            on_backend!(self, b => b.create_webhook(owner, settings, url_key, max_per_owner).await);
        // A failed write may have committed: it counts as a change.
        self.changes.webhooks([owner], Touched::Subscriptions);
        created
    }

    /// The owner's webhook with this id, if there is one.
    pub async fn get_webhook(&self, owner: &str, id: &str) -> Result<Option<Webhook>, StoreError> {
        on_backend!(self, b => b.get_webhook(owner, id).await)
    }

    /// Applies `patch` to the owner's webhook (see [`Webhooks::update_webhook`]).
    pub async fn update_webhook(
        &self,
        owner: &str,
        id: &str,
        patch: &WebhookPatch,
        url_key: Option<&str>,
    ) -> Result<Webhook, StoreError> {
        let updated = on_backend!(self, b => b.update_webhook(owner, id, patch, url_key).await);
        self.changes.webhooks([owner], Touched::Subscriptions);
        updated
    }

    /// Deletes the owner's webhook; `false` if there was none with this id.
    pub async fn delete_webhook(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        let deleted = on_backend!(self, b => b.delete_webhook(owner, id).await);
        self.changes.webhooks([owner], Touched::Subscriptions);
        deleted
    }

    /// Makes `secret` the webhook's signing secret (see [`Webhooks::rotate_secret`]).
    pub async fn rotate_secret(
        &self,
        owner: &str,
        webhook_id: &str,
        secret: &str,
        overlap: time::Duration,
        now: time::OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let rotated =
            on_backend!(self, b => b.rotate_secret(owner, webhook_id, secret, overlap, now).await);
        self.changes.webhooks([owner], Touched::Sending);
        rotated
    }

    /// Every owner with an active webhook, with that webhook's events.
    pub async fn active_subscriptions(&self) -> Result<Vec<(String, Vec<EventKind>)>, StoreError> {
        on_backend!(self, b => b.active_subscriptions().await)
    }

    /// One page of the owner's webhooks, newest first, optionally only those with the
    /// given `active` state and/or listing `event` (an event name the lexicon does not
    /// define matches nothing).
    ///
    /// Returns a cursor only when more rows may follow. A cursor works only with the same
    /// owner and filters; anything else is [`StoreError::InvalidCursor`].
    pub async fn list_webhooks(
        &self,
        owner: &str,
        limit: u32,
        cursor: Option<&str>,
        active: Option<bool>,
        event: Option<&str>,
    ) -> Result<(Vec<Webhook>, Option<String>), StoreError> {
        let scope = Scope {
            owner,
            active,
            event,
        };
        let key = on_backend!(self, b => b.cursor_key());
        let before = match cursor {
            Some(c) => scope.decode(key, c)?,
            None => i64::MAX,
        };
        let event = match event.map(EventKind::parse) {
            None => None,
            Some(Some(e)) => Some(e),
            Some(None) => return Ok((Vec::new(), None)),
        };
        let limit = limit.clamp(1, MAX_PAGE) as usize;
        // One extra row says whether another page exists without a COUNT.
        let mut rows =
            on_backend!(self, b => b.list_webhooks(owner, limit + 1, before, active, event).await)?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(seq, _)| scope.encode(key, *seq))
        } else {
            None
        };
        Ok((rows.into_iter().map(|(_, w)| w).collect(), next))
    }

    /// [`Store::list_webhooks`] as `render` serialises it (the API's `listWebhooks`
    /// answer): from memory when the owner's webhooks have not changed since the same
    /// page was last asked for.
    pub async fn list_webhooks_page(
        &self,
        owner: &str,
        limit: u32,
        cursor: Option<&str>,
        active: Option<bool>,
        event: Option<&str>,
        render: impl FnOnce(Vec<Webhook>, Option<String>) -> Result<String, StoreError>,
    ) -> Result<Arc<str>, StoreError> {
        let key = PageKey {
            limit,
            cursor: cursor.map(str::to_owned),
            active,
            event: event.map(str::to_owned),
        };
        let ticket = match self.changes.pages.get(owner, &key) {
            Ok(page) => return Ok(page),
            Err(ticket) => ticket,
        };
        let (webhooks, cursor) = self
            .list_webhooks(owner, limit, cursor, active, event)
            .await?;
        let page: Arc<str> = render(webhooks, cursor)?.into();
        self.changes.pages.store(owner, key, ticket, page.clone());
        Ok(page)
    }
}
