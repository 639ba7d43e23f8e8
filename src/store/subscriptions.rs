//! Who subscribes to what, for the Jetstream consumer's in-memory filter.

use super::{Store, StoreError};

impl Store {
    /// Every owner with an active webhook, with that webhook's event bits (one row per
    /// webhook; bit i = position i in the lexicon's event list).
    pub async fn active_subscriptions(&self) -> Result<Vec<(String, i64)>, StoreError> {
        // A scan of every webhook: off the runtime's threads.
        self.db
            .read_blocking(|c| {
                let mut q =
                    c.prepare_cached("SELECT owner, events_mask FROM webhooks WHERE active = 1")?;
                let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
    }
}
