//! SQLite storage: owner-scoped webhooks and operator-issued API tokens.
//!
//! A [`Store`] holds two pools on one database file: a single writer connection, so
//! writes queue in the pool rather than spin on SQLite's lock, and several reader
//! connections, which WAL lets run beside the writer. Every multi-statement write runs
//! in `BEGIN IMMEDIATE`, so it is also atomic against other processes (the CLI) using
//! the same file.
//!
//! ```no_run
//! # async fn demo() -> Result<(), placehook::store::StoreError> {
//! use placehook::store::{Store, StoreOptions};
//! let store = Store::open("sqlite://placehook.sqlite", StoreOptions::default()).await?;
//! let (page, cursor) = store.list_webhooks("did:plc:alice", 50, None, None, None).await?;
//! # Ok(()) }
//! ```

mod cursor;
mod datetime;
mod deliveries;
mod error;
mod events;
mod listing;
mod outbox;
mod patch;
mod row;
mod secrets;
mod settle;
mod subscriptions;
mod tokens;
mod webhooks;

#[cfg(test)]
mod tests;

pub use error::StoreError;

/// Formats a time as the lexicon `datetime` the store writes (UTC, milliseconds, `Z`).
pub fn format_datetime(at: time::OffsetDateTime) -> String {
    datetime::format(at)
}
pub use listing::MAX_PAGE;
pub use outbox::Accepted;
pub use patch::WebhookPatch;
pub use settle::{AttemptLog, Claimed, DisablePolicy, Outcome, SettleRequest, Settled};
pub use tokens::TokenInfo;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How to open a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Reader connections (at least 1). Writes always use one dedicated connection.
    pub read_connections: u32,
    /// How long a statement waits for another process's write lock before failing with
    /// [`StoreError::Busy`].
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
        Self {
            read_connections: u32::try_from(cpus).unwrap_or(8).clamp(2, 8),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Handle to the database; cheap to clone (two pool handles and a key).
#[derive(Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Signs list cursors (see `cursor.rs`); loaded from `store_meta` at open.
    cursor_key: Arc<[u8]>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cursor key stays out of logs.
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `url`, a file path or a `sqlite:` URL,
    /// and applies pending migrations. `sqlite::memory:` works too, with one connection.
    pub async fn open(url: &str, opts: StoreOptions) -> Result<Self, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let connect = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        Self::open_with(connect, in_memory, opts).await
    }

    /// Opens the database file at `path` (handy for tests and non-UTF-8 paths).
    pub async fn open_path(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Self, StoreError> {
        let connect = SqliteConnectOptions::new().filename(path);
        Self::open_with(connect, false, opts).await
    }

    async fn open_with(
        connect: SqliteConnectOptions,
        in_memory: bool,
        opts: StoreOptions,
    ) -> Result<Self, StoreError> {
        let connect = connect
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout);
        // The writer never idles out: reopening it costs more than it saves, and an
        // in-memory database lives only as long as a connection to it.
        // No ping before each acquire: a SQLite connection is a local file handle that does
        // not go stale, and the ping is one more round trip to its thread per query.
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(connect.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(opts.read_connections.max(1))
                .connect_with(connect)
                .await?
        };
        let (key,): (Vec<u8>,) =
            sqlx::query_as("SELECT value FROM store_meta WHERE key = 'cursor_key'")
                .fetch_one(&reader)
                .await?;
        Ok(Self {
            writer,
            reader,
            cursor_key: key.into(),
        })
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
