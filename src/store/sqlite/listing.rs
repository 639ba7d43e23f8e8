//! Listing an owner's webhooks, newest first, in keyset pages (the cursors are signed
//! in front of the backend, `store/webhooks.rs`).

use super::row::{webhook_columns, WebhookRow};
use super::{events, Sqlite};
use crate::events::EventKind;
use crate::model::Webhook;
use crate::store::traits::Page;
use crate::store::StoreError;

// `seq < ?` walks `webhooks_by_owner` (owner, rowid) backwards from the cursor; the
// filters are integer tests on each visited row, so pages are always full.
pub(crate) const SELECT_PAGE: &str = concat!(
    "SELECT ",
    webhook_columns!(),
    " FROM webhooks WHERE owner = ?1 AND seq < ?2 AND (?3 IS NULL OR active = ?3) \
      AND (?4 = 0 OR events_mask & ?4 != 0) ORDER BY seq DESC LIMIT ?5"
);

impl Sqlite {
    pub(super) async fn list_webhooks(
        &self,
        owner: &str,
        limit: usize,
        before: i64,
        active: Option<bool>,
        event: Option<EventKind>,
    ) -> Result<Page<Webhook>, StoreError> {
        let event_mask = event.map_or(0, events::bit);
        let rows: Vec<WebhookRow> = self.db.read(|c| {
            let mut q = c.prepare_cached(SELECT_PAGE)?;
            let rows = q.query_map(
                rusqlite::params![owner, before, active, event_mask, limit as i64],
                WebhookRow::from_row,
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|r| Ok((r.seq, r.into_webhook()?)))
            .collect()
    }
}
