//! Who subscribes to what, for the Jetstream consumer's in-memory filter.

use super::{events, Sqlite};
use crate::events::EventKind;
use crate::store::StoreError;

impl Sqlite {
    pub(super) async fn active_subscriptions(
        &self,
    ) -> Result<Vec<(String, Vec<EventKind>)>, StoreError> {
        // A scan of every webhook: off the runtime's threads.
        self.db
            .read_blocking(|c| {
                let mut q =
                    c.prepare_cached("SELECT owner, events_mask FROM webhooks WHERE active = 1")?;
                let rows = q.query_map([], |r| Ok((r.get(0)?, events::from_mask(r.get(1)?))))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
    }
}
