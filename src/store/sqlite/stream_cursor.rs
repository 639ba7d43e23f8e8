//! Cursors of named event streams (the repo firehose's `seq`, one per source URL), saved
//! in the same transaction as the events a position produced, so a restart neither skips
//! an accepted event's position nor accepts it twice. Jetstream keeps its own one-row
//! table (`outbox.rs`); this is the general form.

use rusqlite::{Connection, OptionalExtension};

use super::Sqlite;
use crate::store::StoreError;

const SAVE: &str = "INSERT INTO stream_cursors (source, position) VALUES (?1, ?2) \
    ON CONFLICT (source) DO UPDATE SET position = MAX(position, excluded.position)";

/// Moves `source`'s cursor to `position` (never back), inside the caller's transaction.
pub(super) fn save(c: &Connection, source: &str, position: i64) -> Result<(), StoreError> {
    c.prepare_cached(SAVE)?
        .execute(rusqlite::params![source, position])?;
    Ok(())
}

impl Sqlite {
    pub(super) async fn stream_cursor(&self, source: &str) -> Result<Option<i64>, StoreError> {
        self.db.read(|c| {
            Ok(
                c.prepare_cached("SELECT position FROM stream_cursors WHERE source = ?1")?
                    .query_row([source], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    pub(super) async fn save_stream_cursor(
        &self,
        source: &str,
        position: i64,
    ) -> Result<(), StoreError> {
        let source = source.to_owned();
        self.db.write(move |c| save(c, &source, position)).await
    }

    pub(super) async fn forget_stream_cursor(&self, source: &str) -> Result<(), StoreError> {
        let source = source.to_owned();
        self.db
            .write(move |c| {
                c.prepare_cached("DELETE FROM stream_cursors WHERE source = ?1")?
                    .execute([&source])?;
                Ok(())
            })
            .await
    }
}
