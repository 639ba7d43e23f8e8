//! SQLite storage: owner-scoped webhooks and operator-issued API tokens.
//!
//! A [`Store`] drives one database file through rusqlite (see `db.rs` for why): reads run
//! on the caller's thread on reader connections, which WAL lets run beside the writer;
//! writes queue for one writer thread, which commits them in groups inside `BEGIN
//! IMMEDIATE`, so each is also atomic against other processes (the CLI) on the same file.
//!
//! ```no_run
//! # async fn demo() -> Result<(), placehook::store::StoreError> {
//! use placehook::store::{Store, StoreOptions};
//! let store = Store::open("sqlite://placehook.sqlite", StoreOptions::default()).await?;
//! let (page, cursor) = store.list_webhooks("did:plc:alice", 50, None, None, None).await?;
//! # Ok(()) }
//! ```

mod changes;
mod checkpoint;
mod cursor;
mod datetime;
mod db;
mod deliveries;
mod error;
mod events;
mod listing;
mod lock;
mod merged;
mod migrate;
mod outbox;
mod page_cache;
mod patch;
mod row;
mod secrets;
mod send_cache;
mod settle;
mod stream_cursor;
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
pub use patch::WebhookPatch;
pub use settle::OutcomeWriter;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use db::{Db, Target};

/// How to open a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Idle reader connections kept open (at least 1). Writes always use one dedicated
    /// connection on its own thread.
    pub read_connections: u32,
    /// How long a statement waits for another process's write lock before failing with
    /// [`StoreError::Busy`].
    pub busy_timeout: Duration,
    /// Refuse to open a database file another store holds this way (see `lock.rs`):
    /// `serve` sets it, since its dispatcher assumes it is alone; the `token` commands
    /// and tests reading beside a server do not.
    pub exclusive: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
        Self {
            read_connections: u32::try_from(cpus).unwrap_or(8).clamp(2, 8),
            busy_timeout: Duration::from_secs(5),
            exclusive: false,
        }
    }
}

/// Handle to the database; cheap to clone (a connection handle and a key).
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Signs list cursors (see `cursor.rs`); loaded from `store_meta` at open.
    cursor_key: Arc<[u8]>,
    /// `listWebhooks` answers until the owner's webhooks change.
    /// Every cache of webhooks (`listWebhooks` answers, webhooks as sent, the
    /// subscription set's generation), invalidated only through it.
    changes: Arc<changes::Changes>,
    /// Held while an exclusive store is open.
    _lock: Option<Arc<lock::ServeLock>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cursor key stays out of logs.
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `url`, a file path or a `sqlite:` URL
    /// (`sqlite://data/placehook.sqlite`, `sqlite:x.db?mode=rwc`), and applies pending
    /// migrations. `sqlite::memory:` gives a private in-memory database.
    pub async fn open(url: &str, opts: StoreOptions) -> Result<Self, StoreError> {
        let target = if url.contains(":memory:") || url.contains("mode=memory") {
            Target::Memory
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            if rest.contains('?') {
                // SQLite reads the parameters itself (`mode`, `cache`, `vfs`, ...).
                Target::Uri(format!("file:{rest}"))
            } else {
                Target::Path(rest.into())
            }
        } else {
            Target::Path(url.into())
        };
        Self::open_with(target, opts).await
    }

    /// Opens the database file at `path` (handy for tests and non-UTF-8 paths).
    pub async fn open_path(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Self, StoreError> {
        Self::open_with(Target::Path(path.as_ref().to_owned()), opts).await
    }

    async fn open_with(target: Target, opts: StoreOptions) -> Result<Self, StoreError> {
        let lock = match opts.exclusive {
            true => lock::ServeLock::take(&target)?.map(Arc::new),
            false => None,
        };
        // Opening and migrating touch the file synchronously; keep that off the runtime.
        let db = tokio::task::spawn_blocking(move || {
            Db::open(
                target,
                opts.busy_timeout,
                opts.read_connections.max(1) as usize,
                migrate::run,
            )
        })
        .await
        .map_err(|e| StoreError::Db(Box::new(e)))??;
        let key: Vec<u8> = db.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM store_meta WHERE key = 'cursor_key'",
                [],
                |r| r.get(0),
            )?)
        })?;
        Ok(Self {
            db,
            cursor_key: key.into(),
            changes: Arc::default(),
            _lock: lock,
        })
    }

    /// The generation of the set of active subscriptions (who receives which events):
    /// it moves on after every write that may change the set, including a webhook
    /// switched off by its failures. Stream consumers reload their filter when it moves.
    pub fn subscriptions_generation(&self) -> u64 {
        self.changes.subscriptions()
    }

    /// Finishes the writes already queued and closes the database.
    pub async fn close(&self) {
        let db = self.db.clone();
        let _ = tokio::task::spawn_blocking(move || db.close()).await;
    }
}
