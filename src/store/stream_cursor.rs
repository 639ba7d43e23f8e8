//! Cursors of named event streams (the repo firehose's `seq`, one per source URL), saved
//! in the same transaction as the events a position produced, so a restart neither skips
//! an accepted event's position nor accepts it twice. Jetstream keeps its own one-row
//! table (`outbox.rs`); this is the general form.

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use super::{Store, StoreError};
use crate::events::Event;
use crate::model::Accepted;

const SAVE: &str = "INSERT INTO stream_cursors (source, position) VALUES (?1, ?2) \
    ON CONFLICT (source) DO UPDATE SET position = MAX(position, excluded.position)";

/// A cursor move written with an accepted event.
#[derive(Debug, Clone)]
pub(super) enum CursorMove {
    /// The Jetstream consumer's `time_us`.
    Jetstream(i64),
    /// A named stream's position.
    Stream {
        /// The stream (for the firehose: the URL it was read from).
        source: String,
        /// Its new position (never moves back).
        position: i64,
    },
}

impl CursorMove {
    /// Writes the move on the writer's connection, inside the caller's transaction.
    pub(super) fn save(&self, c: &Connection) -> Result<(), StoreError> {
        match self {
            CursorMove::Jetstream(time_us) => {
                c.prepare_cached(super::outbox::SAVE_CURSOR)?
                    .execute([time_us])?;
            }
            CursorMove::Stream { source, position } => {
                c.prepare_cached(SAVE)?
                    .execute(rusqlite::params![source, position])?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The saved position of stream `source`, `None` if it was never read.
    ///
    /// The firehose keys its `seq` by the URL it reads from, because a relay's seq says
    /// nothing about a PDS's or another relay's. So after a failover to a URL with no
    /// saved cursor the consumer starts at that host's live tail: frames the new host
    /// sent between the last one read from the old host and the connection are not
    /// replayed (the old host's seq cannot be translated), and anything both hosts
    /// deliver is still accepted once, by its record's dedupe key. Going back to a URL
    /// read before resumes from that URL's own cursor.
    pub async fn stream_cursor(&self, source: &str) -> Result<Option<i64>, StoreError> {
        self.db.read(|c| {
            Ok(
                c.prepare_cached("SELECT position FROM stream_cursors WHERE source = ?1")?
                    .query_row([source], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    /// Moves stream `source`'s cursor forward to `position` (never back).
    pub async fn save_stream_cursor(&self, source: &str, position: i64) -> Result<(), StoreError> {
        let cursor = CursorMove::Stream {
            source: source.to_owned(),
            position,
        };
        self.db.write(move |c| cursor.save(c)).await
    }

    /// Forgets stream `source`'s cursor, for a host that says the cursor is ahead of its
    /// stream (its sequence was reset): positions from its new sequence can then be saved.
    pub async fn forget_stream_cursor(&self, source: &str) -> Result<(), StoreError> {
        let source = source.to_owned();
        self.db
            .write(move |c| {
                c.prepare_cached("DELETE FROM stream_cursors WHERE source = ?1")?
                    .execute([&source])?;
                Ok(())
            })
            .await
    }

    /// [`Store::accept_event`] for an event read from stream `source`: its cursor moves to
    /// `position` in the same transaction (also when the event is a duplicate).
    pub async fn accept_streamed_event_from(
        &self,
        event: &Event,
        dedupe_key: &str,
        now: OffsetDateTime,
        source: &str,
        position: i64,
    ) -> Result<Accepted, StoreError> {
        let cursor = CursorMove::Stream {
            source: source.to_owned(),
            position,
        };
        self.accept(event, Some(dedupe_key), now, Some(cursor))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventKind;
    use crate::store::StoreOptions;

    const A: &str = "wss://relay.example/xrpc/com.atproto.sync.subscribeRepos";
    const B: &str = "wss://pds.example/xrpc/com.atproto.sync.subscribeRepos";

    fn event(uri: &str) -> Event {
        Event {
            kind: EventKind::Follow,
            subject: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into(),
            author: Some("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb".into()),
            uri: Some(uri.into()),
            record: None,
        }
    }

    #[tokio::test]
    async fn cursors_are_per_source_and_never_move_back() {
        let store = Store::open("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        assert_eq!(store.stream_cursor(A).await.unwrap(), None);
        store.save_stream_cursor(A, 10).await.unwrap();
        store.save_stream_cursor(A, 7).await.unwrap();
        store.save_stream_cursor(B, 3).await.unwrap();
        assert_eq!(store.stream_cursor(A).await.unwrap(), Some(10));
        assert_eq!(store.stream_cursor(B).await.unwrap(), Some(3));
        store.forget_stream_cursor(B).await.unwrap();
        assert_eq!(store.stream_cursor(B).await.unwrap(), None);
        store.save_stream_cursor(B, 1).await.unwrap();
        assert_eq!(store.stream_cursor(B).await.unwrap(), Some(1));
        assert_eq!(store.stream_cursor(A).await.unwrap(), Some(10));
        // Jetstream's cursor is apart.
        assert_eq!(store.jetstream_cursor().await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_accepted_event_moves_its_sources_cursor_even_when_a_duplicate() {
        let store = Store::open("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        let now = OffsetDateTime::now_utc();
        let first = store
            .accept_streamed_event_from(&event("at://x/c/1"), "k1", now, A, 20)
            .await
            .unwrap();
        assert!(!first.duplicate);
        assert_eq!(store.stream_cursor(A).await.unwrap(), Some(20));
        let again = store
            .accept_streamed_event_from(&event("at://x/c/1"), "k1", now, B, 5)
            .await
            .unwrap();
        assert!(again.duplicate);
        assert_eq!(again.event_id, first.event_id);
        assert_eq!(store.stream_cursor(B).await.unwrap(), Some(5));
        // The Jetstream path still writes its own row.
        store
            .accept_streamed_event(&event("at://x/c/2"), "k2", now, 99)
            .await
            .unwrap();
        assert_eq!(store.jetstream_cursor().await.unwrap(), Some(99));
        assert_eq!(store.stream_cursor(A).await.unwrap(), Some(20));
    }
}
