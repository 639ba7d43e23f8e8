//! Who subscribes to what, for the Jetstream consumer's in-memory filter.

use super::{Store, StoreError};

impl Store {
    /// Every owner with an active webhook, with that webhook's event bits (one row per
    /// webhook; bit i = position i in the lexicon's event list).
    pub async fn active_subscriptions(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT owner, events_mask FROM webhooks WHERE active = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }
}
