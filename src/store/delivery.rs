//! The two queries the delivery worker needs.

use time::OffsetDateTime;

use super::row::{webhook_columns, WebhookRow};
use super::{datetime, events, Store, StoreError};
use crate::lexicon::place::stream::server::defs::{Webhook, WebhookEventsItem};

const SELECT_FOR_EVENT: &str = concat!(
    "SELECT ",
    webhook_columns!(),
    " FROM webhooks WHERE owner = ? AND active = 1 AND events_mask & ? != 0 ORDER BY seq"
);

impl Store {
    /// Every owner with an active webhook, with the union of that webhook's event bits
    /// (one row per webhook).
    pub async fn active_subscriptions(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT owner, events_mask FROM webhooks WHERE active = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    /// Records one delivery attempt's outcome: a success resets `errorCount` (consecutive
    /// failures) and sets `lastTriggered` to `at`; a failure adds one to `errorCount`.
    /// `false` if the webhook no longer exists.
    pub async fn record_delivery_result(
        &self,
        webhook_id: &str,
        success: bool,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let q = if success {
            sqlx::query("UPDATE webhooks SET error_count = 0, last_triggered = ? WHERE id = ?")
                .bind(datetime::format(at))
        } else {
            sqlx::query("UPDATE webhooks SET error_count = error_count + 1 WHERE id = ?")
        };
        let done = q.bind(webhook_id).execute(&self.writer).await?;
        Ok(done.rows_affected() > 0)
    }

    /// The active webhooks owned by `subject_did` that list `event`, oldest first, each
    /// with its owner.
    pub async fn webhooks_for_event(
        &self,
        subject_did: &str,
        event: WebhookEventsItem,
    ) -> Result<Vec<(String, Webhook)>, StoreError> {
        let rows: Vec<WebhookRow> = sqlx::query_as(SELECT_FOR_EVENT)
            .bind(subject_did)
            .bind(events::bit(event))
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter()
            .map(|r| {
                let webhook = r.to_webhook()?;
                Ok((r.owner, webhook))
            })
            .collect()
    }
}
