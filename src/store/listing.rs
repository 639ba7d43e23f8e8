//! Listing an owner's webhooks, newest first, in keyset pages.

use super::cursor::Scope;
use super::page_cache::PageKey;
use super::row::{webhook_columns, WebhookRow};
use super::{events, Store, StoreError};
use crate::lexicon::place::stream::server::defs::Webhook;
use crate::lexicon::place::stream::server::list_webhooks;
use std::sync::Arc;

/// The largest page `list_webhooks` returns, whatever `limit` asks for. Callers validate
/// the lexicon's 1..=100 first; this only bounds memory if one does not.
pub const MAX_PAGE: u32 = 1000;

// `seq < ?` walks `webhooks_by_owner` (owner, rowid) backwards from the cursor; the
// filters are integer tests on each visited row, so pages are always full.
pub(super) const SELECT_PAGE: &str = concat!(
    "SELECT ",
    webhook_columns!(),
    " FROM webhooks WHERE owner = ?1 AND seq < ?2 AND (?3 IS NULL OR active = ?3) \
      AND (?4 = 0 OR events_mask & ?4 != 0) ORDER BY seq DESC LIMIT ?5"
);

impl Store {
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
        let after = match cursor {
            Some(c) => scope.decode(&self.cursor_key, c)?,
            None => i64::MAX,
        };
        let event_mask = match event.map(events::parse) {
            None => 0,
            Some(Some(e)) => events::bit(e),
            Some(None) => return Ok((Vec::new(), None)),
        };
        let limit = limit.clamp(1, MAX_PAGE) as usize;
        // One extra row says whether another page exists without a COUNT.
        let mut rows: Vec<WebhookRow> = self.db.read(|c| {
            let mut q = c.prepare_cached(SELECT_PAGE)?;
            let rows = q.query_map(
                rusqlite::params![owner, after, active, event_mask, limit as i64 + 1],
                WebhookRow::from_row,
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| scope.encode(&self.cursor_key, r.seq))
        } else {
            None
        };
        let page = rows
            .into_iter()
            .map(WebhookRow::into_webhook)
            .collect::<Result<_, _>>()?;
        Ok((page, next))
    }

    /// [`Store::list_webhooks`] as the `listWebhooks` answer, serialised: from memory when
    /// the owner's webhooks have not changed since the same page was last asked for.
    pub async fn list_webhooks_json(
        &self,
        owner: &str,
        limit: u32,
        cursor: Option<&str>,
        active: Option<bool>,
        event: Option<&str>,
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
        let out = list_webhooks::Output {
            cursor,
            ..list_webhooks::Output::new(webhooks)
        };
        debug_assert!(
            placehook_lexrt::Validate::validate(&out).is_ok(),
            "listWebhooks output fails its lexicon"
        );
        let page: Arc<str> = serde_json::to_string(&out)
            .map_err(super::error::decode_error)?
            .into();
        self.changes.pages.store(owner, key, ticket, page.clone());
        Ok(page)
    }
}
